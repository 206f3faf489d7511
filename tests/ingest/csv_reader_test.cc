#include "ingest/csv_reader.h"

#include <gtest/gtest.h>

namespace wh {
namespace {

std::vector<std::vector<std::string>> ReadRows(CsvReader* r, Status* err, std::vector<uint64_t>* lines) {
  std::vector<std::vector<std::string>> out;
  std::vector<CsvField> f;
  while (true) {
    auto more = r->Next(&f);
    if (!more.ok()) {
      if (err) *err = more.status();
      break;
    }
    if (!*more) break;
    std::vector<std::string> row;
    for (const auto& x : f) row.push_back((x.quoted ? "Q:" : "") + std::string(x.value));
    out.push_back(row);
    if (lines) lines->push_back(r->line());
  }
  return out;
}

// The rows of `text` read from a stream; read in place from memory (as parse workers do) they
// must be the same, with the same line numbers and errors.
std::vector<std::vector<std::string>> ReadAllRows(const std::string& text, Status* err = nullptr,
                                                  std::vector<uint64_t>* lines = nullptr) {
  auto in = StringInput(text, "t.csv");
  CsvReader streamed(in.get());
  Status stream_err;
  std::vector<uint64_t> stream_lines;
  auto rows = ReadRows(&streamed, &stream_err, &stream_lines);
  const std::string name = "t.csv";
  CsvReader in_place(text, name);
  Status place_err;
  std::vector<uint64_t> place_lines;
  EXPECT_EQ(ReadRows(&in_place, &place_err, &place_lines), rows);
  EXPECT_EQ(place_lines, stream_lines);
  EXPECT_EQ(place_err.ToString(), stream_err.ToString());
  if (err) *err = stream_err;
  if (lines) *lines = stream_lines;
  return rows;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvReader, Rfc4180Basics) {
  EXPECT_EQ(ReadAllRows("a,b\n1,2\n"), (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(ReadAllRows("a,b\r\n1,2\r\n"), (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(ReadAllRows("a,b\n1,2"), (Rows{{"a", "b"}, {"1", "2"}})) << "no final newline";
  EXPECT_EQ(ReadAllRows("a,,c\n"), (Rows{{"a", "", "c"}}));
  EXPECT_EQ(ReadAllRows("a,b,\n"), (Rows{{"a", "b", ""}}));
  EXPECT_EQ(ReadAllRows("a,b,"), (Rows{{"a", "b", ""}}));
  EXPECT_EQ(ReadAllRows("\"x,y\",\"he said \"\"hi\"\"\"\n"),
            (Rows{{"Q:x,y", "Q:he said \"hi\""}}));
  EXPECT_EQ(ReadAllRows("\"\",x\n"), (Rows{{"Q:", "x"}}));
  EXPECT_EQ(ReadAllRows("\n\na\n\n"), (Rows{{"a"}})) << "blank lines are skipped";
}

TEST(CsvReader, NewlinesInsideQuotesAndLineNumbers) {
  std::vector<uint64_t> lines;
  auto rows = ReadAllRows("h1,h2\n\"multi\nline\r\naddress\",1\nnext,2\n", nullptr, &lines);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][0], "Q:multi\nline\r\naddress");
  EXPECT_EQ(lines, (std::vector<uint64_t>{1, 2, 5}));
}

TEST(CsvReader, Errors) {
  Status err;
  ReadAllRows("a,b\n\"open,2\n", &err);
  EXPECT_EQ(err.code(), StatusCode::kDataError);
  EXPECT_NE(err.message().find("t.csv:2"), std::string::npos) << err.message();
  EXPECT_NE(err.message().find("unterminated"), std::string::npos);
  err = Status::OK();
  ReadAllRows("a\n\"x\"y\n", &err);
  EXPECT_EQ(err.code(), StatusCode::kDataError);
  EXPECT_NE(err.message().find("after a closing quote"), std::string::npos) << err.message();
}

TEST(CsvReader, FieldsAroundTheScanWidth) {
  // Unquoted fields of every length around the 16-byte scan, CR and LF line ends and
  // delimiters at every position of a scan, an empty last field at the end of the input.
  std::string text;
  Rows expect;
  for (int len = 0; len <= 40; ++len) {
    std::string v(static_cast<size_t>(len), static_cast<char>('a' + len % 26));
    text += v + "," + std::to_string(len) + (len % 3 == 0 ? "\r\n" : "\n");
    if (len == 0) expect.push_back({"", "0"});
    else expect.push_back({v, std::to_string(len)});
  }
  text += "end,";
  expect.push_back({"end", ""});
  EXPECT_EQ(ReadAllRows(text), expect);
}

TEST(CsvReader, RowsSpanningBufferBoundaries) {
  // Fields longer than the reader's 1 MiB buffer, and a CRLF split across reads.
  std::string big(3 << 20, 'x');
  std::string text = "a,b\r\n" + big + ",\"" + big + "\"\r\n1,2\r\n";
  auto rows = ReadAllRows(text);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][0].size(), big.size());
  EXPECT_EQ(rows[1][1], "Q:" + big);
  EXPECT_EQ(rows[2], (std::vector<std::string>{"1", "2"}));
}

}  // namespace
}  // namespace wh
