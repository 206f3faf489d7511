#!/usr/bin/env bash
# A reader written from SPEC.md alone (tests/spec/reader.py: Python, standard library only,
# written by someone who saw SPEC.md and the bytes of a small warehouse, never wh's code) must
# read what wh writes: the golden warehouse of file lists and a base record
# (tests/data/golden/manifest_base), and a fresh table of every type with NULLs, written by
# three ingests and their compactions. Its rows must be wh's, value for value, and it must find
# no problem (every checksum, bucket, partition and zone map), and it must decode blocks of both
# encodings of segment version 4, and row groups of segment version 5 shared by several parts
# (partitions). Its zstd decoder (RFC 8878) reads the blocks wh compresses: since version 5 the
# small partitions of a file share row groups, whose blocks are large enough for wh to compress.
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

# A golden warehouse of segment format 5 and compressed manifest records (written 2026-12-07:
# two ingests and a compaction, every commit record of type 8, one row group shared by five
# partitions): this build and the SPEC reader read exactly its rows.
cp -r "$SRC/tests/data/golden/v5_shared_zstd" "$T/golden5"
check "$T/golden5" ev "SELECT *, etl_date FROM ev ORDER BY user_id"
grep -q "row group shared by parts" "$T/reader.txt" || fail "golden5: no row group shared by parts"
grep -q "compressed record" "$T/reader.txt" || fail "golden5: no compressed manifest record"
want='2022-02-10 10:00:00,1,a,1.50,2022-02-10,2022-03-01 00:00:00
2022-02-10 11:00:00,2,,-3.25,2022-02-10,2022-03-01 00:00:00
2022-02-11 09:00:00,3,b,,2022-02-11,2022-03-01 00:00:00
,4,null day,0.01,,2022-03-01 00:00:00
2022-02-12 23:59:59,5,c,100.00,2022-02-12,2022-03-01 00:00:00
2022-02-11 12:00:00,6,d,7.77,2022-02-11,2022-03-02 00:00:00
2022-02-12 00:00:00,7,,8.00,2022-02-12,2022-03-02 00:00:00
2022-02-13 01:00:00,8,e,-0.99,2022-02-13,2022-03-02 00:00:00'
[ "$(cat "$T/wh.csv")" = "$want" ] || fail "golden5: wh reads other rows: $(cat "$T/wh.csv")"
"$WH" -w "$T/golden5" verify > /dev/null 2>&1 || fail "golden5: wh verify"

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
# Its ingests are small (40 rows, 4 or 5 days each): wh writes their partitions into row groups
# they share (segment version 5), whose rows the reader takes part by part.
grep -q "^Segment .*: version 5," "$T/reader.txt" || fail "expected segment files of version 5 in $W"
grep -q "row group shared by parts" "$T/reader.txt" ||
  fail "expected the SPEC reader to decode a row group shared by parts in $W"
grep "^Blocks decoded" "$T/reader.txt" | grep -Eq "/1: [0-9]+" ||
  { grep "^Blocks decoded" "$T/reader.txt" >&2; fail "expected the SPEC reader to decode a zstd-compressed block in $W"; }
# wh writes a commit or base record whose payload is 128 bytes or more as a compressed record
# (type 8: its inner type and a zstd frame) when that is shorter; the reader decodes it.
grep "^manifest records:" "$T/reader.txt" | grep -q "compressed record" ||
  { grep "^manifest records:" "$T/reader.txt" >&2; fail "expected the SPEC reader to read a compressed manifest record (type 8) in $W"; }

# Partition expressions of kinds 6 and 7: days of epoch milliseconds, weeks of a date.
E="$T/e"
"$WH" -w "$E" query "CREATE TABLE ep (ms BIGINT, d DATE, user_id INT) PARTITIONED BY (day = CAST(EPOCH_MS(ms) AS DATE));
  CREATE TABLE wk (ms BIGINT, d DATE, user_id INT) PARTITIONED BY (week = CAST(DATE_TRUNC('week', d) AS DATE))" > /dev/null ||
  fail "create the epoch and week tables"
printf 'ms,d,user_id\n1541105830796,1969-12-31,1\n,2024-01-07,2\n-1,2024-01-08,3\n99999999999999999,,4\n1700000000000,2024-02-29,5\n' > "$T/e.csv"
for t in ep wk; do "$WH" -w "$E" ingest $t "$T/e.csv" --etl-date 2022-03-01 2> /dev/null || fail "ingest $t"; done
check "$E" ep "SELECT *, etl_date FROM ep ORDER BY user_id"
check "$E" wk "SELECT *, etl_date FROM wk ORDER BY user_id"

# Schema changes (type-5 records): files written before an ALTER TABLE stay as they are and are
# read under today's schema by column name - added columns NULL, narrower types widened (INT to
# BIGINT, DECIMAL(9,2) to DECIMAL(20,4) across the int64/int128 boundary, DATE to TIMESTAMP),
# their manifest zone maps converted at each change. Files of three schemas live side by side,
# then a compaction rewrites them all under the last one.
A="$T/a"
"$WH" -w "$A" query "CREATE TABLE al (ts TIMESTAMP, user_id BIGINT NOT NULL, kind STRING, amount DECIMAL(9,2),
  day DATE, n INT, ok BOOLEAN) PARTITIONED BY (d = CAST(ts AS DATE)) CLUSTERED BY (user_id) INTO 4 BUCKETS" > /dev/null ||
  fail "create the table to alter"
python3 - "$T" <<'PY'
import random, sys
random.seed(7)
def row(k, i, new):
    ts = "" if i % 11 == 0 else f"2022-02-{10 + (i + k) % 3:02d} {i % 24:02d}:30:00"
    kind = "" if i % 7 == 0 else random.choice(["post", "like", "share"])
    amt = "" if i % 5 == 0 else f"{random.randint(-999999999, 999999999) / 100:.2f}"
    day = "" if i % 6 == 0 else f"2021-12-{1 + i % 28:02d}"
    n = "" if i % 4 == 0 else str(random.randint(-2147483648, 2147483647))
    ok = "" if i % 9 == 0 else random.choice(["true", "false"])
    f = [ts, str(1000 * k + i), kind, amt, day, n, ok]
    if new:
        f.append("" if i % 3 == 0 else random.choice(["hello", "", "a note"]))
        f.append("" if i % 4 == 1 else f"{random.randint(-10**12, 10**12) / 10**5:.5f}")
    return ",".join(f)
for k in range(4):
    new = k == 2
    with open(f"{sys.argv[1]}/a{k}.csv", "w") as f:
        f.write("ts,user_id,kind,amount,day,n,ok" + (",note,fee\n" if new else "\n"))
        for i in range(30): f.write(row(k, i, new) + "\n")
PY
"$WH" -w "$A" ingest al "$T/a0.csv" --no-compact --etl-date 2022-03-01 2> /dev/null || fail "ingest a0"
"$WH" -w "$A" ingest al "$T/a1.csv" --no-compact --etl-date 2022-03-02 2> /dev/null || fail "ingest a1"
"$WH" -w "$A" query "ALTER TABLE al ADD COLUMN note STRING" > /dev/null || fail "add a STRING column"
"$WH" -w "$A" query "ALTER TABLE al ADD COLUMN fee DECIMAL(18,5)" > /dev/null || fail "add a DECIMAL column"
# a file of the intermediate schema (the added columns NULL, the old types)
"$WH" -w "$A" ingest al "$T/a3.csv" --no-compact --allow-missing-columns --etl-date 2022-03-03 2> /dev/null || fail "ingest a3"
"$WH" -w "$A" query "ALTER TABLE al ALTER COLUMN n TYPE BIGINT" > /dev/null || fail "INT to BIGINT"
"$WH" -w "$A" query "ALTER TABLE al ALTER COLUMN amount TYPE DECIMAL(20,4)" > /dev/null || fail "DECIMAL(9,2) to DECIMAL(20,4)"
"$WH" -w "$A" query "ALTER TABLE al ALTER COLUMN day TYPE TIMESTAMP" > /dev/null || fail "DATE to TIMESTAMP"
"$WH" -w "$A" ingest al "$T/a2.csv" --no-compact --etl-date 2022-03-04 2> /dev/null || fail "ingest a2"
[ "$(ls "$A/al/data" | wc -l)" -eq 4 ] || fail "expected 4 files before the compaction"
check "$A" al "SELECT *, etl_date FROM al ORDER BY user_id"
grep -q "type 5 schema change" "$T/reader.txt" || fail "the SPEC reader logged no schema change"
# An overwrite of one day and of the NULL partition: the files holding them retired, their other
# days' rows written anew with their etl_dates, the new rows with the overwrite's.
"$WH" -w "$A" query "INSERT OVERWRITE al SELECT * EXCLUDE (d) REPLACE (user_id + 100000 AS user_id, 'again' AS note)
  FROM al WHERE d = DATE '2022-02-11' OR d IS NULL" --etl-date "2022-03-05 12:00:00.5" > /dev/null || fail "overwrite two partitions"
check "$A" al "SELECT *, etl_date FROM al ORDER BY user_id"
grep -q "type 6 commit.*replaces \['NULL', '2022-02-11'\]" "$T/reader.txt" || fail "the SPEC reader logged no overwrite"
"$WH" -w "$A" compact al > /dev/null 2>&1 || fail "compact the altered table"
check "$A" al "SELECT *, etl_date FROM al ORDER BY user_id"
grep -q "^Segment .*" "$T/reader.txt" && ! grep -q "read as today's columns" "$T/reader.txt" ||
  fail "after the compaction every file should have today's columns"

# A manifest rewritten after schema changes: its schema record is the last schema, and its base
# record lists a file of an older schema with zone maps by the last one. One ingest of many files
# with long paths (its sources) passes the 256 KiB after which the writer rewrites the manifest:
# each file in its own directories of random names, as wh compresses its commit records (type 8)
# and counts their stored bytes, so repeated paths would not reach it.
# The table is unpartitioned and bucketed.
B="$T/b"
"$WH" -w "$B" query "CREATE TABLE rw (user_id BIGINT NOT NULL, n INT, day DATE, amt DECIMAL(9,2)) CLUSTERED BY (user_id) INTO 4 BUCKETS" > /dev/null ||
  fail "create the table to rewrite"
printf 'user_id,n,day,amt\n1,5,2022-01-01,1.50\n2,,,-9999999.99\n3,-2147483648,1969-12-31,\n' > "$T/b0.csv"
"$WH" -w "$B" ingest rw "$T/b0.csv" --no-compact --etl-date 2022-03-01 2> /dev/null || fail "ingest b0"
"$WH" -w "$B" query "ALTER TABLE rw ADD COLUMN note STRING; ALTER TABLE rw ALTER COLUMN n TYPE BIGINT;
  ALTER TABLE rw ALTER COLUMN day TYPE TIMESTAMP; ALTER TABLE rw ALTER COLUMN amt TYPE DECIMAL(20,4)" > /dev/null || fail "alter the table to rewrite"
D="$T/many"
python3 - "$D" <<'PY' || fail "write the many files in $D"
import os, random, string, sys
random.seed(13)
for i in range(160):
    d = os.path.join(sys.argv[1], *("".join(random.choice(string.ascii_letters + string.digits) for _ in range(250)) for _ in range(12)))
    os.makedirs(d)
    open(f"{d}/f{i:03d}.csv", "w").write(
        "user_id,n,day,amt,note\n" + f"{100 + i},{i - 40},2022-01-0{1 + i % 9} 12:00:00,{i}.{i:04d},n{i % 7}\n")
PY
"$WH" -w "$B" ingest rw "$D" --no-compact --etl-date 2022-03-02 2> /dev/null || fail "ingest the many files"
check "$B" rw "SELECT *, etl_date FROM rw ORDER BY user_id"
grep -q "type 7 base.*'schema change'" "$T/reader.txt" && grep -q "read as today's columns" "$T/reader.txt" ||
  fail "expected a rewritten manifest (a base record) listing a file of an older schema"
# Segment version 4's block encodings, uncompressed (each payload under the 256 bytes from which
# wh tries zstd): LENGTHS, for the STRING block of a file of 20 distinct short names (one NULL,
# one empty string), and FOR_PATCHED, for the 64-row file's BIGINT ids (multiples of 1,000 but
# two: 8-byte exception values) and DECIMAL(38,18) amounts in cents below 50 (14 bits a row; two
# NULLs, and three read from binary floating point: 16-byte exception values). Two ingests
# without compaction keep two files. The greps below ask for uncompressed blocks (".../0").
P="$T/p"
"$WH" -w "$P" query "CREATE TABLE pt (user_id BIGINT NOT NULL, amount DECIMAL(38,18), name STRING)" > /dev/null ||
  fail "create the table of the version-4 encodings"
python3 - "$T" <<'PY'
import random, sys
random.seed(11)
with open(f"{sys.argv[1]}/p0.csv", "w") as f:
    f.write("user_id,amount,name\n")
    for i in range(20):
        name = "" if i == 4 else '""' if i == 9 else f"n{i:02d}{'x' * (i % 3)}"
        f.write(f"{i + 1},{random.randint(-99999, 99999) / 100:.2f},{name}\n")
odd = {5: "7.8100000000000005", 30: "-3.1400000000000001", 50: "12.000000000000000001"}
with open(f"{sys.argv[1]}/p1.csv", "w") as f:
    f.write("user_id,amount,name\n")
    for i in range(64):
        amt = "" if i in (17, 40) else odd.get(i, f"{random.randint(-4999, 4999) / 100:.2f}")
        f.write(f"{100000 + 1000 * i + (7 if i in (11, 43) else 0)},{amt},{'' if i % 2 else 'same'}\n")
PY
"$WH" -w "$P" ingest pt "$T/p0.csv" --no-compact --etl-date 2022-03-01 2> /dev/null || fail "ingest p0"
"$WH" -w "$P" ingest pt "$T/p1.csv" --no-compact --etl-date 2022-03-02 2> /dev/null || fail "ingest p1"
# The reader prints an empty string as a blank cell, as wh's CSV prints NULL: compare with wh's
# NULLIF(name, ''), and tell the two apart in the reader's table (row 5 NULL, row 10 empty).
check "$P" pt "SELECT user_id, amount, NULLIF(name, '') AS name, etl_date FROM pt ORDER BY user_id"
grep -Eq '^  5 +\| [^|]+\| NULL +\|' "$T/reader.txt" && grep -Eq '^  10 +\| [^|]+\| +\|' "$T/reader.txt" ||
  fail "the SPEC reader does not tell the NULL name from the empty one"
for enc in name/LENGTHS/0 amount/FOR_PATCHED/0 user_id/FOR_PATCHED/0; do
  grep "^Blocks decoded" "$T/reader.txt" | grep -q " $enc: " ||
    { grep "^Blocks decoded" "$T/reader.txt" >&2; fail "expected the SPEC reader to decode an uncompressed block $enc"; }
done

echo "the SPEC reader reads every warehouse as wh does"
