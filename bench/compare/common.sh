# What the comparison scripts share (sourced, from the repository's root): --scale and --rounds,
# setup and build, DuckDB from npm with the C driver, the generated seed-000 data, a work
# directory removed at exit. Sets SCALE, ROUNDS, CACHE, WH, DUCK, DRIVER, DATA, WORK.
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
# DuckDB from npm (C API in libduckdb.so) and its header: a peer, never a dependency of wh.
DUCK=$(bash scripts/duckdb.sh)
LIBDIR=$DUCK/node_modules/@duckdb/node-bindings-linux-x64
DRIVER=$CACHE/duck_driver
if [ ! -x "$DRIVER" ] || [ bench/compare/duck_driver.cc -nt "$DRIVER" ]; then
  g++ -O2 -std=c++17 -I"$DUCK/include" bench/compare/duck_driver.cc -o "$DRIVER" \
    -L"$LIBDIR" -lduckdb -Wl,-rpath,"$LIBDIR"
fi
DATA=$CACHE/sf$SCALE
# (A script that brings its own data sets NO_GEN=1 before sourcing this.)
[ -n "${NO_GEN:-}" ] || [ -f "$DATA/posts.csv" ] || "$WH" gen --scale "$SCALE" "$DATA"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# The median of the numbers on standard input (separated by spaces or newlines); of an even
# count, the mean of the middle two.
med() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
