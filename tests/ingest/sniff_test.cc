// The sniffer (ingest/sniff.h) and files queried in place (read_csv, read_json, FROM 'path').
// What DuckDB also answers is compared with DuckDB in tests/diff/queries/files.sql; these are
// the cases where wh decides on its own (names, keys, errors) or where a peer is not needed.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ingest/sniff.h"
#include "query/query.h"
#include "tests/test_util.h"

namespace wh {
namespace {

using testing::TempDir;

std::string Write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::string path = dir.Join(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string Types(const SniffResult& r) {
  std::string s;
  for (const auto& c : r.columns) s += (s.empty() ? "" : " ") + c.name + ":" + c.type.ToString();
  return s;
}

TEST(Sniff, CsvDelimiterHeaderAndTypes) {
  TempDir dir;
  auto r = SniffInputs({Write(dir, "a.csv", "k|v|when|flag|code\n1|2.5|2024-01-02 03:04:05|true|007\n2||2024-01-03T00:00:00|false|12\n")}, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->delimiter, '|');
  EXPECT_TRUE(r->header);
  EXPECT_EQ(Types(*r), "k:BIGINT v:DOUBLE when:TIMESTAMP flag:BOOLEAN code:STRING");
  // All text: the first row is a header when its fields are distinct names.
  auto t = SniffInputs({Write(dir, "t.csv", "name,city\nann,paris\nbob,rome\n")}, {});
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->header);
  EXPECT_EQ(Types(*t), "name:STRING city:STRING");
  // Numbers all the way: no header, columns column0, column1.
  auto n = SniffInputs({Write(dir, "n.csv", "1,2\n3,4\n")}, {});
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(n->header);
  EXPECT_EQ(Types(*n), "column0:BIGINT column1:BIGINT");
  // Names that are not identifiers, repeated, empty, or etl_date.
  auto names = SniffInputs({Write(dir, "names.csv", "first name,First Name,,etl_date,2x\na,b,c,d,e\n")}, {});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(Types(*names), "first_name:STRING First_Name_1:STRING column2:STRING etl_date_1:STRING _2x:STRING");
  // Day-first dates; options win over guesses.
  auto d = SniffInputs({Write(dir, "d.csv", "day,n\n31/01/2024,1\n")}, {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Types(*d), "day:DATE n:BIGINT");
  ASSERT_EQ(d->time_formats.size(), 1u);
  EXPECT_EQ(d->time_formats[0].second, "%d/%m/%Y");
  SniffOptions text;
  text.all_varchar = true;
  EXPECT_EQ(Types(*SniffInputs({dir.Join("d.csv")}, text)), "day:STRING n:STRING");
  // A lone row: a header only when its fields are distinct text.
  auto lone = SniffInputs({Write(dir, "lone.csv", "1,2\n")}, {});
  ASSERT_TRUE(lone.ok());
  EXPECT_FALSE(lone->header);
  EXPECT_EQ(Types(*lone), "column0:BIGINT column1:BIGINT");
  EXPECT_TRUE(SniffInputs({Write(dir, "lone2.csv", "a,b\n")}, {})->header);
  // DuckDB's number rules: a plus sign, a leading zero or no digit at all is text; t/f are booleans.
  EXPECT_EQ(Types(*SniffInputs({Write(dir, "words.csv", "a,b,c,d\ninf,+5,t,1\nnan,6,f,2\n")}, {})),
            "a:STRING b:STRING c:BOOLEAN d:BIGINT");
  // A quoting error in a whole file is reported where it is, not taken for another delimiter.
  auto unterminated = SniffInputs({Write(dir, "u.csv", "a,b\n1,\"x\"\"y\"\n2,\"open\n")}, {});
  ASSERT_FALSE(unterminated.ok());
  EXPECT_NE(unterminated.status().message().find("u.csv:3: unterminated quoted field"), std::string::npos)
      << unterminated.status().message();
  // Empty and ragged files are refused by name.
  auto empty = SniffInputs({Write(dir, "e.csv", "\n")}, {});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("e.csv: the file is empty"), std::string::npos);
  auto ragged = SniffInputs({Write(dir, "r.csv", "a,b\n1\n2,3,4\n5,6\n7\n")}, {});
  ASSERT_FALSE(ragged.ok());
  EXPECT_NE(ragged.status().message().find("r.csv: the rows do not have the same number of fields (with ',' the "
                                           "first row has 2 fields and row 2 has 1)"),
            std::string::npos) << ragged.status().message();
}

TEST(Sniff, JsonKeysAndKinds) {
  TempDir dir;
  SniffOptions o;
  o.format = InputFormat::kJson;
  auto r = SniffInputs({Write(dir, "a.json",
                              "{\"id\": 1, \"Tags\": [1, 2], \"m\": {\"k\": 1}, \"x\": 1, \"day\": \"2024-01-02\"}\n"
                              "{\"ID\": 2, \"x\": \"one\", \"f\": 1.5, \"big\": 18446744073709551615, \"b\": true}\n")},
                       o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Keys match ignoring case (ID is id); nested values and mixed kinds are STRING.
  EXPECT_EQ(Types(*r), "id:BIGINT Tags:STRING m:STRING x:STRING day:DATE f:DOUBLE big:DOUBLE b:BOOLEAN");
  auto bad = SniffInputs({Write(dir, "bad.json", "{\"a\": 1\n")}, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.json: invalid JSON"), std::string::npos) << bad.status().message();
  auto arr = SniffInputs({Write(dir, "arr.json", "[1, 2]\n")}, o);
  ASSERT_FALSE(arr.ok());
  EXPECT_NE(arr.status().message().find("expected JSON objects"), std::string::npos);
}

std::string Csv(Session* s, const std::string& sql) {
  auto r = s->Execute(sql);
  if (!r.ok()) return "error: " + r.status().message();
  std::ostringstream o;
  PrintResult(r->back(), OutputFormat::kCsv, o);
  return o.str();
}

TEST(ReadFiles, QueriedWithoutAWarehouse) {
  TempDir dir;
  Write(dir, "a.json", "{\"User Id\": 1, \"Name\": \"ann\", \"nested\": {\"k\": [1]}}\n{\"user id\": 2, \"name\": null}\n");
  Write(dir, "b.csv", "x,y\n1,2\n");
  Write(dir, "c.csv", "x,y\n3,4\n");
  Session s(DefaultFileSystem(), dir.Join("no-warehouse"));
  EXPECT_EQ(Csv(&s, "SELECT * FROM read_json('" + dir.Join("a.json") + "')"),
            "User_Id,Name,nested\n1,ann,\"{\"\"k\"\": [1]}\"\n2,,\n");
  EXPECT_EQ(Csv(&s, "SELECT sum(x), sum(y) FROM '" + dir.Join("*.csv") + "'"), "sum(x),sum(y)\n4,6\n");
  EXPECT_EQ(Csv(&s, "SELECT count(*) FROM read_csv('" + dir.Join("b.csv") + "', header = false)"), "count(*)\n2\n");
  EXPECT_EQ(Csv(&s, "DESCRIBE '" + dir.Join("b.csv") + "'"),
            "column_name,data_type,nullable,comment\nx,BIGINT,YES,\ny,BIGINT,YES,\n");
  // A table needs the warehouse; the error says there is none.
  EXPECT_NE(Csv(&s, "SELECT * FROM t").find("no warehouse"), std::string::npos);
  // A Parquet file written by COPY reads back in place, with its types (tests/parquet/ has more).
  EXPECT_EQ(Csv(&s, "COPY (SELECT 1 AS a, 'x' AS b, DATE '2024-01-02' AS c) TO '" + dir.Join("x.parquet") + "'"),
            "rows_copied\n1\n");
  EXPECT_EQ(Csv(&s, "SELECT * FROM read_parquet('" + dir.Join("x.parquet") + "')"), "a,b,c\n1,x,2024-01-02\n");
  EXPECT_EQ(Csv(&s, "SELECT typeof(a), typeof(c) FROM '" + dir.Join("x.parquet") + "'"),
            "typeof(a),typeof(c)\nINTEGER,DATE\n");
  EXPECT_NE(Csv(&s, "SELECT * FROM read_parquet('" + dir.Join("x.parquet") + "', hive_partitioning = true)")
                .find("hive_partitioning is not supported yet"),
            std::string::npos);
  EXPECT_NE(Csv(&s, "SELECT * FROM 'x.xlsx'").find("cannot tell the format"), std::string::npos);
  EXPECT_NE(Csv(&s, "SELECT * FROM read_csv('" + dir.Join("b.csv") + "', delim = ';;')").find("one character"),
            std::string::npos);
  EXPECT_NE(Csv(&s, "SELECT * FROM read_csv('" + dir.Join("nope*.csv") + "')").find("nope*.csv"), std::string::npos);
  EXPECT_NE(Csv(&s, "SELECT * FROM generate_series(1, 3)").find("no table function generate_series"), std::string::npos);
  // Files of one pattern match columns by the header's names, whatever their order.
  Write(dir, "o1.csv", "a,b\n1,x\n");
  Write(dir, "o2.csv", "b,a\ny,2\n");
  EXPECT_EQ(Csv(&s, "SELECT * FROM '" + dir.Join("o*.csv") + "' ORDER BY a"), "a,b\n1,x\n2,y\n");
  // A key named etl_date reads as the column etl_date_1; nested JSON text without the spaces after it.
  Write(dir, "k.jsonl", "{\"id\": 1, \"etl_date\": \"2024-01-01\", \"n\": {\"c\": 2}  }\n");
  EXPECT_EQ(Csv(&s, "SELECT * FROM '" + dir.Join("k.jsonl") + "'"), "id,etl_date_1,n\n1,2024-01-01,\"{\"\"c\"\": 2}\"\n");
  // A JSON array of objects (COPY ... (ARRAY true), many exports) reads as its objects, in a
  // query and in an ingest; brackets and commas inside strings stay.
  EXPECT_EQ(Csv(&s, "COPY (SELECT 1 AS a, 'x,]}[' AS b UNION ALL SELECT 2, 'y\"') TO '" + dir.Join("arr.json") +
                        "' (FORMAT json, ARRAY true)"),
            "rows_copied\n2\n");
  EXPECT_EQ(Csv(&s, "SELECT * FROM '" + dir.Join("arr.json") + "' ORDER BY a"), "a,b\n1,\"x,]}[\"\n2,\"y\"\"\"\n");
  Session w(DefaultFileSystem(), dir.Join("w"));
  ASSERT_TRUE(w.Execute("CREATE TABLE j (A INT, b STRING)").ok());
  auto loaded = w.Execute("COPY j FROM '" + dir.Join("arr.json") + "'; SELECT count(*), max(b) FROM j");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  std::ostringstream o;
  PrintResult(loaded->back(), OutputFormat::kCsv, o);
  EXPECT_EQ(o.str(), "count(*),max(b)\n2,\"y\"\"\"\n");
  // A JSON array cut short (no closing ']') is an error, in a query and in an ingest.
  Write(dir, "cut.json", "[{\"A\": 1},\n{\"A\": 2}\n");
  EXPECT_NE(Csv(&s, "SELECT * FROM '" + dir.Join("cut.json") + "'").find("no closing ']'"), std::string::npos);
  auto cut = w.Execute("COPY j FROM '" + dir.Join("cut.json") + "'");
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("no closing ']'"), std::string::npos) << cut.status().message();
  // A value the sample did not see fails with the file and line.
  std::string big = "n\n";
  for (int i = 0; i < 30000; ++i) big += "1\n";
  big += "x\n";
  Write(dir, "late.csv", big);
  std::string late = Csv(&s, "SELECT count(*) FROM '" + dir.Join("late.csv") + "'");
  EXPECT_NE(late.find("late.csv:30002"), std::string::npos) << late;
  EXPECT_NE(late.find("cannot read 'x' as BIGINT"), std::string::npos) << late;
  EXPECT_NE(late.find("all_varchar = true"), std::string::npos) << late;
  EXPECT_EQ(Csv(&s, "SELECT count(*) FROM read_csv('" + dir.Join("late.csv") + "', sample_size = -1)"), "count(*)\n30001\n");
  EXPECT_EQ(Csv(&s, "SELECT count(*) FROM read_csv('" + dir.Join("late.csv") + "', all_varchar = true)"), "count(*)\n30001\n");
}

}  // namespace
}  // namespace wh
