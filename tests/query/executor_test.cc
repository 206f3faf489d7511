#include <gtest/gtest.h>

#include <sstream>

#include "ingest/ingest.h"
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
  EXPECT_NE(bad_part.status().message().find("must be DATE or TIMESTAMP"), std::string::npos)
      << bad_part.status().message();
  auto sum = s.Execute("SELECT SUM(total) AS t, MAX(user_id) FROM payments");
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(Print((*sum)[0], OutputFormat::kCsv), "t,MAX(user_id)\n61.520000000000000500,2\n");
  ASSERT_TRUE(s.Execute("DROP TABLE payments").ok());
  EXPECT_EQ((*s.Execute("SHOW TABLES"))[0].rows(), 0u);
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

}  // namespace
}  // namespace wh
