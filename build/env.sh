# Shared by ./umt and ./test.sh: the environment every run and benchmark uses, and the checks
# that a fresh machine has what the build needs.

# glibc malloc settings for libtorch's allocation pattern (torchsharp-notes.md): one arena stops
# the per-thread arenas from fragmenting step after step, and keeping large blocks on the heap
# (no mmap threshold, no trimming) stops the >32 MB teacher/decoder tensors from being mapped and
# faulted in again on every step. Measured by `umt bench` (rss_slope_kb_per_step).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}"
export MALLOC_MMAP_MAX_="${MALLOC_MMAP_MAX_:-0}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-1073741824}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

umt_require_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "umt: the .NET 10 SDK (dotnet) is required and was not found on PATH." >&2
    exit 1
  fi
}
