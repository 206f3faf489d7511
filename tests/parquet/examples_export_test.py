#!/usr/bin/env python3
"""Every table of every example, exported with `wh export --format parquet`, read back by DuckDB
(read_parquet over the Hive tree, hive_partitioning = true): the same rows as wh's, value for
value, with etl_date and the partition column.

usage: examples_export_test.py --wh build/wh --duck build/duck_query --src .
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {p.returncode}:\n{p.stderr[-3000:]}")
    return p


def rows(text):
    """CSV text as rows of fields, an empty unquoted field as None (NULL) and a quoted one as ''
    (the engines quote different characters; the values are what is compared)."""
    out, row, i, n = [], [], 0, len(text)
    while i < n:
        if text[i] == '"':
            j, val = i + 1, []
            while True:
                k = text.index('"', j)
                val.append(text[j:k])
                if k + 1 < n and text[k + 1] == '"':
                    val.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            row.append("".join(val))
        else:
            k = i
            while k < n and text[k] not in ",\n":
                k += 1
            row.append(text[i:k] if k > i else None)
            i = k
        if i < n and text[i] == ",":
            i += 1
            if i == n or text[i] == "\n":
                row.append(None)
        if i < n and text[i] == "\n":
            out.append(row)
            row = []
            i += 1
    if row:
        out.append(row)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wh", required=True)
    ap.add_argument("--duck", required=True)
    ap.add_argument("--src", required=True)
    args = ap.parse_args()
    wh, dq, src = os.path.abspath(args.wh), os.path.abspath(args.duck), os.path.abspath(args.src)
    t = tempfile.mkdtemp()
    try:
        warehouses = {}
        # The social sample, as scripts/demo.sh loads it.
        w = os.path.join(t, "social")
        run([wh, "-w", w, "query", "-f", os.path.join(src, "examples/social/schema.sql")])
        for table, f in [("events", "events.csv"), ("payments", "payments_data.csv"), ("posts", "posts.csv")]:
            run([wh, "-w", w, "ingest", table, os.path.join(src, "examples/social/data", f), "--etl-date", "2022-03-01"])
        warehouses["social"] = w
        # The other examples, each from its run.sh, its warehouse kept.
        for name, env in [("invoices", {}), ("app_analytics", {}), ("music", {}), ("engagement", {"SCALE": "0.01"})]:
            w = os.path.join(t, name)
            run(["bash", os.path.join(src, "examples", name, "run.sh"), os.path.join(t, name + "-out")],
                env={**os.environ, **env, "WH": wh, "WH_EXAMPLE_WAREHOUSE": w})
            warehouses[name] = w
        checked = 0
        for name, w in warehouses.items():
            listed = json.loads(run([wh, "-w", w, "query", "SHOW TABLES", "--format", "json"]).stdout)
            tables = [r["table_name"] for r in listed if r["kind"] == "table"]
            assert tables, name
            for table in tables:
                desc = json.loads(run([wh, "-w", w, "query", f"DESCRIBE {table}", "--format", "json"]).stdout)
                cols = [d["column_name"] for d in desc]
                part = [d["column_name"] for d in desc if (d.get("comment") or "").startswith("partition column")]
                declared = [c for c in cols if c not in part and c != "etl_date"]
                order = declared + ["etl_date"] + part
                sel = ", ".join(f'"{c}"' for c in order)
                out = os.path.join(t, f"x-{name}-{table}")
                run([wh, "-w", w, "export", table, out, "--format", "parquet"])
                mine = run([wh, "-w", w, "query", f"SELECT {sel} FROM {table} ORDER BY ALL", "--format", "csv"]).stdout
                csv = os.path.join(t, "duck.csv")
                hive = "true" if part else "false"
                p = run([dq, ""], input=f"COPY (SELECT {sel} FROM read_parquet('{out}/**/*.parquet', hive_partitioning = "
                                        f"{hive}) ORDER BY ALL) TO '{csv}' (HEADER, NULLSTR '')\n")
                if '"error"' in p.stdout:
                    sys.exit(f"FAIL: DuckDB on {name}.{table}: {p.stdout}")
                a, b = rows(mine), rows(open(csv).read())
                if a != b:
                    for i, (x, y) in enumerate(zip(a, b)):
                        if x != y:
                            sys.exit(f"FAIL: {name}.{table} row {i}:\n wh:   {x}\n duck: {y}")
                    sys.exit(f"FAIL: {name}.{table}: wh {len(a)} rows, DuckDB {len(b)}")
                assert len(a) > 1, (name, table)
                checked += 1
        print(f"examples export: {checked} tables ok")
    finally:
        shutil.rmtree(t, ignore_errors=True)


if __name__ == "__main__":
    main()
