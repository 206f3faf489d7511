#!/usr/bin/env bash
# wh and DuckDB after many daily drops, side by side with one load of the same rows. Usage:
#   bash bench/drops/run.sh [--scale SF (0.1)] [--drops N (30)] [--shape random|daily]
#                           [--rounds R (3)] [--keep DIR]
# Generates seed-000 with `wh gen --scale SF` (cached in $WH_BENCH_CACHE, default
# ~/.cache/wh-bench, shared with bench/compare), splits each CSV into N drops (split.py:
# `random` sends each row to a random drop, so every drop touches every partition; `daily` cuts
# the day range into N slices and moves ~3% of each drop on to the next 1-3 drops), then:
#   wh      N drops, each one `wh ingest` per table with --etl-date increasing by a day and
#           ending at 2022-03-01 (bench/compare's), compaction on (the default); and the same
#           rows in one load (one ingest per table, --etl-date 2022-03-01) into a second
#           warehouse;
#   DuckDB  the same: one load (bench/compare/duck_load.sql), and N drops appended to one
#           database (the first drop's CREATE TABLE AS, then INSERT ... FROM read_csv and
#           CHECKPOINT per drop, one process per drop);
# and prints a markdown table: ingest time, the user report's time and peak RSS (median of R
# runs), bytes on disk, files and files per partition, compaction write amplification.
# It fails (exit 1) when any result differs: the user report of wh against DuckDB's (after one
# load and after the drops, value by value), and the drops warehouse against the one-load one
# (report_asof.sql and totals.sql, byte for byte; `wh verify`). report.sql itself is not
# compared between drops and one load: its window is each row's etl_date - 90 days, so an old
# drop's rows reach further back and the drops report holds more rows, in wh and DuckDB alike.
# wh is a copy of build/wh taken at the start (built only when missing: run scripts/build.sh
# first).
set -euo pipefail
cd "$(dirname "$0")/../.."
SCALE=0.1
DROPS=30
SHAPE=random
ROUNDS=3
KEEP=
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) SCALE="$2"; shift 2 ;;
    --drops) DROPS="$2"; shift 2 ;;
    --shape) SHAPE="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --keep) KEEP="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ $DROPS =~ ^[1-9][0-9]*$ ]] || { echo "--drops: a positive integer" >&2; exit 2; }
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "--rounds: a positive integer" >&2; exit 2; }
[[ $SCALE =~ ^[0-9]*\.?[0-9]+$ ]] || { echo "--scale: a number" >&2; exit 2; }
case "$SHAPE" in random|daily) ;; *) echo "--shape: random or daily" >&2; exit 2 ;; esac
ETL=2022-03-01  # bench/compare/run.sh's --etl-date, and the etl_date in its DuckDB SQL

CACHE=${WH_BENCH_CACHE:-$HOME/.cache/wh-bench}
mkdir -p "$CACHE"
bash scripts/setup.sh
[ -x build/wh ] || bash scripts/build.sh > /dev/null
WH=$PWD/build/wh

# DuckDB from npm and the libduckdb driver: bench/compare/common.sh's own lines (from "# DuckDB
# from npm" up to where it generates its data), run here; they set DUCK, LIBDIR and DRIVER.
# (common.sh itself also parses the arguments and builds: not sourced whole.)
DUCK_SETUP=$(sed -n '/^# DuckDB from npm/,/^DATA=/p' bench/compare/common.sh | sed '$d')
grep -q 'DRIVER=' <<< "$DUCK_SETUP" || { echo "cannot find the DuckDB setup in bench/compare/common.sh" >&2; exit 1; }
eval "$DUCK_SETUP"
[ -x "$DRIVER" ] || { echo "no DuckDB driver at $DRIVER" >&2; exit 1; }

DATA=$CACHE/sf$SCALE
[ -f "$DATA/posts.csv" ] || "$WH" gen --scale "$SCALE" "$DATA"

if [ -n "$KEEP" ]; then
  mkdir -p "$KEEP"
  [ -z "$(ls -A "$KEEP")" ] || { echo "--keep $KEEP: not empty" >&2; exit 2; }
  WORK=$(cd "$KEEP" && pwd)
else
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK/reports"
# A copy of the binary, so that a rebuild of build/wh meanwhile cannot change or break the run.
cp build/wh "$WORK/wh"
WH=$WORK/wh
"$WH" --help > /dev/null 2>&1 || { echo "$WH does not run" >&2; exit 1; }
: > "$WORK/times.tsv"
TABLES="events:events payments:payments_data posts:posts"  # table:CSV name

run() { # KEY LOG CMD...: runs CMD (stderr to LOG), adds "KEY seconds peak_kib wall" to times.tsv
  local key=$1 log=$2
  shift 2
  local t0=$EPOCHREALTIME
  if ! /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" > "$WORK/stdout" 2>> "$log"; then
    echo "FAILED: $*" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  local t1=$EPOCHREALTIME wall kib secs
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}')
  kib=$(tail -n 1 "$WORK/time" | awk '{print $2}')
  secs=$wall
  if [[ $key == duck_* ]]; then  # DuckDB: its statements' times, as bench/compare takes them
    secs=$(grep -v '^[0-9.]*	SET' "$WORK/stdout" | awk '{s += $1} END {printf "%.4f", s}')
  fi
  echo "$key $secs $kib $wall" >> "$WORK/times.tsv"
}
has_rows() { awk 'NR == 2 {ok = 1; exit} END {exit !ok}' "$1"; }  # more than a header
etl_of() { date -u -d "$ETL - $(( DROPS - $1 )) days" +%F; }  # drop K's etl date
duck_sql() { # DIR ETL_DATE FIRST(1|0): duck_load.sql for the CSVs of DIR, as of ETL_DATE
  local sql
  sql=$(sed -e "s|@DATA@|$1|g" -e "s|TIMESTAMP '$ETL'|TIMESTAMP '$2'|g" bench/compare/duck_load.sql)
  [ "$3" = 1 ] || sql=$(sed -E 's/^CREATE TABLE ([a-z_]+) AS SELECT/INSERT INTO \1 SELECT/' <<< "$sql")
  [ "$(grep -cF "TIMESTAMP '$2' AS etl_date FROM read_csv('$1/" <<< "$sql")" = 3 ] &&
    [ "$(grep -c "^$([ "$3" = 1 ] && echo 'CREATE TABLE' || echo 'INSERT INTO') " <<< "$sql")" = 3 ] ||
    { echo "bench/compare/duck_load.sql is not as expected (3 tables, etl_date '$ETL')" >&2; exit 1; }
  echo "$sql"
}

echo "splitting scale $SCALE into $DROPS drops ($SHAPE)" >&2
python3 bench/drops/split.py --drops "$DROPS" --shape "$SHAPE" "$DATA" "$WORK/drops"

echo "wh: one load" >&2
"$WH" -w "$WORK/wh_one" query -f examples/social/schema.sql
for pair in $TABLES; do
  run wh_one_ingest "$WORK/wh_one.log" "$WH" -w "$WORK/wh_one" ingest "${pair%%:*}" \
    "$DATA/${pair##*:}.csv" --etl-date "$ETL"
done
echo "wh: $DROPS drops" >&2
"$WH" -w "$WORK/wh_drops" query -f examples/social/schema.sql
for k in $(seq "$DROPS"); do
  for pair in $TABLES; do
    f=$WORK/drops/$k/${pair##*:}.csv
    if ! has_rows "$f"; then  # wh refuses a CSV with a header and no rows (exit 3)
      printf '\r  drop %d: no %s rows, not ingested\n' "$k" "${pair%%:*}" >&2
      continue
    fi
    run wh_drops_ingest "$WORK/wh_drops.log" "$WH" -w "$WORK/wh_drops" ingest "${pair%%:*}" \
      "$f" --etl-date "$(etl_of "$k")"
  done
  printf '\r  drop %d of %d' "$k" "$DROPS" >&2
done
echo >&2

echo "DuckDB: one load" >&2
duck_sql "$DATA" "$ETL" 1 > "$WORK/duck_one.sql"
run duck_one_ingest "$WORK/duck.log" "$DRIVER" "$WORK/one.duckdb" "$WORK/duck_one.sql"
echo "DuckDB: $DROPS drops" >&2
for k in $(seq "$DROPS"); do
  duck_sql "$WORK/drops/$k" "$(etl_of "$k")" "$([ "$k" = 1 ] && echo 1 || echo 0)" > "$WORK/duck_drop.sql"
  run duck_drops_ingest "$WORK/duck.log" "$DRIVER" "$WORK/drops.duckdb" "$WORK/duck_drop.sql"
  printf '\r  drop %d of %d' "$k" "$DROPS" >&2
done
echo >&2

echo "user report, $ROUNDS rounds" >&2
for which in one drops; do
  sed "s|@OUT@|$WORK/reports/duck_$which.csv|g" bench/compare/duck_report.sql > "$WORK/duck_report_$which.sql"
done
for r in $(seq "$ROUNDS"); do
  for which in one drops; do
    run "wh_${which}_report" "$WORK/wh_query.log" "$WH" -w "$WORK/wh_$which" query \
      -f examples/social/report.sql --format csv -o "$WORK/reports/wh_$which.csv"
    run "duck_${which}_report" "$WORK/duck.log" "$DRIVER" "$WORK/$which.duckdb" "$WORK/duck_report_$which.sql"
  done
done

echo "checking the results" >&2
fail=0
for which in one drops; do
  python3 bench/compare/same_report.py "$WORK/reports/duck_$which.csv" "$WORK/reports/wh_$which.csv" >&2 ||
    { echo "REPORTS DIFFER: wh vs DuckDB after $which load(s)" >&2; fail=1; }
  "$WH" -w "$WORK/wh_$which" query -f bench/drops/report_asof.sql --var as_of="$ETL" --format csv \
    -o "$WORK/reports/asof_$which.csv"
  "$WH" -w "$WORK/wh_$which" query -f bench/drops/totals.sql --format csv -o "$WORK/reports/totals_$which.csv"
done
cmp "$WORK/reports/asof_one.csv" "$WORK/reports/wh_one.csv" ||
  { echo "report_asof.sql is not report.sql after one load" >&2; fail=1; }
cmp "$WORK/reports/asof_one.csv" "$WORK/reports/asof_drops.csv" ||
  { echo "REPORTS DIFFER: wh $DROPS drops vs one load (report_asof.sql)" >&2; fail=1; }
cmp "$WORK/reports/totals_one.csv" "$WORK/reports/totals_drops.csv" ||
  { echo "TABLES DIFFER: wh $DROPS drops vs one load (totals.sql)" >&2; fail=1; }
"$WH" -w "$WORK/wh_drops" verify > "$WORK/verify.txt" 2>&1 ||
  { cat "$WORK/verify.txt" >&2; echo "wh verify FAILED on the drops warehouse" >&2; fail=1; }
[ "$fail" = 0 ] || exit 1
echo "  the same results: wh = DuckDB (report.sql, after one load and after the drops); wh drops =" \
  "one load (report_asof.sql, totals.sql: cmp); wh verify" >&2
diffs=$(python3 bench/compare/same_report.py "$WORK/reports/wh_one.csv" "$WORK/reports/wh_drops.csv" | tail -n 1 || true)
echo "  report.sql, wh one load vs drops (expected to differ: an older drop's etl_date looks further back): $diffs" >&2

echo
python3 bench/drops/measure.py summary "$WORK" "$DROPS" "$SHAPE" "$SCALE" "$ROUNDS"
[ -z "$KEEP" ] || echo "kept in $WORK" >&2
