#!/usr/bin/env bash
# Sets up, builds, creates a fresh warehouse from examples/social/schema.sql (tables and the
# per-user views), ingests the bundled sample and prints the user report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh > /dev/null
W=${WH_WAREHOUSE:-./warehouse}
rm -rf "$W"
./build/wh -w "$W" query -f examples/social/schema.sql
./build/wh -w "$W" ingest events examples/social/data/events.csv --etl-date 2022-03-01
./build/wh -w "$W" ingest payments examples/social/data/payments_data.csv --etl-date 2022-03-01
./build/wh -w "$W" ingest posts examples/social/data/posts.csv --etl-date 2022-03-01
./build/wh -w "$W" verify >&2
./build/wh -w "$W" query -f examples/social/report.sql --format csv
