// JSON input: JSON lines and whole-object files, value mapping, errors with file:line, tolerant
// mode, objects across read chunks; and the expansion of directories and patterns of inputs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ingest/ingest.h"
#include "query/query.h"
#include "tests/test_util.h"

namespace wh {
namespace {

using testing::TempDir;

class JsonIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = std::move(Warehouse::Open(DefaultFileSystem(), dir_.Join("w"), true)).value();
    Session s(DefaultFileSystem(), dir_.Join("w"));
    auto r = s.Execute(
        "CREATE TABLE logs (user_id BIGINT NOT NULL, name STRING, ts TIMESTAMP, amount DECIMAL(20,6), "
        "score DOUBLE, ok BOOLEAN, day DATE, extra STRING) CLUSTERED BY (user_id) INTO 4 BUCKETS");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  Result<IngestResult> Ingest(const std::string& json, IngestOptions o = {}, const std::string& name = "l.json") {
    auto in = StringInput(json, name);
    o.format = InputFormat::kJson;
    o.etl_micros = *ParseTimestamp("2022-03-01");
    if (o.time_formats.empty()) o.time_formats = {{"ts", "epoch_ms"}, {"day", "%d/%m/%Y"}};
    return IngestCsvStreams(wh_.get(), "logs", {in.get()}, o);
  }
  std::string Query(const std::string& sql) {
    Session s(DefaultFileSystem(), dir_.Join("w"));
    auto r = s.Execute(sql);
    if (!r.ok()) return "error: " + r.status().ToString();
    std::string out;
    const ResultSet& rs = r->back();
    for (size_t i = 0; i < rs.rows(); ++i) {
      for (size_t c = 0; c < rs.columns.size(); ++c) out += (c ? "|" : "") + ValueToText(rs.columns[c], i, "NULL");
      out += "\n";
    }
    return out;
  }
  TempDir dir_;
  std::unique_ptr<Warehouse> wh_;
};

TEST_F(JsonIngestTest, ValuesAreReadExactly) {
  auto r = Ingest(
      "{\"user_id\": 1, \"Name\": \"a\\u00e9\\\"b\", \"ts\": 1541105830796, \"amount\": 12345678901234.000001,"
      " \"score\": 2.5e-3, \"ok\": true, \"day\": \"27/10/2018\", \"unknown\": [1, 2]}\n"
      "{\"user_id\": \"2\", \"ts\": 1540919166796.0, \"amount\": -0.5, \"ok\": false, \"extra\": {\"k\": [1, {\"x\": null}]}}\r\n"
      "\n"
      "  {\"user_id\": 3, \"name\": null, \"ts\": null, \"amount\": \"\", \"score\": \"\", \"extra\": [\"s\"]}  \n"
      "{\"user_id\": 4}");  // no newline at the end
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 4u);
  EXPECT_EQ(Query("SELECT user_id, name, ts, amount, score, ok, day, extra FROM logs ORDER BY user_id"),
            "1|a\xc3\xa9\"b|2018-11-01 20:57:10.796|12345678901234.000001|0.0025|true|2018-10-27|NULL\n"
            "2|NULL|2018-10-30 17:06:06.796|-0.500000|NULL|false|NULL|{\"k\": [1, {\"x\": null}]}\n"
            "3|NULL|NULL|NULL|NULL|NULL|NULL|[\"s\"]\n"
            "4|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n");
}

TEST_F(JsonIngestTest, ByteOrderMarkAtTheStartIsSkipped) {
  auto r = Ingest("\xEF\xBB\xBF{\"user_id\": 5}\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Query("SELECT user_id FROM logs"), "5\n");
}

TEST_F(JsonIngestTest, PrettyPrintedObjects) {
  auto r = Ingest("{\n  \"user_id\": 7,\n  \"name\": \"multi\\nline\"\n}\n{\n\"user_id\": 8\n}\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Query("SELECT user_id, name FROM logs ORDER BY 1"), "7|multi\nline\n8|NULL\n");
}

TEST_F(JsonIngestTest, ErrorsNameFileLineAndKeyAndCommitNothing) {
  struct Case {
    std::string json, want;
  } cases[] = {
      {"{\"user_id\": 1}\n{\"user_id\": 2, \"amount\": \"x\"}\n", "l.json:2: key 'amount': cannot read 'x' as DECIMAL(20,6)"},
      {"{\"user_id\": 1}\n\n{\"name\": \"n\"}\n", "l.json:3: no key 'user_id', and the column is NOT NULL"},
      {"{\"user_id\": null}\n", "l.json:1: key 'user_id' is null, but column 'user_id' is NOT NULL"},
      {"{\"user_id\": \"\"}\n", "l.json:1: key 'user_id' is empty"},
      {"{\"user_id\": 1, \"score\": {\"a\": 1}}\n", "l.json:1: key 'score' holds a nested object; column 'score' is DOUBLE"},
      {"{\"user_id\": 1, \"user_id\": 2}\n", "l.json:1: key 'user_id' appears twice"},
      {"[1, 2]\n", "l.json:1: expected a JSON object"},
      {"{\"user_id\": 1}\n{\"user_id\": 2, \"day\": \"2018-10-27\"}\n", "l.json:2: key 'day': cannot read '2018-10-27' as DATE (format %d/%m/%Y)"},
      {"{\"user_id\": 1}\n{\"user_id\": 2, \"name\": \"x\"", "l.json:2: the input ends inside a JSON object"},
      {"{\"user_id\": 1}\n{\"user_id\": 2,, \"name\": \"x\"}\n", "l.json:2: invalid JSON"},
      {"\n\n", "l.json: the input holds no JSON objects"},
  };
  for (const auto& c : cases) {
    auto r = Ingest(c.json);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message() << "\nwanted: " << c.want;
  }
  EXPECT_EQ(Query("SELECT COUNT(*) FROM logs"), "0\n");
}

TEST_F(JsonIngestTest, TolerantModeSkipsBadObjects) {
  IngestOptions o;
  o.max_errors = 2;
  auto r = Ingest("{\"user_id\": 1}\n{\"user_id\": \"x\"}\n{\"user_id\": 3}\n{\"name\": \"n\"}\n", o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 2u);
  ASSERT_EQ(r->rejects.size(), 2u);
  EXPECT_EQ(r->rejects[0].line, 2u);
  EXPECT_EQ(r->rejects[0].fields, "{\"user_id\": \"x\"}");
  EXPECT_EQ(r->rejects[1].line, 4u);
  EXPECT_EQ(Query("SELECT user_id FROM logs ORDER BY 1"), "1\n3\n");
  o.max_errors = 1;
  auto over = Ingest("{\"user_id\": \"x\"}\n{\"user_id\": \"y\"}\n", o, "m.json");
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.status().message().find("m.json:2"), std::string::npos) << over.status().message();
}

TEST_F(JsonIngestTest, ObjectsAcrossReadChunks) {
  // About 20 MiB: several 8 MiB parse chunks, objects of varied length cut anywhere, and one
  // object longer than a chunk's remainder.
  std::string json;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    json += "{\"user_id\": " + std::to_string(i) + ", \"name\": \"" + std::string(i % 197, 'x') + "\", \"score\": " +
            std::to_string(i) + ".5}\n";
    if (i == 123456) json += "{\"user_id\": -1, \"name\": \"" + std::string(9 << 20, 'y') + "\"}\n";
  }
  auto r = Ingest(json);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, static_cast<uint64_t>(n) + 1);
  EXPECT_EQ(Query("SELECT COUNT(*), SUM(user_id), CAST(SUM(score) AS BIGINT), MAX(LENGTH(name)) FROM logs"),
            "200001|19999899999|20000000000|9437184\n");
  // An error after the first chunk still names its line.
  json += "{\"user_id\": \"bad\"}\n";
  auto bad = Ingest(json);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("l.json:" + std::to_string(n + 2) + ":"), std::string::npos)
      << bad.status().message();
}

void Touch(const std::string& path) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << "x";
}

TEST(ExpandInputPaths, DirectoriesAndPatterns) {
  TempDir d;
  const std::string r = d.path();
  for (const char* f : {"logs/2018/11/b.json", "logs/2018/11/a.json", "logs/2018/12/c.json", "logs/top.json",
                        "logs/2018/notes.txt", "logs/.hidden/h.json", "logs/2018/.h.json"})
    Touch(r + "/" + f);
  auto dir = ExpandInputPaths({r + "/logs"});
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  std::vector<std::string> want = {r + "/logs/2018/11/a.json", r + "/logs/2018/11/b.json", r + "/logs/2018/12/c.json",
                                   r + "/logs/2018/notes.txt", r + "/logs/top.json"};
  EXPECT_EQ(*dir, want);
  auto deep = ExpandInputPaths({r + "/logs/**/*.json"});
  ASSERT_TRUE(deep.ok()) << deep.status().ToString();
  want = {r + "/logs/2018/11/a.json", r + "/logs/2018/11/b.json", r + "/logs/2018/12/c.json", r + "/logs/top.json"};
  EXPECT_EQ(*deep, want);
  auto one = ExpandInputPaths({r + "/logs/2018/1?/[ab].json", "-"});
  ASSERT_TRUE(one.ok());
  want = {r + "/logs/2018/11/a.json", r + "/logs/2018/11/b.json", "-"};
  EXPECT_EQ(*one, want);
  EXPECT_FALSE(ExpandInputPaths({r + "/logs/**/*.csv"}).ok());
  EXPECT_EQ(ExpandInputPaths({r + "/plain.csv"})->at(0), r + "/plain.csv") << "a plain path is left for open to judge";

  EXPECT_EQ(*FormatFromNames({"a.json", "b.JSONL", "c.ndjson.gz"}), InputFormat::kJson);
  EXPECT_EQ(*FormatFromNames({"a.csv", "b.csv.zst"}), InputFormat::kCsv);
  EXPECT_FALSE(FormatFromNames({"a.csv", "b.json"}).ok());
}

}  // namespace
}  // namespace wh
