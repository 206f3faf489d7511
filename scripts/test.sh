#!/usr/bin/env bash
# Sets up (installs missing Debian packages), builds and runs every test, then again with
# sanitizers (scripts/sanitize.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
(cd build && ctest --output-on-failure -j"$(nproc)")
# The suite again under AddressSanitizer and UndefinedBehaviorSanitizer, and the fuzz corpora.
bash scripts/sanitize.sh
