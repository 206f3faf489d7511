#!/usr/bin/env bash
# wh vs DuckDB on the same seed-000 data, side by side. Usage:
#   bash bench/compare/run.sh [--scale SF] [--rounds N]
# Installs DuckDB from npm into a cache outside the repo ($WH_BENCH_CACHE, default
# ~/.cache/wh-bench), builds wh and a small C driver for libduckdb, generates the data with
# `wh gen`, then alternates the two engines for N rounds and prints medians:
#   1. ingest of the three CSVs (wh: three `wh ingest` commits with fsync; DuckDB: CSV -> native
#      tables with explicit types, then CHECKPOINT), 2 threads each;
#   2. the user report written as CSV to a file (outputs compared value by value);
#   3. a selective query on one week of event_date, and one on the etl_date of a later load
#      (wh timed as a whole process, and inside it as `wh query --timing` prints it);
#      IN (SELECT ...) and a correlated NOT EXISTS over the bucketed tables;
#   4. bytes on disk: the wh warehouse, the .duckdb file, Parquet+zstd of the same tables;
#   5. peak RSS of each wh step;
#   6. the engagement workload (examples/engagement, 10M interactions per scale factor): load,
#      DAU, MAU, sessions overall and per day (outputs compared value by value).
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/compare/common.sh
DROP=$CACHE/drop$SCALE
[ -f "$DROP/events.csv" ] || "$WH" gen --scale "$(python3 -c "print($SCALE/100)")" --seed 7 "$DROP"
ENG=$CACHE/engagement$SCALE
[ -f "$ENG/users.csv" ] || "$WH" gen --workload engagement --scale "$SCALE" "$ENG"
ENG_QUERIES="dau mau sessions sessions_by_day"

sub() { sed -e "s|@DATA@|$DATA|g" -e "s|@DROP@|$DROP|g" -e "s|@ENG@|$ENG|g" -e "s|@OUT@|$2|g" -e "s|@PQ@|$WORK/pq|g" "$1"; }
secs() { awk '{s += $1} END {printf "%.4f", s}'; }
# The statement's own time as `wh query --timing` printed it on stderr of the last `timed` run:
# from parsing the SQL to the last row written, the table's manifest read and its files opened
# included, the process's start and exit not (DuckDB's figures are its statements' times
# inside its process, its catalog already loaded).
run_time() {
  local t
  t=$(sed -n 's/^Run Time: \([0-9.]*\) s$/\1/p' "$WORK/err")
  [ -n "$t" ] || { echo "no 'Run Time' from wh query --timing in: $(cat "$WORK/err")" >&2; exit 1; }
  echo "$t"
}
timed() { # runs a command, prints "seconds peak_kib" (wall time to the microsecond)
  local t0=$EPOCHREALTIME
  /usr/bin/time -f "%M" -o "$WORK/time" "$@" > /dev/null 2> "$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
  local t1=$EPOCHREALTIME
  echo "$(python3 -c "print(round($t1 - $t0, 4))") $(cat "$WORK/time")"
}

declare -A R
for round in $(seq "$ROUNDS"); do
  echo "round $round of $ROUNDS" >&2
  # --- wh ---
  W=$WORK/warehouse
  rm -rf "$W"
  "$WH" -w "$W" query -f examples/social/schema.sql
  t=0; m=0
  for pair in events:events payments:payments_data posts:posts; do
    read -r s k < <(timed "$WH" -w "$W" ingest "${pair%%:*}" "$DATA/${pair##*:}.csv" --etl-date 2022-03-01)
    t=$(python3 -c "print($t + $s)"); m=$(( k > m ? k : m ))
  done
  R[wh_ingest]+="$t "; R[wh_ingest_rss]+="$m "
  read -r s k < <(timed "$WH" -w "$W" query -f examples/social/report.sql --format csv -o "$WORK/wh_report.csv")
  R[wh_report]+="$s "; R[wh_report_rss]+="$k "
  read -r s k < <(timed "$WH" -w "$W" query "SELECT platform, COUNT(*), SUM(hashtag_count) FROM events WHERE event_date BETWEEN DATE '2022-02-01' AND DATE '2022-02-07' GROUP BY platform" --timing)
  R[wh_week]+="$s "; R[wh_week_in]+="$(run_time) "
  read -r s k < <(timed "$WH" -w "$W" query "$(grep -v SET bench/compare/duck_in.sql)")
  R[wh_in]+="$s "
  read -r s k < <(timed "$WH" -w "$W" query "$(grep -v SET bench/compare/duck_exists.sql)")
  R[wh_exists]+="$s "
  R[wh_bytes]+="$(du -sb "$W" | cut -f1) "
  read -r s k < <(timed "$WH" -w "$W" ingest events "$DROP/events.csv" --etl-date 2022-03-02)
  read -r s k < <(timed "$WH" -w "$W" query "SELECT platform, COUNT(*), SUM(hashtag_count) FROM events WHERE etl_date = TIMESTAMP '2022-03-02 00:00:00' GROUP BY platform" --timing)
  R[wh_etl]+="$s "; R[wh_etl_in]+="$(run_time) "
  # --- DuckDB ---
  D=$WORK/db.duckdb
  rm -f "$D" "$D.wal"
  sub bench/compare/duck_load.sql "" > "$WORK/load.sql"
  R[duck_ingest]+="$("$DRIVER" "$D" "$WORK/load.sql" | grep -v '^[0-9.]*	SET' | secs) "
  sub bench/compare/duck_report.sql "$WORK/duck_report.csv" > "$WORK/report.sql"
  R[duck_report]+="$("$DRIVER" "$D" "$WORK/report.sql" | grep -v 'SET' | secs) "
  R[duck_week]+="$("$DRIVER" "$D" bench/compare/duck_select.sql | grep -v 'SET' | secs) "
  R[duck_in]+="$("$DRIVER" "$D" bench/compare/duck_in.sql | grep -v 'SET' | secs) "
  R[duck_exists]+="$("$DRIVER" "$D" bench/compare/duck_exists.sql | grep -v 'SET' | secs) "
  R[duck_bytes]+="$(stat -c %s "$D") "
  sub bench/compare/duck_drop.sql "" > "$WORK/drop.sql"
  "$DRIVER" "$D" "$WORK/drop.sql" > /dev/null
  R[duck_etl]+="$("$DRIVER" "$D" bench/compare/duck_etl.sql | grep -v 'SET' | secs) "
  # --- engagement: wh ---
  E=$WORK/engagement
  rm -rf "$E"
  "$WH" -w "$E" query -f examples/engagement/schema.sql
  read -r s1 k < <(timed "$WH" -w "$E" ingest users "$ENG/users.csv")
  read -r s2 k < <(timed "$WH" -w "$E" ingest interactions "$ENG/interactions.csv")
  R[wh_eng_ingest]+="$(python3 -c "print($s1 + $s2)") "
  mkdir -p "$WORK/wh_eng" "$WORK/duck_eng"
  for q in $ENG_QUERIES; do
    read -r s k < <(timed "$WH" -w "$E" query -f "examples/engagement/$q.sql" --format csv -o "$WORK/wh_eng/$q.csv")
    R[wh_eng_$q]+="$s "; R[wh_eng_rss]+="$k "
  done
  # --- engagement: DuckDB ---
  DE=$WORK/engagement.duckdb
  rm -f "$DE" "$DE.wal"
  sub bench/compare/duck_engagement_load.sql "" > "$WORK/eload.sql"
  R[duck_eng_ingest]+="$("$DRIVER" "$DE" "$WORK/eload.sql" | grep -v '^[0-9.]*	SET' | secs) "
  sub bench/compare/duck_engagement.sql "$WORK/duck_eng" > "$WORK/equeries.sql"
  "$DRIVER" "$DE" "$WORK/equeries.sql" > "$WORK/eng_times"
  for q in $ENG_QUERIES; do
    R[duck_eng_$q]+="$(grep "/$q.csv'" "$WORK/eng_times" | secs) "
  done
done
for q in $ENG_QUERIES; do
  python3 tests/examples/compare_csv.py "$WORK/wh_eng/$q.csv" "$WORK/duck_eng/$q.csv" ||
    { echo "ENGAGEMENT RESULTS DIFFER ($q)" >&2; exit 1; }
done
python3 bench/compare/same_report.py "$WORK/duck_report.csv" "$WORK/wh_report.csv" >&2 ||
  { echo "REPORTS DIFFER" >&2; exit 1; }
mkdir -p "$WORK/pq"
rm -f "$D" "$D.wal"
"$DRIVER" "$D" "$WORK/load.sql" > /dev/null
sub bench/compare/duck_parquet.sql "" > "$WORK/pq.sql"
"$DRIVER" "$D" "$WORK/pq.sql" > /dev/null
PQ=$(du -sb "$WORK/pq" | cut -f1)

row() { # name wh duck unit
  python3 -c "
import sys
n, w, d, u = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
p = 4 if min(w, d) < 0.1 else 3  # small times to the tenth of a millisecond
print(f'| {n} | {w:.{p}f} {u} | {d:.{p}f} {u} | {w / d:.2f} |')" "$@"
}
echo
echo "wh vs DuckDB, seed-000 and engagement scale $SCALE, $(nproc) cores, median of $ROUNDS rounds ($(date -u +%Y-%m-%d))"
echo
echo "| step | wh | DuckDB | wh / DuckDB |"
echo "| --- | ---: | ---: | ---: |"
row "ingest (3 CSVs, committed)" "$(echo "${R[wh_ingest]}" | med)" "$(echo "${R[duck_ingest]}" | med)" s
row "user report -> CSV file" "$(echo "${R[wh_report]}" | med)" "$(echo "${R[duck_report]}" | med)" s
row "one week of events (event_date)" "$(echo "${R[wh_week]}" | med)" "$(echo "${R[duck_week]}" | med)" s
row "one load of events (etl_date)" "$(echo "${R[wh_etl]}" | med)" "$(echo "${R[duck_etl]}" | med)" s
row "one week, inside the process (wh --timing)" "$(echo "${R[wh_week_in]}" | med)" "$(echo "${R[duck_week]}" | med)" s
row "one load by etl_date, inside the process" "$(echo "${R[wh_etl_in]}" | med)" "$(echo "${R[duck_etl]}" | med)" s
row "events with user_id IN (a subquery)" "$(echo "${R[wh_in]}" | med)" "$(echo "${R[duck_in]}" | med)" s
row "posts with NOT EXISTS (a correlated subquery)" "$(echo "${R[wh_exists]}" | med)" "$(echo "${R[duck_exists]}" | med)" s
row "bytes on disk (vs .duckdb)" "$(python3 -c "print($(echo "${R[wh_bytes]}" | med) / 2**20)")" "$(python3 -c "print($(echo "${R[duck_bytes]}" | med) / 2**20)")" MiB
row "bytes on disk (vs Parquet+zstd)" "$(python3 -c "print($(echo "${R[wh_bytes]}" | med) / 2**20)")" "$(python3 -c "print($PQ / 2**20)")" MiB
row "engagement: load 10M interactions" "$(echo "${R[wh_eng_ingest]}" | med)" "$(echo "${R[duck_eng_ingest]}" | med)" s
for q in $ENG_QUERIES; do
  row "engagement: $q" "$(echo "${R[wh_eng_$q]}" | med)" "$(echo "${R[duck_eng_$q]}" | med)" s
done
echo
echo "wh peak RSS: ingest $(( $(echo "${R[wh_ingest_rss]}" | med) / 1024 )) MiB, report $(( $(echo "${R[wh_report_rss]}" | med) / 1024 )) MiB, engagement queries $(( $(echo "${R[wh_eng_rss]}" | tr ' ' '\n' | sort -n | tail -1) / 1024 )) MiB"
echo "(wh times are whole processes; DuckDB times are measured inside one process per step)"
