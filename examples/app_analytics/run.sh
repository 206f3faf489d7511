#!/usr/bin/env bash
# The app-analytics example: builds wh (unless $WH names a binary), loads the bundled sample (a
# daily drop and a partly re-sent one) into a fresh warehouse and prints the view->click /
# view->purchase funnel per user as of AS_OF (default 2023-11-06, the original run's date).
# With an output directory, writes sequences.csv, weekly.csv, daily.csv and funnels.csv there.
#
#   bash examples/app_analytics/run.sh [OUT_DIR]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../common.sh"
AS_OF=${AS_OF:-2023-11-06}

wh query -f "$HERE/schema.sql"
wh ingest user_profiles "$HERE/data/user_profiles.csv" >&2
wh ingest user_events "$HERE/data/user_events.csv" --etl-date 2023-11-05 >&2
wh ingest user_events "$HERE/data/user_events_resent.csv" --etl-date 2023-11-06 >&2
if [ $# -ge 1 ]; then
  mkdir -p "$1"
  for q in sequences weekly daily funnels; do
    wh query -f "$HERE/$q.sql" --var as_of="$AS_OF" --format csv -o "$1/$q.csv"
  done
else
  wh query -f "$HERE/funnels.sql" --var as_of="$AS_OF" --format csv
fi
