// The bad-input corpus (tests/data/bad, see its README): every file is refused with an error
// that says where and why, and the table is left exactly as it was.
#include <gtest/gtest.h>

#include "ingest/ingest.h"
#include "tests/test_util.h"

namespace wh {
namespace {

struct Case {
  const char* file;
  std::vector<std::string> expect;  // substrings of the error
};

const Case kCases[] = {
    {"bad_date.csv", {"bad_date.csv:3: column 'ts'", "'2022-02-30 10:00:00'"}},
    {"bad_integer.csv", {"bad_integer.csv:3: column 'id'", "'1x'"}},
    {"bad_boolean.csv", {"bad_boolean.csv:2: column 'flag'", "'maybe'"}},
    {"decimal_out_of_range.csv", {"decimal_out_of_range.csv:2: column 'amount'", "'123456789.001'", "DECIMAL(10,2)"}},
    {"ragged_row.csv", {"ragged_row.csv:3: row has 3 fields, the header has 5"}},
    {"unterminated_quote.csv", {"unterminated_quote.csv:2: unterminated quoted field"}},
    {"junk_after_quote.csv", {"junk_after_quote.csv:2: unexpected character 'b' after a closing quote"}},
    {"null_in_not_null.csv", {"null_in_not_null.csv:2: column 'id'", "NOT NULL"}},
    {"unknown_column.csv", {"unknown_column.csv:1: column 'nickname'", "not a column of table 't'"}},
    {"duplicate_column.csv", {"duplicate_column.csv:1: column 'id' appears twice"}},
    {"invalid_utf8.csv", {"invalid_utf8.csv:2: column 'name'", "UTF-8"}},
    {"binary_file.csv", {"binary_file.csv:"}},
    {"empty_file.csv", {"empty_file.csv: the input is empty"}},
    {"header_only.csv", {"header_only.csv: the input has a header but no rows"}},
};

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = std::move(Warehouse::Open(DefaultFileSystem(), dir_.Join("w"), true)).value();
    TableSchema s;
    s.name = "t";
    s.columns = {{"id", DataType::Int64(), true},
                 {"ts", DataType::Timestamp(), false},
                 {"amount", DataType::Decimal(10, 2), false},
                 {"flag", DataType::Boolean(), false},
                 {"name", DataType::String(), false}};
    ASSERT_TRUE(wh_->CreateTable(s, false).ok());
    // Something committed already: a refused file must leave it exactly so.
    testing::WriteAll(dir_.Join("good.csv"), "id,ts,amount,flag,name\n1,2022-01-01 10:00:00,1.50,true,a\n");
    ASSERT_TRUE(IngestCsv(wh_.get(), "t", {dir_.Join("good.csv")}, {}).ok());
  }
  void ExpectRefused(const std::string& path, const std::vector<std::string>& expect) {
    auto before = wh_->GetSnapshot("t");
    auto r = IngestCsv(wh_.get(), "t", {path}, {});
    ASSERT_FALSE(r.ok()) << path << " was accepted";
    EXPECT_EQ(r.status().code(), StatusCode::kDataError) << r.status().ToString();
    for (const auto& e : expect)
      EXPECT_NE(r.status().message().find(e), std::string::npos)
          << "missing \"" << e << "\" in: " << r.status().message();
    auto after = wh_->GetSnapshot("t");
    EXPECT_EQ(after->last_seq, before->last_seq);
    EXPECT_EQ(after->rows(), 1u);
  }
  testing::TempDir dir_;
  std::unique_ptr<Warehouse> wh_;
};

TEST_F(BadInputTest, EveryFileOfTheCorpusIsRefusedWithItsLocation) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.file);
    ExpectRefused(testing::TestData(std::string("bad/") + c.file), c.expect);
  }
}

TEST_F(BadInputTest, TenMegabyteSingleLine) {
  std::string line(10 << 20, 'x');
  testing::WriteAll(dir_.Join("long.csv"), line);
  ExpectRefused(dir_.Join("long.csv"), {"long.csv:1: column 'xxxx", "...'"});
}

}  // namespace
}  // namespace wh
