#!/usr/bin/env bash
# A reader written from SPEC.md alone (tests/spec/reader.py: Python, standard library only,
# written by someone who saw SPEC.md and the bytes of a small warehouse, never wh's code) must
# read what wh writes: the golden warehouse of file lists and a base record
# (tests/data/golden/manifest_base), and a fresh table of every type with NULLs, written by
# three ingests and their compactions. Its rows must be wh's, value for value, and it must find
# no problem (every checksum, bucket, partition and zone map). It does not implement zstd: the
# blocks here are too small for wh to compress.
set -uo pipefail
WH="$1"
SRC="$2"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The reader's row table as CSV (NULL as an empty field, as wh writes it).
rows_csv() {
  awk '/^  -+\+/ {on = 1; next} on && /^$/ {exit} on {print}' "$1" |
    sed -e 's/^  //' -e 's/ *| */|/g' -e 's/ *$//' |
    awk -F'|' -v OFS=, '{for (i = 1; i <= NF; i++) if ($i == "NULL") $i = ""; $1 = $1; print}'
}

check() { # WAREHOUSE TABLE SQL
  python3 "$SRC/tests/spec/reader.py" "$1" "$2" > "$T/reader.txt" 2>&1 ||
    { cat "$T/reader.txt" >&2; fail "the SPEC reader failed on $1"; }
  grep -q "^Problems: none" "$T/reader.txt" || { cat "$T/reader.txt" >&2; fail "the SPEC reader found problems in $1"; }
  rows_csv "$T/reader.txt" > "$T/reader.csv"
  "$WH" -w "$1" query "$3" --format csv | tail -n +2 > "$T/wh.csv" || fail "wh query on $1"
  [ -s "$T/wh.csv" ] || fail "no rows from wh in $1"
  if ! cmp -s "$T/reader.csv" "$T/wh.csv"; then
    diff "$T/reader.csv" "$T/wh.csv" | head -20 >&2
    fail "the SPEC reader's rows differ from wh's in $1"
  fi
}

cp -r "$SRC/tests/data/golden/manifest_base" "$T/golden"
check "$T/golden" ev "SELECT ts, user_id, note, d, etl_date FROM ev ORDER BY user_id"

W="$T/w"
"$WH" -w "$W" query "CREATE TABLE t (ts TIMESTAMP, user_id BIGINT NOT NULL, kind STRING, amount DECIMAL(12,2),
  ok BOOLEAN, score DOUBLE, day DATE, n INT) PARTITIONED BY (d = CAST(ts AS DATE))
  CLUSTERED BY (user_id) INTO 8 BUCKETS" > /dev/null || fail "create"
python3 - "$T" <<'PY'
import random, sys
random.seed(5)
for k in range(3):
    with open(f"{sys.argv[1]}/d{k}.csv", "w") as f:
        f.write("ts,user_id,kind,amount,ok,score,day,n\n")
        for i in range(40):
            ts = "" if i % 13 == 0 else f"2022-02-{10 + (i + k) % 4:02d} {i % 24:02d}:00:00"
            kind = "" if i % 7 == 0 else random.choice(["post", "like", "share", "a much longer kind of value"])
            amt = "" if i % 5 == 0 else f"{random.randint(-9999, 9999) / 100:.2f}"
            ok = "" if i % 9 == 0 else random.choice(["true", "false"])
            sc = "" if i % 11 == 0 else f"{random.randint(0, 99999) / 1000:.3f}"
            day = "" if i % 6 == 0 else f"2021-12-{1 + i % 28:02d}"
            n = "" if i % 4 == 0 else str(random.randint(-1000, 1000))
            f.write(f"{ts},{1000 * k + i},{kind},{amt},{ok},{sc},{day},{n}\n")
PY
for k in 0 1 2; do
  "$WH" -w "$W" ingest t "$T/d$k.csv" --etl-date "2022-03-0$((k + 1))" 2> /dev/null || fail "ingest $k"
done
check "$W" t "SELECT *, etl_date FROM t ORDER BY user_id"

# Partition expressions of kinds 6 and 7: days of epoch milliseconds, weeks of a date.
E="$T/e"
"$WH" -w "$E" query "CREATE TABLE ep (ms BIGINT, d DATE, user_id INT) PARTITIONED BY (day = CAST(EPOCH_MS(ms) AS DATE));
  CREATE TABLE wk (ms BIGINT, d DATE, user_id INT) PARTITIONED BY (week = CAST(DATE_TRUNC('week', d) AS DATE))" > /dev/null ||
  fail "create the epoch and week tables"
printf 'ms,d,user_id\n1541105830796,1969-12-31,1\n,2024-01-07,2\n-1,2024-01-08,3\n99999999999999999,,4\n1700000000000,2024-02-29,5\n' > "$T/e.csv"
for t in ep wk; do "$WH" -w "$E" ingest $t "$T/e.csv" --etl-date 2022-03-01 2> /dev/null || fail "ingest $t"; done
check "$E" ep "SELECT *, etl_date FROM ep ORDER BY user_id"
check "$E" wk "SELECT *, etl_date FROM wk ORDER BY user_id"
echo "the SPEC reader reads both warehouses as wh does"
