#!/usr/bin/env bash
# Builds everything and runs every test. Prints each test with its duration, then one line
# "N passed, N failed" taken from the test results.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$root/build/env.sh"
umt_require_dotnet
umt_ensure_ffmpeg
umt_ensure_python_torch
umt_ensure_mpi
umt_fetch_test_media "$root/tests/.media"
cd "$root"

started=$(date +%s)
if ! dotnet build Umt.sln -c Release --nologo -v quiet; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "build: $(( $(date +%s) - started )) s"

results="$root/tests/TestResults"
rm -rf "$results"
dotnet test tests/Umt.Tests/Umt.Tests.csproj -c Release --no-build --nologo \
  --logger "console;verbosity=normal" --logger "trx;LogFileName=results.trx" --results-directory "$results"
status=$?

trx="$results/results.trx"
if [[ -f "$trx" ]]; then
  counters="$(grep -o '<Counters [^>]*>' "$trx")"
  passed="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  failed="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  echo "tests: $(( $(date +%s) - started )) s in all"
  echo "${passed:-0} passed, ${failed:-0} failed"
else
  echo "0 passed, 1 failed"
  [[ $status -eq 0 ]] && status=1
fi
exit $status
