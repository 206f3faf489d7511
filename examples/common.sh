# Sourced by every example's run.sh: uses the wh binary $WH names, or installs what the build
# needs and builds it; makes a fresh warehouse in a temporary directory that is removed on exit
# ($TMP, $W) and defines wh() to run wh on it.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${WH:-}" ]; then
  bash "$ROOT/scripts/setup.sh"
  bash "$ROOT/scripts/build.sh" > /dev/null
  WH="$ROOT/build/wh"
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# $WH_EXAMPLE_WAREHOUSE keeps the warehouse where it says (tests read it after the example).
W="${WH_EXAMPLE_WAREHOUSE:-$TMP/warehouse}"
wh() { "$WH" -w "$W" "$@"; }
