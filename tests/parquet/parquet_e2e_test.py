#!/usr/bin/env python3
"""Parquet written by wh, read by DuckDB (an independent reader from npm, via duck_query).

- a table of every type with NULLs and a NULL partition, exported with `wh export`: DuckDB reads
  the Hive tree (hive_partitioning) and gives wh's rows, value for value, with the same types;
- every exported file named as Spark's bucket B holds only rows whose Spark bucket is B, by a
  Murmur3 written here from Spark's source (not wh's code);
- COPY (query) TO 'f.parquet' and `wh query -o f.parquet`: DuckDB reads the same rows and types;
- bad uses: a non-empty export directory, one inside the warehouse, a bad --where: clear errors,
  nothing written.

usage: parquet_e2e_test.py --wh build/wh --duck build/duck_query
"""
import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile


def run(cmd, ok=True, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if ok and p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {p.returncode}:\n{p.stderr}")
    return p


def duck(duck_bin, *sql):
    p = run([duck_bin, ""], input="\n".join(sql) + "\n")
    out = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    for o in out:
        if "error" in o:
            sys.exit(f"FAIL: DuckDB: {o['error']}\n in: {sql}")
    return out


# Spark's Murmur3_x86_32 (common/unsafe/.../Murmur3_x86_32.java) and Murmur3Hash's per-type rules.
M = 0xFFFFFFFF


def rotl(x, r):
    return ((x << r) | (x >> (32 - r))) & M


def mix_k1(k):
    return (rotl((k * 0xCC9E2D51) & M, 15) * 0x1B873593) & M


def mix_h1(h, k):
    return (rotl(h ^ k, 13) * 5 + 0xE6546B64) & M


def fmix(h, n):
    h ^= n
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M
    return h ^ (h >> 16)


def signed(h):
    return h - (1 << 32) if h & 0x80000000 else h


def hash_long(v, seed=42):
    u = v & 0xFFFFFFFFFFFFFFFF
    h = mix_h1(seed & M, mix_k1(u & M))
    h = mix_h1(h, mix_k1(u >> 32))
    return signed(fmix(h, 8))


def hash_bytes(b, seed=42):
    h = seed & M
    n = len(b) - len(b) % 4
    for i in range(0, n, 4):
        h = mix_h1(h, mix_k1(struct.unpack("<I", b[i:i + 4])[0]))
    for i in range(n, len(b)):
        sb = b[i] - 256 if b[i] >= 128 else b[i]
        h = mix_h1(h, mix_k1(sb & M))
    return signed(fmix(h, len(b)))


def spark_bucket(h, n):
    r = abs(h) % n * (1 if h >= 0 else -1)  # Java's remainder, then pmod
    return r + n if r < 0 else r


def check_vectors():
    # Spark's own tests: Murmur3_x86_32Suite (seed 0) and HashExpressionsSuite (seed 42).
    assert hash_long(42, 0) == 1871679806
    assert hash_long(-(1 << 63), 0) == 1366273829
    assert hash_bytes(b"AAA") == 22125783
    assert hash_bytes(b"aaa   ") == -1721438718


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wh", required=True)
    ap.add_argument("--duck", required=True)
    ap.add_argument("--icebird", help="scripts/icebird.sh's directory: hyparquet reads the files too")
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

        q("CREATE TABLE ev (id BIGINT NOT NULL, user_id BIGINT, ts TIMESTAMP, d DATE, n INT, x DOUBLE, "
          "amount DECIMAL(9,2), big DECIMAL(18,4), huge DECIMAL(38,10), ok BOOLEAN, s STRING) "
          "PARTITIONED BY (event_date = CAST(ts AS DATE)) CLUSTERED BY (user_id) INTO 8 BUCKETS")
        values = []
        for i in range(3000):
            uid = "NULL" if i % 97 == 0 else str((i * 7919) % 500 - 250 + (1 << 40 if i % 5 == 0 else 0))
            ts = "NULL" if i % 401 == 0 else f"TIMESTAMP '2024-0{1 + i % 3}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:05.{i:06d}'"
            d = "NULL" if i % 11 == 0 else f"DATE '{1900 + i % 200}-0{1 + i % 9}-15'"
            n = "NULL" if i % 13 == 0 else str(i * 1000 - 1500000)
            x = "NULL" if i % 17 == 0 else ["-0.0", "1e300", "-2.5", "0.1", str(i / 7)][i % 5]
            amount = "NULL" if i % 19 == 0 else f"{(i * 37) % 20000 - 10000}.{i % 100:02d}"
            big = f"{i * 123456789 - 10**13}.{i % 10000:04d}"
            huge = "NULL" if i % 23 == 0 else f"{'-' if i % 2 else ''}{i * 10**20 + i}.{i:010d}"
            ok = "NULL" if i % 29 == 0 else ("true" if i % 3 else "false")
            s = "NULL" if i % 31 == 0 else ("''" if i % 37 == 0 else f"'k{i % 40} é,\"q\"\n{i}'")
            values.append(f"({i}, {uid}, {ts}, {d}, {n}, {x}, {amount}, {big}, {huge}, {ok}, {s})")
        q("INSERT INTO ev VALUES " + ",".join(values))
        q("INSERT INTO ev SELECT id + 100000, user_id, ts, d, n, x, amount, big, huge, ok, s FROM ev WHERE id % 3 = 0")

        # wh export: DuckDB reads the same rows.
        out = os.path.join(t, "out")
        p = run([wh, "-w", w, "export", "ev", out, "--format", "parquet"])
        assert "rows" in p.stderr, p.stderr
        cols = "id, user_id, ts, d, n, x, amount, big, huge, ok, s, etl_date, event_date"
        wh_csv = os.path.join(t, "wh.csv")
        q(f"SELECT {cols} FROM ev ORDER BY id", "--format", "csv", "-o", wh_csv)
        duck_csv = os.path.join(t, "duck.csv")
        glob = f"read_parquet('{out}/**/*.parquet', hive_partitioning = true)"
        res = duck(dq, f"COPY (SELECT {cols} FROM {glob} ORDER BY id) TO '{duck_csv}' (HEADER, NULLSTR '')",
                   f"DESCRIBE SELECT {cols} FROM {glob}",
                   f"SELECT filename, user_id FROM {glob}",
                   f"SELECT COUNT(*) FROM {glob} WHERE event_date IS NULL")
        a, b = open(wh_csv).read(), open(duck_csv).read()
        if a != b:
            al, bl = a.splitlines(), b.splitlines()
            for i, (x, y) in enumerate(zip(al, bl)):
                if x != y:
                    sys.exit(f"FAIL: exported rows differ at line {i}:\n wh:   {x}\n duck: {y}")
            sys.exit(f"FAIL: wh has {len(al)} lines, DuckDB read {len(bl)}")
        types = {r[0]: r[1] for r in res[1]["rows"]}
        expect = {"id": "BIGINT", "user_id": "BIGINT", "ts": "TIMESTAMP", "d": "DATE", "n": "INTEGER",
                  "x": "DOUBLE", "amount": "DECIMAL(9,2)", "big": "DECIMAL(18,4)", "huge": "DECIMAL(38,10)",
                  "ok": "BOOLEAN", "s": "VARCHAR", "etl_date": "TIMESTAMP", "event_date": "DATE"}
        assert types == expect, types
        # Every row's file is its Spark bucket.
        files = set()
        for fname, uid in res[2]["rows"]:
            m = re.search(r"/part-00000-[0-9a-f-]{36}_(\d{5})\.c000\.zstd\.parquet$", fname)
            assert m, fname
            files.add(fname)
            h = 42 if uid is None else hash_long(int(uid))
            assert int(m.group(1)) == spark_bucket(h, 8), (fname, uid)
        assert int(res[3]["rows"][0][0]) > 0, "the NULL partition was not read back as NULL"
        assert any("__HIVE_DEFAULT_PARTITION__" in f for f in files)
        assert os.path.exists(os.path.join(out, "_SUCCESS"))

        # A second reader, hyparquet (npm): every exported file, the same rows (its decimals are
        # doubles and its timestamps milliseconds, so those compare as such).
        if args.icebird:
            parts = sorted(f for f in files)
            p = run(["node", os.path.join(os.path.dirname(os.path.abspath(__file__)), "hyparquet_read.mjs"),
                     args.icebird, *parts])
            got = [r for line in p.stdout.splitlines() for r in json.loads(line)]
            mine = json.loads(q(f"SELECT id, user_id, n, ok, s, CAST(d AS STRING) AS d, CAST(ts AS STRING) AS ts, "
                                "CAST(amount AS DOUBLE) AS amount, CAST(huge AS DOUBLE) AS huge, x FROM ev",
                                "--format", "json").stdout)
            got.sort(key=lambda r: int(r["id"]))
            mine.sort(key=lambda r: r["id"])
            assert len(got) == len(mine), (len(got), len(mine))
            for m, g in zip(mine, got):
                assert str(m["id"]) == g["id"] and m["n"] == g["n"] and m["ok"] == g["ok"] and m["s"] == g["s"], (m, g)
                assert (m["user_id"] is None and g["user_id"] is None) or str(m["user_id"]) == g["user_id"], (m, g)
                assert (m["d"] is None and g["d"] is None) or g["d"][:10] == m["d"], (m, g)
                assert (m["ts"] is None and g["ts"] is None) or g["ts"][:23] == m["ts"].replace(" ", "T")[:23], (m, g)
                for k in ("amount", "huge", "x"):
                    assert (m[k] is None) == (g[k] is None), (k, m, g)
                    assert m[k] is None or abs(m[k] - g[k]) <= 1e-9 * max(1.0, abs(m[k])), (k, m, g)

        # A STRING bucket key: Spark's byte hash (tails of 1-3 bytes, signed bytes).
        q("CREATE TABLE names (name STRING, v INT) CLUSTERED BY (name) INTO 5 BUCKETS")
        q("INSERT INTO names VALUES ('a', 1), ('ab', 2), ('abc', 3), ('abcd', 4), ('é', 5), ('日本語', 6), "
          "('', 7), (NULL, 8), ('AAA', 9), ('aaa   ', 10)")
        out2 = os.path.join(t, "names")
        run([wh, "-w", w, "export", "names", out2, "--format", "parquet"])
        rows = duck(dq, f"SELECT filename, name FROM read_parquet('{out2}/*.parquet')")[0]["rows"]
        assert len(rows) == 10
        for fname, name in rows:
            b = int(re.search(r"_(\d{5})\.c000", fname).group(1))
            h = 42 if name is None else hash_bytes(name.encode())
            assert b == spark_bucket(h, 5), (fname, name)

        # --where exports a subset.
        out3 = os.path.join(t, "subset")
        run([wh, "-w", w, "export", "ev", out3, "--format", "parquet", "--where", "n > 0 AND ok"])
        n_wh = q("SELECT COUNT(*) FROM ev WHERE n > 0 AND ok", "--format", "csv").stdout.split()[1]
        n_duck = duck(dq, f"SELECT COUNT(*) FROM read_parquet('{out3}/**/*.parquet')")[0]["rows"][0][0]
        assert n_wh == n_duck and int(n_wh) > 0, (n_wh, n_duck)

        # --since-commit: the rows of the commits after it (the second INSERT's), found by their
        # etl_date; two loads with one etl_date cannot be split, and say so.
        out4 = os.path.join(t, "since")
        run([wh, "-w", w, "export", "ev", out4, "--format", "parquet", "--since-commit", "1"])
        got = duck(dq, f"SELECT COUNT(*), MIN(id) FROM read_parquet('{out4}/**/*.parquet')")[0]["rows"][0]
        assert got == ["1000", "100000"], got
        q("CREATE TABLE same (v INT)")
        q("INSERT INTO same VALUES (1)", "--etl-date", "2024-05-01")
        q("INSERT INTO same VALUES (2)", "--etl-date", "2024-05-01")
        p = run([wh, "-w", w, "export", "same", os.path.join(t, "same"), "--format", "parquet", "--since-commit", "1"], ok=False)
        assert p.returncode == 1 and "cannot be told apart" in p.stderr, p.stderr

        # COPY ... TO and -o: the same rows.
        f1 = os.path.join(t, "copy.parquet")
        q(f"COPY (SELECT {cols} FROM ev ORDER BY id) TO '{f1}'")
        f2 = os.path.join(t, "o.parquet")
        q(f"SELECT {cols} FROM ev ORDER BY id", "-o", f2)
        for f in (f1, f2):
            c = os.path.join(t, "c.csv")
            duck(dq, f"COPY (SELECT * FROM '{f}') TO '{c}' (HEADER, NULLSTR '')")
            if open(c).read() != a:
                sys.exit(f"FAIL: DuckDB reads other rows from {f}")
        # Many row groups and pages (400,000 rows): dictionaries and plain pages, the same answers.
        f4 = os.path.join(t, "big.parquet")
        big_sql = ("SELECT a.id * 1000 + b.id AS k, a.s || CAST(b.id % 50 AS STRING) AS s, a.x, a.n, "
                   "CAST(a.id * 1000 + b.id AS STRING) AS u FROM ev a, (SELECT id FROM ev ORDER BY id LIMIT 100) b")
        q(f"COPY ({big_sql}) TO '{f4}'")
        agg = ("COUNT(*), COUNT(s), COUNT(DISTINCT s), MIN(s), MAX(s), SUM(k), COUNT(x), "
               "SUM(CAST(n AS BIGINT)), COUNT(DISTINCT u), MAX(u)")
        mine = q(f"SELECT {agg} FROM ({big_sql}) z", "--format", "json").stdout
        theirs = duck(dq, f"SELECT {agg} FROM '{f4}'", f"SELECT COUNT(DISTINCT row_group_id) FROM parquet_metadata('{f4}')")
        mine_vals = [str(v) if v is not None else None for v in json.loads(mine)[0].values()]
        assert mine_vals == theirs[0]["rows"][0], (mine_vals, theirs[0]["rows"][0])
        assert int(theirs[1]["rows"][0][0]) == 4, theirs[1]
        # Repeated names (SELECT * over a join) become name_1, as DuckDB reads them; a trailing
        # slash on the export directory is the directory.
        f5 = os.path.join(t, "dup.parquet")
        q("SELECT 1 AS a, 2 AS A, 3 AS a_1", "-o", f5)
        assert q(f"SELECT * FROM '{f5}'", "--format", "csv").stdout == "a,A_1,a_1_1\n1,2,3\n"
        slash = os.path.join(t, "slash") + "/"
        run([wh, "-w", w, "export", "names", slash, "--format", "parquet"])
        assert os.path.exists(os.path.join(slash, "_SUCCESS"))
        p = run([wh, "-w", w, "export", "names", os.path.join(t, "no", "such"), "--format", "parquet"], ok=False)
        assert p.returncode == 1 and "does not exist" in p.stderr, p.stderr
        # An empty result is a file with no rows.
        f3 = os.path.join(t, "empty.parquet")
        q(f"COPY (SELECT id, s FROM ev WHERE id < 0) TO '{f3}' (FORMAT parquet)")
        assert duck(dq, f"SELECT COUNT(*) FROM '{f3}'")[0]["rows"][0][0] == "0"

        # wh -> Parquet -> wh: the export ingested into a table of the same declaration gives
        # `wh query` byte for byte.
        w2 = os.path.join(t, "w2")
        run([wh, "-w", w2, "query", "CREATE TABLE ev (id BIGINT NOT NULL, user_id BIGINT, ts TIMESTAMP, d DATE, n INT, "
             "x DOUBLE, amount DECIMAL(9,2), big DECIMAL(18,4), huge DECIMAL(38,10), ok BOOLEAN, s STRING) "
             "PARTITIONED BY (event_date = CAST(ts AS DATE)) CLUSTERED BY (user_id) INTO 8 BUCKETS"])
        run([wh, "-w", w2, "ingest", "ev", out])
        again = run([wh, "-w", w2, "query", "SELECT * FROM ev ORDER BY id", "--format", "csv"]).stdout
        orig = q("SELECT * FROM ev ORDER BY id", "--format", "csv").stdout
        assert again == orig, "the round trip through Parquet changed the rows"

        # Parquet written by DuckDB: every type it shares with wh, NULLs, every codec, data pages
        # v1 and v2 (DELTA_BINARY_PACKED, BYTE_STREAM_SPLIT, DELTA_LENGTH_BYTE_ARRAY): wh reads
        # DuckDB's values.
        gen = ("SELECT range AS id, CASE WHEN range % 7 = 1 THEN NULL ELSE range * 7919 - 10000000 END AS i64, "
               "CASE WHEN range % 5 = 2 THEN NULL ELSE (range % 1000 - 500)::INTEGER END AS i32, "
               "(range % 100)::TINYINT AS i8, (range * 3 % 30000)::SMALLINT AS i16, "
               "CASE WHEN range % 9 = 0 THEN NULL ELSE range / 7.0 END::DOUBLE AS dbl, "
               "CASE WHEN range % 11 = 0 THEN NULL WHEN range % 3 = 0 THEN '' ELSE 'r' || (range % 300)::VARCHAR || "
               "CASE WHEN range % 2 = 0 THEN ' é日本' ELSE '' END END AS s, "
               "DATE '1999-12-31' + (range % 20000)::INTEGER AS dt, "
               "TIMESTAMP '2021-03-04 05:06:07.123456' + to_microseconds(range * 1000003) AS ts, "
               "(range * 1.001)::DECIMAL(9,3) AS dec9, (range * -12345.6789)::DECIMAL(18,4) AS dec18, "
               "CASE WHEN range % 4 = 0 THEN NULL ELSE (range::HUGEINT * 100000000000000000::HUGEINT)::DECIMAL(38,2) END AS dec38, "
               "CASE WHEN range % 6 = 0 THEN NULL ELSE range % 2 = 0 END AS b, "
               "(range % 200)::UTINYINT AS u8, (range * 100000)::UINTEGER AS u32, (range::UBIGINT * 900000000000000) AS u64, "
               "(TIMESTAMP '2020-01-01' + to_microseconds(range * 1000))::TIMESTAMP_MS AS ts_ms, "
               "(TIMESTAMP '2020-01-01' + to_microseconds(range))::TIMESTAMP_NS AS ts_ns, "
               "CASE WHEN range % 8 = 0 THEN NULL ELSE md5(range::VARCHAR)::UUID END AS uid "
               "FROM range(20000)")
        duck(dq, f"CREATE TABLE g AS {gen}")  # syntax check of the generator
        files = {}
        for name, opts in [("snappy", ""), ("zstd_v2", "(COMPRESSION zstd, PARQUET_VERSION v2)"),
                           ("gzip", "(COMPRESSION gzip, ROW_GROUP_SIZE 4096)"), ("lz4", "(COMPRESSION lz4_raw)"),
                           ("none_v2", "(COMPRESSION uncompressed, PARQUET_VERSION v2)")]:
            f = os.path.join(t, f"duck_{name}.parquet")
            duck(dq, f"COPY ({gen}) TO '{f}' {opts}")
            files[name] = f
        for name, f in files.items():
            expect_csv = os.path.join(t, f"duck_{name}.csv")
            duck(dq, f"COPY (SELECT * REPLACE (ts_ms::TIMESTAMP AS ts_ms, ts_ns::TIMESTAMP AS ts_ns, uid::VARCHAR AS uid) FROM '{f}' "
                     f"ORDER BY id) TO '{expect_csv}' (HEADER, NULLSTR '')")
            got = q(f"SELECT * FROM '{f}' ORDER BY id", "--format", "csv").stdout
            want = open(expect_csv).read()
            if got != want:
                for i, (x, y) in enumerate(zip(got.splitlines(), want.splitlines())):
                    if x != y:
                        sys.exit(f"FAIL: wh reads {name} differently at line {i}:\n wh:   {x}\n duck: {y}")
                sys.exit(f"FAIL: wh reads {name}: {len(got.splitlines())} lines, DuckDB {len(want.splitlines())}")
        types = q(f"DESCRIBE SELECT * FROM '{files['snappy']}'", "--format", "csv").stdout
        for col, ty in [("i8", "INT"), ("u32", "BIGINT"), ("u64", "DECIMAL(20,0)"), ("ts_ns", "TIMESTAMP"),
                        ("dec38", "DECIMAL(38,2)"), ("s", "STRING")]:
            assert re.search(rf"^{col},\"?{re.escape(ty)}\"?,", types, re.M), (col, ty, types)
        # ingest --create from DuckDB's file, and COPY FROM: the same rows.
        run([wh, "-w", w2, "ingest", "--create", "g", files["zstd_v2"]])
        run([wh, "-w", w2, "query", f"COPY g FROM '{files['gzip']}'"])
        counts = run([wh, "-w", w2, "query", "SELECT COUNT(*), COUNT(DISTINCT id), SUM(u64) FROM g", "--format", "csv"]).stdout
        assert counts.split("\n")[1] == f"40000,20000,{2 * 900000000000000 * sum(range(20000))}", counts

        # What wh cannot read is refused by name; a damaged file is an error, not a crash.
        nested = os.path.join(t, "nested.parquet")
        duck(dq, f"COPY (SELECT 1 AS id, [1, 2] AS tags, TIME '10:00:00' AS at) TO '{nested}'")
        p = q(f"SELECT * FROM '{nested}'", ok=False)
        assert p.returncode != 0 and "'tags'" in p.stderr and "LIST" in p.stderr, p.stderr
        cut = os.path.join(t, "cut.parquet")
        with open(files["snappy"], "rb") as src, open(cut, "wb") as dst:
            dst.write(src.read()[:-100])
        p = q(f"SELECT COUNT(*) FROM '{cut}'", ok=False)
        assert p.returncode != 0 and "not a Parquet file" in p.stderr, p.stderr

        # Refusals: nothing written.
        p = run([wh, "-w", w, "export", "ev", out, "--format", "parquet"], ok=False)
        assert p.returncode == 1 and "not empty" in p.stderr, p.stderr
        p = run([wh, "-w", w, "export", "ev", os.path.join(w, "x"), "--format", "parquet"], ok=False)
        assert p.returncode == 1 and "inside the warehouse" in p.stderr, p.stderr
        bad = os.path.join(t, "bad")
        p = run([wh, "-w", w, "export", "ev", bad, "--format", "parquet", "--where", "nope > 1"], ok=False)
        assert p.returncode == 1 and "--where" in p.stderr, p.stderr
        assert not os.path.exists(bad) and not [f for f in os.listdir(t) if ".wh-export-" in f]
        for sneaky in ["TRUE) OR (TRUE", "TRUE; DROP TABLE ev", "n > 0 --"]:
            p = run([wh, "-w", w, "export", "ev", bad, "--format", "parquet", "--where", sneaky], ok=False)
            if sneaky.endswith("--"):  # a comment ends at its line: still one condition
                assert p.returncode == 0, p.stderr
                shutil.rmtree(bad)
            else:
                assert p.returncode == 1 and "not one SQL condition" in p.stderr, p.stderr
        assert q("SELECT COUNT(*) FROM ev", "--format", "csv").stdout.split()[1] == "4000"
        p = run([wh, "-w", w, "query", "SELECT 1", "-o", os.path.join(t, "x.unknown")], ok=False)
        assert p.returncode == 2 and "extension" in p.stderr, p.stderr
        print("parquet e2e: ok")
    finally:
        shutil.rmtree(t, ignore_errors=True)


if __name__ == "__main__":
    main()
