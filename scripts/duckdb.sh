#!/usr/bin/env bash
# Installs DuckDB from the npm registry (its C library, libduckdb.so, and the matching duckdb.h)
# into a cache outside the repository, once, and prints the directory. DuckDB is a peer that the
# tests and benchmarks compare wh's answers and times with, never a dependency of wh.
#   $WH_BENCH_CACHE (default ~/.cache/wh-bench)/duckdb/
#     node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so   include/duckdb.h
set -euo pipefail
CACHE=${WH_BENCH_CACHE:-$HOME/.cache/wh-bench}
DUCK=$CACHE/duckdb
mkdir -p "$DUCK"
if [ ! -f "$DUCK/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so" ]; then
  (cd "$DUCK" && npm install --silent --no-audit --no-fund @duckdb/node-api@1.5.6-r.1 > /dev/null)
fi
if [ ! -f "$DUCK/include/duckdb.h" ]; then
  (cd "$DUCK" && npm pack --silent duckdb@1.4.4 > /dev/null && mkdir -p include &&
   tar xzf duckdb-1.4.4.tgz -O package/src/duckdb/src/include/duckdb.h > include/duckdb.h.tmp &&
   mv include/duckdb.h.tmp include/duckdb.h && rm -f duckdb-1.4.4.tgz)
fi
echo "$DUCK"
