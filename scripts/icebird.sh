#!/usr/bin/env bash
# Installs icebird (an Apache Iceberg reader in JavaScript, with hyparquet for Parquet) from the
# npm registry into a cache outside the repository, once, and prints the directory. The tests
# read wh's Iceberg exports with it (tests/parquet/iceberg_e2e_test.py); it is never a
# dependency of wh.
#   $WH_BENCH_CACHE (default ~/.cache/wh-bench)/icebird/node_modules/icebird
set -euo pipefail
CACHE=${WH_BENCH_CACHE:-$HOME/.cache/wh-bench}
DIR=$CACHE/icebird
mkdir -p "$DIR"
if [ ! -f "$DIR/node_modules/icebird/package.json" ]; then
  (cd "$DIR" && npm install --silent --no-audit --no-fund icebird@0.3.1 > /dev/null)
fi
echo "$DIR"
