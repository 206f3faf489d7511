#!/usr/bin/env bash
# Sets up (installs missing Debian packages), builds and runs every test, then again with
# sanitizers (scripts/sanitize.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# DuckDB (from npm) for the differential SQL test: wh's answers against DuckDB's.
WH_DUCKDB_DIR=$(bash scripts/duckdb.sh)
# icebird (from npm): an independent Iceberg reader for the tests of wh export --format iceberg.
WH_ICEBIRD_DIR=$(bash scripts/icebird.sh)
export WH_DUCKDB_DIR WH_ICEBIRD_DIR
bash scripts/build.sh
(cd build && ctest --output-on-failure -j"$(nproc)")
# The suite again under AddressSanitizer and UndefinedBehaviorSanitizer, and the fuzz corpora.
bash scripts/sanitize.sh
