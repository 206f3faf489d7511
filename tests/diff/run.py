#!/usr/bin/env python3
"""Differential test of wh's SQL against DuckDB: the same tables (the bundled social sample and a
small table of edge cases, tests/diff/data/t.csv) are loaded into both engines, every query of
tests/diff/queries/*.sql runs in both, and the answers must agree value by value: text byte for
byte (DuckDB's own text of each value, its cast to VARCHAR), DOUBLEs within 1e-9 relative (the
last bits of a sum depend on the order of additions), rows compared as multisets unless the
query is marked `-- ordered`.

    run.py --wh WH --duck DUCK_QUERY [--filter TEXT] [--keep DIR]

Query files: statements end with ';' at the end of a line; `--` lines before a statement are
comments, and these annotate it (@FILES@ in a query is the directory tests/diff/data/files):
    -- ordered            rows must come in the same order
    -- error              both engines must refuse it (wh: with a message; the texts differ)
    -- wh-error: TEXT     DuckDB answers, wh must refuse with a message containing TEXT (a
                          construct wh refuses on purpose; say why in a comment)
"""
import argparse
import glob
import json
import math
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The edge-case table: one DDL for both engines (wh's STRING is DuckDB's VARCHAR too).
T_COLUMNS = [("id", "BIGINT NOT NULL"), ("grp", "STRING"), ("name", "STRING"), ("n", "INT"),
             ("big", "BIGINT"), ("d", "DOUBLE"), ("amount", "DECIMAL(10,2)"), ("day", "DATE"),
             ("ts", "TIMESTAMP NOT NULL"), ("flag", "BOOLEAN")]


def wh_setup(wh, w):
    ddl = "CREATE TABLE t (" + ", ".join(f"{c} {t}" for c, t in T_COLUMNS) + ")"
    steps = [["query", ddl], ["ingest", "t", f"{ROOT}/tests/diff/data/t.csv", "--etl-date", "2022-03-01"],
             ["query", "-f", f"{ROOT}/examples/social/schema.sql"]]
    for table, csv in (("events", "events"), ("payments", "payments_data"), ("posts", "posts")):
        steps.append(["ingest", table, f"{ROOT}/examples/social/data/{csv}.csv", "--etl-date", "2022-03-01"])
    for s in steps:
        subprocess.run([wh, "-w", w] + s, check=True, stdout=subprocess.DEVNULL)


def duck_setup_sql():
    cols = ", ".join(f"'{c}': '{t.replace(' NOT NULL', '').replace('STRING', 'VARCHAR')}'" for c, t in T_COLUMNS)
    ddl = "CREATE TABLE t (" + ", ".join(f"{c} {t}" for c, t in T_COLUMNS) + ")"
    stmts = [ddl, f"INSERT INTO t SELECT * FROM read_csv('{ROOT}/tests/diff/data/t.csv', header = true, "
                  f"auto_detect = false, allow_quoted_nulls = false, columns = {{{cols}}})"]
    for line in open(f"{ROOT}/bench/compare/duck_load.sql"):
        if line.startswith("CREATE TABLE"):
            stmts.append(line.strip().rstrip(";").replace("@DATA@", f"{ROOT}/examples/social/data")
                         .replace("payments_data.csv", "payments_data.csv"))
    return stmts


def read_queries(path):
    """(line, sql, annotations) for each statement of a query file."""
    out, notes, buf, start = [], [], [], None
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        s = line.rstrip("\n")
        if not buf and s.strip().startswith("--"):
            notes.append(s.strip()[2:].strip())
            continue
        if not buf and not s.strip():
            continue
        if not buf:
            start = n
        buf.append(s)
        if s.rstrip().endswith(";"):
            sql = "\n".join(buf).rstrip().rstrip(";")
            out.append((start, sql, notes))
            buf, notes = [], []
    if buf:
        out.append((start, "\n".join(buf), notes))
    return out


def wh_text(v):
    if v is None:
        return None
    if v is True:
        return "true"
    if v is False:
        return "false"
    return str(v)


def run_wh(wh, w, sql):
    p = subprocess.run([wh, "-w", w, "query", sql, "--format", "jsonl"], capture_output=True, text=True)
    if p.returncode != 0:
        return {"error": p.stderr.strip()}
    rows = []
    for line in p.stdout.splitlines():
        obj = json.loads(line, parse_float=str, parse_int=str,
                         object_pairs_hook=lambda pairs: [wh_text(v) for _, v in pairs])
        rows.append(obj)
    return {"rows": rows}


def is_number(s):
    try:
        float(s)
        return True
    except (TypeError, ValueError):
        return False


def same_value(a, b):
    if a == b:
        return True
    if a is None or b is None:
        return False
    if is_number(a) and is_number(b) and re.search(r"[.eEna]", a + b):
        x, y = float(a), float(b)
        if math.isnan(x) and math.isnan(y):
            return True
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-300)
    return False


def sort_key(row):
    return [(v is None, v or "") for v in row]


def compare(wh_rows, duck_rows, ordered):
    if not ordered:
        wh_rows = sorted(wh_rows, key=sort_key)
        duck_rows = sorted(duck_rows, key=sort_key)
    if len(wh_rows) != len(duck_rows):
        return f"{len(wh_rows)} rows, DuckDB {len(duck_rows)}"
    for i, (a, b) in enumerate(zip(wh_rows, duck_rows)):
        if len(a) != len(b):
            return f"row {i}: {len(a)} columns, DuckDB {len(b)}"
        for x, y in zip(a, b):
            if not same_value(x, y):
                return f"row {i}: wh {a}\n        DuckDB {b}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wh", required=True)
    ap.add_argument("--duck", required=True)
    ap.add_argument("--filter", default="")
    ap.add_argument("--keep", default="")
    args = ap.parse_args()
    work = args.keep or tempfile.mkdtemp(prefix="wh-diff-")
    os.makedirs(work, exist_ok=True)
    w = os.path.join(work, "warehouse")
    if not os.path.exists(w):
        wh_setup(args.wh, w)
    files = sorted(glob.glob(f"{ROOT}/tests/diff/queries/*.sql"))
    # @FILES@ names tests/diff/data/files, the files both engines query in place.
    cases = [(os.path.basename(f), n, sql.replace("@FILES@", f"{ROOT}/tests/diff/data/files"), notes)
             for f in files for n, sql, notes in read_queries(f) if args.filter in os.path.basename(f) + sql]
    setup = duck_setup_sql()
    stdin = "\n".join(s.replace("\n", "\\n") for s in setup + [sql for _, _, sql, _ in cases]) + "\n"
    p = subprocess.run([args.duck, ""], input=stdin, capture_output=True, text=True, check=True)
    answers = [json.loads(line) for line in p.stdout.splitlines()]
    for s, a in zip(setup, answers):
        if "error" in a:
            sys.exit(f"DuckDB could not load the tables: {a['error']}\n{s}")
    answers = answers[len(setup):]
    failures = 0
    for (f, n, sql, notes), duck in zip(cases, answers):
        got = run_wh(args.wh, w, sql)
        where = f"{f}:{n}"
        wh_error = next((x.split(":", 1)[1].strip() for x in notes if x.startswith("wh-error:")), None)
        problem = None
        if "error" in notes:
            if "error" not in duck:
                problem = "DuckDB answers a query marked `-- error`"
            elif "error" not in got:
                problem = f"wh answers a query DuckDB refuses ({duck['error'].splitlines()[0]})"
        elif wh_error is not None:
            if "error" not in got or wh_error not in got["error"]:
                problem = f"wh should refuse it with '{wh_error}': {got.get('error', 'it answered')}"
        elif "error" in duck:
            problem = f"DuckDB refuses it: {duck['error'].splitlines()[0]}"
        elif "error" in got:
            problem = f"wh refuses it: {got['error']}"
        else:
            problem = compare(got["rows"], duck["rows"], "ordered" in notes)
        if problem:
            failures += 1
            print(f"FAIL {where}: {sql}\n    {problem}", file=sys.stderr)
    print(f"{len(cases)} queries against DuckDB, {len(cases) - failures} agree", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
