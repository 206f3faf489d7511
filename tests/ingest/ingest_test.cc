#include "ingest/ingest.h"

#include <gtest/gtest.h>
#include <thread>
#include <set>

#include <filesystem>

#include "tests/test_util.h"

namespace wh {
namespace {

using testing::TempDir;

// posts-like table: partitioned by the day of LEAST(posted_at, scheduled_at), NULLs ignored.
TableSchema PostsSchema() {
  TableSchema s;
  s.name = "posts";
  s.columns = {{"id", DataType::Int64(), true},
               {"posted_at", DataType::Timestamp(), true},
               {"scheduled_at", DataType::Timestamp(), false},
               {"amount", DataType::Decimal(38, 18), false},
               {"user_id", DataType::Int64(), true}};
  s.partition_column = "event_date";
  PartitionExpr least;
  least.kind = PartitionExpr::kLeast;
  least.args = {{PartitionExpr::kColumn, 1, {}}, {PartitionExpr::kColumn, 2, {}}};
  s.partition_expr.kind = PartitionExpr::kCastDate;
  s.partition_expr.args.push_back(least);
  s.bucket_column = "user_id";
  s.bucket_count = 45;
  return s;
}

IngestOptions AllowMissing() {
  IngestOptions o;
  o.allow_missing_columns = true;
  return o;
}

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = std::move(Warehouse::Open(DefaultFileSystem(), dir_.Join("w"), true)).value();
    ASSERT_TRUE(wh_->CreateTable(PostsSchema(), false).ok());
  }
  // The fixtures name the columns they fill; the rest load as NULL (--allow-missing-columns).
  Result<IngestResult> Ingest(const std::string& csv, const std::string& name = "p.csv", bool allow_missing = true) {
    auto in = StringInput(csv, name);
    IngestOptions o;
    o.etl_micros = *ParseTimestamp("2022-03-01");
    o.allow_missing_columns = allow_missing;
    return IngestCsvStreams(wh_.get(), "posts", {in.get()}, o);
  }
  std::map<std::string, uint64_t> Partitions() {
    std::map<std::string, uint64_t> m;
    auto snap = wh_->GetSnapshot("posts");
    for (const auto& s : snap->segments) m[PartitionDirName("event_date", s.partition)] += s.rows;
    return m;
  }
  TempDir dir_;
  std::unique_ptr<Warehouse> wh_;
};

TEST_F(IngestTest, RoutesRowsByLeastOfTwoTimestamps) {
  auto r = Ingest(
      "id,posted_at,scheduled_at,amount,user_id\n"
      "1,2021-11-14 00:05:00,2021-11-11 00:04:59,5.8100000000000005,-8530761503088838316\n"
      "2,2021-12-09 22:33:00,,1,5\n"
      "3,2021-12-09 01:00:00,2021-12-10 00:00:00,,5\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 3u);
  EXPECT_EQ(r->partitions, 2u);
  auto p = Partitions();
  EXPECT_EQ(p["event_date=2021-11-11"], 1u);
  EXPECT_EQ(p["event_date=2021-12-09"], 2u);
  // Rows landed in the bucket of their key; etl_date is the batch's.
  auto snap = wh_->GetSnapshot("posts");
  for (const auto& s : snap->segments) {
    auto rd = SegmentReader::Open(DefaultFileSystem(), snap->SegmentPath(s));
    ASSERT_TRUE(rd.ok());
    auto part = (*rd)->PartNumber(s.partition);
    ASSERT_TRUE(part.ok());
    const auto [first, count] = (*rd)->footer().PartRange(*part);
    for (size_t g = first; g < first + count; ++g) {
      auto users = (*rd)->ReadColumn(g, 4);
      auto etl = (*rd)->ReadColumn(g, 5);
      // Each run of the row group's bucket index holds rows of its bucket only.
      size_t i = 0;
      for (const BucketRun& run : (*rd)->footer().GroupBuckets(g))
        for (size_t k = 0; k < run.rows; ++k, ++i)
          EXPECT_EQ(BucketOf(HashInt64Key(users->Get<int64_t>(i)), 45), run.bucket);
      EXPECT_EQ(i, users->size());
      for (size_t k = 0; k < etl->size(); ++k) EXPECT_EQ(FormatTimestamp(etl->Get<int64_t>(k)), "2022-03-01 00:00:00");
    }
  }
}

TEST_F(IngestTest, HeaderMatchedByNameMissingNullableColumnIsNull) {
  // By default a header without a column of the table is refused (a misspelt name would
  // otherwise load a column of NULLs); with --allow-missing-columns the column is NULL.
  auto refused = Ingest("user_id,posted_at,id,sheduled_at\n7,2022-01-01 00:00:00,1,\n", "p.csv", false);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("'sheduled_at'"), std::string::npos) << refused.status().message();
  refused = Ingest("user_id,posted_at,id\n7,2022-01-01 00:00:00,1\n", "p.csv", false);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("p.csv:1: the header has no column 'scheduled_at', 'amount'"),
            std::string::npos) << refused.status().message();
  EXPECT_TRUE(Partitions().empty());
  auto r = Ingest("user_id,posted_at,id\n7,2022-01-01 00:00:00,1\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Partitions()["event_date=2022-01-01"], 1u);
}

TEST_F(IngestTest, BadInputNamesWhereAndWhyAndCommitsNothing) {
  ASSERT_TRUE(Ingest("id,posted_at,user_id\n1,2022-01-01 00:00:00,1\n").ok());
  auto before = Partitions();
  struct Case {
    std::string csv;
    std::vector<std::string> expect;
  };
  const Case kCases[] = {
      {"id,posted_at,user_id\n1,2022-01-02 00:00:00,1\n2,2022-13-01 00:00:00,1\n",
       {"bad.csv:3", "'posted_at'", "'2022-13-01 00:00:00'"}},
      {"id,posted_at,user_id\n1,2022-01-02 00:00:00,1\n2,2022-01-02 00:00:00\n",
       {"bad.csv:3", "2 fields", "header has 3"}},
      {"id,posted_at,user_id\n1,2022-01-02 00:00:00,\n", {"bad.csv:2", "'user_id'", "NOT NULL"}},
      {"id,posted_at,user_id,color\n", {"bad.csv:1", "'color'", "not a column"}},
      {"id,posted_at,user_id,id\n", {"bad.csv:1", "twice"}},
      {"id,user_id\n1,2\n", {"bad.csv:1", "posted_at", "NOT NULL"}},
      {"", {"bad.csv", "empty"}},
      {"id,posted_at,user_id,amount\n1,2022-01-02 00:00:00,1,0.1234567890123456789\n",
       {"bad.csv:2", "'amount'", "DECIMAL(38,18)"}},
      {"id,posted_at,user_id\n1.5,2022-01-02 00:00:00,1\n", {"bad.csv:2", "'id'", "'1.5'"}},
      {"id,posted_at,user_id\n\"1,2022-01-02 00:00:00,1\n", {"bad.csv:2", "unterminated"}},
  };
  for (const auto& c : kCases) {
    auto r = Ingest(c.csv, "bad.csv");
    ASSERT_FALSE(r.ok()) << c.csv;
    EXPECT_EQ(r.status().code(), StatusCode::kDataError) << r.status().ToString();
    for (const auto& e : c.expect)
      EXPECT_NE(r.status().message().find(e), std::string::npos)
          << "missing \"" << e << "\" in: " << r.status().message();
    EXPECT_EQ(Partitions(), before) << c.csv;
  }
  EXPECT_FALSE(DefaultFileSystem()->FileExists(dir_.Join("w/posts/event_date=2022-01-02")));
}

// A batch of kParallelWriteRows rows or more is written as up to one file per core, each a
// consecutive range of the partitions; compacting two such runs splits its output the same way.
// Every row is kept and each partition is in exactly one file of a run.
TEST_F(IngestTest, LargeBatchesAreWrittenAsAFileOfPartitionsPerCore) {
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  auto load = [&](int tag) {
    std::string csv = "id,posted_at,user_id\n";
    for (uint64_t i = 0; i < kParallelWriteRows + 1000; ++i)
      csv += std::to_string(i) + ",2022-01-" + std::to_string(10 + i % 20) + " 00:00:00," + std::to_string(i * 7 + tag) + "\n";
    auto in = StringInput(csv, "big" + std::to_string(tag) + ".csv");
    IngestOptions o;
    o.allow_missing_columns = true;
    o.compact = false;
    auto r = IngestCsvStreams(wh_.get(), "posts", {in.get()}, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->segments, std::min<size_t>(cores, 20));
  };
  // Files of one commit hold disjoint partitions, together all 20.
  auto check_run = [&](uint64_t seq) {
    const TableSnapshot snap = *wh_->GetSnapshot("posts");
    std::map<std::optional<int32_t>, std::set<std::string>> files_of;
    for (const auto& e : snap.segments)
      if (e.commit_seq == seq) files_of[e.partition].insert(e.path);
    EXPECT_EQ(files_of.size(), 20u);
    for (const auto& [part, files] : files_of) EXPECT_EQ(files.size(), 1u);
  };
  load(1);
  check_run(1);
  load(2);
  CompactOptions full;
  full.full = true;
  auto c = CompactTable(wh_.get(), "posts", full);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->files_out, std::min<size_t>(cores, 20));
  check_run(c->commit_seq);
  EXPECT_EQ(wh_->GetSnapshot("posts")->rows(), 2 * (kParallelWriteRows + 1000));
  std::vector<std::string> problems;
  VerifyTable(wh_.get(), "posts", [&](const std::string& m) { problems.push_back(m); });
  EXPECT_TRUE(problems.empty()) << problems[0];
}

// A small budget flushes many times; the commit merges the flushes' files into one.
TEST_F(IngestTest, SmallBudgetFlushesAreMergedIntoOneFile) {
  std::string csv = "id,posted_at,user_id\n";
  for (int i = 0; i < 20000; ++i) csv += std::to_string(i) + ",2022-01-0" + std::to_string(1 + i % 3) + " 00:00:00," + std::to_string(i) + "\n";
  auto in = StringInput(csv, "big.csv");
  IngestOptions o;
  o.batch_bytes = 64 << 10;
  o.allow_missing_columns = true;
  auto r = IngestCsvStreams(wh_.get(), "posts", {in.get()}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->segments, 1u);
  auto snap = wh_->GetSnapshot("posts");
  EXPECT_EQ(snap->segments.size(), 3u);  // one file, a part (manifest entry) per partition
  EXPECT_EQ(snap->rows(), 20000u);
  std::vector<std::string> problems;
  VerifyTable(wh_.get(), "posts", [&](const std::string& m) { problems.push_back(m); });
  EXPECT_TRUE(problems.empty()) << problems[0];
  // No temporary file is left behind.
  for (const auto& seg : snap->segments) {
    EXPECT_EQ(seg.path, snap->segments[0].path);
    auto names = DefaultFileSystem()->ListDir(dir_.Join("w/posts/data"));
    ASSERT_TRUE(names.ok());
    EXPECT_EQ(names->size(), 1u);
  }
  EXPECT_EQ(wh_->GetSnapshot("posts")->last_seq, 1u);
}

TEST_F(IngestTest, CompressedInputs) {
  std::string path = dir_.Join("in.csv.gz");
  ASSERT_EQ(std::system(("printf 'id,posted_at,user_id\\n1,2022-01-01 00:00:00,1\\n' | gzip > " + path).c_str()), 0);
  auto r = IngestCsv(wh_.get(), "posts", {path}, AllowMissing());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 1u);
  std::string zpath = dir_.Join("in.csv.zst");
  if (std::system("command -v zstd >/dev/null") == 0) {
    ASSERT_EQ(std::system(("printf 'id,posted_at,user_id\\n1,2022-01-01 00:00:00,1\\n' | zstd -q > " + zpath).c_str()), 0);
    auto r2 = IngestCsv(wh_.get(), "posts", {zpath}, AllowMissing());
    ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  }
  EXPECT_FALSE(IngestCsv(wh_.get(), "posts", {dir_.Join("missing.csv")}, {}).ok());
}

}  // namespace
}  // namespace wh

namespace wh {
namespace {

// Parallel parsing cuts the input into chunks at row ends found by quote parity. Quoted fields
// with newlines, commas and doubled quotes straddle many cuts here (small chunks), a stray quote
// inside an unquoted field throws the parity off, and a bad value deep in the file must still be
// reported at its exact line.
class ChunkedIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = std::move(Warehouse::Open(DefaultFileSystem(), dir_.Join("w"), true)).value();
    TableSchema s;
    s.name = "notes";
    s.columns = {{"id", DataType::Int64(), true}, {"note", DataType::String(), false}, {"v", DataType::Int32(), false}};
    ASSERT_TRUE(wh_->CreateTable(s, false).ok());
  }
  // Rows 0..n-1; returns the CSV and fills line_of[i] with the line row i starts on.
  std::string Csv(int n, std::vector<uint64_t>* line_of, int bad_row = -1, bool stray_quote = false) {
    std::string csv = "id,note,v\n";
    uint64_t line = 2;
    for (int i = 0; i < n; ++i) {
      line_of->push_back(line);
      std::string note;
      if (i % 7 == 0) {
        note = "\"line one, with \"\"quotes\"\"\nline two\n\"";
        line += 2;
      } else if (stray_quote && i == n / 3) {
        note = "ab\"c";  // a quote inside an unquoted field is an ordinary character
      } else {
        note = "n" + std::to_string(i);
      }
      std::string v = i == bad_row ? "12x" : std::to_string(i % 100);
      csv += std::to_string(i) + "," + note + "," + v + "\n";
      line += 1;
    }
    return csv;
  }
  Result<IngestResult> Ingest(const std::string& csv) {
    auto in = StringInput(csv, "notes.csv");
    IngestOptions o;
    o.batch_bytes = 64 << 10;  // chunks of 8 KiB
    return IngestCsvStreams(wh_.get(), "notes", {in.get()}, o);
  }
  TempDir dir_;
  std::unique_ptr<Warehouse> wh_;
};

TEST_F(ChunkedIngestTest, QuotedNewlinesAcrossChunksAndStrayQuotes) {
  for (bool stray : {false, true}) {
    std::vector<uint64_t> lines;
    auto r = Ingest(Csv(30000, &lines, -1, stray));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->rows, 30000u);
  }
  auto snap = wh_->GetSnapshot("notes");
  EXPECT_EQ(snap->rows(), 60000u);
  // Every multi-line note came through whole.
  size_t multi = 0;
  for (const auto& seg : snap->segments) {
    auto rd = SegmentReader::Open(DefaultFileSystem(), snap->SegmentPath(seg));
    ASSERT_TRUE(rd.ok());
    for (size_t g = 0; g < (*rd)->footer().row_groups.size(); ++g) {
      auto col = (*rd)->ReadColumn(g, 1);
      ASSERT_TRUE(col.ok());
      for (size_t i = 0; i < col->size(); ++i) {
        std::string_view s = col->GetString(i);
        if (s.find('\n') != std::string_view::npos) {
          EXPECT_EQ(s, "line one, with \"quotes\"\nline two\n");
          ++multi;
        }
      }
    }
  }
  EXPECT_EQ(multi, 2u * ((30000 + 6) / 7));
}

TEST_F(ChunkedIngestTest, ErrorDeepInTheFileNamesItsExactLine) {
  std::vector<uint64_t> lines;
  std::string csv = Csv(30000, &lines, 25001);
  auto r = Ingest(csv);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("notes.csv:" + std::to_string(lines[25001]) + ": column 'v'"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("'12x'"), std::string::npos);
  EXPECT_EQ(wh_->GetSnapshot("notes")->rows(), 0u);
}

}  // namespace
}  // namespace wh

namespace wh {
namespace {

// A new warehouse with one table t (id BIGINT NOT NULL).
std::unique_ptr<Warehouse> WarehouseWithIdTable(testing::TempDir& dir) {
  auto wh = std::move(Warehouse::Open(DefaultFileSystem(), dir.Join("w"), true)).value();
  TableSchema s;
  s.name = "t";
  s.columns = {{"id", DataType::Int64(), true}};
  EXPECT_TRUE(wh->CreateTable(s, false).ok());
  return wh;
}

// Re-running a load: the same file (path and content) is refused unless forced; a file at the
// same path with new content is a new load.
TEST(ReIngest, SameFileIsRefusedUnlessForced) {
  testing::TempDir dir;
  auto wh = WarehouseWithIdTable(dir);
  const std::string path = dir.Join("drop.csv");
  testing::WriteAll(path, "id\n1\n2\n");
  ASSERT_TRUE(IngestCsv(wh.get(), "t", {path}, {}).ok());
  auto again = IngestCsv(wh.get(), "t", {path}, {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(again.status().message().find("was already committed to table 't' by commit 1"), std::string::npos)
      << again.status().message();
  EXPECT_EQ(wh->GetSnapshot("t")->rows(), 2u);
  IngestOptions force;
  force.force = true;
  ASSERT_TRUE(IngestCsv(wh.get(), "t", {path}, force).ok());
  EXPECT_EQ(wh->GetSnapshot("t")->rows(), 4u);
  testing::WriteAll(path, "id\n1\n2\n3\n");  // new content at the same path: a new load
  ASSERT_TRUE(IngestCsv(wh.get(), "t", {path}, {}).ok());
  EXPECT_EQ(wh->GetSnapshot("t")->rows(), 7u);
}

// Within one call a file is loaded once: named twice, through a symlink or a hard link, the
// load is refused (even with --force); a pattern that reaches a file two ways lists it once,
// and ** does not loop through a symlink cycle.
TEST(ReIngest, OneFileTwiceInOneCallIsRefused) {
  testing::TempDir dir;
  auto wh = WarehouseWithIdTable(dir);
  const std::string d = dir.Join("in");
  std::filesystem::create_directories(d + "/sub");
  testing::WriteAll(d + "/sub/p.csv", "id\n1\n2\n");
  std::filesystem::create_symlink(d + "/sub/p.csv", d + "/link.csv");
  std::filesystem::create_hard_link(d + "/sub/p.csv", d + "/hard.csv");
  std::filesystem::create_directory_symlink(d, d + "/sub/loop");  // sub/loop -> .. : a cycle
  IngestOptions force;
  force.force = true;
  for (const auto& twice : std::vector<std::vector<std::string>>{
           {d + "/sub/p.csv", d + "/sub/p.csv"}, {d + "/sub/p.csv", d + "/link.csv"},
           {d + "/hard.csv", d + "/sub/p.csv"}, {d + "/sub/p.csv", d + "/sub/../sub/p.csv"}}) {
    for (const IngestOptions& o : {IngestOptions{}, force}) {
      auto r = IngestCsv(wh.get(), "t", twice, o);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(r.status().message().find("is the same file as"), std::string::npos) << r.status().message();
    }
  }
  EXPECT_EQ(wh->GetSnapshot("t")->rows(), 0u);
  auto files = ExpandInputPaths({d + "/**/*.csv"});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(files->size(), 1u) << "one file, three names, a loop: listed once";
  ASSERT_TRUE(IngestCsv(wh.get(), "t", *files, {}).ok());
  EXPECT_EQ(wh->GetSnapshot("t")->rows(), 2u);
}

}  // namespace
}  // namespace wh

namespace wh {
namespace {

// Tolerant mode: bad rows are skipped and reported with their lines, in the serial and the
// chunked (parallel) parser alike; one over the limit fails the whole load.
TEST_F(ChunkedIngestTest, MaxErrorsSkipsAndReportsBadRows) {
  std::vector<uint64_t> lines;
  std::string csv = Csv(30000, &lines);
  // Break three rows: a bad INT, a ragged row, a bad INT again (rows 100, 15002, 29999).
  auto break_row = [&](int row, const std::string& replacement) {
    std::string prefix = "\n" + std::to_string(row) + ",";
    size_t at = csv.find(prefix);
    ASSERT_NE(at, std::string::npos);
    size_t end = csv.find('\n', at + 1);
    csv.replace(at + 1, end - at - 1, replacement);
  };
  break_row(100, "100,n100,zz");
  break_row(15002, "15002,n15002");
  break_row(29999, "29999,n29999,7.5");
  for (uint64_t budget : {2u, 3u}) {
    auto in = StringInput(csv, "notes.csv");
    IngestOptions o;
    o.batch_bytes = 64 << 10;
    o.max_errors = budget;
    auto r = IngestCsvStreams(wh_.get(), "notes", {in.get()}, o);
    if (budget == 2) {
      ASSERT_FALSE(r.ok());
      EXPECT_NE(r.status().message().find("more than --max-errors 2"), std::string::npos) << r.status().message();
      EXPECT_EQ(wh_->GetSnapshot("notes")->rows(), 0u);
      continue;
    }
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->rows, 29997u);
    ASSERT_EQ(r->rejects.size(), 3u);
    EXPECT_EQ(r->rejects[0].line, lines[100]);
    EXPECT_NE(r->rejects[0].reason.find("cannot read 'zz' as INT"), std::string::npos) << r->rejects[0].reason;
    EXPECT_EQ(r->rejects[0].fields, "100,n100,zz");
    EXPECT_EQ(r->rejects[1].line, lines[15002]);
    EXPECT_NE(r->rejects[1].reason.find("row has 2 fields, the header has 3"), std::string::npos);
    EXPECT_EQ(r->rejects[2].line, lines[29999]);
    EXPECT_EQ(wh_->GetSnapshot("notes")->rows(), 29997u);
  }
}

}  // namespace
}  // namespace wh
