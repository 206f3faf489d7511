#!/usr/bin/env bash
# Parquet out and in, wh vs DuckDB on the same seed-000 tables, side by side. Usage:
#   bash bench/compare/parquet.sh [--scale SF] [--rounds N]
# Loads the three CSVs once into wh and into DuckDB (untimed), then per round:
#   1. export: wh's COPY T TO 'f.parquet' (one file per table, as DuckDB's) and `wh export T DIR
#      --format parquet` (a Hive tree of Spark bucket files, etl_date included) vs DuckDB's
#      COPY T TO 'f.parquet' (FORMAT parquet, COMPRESSION zstd), and the bytes each wrote;
#   2. ingest of DuckDB's Parquet files: `wh ingest T f.parquet` into fresh tables vs DuckDB's
#      CREATE TABLE T AS SELECT * FROM read_parquet('f.parquet') and CHECKPOINT.
#   3. once, after the rounds (it takes minutes): DuckDB's nearest to wh's tree, its partitioned
#      COPY into as many files, one per day and bucket (PARTITION_BY (event_date, hash(user_id) %
#      45), as many files open as it needs, else it splits them), to compare trees of equal file
#      counts (against round 1's export).
# Bytes are the Parquet files' sizes (directories not counted).
# Row counts are compared; medians printed. 2 threads each.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/compare/common.sh
secs() { awk '{s += $1} END {printf "%.3f", s}'; }
timed() { local t0=$EPOCHREALTIME; "$@" > /dev/null 2> "$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
          python3 -c "print(round($EPOCHREALTIME - $t0, 4))"; }
TABLES="events payments posts"

W=$WORK/warehouse
"$WH" -w "$W" query -f examples/social/schema.sql
for pair in events:events payments:payments_data posts:posts; do
  "$WH" -w "$W" ingest "${pair%%:*}" "$DATA/${pair##*:}.csv" --etl-date 2022-03-01 2> /dev/null
done
D=$WORK/db.duckdb
sed -e "s|@DATA@|$DATA|g" bench/compare/duck_load.sql > "$WORK/load.sql"
"$DRIVER" "$D" "$WORK/load.sql" > /dev/null

# Bytes of the Parquet files under a directory (not the directories' own 4 KiB blocks: DuckDB's
# partitioned tree has a directory per day and bucket).
pqbytes() { find "$@" -name '*.parquet' -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }
declare -A R
for round in $(seq "$ROUNDS"); do
  echo "round $round of $ROUNDS" >&2
  # Each round writes new directories (removed at the end): ext4 searches longer for a free
  # inode right after many files were deleted, which would tax the 20,000 files of the export.
  rm -rf "$WORK/dpq"
  mkdir -p "$WORK/whpq$round" "$WORK/dpq"
  t=0
  for T in $TABLES; do
    s=$(timed "$WH" -w "$W" export "$T" "$WORK/whpq$round/$T" --format parquet)
    t=$(python3 -c "print($t + $s)")
  done
  R[wh_export]+="$t "
  R[wh_bytes]+="$(pqbytes "$WORK/whpq$round") "
  t=0
  for T in $TABLES; do
    s=$(timed "$WH" -w "$W" query "COPY $T TO '$WORK/whpq$round/$T.parquet'")
    t=$(python3 -c "print($t + $s)")
  done
  R[wh_copy]+="$t "
  R[wh_copy_bytes]+="$(pqbytes "$WORK/whpq$round"/*.parquet) "
  { echo "SET threads = 2;"; for T in $TABLES; do
      echo "COPY $T TO '$WORK/dpq/$T.parquet' (FORMAT PARQUET, COMPRESSION ZSTD);"; done; } > "$WORK/copy.sql"
  R[duck_export]+="$("$DRIVER" "$D" "$WORK/copy.sql" | grep -v 'SET' | secs) "
  R[duck_bytes]+="$(pqbytes "$WORK/dpq") "
  # Ingest of DuckDB's files (event_date and etl_date in them are not columns of wh's tables).
  W2=$WORK/w2
  rm -rf "$W2"
  "$WH" -w "$W2" query -f examples/social/schema.sql
  t=0
  for T in $TABLES; do
    s=$(timed "$WH" -w "$W2" ingest "$T" "$WORK/dpq/$T.parquet" --etl-date 2022-03-01)
    t=$(python3 -c "print($t + $s)")
  done
  R[wh_ingest]+="$t "
  D2=$WORK/load.duckdb
  rm -f "$D2" "$D2.wal"
  { echo "SET threads = 2;"; for T in $TABLES; do
      echo "CREATE TABLE $T AS SELECT * FROM read_parquet('$WORK/dpq/$T.parquet');"; done; echo "CHECKPOINT;"; } > "$WORK/pload.sql"
  R[duck_ingest]+="$("$DRIVER" "$D2" "$WORK/pload.sql" | grep -v 'SET' | secs) "
done
# Once, after the rounds (deleting its 42,000 files and directories would slow the next export):
# DuckDB's tree of wh's file count, the three tables' buckets being 45 of user_id (schema.sql);
# not Spark's bucket function, so the same number of files, not the same rows in each.
mkdir -p "$WORK/dtree"
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true  # it holds ~7,000 files open at once
{ echo "SET threads = 2;"; echo "SET partitioned_write_max_open_files = 1000000;"; for T in $TABLES; do
    echo "COPY (SELECT *, hash(user_id) % 45 AS b FROM $T) TO '$WORK/dtree/$T' (FORMAT PARQUET, COMPRESSION ZSTD, PARTITION_BY (event_date, b));"; done; } > "$WORK/tree.sql"
R[duck_tree]=$("$DRIVER" "$D" "$WORK/tree.sql" | grep -v 'SET' | secs)
R[duck_tree_bytes]=$(pqbytes "$WORK/dtree")
R[duck_tree_files]=$(find "$WORK/dtree" -name '*.parquet' | wc -l)
R[wh_tree_files]=$(find "$WORK/whpq1" -mindepth 2 -name '*.parquet' | wc -l)
for T in $TABLES; do
  a=$("$WH" query "SELECT COUNT(*) FROM read_parquet('$WORK/dtree/$T/**/*.parquet')" --format csv | tail -1)
  c=$("$WH" -w "$W" query "SELECT COUNT(*) FROM $T" --format csv | tail -1)
  [ "$a" = "$c" ] || { echo "ROW COUNTS DIFFER for DuckDB's tree of $T: $a $c" >&2; exit 1; }
done
rm -rf "$WORK/dtree"
for T in $TABLES; do
  a=$("$WH" -w "$W2" query "SELECT COUNT(*) FROM $T" --format csv | tail -1)
  b=$("$WH" query "SELECT COUNT(*) FROM read_parquet('$WORK/whpq1/$T/**/*.parquet')" --format csv | tail -1)
  c=$("$WH" -w "$W" query "SELECT COUNT(*) FROM $T" --format csv | tail -1)
  [ "$a" = "$c" ] && [ "$b" = "$c" ] || { echo "ROW COUNTS DIFFER for $T: $a $b $c" >&2; exit 1; }
done
row() { python3 -c "
import sys
n, w, d, u = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
print(f'| {n} | {w:.3f} {u} | {d:.3f} {u} | {w / d:.2f} |')" "$@"; }
echo
echo "Parquet, wh vs DuckDB, seed-000 scale $SCALE, $(nproc) cores, median of $ROUNDS rounds ($(date -u +%Y-%m-%d))"
echo
echo "| step | wh | DuckDB | wh / DuckDB |"
echo "| --- | ---: | ---: | ---: |"
row "COPY 3 tables TO one Parquet file each (zstd)" "$(echo "${R[wh_copy]}" | med)" "$(echo "${R[duck_export]}" | med)" s
row "bytes of those files" "$(python3 -c "print($(echo "${R[wh_copy_bytes]}" | med) / 2**20)")" "$(python3 -c "print($(echo "${R[duck_bytes]}" | med) / 2**20)")" MiB
row "wh export: Hive tree of Spark bucket files" "$(echo "${R[wh_export]}" | med)" "$(echo "${R[duck_export]}" | med)" s
row "bytes of the tree" "$(python3 -c "print($(echo "${R[wh_bytes]}" | med) / 2**20)")" "$(python3 -c "print($(echo "${R[duck_bytes]}" | med) / 2**20)")" MiB
row "wh export vs DuckDB's COPY ... PARTITION_BY (event_date, bucket), once" "${R[wh_export]%% *}" "${R[duck_tree]}" s
row "bytes of those trees (${R[wh_tree_files]} and ${R[duck_tree_files]} files)" "$(python3 -c "print(${R[wh_bytes]%% *} / 2**20)")" "$(python3 -c "print(${R[duck_tree_bytes]} / 2**20)")" MiB
row "ingest DuckDB's Parquet files" "$(echo "${R[wh_ingest]}" | med)" "$(echo "${R[duck_ingest]}" | med)" s
echo
echo "(wh exports a Hive tree of one file per partition and Spark bucket; DuckDB's COPY writes one file"
echo " per table, its partitioned COPY the tree's file count, once; compared with round 1's export)"
