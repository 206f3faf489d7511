// What SPEC.md says about the files wh writes for a table, beyond the bytes of a block: where
// segments go and how they are named, the footer's columns, flags and properties, the rows a
// query sees (the partition column, the hidden etl_date), how tables are found, and how the
// partition expression is typed and evaluated.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "engine/engine.h"
#include "ingest/ingest.h"
#include "query/query.h"
#include "tests/test_util.h"

namespace wh {
namespace {

using testing::TempDir;

using Props = std::vector<std::pair<std::string, std::string>>;

TEST(SpecLayout, PartitionedBucketedTableFilesNamesFlagsAndProperties) {
  TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  ASSERT_TRUE(s.Execute("CREATE TABLE posts (id BIGINT NOT NULL, posted_at TIMESTAMP, kind STRING, "
                        "user_id BIGINT NOT NULL) PARTITIONED BY (event_date = CAST(posted_at AS DATE)) "
                        "CLUSTERED BY (user_id) INTO 45 BUCKETS")
                  .ok());
  auto wh = s.GetWarehouse(false);
  ASSERT_TRUE(wh.ok());
  auto in = StringInput("id,posted_at,kind,user_id\n1,2022-03-01 10:00:00,a,7\n2,,b,8\n3,2022-03-01 11:00:00,,9\n",
                        "p.csv");
  ASSERT_TRUE(IngestCsvStreams(*wh, "posts", {in.get()}, {}).ok());
  auto snap = (*wh)->GetSnapshot("posts");
  ASSERT_TRUE(snap.ok());
  // One file in data/, with a part (and a manifest entry) per partition: NULL first, then
  // 2022-03-01.
  ASSERT_EQ(snap->segments.size(), 2u);
  EXPECT_EQ(snap->segments[0].path, snap->segments[1].path);
  EXPECT_FALSE(snap->segments[0].partition.has_value());
  EXPECT_EQ(snap->segments[1].partition, 19052);
  const std::regex name("[0-9]{10}-[0-9a-f]{8}-[0-9]{4,}\\.whs");
  for (const SegmentEntry& seg : snap->segments) {
    SCOPED_TRACE(seg.path);
    const std::string pdir = seg.path.substr(0, seg.path.find('/'));
    const std::string file = seg.path.substr(seg.path.find('/') + 1);
    EXPECT_TRUE(std::regex_match(file, name));
    EXPECT_EQ(file.substr(0, 11), "0000000001-");  // the commit's sequence number
    EXPECT_EQ(pdir, "data");
    auto r = SegmentReader::Open(DefaultFileSystem(), snap->SegmentPath(seg));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const SegmentFooter& f = (*r)->footer();
    EXPECT_EQ(f.properties, (Props{{"table", "posts"},
                                   {"partition", pdir},
                                   {"bucket_column", "user_id"},
                                   {"bucket_count", "45"},
                                   {"commit_seq", "1"}}));
    // The storage columns: the declared ones, then etl_date; flag bit 0 = nullable.
    ASSERT_EQ(f.columns.size(), 5u);
    const char* names[] = {"id", "posted_at", "kind", "user_id", "etl_date"};
    const bool nullable[] = {false, true, true, false, false};
    for (size_t c = 0; c < 5; ++c) {
      EXPECT_EQ(f.columns[c].name, names[c]);
      EXPECT_EQ(f.columns[c].nullable, nullable[c]) << names[c];
    }
    EXPECT_EQ(f.columns[4].type, DataType::Timestamp());
    // Two parts, in partition order; the entry's part's row groups in bucket order (each row
    // group's last bucket at most the next one's first); the manifest's (bucket, rows) pairs
    // ascend strictly and add up to the part's rows.
    ASSERT_EQ(f.parts.size(), 2u);
    EXPECT_FALSE(f.parts[0].partition.has_value());
    EXPECT_EQ(f.parts[1].partition, 19052);
    // Small parts share row groups (format version 5): every row group holds rows of one part
    // or both, each part's of its own row groups, in bucket order from one to the next.
    const uint32_t part = *f.PartIndex(seg.partition);
    const auto [first, count] = f.PartRange(part);
    ASSERT_GT(count, 0u);
    uint64_t part_rows = 0;
    int64_t last = -1;
    for (size_t g = first; g < first + count; ++g) {
      const PartSlice slice = f.Slice(g, part);
      part_rows += slice.rows;
      for (const BucketRun& run : slice.runs) {
        EXPECT_EQ(run.part, part);
        EXPECT_LE(last, static_cast<int64_t>(run.bucket));
        last = run.bucket;
      }
    }
    EXPECT_EQ(part_rows, seg.rows);
    for (size_t i = 1; i < seg.bucket_rows.size(); ++i)
      EXPECT_LT(seg.bucket_rows[i - 1].first, seg.bucket_rows[i].first);
    // Block 0 right after the magic, blocks contiguous up to the footer.
    uint64_t at = 8;
    for (const auto& rg : f.row_groups)
      for (const auto& b : rg.blocks) {
        EXPECT_EQ(b.offset, at);
        at += b.length;
      }
  }

  // The rows of the table: declared columns, then the partition column (DATE, NULL for the
  // NULL partition); etl_date is not in *, but can be named.
  auto star = s.Execute("SELECT * FROM posts ORDER BY id");
  ASSERT_TRUE(star.ok()) << star.status().ToString();
  EXPECT_EQ((*star)[0].names, (std::vector<std::string>{"id", "posted_at", "kind", "user_id", "event_date"}));
  EXPECT_EQ((*star)[0].columns[4].type(), DataType::Date());
  EXPECT_TRUE((*star)[0].columns[4].IsNull(1));
  EXPECT_FALSE((*star)[0].columns[4].IsNull(0));
  auto etl = s.Execute("SELECT etl_date FROM posts");
  ASSERT_TRUE(etl.ok()) << etl.status().ToString();
  EXPECT_EQ((*etl)[0].columns[0].type(), DataType::Timestamp());

  // A partition column cannot be a declared column (nor etl_date).
  EXPECT_FALSE(s.Execute("CREATE TABLE bad (d DATE) PARTITIONED BY (d = d)").ok());
  EXPECT_FALSE(s.Execute("CREATE TABLE bad (d DATE) PARTITIONED BY (etl_date = d)").ok());
}

TEST(SpecLayout, UnpartitionedUnbucketedTableWritesDataDirAndAllProperties) {
  TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  ASSERT_TRUE(s.Execute("CREATE TABLE t (a INT, b STRING NOT NULL)").ok());
  ASSERT_TRUE(s.Execute("INSERT INTO t SELECT 1, 'x'").ok());
  auto wh = s.GetWarehouse(false);
  ASSERT_TRUE(wh.ok());
  auto snap = (*wh)->GetSnapshot("t");
  ASSERT_TRUE(snap.ok());
  ASSERT_EQ(snap->segments.size(), 1u);
  const SegmentEntry& seg = snap->segments[0];
  EXPECT_EQ(seg.path.rfind("data/0000000001-", 0), 0u) << seg.path;
  EXPECT_FALSE(seg.partition.has_value());
  EXPECT_EQ(seg.bucket_rows, (std::vector<std::pair<uint32_t, uint64_t>>{{0, 1}}));
  EXPECT_TRUE(snap->commits.back().sources.empty());  // INSERT has no sources
  auto r = SegmentReader::Open(DefaultFileSystem(), snap->SegmentPath(seg));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->footer().properties, (Props{{"table", "t"},
                                              {"partition", "data"},
                                              {"bucket_column", ""},
                                              {"bucket_count", "0"},
                                              {"commit_seq", "1"}}));
  for (const auto& rg : (*r)->footer().row_groups) EXPECT_EQ(rg.bucket, 0u);
  // An unpartitioned table's file: one part without partition.
  ASSERT_EQ((*r)->footer().parts.size(), 1u);
  EXPECT_FALSE((*r)->footer().parts[0].partition.has_value());
}

// No catalog: tables are the lower-case identifier directories of the root holding a _manifest.
TEST(SpecLayout, TablesAreDirectoriesWithAManifest) {
  TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  ASSERT_TRUE(s.Execute("CREATE TABLE t (a INT)").ok());
  auto wh = s.GetWarehouse(false);
  ASSERT_TRUE(wh.ok());
  const std::string manifest = testing::ReadAll(dir.Join("w/t/_manifest"));
  for (const char* d : {"Upper", "no_manifest", ".creating-x", "_legacy"})
    ASSERT_TRUE(DefaultFileSystem()->CreateDir(dir.Join(std::string("w/") + d)).ok());
  testing::WriteAll(dir.Join("w/Upper/_manifest"), manifest);
  testing::WriteAll(dir.Join("w/.creating-x/_manifest"), manifest);
  testing::WriteAll(dir.Join("w/_legacy/_manifest"), manifest);
  auto tables = (*wh)->ListTables();
  ASSERT_TRUE(tables.ok());
  std::sort(tables->begin(), tables->end());
  EXPECT_EQ(*tables, (std::vector<std::string>{"_legacy", "t"}));
}

std::vector<ColumnDef> DateTsColumns() {
  return {{"posted_at", DataType::Timestamp(), false}, {"scheduled_on", DataType::Date(), false}};
}

PartitionExpr Node(PartitionExpr::Kind k, std::vector<PartitionExpr> args) {
  PartitionExpr e;
  e.kind = k;
  e.args = std::move(args);
  return e;
}

PartitionExpr Col(uint32_t i) {
  PartitionExpr e;
  e.kind = PartitionExpr::kColumn;
  e.column = i;
  return e;
}

// SPEC.md "Manifest": types of LEAST/GREATEST/COALESCE over mixed DATE and TIMESTAMP, and its
// worked example of CAST(LEAST(...)) and CAST(GREATEST(...)).
TEST(SpecLayout, PartitionExpressionTypesAndMixedDateTimestampValues) {
  const auto cols = DateTsColumns();
  EXPECT_EQ(*PartitionExprType(Node(PartitionExpr::kLeast, {Col(0), Col(1)}), cols), DataType::Timestamp());
  EXPECT_EQ(*PartitionExprType(Node(PartitionExpr::kCoalesce, {Col(1), Col(1)}), cols), DataType::Date());
  EXPECT_EQ(*PartitionExprType(Node(PartitionExpr::kCastDate, {Col(0)}), cols), DataType::Date());
  EXPECT_FALSE(PartitionExprType(Col(2), cols).ok());  // the index is into the declared columns

  std::vector<Column> rows = {Column(DataType::Timestamp()), Column(DataType::Date())};
  rows[0].Append<int64_t>(*ParseTimestamp("2022-03-01 23:30:00"));
  rows[1].Append<int32_t>(*ParseDate("2022-03-02"));
  rows[0].Append<int64_t>(*ParseTimestamp("2022-03-01 23:30:00"));
  rows[1].AppendNull();
  rows[0].AppendNull();
  rows[1].AppendNull();
  rows[0].Append<int64_t>(-1);  // one microsecond before 1970
  rows[1].AppendNull();
  std::vector<int32_t> days;
  std::vector<uint8_t> valid;
  EvaluatePartition(Node(PartitionExpr::kCastDate, {Node(PartitionExpr::kLeast, {Col(0), Col(1)})}), rows, 4,
                    &days, &valid);
  EXPECT_EQ(valid, (std::vector<uint8_t>{1, 1, 0, 1}));
  EXPECT_EQ(days[0], *ParseDate("2022-03-01"));
  EXPECT_EQ(days[1], *ParseDate("2022-03-01"));
  EXPECT_EQ(days[3], *ParseDate("1969-12-31"));
  EvaluatePartition(Node(PartitionExpr::kCastDate, {Node(PartitionExpr::kGreatest, {Col(0), Col(1)})}), rows, 4,
                    &days, &valid);
  EXPECT_EQ(days[0], *ParseDate("2022-03-02"));
  EXPECT_EQ(days[1], *ParseDate("2022-03-01"));
}

}  // namespace
}  // namespace wh
