#!/usr/bin/env bash
# The Python module against the command line and DuckDB, on the seed-000 user report. Usage:
#   bash bench/compare/python.sh [--scale SF] [--rounds N]
# Loads the generated data into a wh warehouse and a DuckDB file (as run.sh does), then
# alternates, N rounds, medians printed:
#   1. `wh query -f report.sql -o report.csv` (the whole process);
#   2. `db.sql(report).df()` in Debian's python3 (in the process, after import and connect) and
#      the whole `python3 -c ...` process;
#   3. DuckDB (npm's libduckdb, C API) running the same report into a materialized result: what
#      DuckDB's Python `.df()` does before it converts that result to pandas, so a lower bound
#      of its time (DuckDB's Python package is not in Debian).
# Also: fetching a 1M-row result into a DataFrame, with the peak RSS of the process against the
# size of the DataFrame (one copy of the data, not two).
set -euo pipefail
cd "$(dirname "$0")/../.."
SCALE=1
ROUNDS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) SCALE="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
CACHE=${WH_BENCH_CACHE:-$HOME/.cache/wh-bench}
mkdir -p "$CACHE"
bash scripts/setup.sh
bash scripts/build.sh > /dev/null
WH=$PWD/build/wh
PY=/usr/bin/python3
export PYTHONPATH=$PWD/build/python
DUCK=$(bash scripts/duckdb.sh)
LIBDIR=$DUCK/node_modules/@duckdb/node-bindings-linux-x64
DRIVER=$CACHE/duck_driver
if [ ! -x "$DRIVER" ] || [ bench/compare/duck_driver.cc -nt "$DRIVER" ]; then
  g++ -O2 -std=c++17 -I"$DUCK/include" bench/compare/duck_driver.cc -o "$DRIVER" \
    -L"$LIBDIR" -lduckdb -Wl,-rpath,"$LIBDIR"
fi
DATA=$CACHE/sf$SCALE
[ -f "$DATA/posts.csv" ] || "$WH" gen --scale "$SCALE" "$DATA"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
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
med() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
cli=$(echo "${R[cli]}" | med); df=$(echo "${R[df]}" | med); dfp=$(echo "${R[df_process]}" | med); duck=$(echo "${R[duck]}" | med)
echo "user report at SF $SCALE ($n rows), median of $ROUNDS:"
printf "  %-52s %8s s\n" "wh query -o report.csv (process)" "$cli"
printf "  %-52s %8s s  (%.2fx the CLI)\n" "db.sql(report).df() (in Python)" "$df" "$($PY -c "print($df / $cli)")"
printf "  %-52s %8s s\n" "python3 -c 'import wh; ...df()' (process)" "$dfp"
printf "  %-52s %8s s  (wh df() = %.2fx of it)\n" "DuckDB report, materialized (lower bound of .df())" "$duck" "$($PY -c "print($df / $duck)")"

# A 1M-row result: one copy of the data. (The events table's first 1M rows, five columns.)
$PY - <<PYEOF
import resource, time
import wh
db = wh.connect("$W")
q = "SELECT user_id, event, timestamp, platform, hashtag_count FROM events LIMIT 1000000"
t = time.perf_counter()
r = db.sql(q)
t1 = time.perf_counter()
df = r.df()
t2 = time.perf_counter()
size = df.memory_usage(deep=False, index=False).sum()
print(f"1M rows x 5 columns: query {t1 - t:.3f} s, df() {t2 - t1:.3f} s; "
      f"DataFrame {size / 2**20:.0f} MiB (+ str objects), peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
PYEOF
