#!/usr/bin/env bash
# The invoices example: builds wh (unless $WH names a binary), loads the bundled sample into a
# fresh warehouse and prints the per-account late-invoice report as of AS_OF (default
# 2021-03-01). With an output directory, writes report.csv and late_invoices.csv there instead.
#
#   bash examples/invoices/run.sh [OUT_DIR]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../common.sh"
AS_OF=${AS_OF:-2021-03-01}

wh query -f "$HERE/schema.sql"
wh ingest accounts "$HERE/data/accounts.csv" --time-format joining_date=%d/%m/%Y >&2
wh ingest skus "$HERE/data/skus.csv" >&2
wh ingest invoices "$HERE/data/invoices.csv" >&2
wh ingest invoice_line_items "$HERE/data/invoice_line_items.csv" >&2
if [ $# -ge 1 ]; then
  mkdir -p "$1"
  wh query -f "$HERE/report.sql" --var as_of="$AS_OF" --format csv -o "$1/report.csv"
  wh query -f "$HERE/late_invoices.sql" --var as_of="$AS_OF" --format csv -o "$1/late_invoices.csv"
else
  wh query -f "$HERE/report.sql" --var as_of="$AS_OF" --format csv
fi
