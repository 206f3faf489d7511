#!/usr/bin/env bash
# End-to-end tests of the examples under examples/: each runs from its run.sh with the built
# `wh`, and its outputs must equal what a Python script computes from the same data without wh
# (tests/examples/*_expected.py).
set -euo pipefail
WH="$1"
SRC="$2"
ONLY="${3:-}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# same NAME DIR_A DIR_B FILE...: the files of both directories are byte for byte equal.
same() {
  local name=$1 a=$2 b=$3
  shift 3
  for f in "$@"; do
    [ -s "$a/$f" ] || fail "$name: no $f"
    if ! cmp -s "$a/$f" "$b/$f"; then
      diff "$b/$f" "$a/$f" | head -20 >&2
      fail "$name: $f differs from the independently computed one"
    fi
  done
}

# run_example NAME OUT [VAR=VALUE...]: examples/NAME/run.sh writes its results to OUT/got (its
# log to OUT/log); OUT/want is made for the expected ones.
run_example() {
  local name=$1 out=$2
  shift 2
  mkdir -p "$out/want"
  env "$@" WH="$WH" bash "$SRC/examples/$name/run.sh" "$out/got" 2> "$out/log" ||
    { cat "$out/log" >&2; fail "$name/run.sh"; }
}

# compare WHAT OUT NAME...: OUT/got/NAME.csv equals OUT/want/NAME.csv (numbers to 12 digits).
compare() {
  local what=$1 out=$2
  shift 2
  for f in "$@"; do
    python3 "$SRC/tests/examples/compare_csv.py" "$out/got/$f.csv" "$out/want/$f.csv" || fail "$what: $f.csv"
  done
}

if [ -z "$ONLY" ] || [ "$ONLY" = invoices ]; then
  for as_of in 2021-03-01 2020-05-01; do
    out="$TMP/invoices-$as_of"
    run_example invoices "$out" AS_OF="$as_of"
    python3 "$SRC/tests/examples/invoices_expected.py" "$SRC/examples/invoices/data" "$as_of" "$out/want"
    same "invoices as of $as_of" "$out/got" "$out/want" report.csv late_invoices.csv
  done
  # Some accounts have no late invoice in May 2020: the report lists them with 0.
  grep -q ',0,0.000000000$' "$TMP/invoices-2020-05-01/got/report.csv" || fail "invoices: no account without late invoices"
fi
if [ -z "$ONLY" ] || [ "$ONLY" = app_analytics ]; then
  for as_of in 2023-11-06 2023-03-01; do
    out="$TMP/app-$as_of"
    run_example app_analytics "$out" AS_OF="$as_of"
    python3 "$SRC/tests/examples/app_analytics_expected.py" "$SRC/examples/app_analytics/data" "$as_of" "$out/want"
    compare "app_analytics as of $as_of" "$out" sequences weekly daily funnels
    for f in sequences weekly daily funnels; do
      [ "$(wc -l < "$out/got/$f.csv")" -gt 10 ] || fail "app_analytics: $f.csv is suspiciously short"
    done
  done
  # The re-sent drop duplicates 60 events: without DISTINCT the funnel would count them twice.
  grep -q "60 rows into user_events" "$TMP/app-2023-11-06/log" || fail "app_analytics: the re-sent drop was not loaded"
fi
if [ -z "$ONLY" ] || [ "$ONLY" = music ]; then
  out="$TMP/music"
  run_example music "$out"
  python3 "$SRC/tests/examples/music_expected.py" "$SRC/examples/music/data" "$out/want"
  compare music "$out" songs artists users time songplays plays_by_hour top_artists user_agents levels
  [ "$(wc -l < "$out/got/songplays.csv")" = 6821 ] || fail "music: songplays should hold the 6,820 NextSong events"
fi
if [ -z "$ONLY" ] || [ "$ONLY" = engagement ]; then
  out="$TMP/engagement"
  run_example engagement "$out" SCALE=0.01
  python3 "$SRC/tests/examples/engagement_expected.py" "$out/got/data" "$out/want"
  compare engagement "$out" dau mau sessions sessions_by_day
  [ "$(wc -l < "$out/got/dau.csv")" = 366 ] || fail "engagement: dau.csv should have the 365 days of 2023"
  [ "$(wc -l < "$out/got/mau.csv")" = 13 ] || fail "engagement: mau.csv should have 12 months"
fi
echo "examples: ok"
