#!/usr/bin/env python3
"""wh export --format iceberg, read by independent readers.

- icebird (an Iceberg reader from npm: metadata JSON, Avro manifest lists and manifests,
  Parquet) reads the table and its snapshots and gives wh's rows;
- DuckDB reads the data files (Parquet with Iceberg field ids) and gives wh's rows exactly;
- every data file under <key>_bucket=B holds only rows whose Iceberg bucket is B, by a Murmur3
  written here and checked against the Iceberg spec's test vectors;
- exporting again appends a snapshot with only the new commits' rows, also after a compaction
  merged old and new rows; nothing new adds no snapshot;
- misuse is refused and leaves the directory as it was.

usage: iceberg_e2e_test.py --wh build/wh --duck build/duck_query --icebird DIR (scripts/icebird.sh)
"""
import argparse
import datetime
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, ok=True, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if ok and p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {p.returncode}:\n{p.stderr[-3000:]}")
    return p


# murmur3_x86_32, seed 0 (the Iceberg spec's appendix B).
M = 0xFFFFFFFF


def murmur3(data):
    h = 0
    n = len(data) // 4
    for i in range(n):
        k = struct.unpack_from("<I", data, 4 * i)[0]
        k = (k * 0xCC9E2D51) & M
        k = ((k << 15) | (k >> 17)) & M
        k = (k * 0x1B873593) & M
        h ^= k
        h = ((h << 13) | (h >> 19)) & M
        h = (h * 5 + 0xE6546B64) & M
    tail = data[4 * n:]
    k = 0
    for i, b in enumerate(tail):
        k |= b << (8 * i)
    if tail:
        k = (k * 0xCC9E2D51) & M
        k = ((k << 15) | (k >> 17)) & M
        k = (k * 0x1B873593) & M
        h ^= k
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


def bucket_long(v, n):
    return (murmur3(struct.pack("<q", v)) & 0x7FFFFFFF) % n


def check_vectors():
    assert murmur3(struct.pack("<q", 34)) == 2017239379
    assert murmur3(b"iceberg") == 1210000089
    assert murmur3(bytes([0x05, 0x8C])) == -500754589  # 14.20
    assert murmur3(struct.pack("<q", 17486)) == -653330422  # 2017-11-16, days as a long
    assert murmur3(struct.pack("<q", 1510871468000000)) == -2047944441
    assert murmur3(bytes([0, 1, 2, 3])) == -188683207


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wh", required=True)
    ap.add_argument("--duck", required=True)
    ap.add_argument("--icebird", required=True)
    args = ap.parse_args()
    wh, dq = os.path.abspath(args.wh), os.path.abspath(args.duck)
    check_vectors()
    t = tempfile.mkdtemp()
    try:
        w = os.path.join(t, "w")

        def q(sql, *extra, ok=True):
            f = os.path.join(t, "stmt.sql")
            with open(f, "w") as fh:
                fh.write(sql)
            return run([wh, "-w", w, "query", "-f", f, *extra], ok=ok)

        def duck(*sql):
            p = run([dq, ""], input="\n".join(sql) + "\n")
            out = [json.loads(x) for x in p.stdout.splitlines() if x.strip()]
            for o in out:
                if "error" in o:
                    sys.exit(f"FAIL: DuckDB: {o['error']}")
            return out

        def icebird(d):
            p = run(["node", os.path.join(HERE, "iceberg_read.mjs"), args.icebird, d])
            return json.loads(p.stdout)

        q("CREATE TABLE ev (id BIGINT NOT NULL, user_id BIGINT, ts TIMESTAMP, n INT, x DOUBLE, "
          "amount DECIMAL(9,2), huge DECIMAL(38,10), ok BOOLEAN, s STRING) "
          "PARTITIONED BY (event_date = CAST(ts AS DATE)) CLUSTERED BY (user_id) INTO 8 BUCKETS")

        def insert(lo, hi):
            rows = []
            for i in range(lo, hi):
                uid = "NULL" if i % 97 == 0 else str((i * 7919) % 500 - 250)
                ts = "NULL" if i % 401 == 0 else f"TIMESTAMP '2024-0{1 + i % 3}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:05.{i:06d}'"
                n = "NULL" if i % 13 == 0 else str(i * 1000 - 1500000)
                x = "NULL" if i % 17 == 0 else ["-0.0", "1e300", "-2.5", "0.1", str(i / 7)][i % 5]
                amount = "NULL" if i % 19 == 0 else f"{(i * 37) % 20000 - 10000}.{i % 100:02d}"
                huge = "NULL" if i % 23 == 0 else f"{'-' if i % 2 else ''}{i * 10**20 + i}.{i:010d}"
                ok = "NULL" if i % 29 == 0 else ("true" if i % 3 else "false")
                s = "NULL" if i % 31 == 0 else ("''" if i % 37 == 0 else f"'k{i % 40} é'")
                rows.append(f"({i}, {uid}, {ts}, {n}, {x}, {amount}, {huge}, {ok}, {s})")
            q("INSERT INTO ev VALUES " + ",".join(rows))

        insert(0, 1500)
        insert(1500, 3000)
        out = os.path.join(t, "ice")
        p = run([wh, "-w", w, "export", "ev", out, "--format", "iceberg"])
        assert "3000 rows" in p.stderr, p.stderr
        cols = "id, user_id, ts, n, x, amount, huge, ok, s, etl_date, event_date"

        def check_rows(expect_snapshots):
            # DuckDB, on the data files: wh's rows exactly.
            wh_csv = q(f"SELECT {cols} FROM ev ORDER BY id", "--format", "csv").stdout
            dcsv = os.path.join(t, "duck.csv")
            duck(f"COPY (SELECT {cols} FROM read_parquet('{out}/data/**/*.parquet') ORDER BY id) TO '{dcsv}' "
                 "(HEADER, NULLSTR '')")
            if open(dcsv).read() != wh_csv:
                sys.exit("FAIL: DuckDB reads other rows from the Iceberg data files")
            # Each file's rows are its Iceberg bucket.
            res = duck(f"SELECT filename, user_id FROM read_parquet('{out}/data/**/*.parquet')")
            for fname, uid in res[0]["rows"]:
                m = re.search(r"/user_id_bucket=(\d+|null)/", fname)
                assert m, fname
                want = "null" if uid is None else str(bucket_long(int(uid), 8))
                assert m.group(1) == want, (fname, uid)
            # icebird, through the metadata, snapshots and manifests.
            ice = icebird(out)
            assert len(ice["snapshots"]) == expect_snapshots, ice["snapshots"]
            for a, b in zip(ice["snapshots"], ice["snapshots"][1:]):
                assert b["parent"] == a["id"] and b["sequence"] == a["sequence"] + 1
            assert ice["current"] == ice["snapshots"][-1]["id"]
            assert [(f["name"], f["transform"]) for f in ice["spec"]] == [("event_date", "identity"),
                                                                         ("user_id_bucket", "bucket[8]")]
            types = {f["name"]: (f["type"], f["required"]) for f in ice["fields"]}
            assert types["id"] == ("long", True) and types["huge"] == ("decimal(38,10)", False), types
            assert types["ts"] == ("timestamp", False) and types["event_date"] == ("date", False), types
            mine = json.loads(q(f"SELECT id, user_id, n, ok, s, CAST(event_date AS STRING) AS day, "
                                "CAST(ts AS STRING) AS t, amount FROM ev ORDER BY id", "--format", "json").stdout)
            got = sorted(ice["rows"], key=lambda r: int(r["id"]))
            assert len(got) == len(mine), (len(got), len(mine))
            for a, b in zip(mine, got):
                assert str(a["id"]) == b["id"] and (a["user_id"] is None) == (b["user_id"] is None), (a, b)
                assert a["user_id"] is None or str(a["user_id"]) == b["user_id"], (a, b)
                assert a["n"] == b["n"] and a["ok"] == b["ok"] and a["s"] == b["s"], (a, b)
                assert (b["event_date"] or "")[:10] == (a["day"] or ""), (a, b)
                if a["t"] is not None:  # icebird keeps milliseconds
                    assert b["ts"][:23] == a["t"].replace(" ", "T")[:23], (a, b)
                if a["amount"] is not None:
                    assert abs(float(a["amount"]) - float(b["amount"])) < 1e-6, (a, b)
            return ice

        ice = check_rows(1)
        assert ice["snapshots"][0]["summary"]["added-records"] == "3000"

        # Nothing new: no snapshot, the same metadata version.
        hint = os.path.join(out, "metadata", "version-hint.text")
        p = run([wh, "-w", w, "export", "ev", out, "--format", "iceberg"])
        assert "nothing new" in p.stderr and open(hint).read() == "1", p.stderr

        # New rows: a snapshot of just them; then a compaction merges old and new rows, and
        # the next export still adds only the rows committed since.
        insert(3000, 3500)
        run([wh, "-w", w, "export", "ev", out, "--format", "iceberg"])
        ice = check_rows(2)
        assert ice["snapshots"][1]["summary"]["added-records"] == "500"
        assert ice["snapshots"][1]["summary"]["total-records"] == "3500"
        run([wh, "-w", w, "compact", "ev"])
        insert(3500, 3600)
        run([wh, "-w", w, "export", "ev", out, "--format", "iceberg"])
        ice = check_rows(3)
        assert ice["snapshots"][2]["summary"]["added-records"] == "100"
        assert open(hint).read() == "3"

        # Misuse: another table's export, --since-commit into an export, a non-empty directory.
        q("CREATE TABLE other (id BIGINT)")
        q("INSERT INTO other VALUES (1)")
        p = run([wh, "-w", w, "export", "other", out, "--format", "iceberg"], ok=False)
        assert p.returncode == 1 and "export of table 'ev'" in p.stderr, p.stderr
        p = run([wh, "-w", w, "export", "ev", out, "--format", "iceberg", "--since-commit", "1"], ok=False)
        assert p.returncode == 1 and "--since-commit" in p.stderr, p.stderr
        assert open(hint).read() == "3"
        junk = os.path.join(t, "junk")
        os.makedirs(junk)
        open(os.path.join(junk, "x"), "w").close()
        p = run([wh, "-w", w, "export", "ev", junk, "--format", "iceberg"], ok=False)
        assert p.returncode == 1 and "not empty" in p.stderr, p.stderr
        # Appends after the manifest was rewritten from a base record (commits summarized, their
        # kinds unknown) and a compaction merged two loads: only the new row is added. A bucket
        # column whose <key>_bucket name is taken gets another partition field name.
        q("CREATE TABLE many (id BIGINT NOT NULL, ts TIMESTAMP NOT NULL, id_bucket INT) "
          "PARTITIONED BY (day = CAST(ts AS DATE)) CLUSTERED BY (id) INTO 4 BUCKETS")
        for etl, off in [("2024-01-01", 0), ("2024-01-02", 10000)]:
            rows = ",".join(f"({off + i}, TIMESTAMP '2000-01-01 01:00:00' + INTERVAL {i} DAY, {i})" for i in range(3000))
            q("INSERT INTO many VALUES " + rows, "--etl-date", etl)
        many = os.path.join(t, "many")
        run([wh, "-w", w, "export", "many", many, "--format", "iceberg"])
        run([wh, "-w", w, "compact", "many"])
        q("INSERT INTO many VALUES (99999, TIMESTAMP '2001-05-05 00:00:00', 1)", "--etl-date", "2024-01-03")
        p = run([wh, "-w", w, "export", "many", many, "--format", "iceberg"])
        assert "1 rows" in p.stderr, p.stderr
        ice = icebird(many)
        assert len(ice["rows"]) == 6001 and len(ice["snapshots"]) == 2, (len(ice["rows"]), ice["snapshots"])
        assert sorted(int(r["id"]) for r in ice["rows"]) == sorted(list(range(3000)) + list(range(10000, 13000)) + [99999])
        assert [f["name"] for f in ice["spec"]] == ["day", "id_bucket_1"], ice["spec"]
        # An unpartitioned, unbucketed table.
        small = os.path.join(t, "small")
        run([wh, "-w", w, "export", "other", small, "--format", "iceberg"])
        ice = icebird(small)
        assert ice["spec"] == [] and [r["id"] for r in ice["rows"]] == ["1"], ice
        print("iceberg e2e: ok")
    finally:
        shutil.rmtree(t, ignore_errors=True)


if __name__ == "__main__":
    main()
