#!/usr/bin/env bash
# Builds wh, its tests and the fuzz targets with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer into ./build-asan, runs the test suite there and replays the fuzz
# corpora (fuzz/corpus/*) and the bad-input corpus through the fuzz targets.
set -euo pipefail
cd "$(dirname "$0")/.."
CC=clang CXX=clang++ cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWH_SANITIZE=ON \
  -DWH_FUZZ=ON -DWH_BUILD_BENCH=OFF -DWH_DUCKDB_DIR="${WH_DUCKDB_DIR:-}" -DWH_ICEBIRD_DIR="${WH_ICEBIRD_DIR:-}" >/dev/null
cmake --build build-asan -j"$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j"$(nproc)")
for t in csv json sql segment manifest parquet; do
  dirs=(fuzz/corpus/$t)
  [ "$t" = csv ] && dirs+=(tests/data/bad examples/social/data examples/invoices/data)
  [ "$t" = json ] && dirs+=(tests/data/bad examples/music/data/song_data/A/A/A)
  [ "$t" = segment ] && dirs+=(tests/data/golden tests/data/bad)
  [ "$t" = manifest ] && dirs+=(tests/data/bad)
  [ "$t" = parquet ] && dirs+=(tests/data/parquet)
  ./build-asan/${t}_fuzz -runs=0 "${dirs[@]}" 2>&1 | tail -1
done
