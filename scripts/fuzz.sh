#!/usr/bin/env bash
# Runs one libFuzzer target for a while, growing its corpus: bash scripts/fuzz.sh csv 600
# (targets: csv json sql segment manifest; seconds, default 60). Findings land in build-asan/.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:?target: csv json sql segment manifest}
secs=${2:-60}
CC=clang CXX=clang++ cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWH_SANITIZE=ON \
  -DWH_FUZZ=ON -DWH_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j"$(nproc)" --target "${t}_fuzz"
mkdir -p "fuzz/corpus/$t"
cd build-asan && ./"${t}_fuzz" -max_total_time="$secs" -max_len=65536 "../fuzz/corpus/$t"
