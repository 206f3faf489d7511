#!/usr/bin/env bash
# Nothing lost, nothing wrong: the `wh` binary (and the demo script) under misuse. Each case
# is a way a user or an adversary could lose data or crash wh; each must end in a clear error
# with the documented exit code and leave the warehouse as it was.
set -uo pipefail
WH="$1"
SRC="$2"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
W="$T/w"
fail() { echo "FAIL: $*" >&2; exit 1; }
# Under AddressSanitizer (scripts/sanitize.sh) the cases that measure memory are left out: it
# needs terabytes of address space (no ulimit -v) and is 10-30x slower on the big results.
sanitized=""
[ -n "${ASAN_OPTIONS:-}" ] && sanitized=1
# expect CODE CMD...: runs CMD, requires exit code CODE, keeps its stderr in $T/err.
expect() {
  local want=$1; shift
  "$@" > "$T/out" 2> "$T/err"
  local got=$?
  [ "$got" = "$want" ] || { cat "$T/err" >&2; fail "exit $got, expected $want: $*"; }
}
has() { grep -q -- "$1" "$T/err" || { cat "$T/err" >&2; fail "stderr lacks '$1'"; }; }

"$WH" -w "$W" query "CREATE TABLE ev (user_id BIGINT NOT NULL, v INT) CLUSTERED BY (user_id) INTO 4 BUCKETS" || fail "create"
printf 'user_id,v\n1,10\n2,20\n3,30\n' > "$T/ev.csv"
"$WH" -w "$W" ingest ev "$T/ev.csv" --etl-date 2022-03-01 2> /dev/null || fail "ingest"
count() { "$WH" -w "$W" query "SELECT COUNT(*) FROM $1" --format csv | tail -n 1; }

# 1. The demo never touches $WH_WAREHOUSE, nor a directory it did not make.
mkdir -p "$T/precious"
echo keep > "$T/precious/data.txt"
WH_WAREHOUSE="$T/precious" WH_DEMO_DIR="$T/demo" WH_BIN="$WH" bash "$SRC/scripts/demo.sh" > "$T/report.csv" 2> "$T/err" ||
  { cat "$T/err" >&2; fail "demo"; }
[ -f "$T/precious/data.txt" ] || fail "the demo deleted \$WH_WAREHOUSE"
[ "$(wc -l < "$T/report.csv")" -gt 6000 ] || fail "the demo printed no report"
WH_DEMO_DIR="$T/demo" WH_BIN="$WH" bash "$SRC/scripts/demo.sh" > /dev/null 2>&1 || fail "the demo does not run twice"
expect 1 env WH_DEMO_DIR="$T/precious" WH_BIN="$WH" bash "$SRC/scripts/demo.sh"
has "was not made by this demo"
[ -f "$T/precious/data.txt" ] || fail "the demo deleted a directory it did not make"

# 2. --var is data: an injected statement is one string literal.
expect 1 "$WH" -w "$W" query 'SELECT * FROM ev WHERE user_id = ${uid}' --var 'uid=1; DROP TABLE ev'
[ "$(count ev)" = 3 ] || fail "--var dropped or changed the table"
got=$("$WH" -w "$W" query "SELECT v FROM ev WHERE user_id = \${uid}" --var uid=2 --format csv | tail -n 1)
[ "$got" = 20 ] || fail "a numeric --var: got '$got'"

# 8. Names of the warehouse's own files are not table names.
for n in _views _warehouse _lock _x; do
  expect 1 "$WH" -w "$W" query "CREATE TABLE $n (a INT)"
  has "reserved"
done
[ "$(count ev)" = 3 ] || fail "a reserved name broke the warehouse"

# 9. Output inside the warehouse is refused before anything runs or is written.
cp "$W/ev/_manifest" "$T/manifest.before"
expect 1 "$WH" -w "$W" query "SELECT * FROM ev" -o "$W/ev/_manifest"
has "inside the warehouse"
ln -s "$W/ev" "$T/link"
expect 1 "$WH" -w "$W" query "SELECT * FROM ev" -o "$T/link/_manifest"
expect 1 "$WH" -w "$W" query "SELECT * FROM ev" -o "$W/new.csv"
printf 'user_id,v\n4,x\n' > "$T/bad.csv"
expect 1 "$WH" -w "$W" ingest ev "$T/bad.csv" --max-errors 5 --rejects "$W/ev/_manifest"
expect 1 "$WH" -w "$W" gen --scale 0.0001 "$W/ev"
cmp -s "$W/ev/_manifest" "$T/manifest.before" || fail "the manifest changed"
[ "$(count ev)" = 3 ] || fail "the table changed"
"$WH" -w "$W" verify > /dev/null || fail "verify after the refused writes"

# 13. Smaller ones: an empty option value is an error (not "now"); a CSV without a table column
# is refused unless --allow-missing-columns; a lost segment is corruption (exit 4); a table name
# is named once in its error.
expect 2 "$WH" -w "$W" ingest ev "$T/ev.csv" --etl-date ""
has "needs a value, not an empty string"
expect 1 "$WH" -w "$W" query 'SELECT * FROM "../x"'
grep -q "table name name" "$T/err" && fail "the error says 'name name'"
W2="$T/w2"
"$WH" -w "$W2" query "CREATE TABLE z (user_id BIGINT NOT NULL, v INT)" || fail "create z"
printf 'user_id\n9\n' > "$T/missing.csv"
expect 3 "$WH" -w "$W2" ingest z "$T/missing.csv"
has "the header has no column 'v'"
expect 0 "$WH" -w "$W2" ingest z "$T/missing.csv" --allow-missing-columns
[ "$("$WH" -w "$W2" query "SELECT COUNT(*) FROM z WHERE user_id = 9 AND v IS NULL" --format csv | tail -n 1)" = 1 ] ||
  fail "--allow-missing-columns"
lost=$(find "$W2/z" -name '*.whs' | head -n 1)
rm "$lost"
expect 4 "$WH" -w "$W2" query "SELECT * FROM z"
has "is missing"
# ... while `wh inspect` still lists the lost file's parts (README "Recovering from damage").
"$WH" -w "$W2" inspect z --format csv > "$T/inspect.csv" || fail "inspect of a table that lost a file"
grep -q "${lost#"$W2/z/"}" "$T/inspect.csv" || fail "inspect does not list the lost file"

# A full disk (a small tmpfs, where the test may mount one): an ingest fails with an I/O error
# and changes nothing; DROP TABLE still works, on a table never written too, and frees space.
F="$T/full"
mkdir -p "$F"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=600k tmpfs "$F" 2> /dev/null; then
  trap 'umount "$F" 2> /dev/null; rm -rf "$T"' EXIT
  "$WH" -w "$F/w" query "CREATE TABLE empty (a INT); CREATE TABLE big (a BIGINT NOT NULL, s STRING)" || fail "create on tmpfs"
  python3 -c "
import random
random.seed(7)
print('a,s')
for i in range(60000): print(f'{i},{random.getrandbits(64):x}{random.getrandbits(64):x}')" > "$T/big.csv"
  got=0
  for k in 1 2 3 4 5 6 7 8; do
    cp "$T/big.csv" "$T/big$k.csv"
    "$WH" -w "$F/w" ingest big "$T/big$k.csv" > /dev/null 2> "$T/err" || { got=$?; break; }
  done
  [ "$got" = 5 ] || { cat "$T/err" >&2; fail "a full disk: ingest exit $got, expected 5"; }
  "$WH" -w "$F/w" verify > /dev/null || fail "verify after a failed ingest on a full disk"
  dd if=/dev/zero of="$F/filler" bs=4k 2> /dev/null  # the failed ingest freed its files: fill up again
  expect 0 "$WH" -w "$F/w" query "DROP TABLE empty"
  expect 0 "$WH" -w "$F/w" query "DROP TABLE big"
  [ -z "$(ls "$F/w" | grep -v '^_')" ] || fail "the dropped tables left files: $(ls "$F/w")"
  umount "$F"
  trap 'rm -rf "$T"' EXIT
fi

# 5 / 12. Resource limits: deep nesting, wide rows, huge IN lists and too little memory end in
# a clear error and an exit code (8: out of memory), never a signal.
# expect_no_signal CMD...: any exit code below 128 (not killed by a signal), stderr kept.
expect_clean() {
  local want=$1; shift
  "$@" > "$T/out" 2> "$T/err"
  local got=$?
  [ "$got" -lt 128 ] || { cat "$T/err" >&2; fail "killed by signal $((got - 128)): $*"; }
  [ -z "$want" ] || [ "$got" = "$want" ] || { cat "$T/err" >&2; fail "exit $got, expected $want: $*"; }
}
python3 - "$T" <<'PY'
import sys
t = sys.argv[1]
open(f"{t}/ctes.sql", "w").write("WITH c0 AS (SELECT 1 AS x)" + "".join(f", c{i} AS (SELECT x FROM c{i-1})" for i in range(1, 4000)) + " SELECT * FROM c3999")
open(f"{t}/parens.sql", "w").write("SELECT " + "(" * 100000 + "1" + ")" * 100000)
open(f"{t}/wide.sql", "w").write("SELECT " + ", ".join(f"v + {i} AS c{i}" for i in range(50000)) + " FROM ev LIMIT 1")
open(f"{t}/in.sql", "w").write("SELECT COUNT(*) FROM ev WHERE user_id IN (" + ",".join(str(k * 3) for k in range(200000)) + ")")
views = "".join(f"CREATE VIEW v{i} AS SELECT * FROM v{i-1};\n" for i in range(1, 100))
open(f"{t}/views.sql", "w").write("CREATE VIEW v0 AS SELECT * FROM ev;\n" + views)
PY
expect_clean 1 "$WH" -w "$W" query -f "$T/ctes.sql"
has "nest more than 64 deep"
expect_clean 1 "$WH" -w "$W" query -f "$T/parens.sql"
has "nests more than 400 levels"
expect_clean 1 "$WH" -w "$W" query -f "$T/views.sql"
has "nest more than 64 deep"
"$WH" -w "$W" query "SELECT COUNT(*) FROM v63" > /dev/null || fail "the views below the limit were not kept"
expect_clean 0 "$WH" -w "$W" query -f "$T/in.sql" --format csv
[ "$(tail -n 1 "$T/out")" = 1 ] || fail "IN (200,000 constants): got $(tail -n 1 "$T/out")"
if [ -z "$sanitized" ]; then
  expect_clean 0 "$WH" -w "$W" query -f "$T/wide.sql" --format csv
  [ "$(head -c 8 "$T/out")" = "c0,c1,c2" ] || fail "50,000 columns, LIMIT 1"
fi
# Too little memory for the statement: exit 8 and a message, on whichever thread it ran out
# (or success when it fits); never a signal or an internal error. (Not under AddressSanitizer,
# which needs terabytes of address space for its shadow memory.)
for q in "$T/wide.sql" "$T/in.sql" "$T/ctes.sql"; do
  [ -n "$sanitized" ] && break
  eights=0
  for kb in 60000 100000 150000 250000; do
    (ulimit -v $kb; exec "$WH" -w "$W" query -f "$q" --format csv) > "$T/out" 2> "$T/err"
    got=$?
    case "$got" in
      0|1) ;;
      8) eights=$((eights + 1)); has "out of memory" ;;
      *) cat "$T/err" >&2; fail "under ulimit -v $kb: exit $got ($q)" ;;
    esac
  done
  [ "$q" = "$T/ctes.sql" ] || [ "$eights" -gt 0 ] || fail "no limit made $q run out of memory"
done
# An ingest under the same limits: out of memory (or threads that cannot start) is exit 8 and
# commits nothing.
if [ -z "$sanitized" ]; then
  "$WH" -w "$T/wl" query "CREATE TABLE e (user_id BIGINT NOT NULL, v INT, s STRING)" || fail "create e"
  python3 -c "
print('user_id,v,s')
for i in range(300000): print(f'{i},{i % 1000},text number {i}')" > "$T/e.csv"
  for kb in 60000 80000 85000 90000 120000; do
    (ulimit -v $kb; exec "$WH" -w "$T/wl" ingest e "$T/e.csv" --force) > "$T/out" 2> "$T/err"
    got=$?
    case "$got" in
      0|8) ;;
      *) cat "$T/err" >&2; fail "ingest under ulimit -v $kb: exit $got" ;;
    esac
  done
  "$WH" -w "$T/wl" verify > /dev/null || fail "verify after ingests under ulimit -v"
fi
# --memory-mb bounds a statement: a sort of 20M rows in 100 MiB is refused with exit 8; its
# ORDER BY ... LIMIT (a top-N) fits.
python3 - "$T" <<'PY'
import sys
t = sys.argv[1]
with open(f"{t}/big.csv", "w") as f:
    f.write("user_id,v\n")
    for i in range(5000):
        f.write(f"{i + 10},{i}\n")
PY
"$WH" -w "$W" ingest ev "$T/big.csv" 2> /dev/null || fail "ingest big.csv"
cross="SELECT a.user_id, b.user_id AS u2, a.v + b.v AS s FROM ev a CROSS JOIN ev b ORDER BY s DESC, 1, 2"
if [ -z "$sanitized" ]; then
  expect_clean 8 "$WH" -w "$W" query "$cross" --memory-mb 100 --format csv
  has "out of memory: the statement needs more memory than its budget (--memory-mb) allows"
  expect_clean 0 "$WH" -w "$W" query "$cross LIMIT 2" --memory-mb 100 --format csv
  [ "$(tail -n 1 "$T/out")" = "5008,5009,9997" ] || fail "top-N under --memory-mb: got $(tail -n 1 "$T/out")"
fi

# A result bigger than the budget streams: 10M rows of a cross join print as CSV in 100 MiB
# (held whole, they would not fit).
if [ -z "$sanitized" ]; then
  expect 0 "$WH" -w "$W" query "SELECT a.user_id, b.v FROM ev a CROSS JOIN ev b WHERE b.v < 2000" --memory-mb 100 --format csv
  lines=$(wc -l < "$T/out")
  [ "$lines" = 10021010 ] || fail "streamed cross join: $lines lines"
  # The same through buckets: a join on the bucket key with few keys (9M rows out of 6,000).
  "$WH" -w "$T/wg" query "CREATE TABLE b (g BIGINT NOT NULL, v INT) CLUSTERED BY (g) INTO 8 BUCKETS" || fail "create b"
  python3 -c "
print('g,v')
for i in range(6000): print(f'{i % 4},{i}')" > "$T/g.csv"
  "$WH" -w "$T/wg" ingest b "$T/g.csv" 2> /dev/null || fail "ingest b"
  expect 0 "$WH" -w "$T/wg" query "SELECT x.v, y.v FROM b x JOIN b y ON x.g = y.g" --memory-mb 100 --format csv
  lines=$(wc -l < "$T/out")
  [ "$lines" = 9000001 ] || fail "streamed bucketed join: $lines lines"
fi
# -o: the file appears whole when the statement succeeds; the old one stays when it fails.
echo old > "$T/res.csv"
expect_clean 1 "$WH" -w "$W" query "SELECT user_id FROM ev; SELECT CAST(CAST(v AS STRING) || 'x' AS INT) FROM ev" -o "$T/res.csv"
[ "$(cat "$T/res.csv")" = old ] || fail "a failed query changed its -o file"
ls "$T" | grep -q wh-tmp && fail "a temporary result file was left"
"$WH" -w "$W" query "SELECT COUNT(*) AS n FROM ev" -o "$T/res.csv" || fail "-o"
[ "$(cat "$T/res.csv")" = "$(printf 'n\n5003')" ] || fail "-o wrote $(cat "$T/res.csv")"

# Each command takes its own options: one it does not take is refused, and nothing runs.
expect 2 "$WH" -w "$W" verify --seed 3
has "wh verify takes no option --seed"
expect 2 "$WH" -w "$W" query "SELECT 1" --max-errors 3
has "its options: --file"
expect 2 "$WH" -w "$W" ingest ev "$T/ev.csv" --bogus
has "unknown option '--bogus'"
"$WH" ingest --help > "$T/out" || fail "ingest --help"
grep -q -- "--null-string S" "$T/out" || fail "ingest --help lists no --null-string"
# CSV options of the readers of other engines: null strings, extra columns; JSON on a pipe.
before=$(count ev)
printf 'user_id,v,comment\n7,NA,x\n8,80,y\n' > "$T/extra.csv"
expect 3 "$WH" -w "$W" ingest ev "$T/extra.csv"
has "--ignore-extra-columns"
"$WH" -w "$W" ingest ev "$T/extra.csv" --ignore-extra-columns --null-string NA 2> /dev/null || fail "null string"
[ "$("$WH" -w "$W" query "SELECT COUNT(*) FROM ev WHERE user_id = 7 AND v IS NULL" --format csv | tail -n 1)" = 1 ] ||
  fail "--null-string NA did not load NULL"
printf 'user_id,v,s\n11,"",""\n' > "$T/empty.csv"
"$WH" -w "$W" query "CREATE TABLE es (user_id BIGINT, v INT, s STRING)" || fail "create es"
"$WH" -w "$W" ingest es "$T/empty.csv" 2> /dev/null || fail "quoted empty"
"$WH" -w "$W" ingest es "$T/empty.csv" --empty-as-null --force 2> /dev/null || fail "--empty-as-null"
[ "$("$WH" -w "$W" query "SELECT COUNT(s), COUNT(*) FROM es" --format csv | tail -n 1)" = "1,2" ] ||
  fail "--empty-as-null: a quoted empty string is not NULL"
printf 'id,score\n1,NA\n2,3.5\n' > "$T/na.csv"
"$WH" -w "$W" ingest --create na "$T/na.csv" --null-string NA 2> /dev/null || fail "--create --null-string"
"$WH" -w "$W" query "DESCRIBE na" --format csv | grep -q '^score,DOUBLE,' ||
  fail "--create guessed a column of numbers and NA as $("$WH" -w "$W" query "DESCRIBE na" --format csv)"
printf 'user_id,v\nNA,1\n' > "$T/nn.csv"
expect 3 "$WH" -w "$W" ingest ev "$T/nn.csv" --null-string NA
has "a --null-string, but the column is NOT NULL"
expect 3 bash -c "echo '{\"user_id\": 9, \"v\": 1}' | '$WH' -w '$W' ingest ev -"
has "the input looks like JSON: give --format json"
[ "$(count ev)" = $((before + 2)) ] || fail "a refused load changed the table"

echo "robustness: all cases passed"
