#!/usr/bin/env bash
# The engagement example: builds wh (unless $WH names a binary), generates the interactions and
# users (SCALE, default 0.01 = 100,000 interactions of 1,000 users; 1 = 10M of 100K), loads
# them and prints the overall session figures. With an output directory, writes dau.csv,
# mau.csv, sessions.csv and sessions_by_day.csv there (and keeps the generated data in
# OUT_DIR/data).
#
#   bash examples/engagement/run.sh [OUT_DIR]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../common.sh"
SCALE=${SCALE:-0.01}
DATA="$TMP/data"
[ $# -ge 1 ] && DATA="$1/data"

"$WH" gen --workload engagement --scale "$SCALE" "$DATA"
wh query -f "$HERE/schema.sql"
wh ingest users "$DATA/users.csv" >&2
wh ingest interactions "$DATA/interactions.csv" >&2
if [ $# -ge 1 ]; then
  for q in dau mau sessions sessions_by_day; do
    wh query -f "$HERE/$q.sql" --format csv -o "$1/$q.csv"
  done
else
  wh query -f "$HERE/sessions.sql" --format csv
fi
