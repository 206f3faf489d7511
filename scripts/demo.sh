#!/usr/bin/env bash
# Sets up, builds, creates a fresh warehouse from examples/social/schema.sql (tables and the
# per-user views), ingests the bundled sample and prints the user report.
#
# The demo's warehouse is a directory of its own, build/demo/warehouse (WH_DEMO_DIR overrides
# build/demo); $WH_WAREHOUSE is never read or touched. The demo deletes only what it made: it
# marks its directory with a .made-by-wh-demo file and refuses to use a directory without one.
# WH_BIN=path/to/wh skips setup and build and runs that binary (the tests do).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${WH_BIN:-}" ]; then
  bash scripts/setup.sh
  bash scripts/build.sh > /dev/null
  WH_BIN=./build/wh
fi
D=${WH_DEMO_DIR:-build/demo}
if [ -e "$D" ] && [ ! -f "$D/.made-by-wh-demo" ]; then
  echo "demo: '$D' exists and was not made by this demo; not touching it (set WH_DEMO_DIR)" >&2
  exit 1
fi
mkdir -p "$D"
touch "$D/.made-by-wh-demo"
W="$D/warehouse"
rm -rf "$W"  # the demo's own warehouse of a previous run
wh() { env -u WH_WAREHOUSE "$WH_BIN" -w "$W" "$@"; }
wh query -f examples/social/schema.sql
wh ingest events examples/social/data/events.csv --etl-date 2022-03-01
wh ingest payments examples/social/data/payments_data.csv --etl-date 2022-03-01
wh ingest posts examples/social/data/posts.csv --etl-date 2022-03-01
wh verify >&2
wh query -f examples/social/report.sql --format csv
echo "demo: the warehouse is $W (try: $WH_BIN -w $W query 'SHOW TABLES')" >&2
