#!/usr/bin/env bash
# Packs the plugin SDK (Umt.Abstractions, Umt.Models, Umt.Plugin.Sdk, Umt.Plugin.Testing) into
# artifacts/feed, the local NuGet feed a plugin project restores from (docs/plugin-sdk.md).
# --no-build packs what `dotnet build -c Release` already built (the tests do that).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/build/env.sh"
umt_require_dotnet
build=()
[[ "${1:-}" == "--no-build" ]] && build=(--no-build)

rm -f "$root"/artifacts/feed/Umt.*.nupkg
for project in Umt.Abstractions Umt.Models Umt.Plugin.Sdk Umt.Plugin.Testing; do
  dotnet pack "$root/src/$project/$project.csproj" -c Release --nologo -v quiet "${build[@]}"
done
# Restores that use artifacts/packages (tests/ThirdPartyPlugin's nuget.config) would otherwise
# keep the Umt packages of an earlier pack of the same version.
rm -rf "$root"/artifacts/packages/umt.*
echo "packed into $root/artifacts/feed:" && ls "$root/artifacts/feed"
