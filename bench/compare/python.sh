#!/usr/bin/env bash
# The Python module against the command line and DuckDB, on the seed-000 user report. Usage:
#   bash bench/compare/python.sh [--scale SF] [--rounds N]
# Loads the generated data into a wh warehouse and a DuckDB file (as run.sh does), then
# alternates, N rounds, medians printed:
#   1. `wh query -f report.sql -o report.csv` (the whole process);
#   2. `db.sql(report).df()` in Debian's python3 (in the process, after importing pandas and wh
#      and connecting, as in a notebook) and the whole `python3 ...` process;
#   3. DuckDB (npm's libduckdb, C API) running the same report into a materialized result: what
#      DuckDB's Python `.df()` does before it converts that result to pandas, so a lower bound
#      of its time (DuckDB's Python package is not in Debian).
# Also: fetching a 1M-row result into a DataFrame, with the peak RSS of the process against the
# size of the DataFrame (one copy of the data, not two).
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/compare/common.sh
PY=/usr/bin/python3
export PYTHONPATH=$PWD/build/python
W=$WORK/wh
"$WH" -w "$W" query -f examples/social/schema.sql
for t in events:events payments:payments_data posts:posts; do
  "$WH" -w "$W" ingest "${t%%:*}" "$DATA/${t#*:}.csv" --etl-date 2022-03-01 2> /dev/null
done
D=$WORK/duck.db
sed -e "s|@DATA@|$DATA|g" bench/compare/duck_load.sql > "$WORK/load.sql"
"$DRIVER" "$D" "$WORK/load.sql" > /dev/null
# The report as a query (no COPY): its rows materialized in DuckDB.
sed -e 's|^COPY ($||' -e "s|^) TO '@OUT@'.*$|;|" bench/compare/duck_report.sql > "$WORK/duck_report.sql"

cat > "$WORK/df.py" <<PYEOF
import sys, time
import pandas  # imported before the clock starts, as in a notebook (it takes ~0.5 s)
import wh
db = wh.connect("$W")
sql = open("examples/social/report.sql").read()
t = time.perf_counter()
df = db.sql(sql).df()
print(round(time.perf_counter() - t, 4), len(df))
PYEOF
declare -A R
for _ in $(seq "$ROUNDS"); do
  t0=$EPOCHREALTIME
  "$WH" -w "$W" query -f examples/social/report.sql -o "$WORK/report.csv"
  t1=$EPOCHREALTIME
  R[cli]+="$($PY -c "print(round($t1 - $t0, 4))") "
  t0=$EPOCHREALTIME
  read -r s n < <($PY "$WORK/df.py")
  t1=$EPOCHREALTIME
  R[df]+="$s "
  R[df_process]+="$($PY -c "print(round($t1 - $t0, 4))") "
  R[duck]+="$("$DRIVER" "$D" "$WORK/duck_report.sql" | grep -v SET | awk '{s += $1} END {printf "%.4f", s}') "
done
cli=$(echo "${R[cli]}" | med); df=$(echo "${R[df]}" | med); dfp=$(echo "${R[df_process]}" | med); duck=$(echo "${R[duck]}" | med)
echo "user report at SF $SCALE ($n rows), median of $ROUNDS:"
printf "  %-52s %8s s\n" "wh query -o report.csv (process)" "$cli"
printf "  %-52s %8s s  (%.2fx the CLI)\n" "db.sql(report).df() (in Python)" "$df" "$($PY -c "print($df / $cli)")"
printf "  %-52s %8s s\n" "python3 -c 'import wh; ...df()' (process)" "$dfp"
printf "  %-52s %8s s  (wh df() = %.2fx of it)\n" "DuckDB report, materialized (lower bound of .df())" "$duck" "$($PY -c "print($df / $duck)")"

# A 1M-row result: one copy of the data. (The events table's first 1M rows, five columns.)
$PY - <<PYEOF
import resource, time
import pandas
import wh
db = wh.connect("$W")
q = "SELECT user_id, event, timestamp, platform, hashtag_count FROM events LIMIT 1000000"
t = time.perf_counter()
r = db.sql(q)
t1 = time.perf_counter()
df = r.df()
t2 = time.perf_counter()
size = df.memory_usage(deep=False, index=False).sum()
print(f"{len(df)} rows x 5 columns: query {t1 - t:.3f} s, df() {t2 - t1:.3f} s; "
      f"DataFrame {size / 2**20:.0f} MiB (+ str objects), peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
PYEOF
