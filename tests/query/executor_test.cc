#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "format/bucket_hash.h"
#include "query/exec.h"
#include "query/hash_table.h"
#include "query/query.h"
#include "tests/test_util.h"

namespace wh {
namespace {

using testing::TempDir;

std::string Print(const ResultSet& rs, OutputFormat f) {
  std::ostringstream o;
  PrintResult(rs, f, o);
  return o.str();
}

// The last result of sql as CSV ("" when it has none), or "error: " and the message.
std::string LastCsv(Session* s, const std::string& sql) {
  auto r = s->Execute(sql);
  if (!r.ok()) return "error: " + r.status().message();
  return r->empty() ? std::string() : Print(r->back(), OutputFormat::kCsv);
}

// Names keep the case they were declared with and match ignoring case (as in DuckDB and Spark):
// in SELECT *, a column named in any case, aliases, CREATE TABLE AS, a CSV header, the bucket key.
TEST(Executor, IdentifiersKeepTheirCase) {
  TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  ASSERT_TRUE(s.Execute("CREATE TABLE t (userId BIGINT, \"Amount\" DOUBLE, eventTime TIMESTAMP) "
                        "PARTITIONED BY (Day = CAST(EVENTTIME AS DATE)) CLUSTERED BY (USERID) INTO 4 BUCKETS")
                  .ok());
  auto wh = s.GetWarehouse(false);
  ASSERT_TRUE(wh.ok());
  auto in = StringInput("USERID,amount,EventTime\n7,2.5,2024-01-01 10:00:00\n", "t.csv");
  ASSERT_TRUE(IngestCsvStreams(*wh, "t", {in.get()}, {}).ok());
  auto csv = [&](const std::string& sql) { return LastCsv(&s, sql); };
  EXPECT_EQ(csv("SELECT * FROM t"), "userId,Amount,eventTime,day\n7,2.5,2024-01-01 10:00:00,2024-01-01\n");
  EXPECT_EQ(csv("SELECT userid, T.AMOUNT, \"userid\" AS MyId, sum(amount) AS Total FROM T GROUP BY ALL"),
            "userId,Amount,MyId,Total\n7,2.5,7,2.5\n");
  EXPECT_EQ(csv("SELECT myid FROM (SELECT userId AS MyId FROM t) WHERE MYID = 7 ORDER BY myId"), "MyId\n7\n");
  EXPECT_EQ(csv("SELECT b FROM (VALUES (1, 2)) AS v(A, B)"), "B\n2\n");
  EXPECT_EQ(csv("CREATE TABLE u AS SELECT userId, amount AS TotalAmount FROM t; SELECT * FROM u"),
            "userId,TotalAmount\n7,2.5\n");
  EXPECT_EQ(csv("DESCRIBE t"),
            "column_name,data_type,nullable,comment\n"
            "userId,BIGINT,YES,bucket key (4 buckets)\n"
            "Amount,DOUBLE,YES,\n"
            "eventTime,TIMESTAMP,YES,\n"
            "day,DATE,YES,partition column = CAST(eventTime AS DATE)\n"
            "etl_date,TIMESTAMP,NO,system column: load time of the batch\n");
  auto twice = s.Execute("CREATE TABLE v (a INT, A BIGINT)");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("declared twice"), std::string::npos) << twice.status().message();
  // A Spark user's double-quoted string is a column name here: the error says how to write a string.
  auto quoted = s.Execute("SELECT * FROM t WHERE userId = \"abc\"");
  ASSERT_FALSE(quoted.ok());
  EXPECT_NE(quoted.status().message().find("no column 'abc'"), std::string::npos) << quoted.status().message();
  EXPECT_NE(quoted.status().message().find("a string is written in single quotes: 'abc'"), std::string::npos);
}

std::string FileText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// COPY ... TO writes a query's rows as wh query -o would; COPY t FROM loads as wh ingest would;
// the two round-trip, and the warehouse is never a target.
TEST(Executor, CopyToAndFrom) {
  TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  auto csv = [&](const std::string& sql) { return LastCsv(&s, sql); };
  ASSERT_EQ(csv("CREATE TABLE t (id BIGINT NOT NULL, name STRING, amount DECIMAL(10,2), day DATE); "
                "INSERT INTO t VALUES (1, 'a,b', 1.50, '2024-01-02'), (2, NULL, NULL, NULL), (3, '', -2, '2023-12-31')"),
            "rows_inserted\n3\n");
  const std::string out = dir.Join("out.csv");
  EXPECT_EQ(csv("COPY (SELECT * FROM t ORDER BY id) TO '" + out + "'"), "rows_copied\n3\n");
  EXPECT_EQ(FileText(out), "id,name,amount,day\n1,\"a,b\",1.50,2024-01-02\n2,,,\n3,\"\",-2.00,2023-12-31\n");
  EXPECT_EQ(csv("COPY t TO '" + dir.Join("t.tsv") + "' (HEADER false)"), "rows_copied\n3\n");
  EXPECT_EQ(FileText(dir.Join("t.tsv")).find("id"), std::string::npos);
  EXPECT_EQ(csv("COPY (SELECT id, day FROM t WHERE id = 1) TO '" + dir.Join("t.json") + "'"), "rows_copied\n1\n");
  EXPECT_EQ(FileText(dir.Join("t.json")), "{\"id\":1,\"day\":\"2024-01-02\"}\n");
  EXPECT_EQ(csv("COPY (SELECT id FROM t WHERE id < 3 ORDER BY id) TO '" + dir.Join("a.json") + "' (FORMAT json, ARRAY true)"),
            "rows_copied\n2\n");
  EXPECT_EQ(FileText(dir.Join("a.json")), "[\n {\"id\":1},\n {\"id\":2}\n]\n");
  EXPECT_EQ(csv("COPY t TO '" + dir.Join("semi.txt") + "' (DELIMITER ';')"), "rows_copied\n3\n");
  EXPECT_EQ(FileText(dir.Join("semi.txt")).substr(0, 30), "id;name;amount;day\n1;a,b;1.50;");
  // Round trips: every copy loads back into an empty table of the same columns.
  ASSERT_EQ(csv("CREATE TABLE u (id BIGINT NOT NULL, name STRING, amount DECIMAL(10,2), day DATE)"), "");
  EXPECT_EQ(csv("COPY u FROM '" + out + "'"), "rows_inserted\n3\n");
  EXPECT_EQ(csv("COPY u FROM '" + dir.Join("semi.txt") + "' (DELIMITER ';')"), "rows_inserted\n3\n");
  EXPECT_EQ(csv("COPY u FROM '" + dir.Join("t.tsv") + "' (FORMAT tsv, HEADER false)"), "rows_inserted\n3\n");
  // The same file again is refused (as by wh ingest) unless forced.
  EXPECT_NE(csv("COPY u FROM '" + out + "'").find("Add (FORCE true) to load it again"), std::string::npos);
  EXPECT_EQ(csv("COPY u FROM '" + out + "' (FORCE true)"), "rows_inserted\n3\n");
  EXPECT_EQ(csv("SELECT id, name, amount, day, count(*) FROM u GROUP BY ALL ORDER BY id"),
            "id,name,amount,day,count(*)\n1,\"a,b\",1.50,2024-01-02,4\n2,,,,4\n3,\"\",-2.00,2023-12-31,4\n");
  // Errors: a target in the warehouse, unknown options, a failed load that commits nothing.
  EXPECT_NE(csv("COPY t TO '" + dir.Join("w/t/x.csv") + "'").find("inside the warehouse"), std::string::npos);
  EXPECT_NE(csv("COPY t TO '" + out + "' (COMPRESSION zstd)").find("unknown COPY option 'compression'"), std::string::npos);
  // Parquet by the name's extension (tests/parquet/ has DuckDB read such files back).
  EXPECT_EQ(csv("COPY t TO '" + dir.Join("x.parquet") + "'"), "rows_copied\n3\n");
  const std::string pq = FileText(dir.Join("x.parquet"));
  ASSERT_GT(pq.size(), 12u);
  EXPECT_EQ(pq.substr(0, 4), "PAR1");
  EXPECT_EQ(pq.substr(pq.size() - 4), "PAR1");
  EXPECT_NE(csv("COPY t TO '" + dir.Join("y.parquet") + "' (HEADER false)").find("HEADER and DELIMITER are CSV options"),
            std::string::npos);
  EXPECT_NE(csv("COPY nope TO '" + out + "'").find("no table or view named 'nope'"), std::string::npos);
  std::ofstream(dir.Join("bad.csv")) << "id,name,amount,day\n9,x,1,2024-01-01\nten,y,2,2024-01-01\n";
  EXPECT_NE(csv("COPY u FROM '" + dir.Join("bad.csv") + "'").find("bad.csv:3"), std::string::npos);
  EXPECT_EQ(csv("SELECT count(*) FROM u"), "count(*)\n12\n");
}

// CREATE TEMP VIEW: the session's own, first among views, never stored, no warehouse needed.
TEST(Executor, TemporaryViews) {
  TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  auto csv = [&](const std::string& sql) { return LastCsv(&s, sql); };
  EXPECT_EQ(csv("CREATE TEMP VIEW v AS SELECT 1 AS x; SELECT * FROM v"), "x\n1\n");
  EXPECT_NE(csv("CREATE TEMP VIEW v AS SELECT 2 AS x").find("already exists"), std::string::npos);
  EXPECT_EQ(csv("CREATE OR REPLACE TEMPORARY VIEW v AS SELECT 2 AS x; SELECT * FROM v"), "x\n2\n");
  EXPECT_EQ(csv("CREATE TABLE t (x INT); INSERT INTO t VALUES (5); CREATE VIEW sv AS SELECT x FROM t"), "rows_inserted\n1\n");
  // A temporary view shadows a stored one of its name; dropping it uncovers the stored one.
  EXPECT_EQ(csv("CREATE TEMP VIEW sv AS SELECT 7 AS x; SELECT * FROM sv"), "x\n7\n");
  EXPECT_EQ(csv("SHOW TABLES"), "table_name,kind\nt,table\nsv,view\nsv,temporary view\nv,temporary view\n");
  EXPECT_EQ(csv("DROP VIEW sv; SELECT * FROM sv"), "x\n5\n");
  EXPECT_NE(csv("CREATE VIEW stored AS SELECT * FROM v").find("a temporary view"), std::string::npos);
  EXPECT_NE(csv("CREATE TEMP TABLE x (a INT)").find("temporary tables are not supported"), std::string::npos);
  // Another session (another process) does not see them.
  Session other(DefaultFileSystem(), dir.Join("w"));
  EXPECT_FALSE(other.Execute("SELECT * FROM v").ok());
}

TEST(Executor, DdlDescribeShowAndCount) {
  TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  auto show0 = s.Execute("SHOW TABLES");
  ASSERT_TRUE(show0.ok()) << "SHOW TABLES on no warehouse is empty, not an error";
  EXPECT_EQ((*show0)[0].rows(), 0u);
  auto r = s.Execute(
      "CREATE TABLE payments (user_id BIGINT NOT NULL, date TIMESTAMP NOT NULL, "
      "total DECIMAL(38,18) NOT NULL) PARTITIONED BY (event_date = CAST(date AS DATE)) "
      "CLUSTERED BY (user_id) INTO 45 BUCKETS;");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->empty());
  auto d = s.Execute("DESCRIBE payments");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Print((*d)[0], OutputFormat::kCsv),
            "column_name,data_type,nullable,comment\n"
            "user_id,BIGINT,NO,bucket key (45 buckets)\n"
            "date,TIMESTAMP,NO,\n"
            "total,\"DECIMAL(38,18)\",NO,\n"
            "event_date,DATE,YES,partition column = CAST(date AS DATE)\n"
            "etl_date,TIMESTAMP,NO,system column: load time of the batch\n");
  auto wh = s.GetWarehouse(false);
  ASSERT_TRUE(wh.ok());
  auto in = StringInput("user_id,date,total\n1,2022-02-14 03:15:00,5.8100000000000005\n"
                        "2,2022-02-15 03:15:00,55.71\n", "p.csv");
  ASSERT_TRUE(IngestCsvStreams(*wh, "payments", {in.get()}, {}).ok());
  auto c = s.Execute("select count(*) from PAYMENTS");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(Print((*c)[0], OutputFormat::kCsv), "count(*)\n2\n");
  EXPECT_EQ(Print((*c)[0], OutputFormat::kJson), "[\n {\"count(*)\":2}\n]\n");

  auto dup = s.Execute("CREATE TABLE payments (a INT)");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  auto missing = s.Execute("SELECT COUNT(*) FROM nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no table or view named 'nope'"), std::string::npos);
  auto bad_part = s.Execute("CREATE TABLE t (a INT) PARTITIONED BY (d = CAST(a AS DATE))");
  ASSERT_FALSE(bad_part.ok());
  EXPECT_NE(bad_part.status().message().find("takes a DATE or TIMESTAMP, not INT"), std::string::npos)
      << bad_part.status().message();
  auto sum = s.Execute("SELECT SUM(total) AS t, MAX(user_id) FROM payments");
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(Print((*sum)[0], OutputFormat::kCsv), "t,MAX(user_id)\n61.520000000000000500,2\n");
  ASSERT_TRUE(s.Execute("DROP TABLE payments").ok());
  EXPECT_EQ((*s.Execute("SHOW TABLES"))[0].rows(), 0u);
}

// The CSV writer sizes each block's buffer from per-type bounds: the widest value of every type
// (and strings that need quoting throughout) must fit, and blocks must come out in order.
TEST(Executor, CsvWidestValuesAndManyBlocks) {
  ResultSet rs;
  Column dec(DataType::Decimal(38, 18)), small(DataType::Decimal(5, 5)), i64(DataType::Int64()),
      i32(DataType::Int32()), dbl(DataType::Double()), ts(DataType::Timestamp()), dt(DataType::Date()),
      str(DataType::String()), row(DataType::Int64());
  const size_t n = 200000;  // several 64K-row blocks
  int128 widest = -(int128{99999999999999999} * int128{1000000000000000000} * 1000 + 999);
  for (size_t i = 0; i < n; ++i) {
    dec.Append<int128>(widest);
    small.Append<int64_t>(-1);
    i64.Append<int64_t>(INT64_MIN);
    i32.Append<int32_t>(INT32_MIN);
    dbl.Append<double>(i % 2 ? -1.2345678901234568e-300 : -std::numeric_limits<double>::infinity());
    ts.Append<int64_t>(-62135596800000000 + 123456);  // year 1, fractional seconds
    dt.Append<int32_t>(2932896);                       // 9999-12-31
    str.AppendString("\"\"\"\"");
    row.Append<int64_t>(static_cast<int64_t>(i));
  }
  for (auto* c : {&dec, &small, &i64, &i32, &dbl, &ts, &dt, &str}) rs.AddColumn("c", std::move(*c));
  rs.AddColumn("row", std::move(row));
  std::string text = Print(rs, OutputFormat::kCsv);
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  for (size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(std::getline(in, line)) << i;
    std::string want = "-99999999999999999000.000000000000000999,-0.00001,-9223372036854775808,-2147483648,";
    want += i % 2 ? "-1.2345678901234568e-300" : "-inf";
    want += ",0001-01-01 00:00:00.123456,9999-12-31,\"\"\"\"\"\"\"\"\"\"," + std::to_string(i);
    ASSERT_EQ(line, want) << i;
  }
  EXPECT_FALSE(std::getline(in, line));
}

TEST(Executor, OutputFormats) {
  ResultSet rs;
  Column a(DataType::Decimal(10, 2)), b(DataType::String()), c(DataType::Double());
  a.Append<int64_t>(3800);
  a.AppendNull();
  b.AppendString("x,\"y\"");
  b.AppendNull();
  c.Append<double>(0.1);
  c.Append<double>(2.5e-10);
  rs.AddColumn("total", std::move(a));
  rs.AddColumn("name", std::move(b));
  rs.AddColumn("d", std::move(c));
  EXPECT_EQ(Print(rs, OutputFormat::kCsv), "total,name,d\n38.00,\"x,\"\"y\"\"\",0.1\n,,2.5e-10\n");
  EXPECT_EQ(Print(rs, OutputFormat::kTsv), "total\tname\td\n38.00\t\"x,\"\"y\"\"\"\t0.1\n\t\t2.5e-10\n");
  EXPECT_EQ(Print(rs, OutputFormat::kJsonl),
            "{\"total\":38.00,\"name\":\"x,\\\"y\\\"\",\"d\":0.1}\n{\"total\":null,\"name\":null,\"d\":2.5e-10}\n");
  EXPECT_EQ(Print(rs, OutputFormat::kTable),
            "+-------+-------+---------+\n"
            "| total | name  | d       |\n"
            "+-------+-------+---------+\n"
            "| 38.00 | x,\"y\" |     0.1 |\n"
            "|  NULL | NULL  | 2.5e-10 |\n"
            "+-------+-------+---------+\n"
            "2 rows\n");
  EXPECT_EQ(Print(rs, OutputFormat::kMarkdown),
            "| total | name  | d       |\n"
            "|------:|-------|--------:|\n"
            "| 38.00 | x,\"y\" |     0.1 |\n"
            "|  NULL | NULL  | 2.5e-10 |\n");
}

// Text of many lines equal to the expected, reporting the first line that differs.
void ExpectSameLines(const std::string& got, const std::string& want) {
  if (got == want) return;
  std::istringstream g(got), w(want);
  std::string a, b;
  while (std::getline(g, a) && std::getline(w, b))
    if (a != b) {
      ADD_FAILURE() << "printed " << a << ", want " << b;
      return;
    }
  ADD_FAILURE() << "printed " << got.size() << " bytes, want " << want.size();
}

// DOUBLE values print as FormatDouble (DuckDB's text), whether or not they take the short path
// for decimals of up to 4 places: integers (with trailing zeros), halves to ten-thousandths,
// thirds, tenths inexact in binary, the 1e15 and 1e16 edges, signs.
TEST(Executor, CsvDoublesAsShortestText) {
  std::mt19937_64 rng(15);
  std::vector<double> v = {1, -1, 10, 100, 1000, 1e5, 1e6, 123456, 1230000, 2.5, 0.5, 1e15, 999999999999999.0,
                           99999999999999.9, 1e15 - 0.5, 12.3, 0.1, 1.0000000000000002, 354086.5, 138152.33333333334,
                           -2.25, 4503599627370496.0, 1e14 + 0.25, 7.0001, 7.00001, 1e16, 9999999999999998.0};
  for (int i = 0; i < 20000; ++i) {
    const double x = static_cast<double>(static_cast<int64_t>(rng() % 2000000000000ULL) - 1000000000000LL);
    const double by[] = {1, 2, 3, 4, 5, 8, 10, 16, 100, 1000, 10000, 100000, 7};
    v.push_back(x / by[rng() % 13]);
    v.push_back(static_cast<double>(rng() % 100000) * std::pow(10.0, static_cast<int>(rng() % 12)));
  }
  Column c(DataType::Double());
  std::string want = "d\n";
  for (double x : v) {
    c.Append<double>(x);
    want += FormatDouble(x) + "\n";
  }
  ResultSet rs;
  rs.AddColumn("d", std::move(c));
  ExpectSameLines(Print(rs, OutputFormat::kCsv), want);
}

// BIGINT, INT and DECIMAL values of every magnitude print as std::to_chars writes them (they
// are converted 8 digits at a time): around each power of ten, the 8- and 16-digit part
// boundaries, both signs and the extremes.
TEST(Executor, CsvIntegersOfEveryLengthAsToChars) {
  std::mt19937_64 rng(19);
  std::vector<int64_t> v = {INT64_MAX, INT64_MIN, INT64_MIN + 1, 0, -1};
  int64_t p10 = 1;
  for (int d = 0; d < 19; ++d) {
    for (int64_t x : {p10 - 1, p10, p10 + 1}) {
      v.push_back(x);
      v.push_back(-x);
    }
    if (d < 18) p10 *= 10;  // 10^18 is the last power of ten a BIGINT holds
  }
  for (int i = 0; i < 20000; ++i) v.push_back(static_cast<int64_t>(rng()) >> (rng() % 64));
  Column i64(DataType::Int64()), i32(DataType::Int32()), dec(DataType::Decimal(18, 4));
  std::string want = "a,b,c\n";
  for (int64_t x : v) {
    const int32_t y = static_cast<int32_t>(x);
    const int64_t z = x % 1000000000000000000LL;  // DECIMAL(18,4) holds 18 digits
    i64.Append<int64_t>(x);
    i32.Append<int32_t>(y);
    dec.Append<int64_t>(z);
    char b[32];
    want += std::string(b, std::to_chars(b, b + sizeof b, x).ptr) + ",";
    want += std::string(b, std::to_chars(b, b + sizeof b, y).ptr) + ",";
    const uint64_t m = z < 0 ? 0 - static_cast<uint64_t>(z) : static_cast<uint64_t>(z);
    std::string digits = std::to_string(m);
    if (digits.size() < 5) digits.insert(0, 5 - digits.size(), '0');
    want += (z < 0 ? "-" : "") + digits.substr(0, digits.size() - 4) + "." + digits.substr(digits.size() - 4) + "\n";
  }
  ResultSet rs;
  rs.AddColumn("a", std::move(i64));
  rs.AddColumn("b", std::move(i32));
  rs.AddColumn("c", std::move(dec));
  ExpectSameLines(Print(rs, OutputFormat::kCsv), want);
}

// Integers print exactly around the short path for 0..99 (both digit places are written).
TEST(Executor, CsvIntegersAroundTheTwoDigitPath) {
  ResultSet rs;
  const std::vector<int64_t> v = {0, 5, 9, 10, 42, 99, 100, 101, -1, -9, -10, -99, -100, INT64_MAX, INT64_MIN};
  Column i32(DataType::Int32());
  for (int64_t x : v) i32.Append<int32_t>(static_cast<int32_t>(std::max<int64_t>(INT32_MIN, std::min<int64_t>(INT32_MAX, x))));
  rs.AddColumn("a", Int64Column(v));
  rs.AddColumn("b", std::move(i32));
  EXPECT_EQ(Print(rs, OutputFormat::kCsv),
            "a,b\n0,0\n5,5\n9,9\n10,10\n42,42\n99,99\n100,100\n101,101\n-1,-1\n-9,-9\n-10,-10\n-99,-99\n"
            "-100,-100\n9223372036854775807,2147483647\n-9223372036854775808,-2147483648\n");
}

// WriteResultFile writes what PrintResult prints: CSV blocks at their offsets from several
// threads, one result after another, over a longer file that was there before.
TEST(Executor, ResultFileIsThePrintedText) {
  TempDir dir;
  const std::string path = dir.Join("out.csv");
  testing::WriteAll(path, std::string(10000000, 'x'));
  ResultSet big;
  big.names = {"i", "s"};
  for (int chunk = 0; chunk < 3; ++chunk) {
    std::vector<int64_t> ids;
    std::vector<Column> cols;
    cols.emplace_back(DataType::Int64());
    cols.emplace_back(DataType::String());
    for (int i = 0; i < 70000; ++i) {
      cols[0].Append<int64_t>(int64_t{chunk} * 70000 + i);
      if (i % 11 == 0) cols[1].AppendNull();
      else cols[1].AppendString(i % 7 ? "plain" : "needs, quotes");
    }
    big.chunks.push_back(std::move(cols));
  }
  for (uint32_t i = 0; i < 210000; ++i) {  // backwards through the chunks
    big.order_chunk.push_back(static_cast<uint16_t>(2 - i / 70000));
    big.order_row.push_back(69999 - i % 70000);
  }
  ResultSet small;
  small.AddColumn("n", Int64Column({7}));
  for (auto f : {OutputFormat::kCsv, OutputFormat::kTsv, OutputFormat::kJsonl}) {
    ASSERT_TRUE(WriteResultFile({big, small}, f, path).ok());
    EXPECT_EQ(testing::ReadAll(path), Print(big, f) + Print(small, f)) << static_cast<int>(f);
  }
  Status bad = WriteResultFile({small}, OutputFormat::kCsv, dir.Join("no/such/dir/x.csv"));
  EXPECT_EQ(bad.code(), StatusCode::kIOError);
  EXPECT_NE(bad.message().find("cannot write"), std::string::npos) << bad.message();
}

// Rows formatted already (the CLI's sorted CSV: keys and a line per row) are copied line by
// line in the result's order: lines shorter and longer than the 64 bytes moved whole, lines at
// the very end of their chunk's bytes, and blocks whose lines outgrow the buffer sized for the
// average line. Written to a file and printed, the text is the lines in order.
TEST(Executor, FormattedLinesAreCopiedInOrder) {
  ResultSet rs;
  rs.names = {"k", "text"};
  rs.text_delimiter = ',';
  std::vector<std::vector<std::string>> texts(3);
  for (int chunk = 0; chunk < 3; ++chunk) {
    std::vector<uint32_t> offsets = {0};
    std::string chars;
    Column keys(DataType::Int64());
    for (int i = 0; i < 90000; ++i) {
      // chunk 2: long lines (their block outgrows the average); the others 1 to 97 bytes
      const size_t len = chunk == 2 ? 150 + i % 40 : 1 + (i * 37) % 97;
      std::string line = std::to_string(chunk) + ":" + std::to_string(i) + ":";
      line.resize(std::max(len, line.size() + 1) - 1, static_cast<char>('a' + i % 26));
      line += '\n';
      texts[chunk].push_back(line);
      chars += line;
      offsets.push_back(static_cast<uint32_t>(chars.size()));
      keys.Append<int64_t>(i);
    }
    Column lines(DataType::String());
    lines.SetStrings(std::move(offsets), std::move(chars));
    std::vector<Column> cols;
    cols.push_back(std::move(keys));
    cols.push_back(std::move(lines));
    rs.chunks.push_back(std::move(cols));
  }
  std::string want = "k,text\n";
  auto take = [&](int chunk, int row) {
    rs.order_chunk.push_back(static_cast<uint16_t>(chunk));
    rs.order_row.push_back(static_cast<uint32_t>(row));
    want += texts[chunk][row];
  };
  for (int i = 0; i < 90000; ++i) take(2, i);  // the long lines first: the first blocks grow
  for (int i = 89999; i >= 0; --i) {         // then the others interleaved, backwards
    take(0, i);
    take(1, i);
  }
  TempDir dir;
  const std::string path = dir.Join("lines.csv");
  ASSERT_TRUE(WriteResultFile({rs}, OutputFormat::kCsv, path).ok());
  ExpectSameLines(testing::ReadAll(path), want);
  ExpectSameLines(Print(rs, OutputFormat::kCsv), want);
}

// A result file replaces a regular file by a new one of the same mode (no truncation for ext4
// to flush on close), but writes through a symlink, and into a file with other links, in place.
TEST(Executor, ResultFileReplacesOrWritesThrough) {
  TempDir dir;
  ResultSet r;
  r.AddColumn("n", Int64Column({7}));
  const std::string want = Print(r, OutputFormat::kCsv);
  const std::string plain = dir.Join("plain.csv");
  testing::WriteAll(plain, std::string(5000, 'x'));
  ASSERT_EQ(::chmod(plain.c_str(), 0640), 0);
  const int old_fd = ::open(plain.c_str(), O_RDONLY);  // still sees the file it opened
  ASSERT_GE(old_fd, 0);
  ASSERT_TRUE(WriteResultFile({r}, OutputFormat::kCsv, plain).ok());
  struct stat old_file, now;
  ASSERT_EQ(::fstat(old_fd, &old_file), 0);
  ::close(old_fd);
  ASSERT_EQ(::stat(plain.c_str(), &now), 0);
  EXPECT_EQ(testing::ReadAll(plain), want);
  EXPECT_EQ(now.st_mode & 07777, 0640u);
  EXPECT_EQ(old_file.st_size, 5000) << "a new file, not the old one truncated";
  EXPECT_NE(now.st_ino, old_file.st_ino);

  const std::string target = dir.Join("target.csv"), link = dir.Join("link.csv");
  testing::WriteAll(target, std::string(5000, 'x'));
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  ASSERT_TRUE(WriteResultFile({r}, OutputFormat::kCsv, link).ok());
  struct stat l;
  ASSERT_EQ(::lstat(link.c_str(), &l), 0);
  EXPECT_TRUE(S_ISLNK(l.st_mode)) << "the symlink stays";
  EXPECT_EQ(testing::ReadAll(target), want);

  const std::string a = dir.Join("a.csv"), b = dir.Join("b.csv");
  testing::WriteAll(a, std::string(5000, 'x'));
  ASSERT_EQ(::link(a.c_str(), b.c_str()), 0);
  ASSERT_TRUE(WriteResultFile({r}, OutputFormat::kCsv, a).ok());
  EXPECT_EQ(testing::ReadAll(b), want) << "both names still show one file";
}

// KeyTable numbers keys densely in order of first appearance, sized up front (Reserve) or not,
// and reserving after inserts keeps every key where Find and FindOrInsert look for it.
TEST(KeyTable, ReserveKeepsIdsAndLookups) {
  for (size_t reserve_at : {size_t{0}, size_t{1}, size_t{5000}, size_t{100000}}) {
    KeyTable t({DataType::Int64(), DataType::String()});
    Column a(DataType::Int64()), b(DataType::String());
    const size_t n = 20000;
    for (size_t i = 0; i < n; ++i) {
      if (i % 1000 == 7) a.AppendNull();
      else a.Append<int64_t>(static_cast<int64_t>(i % 5000) * 7919);
      b.AppendString(i % 2 ? "x" : "y");
    }
    std::vector<uint32_t> ids(n);
    if (reserve_at == 0) t.Reserve(7000);
    t.FindOrInsert({&a, &b}, n / 2, ids.data());
    if (reserve_at) t.Reserve(reserve_at);  // a hint smaller than the table is a no-op
    t.FindOrInsert({&a, &b}, n, ids.data());  // again from the start: the first half is found
    std::map<std::pair<std::string, std::string>, uint32_t> first;
    uint32_t next = 0;
    for (size_t i = 0; i < n; ++i) {
      auto key = std::make_pair(a.IsNull(i) ? "NULL" : std::to_string(a.Get<int64_t>(i)), std::string(b.GetString(i)));
      auto it = first.find(key);
      if (it == first.end()) it = first.emplace(key, next++).first;
      ASSERT_EQ(ids[i], it->second) << "row " << i << " reserve " << reserve_at;
    }
    EXPECT_EQ(t.size(), first.size());
    std::vector<uint32_t> found(n);
    t.Find({&a, &b}, n, found.data());
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(found[i], a.IsNull(i) ? KeyTable::kNone : ids[i]) << i;
    Column missing(DataType::Int64());
    missing.Append<int64_t>(-1);
    Column y(DataType::String());
    y.AppendString("y");
    t.Find({&missing, &y}, 1, found.data());
    EXPECT_EQ(found[0], KeyTable::kNone);
  }
}

// Keys of (BIGINT, STRING) numbered the same whichever path a batch takes: strings in
// dictionary form (numbered per entry), plain, NULL strings, and NULL integers (the general
// path) - batch after batch into one table, ids in order of first appearance, all found again.
TEST(KeyTable, IntegerAndStringKeysAgreeAcrossForms) {
  KeyTable t({DataType::Int64(), DataType::String()});
  std::map<std::pair<std::string, std::string>, uint32_t> first;
  std::vector<Column> as, bs;
  std::mt19937_64 rng(11);
  for (int batch = 0; batch < 12; ++batch) {
    Column a(DataType::Int64()), plain(DataType::String());
    const size_t n = 500;
    for (size_t i = 0; i < n; ++i) {
      if (batch % 4 == 3 && i % 50 == 0) a.AppendNull();
      else a.Append<int64_t>(static_cast<int64_t>(rng() % 300));
      const int s = static_cast<int>(rng() % 5);
      if (s == 4) plain.AppendNull();
      else plain.AppendString(s == 3 ? "" : std::string(1, static_cast<char>('a' + s)));
    }
    Column b = plain;
    if (batch % 2 == 0) {  // the same strings as codes into a dictionary
      auto dict = std::make_shared<Column>(DataType::String());
      for (std::string v : {"c", "", "a", "b"}) dict->AppendString(v);
      std::vector<uint32_t> codes(n);
      for (size_t i = 0; i < n; ++i) {
        const std::string_view v = plain.GetString(i);
        codes[i] = v == "c" ? 0 : v.empty() ? 1 : v == "a" ? 2 : 3;  // NULL rows: the empty entry
      }
      b = Column(DataType::String());
      b.SetDictionary(dict, std::move(codes));
      std::vector<uint8_t> valid(n);
      for (size_t i = 0; i < n; ++i) valid[i] = !plain.IsNull(i);
      b.SetValidity(std::move(valid));
      ASSERT_TRUE(b.is_dictionary());
    }
    std::vector<uint32_t> ids(n);
    t.FindOrInsert({&a, &b}, n, ids.data());
    for (size_t i = 0; i < n; ++i) {
      auto key = std::make_pair(a.IsNull(i) ? "NULL" : std::to_string(a.Get<int64_t>(i)),
                                plain.IsNull(i) ? "NULL" : "'" + std::string(plain.GetString(i)) + "'");
      auto it = first.find(key);
      if (it == first.end()) it = first.emplace(key, static_cast<uint32_t>(first.size())).first;
      ASSERT_EQ(ids[i], it->second) << "batch " << batch << " row " << i;
    }
    as.push_back(std::move(a));
    bs.push_back(std::move(b));
  }
  EXPECT_EQ(t.size(), first.size());
  for (size_t k = 0; k < as.size(); ++k) {  // every key found again, NULLs never (join rules)
    std::vector<uint32_t> found(as[k].size()), again(as[k].size());
    t.FindOrInsert({&as[k], &bs[k]}, as[k].size(), again.data());
    t.Find({&as[k], &bs[k]}, as[k].size(), found.data());
    for (size_t i = 0; i < as[k].size(); ++i)
      EXPECT_EQ(found[i], as[k].IsNull(i) || bs[k].IsNull(i) ? KeyTable::kNone : again[i]) << k << " " << i;
  }
  EXPECT_EQ(t.size(), first.size());
}

// One STRING key (GROUP BY platform): NULL is one key and '' another, whichever form a batch
// comes in (dictionary or plain, with or without NULLs) and whichever path inserted a key
// first; ids in order of first appearance; the generic path (two key columns) agrees.
TEST(KeyTable, OneStringKeyWithNullsAcrossForms) {
  KeyTable t({DataType::String()});
  std::map<std::string, uint32_t> first;
  std::mt19937_64 rng(5);
  std::vector<Column> kept;
  for (int batch = 0; batch < 16; ++batch) {
    const size_t n = 300;
    Column plain(DataType::String());
    for (size_t i = 0; i < n; ++i) {
      // Runs of one value (a run of NULLs, of '' after NULL, ...) as well as random rows.
      const int s = i % 7 < 3 ? static_cast<int>(i / 7 % 5) : static_cast<int>(rng() % 5);
      if (s == 4 && batch % 4 != 1) plain.AppendNull();
      else plain.AppendString(s == 3 || s == 4 ? "" : std::string(1, static_cast<char>('a' + s)));
    }
    Column b = plain;
    if (batch % 2 == 0) {
      auto dict = std::make_shared<Column>(DataType::String());
      for (std::string v : {"b", "", "c", "a"}) dict->AppendString(v);
      std::vector<uint32_t> codes(n);
      for (size_t i = 0; i < n; ++i) {
        const std::string_view v = plain.GetString(i);
        codes[i] = v == "b" ? 0 : v.empty() ? 1 : v == "c" ? 2 : 3;
      }
      b = Column(DataType::String());
      b.SetDictionary(dict, std::move(codes));
      if (plain.has_nulls()) {
        std::vector<uint8_t> valid(n);
        for (size_t i = 0; i < n; ++i) valid[i] = !plain.IsNull(i);
        b.SetValidity(std::move(valid));
      }
      ASSERT_TRUE(b.is_dictionary());
    }
    std::vector<uint32_t> ids(n);
    t.FindOrInsert({&b}, n, ids.data());
    for (size_t i = 0; i < n; ++i) {
      const std::string key = plain.IsNull(i) ? "NULL" : "'" + std::string(plain.GetString(i)) + "'";
      auto it = first.find(key);
      if (it == first.end()) it = first.emplace(key, static_cast<uint32_t>(first.size())).first;
      ASSERT_EQ(ids[i], it->second) << "batch " << batch << " row " << i << " " << key;
    }
    kept.push_back(std::move(plain));
  }
  EXPECT_EQ(t.size(), 5u);  // 'a', 'b', 'c', '', NULL
  EXPECT_EQ(t.size(), first.size());
  // The keys the table holds are the strings and NULL, as first seen.
  for (const auto& [key, id] : first)
    EXPECT_EQ(t.keys()[0].IsNull(id) ? "NULL" : "'" + std::string(t.keys()[0].GetString(id)) + "'", key);
  // A two-column table (the generic path, HashRows and Equal) numbers the same rows alike.
  KeyTable two({DataType::String(), DataType::Int64()});
  Column zero(DataType::Int64());
  for (size_t i = 0; i < 300; ++i) zero.Append<int64_t>(0);
  for (const Column& c : kept) {
    std::vector<uint32_t> a(c.size()), b(c.size());
    t.FindOrInsert({&c}, c.size(), a.data());
    two.FindOrInsert({&c, &zero}, c.size(), b.data());
    for (size_t i = 0; i < c.size(); ++i) ASSERT_EQ(a[i], b[i]) << i;
  }
  EXPECT_EQ(t.size(), 5u);
}

// A query's rows stay in the batches it produced (chunks), ordered by (chunk, row) pairs when
// sorted; every format prints them as it prints the same rows held as one column each.
// One integer key sorts by spreading over buckets (up to 2^17 keys) or by byte passes (more):
// both must give the stable order, whatever the keys look like.
TEST(SortPermutation, IntegerKeysOfEveryShapeSortStably) {
  std::mt19937_64 rng(17);
  const size_t sizes[] = {2, 31, 33, 1000, 22000, size_t{1} << 17, (size_t{1} << 17) + 1, 300000};
  for (size_t n : sizes) {
    for (int shape = 0; shape < 6; ++shape) {
      std::vector<int64_t> v(n);
      for (size_t i = 0; i < n; ++i) {
        switch (shape) {
          case 0: v[i] = static_cast<int64_t>(rng()); break;                        // full range
          case 1: v[i] = static_cast<int64_t>(i); break;                            // in order
          case 2: v[i] = static_cast<int64_t>(n - i) - static_cast<int64_t>(n / 2); break;  // reversed
          case 3: v[i] = static_cast<int64_t>(rng() % 3); break;                    // few keys
          case 4: v[i] = 42; break;                                                 // one key
          default: v[i] = static_cast<int64_t>(rng() % 1000) << 40; break;          // wide gaps
        }
      }
      for (bool desc : {false, true}) {
        for (bool nulls : {false, true}) {
          SCOPED_TRACE("n=" + std::to_string(n) + " shape=" + std::to_string(shape) + (desc ? " desc" : "") +
                       (nulls ? " nulls" : ""));
          Column c(DataType::Int64());
          for (size_t i = 0; i < n; ++i) {
            if (nulls && i % 7 == 3) c.AppendNull();
            else c.Append<int64_t>(v[i]);
          }
          SortKey key;
          key.desc = desc;
          key.nulls_first = nulls && n % 2 == 0;
          std::vector<uint32_t> want(n);
          std::iota(want.begin(), want.end(), 0u);
          std::stable_sort(want.begin(), want.end(), [&](uint32_t a, uint32_t b) {
            const bool an = c.IsNull(a), bn = c.IsNull(b);
            if (an || bn) return an != bn && an == key.nulls_first;
            return desc ? v[a] > v[b] : v[a] < v[b];
          });
          std::vector<Column> cols;
          cols.push_back(c);
          ASSERT_EQ(SortPermutation(cols, {key}, n), want);
        }
      }
    }
  }
}

TEST(Executor, ChunkedAndOrderedResultsPrintAsFlattened) {
  auto chunk = [](std::vector<int64_t> ids, std::vector<std::string> names) {
    std::vector<Column> cols;
    cols.emplace_back(Int64Column(ids));
    cols.emplace_back(DataType::String());
    for (const auto& n : names) {
      if (n == "-") cols[1].AppendNull();
      else cols[1].AppendString(n);
    }
    return cols;
  };
  ResultSet rs;
  rs.names = {"id", "name"};
  rs.chunks.push_back(chunk({3, 1}, {"c", "a,b"}));
  rs.chunks.push_back(chunk({2}, {"-"}));
  rs.chunks.push_back(chunk({5, 4, 6}, {"e", "d", "f"}));
  EXPECT_EQ(rs.rows(), 6u);
  ResultSet ordered = rs;
  ordered.order_chunk = {0, 1, 0, 2, 2, 2};
  ordered.order_row = {1, 0, 0, 1, 0, 2};
  EXPECT_EQ(Print(ordered, OutputFormat::kCsv), "id,name\n1,\"a,b\"\n2,\n3,c\n4,d\n5,e\n6,f\n");
  EXPECT_EQ(Print(rs, OutputFormat::kTsv), "id\tname\n3\tc\n1\ta,b\n2\t\n5\te\n4\td\n6\tf\n");
  for (const ResultSet* r : {&rs, &ordered}) {
    ResultSet flat = *r;
    flat.Flatten();
    EXPECT_TRUE(flat.chunks.empty());
    ASSERT_EQ(flat.columns.size(), 2u);
    EXPECT_EQ(flat.rows(), 6u);
    for (auto f : {OutputFormat::kCsv, OutputFormat::kTsv, OutputFormat::kJson, OutputFormat::kJsonl,
                   OutputFormat::kTable, OutputFormat::kMarkdown})
      EXPECT_EQ(Print(*r, f), Print(flat, f)) << static_cast<int>(f);
  }
  ResultSet flat = ordered;
  flat.Flatten();
  EXPECT_EQ(flat.columns[0].Get<int64_t>(0), 1);
  EXPECT_EQ(flat.columns[0].Get<int64_t>(5), 6);
  EXPECT_TRUE(flat.columns[1].IsNull(1));
}

}  // namespace
}  // namespace wh

namespace wh {
namespace {

// Ingests `csv` into `table` as one commit with the given etl_date. Without compaction: each
// load keeps its own segments, whose pruning these tests count.
void Load(Session* s, const std::string& table, const std::string& csv, const std::string& etl) {
  auto wh = s->GetWarehouse(false);
  ASSERT_TRUE(wh.ok());
  auto in = StringInput(csv, table + ".csv");
  IngestOptions opt;
  opt.compact = false;
  opt.etl_micros = *ParseTimestamp(etl);
  auto r = IngestCsvStreams(*wh, table, {in.get()}, opt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

std::string Explain(Session* s, const std::string& sql) {
  auto r = s->Execute("EXPLAIN " + sql);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return "";
  return Print((*r)[0], OutputFormat::kCsv);
}

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

class PruningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(s_.Execute("CREATE TABLE ev (user_id BIGINT NOT NULL, ts TIMESTAMP NOT NULL, v INT) "
                           "PARTITIONED BY (event_date = CAST(ts AS DATE)) CLUSTERED BY (user_id) INTO 8 BUCKETS")
                    .ok());
    // Two loads: day 1 and 2 on 2022-03-01, day 2 and 3 on 2022-03-02 (so day 2 is in both files).
    std::string first = "user_id,ts,v\n", second = "user_id,ts,v\n";
    for (int u = 0; u < 200; ++u) {
      first += std::to_string(u) + ",2022-02-01 10:00:00," + std::to_string(u) + "\n";
      first += std::to_string(u) + ",2022-02-02 10:00:00," + std::to_string(u + 1000) + "\n";
      second += std::to_string(u) + ",2022-02-02 11:00:00," + std::to_string(u + 2000) + "\n";
      second += std::to_string(u) + ",2022-02-03 11:00:00," + std::to_string(u + 3000) + "\n";
    }
    Load(&s_, "ev", first, "2022-03-01");
    Load(&s_, "ev", second, "2022-03-02");
  }
  TempDir dir_;
  Session s_{DefaultFileSystem(), dir_.Join("w")};
};

TEST_F(PruningTest, PartitionsFromThePartitionColumnAndFromTheTimestampItIsTheDateOf) {
  std::string a = Explain(&s_, "SELECT COUNT(*) FROM ev WHERE event_date = DATE '2022-02-03'");
  EXPECT_TRUE(Contains(a, "partitions: 1 of 3 kept")) << a;
  EXPECT_TRUE(Contains(a, "files: 1 of 2 kept, 1 of 4 parts")) << a;
  std::string b = Explain(&s_, "SELECT COUNT(*) FROM ev WHERE ts >= TIMESTAMP '2022-02-03 00:00:00'");
  EXPECT_TRUE(Contains(b, "partitions: 1 of 3 kept")) << b;
  std::string c = Explain(&s_, "SELECT COUNT(*) FROM ev WHERE ts < '2022-02-02'");
  EXPECT_TRUE(Contains(c, "partitions: 1 of 3 kept")) << c;
  auto n = s_.Execute("SELECT COUNT(*) FROM ev WHERE ts >= TIMESTAMP '2022-02-03 00:00:00'");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(Print((*n)[0], OutputFormat::kCsv), "COUNT(*)\n200\n");
}

TEST_F(PruningTest, SegmentsByEtlDateAndBucketsByKey) {
  std::string a = Explain(&s_, "SELECT SUM(v) FROM ev WHERE etl_date = TIMESTAMP '2022-03-02 00:00:00'");
  EXPECT_TRUE(Contains(a, "files: 1 of 2 kept, 2 of 4 parts")) << a;
  EXPECT_TRUE(Contains(a, "partitions: 3 of 3 kept")) << a;
  std::string b = Explain(&s_, "SELECT v FROM ev WHERE user_id IN (7, 9)");
  EXPECT_TRUE(Contains(b, "buckets: 2 of 8 kept") || Contains(b, "buckets: 1 of 8 kept")) << b;
  EXPECT_TRUE(Contains(b, " of 800 in kept parts and buckets")) << b;
  // The funnel down to rows, and only files holding a kept bucket are opened.
  auto an = s_.Execute("EXPLAIN ANALYZE SELECT COUNT(*) FROM ev WHERE user_id = 7 AND event_date = DATE '2022-02-03'");
  ASSERT_TRUE(an.ok()) << an.status().ToString();
  std::string text = Print((*an)[0], OutputFormat::kCsv);
  EXPECT_TRUE(Contains(text, "partitions: 1 of 3 kept")) << text;
  EXPECT_TRUE(Contains(text, "files: 1 of 2 kept, 1 of 4 parts")) << text;
  EXPECT_TRUE(Contains(text, "buckets: 1 of 8 kept")) << text;
  EXPECT_TRUE(Contains(text, "; 1 segment files opened")) << text;
  auto r = s_.Execute("SELECT v FROM ev WHERE user_id IN (7, 9) ORDER BY v");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Print((*r)[0], OutputFormat::kCsv), "v\n7\n9\n1007\n1009\n2007\n2009\n3007\n3009\n");
}

// A block without min/max that holds values (a NaN; a string over 256 bytes) leaves its
// segment without min/max too: the segment's bounds once covered only the other blocks, and
// filters on them skipped the segment (WHERE d > 50 found nothing). Each filtered count must
// equal the count of the same predicate evaluated on every row.
TEST(ZoneMapPruning, ABlockWithoutStatisticsLeavesItsSegmentUnbounded) {
  TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  ASSERT_TRUE(s.Execute("CREATE TABLE t (k BIGINT, d DOUBLE, s STRING) CLUSTERED BY (k) INTO 2 BUCKETS").ok());
  std::string csv = "k,d,s\n";
  for (int k = 0; k < 12; ++k)
    csv += std::to_string(k) + "," + (k % 6 == 0 ? "NaN" : k % 6 == 1 ? "100" : std::to_string(k % 3)) + "," +
           (k % 6 == 0 ? "zzz" : k % 6 == 1 ? std::string(300, 'x') : std::string("a")) + "\n";
  Load(&s, "t", csv, "2022-03-01");
  for (const char* pred : {"d > 50", "d <= 2", "d = 100", "s = 'zzz'", "s > 'y'", "s >= 'x'", "s < 'b'"}) {
    auto r = s.Execute(std::string("SELECT COUNT(*) FROM t WHERE ") + pred +
                       "; SELECT SUM(CASE WHEN " + pred + " THEN 1 ELSE 0 END) FROM t");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    std::string filtered = Print((*r)[0], OutputFormat::kCsv), all = Print((*r)[1], OutputFormat::kCsv);
    EXPECT_EQ(filtered.substr(filtered.find('\n')), all.substr(all.find('\n'))) << pred;
  }
}

TEST_F(PruningTest, BlockZoneMapsSkipRowGroupsAndAnalyzeCountsThem) {
  // v ranges per bucket row group are disjoint between the loads' days; v < 100 can only be in
  // the first day's row groups.
  std::string a = Explain(&s_, "SELECT COUNT(*) FROM ev WHERE v < 100");
  EXPECT_TRUE(Contains(a, "skipped by block zone maps")) << a;
  auto r = s_.Execute("EXPLAIN ANALYZE SELECT COUNT(*) FROM ev WHERE v < 100");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string text = Print((*r)[0], OutputFormat::kCsv);
  EXPECT_TRUE(Contains(text, "rows=1, time=")) << text;
  EXPECT_TRUE(Contains(text, "blocks,")) << text;
  EXPECT_TRUE(Contains(text, "total: 1 rows")) << text;
  auto n = s_.Execute("SELECT COUNT(*) FROM ev WHERE v < 100");
  EXPECT_EQ(Print((*n)[0], OutputFormat::kCsv), "COUNT(*)\n100\n");
}

TEST_F(PruningTest, ExplainSaysWhenAFilterCannotPrune) {
  std::string a = Explain(&s_, "SELECT COUNT(*) FROM ev WHERE v % 2 = 0");
  EXPECT_TRUE(Contains(a, "cannot prune")) << a;
  std::string b = Explain(&s_, "SELECT user_id, SUM(v) FROM ev GROUP BY user_id");
  EXPECT_TRUE(Contains(b, "BucketByBucket: 8 of 8 buckets")) << b;
}

}  // namespace
}  // namespace wh

namespace wh {
namespace {

// A cohort filter: `user_id IN (100,000 constants)` is a sorted set, not a comparison per
// constant per row (or per zone map): it answers as the equivalent join does, and the buckets
// it cannot match are skipped.
TEST(InList, HundredThousandConstants) {
  TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  ASSERT_TRUE(s.Execute("CREATE TABLE ev (user_id BIGINT NOT NULL, ts TIMESTAMP NOT NULL, tag STRING) "
                        "PARTITIONED BY (d = CAST(ts AS DATE)) CLUSTERED BY (user_id) INTO 45 BUCKETS").ok());
  std::string csv = "user_id,ts,tag\n";
  for (int i = 0; i < 20000; ++i)
    csv += std::to_string(i * 7) + ",2022-02-" + std::to_string(10 + i % 19) + " 10:00:00,t" + std::to_string(i % 300) + "\n";
  auto wh = s.GetWarehouse(false);
  ASSERT_TRUE(wh.ok());
  auto in = StringInput(csv, "ev.csv");
  ASSERT_TRUE(IngestCsvStreams(*wh, "ev", {in.get()}, {}).ok());
  // Every third multiple of 3 below 300,000: 100,000 constants; user ids are multiples of 7.
  std::string list;
  int64_t want = 0;
  for (int k = 0; k < 100000; ++k) list += (k ? "," : "") + std::to_string(k * 3);
  for (int i = 0; i < 20000; ++i) want += (i * 7) % 3 == 0;
  auto r = s.Execute("SELECT COUNT(*), COUNT(DISTINCT tag) FROM ev WHERE user_id IN (" + list + ")");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].columns[0].Get<int64_t>(0), want);
  auto neg = s.Execute("SELECT COUNT(*) FROM ev WHERE user_id NOT IN (" + list + ")");
  ASSERT_TRUE(neg.ok());
  EXPECT_EQ((*neg)[0].columns[0].Get<int64_t>(0), 20000 - want);
  // Strings: 50,000 tags, of which t0..t99 exist.
  std::string tags;
  for (int k = 0; k < 50000; ++k) tags += (k ? ",'t" : "'t") + std::to_string(k < 100 ? k : k + 1000) + "'";
  auto t = s.Execute("SELECT COUNT(*) FROM ev WHERE tag IN (" + tags + ")");
  ASSERT_TRUE(t.ok());
  int64_t want_tags = 0;
  for (int i = 0; i < 20000; ++i) want_tags += i % 300 < 100;
  EXPECT_EQ((*t)[0].columns[0].Get<int64_t>(0), want_tags);
  // A few users: only their buckets are read, and EXPLAIN stays short.
  auto e = s.Execute("EXPLAIN SELECT COUNT(*) FROM ev WHERE user_id IN (7, 14, 21, 28, 35, 42, 49, 56, 63, 70, 77, 84, "
                     "91, 98, 105, 112, 119, 126, 133, 140, 147, 154)");
  ASSERT_TRUE(e.ok());
  std::string plan;
  for (size_t i = 0; i < (*e)[0].rows(); ++i) plan += std::string((*e)[0].columns[0].GetString(i)) + "\n";
  EXPECT_NE(plan.find("... 22 values #"), std::string::npos) << plan;
  // Two long lists that show alike (same first ten values, same count) are still two
  // expressions: not merged as one aggregate or one GROUP BY key.
  std::string a = "7, 14, 21, 28, 35, 42, 49, 56, 63, 70", b = a;
  for (int k = 0; k < 12; ++k) {
    a += ", " + std::to_string(7000 + 7 * k);
    b += ", " + std::to_string(14001 + 7 * k);  // no user has these
  }
  auto two = s.Execute("SELECT COUNT(CASE WHEN user_id IN (" + a + ") THEN 1 END), COUNT(CASE WHEN user_id IN (" + b +
                       ") THEN 1 END), COUNT(CASE WHEN user_id IN (" + a + ") THEN 1 END) FROM ev");
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ((*two)[0].columns[0].Get<int64_t>(0), 22);
  EXPECT_EQ((*two)[0].columns[1].Get<int64_t>(0), 10);
  auto grouped = s.Execute("SELECT user_id IN (" + a + ") AS x, user_id IN (" + b + ") AS y, COUNT(*) FROM ev GROUP BY 1, 2 ORDER BY 1, 2");
  ASSERT_TRUE(grouped.ok()) << grouped.status().ToString();
  ASSERT_EQ((*grouped)[0].rows(), 3u) << "false/false, true/false, true/true";
}

// Nesting of every kind is bounded with an error at CREATE and at use, never a crash: chains
// of CTEs and views, deep expressions, and each of them at its limit runs to the end.
TEST(Limits, NestingIsBoundedEverywhere) {
  TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  ASSERT_TRUE(s.Execute("CREATE TABLE t (id BIGINT NOT NULL, v INT) CLUSTERED BY (id) INTO 4 BUCKETS").ok());
  ASSERT_TRUE(s.Execute("INSERT INTO t SELECT 1, 2").ok());
  auto cte_chain = [](int n) {
    std::string q = "WITH c0 AS (SELECT id, v FROM t)";
    for (int i = 1; i < n; ++i) q += ", c" + std::to_string(i) + " AS (SELECT id, v + 1 AS v FROM c" + std::to_string(i - 1) + ")";
    return q + " SELECT v FROM c" + std::to_string(n - 1);
  };
  auto ok = s.Execute(cte_chain(64));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)[0].columns[0].Get<int32_t>(0), 65);
  for (int n : {66, 4000}) {
    auto deep = s.Execute(cte_chain(n));
    ASSERT_FALSE(deep.ok());
    EXPECT_NE(deep.status().message().find("nest more than 64 deep"), std::string::npos) << deep.status().message();
  }
  // Views: the 64th view on top of t is fine, the 65th is refused at CREATE.
  ASSERT_TRUE(s.Execute("CREATE VIEW v0 AS SELECT id, v FROM t").ok());
  for (int i = 1; i < 64; ++i)
    ASSERT_TRUE(s.Execute("CREATE VIEW v" + std::to_string(i) + " AS SELECT id, v + 1 AS v FROM v" + std::to_string(i - 1)).ok()) << i;
  auto top = s.Execute("SELECT v FROM v63");
  ASSERT_TRUE(top.ok()) << top.status().ToString();
  EXPECT_EQ((*top)[0].columns[0].Get<int32_t>(0), 65);
  auto refused = s.Execute("CREATE VIEW v64 AS SELECT id, v FROM v63");  // 65 deep at every use
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("(v64 -> v63 -> v62 -> ... -> v3 -> v2 -> v1 -> v0)"), std::string::npos) << refused.status().message();
  // A chain made longer afterwards (its bottom view replaced by one over another chain) is an
  // error at use.
  ASSERT_TRUE(s.Execute("CREATE VIEW w0 AS SELECT id, v FROM t").ok());
  for (int i = 1; i < 40; ++i)
    ASSERT_TRUE(s.Execute("CREATE VIEW w" + std::to_string(i) + " AS SELECT id, v FROM w" + std::to_string(i - 1)).ok());
  ASSERT_TRUE(s.Execute("CREATE OR REPLACE VIEW v0 AS SELECT id, v FROM w39").ok());
  auto used = s.Execute("SELECT v FROM v63");
  ASSERT_FALSE(used.ok());
  EXPECT_NE(used.status().message().find("nest more than 64 deep"), std::string::npos) << used.status().message();
  // Expressions at the parser's limit bind, plan and run; a view of them nested in views of
  // them is bounded by the binder.
  std::string expr = "v";
  for (int i = 0; i < 390; ++i) expr = "(" + expr + " + 1)";
  auto e = s.Execute("SELECT " + expr + " FROM t");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ((*e)[0].columns[0].Get<int32_t>(0), 392);
  ASSERT_TRUE(s.Execute("CREATE VIEW x0 AS SELECT id, " + expr + " AS v FROM t").ok());
  Status st;
  for (int i = 1; i < 10 && st.ok(); ++i) {
    auto r = s.Execute("CREATE VIEW x" + std::to_string(i) + " AS SELECT id, " + expr + " AS v FROM (SELECT * FROM (SELECT * FROM x" + std::to_string(i - 1) + "))");
    st = r.status();
  }
  EXPECT_TRUE(st.ok()) << "expressions beside, not inside, each other: " << st.ToString();
}

// A view may not refer to itself, directly or through others (it would fail at every use),
// and a table or view that a view reads cannot be dropped from under it.
TEST(Views, CyclesAndDroppedDependenciesAreRefused) {
  TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  ASSERT_TRUE(s.Execute("CREATE TABLE t (id BIGINT, v INT); CREATE TABLE u (id BIGINT)").ok());
  ASSERT_TRUE(s.Execute("CREATE VIEW a AS SELECT id, v FROM t; CREATE VIEW b AS SELECT id FROM a").ok());
  for (const char* bad : {"CREATE OR REPLACE VIEW a AS SELECT id, v FROM a",
                          "CREATE OR REPLACE VIEW a AS SELECT id, 1 AS v FROM b",
                          "CREATE VIEW c AS SELECT * FROM c"}) {
    auto r = s.Execute(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("refers to itself"), std::string::npos) << r.status().message();
  }
  ASSERT_TRUE(s.Execute("SELECT * FROM b").ok()) << "the refused replacements left the views as they were";
  auto drop_t = s.Execute("DROP TABLE t");
  ASSERT_FALSE(drop_t.ok());
  EXPECT_NE(drop_t.status().message().find("cannot drop table 't': views 'a', 'b' use it"), std::string::npos)
      << drop_t.status().message();
  auto drop_a = s.Execute("DROP VIEW a");
  ASSERT_FALSE(drop_a.ok());
  EXPECT_NE(drop_a.status().message().find("view 'b' uses it"), std::string::npos) << drop_a.status().message();
  ASSERT_TRUE(s.Execute("DROP TABLE u").ok()) << "a table no view reads";
  ASSERT_TRUE(s.Execute("DROP VIEW b; DROP VIEW a; DROP TABLE t").ok());
}

// ORDER BY ... LIMIT keeps the first rows while it reads (top-N): the answer is the first rows
// of the whole sort, with NULLs, DESC, OFFSET and ties, on one thread and over buckets.
TEST(TopN, SameRowsAsTheWholeSort) {
  TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  ASSERT_TRUE(s.Execute("CREATE TABLE t (id BIGINT NOT NULL, v INT, g STRING) CLUSTERED BY (id) INTO 8 BUCKETS").ok());
  std::string csv = "id,v,g\n";
  for (int i = 0; i < 3000; ++i)
    csv += std::to_string(i) + "," + (i % 97 == 0 ? "" : std::to_string((i * 7919) % 1000)) + ",g" + std::to_string(i % 13) + "\n";
  auto wh = s.GetWarehouse(false);
  ASSERT_TRUE(wh.ok());
  auto in = StringInput(csv, "t.csv");
  ASSERT_TRUE(IngestCsvStreams(*wh, "t", {in.get()}, {}).ok());
  auto rows = [](const ResultSet& rs, size_t from, size_t count) {
    std::string out;
    for (size_t i = from; i < from + count && i < rs.rows(); ++i) {
      for (size_t c = 0; c < rs.columns.size(); ++c) out += ValueToText(rs.columns[c], i, "NULL") + "|";
      out += "\n";
    }
    return out;
  };
  const std::string cross = "SELECT a.id AS x, b.id AS y, a.v + b.v AS z FROM t a CROSS JOIN t b WHERE b.id < 50";
  for (const std::string order : {" ORDER BY z DESC NULLS FIRST, x, y", " ORDER BY z, x DESC, y", " ORDER BY g, id DESC"}) {
    const std::string base = order.find(" g,") != std::string::npos ? "SELECT id, g, v FROM t" : cross;
    auto all = s.Execute(base + order);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    for (auto [limit, offset] : {std::pair{7, 0}, {7, 3}, {0, 0}, {1, 70000}, {100000, 0}}) {
      auto top = s.Execute(base + order + " LIMIT " + std::to_string(limit) + " OFFSET " + std::to_string(offset));
      ASSERT_TRUE(top.ok()) << top.status().ToString();
      EXPECT_EQ(rows((*top)[0], 0, SIZE_MAX), rows((*all)[0], offset, limit)) << order << " LIMIT " << limit << " OFFSET " << offset;
    }
  }
  // Ties on the one key: the kept keys are those of the whole sort.
  auto all = s.Execute("SELECT a.v FROM t a CROSS JOIN t b WHERE b.id < 40 ORDER BY a.v");
  auto top = s.Execute("SELECT a.v FROM t a CROSS JOIN t b WHERE b.id < 40 ORDER BY a.v LIMIT 100");
  ASSERT_TRUE(all.ok() && top.ok());
  EXPECT_EQ(rows((*top)[0], 0, SIZE_MAX), rows((*all)[0], 0, 100));
}

// A join whose output is many times its input (a cross join, a key shared by many rows) is
// produced a chunk of pairs at a time; every pair comes out once, and a LEFT / FULL join's
// unmatched probe rows once, with a residual condition deciding the matches.
TEST(Joins, ManyToManyInChunks) {
  TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  ASSERT_TRUE(s.Execute("CREATE TABLE t (id BIGINT NOT NULL, k INT)").ok());
  std::string csv = "id,k\n";
  for (int i = 0; i < 3000; ++i) csv += std::to_string(i) + "," + std::to_string(i % 3) + "\n";
  auto wh = s.GetWarehouse(false);
  ASSERT_TRUE(wh.ok());
  auto in = StringInput(csv, "t.csv");
  ASSERT_TRUE(IngestCsvStreams(*wh, "t", {in.get()}, {}).ok());
  // Expected, pair by pair: same k, a.id < b.id + 5.
  int64_t pairs = 0, sum = 0;
  for (int a = 0; a < 3000; ++a)
    for (int b = a % 3; b < 3000; b += 3)
      if (a < b + 5) {
        ++pairs;
        sum += a * 3000 + b;
      }
  auto inner = s.Execute("SELECT COUNT(*), SUM(a.id * 3000 + b.id) FROM t a JOIN t b ON a.k = b.k AND a.id < b.id + 5");
  ASSERT_TRUE(inner.ok()) << inner.status().ToString();
  EXPECT_EQ((*inner)[0].columns[0].Get<int64_t>(0), pairs);
  EXPECT_EQ(IntegerAt((*inner)[0].columns[1], 0), sum);
  auto left = s.Execute("SELECT COUNT(*), COUNT(b.id) FROM t a LEFT JOIN t b ON a.k = b.k AND a.id < b.id - 2990");
  ASSERT_TRUE(left.ok()) << left.status().ToString();
  int64_t lp = 0, lu = 0;
  for (int a = 0; a < 3000; ++a) {
    int n = 0;
    for (int b = a % 3; b < 3000; b += 3) n += a < b - 2990;
    lp += n;
    lu += n == 0;
  }
  EXPECT_EQ((*left)[0].columns[0].Get<int64_t>(0), lp + lu);
  EXPECT_EQ((*left)[0].columns[1].Get<int64_t>(0), lp);
  auto cross = s.Execute("SELECT COUNT(*), SUM(a.id - b.id) FROM t a CROSS JOIN t b");
  ASSERT_TRUE(cross.ok());
  EXPECT_EQ((*cross)[0].columns[0].Get<int64_t>(0), int64_t{9000000});
  EXPECT_EQ(IntegerAt((*cross)[0].columns[1], 0), 0);
}

// Streamed results print exactly as whole ones do, in every format; with a sink every result
// goes to it in statement order and Execute returns none.
TEST(Executor, StreamedResultsPrintAsWholeOnes) {
  TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  ASSERT_TRUE(s.Execute("CREATE TABLE t (id BIGINT, name STRING, d DECIMAL(5,2))").ok());
  auto wh = s.GetWarehouse(false);
  ASSERT_TRUE(wh.ok());
  auto in = StringInput("id,name,d\n1,\"a,b\",1.50\n2,,\n3,\"q\"\"x\",-2.00\n", "t.csv");
  ASSERT_TRUE(IngestCsvStreams(*wh, "t", {in.get()}, {}).ok());
  for (OutputFormat f : {OutputFormat::kCsv, OutputFormat::kTsv, OutputFormat::kJson, OutputFormat::kJsonl,
                         OutputFormat::kTable, OutputFormat::kMarkdown}) {
    for (const char* q : {"SELECT id, name, d FROM t", "SELECT id, name, d FROM t WHERE id > 5"}) {
      // Whole: ORDER BY (the file's order) is never streamed.
      auto whole = s.Execute(std::string(q) + " ORDER BY id");
      ASSERT_TRUE(whole.ok());
      std::ostringstream want, got;
      PrintResult((*whole)[0], f, want);
      auto writer = ResultWriter::ToStream(&got, f);
      SessionOptions o;
      o.sink = writer.get();
      Session streamed(DefaultFileSystem(), dir.Join("w"), o);
      auto r = streamed.Execute(std::string(q) + "; SHOW TABLES");
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_TRUE(r->empty());
      ASSERT_TRUE(writer->Close().ok());
      ResultSet tables;
      tables.AddColumn("table_name", StringColumn({"t"}));
      tables.AddColumn("kind", StringColumn({"table"}));
      PrintResult(tables, f, want);
      EXPECT_EQ(got.str(), want.str()) << q << " as format " << static_cast<int>(f);
    }
  }
  // A file appears only when every statement succeeded; the old one stays otherwise.
  const std::string out = dir.Join("out.csv");
  testing::WriteAll(out, "old\n");
  {
    auto w = ResultWriter::ToFile(out, OutputFormat::kCsv);
    ASSERT_TRUE(w.ok());
    SessionOptions o;
    o.sink = w->get();
    Session failing(DefaultFileSystem(), dir.Join("w"), o);
    EXPECT_FALSE(failing.Execute("SELECT id FROM t; SELECT CAST(CAST(id AS STRING) || 'x' AS INT) FROM t").ok());
  }
  EXPECT_EQ(testing::ReadAll(out), "old\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator()), 2)
      << "no temporary file is left";
}

TEST(Variables, BoundAsLiteralsAndChecked) {
  auto s = SubstituteVariables("SELECT DATE '${as_of}' -- ${as_of}\n, ${n}, ${as_of}", {{"as_of", "2021-03-01"}, {"n", "-7"}});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(*s, "SELECT DATE '2021-03-01' -- 2021-03-01\n, (-7), '2021-03-01'");
  auto missing = SubstituteVariables("SELECT 1,\n  ${day}", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "line 2, column 3: ${day} has no value (pass --var day=VALUE)");
  EXPECT_FALSE(SubstituteVariables("SELECT 1", {{"unused", "1"}}).ok()) << "a typo in --var must not pass";
  EXPECT_FALSE(SubstituteVariables("SELECT '${1x}'", {}).ok());
  EXPECT_FALSE(SubstituteVariables("SELECT '${open", {}).ok());
  EXPECT_EQ(*SubstituteVariables("SELECT '$x {y}'", {}), "SELECT '$x {y}'") << "only ${ starts a variable";
}

// A value is data: whatever it holds, it is one literal and never more SQL.
TEST(Variables, AValueCannotBecomeSql) {
  const std::vector<std::pair<std::string, std::string>> evil = {{"v", "1; DROP TABLE events"}};
  EXPECT_EQ(*SubstituteVariables("SELECT * FROM t WHERE id = ${v}", evil),
            "SELECT * FROM t WHERE id = '1; DROP TABLE events'");
  EXPECT_EQ(*SubstituteVariables("SELECT '${v}'", {{"v", "x'; DROP TABLE t; --"}}),
            "SELECT 'x''; DROP TABLE t; --'");
  EXPECT_EQ(*SubstituteVariables("SELECT ${v}", {{"v", "it's"}}), "SELECT 'it''s'");
  EXPECT_EQ(*SubstituteVariables("SELECT \"${v}\"", {{"v", "a\"b"}}), "SELECT \"a\"\"b\"");
  EXPECT_EQ(*SubstituteVariables("SELECT 1 -- ${v}\n", {{"v", "x\nDROP TABLE t"}}), "SELECT 1 -- x DROP TABLE t\n");
  EXPECT_EQ(*SubstituteVariables("SELECT 1 /* ${v} */", {{"v", "*/ DROP TABLE t /*"}}),
            "SELECT 1 /*  * / DROP TABLE t /*  */");
  EXPECT_EQ(*SubstituteVariables("SELECT 1 /* *${v} */", {{"v", "/, 2 AS injected /*"}}),
            "SELECT 1 /* * /, 2 AS injected /*  */") << "a * before the value cannot join its /";
  EXPECT_EQ(*SubstituteVariables("SELECT ${v}", {{"v", "1e5"}}), "SELECT 1e5");
  EXPECT_EQ(*SubstituteVariables("SELECT ${v}", {{"v", "1e"}}), "SELECT '1e'");
  EXPECT_EQ(*SubstituteVariables("SELECT ${v}", {{"v", ""}}), "SELECT ''");
  // End to end: the statement runs once, with the value as a string, and nothing is dropped.
  testing::TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  ASSERT_TRUE(s.Execute("CREATE TABLE t (id BIGINT)").ok());
  auto sql = SubstituteVariables("SELECT COUNT(*) FROM t WHERE CAST(id AS STRING) = ${v}", evil);
  ASSERT_TRUE(sql.ok());
  auto r = s.Execute(*sql);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), 1u);
  EXPECT_TRUE(s.Execute("SELECT * FROM t").ok()) << "the table is still there";
}

}  // namespace
}  // namespace wh

namespace wh {
namespace {

// COUNT(DISTINCT) keeps a bitmap per group while groups x distinct values is small and moves to
// a hash table when it is not; the counts must not change across the switch, nor when the
// same pairs come again after it. 3,000 groups x 60,000 values (each group's values spread
// over the whole range) is past the bitmaps' 8 MiB.
TEST(Executor, CountDistinctAcrossTheBitmapLimit) {
  TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  ASSERT_TRUE(s.Execute("CREATE TABLE d (g BIGINT, x BIGINT)").ok());
  auto wh = Warehouse::Open(DefaultFileSystem(), dir.Join("w"), false);
  ASSERT_TRUE(wh.ok());
  std::string csv = "g,x\n";
  for (int i = 0; i < 60000; ++i) csv += std::to_string(i % 3000) + "," + std::to_string(i) + "\n";
  for (int round = 0; round < 2; ++round) {  // the same pairs twice: counted once
    auto in = StringInput(csv, "d.csv");
    IngestOptions o;
    o.force = true;
    ASSERT_TRUE(IngestCsvStreams(wh->get(), "d", {in.get()}, o).ok());
  }
  auto r = s.Execute("SELECT COUNT(*), MIN(n), MAX(n), SUM(n) FROM (SELECT g, COUNT(DISTINCT x) AS n FROM d GROUP BY g) q");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Print(r->back(), OutputFormat::kCsv), "COUNT(*),MIN(n),MAX(n),SUM(n)\n3000,20,20,60000\n");
}

// A FULL merge join's rows come in key order with NULL keys last (the left side's, then the
// right's), even when one side reaches its NULL keys while the other still has larger keys.
// All keys are in one bucket (NULL's, 0), so the rows print in the join's own order.
TEST(Executor, MergeJoinRowsInKeyOrderNullsLast) {
  std::vector<int64_t> k;
  for (int64_t v = 1; k.size() < 4; ++v)
    if (BucketOf(HashInt64Key(v), 4) == 0) k.push_back(v);
  TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  ASSERT_TRUE(s.Execute("CREATE TABLE l (id BIGINT, x INT) CLUSTERED BY (id) INTO 4 BUCKETS;"
                        "CREATE TABLE r (id BIGINT, y INT) CLUSTERED BY (id) INTO 4 BUCKETS").ok());
  const std::string ks[] = {std::to_string(k[0]), std::to_string(k[1]), std::to_string(k[2]), std::to_string(k[3])};
  Load(&s, "l", "id,x\n" + ks[1] + ",1\n,2\n" + ks[0] + ",3\n", "2022-03-01");
  Load(&s, "r", "id,y\n" + ks[3] + ",1\n" + ks[1] + ",2\n,3\n" + ks[2] + ",4\n", "2022-03-01");
  const std::string sql =
      "SELECT id, n, m FROM (SELECT id, COUNT(*) AS n FROM l GROUP BY id) "
      "FULL JOIN (SELECT id, COUNT(*) AS m FROM r GROUP BY id) USING (id)";
  auto plan = s.Execute("EXPLAIN " + sql);
  ASSERT_TRUE(plan.ok());
  EXPECT_NE(Print((*plan)[0], OutputFormat::kCsv).find("MergeJoin FULL"), std::string::npos);
  auto r = s.Execute(sql);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Print((*r)[0], OutputFormat::kCsv), "id,n,m\n" + ks[0] + ",1,\n" + ks[1] + ",1,1\n" + ks[2] + ",,1\n" +
                                                    ks[3] + ",,1\n,1,\n,,1\n");
}

// 150K rows over 7 buckets: each bucket sorts its rows and the runs are merged, the integer
// merge in two halves split at a key (ties straddle no half); with CSV lines (the CLI's path)
// and with columns, ascending and descending, the output is every row once, in key order.
TEST(Executor, LargeSortOverBucketsMergesEveryRowInOrder) {
  TempDir dir;
  Session setup(DefaultFileSystem(), dir.Join("w"));
  ASSERT_TRUE(setup.Execute("CREATE TABLE big (k BIGINT, p INT) CLUSTERED BY (k) INTO 7 BUCKETS").ok());
  const int n = 150000;
  std::string csv = "k,p\n";
  std::vector<std::pair<int64_t, int>> want;
  for (int i = 0; i < n; ++i) {
    int64_t k = (int64_t{i} * 7919) % 50000 - 25000;  // each key three times
    csv += std::to_string(k) + "," + std::to_string(i) + "\n";
    want.emplace_back(k, i);
  }
  Load(&setup, "big", csv, "2022-03-01");
  for (bool lines : {false, true})
    for (bool desc : {false, true}) {
      SessionOptions so;
      if (lines) so.csv_delimiter = ',';
      Session s(DefaultFileSystem(), dir.Join("w"), so);
      auto r = s.Execute(std::string("SELECT k, p FROM big ORDER BY k") + (desc ? " DESC" : ""));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      std::istringstream text(Print((*r)[0], OutputFormat::kCsv));
      std::string line;
      std::getline(text, line);
      ASSERT_EQ(line, "k,p");
      std::vector<std::pair<int64_t, int>> got;
      while (std::getline(text, line)) {
        size_t comma = line.find(',');
        got.emplace_back(std::stoll(line.substr(0, comma)), std::stoi(line.substr(comma + 1)));
      }
      ASSERT_EQ(got.size(), want.size()) << lines << desc;
      for (size_t i = 1; i < got.size(); ++i)
        ASSERT_TRUE(desc ? got[i - 1].first >= got[i].first : got[i - 1].first <= got[i].first)
            << "row " << i << " lines " << lines << " desc " << desc;
      std::sort(got.begin(), got.end());
      std::sort(want.begin(), want.end());
      EXPECT_EQ(got, want) << lines << desc;
    }
}

// ORDER BY over buckets is stable: rows with equal keys (here across buckets: the key is not
// the bucket key) come in bucket order, and within a bucket in the order they are stored - as a
// stable sort of the buckets' rows one after another would give. 150K rows merge in two halves.
TEST(Executor, SortOverBucketsKeepsTiesInBucketOrder) {
  TempDir dir;
  Session setup(DefaultFileSystem(), dir.Join("w"));
  ASSERT_TRUE(setup.Execute("CREATE TABLE ties (k BIGINT, p INT) CLUSTERED BY (k) INTO 7 BUCKETS").ok());
  const int n = 150000;
  std::string csv = "k,p\n";
  struct Row {
    int p;
    uint32_t bucket;
    int64_t k;
  };
  std::vector<Row> want;
  for (int i = 0; i < n; ++i) {
    const int64_t k = i;
    const int p = (i * 7) % 5 - 2;
    csv += std::to_string(k) + "," + std::to_string(p) + "\n";
    want.push_back({p, BucketOf(HashInt64Key(k), 7), k});
  }
  Load(&setup, "ties", csv, "2022-03-01");
  for (bool desc : {false, true}) {
    std::vector<Row> order = want;
    std::stable_sort(order.begin(), order.end(), [](const Row& a, const Row& b) { return a.bucket < b.bucket; });
    std::stable_sort(order.begin(), order.end(), [&](const Row& a, const Row& b) { return desc ? a.p > b.p : a.p < b.p; });
    std::string expected = "k,p\n";
    for (const Row& r : order) expected += std::to_string(r.k) + "," + std::to_string(r.p) + "\n";
    for (bool lines : {false, true}) {
      SessionOptions so;
      if (lines) so.csv_delimiter = ',';
      Session s(DefaultFileSystem(), dir.Join("w"), so);
      auto r = s.Execute(std::string("SELECT k, p FROM ties ORDER BY p") + (desc ? " DESC" : ""));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_TRUE(Print((*r)[0], OutputFormat::kCsv) == expected) << "lines " << lines << " desc " << desc;
    }
  }
}

// Row groups shared by several buckets (format version 2) answer exactly as row groups of one
// bucket each: the same rows per bucket, per key, per join and per window, whether a unit of work
// is one bucket or a range of them, before and after compaction.
TEST(SharedRowGroups, SameAnswersAsRowGroupsOfOneBucket) {
  // A big day (its buckets fill row groups of their own at the default target), small days (one
  // shared row group each) and a late drop into the big day.
  std::string big = "user_id,ts,v\n", small = "user_id,ts,v\n", late = "user_id,ts,v\n";
  std::string pay = "user_id,amount\n";
  for (int i = 0; i < 40000; ++i) big += std::to_string(i % 5000) + ",2022-02-01 10:00:00," + std::to_string(i % 97) + "\n";
  for (int d = 2; d <= 9; ++d)
    for (int i = 0; i < 150; ++i)
      small += std::to_string(i * 13 % 400) + ",2022-02-0" + std::to_string(d) + " 1" + std::to_string(i % 10) +
               ":00:00," + std::to_string(i) + "\n";
  for (int i = 0; i < 300; ++i) late += std::to_string(i * 7) + ",2022-02-01 23:00:00," + std::to_string(-i) + "\n";
  for (int i = 0; i < 3000; ++i) pay += std::to_string(i % 700) + "," + std::to_string(i % 50) + ".25\n";
  const std::vector<std::string> queries = {
      "SELECT user_id, COUNT(*), SUM(v), MIN(ts) FROM ev GROUP BY user_id ORDER BY user_id",
      "SELECT event_date, COUNT(*), COUNT(DISTINCT user_id) FROM ev GROUP BY event_date ORDER BY event_date",
      "SELECT e.user_id, COUNT(*), SUM(p.amount) FROM ev e JOIN pay p ON e.user_id = p.user_id GROUP BY e.user_id "
      "ORDER BY e.user_id",
      "SELECT COUNT(*), SUM(v) FROM ev WHERE user_id = 17",
      "SELECT user_id, v FROM ev WHERE user_id IN (3, 5, 399, 4999) ORDER BY user_id, v",
      "SELECT user_id, ts, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts, v) AS n FROM ev "
      "WHERE event_date > DATE '2022-02-01' ORDER BY user_id, ts, n",
      "SELECT user_id, v FROM ev ORDER BY v DESC, user_id LIMIT 7",
      "SELECT COUNT(*) FROM ev e LEFT JOIN pay p ON e.user_id = p.user_id WHERE p.user_id IS NULL",
  };
  std::vector<std::string> answers[2];
  for (int shared : {0, 1}) {
    TempDir dir;
    Session s(DefaultFileSystem(), dir.Join("w"));
    ASSERT_TRUE(s.Execute("CREATE TABLE ev (user_id BIGINT NOT NULL, ts TIMESTAMP NOT NULL, v INT) "
                          "PARTITIONED BY (event_date = CAST(ts AS DATE)) CLUSTERED BY (user_id) INTO 32 BUCKETS")
                    .ok());
    ASSERT_TRUE(s.Execute("CREATE TABLE pay (user_id BIGINT, amount DECIMAL(10,2)) CLUSTERED BY (user_id) INTO 32 BUCKETS").ok());
    auto wh = s.GetWarehouse(false);
    ASSERT_TRUE(wh.ok());
    int n = 0;
    for (const auto& [table, csv] : std::vector<std::pair<std::string, std::string>>{
             {"ev", big}, {"ev", small}, {"ev", late}, {"pay", pay}}) {
      auto in = StringInput(csv, "d.csv");
      IngestOptions opt;
      opt.compact = false;
      opt.encode.shared_group_rows = shared ? kDefaultSharedGroupRows : 0;
      opt.etl_micros = *ParseTimestamp("2022-03-01") + int64_t{n++} * 86400 * 1000000;
      auto r = IngestCsvStreams(*wh, table, {in.get()}, opt);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
    // The layout asked for: row groups of several buckets only when sharing.
    size_t shared_groups = 0;
    auto snap = (*wh)->GetSnapshot("ev");
    ASSERT_TRUE(snap.ok());
    for (const auto& seg : snap->segments) {
      auto rd = SegmentReader::Open(DefaultFileSystem(), snap->SegmentPath(seg));
      ASSERT_TRUE(rd.ok());
      for (const auto& rg : (*rd)->footer().row_groups) shared_groups += rg.index_count > 1;
    }
    if (shared) {
      EXPECT_GE(shared_groups, 9u);
    } else {
      EXPECT_EQ(shared_groups, 0u);
    }
    // Small days only: each is one row group of all 32 buckets, so the units are coarser;
    // and they hold few rows (under 8 x 64K), so as many units as cores (two at least; two
    // on CI's machine), not the 8 of larger scans.
    if (shared) {
      int level = 1;
      while ((1u << level) < std::thread::hardware_concurrency()) ++level;
      const std::string units = "in " + std::to_string(1 << std::min(level, 3)) + " units of work";
      EXPECT_TRUE(Contains(Explain(&s, "SELECT user_id, COUNT(*) FROM ev WHERE event_date > DATE '2022-02-01' GROUP BY user_id"),
                           units))
          << units;
    }
    for (int compacted : {0, 1}) {
      if (compacted) {
        CompactOptions o;
        o.full = true;
        auto c = CompactTable(*wh, "ev", o);
        ASSERT_TRUE(c.ok()) << c.status().ToString();
      }
      for (const auto& q : queries) {
        auto r = s.Execute(q);
        ASSERT_TRUE(r.ok()) << q << ": " << r.status().ToString();
        std::string text = Print((*r)[0], OutputFormat::kCsv);
        if (shared || compacted) {
          EXPECT_EQ(text, answers[0][&q - &queries[0]]) << q << " (shared " << shared << ", compacted " << compacted << ")";
        } else {
          answers[0].push_back(text);
        }
      }
    }
    auto v = VerifyTable(*wh, "ev", [&](const std::string& m) { ADD_FAILURE() << m; });
    EXPECT_EQ(v.problems, 0u);
  }
}

// The units of work of a bucketed scan, planned from the manifest alone: days of 300 rows a
// bucket, whose buckets share row groups four by four (ShareBuckets: 8 ranges of 32 buckets).
// Many rows: a unit per bucket (a shared row group is decoded once for all the units reading
// it, and each unit's hash table is then a bucket's), unless the shared row groups would not
// fit the statement's cache of decoded blocks. Few rows, or past the cache: the 8 units of
// whole row groups, each row group visited once. In between, coarser until units hold 64K
// rows on average.
TEST(SharedRowGroups, UnitsOfWorkAreBucketsUnlessTheRowsAreFew) {
  auto level_for = [](int days, uint64_t budget) {
    auto table = std::make_shared<TableSnapshot>();
    table->schema.bucket_count = 32;
    for (int d = 0; d < days; ++d) {
      SegmentEntry e;
      e.path = "data/f" + std::to_string(d / 100) + ".whs";
      e.partition = d;
      for (uint32_t b = 0; b < 32; ++b) e.bucket_rows.emplace_back(b, 300);
      e.rows = 32 * 300;  // more than kSpanPartRows: a part's row groups are its own
      table->segments.push_back(e);
    }
    PlanNode scan;
    scan.kind = PlanNode::kScan;
    scan.table = table;
    scan.out.resize(2);  // two BIGINT columns read: 16 bytes a row decoded, as estimated
    for (auto& c : scan.out) c.type = DataType::Int64();
    scan.storage_columns = {0, 1};
    for (size_t i = 0; i < table->segments.size(); ++i) scan.pruning.segments.push_back(i);
    return UnitLevel(scan, 32, budget);
  };
  const std::vector<uint32_t> share = ShareBuckets(std::vector<uint64_t>(32, 300), kDefaultSharedGroupRows);
  ASSERT_EQ(share[0], 4u);  // the layout the estimate assumes
  const uint64_t cache = ExecOptions().shared_block_bytes;
  EXPECT_EQ(level_for(300, cache), 5);     // 2.9M rows (46 MB decoded): 32 units
  EXPECT_EQ(level_for(300, 32 << 20), 3);  // the same past a 32 MiB cache: 8 units
  EXPECT_EQ(level_for(150, cache), 4);     // 1.4M rows: 16 units of 90K rows
  // 192K rows: under 8 units of 64K, so as many units as cores (two at least: of 96K rows),
  // at most one a bucket.
  int cores = 1;
  while ((1u << cores) < std::thread::hardware_concurrency()) ++cores;
  EXPECT_EQ(level_for(20, cache), std::min(cores, 5));
  EXPECT_EQ(level_for(10, cache), std::min(cores, 5));   // 96K rows: the same
  EXPECT_EQ(level_for(60, cache), 3);  // 576K rows: 8 units of 72K (whole row groups)
}

// A shared row group's blocks are decoded once per statement while they fit the budget, and
// again for every unit past it.
TEST(SharedRowGroups, BlocksDecodedOnceWithinTheBudget) {
  TempDir dir;
  const std::string path = dir.Join("s.whs");
  {
    auto f = DefaultFileSystem()->NewWritableFile(path);
    ASSERT_TRUE(f.ok());
    Column k(DataType::Int64());
    for (int i = 0; i < 100; ++i) k.Append<int64_t>(i);
    SegmentWriter w(f->get(), {{"k", DataType::Int64(), false}}, {});
    w.ShareRowGroups({4, 4, 4, 4});
    ASSERT_TRUE(w.AddRows(0, {&k}, 0, 50).ok());
    ASSERT_TRUE(w.AddRows(3, {&k}, 50, 100).ok());
    ASSERT_TRUE(w.Finish().ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  auto r = SegmentReader::Open(DefaultFileSystem(), path);
  ASSERT_TRUE(r.ok());
  std::shared_ptr<SegmentReader> reader(std::move(*r));
  ASSERT_EQ(reader->footer().row_groups.size(), 1u);
  for (size_t budget : {size_t{1} << 20, size_t{0}}) {
    ExecOptions o;
    o.shared_block_bytes = budget;
    ExecContext ctx(DefaultFileSystem(), o);
    bool decoded = false;
    auto a = ctx.SharedBlock(reader, 0, 0, &decoded);
    ASSERT_TRUE(a.ok());
    EXPECT_TRUE(decoded);
    auto b = ctx.SharedBlock(reader, 0, 0, &decoded);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(decoded, budget == 0) << budget;
    EXPECT_EQ((*b)->size(), 100u);
    EXPECT_EQ((*b)->Get<int64_t>(99), 99);
  }
}

}  // namespace
}  // namespace wh
