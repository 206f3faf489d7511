#!/usr/bin/env bash
# End-to-end test of the `wh` binary on the bundled sample: create the schema, ingest the three
# CSVs, check row counts and per-partition counts against counts computed independently (with
# Python's csv module, tests/data/social/partition_counts.csv), verify, and check that bad input
# is rejected with a located error and leaves the table unchanged.
set -euo pipefail
WH="$1"
SRC="$2"
W="$(mktemp -d)/warehouse"
trap 'rm -rf "$(dirname "$W")"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$WH" -w "$W" query -f "$SRC/examples/social/schema.sql"
"$WH" -w "$W" ingest events "$SRC/examples/social/data/events.csv" --etl-date 2022-03-01
"$WH" -w "$W" ingest payments "$SRC/examples/social/data/payments_data.csv" --etl-date 2022-03-01
"$WH" -w "$W" ingest posts "$SRC/examples/social/data/posts.csv" --etl-date 2022-03-01

for pair in events:20000 payments:10000 posts:16000; do
  t=${pair%%:*}; want=${pair##*:}
  got=$("$WH" -w "$W" query "SELECT COUNT(*) AS n FROM $t" --format csv | tail -n 1)
  [ "$got" = "$want" ] || fail "$t has $got rows, expected $want"
done

# Per-partition counts from `wh inspect` against the independent ones.
actual=$(for t in events payments posts; do
  "$WH" -w "$W" inspect "$t" --format csv |
    awk -v t="$t" '/^# partitions/{on=1; getline; next} /^$/{on=0} on{split($0,f,","); print t "," f[1] "," f[4]}'
done)
expected=$(tail -n +2 "$SRC/tests/data/social/partition_counts.csv")
if [ "$actual" != "$expected" ]; then
  diff <(echo "$expected") <(echo "$actual") | head -20 >&2
  fail "per-partition counts differ"
fi

"$WH" -w "$W" verify > /dev/null || fail "verify failed on a fresh warehouse"

# The user report equals the one Python computes from the CSVs (tests/data/social/expected_report.py).
"$WH" -w "$W" query -f "$SRC/examples/social/report.sql" --format csv > "$(dirname "$W")/report.csv"
python3 "$SRC/tests/data/social/expected_report.py" "$SRC/examples/social/data" > "$(dirname "$W")/expected.csv"
if ! cmp -s "$(dirname "$W")/expected.csv" "$(dirname "$W")/report.csv"; then
  diff "$(dirname "$W")/expected.csv" "$(dirname "$W")/report.csv" | head -20 >&2
  fail "the user report differs from the independently computed one"
fi
[ "$(wc -l < "$(dirname "$W")/report.csv")" -gt 6000 ] || fail "the report is suspiciously short"

# ORDER BY over buckets: each bucket formats its sorted rows as CSV/TSV lines while the query
# runs and the printer merges them. Quoting, NULLs, descending keys and ties come out as the
# plain printer writes them (the same rows printed as JSON lines, which never take that path).
T="$(dirname "$W")/q.csv"
printf 'id,s,v\n3,"a,b",1\n1,"say ""hi""",\n2,,2\n5,tab\there,1\n4,"two\nlines",2\n6,x,1\n' > "$T"
"$WH" -w "$W" query "CREATE TABLE q (id BIGINT, s STRING, v INT) CLUSTERED BY (id) INTO 3 BUCKETS"
"$WH" -w "$W" ingest q "$T" --etl-date 2022-03-01 > /dev/null
got=$("$WH" -w "$W" query "SELECT id, s, v FROM q ORDER BY v DESC NULLS FIRST, id" --format csv)
want=$(printf 'id,s,v\n1,"say ""hi""",\n2,,2\n4,"two\nlines",2\n3,"a,b",1\n5,tab\there,1\n6,x,1')
[ "$got" = "$want" ] || fail "sorted CSV over buckets: got '$got'"
got=$("$WH" -w "$W" query "SELECT s, id FROM q ORDER BY id DESC" --format tsv)
want=$(printf 's\tid\nx\t6\n"tab\there"\t5\n"two\nlines"\t4\na,b\t3\n\t2\n"say ""hi"""\t1')
[ "$got" = "$want" ] || fail "sorted TSV over buckets: got '$got'"
got=$("$WH" -w "$W" query "SELECT id, s FROM q ORDER BY id DESC LIMIT 2" --format csv | tr '\n' ' ')
[ "$got" = 'id,s 6,x 5,tab	here ' ] || fail "sorted rows under a LIMIT (not the root): got '$got'"
got=$("$WH" -w "$W" query "SELECT id FROM q ORDER BY id DESC" --format jsonl | tr -d '\n')
[ "$got" = '{"id":6}{"id":5}{"id":4}{"id":3}{"id":2}{"id":1}' ] || fail "sorted JSON lines over buckets: got '$got'"

# EXPLAIN shows the pruning funnel and bucket-by-bucket execution.
plan=$("$WH" -w "$W" query "EXPLAIN SELECT COUNT(*) FROM events WHERE event_date >= DATE '2022-02-01' AND user_id = 5")
echo "$plan" | grep -q "partitions: 29 of 152 kept" || fail "EXPLAIN does not prune partitions: $plan"
echo "$plan" | grep -q "buckets: 1 of 45 kept" || fail "EXPLAIN does not prune buckets: $plan"

# Block-level inspect: the etl_date blocks of one partition hold its rows (part_rows: row groups
# that small partitions share hold others' too), each with a zone map.
blocks=$("$WH" -w "$W" inspect events event_date=2022-02-01 --format csv | awk -F, '$6=="etl_date"{n+=$14; if ($12!="2022-03-01 00:00:00") bad=1} END{print n, bad+0}')
want=$(awk -F, '$1=="events" && $2=="event_date=2022-02-01"{print $3}' "$SRC/tests/data/social/partition_counts.csv")
[ "$blocks" = "$want 0" ] || fail "block inspect of events/event_date=2022-02-01 gave '$blocks', expected '$want 0'"

# A bad row in the middle of a file: error names file, line, column and value; nothing changes.
bad="$(dirname "$W")/bad.csv"
{ head -n 100 "$SRC/examples/social/data/events.csv"; echo "suggested_hashtags_inserted,2022-02-30 10:00:00,1,,1.0"; } > "$bad"
before=$("$WH" -w "$W" inspect events --format csv | md5sum)
set +e
msg=$("$WH" -w "$W" ingest events "$bad" 2>&1); code=$?
set -e
[ "$code" = 3 ] || fail "bad input exit code $code, expected 3"
echo "$msg" | grep -q "bad.csv:101: column 'timestamp'" || fail "error does not say where: $msg"
echo "$msg" | grep -q "2022-02-30" || fail "error does not show the value: $msg"
after=$("$WH" -w "$W" inspect events --format csv | md5sum)
[ "$before" = "$after" ] || fail "a rejected ingest changed the table"

# Re-running a load of the same file commits nothing.
before=$("$WH" -w "$W" inspect events --format csv | md5sum)
set +e
msg=$("$WH" -w "$W" ingest events "$SRC/examples/social/data/events.csv" --etl-date 2022-03-01 2>&1); code=$?
set -e
[ "$code" = 1 ] || fail "re-ingest of a committed file exited $code, expected 1"
echo "$msg" | grep -q "already committed" || fail "re-ingest message: $msg"
after=$("$WH" -w "$W" inspect events --format csv | md5sum)
[ "$before" = "$after" ] || fail "a refused re-ingest changed the table"

# Drops without compaction, then `wh compact`: fewer files, the same answers, verify passes.
C="$(dirname "$W")/compact"
"$WH" -w "$C" query -f "$SRC/examples/social/schema.sql"
head -n 10001 "$SRC/examples/social/data/events.csv" > "$(dirname "$W")/ev1.csv"
{ head -n 1 "$SRC/examples/social/data/events.csv"; tail -n +10002 "$SRC/examples/social/data/events.csv"; } > "$(dirname "$W")/ev2.csv"
"$WH" -w "$C" ingest events "$(dirname "$W")/ev1.csv" --etl-date 2022-03-01 --no-compact 2>/dev/null
"$WH" -w "$C" ingest events "$(dirname "$W")/ev2.csv" --etl-date 2022-03-02 --no-compact 2>/dev/null
q="SELECT event_date, COUNT(*), COUNT(DISTINCT user_id), MIN(etl_date), MAX(etl_date) FROM events GROUP BY 1 ORDER BY 1"
before=$("$WH" -w "$C" query "$q" --format csv)
files_before=$(find "$C/events" -name '*.whs' | wc -l)
msg=$("$WH" -w "$C" compact events 2>&1) || fail "wh compact: $msg"
echo "$msg" | grep -q "^compacted events (commit 3): merged $files_before files into" || fail "wh compact said: $msg"
files_after=$(find "$C/events" -name '*.whs' | wc -l)
[ "$files_after" -lt "$files_before" ] || fail "wh compact left $files_after of $files_before files"
[ "$("$WH" -w "$C" query "$q" --format csv)" = "$before" ] || fail "wh compact changed the answer"
"$WH" -w "$C" verify > /dev/null || fail "verify after wh compact"
msg=$("$WH" -w "$C" compact events 2>&1) || fail "second wh compact: $msg"
[ "$msg" = "events: nothing to compact" ] || fail "second wh compact said: $msg"
set +e
"$WH" -w "$C" compact nosuch > /dev/null 2>&1; code=$?
[ "$code" = 1 ] || fail "wh compact of a missing table exited $code"
"$WH" -w "$C" compact events --partition 2022-13-01 > /dev/null 2>&1; code=$?
[ "$code" = 2 ] || fail "wh compact --partition 2022-13-01 exited $code"
set -e

# Corruption is reported with exit code 4.
seg=$(find "$W/events" -name '*.whs' -print -quit)
printf '\x55' | dd of="$seg" bs=1 seek=100 count=1 conv=notrunc 2>/dev/null
set +e
"$WH" -w "$W" verify events > /dev/null; code=$?
set -e
[ "$code" = 4 ] || fail "verify of a damaged segment exited $code, expected 4"

# Table names cannot escape the warehouse.
set +e
"$WH" -w "$W" query "SELECT COUNT(*) FROM \"../x\"" > /dev/null 2>&1; code=$?
set -e
[ "$code" = 1 ] || fail "a path as a table name exited $code"
# ingest --create: a table from the music logs without typing their 18 keys (ts read as
# epoch milliseconds, partitioned by its day, bucketed); the same rows as read_json reads.
M="$(dirname "$W")/music"
"$WH" -w "$M" ingest --create staging_events "$SRC/examples/music/data/log_data" --format json \
  --time-format ts=epoch_ms --partition-by 'day = CAST(ts AS DATE)' --clustered-by userId:4 2> /dev/null
got=$("$WH" -w "$M" query "SELECT COUNT(*), COUNT(DISTINCT day), MIN(ts) FROM staging_events" --format csv | tail -n 1)
want=$("$WH" -w "$M" query "SELECT COUNT(*), COUNT(DISTINCT CAST(epoch_ms(ts) AS DATE)), MIN(epoch_ms(ts)) FROM read_json('$SRC/examples/music/data/log_data/**/*.json')" --format csv | tail -n 1)
[ "$got" = "$want" ] || fail "ingest --create loaded '$got', read_json reads '$want'"
"$WH" -w "$M" query "DESCRIBE staging_events" --format csv | grep -q '^userId,STRING,YES,bucket key (4 buckets)$' ||
  fail "ingest --create: userId is not the STRING bucket key"
# A value past the sniffed sample fails the load, and the table --create made is gone again.
python3 -c "print('a,b'); [print(f'{i},{i}') for i in range(30000)]; print('x,1')" > "$M.csv"
set +e
"$WH" -w "$M" ingest --create late "$M.csv" 2> "$M.err"; code=$?
set -e
[ "$code" = 3 ] || fail "ingest --create of a bad file exited $code, expected 3"
grep -q "music.csv:30002.*cannot read 'x' as BIGINT" "$M.err" || fail "ingest --create error: $(cat "$M.err")"
"$WH" -w "$M" query "SHOW TABLES" --format csv | grep -q '^late,' && fail "a failed ingest --create left its table"
"$WH" -w "$M" verify > /dev/null || fail "verify after ingest --create"

# An unpartitioned table is one partition, as inspect counts it.
"$WH" -w "$M" query "CREATE TABLE flat (a INT)"
printf 'a\n1\n2\n' > "$M.flat.csv"
"$WH" -w "$M" ingest flat "$M.flat.csv" 2>&1 | grep -q ": 1 partition, 1 file," || fail "ingest of an unpartitioned table"
# The command line as a newcomer finds it: SQL on standard input with -f -, SQL that begins
# with a -- comment, --timing on stderr, a request's error without a kind in front.
got=$(printf 'SELECT 1 AS x;\nSELECT 2 AS y;\n' | "$WH" query -f - --format csv | tr '\n' ' ')
[ "$got" = "x 1 y 2 " ] || fail "query -f - printed '$got'"
got=$("$WH" query "-- the answer
SELECT 42 AS a" --format csv --timing 2> "$M.err" | tail -n 1)
[ "$got" = 42 ] || fail "SQL beginning with a comment printed '$got'"
grep -q '^Run Time: [0-9.]* s$' "$M.err" || fail "--timing: $(cat "$M.err")"
set +e
"$WH" query "SELEC 1" 2> "$M.err"; code=$?
set -e
[ "$code" = 1 ] && grep -q "^wh: error: line 1, column 1: expected a statement" "$M.err" || fail "bad SQL: $code $(cat "$M.err")"

# Table and markdown cells stay one line; an epoch number in a TIMESTAMP column names the fix.
got=$("$WH" query "SELECT 'a
b' AS s, 'x|y' AS t" --format markdown | tail -n 1)
[ "$got" = '| a\nb | x\|y |' ] || fail "markdown cell: '$got'"
"$WH" -w "$M" query "CREATE TABLE ep (ts TIMESTAMP)"
printf 'ts\n1704067200123\n' > "$M.ep.csv"
set +e
"$WH" -w "$M" ingest ep "$M.ep.csv" 2> "$M.err"
set -e
grep -q "epoch time? --time-format COLUMN=epoch_ms reads it" "$M.err" || fail "epoch hint: $(cat "$M.err")"

# A day delivered again: --overwrite replaces the days its rows fall in, and says so.
"$WH" -w "$M" query "CREATE TABLE ov (id INT, ts TIMESTAMP) PARTITIONED BY (day = CAST(ts AS DATE))"
printf 'id,ts\n1,2024-01-01 10:00:00\n2,2024-01-02 10:00:00\n3,2024-01-02 11:00:00\n' > "$M.ov1.csv"
printf 'id,ts\n4,2024-01-02 12:00:00\n' > "$M.ov2.csv"
"$WH" -w "$M" ingest ov "$M.ov1.csv" 2> /dev/null
"$WH" -w "$M" ingest ov "$M.ov2.csv" --overwrite 2> "$M.err"
grep -q "^replaced 1 partition that held 2 rows$" "$M.err" || fail "overwrite summary: $(cat "$M.err")"
got=$("$WH" -w "$M" query "SELECT string_agg(CAST(id AS STRING), '-' ORDER BY id) FROM ov" --format csv | tail -n 1)
[ "$got" = "1-4" ] || fail "after --overwrite: '$got'"

echo "1 passed, 0 failed"
