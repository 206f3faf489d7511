// SQL logic tests: every tests/sql/*.test file runs in a fresh warehouse. Each query runs three
// ways (pruning on with all cores, pruning and merge joins off, one thread) and every run must
// give the expected rows: the differential check that pruning, the join method and parallelism
// never change an answer.
//
// File format (records separated by blank lines; `#` starts a comment line):
//
//   statement ok                     statement error <text the error must contain>
//   <SQL, one or more lines>         <SQL>
//
//   ingest <table> <etl date>        CSV (header first) ingested as one commit
//   <csv lines>
//
//   query [TYPES] [rowsort]          expected rows: values joined by '|', NULL as NULL; with
//   <SQL>                            rowsort both sides are sorted before comparing. TYPES,
//   ----                             one letter per result column, declares the result's
//   <rows>                           types: I INT or BIGINT, R DOUBLE, N DECIMAL, T STRING,
//                                    D DATE, S TIMESTAMP, B BOOLEAN (as DuckDB's `query II`)
//
//
//   explain <SQL on one line>        EXPLAIN's text must contain each given text, and must not
//   contains <text>                  contain the texts given with lacks
//   lacks <text>
//
// A SQL line `@file PATH` stands for the contents of that file of the repository. Files in
// tests/sql/function/ (one per function family) run as function_<name>.
#include <gtest/gtest.h>

#include <algorithm>
#include <dirent.h>
#include <fstream>
#include <sstream>

#include "ingest/ingest.h"
#include "query/query.h"
#include "tests/test_util.h"

namespace wh {
namespace {

std::vector<std::string> TestFiles() {
  std::vector<std::string> out;
  for (const char* sub : {"", "function/"}) {
    std::string dir = std::string(WH_SOURCE_DIR) + "/tests/sql/" + sub;
    if (DIR* d = opendir(dir.c_str())) {
      while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n.size() > 5 && n.substr(n.size() - 5) == ".test") out.push_back(sub + n.substr(0, n.size() - 5));
      }
      closedir(d);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The letter of a result column's type in `query TYPES` lines.
char TypeLetter(const DataType& t) {
  switch (t.id) {
    case TypeId::kInt32:
    case TypeId::kInt64: return 'I';
    case TypeId::kDouble: return 'R';
    case TypeId::kDecimal: return 'N';
    case TypeId::kString: return 'T';
    case TypeId::kDate: return 'D';
    case TypeId::kTimestamp: return 'S';
    case TypeId::kBoolean: return 'B';
    case TypeId::kList: return 'L';
  }
  return '?';
}

std::vector<std::string> Rows(const ResultSet& rs) {
  std::vector<std::string> rows;
  for (size_t i = 0; i < rs.rows(); ++i) {
    std::string line;
    for (size_t c = 0; c < rs.columns.size(); ++c) {
      if (c) line += "|";
      line += ValueToText(rs.columns[c], i, "NULL");
    }
    rows.push_back(line);
  }
  return rows;
}

struct Record {
  std::string kind;  // statement, query, ingest
  std::string arg;   // "ok" / error text / "rowsort" / table and etl date
  std::string sql;
  std::vector<std::string> expected;
  std::vector<std::string> lacks;  // explain: texts that must not appear
  int line = 0;
};

std::vector<Record> Parse(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::vector<Record> out;
  size_t i = 0;
  while (i < lines.size()) {
    if (lines[i].empty() || lines[i][0] == '#') {
      ++i;
      continue;
    }
    Record r;
    r.line = static_cast<int>(i + 1);
    std::string head = lines[i++];
    size_t sp = head.find(' ');
    r.kind = head.substr(0, sp);
    r.arg = sp == std::string::npos ? "" : head.substr(sp + 1);
    bool in_result = false;
    while (i < lines.size() && !lines[i].empty()) {
      if (r.kind == "query" && lines[i] == "----") {
        in_result = true;
      } else if (r.kind == "explain" && lines[i].rfind("contains ", 0) == 0) {
        r.expected.push_back(lines[i].substr(9));
      } else if (r.kind == "explain" && lines[i].rfind("lacks ", 0) == 0) {
        r.lacks.push_back(lines[i].substr(6));
      } else if (in_result) {
        r.expected.push_back(lines[i]);
      } else if (lines[i].rfind("@file ", 0) == 0) {
        r.sql += testing::ReadAll(std::string(WH_SOURCE_DIR) + "/" + lines[i].substr(6)) + "\n";
      } else {
        r.sql += lines[i] + "\n";
      }
      ++i;
    }
    out.push_back(std::move(r));
  }
  return out;
}

class SqlLogicTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SqlLogicTest, Run) {
  const std::string path = std::string(WH_SOURCE_DIR) + "/tests/sql/" + GetParam() + ".test";
  testing::TempDir dir;
  const std::string root = dir.Join("w");
  SessionOptions variants[3];
  variants[1].prune = false;
  variants[1].merge_joins = false;
  variants[2].threads = 1;
  const char* variant_names[3] = {"pruning on", "pruning and merge joins off", "one thread"};
  for (const Record& r : Parse(path)) {
    SCOPED_TRACE(GetParam() + ".test:" + std::to_string(r.line));
    if (r.kind == "ingest") {
      std::istringstream a(r.arg);
      std::string table, etl;
      a >> table >> etl;
      auto wh = Warehouse::Open(DefaultFileSystem(), root, false);
      ASSERT_TRUE(wh.ok()) << wh.status().ToString();
      auto in = StringInput(r.sql, GetParam() + ".test:" + std::to_string(r.line));
      IngestOptions opt;
      opt.allow_missing_columns = true;  // fixtures give the columns a test needs
      auto ts = ParseTimestamp(etl);
      ASSERT_TRUE(ts.ok()) << etl;
      opt.etl_micros = *ts;
      auto res = IngestCsvStreams(wh->get(), table, {in.get()}, opt);
      ASSERT_TRUE(res.ok()) << res.status().ToString();
      continue;
    }
    if (r.kind == "statement") {
      Session s(DefaultFileSystem(), root);
      auto res = s.Execute(r.sql);
      if (r.arg == "ok") {
        ASSERT_TRUE(res.ok()) << r.sql << res.status().ToString();
      } else {
        ASSERT_FALSE(res.ok()) << "expected an error: " << r.sql;
        std::string want = r.arg.substr(r.arg.find(' ') + 1);
        EXPECT_NE(res.status().message().find(want), std::string::npos)
            << "error '" << res.status().message() << "' does not contain '" << want << "'";
      }
      continue;
    }
    if (r.kind == "explain") {
      Session s(DefaultFileSystem(), root);
      auto res = s.Execute("EXPLAIN " + r.arg);
      ASSERT_TRUE(res.ok()) << r.arg << res.status().ToString();
      std::string text;
      for (const auto& row : Rows(res->back())) text += row + "\n";
      for (const auto& want : r.expected)
        EXPECT_NE(text.find(want), std::string::npos) << "EXPLAIN " << r.arg << "\n" << text << "lacks: " << want;
      for (const auto& unwanted : r.lacks)
        EXPECT_EQ(text.find(unwanted), std::string::npos) << "EXPLAIN " << r.arg << "\n" << text << "has: " << unwanted;
      continue;
    }
    ASSERT_EQ(r.kind, "query") << "unknown record kind";
    std::vector<std::string> want = r.expected;
    std::string types;
    bool rowsort = false;
    {
      std::istringstream a(r.arg);
      for (std::string word; a >> word;) {
        if (word == "rowsort") rowsort = true;
        else types = word;
      }
    }
    if (rowsort) std::sort(want.begin(), want.end());
    for (int v = 0; v < 3; ++v) {
      Session s(DefaultFileSystem(), root, variants[v]);
      auto res = s.Execute(r.sql);
      ASSERT_TRUE(res.ok()) << variant_names[v] << ": " << r.sql << res.status().ToString();
      ASSERT_FALSE(res->empty()) << r.sql;
      std::vector<std::string> got = Rows(res->back());
      if (!types.empty()) {
        std::string have;
        for (const auto& c : res->back().columns) have += TypeLetter(c.type());
        EXPECT_EQ(have, types) << "result types of " << r.sql;
      }
      if (rowsort) std::sort(got.begin(), got.end());
      std::string g, w;
      for (const auto& x : got) g += x + "\n";
      for (const auto& x : want) w += x + "\n";
      EXPECT_EQ(g, w) << variant_names[v] << ": " << r.sql;
    }
  }
}

// The suite must not pass by finding no files.
TEST(SqlLogicFiles, ArePresent) { EXPECT_GE(TestFiles().size(), 5u); }

INSTANTIATE_TEST_SUITE_P(Files, SqlLogicTest, ::testing::ValuesIn(TestFiles()),
                         [](const auto& info) {
                           std::string n = info.param;  // function/string -> function_string
                           std::replace(n.begin(), n.end(), '/', '_');
                           return n;
                         });

}  // namespace
}  // namespace wh
