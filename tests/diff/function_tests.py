#!/usr/bin/env python3
"""The per-family SQL logic tests (tests/sql/function/*.test, but spark.test: Spark's functions
DuckDB lacks) hold answers and result types that DuckDB must give too: every `query TYPES`
record runs in DuckDB, and its rows (values as DuckDB's text, DOUBLEs within 1e-9) and the
types' letters must equal the file's. The logic test runner checks wh against the same file.

    function_tests.py --duck DUCK_QUERY
"""
import argparse
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run as R  # noqa: E402 (the differential test's value comparison)

ROOT = os.path.dirname(os.path.dirname(HERE))
# DuckDB's type ids (duckdb.h) -> the logic tests' letters.
LETTER = {"1": "B", "2": "I", "3": "I", "4": "I", "5": "I", "6": "I", "7": "I", "8": "I", "9": "I", "16": "I",
          "11": "R", "12": "S", "13": "D", "17": "T", "19": "N", "24": "L"}


def records(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        head = lines[i].split()
        if head[:1] == ["query"] and len(head) >= 2 and head[1] != "rowsort":
            start = i + 1
            j = start
            while lines[j] != "----":
                j += 1
            sql = " ".join(lines[start:j])
            k = j + 1
            rows = []
            while k < len(lines) and lines[k] != "":
                rows.append([None if v == "NULL" else v for v in lines[k].split("|")])
                k += 1
            yield start, head[1], "rowsort" in head, sql, rows
            i = k
        i += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duck", required=True)
    args = ap.parse_args()
    cases = []
    for path in sorted(glob.glob(f"{ROOT}/tests/sql/function/*.test")):
        if os.path.basename(path) == "spark.test":
            continue
        cases += [(os.path.basename(path),) + r for r in records(path)]
    p = subprocess.run([args.duck, ""], input="\n".join(c[4] for c in cases) + "\n", capture_output=True, text=True,
                       check=True)
    failures = 0
    for (f, line, types, rowsort, sql, rows), answer in zip(cases, p.stdout.splitlines()):
        d = json.loads(answer)
        problem = d.get("error")
        if not problem:
            letters = "".join(LETTER.get(t, "?") for t in d["types"])
            if letters != types:
                problem = f"DuckDB's types are {letters}, the file says {types}"
            else:
                problem = R.compare(rows, d["rows"], not rowsort)
        if problem:
            failures += 1
            print(f"FAIL {f}:{line}: {sql}\n    {problem}")
    print(f"{len(cases)} typed queries of tests/sql/function against DuckDB, {len(cases) - failures} agree")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
