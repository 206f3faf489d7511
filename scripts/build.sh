#!/usr/bin/env bash
# Configures and builds wh into ./build (optimized, with debug info).
set -euo pipefail
cd "$(dirname "$0")/.."
# $WH_DUCKDB_DIR (scripts/duckdb.sh; scripts/test.sh sets it) adds the differential test against
# DuckDB to the build's tests.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWH_DUCKDB_DIR="${WH_DUCKDB_DIR:-}" -DWH_ICEBIRD_DIR="${WH_ICEBIRD_DIR:-}" >/dev/null
cmake --build build -j"$(nproc)"
