#!/usr/bin/env bash
# Bytes on disk of the bundled samples (examples/social/data: 20,000 events, 10,000 payments,
# 16,000 posts) in wh against DuckDB's Parquet+zstd of the same rows, per table. Usage:
#   bash bench/compare/samples.sh
# wh: the tables of examples/social/schema.sql, one ingest each (--etl-date 2022-03-01);
# counted twice: its segment files alone, and the whole table directory (manifest included).
# DuckDB: bench/compare/duck_load.sql over the same CSVs (the same types, event_date and
# etl_date as columns), then `COPY t TO 'f.parquet' (FORMAT PARQUET, COMPRESSION ZSTD)` per
# table. Both hold every row (checked: wh's count of its table and of DuckDB's Parquet file).
set -euo pipefail
cd "$(dirname "$0")/../.."
NO_GEN=1
source bench/compare/common.sh
DATA=$WORK/data
mkdir -p "$DATA"
cp examples/social/data/events.csv examples/social/data/payments_data.csv examples/social/data/posts.csv "$DATA/"
W=$WORK/warehouse
"$WH" -w "$W" query -f examples/social/schema.sql > /dev/null
for pair in events:events payments:payments_data posts:posts; do
  "$WH" -w "$W" ingest "${pair%%:*}" "$DATA/${pair##*:}.csv" --etl-date 2022-03-01 2> /dev/null
done
D=$WORK/db.duckdb
sed -e "s|@DATA@|$DATA|g" bench/compare/duck_load.sql > "$WORK/load.sql"
"$DRIVER" "$D" "$WORK/load.sql" > /dev/null
mkdir -p "$WORK/dpq"
{ echo "SET threads = 2;"; for T in events payments posts; do
    echo "COPY $T TO '$WORK/dpq/$T.parquet' (FORMAT PARQUET, COMPRESSION ZSTD);"; done
} > "$WORK/copy.sql"
"$DRIVER" "$D" "$WORK/copy.sql" > /dev/null
echo "| table | rows | wh segment files | wh table directory | DuckDB Parquet+zstd | files / Parquet | directory / Parquet |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for T in events payments posts; do
  rows=$("$WH" -w "$W" query "SELECT COUNT(*) FROM $T" --format csv | tail -1)
  prows=$("$WH" query "SELECT COUNT(*) FROM read_parquet('$WORK/dpq/$T.parquet')" --format csv | tail -1)
  [ "$prows" = "$rows" ] || { echo "DuckDB's Parquet of $T holds $prows rows, wh's table $rows" >&2; exit 1; }
  files=$(du -cb "$W/$T"/data/*.whs | tail -1 | cut -f1)
  dir=$(du -sb "$W/$T" | cut -f1)
  pq=$(stat -c %s "$WORK/dpq/$T.parquet")
  echo "| $T | $rows | $files | $dir | $pq | $(python3 -c "print(f'{$files/$pq:.2f}')") | $(python3 -c "print(f'{$dir/$pq:.2f}')") |"
done
