"""The Python module (import wh): results as Python values and DataFrames, ingest from files and
DataFrames, errors, threads; checked against the wh command line's answers on the same warehouse.

Run by ctest (python_module) with Debian's python3 and PYTHONPATH=build/python, WH_BIN=build/wh.
"""
import csv
import datetime
import decimal
import io
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pandas as pd
import pytest

import wh

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOCIAL = ROOT / "examples" / "social"
WH_BIN = os.environ.get("WH_BIN", str(ROOT / "build" / "wh"))


def cli(warehouse, *args, stdin=None):
    p = subprocess.run([WH_BIN, "-w", str(warehouse), *args], input=stdin, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout


@pytest.fixture()
def db(tmp_path):
    return wh.connect(tmp_path / "wh")


@pytest.fixture(scope="module")
def social(tmp_path_factory):
    """The social sample loaded once through the Python module."""
    path = tmp_path_factory.mktemp("social") / "wh"
    con = wh.connect(path)
    con.sql((SOCIAL / "schema.sql").read_text())
    for table, name in [("events", "events.csv"), ("payments", "payments_data.csv"), ("posts", "posts.csv")]:
        r = con.ingest(table, SOCIAL / "data" / name, etl_date="2022-03-01")
        assert r["rows"] > 0 and r["commit"] >= 1
    return con


ALL_TYPES = """SELECT * FROM (VALUES
  (1::INT, 10000000000::BIGINT, true, 1.5::DOUBLE, 12.34::DECIMAL(10,2), 123456789012345678901234.5678::DECIMAL(38,4),
   'héllo', DATE '2024-02-29', TIMESTAMP '2024-01-01 10:11:12.123456'),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (CAST(-2147483648 AS INT), CAST(-9223372036854775808 AS BIGINT), false, -0.0::DOUBLE, -0.01::DECIMAL(10,2), 0::DECIMAL(38,4),
   '', DATE '1970-01-01', TIMESTAMP '1969-12-31 23:59:59.999999')
) AS v(i, b, bo, d, dec, big, s, dt, ts)"""


def test_fetchall_gives_python_values_of_every_type(db):
    r = db.sql(ALL_TYPES)
    assert r.columns == ["i", "b", "bo", "d", "dec", "big", "s", "dt", "ts"]
    assert r.types == ["INT", "BIGINT", "BOOLEAN", "DOUBLE", "DECIMAL(10,2)", "DECIMAL(38,4)", "STRING", "DATE",
                       "TIMESTAMP"]
    rows = r.fetchall()
    assert rows[0] == (1, 10000000000, True, 1.5, decimal.Decimal("12.34"),
                       decimal.Decimal("123456789012345678901234.5678"), "héllo", datetime.date(2024, 2, 29),
                       datetime.datetime(2024, 1, 1, 10, 11, 12, 123456))
    assert rows[1] == (None,) * 9
    assert rows[2] == (-2147483648, -9223372036854775808, False, -0.0, decimal.Decimal("-0.01"), decimal.Decimal("0.0000"),
                       "", datetime.date(1970, 1, 1), datetime.datetime(1969, 12, 31, 23, 59, 59, 999999))
    assert type(rows[0][4]) is decimal.Decimal and type(rows[0][0]) is int and type(rows[0][2]) is bool
    assert r.fetchall() == []  # all fetched


def test_df_has_the_right_dtypes_and_values(db):
    df = db.sql(ALL_TYPES).df()
    assert [str(t) for t in df.dtypes] == ["Int32", "Int64", "boolean", "float64", "float64", "float64", "object",
                                           "datetime64[ns]", "datetime64[ns]"]
    assert df["i"].tolist() == [1, pd.NA, -2147483648]
    assert df["b"][2] == -9223372036854775808
    assert df["dec"][0] == 12.34 and np.isnan(df["dec"][1])
    assert df["big"][0] == float("123456789012345678901234.5678")
    assert df["s"].tolist() == ["héllo", None, ""]
    assert df["dt"][0] == pd.Timestamp("2024-02-29") and pd.isna(df["dt"][1])
    assert df["ts"][2] == pd.Timestamp("1969-12-31 23:59:59.999999")
    # Without NULLs: plain NumPy dtypes.
    df = db.sql("SELECT 1 AS i, 2::BIGINT AS b, true AS t").df()
    assert [str(t) for t in df.dtypes] == ["int32", "int64", "bool"]


def test_lists_are_python_lists_of_their_elements(db):
    r = db.sql("SELECT [1, NULL, 3] AS i, string_split('a,,b', ',') AS s, [1.50::DECIMAL(3,2)] AS d, "
               "[DATE '2024-02-29'] AS dt, CAST(NULL AS INT[]) AS n, [] AS e")
    assert r.types == ["INT[]", "STRING[]", "DECIMAL(3,2)[]", "DATE[]", "INT[]", "NULL[]"]
    assert r.fetchall() == [([1, None, 3], ["a", "", "b"], [decimal.Decimal("1.50")], [datetime.date(2024, 2, 29)],
                             None, [])]
    df = db.sql("SELECT x, list(y ORDER BY y) AS ys FROM (VALUES (1, 'b'), (1, 'a'), (2, 'c')) v(x, y) "
                "GROUP BY x ORDER BY x").df()
    assert df["ys"].dtype == object
    assert df["ys"].tolist() == [["a", "b"], ["c"]]


def test_dates_outside_datetime64_are_objects_not_wrapped(db):
    df = db.sql("SELECT DATE '1500-01-01' AS d UNION ALL SELECT DATE '2024-01-01'").df()
    assert df["d"].dtype == object
    assert sorted(df["d"].tolist()) == [datetime.date(1500, 1, 1), datetime.date(2024, 1, 1)]


def test_fetchone_fetchmany_len_repr(db):
    r = db.sql("SELECT x FROM (VALUES (1), (2), (3)) v(x) ORDER BY x")
    assert len(r) == 3 and r.rowcount == 3
    assert r.fetchone() == (1,)
    assert r.fetchmany(5) == [(2,), (3,)]
    assert r.fetchone() is None
    assert "| x |" in repr(r)


def test_statements_ddl_and_the_last_result(db):
    assert db.sql("CREATE TABLE t (a INT, s STRING)") is None
    assert db.tables() == ["t"]
    r = db.sql("INSERT INTO t VALUES (1, 'a'), (2, 'b'); SELECT sum(a) AS s FROM t")
    assert r.fetchall() == [(3,)]
    db.sql("CREATE TEMP VIEW v AS SELECT a * 10 AS b FROM t")
    assert db.sql("SELECT sum(b) FROM v").fetchall() == [(30,)]  # the session keeps its temp view
    assert "Scan t" in db.explain("SELECT count(*) FROM t")


def test_errors_are_exceptions_with_wh_message_and_place(db):
    db.sql("CREATE TABLE t (a INT)")
    with pytest.raises(wh.Error) as e:
        db.sql("SELECT a,\n  nope FROM t")
    assert e.value.line == 2 and e.value.column == 3
    assert "no column 'nope'" in str(e.value) and "^" in str(e.value)
    with pytest.raises(wh.Error, match="no table or view named 'missing'"):
        db.sql("SELECT * FROM missing")
    bad = pathlib.Path(db.path).parent / "bad.csv"
    bad.write_text("a\n1\nx\n")
    with pytest.raises(wh.DataError) as e:
        db.ingest("t", bad)
    assert e.value.kind == "Data error" and "bad.csv" in str(e.value) and "bad.csv:3" in str(e.value)
    assert db.sql("SELECT count(*) FROM t").fetchall() == [(0,)]  # nothing committed


def test_ingest_files_and_refuse_a_file_twice(social, tmp_path):
    assert social.tables() == ["events", "payments", "posts"]
    assert social.sql("SELECT count(*) FROM events").fetchall() == [(20000,)]
    with pytest.raises(wh.Error, match="already"):
        social.ingest("events", SOCIAL / "data" / "events.csv")
    # The same rows as `wh query` prints them.
    q = "SELECT user_id, SUM(total) AS t FROM payments GROUP BY user_id ORDER BY user_id LIMIT 20"
    text = cli(social.path, "query", q, "--format", "csv")
    expected = [(int(a), decimal.Decimal(b)) for a, b in list(csv.reader(io.StringIO(text)))[1:]]
    assert social.sql(q).fetchall() == expected


def test_ingest_overwrite_replaces_the_days_of_its_rows(db, tmp_path):
    db.sql("CREATE TABLE t (id INT, ts TIMESTAMP) PARTITIONED BY (day = CAST(ts AS DATE))")
    (tmp_path / "a.csv").write_text("id,ts\n1,2024-01-01 10:00:00\n2,2024-01-02 10:00:00\n")
    (tmp_path / "b.csv").write_text("id,ts\n3,2024-01-02 11:00:00\n")
    db.ingest("t", tmp_path / "a.csv")
    r = db.ingest("t", tmp_path / "b.csv", overwrite=True)
    assert (r["partitions_replaced"], r["rows_replaced"], r["rows"]) == (1, 1, 1)
    assert db.sql("SELECT id FROM t ORDER BY id").fetchall() == [(1,), (3,)]
    db.sql("ALTER TABLE t ADD COLUMN note STRING")
    assert db.sql("SELECT id, note FROM t ORDER BY id").fetchall() == [(1, None), (3, None)]
    df = pd.DataFrame({"id": [7], "ts": [pd.Timestamp("2024-01-01 09:00:00")], "note": ["again"]})
    r = db.ingest_df("t", df, overwrite=True)
    assert (r["partitions_replaced"], r["rows_replaced"]) == (1, 1)
    assert db.sql("SELECT id, note FROM t ORDER BY id").fetchall() == [(3, None), (7, "again")]


def test_report_df_matches_the_command_lines_csv(social):
    report = (SOCIAL / "report.sql").read_text()
    df = social.sql(report).df()
    text = cli(social.path, "query", "-f", str(SOCIAL / "report.sql"), "--format", "csv")
    expected = pd.read_csv(io.StringIO(text), keep_default_na=True)
    assert list(df.columns) == list(expected.columns)
    assert len(df) == len(expected) == 6458
    for col in df.columns:
        a, b = df[col], expected[col]
        if a.dtype == object:
            assert a.fillna("").tolist() == b.fillna("").astype(str).tolist(), col
        else:
            assert np.allclose(a.astype("float64").fillna(-1e300), b.astype("float64").fillna(-1e300)), col


def test_ingest_df_round_trip_every_dtype(db):
    db.sql("""CREATE TABLE p (id BIGINT, n INT, name STRING, amt DECIMAL(12,2), day DATE, ts TIMESTAMP,
                              ok BOOLEAN, x DOUBLE) PARTITIONED BY (event_date = day)""")
    frame = pd.DataFrame({
        "ID": [1, 2, 3],  # names match ignoring case
        "n": pd.array([7, None, -7], dtype="Int32"),
        "name": ["a", None, "c,\"q\"\n"],
        "amt": [decimal.Decimal("1.25"), None, decimal.Decimal("-3")],
        "day": [datetime.date(2024, 1, 1), None, datetime.date(2024, 1, 3)],
        "ts": pd.to_datetime(["2024-01-01 00:00:01.5", None, "2024-01-03"]),
        "ok": pd.array([True, None, False], dtype="boolean"),
        "x": [1.5, float("nan"), 1e300],
        "ignored": ["extra", "columns", "are ignored"],
    })
    r = db.ingest_df("p", frame, etl_date="2024-01-05")
    assert r["rows"] == 3 and r["partitions"] == 3
    rows = db.sql("SELECT id, n, name, amt, day, ts, ok, x, etl_date FROM p ORDER BY id").fetchall()
    assert rows == [
        (1, 7, "a", decimal.Decimal("1.25"), datetime.date(2024, 1, 1), datetime.datetime(2024, 1, 1, 0, 0, 1, 500000),
         True, 1.5, datetime.datetime(2024, 1, 5)),
        (2, None, None, None, None, None, None, None, datetime.datetime(2024, 1, 5)),
        (3, -7, "c,\"q\"\n", decimal.Decimal("-3.00"), datetime.date(2024, 1, 3), datetime.datetime(2024, 1, 3), False,
         1e300, datetime.datetime(2024, 1, 5)),
    ]
    # Appended again: a DataFrame is no file to be refused twice.
    db.ingest_df("p", frame.head(1))
    assert db.sql("SELECT count(*) FROM p").fetchall() == [(4,)]


def test_ingest_df_is_atomic_and_says_where(db):
    db.sql("CREATE TABLE q (id INT NOT NULL, amt DECIMAL(5,2))")
    db.ingest_df("q", pd.DataFrame({"id": [1], "amt": [1.5]}))
    with pytest.raises(wh.DataError) as e:
        db.ingest_df("q", pd.DataFrame({"id": [2, 3, 4], "amt": [1.0, 12345.678, 2.0]}))
    assert "amt" in str(e.value)
    with pytest.raises(wh.DataError):
        db.ingest_df("q", pd.DataFrame({"id": pd.array([5, None], dtype="Int64"), "amt": [1.0, 2.0]}))
    with pytest.raises(wh.Error, match="time zone"):
        db.sql("CREATE TABLE z (ts TIMESTAMP)")
        db.ingest_df("z", pd.DataFrame({"ts": pd.to_datetime(["2024-01-01"]).tz_localize("Europe/Paris")}))
    with pytest.raises(wh.DataError, match="whole microsecond"):
        db.ingest_df("z", pd.DataFrame({"ts": pd.to_datetime(["2024-01-01 00:00:00.000000001"])}))
    assert db.sql("SELECT id, amt FROM q").fetchall() == [(1, decimal.Decimal("1.50"))]


def test_threads_query_at_once_and_the_gil_is_released(social):
    slow = "SELECT count(*) FROM events a JOIN events b ON a.event = b.event AND a.platform = b.platform"
    expected = social.sql(slow).fetchall()
    results, errors = [], []

    def work():
        try:
            for _ in range(2):
                results.append(social.sql(slow).fetchall())
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(2)]
    ticks = 0
    start = time.time()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        ticks += 1  # Python code runs while the queries do
        time.sleep(0.001)
    assert not errors, errors
    assert results == [expected] * 4
    assert ticks > 10, (ticks, time.time() - start)


def test_a_million_row_result(social):
    q = "SELECT a.user_id, b.event FROM events a CROSS JOIN (SELECT * FROM events LIMIT 50) b"
    df = social.sql(q).df()
    assert len(df) == 1000000
    assert df["user_id"].dtype == np.int64
    assert social.sql(f"SELECT count(DISTINCT event) FROM ({q})").fetchall() == [(df["event"].nunique(),)]


def test_review_cases(db, tmp_path):
    """Found by a stranger's review: each once wrong."""
    db.sql("CREATE TABLE u (b BIGINT, d DATE, s STRING)")
    # uint64 just past BIGINT is refused, not wrapped.
    with pytest.raises(wh.DataError, match="past BIGINT"):
        db.ingest_df("u", pd.DataFrame({"b": np.array([2**63, 2**63 + 512], dtype=np.uint64)}))
    # A DATE column comes back from its own df() (datetime64 at midnight).
    db.sql("INSERT INTO u VALUES (1, DATE '1969-12-31', 'x'), (2, DATE '2024-02-29', NULL)")
    db.ingest_df("u", db.sql("SELECT * FROM u").df())
    assert db.sql("SELECT d, count(*) FROM u GROUP BY d ORDER BY d").fetchall() == [
        (datetime.date(1969, 12, 31), 2), (datetime.date(2024, 2, 29), 2)]
    with pytest.raises(wh.DataError, match="has a time of day"):
        db.ingest_df("u", pd.DataFrame({"b": [3], "d": pd.to_datetime(["2024-01-01 10:00"]), "s": ["y"]}))
    # An empty DataFrame appends nothing.
    assert db.ingest_df("u", db.sql("SELECT * FROM u WHERE b < 0").df())["rows"] == 0
    # explain(): one query, errors placed in the text given.
    assert "Scan u" in db.explain("SELECT count(*) FROM u")
    with pytest.raises(wh.Error, match="one query"):
        db.explain("SELECT 1; CREATE TABLE made_by_explain (a INT)")
    assert "made_by_explain" not in db.tables()
    with pytest.raises(wh.Error) as e:
        db.explain("SELECT nope FROM u")
    assert (e.value.line, e.value.column) == (1, 8)
    # fetchone over a big result walks on, never from the start again.
    r = db.sql("SELECT a.b FROM u a, u b, u c, u d, u e, u f, u g, u h")  # 4^8 = 65,536 rows
    start = time.time()
    n = 0
    while r.fetchone() is not None:
        n += 1
    assert n == 65536 and time.time() - start < 10
    # Input that is not UTF-8 is refused, and the error (which quotes it) is still readable.
    raw = tmp_path / "raw.csv"
    raw.write_bytes(b"b,d,s\n9,2024-01-01,caf\xe9\n")
    with pytest.raises(wh.DataError) as e:
        db.ingest("u", raw)
    assert "raw.csv:2" in str(e.value)
    # ingest() takes the CSV options of wh ingest.
    extra = tmp_path / "extra.csv"
    extra.write_text('b,d,s,other\n11,NA,"",z\n')
    db.ingest("u", extra, null_string="NA", empty_as_null=True, ignore_extra_columns=True)
    assert db.sql("SELECT d, s FROM u WHERE b = 11").fetchall() == [(None, None)]


def test_ctrl_c_stops_a_running_statement(tmp_path):
    """SIGINT during db.sql(): KeyboardInterrupt soon, the connection still answers."""
    script = tmp_path / "slow.py"
    script.write_text(f"""
import time, wh
db = wh.connect({str(tmp_path / 'wh')!r})
print("ready", flush=True)
t = time.time()
try:
    db.sql("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100000000) "
           "SELECT count(*) FROM r")
    print("finished")
except KeyboardInterrupt:
    print("interrupted after", round(time.time() - t, 1))
print(db.sql("SELECT 42").fetchall())
""")
    p = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    assert p.stdout.readline().strip() == "ready"
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=60)
    assert out.startswith("interrupted after") and float(out.split()[2]) < 6, out
    assert "[(42,)]" in out
