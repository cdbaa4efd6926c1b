# Sourced by the fake tools: records one call per line (tool, then each argument, separated by
# the ASCII unit separator so that arguments with spaces stay whole) and sets $state, the
# directory tests use to steer the tools.
root="$(cd "$(dirname "$0")/../../.." && pwd)"
state="$root/target/fake-tools"
mkdir -p "$state"
{
  printf '%s' "$(basename "$0")"
  for arg in "$@"; do printf '\037%s' "$arg"; done
  printf '\n'
} >> "$state/calls.log"
fail_if_asked() {
  if [ -f "$state/fail-$(basename "$0")" ]; then
    echo "ERROR: $(cat "$state/fail-$(basename "$0")")" >&2
    exit 1
  fi
}
