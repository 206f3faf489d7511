#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "format/format.h"
#include "tests/test_util.h"

namespace wh {
namespace {

using testing::TempDir;

bool ReadWholeFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

std::vector<ColumnSpec> GoldenColumns() {
  return {{"b", DataType::Boolean(), true},       {"i", DataType::Int32(), true},
          {"l", DataType::Int64(), false},        {"d", DataType::Double(), true},
          {"m", DataType::Decimal(10, 2), true},  {"money", DataType::Decimal(38, 18), true},
          {"s", DataType::String(), true},        {"day", DataType::Date(), true},
          {"ts", DataType::Timestamp(), true}};
}

// The golden segment's content: 3 buckets, row r has deterministic values, every 4th NULL.
std::vector<Column> GoldenData(size_t n) {
  std::vector<Column> cols;
  for (const auto& c : GoldenColumns()) cols.emplace_back(c.type);
  for (size_t r = 0; r < n; ++r) {
    bool null = r % 4 == 3;
    auto maybe = [&](Column& c, auto v) {
      if (null) {
        c.AppendNull();
      } else {
        c.Append(v);
      }
    };
    maybe(cols[0], static_cast<uint8_t>(r % 3 == 0));
    maybe(cols[1], static_cast<int32_t>(r) * -7);
    cols[2].Append<int64_t>(static_cast<int64_t>(r) * 1000003 - 9000000000000000000ll);
    maybe(cols[3], static_cast<double>(r) / 3);
    maybe(cols[4], static_cast<int64_t>(r * 199));
    maybe(cols[5], static_cast<int128>(r) * Pow10(18) + 5 * Pow10(2));
    if (null) cols[6].AppendNull(); else cols[6].AppendString(r % 2 ? "usd" : "caf\xc3\xa9 \"x\"");
    maybe(cols[7], static_cast<int32_t>(19000 + r % 10));
    maybe(cols[8], static_cast<int64_t>(1646092800000000 + int64_t(r) * 60000000));
  }
  return cols;
}

// share_end: as SegmentWriter::ShareRowGroups (empty: every bucket in row groups of its own).
Status WriteSegmentFile(FileSystem* fs, const std::string& path, const std::vector<Column>& cols,
                        uint32_t group_rows, std::vector<uint32_t> share_end = {}) {
  WH_ASSIGN_OR_RETURN(auto f, fs->NewWritableFile(path));
  SegmentWriter w(f.get(), GoldenColumns(), {{"table", "golden"}, {"note", "wh test file"}});
  w.set_max_rows_per_group(group_rows);
  w.ShareRowGroups(std::move(share_end));
  std::vector<const Column*> ptrs;
  for (const auto& c : cols) ptrs.push_back(&c);
  size_t n = cols[0].size();
  // Rows [0, n/3) in bucket 0, [n/3, 2n/3) in bucket 2, the rest in bucket 7.
  WH_RETURN_IF_ERROR(w.AddRows(0, ptrs, 0, n / 3));
  WH_RETURN_IF_ERROR(w.AddRows(2, ptrs, n / 3, 2 * n / 3));
  WH_RETURN_IF_ERROR(w.AddRows(7, ptrs, 2 * n / 3, n));
  WH_RETURN_IF_ERROR(w.Finish().status());
  WH_RETURN_IF_ERROR(f->Sync());
  return f->Close();
}

void ExpectSegmentHolds(const SegmentReader& r, const std::vector<Column>& expect) {
  size_t row = 0;
  for (size_t g = 0; g < r.footer().row_groups.size(); ++g) {
    size_t rows = r.footer().row_groups[g].rows;
    for (size_t c = 0; c < expect.size(); ++c) {
      auto col = r.ReadColumn(g, c);
      ASSERT_TRUE(col.ok()) << col.status().ToString();
      for (size_t i = 0; i < rows; ++i) {
        ASSERT_EQ(col->IsNull(i), expect[c].IsNull(row + i));
        if (col->IsNull(i)) continue;
        Column one(expect[c].type());
        one.AppendFrom(expect[c], row + i);
        Column got(expect[c].type());
        got.AppendFrom(*col, i);
        if (expect[c].type().physical() == PhysicalType::kString) {
          ASSERT_EQ(got.GetString(0), one.GetString(0));
        } else {
          ASSERT_EQ(std::memcmp(got.values<uint8_t>(), one.values<uint8_t>(), one.type().width()), 0)
              << "column " << c << " row " << row + i;
        }
      }
    }
    row += rows;
  }
  EXPECT_EQ(row, expect[0].size());
}

TEST(Segment, WriteAndReadBack) {
  TempDir dir;
  auto cols = GoldenData(1000);
  std::string path = dir.Join("a.whs");
  ASSERT_TRUE(WriteSegmentFile(DefaultFileSystem(), path, cols, 128).ok());
  auto r = SegmentReader::Open(DefaultFileSystem(), path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const SegmentFooter& f = (*r)->footer();
  EXPECT_EQ(f.rows, 1000u);
  EXPECT_EQ(f.Property("table"), "golden");
  EXPECT_EQ(f.row_groups.front().bucket, 0u);
  EXPECT_EQ(f.row_groups.back().bucket, 7u);
  for (const auto& rg : f.row_groups) EXPECT_LE(rg.rows, 128u);
  ExpectSegmentHolds(**r, cols);
  size_t bad = (*r)->VerifyBlocks([](const Status& s) { ADD_FAILURE() << s.ToString(); });
  EXPECT_EQ(bad, 0u);
  auto zones = (*r)->PartZoneMaps();  // a file without parts: one part, all its rows
  ASSERT_TRUE(zones.ok()) << zones.status().ToString();
  ASSERT_EQ(zones->size(), 1u);
  EXPECT_TRUE((*zones)[0][2].min_i == -9000000000000000000ll);
  // Block zone maps are kept serialized and built on demand: each is the block's own.
  size_t row = 0;
  for (size_t g = 0; g < f.row_groups.size(); ++g) {
    const size_t end = row + f.row_groups[g].rows;
    ZoneMap s = f.BlockZone(g, 6);
    ZoneMap expect = ComputeZoneMap(cols[6], row, end);
    EXPECT_EQ(s.null_count, expect.null_count) << g;
    EXPECT_EQ(s.min_s, expect.min_s) << g;
    EXPECT_EQ(s.max_s, expect.max_s) << g;
    EXPECT_TRUE(f.BlockZone(g, 8).max_i == ComputeZoneMap(cols[8], row, end).max_i) << g;
    row = end;
  }
  EXPECT_EQ(f.BlockZone(0, 6).min_s, "caf\xc3\xa9 \"x\"");
}

// A golden file written by version 1 of the format is checked in; every later build must read
// it and find exactly these values. Regenerate only when the format version changes, by running
// this binary with --gtest_also_run_disabled_tests --gtest_filter=*WriteGolden*.
TEST(Segment, ReadsCheckedInGoldenFileForever) {
  auto r = SegmentReader::Open(DefaultFileSystem(), testing::TestData("golden/v1_all_types.whs"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->format_version(), 1);
  EXPECT_EQ((*r)->footer().Property("note"), "wh test file");
  ExpectSegmentHolds(**r, GoldenData(60));
  EXPECT_EQ((*r)->VerifyBlocks([](const Status& s) { ADD_FAILURE() << s.ToString(); }), 0u);
}

// SPEC.md's worked example is a real file: writing its rows must give exactly the bytes of its
// hex dump, so the document cannot drift from the code.
TEST(Segment, SpecWorkedExampleIsWhatTheWriterWrites) {
  std::string spec;
  ASSERT_TRUE(ReadWholeFile(std::string(WH_SOURCE_DIR) + "/SPEC.md", &spec));
  size_t begin = spec.find("<!-- worked-example-begin -->");
  size_t end = spec.find("<!-- worked-example-end -->");
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  std::string expected;
  std::istringstream lines(spec.substr(begin, end - begin));
  for (std::string line; std::getline(lines, line);) {
    size_t colon = line.find(": ");
    if (colon != 8) continue;
    std::istringstream bytes(line.substr(colon + 2));
    for (std::string b; bytes >> b;) expected.push_back(static_cast<char>(std::stoi(b, nullptr, 16)));
  }
  ASSERT_EQ(expected.size(), 301u);

  TempDir dir;
  auto f = DefaultFileSystem()->NewWritableFile(dir.Join("example.whs"));
  ASSERT_TRUE(f.ok());
  Column id(DataType::Int64());
  id.Append<int64_t>(7);
  id.Append<int64_t>(9);
  Column platform(DataType::String());
  platform.AppendString("web");
  platform.AppendNull();
  EncodeOptions opts;
  opts.allow_zstd = false;
  opts.force_encoding = Encoding::kPlain;
  SegmentWriter w(f->get(),
                  {{"user_id", DataType::Int64(), false}, {"platform", DataType::String(), true}},
                  {{"table", "t"}}, opts);
  ASSERT_TRUE(w.AddRows(3, {&id, &platform}, 0, 2).ok());
  ASSERT_TRUE(w.Finish().ok());
  ASSERT_TRUE((*f)->Close().ok());
  std::string actual;
  ASSERT_TRUE(ReadWholeFile(dir.Join("example.whs"), &actual));
  EXPECT_EQ(actual, expected);
  auto r = SegmentReader::Open(DefaultFileSystem(), dir.Join("example.whs"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->footer().row_groups[0].bucket, 3u);
}

// The version-2 golden file: buckets 0 and 2 share a row group (40 rows), bucket 7 has its own.
const std::vector<uint32_t> kGoldenShare = {3, 3, 3};

TEST(Segment, ReadsCheckedInVersion2GoldenFileForever) {
  auto r = SegmentReader::Open(DefaultFileSystem(), testing::TestData("golden/v2_all_types.whs"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->format_version(), 2);
  const SegmentFooter& f = (*r)->footer();
  ASSERT_EQ(f.row_groups.size(), 2u);
  ASSERT_EQ(f.GroupBuckets(0).size(), 2u);
  EXPECT_EQ(f.GroupBuckets(0)[0].bucket, 0u);
  EXPECT_EQ(f.GroupBuckets(0)[0].rows, 20u);
  EXPECT_EQ(f.GroupBuckets(0)[1].bucket, 2u);
  EXPECT_EQ(f.GroupBuckets(0)[1].rows, 20u);
  EXPECT_EQ(f.row_groups[0].last_bucket, 2u);
  EXPECT_EQ(f.row_groups[1].bucket, 7u);
  ExpectSegmentHolds(**r, GoldenData(60));
  EXPECT_EQ((*r)->VerifyBlocks([](const Status& s) { ADD_FAILURE() << s.ToString(); }), 0u);
}

// The version-3 golden file: two parts, the NULL partition (bucket 0, rows 0..19) and day 19000
// (buckets 2 and 7 sharing a row group, rows 20..59), written as WriteVersion4Golden writes
// its file (with GoldenData(60) and a first part of 20 rows).
TEST(Segment, ReadsCheckedInVersion3GoldenFileForever) {
  auto r = SegmentReader::Open(DefaultFileSystem(), testing::TestData("golden/v3_all_types.whs"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->format_version(), 3);
  const SegmentFooter& f = (*r)->footer();
  ASSERT_EQ(f.parts.size(), 2u);
  EXPECT_EQ(f.parts[0].partition, std::nullopt);
  EXPECT_EQ(f.parts[1].partition, std::optional<int32_t>(19000));
  EXPECT_EQ(f.PartIndex(std::nullopt), std::optional<uint32_t>(0));
  EXPECT_EQ(f.PartIndex(19000), std::optional<uint32_t>(1));
  EXPECT_EQ(f.PartIndex(19001), std::nullopt);
  EXPECT_EQ(f.PartRange(0), std::make_pair(size_t{0}, size_t{1}));
  EXPECT_EQ(f.PartRange(1), std::make_pair(size_t{1}, size_t{1}));
  ASSERT_EQ(f.row_groups.size(), 2u);
  EXPECT_EQ(f.GroupBuckets(1).size(), 2u);
  EXPECT_EQ(f.row_groups[1].bucket, 2u);
  EXPECT_EQ(f.row_groups[1].last_bucket, 7u);
  ExpectSegmentHolds(**r, GoldenData(60));
  EXPECT_EQ((*r)->VerifyBlocks([](const Status& s) { ADD_FAILURE() << s.ToString(); }), 0u);
  // Zone maps per part: the NULL partition's rows are 0..19.
  auto zones = (*r)->PartZoneMaps();
  ASSERT_TRUE(zones.ok()) << zones.status().ToString();
  EXPECT_TRUE((*zones)[0][1].min_i == 18 * -7);  // row 19 is NULL
}

// A file of older versions has no parts table: all of it is the partition the manifest names.
TEST(Segment, FilesWithoutPartsAreOnePart) {
  auto r = SegmentReader::Open(DefaultFileSystem(), testing::TestData("golden/v2_all_types.whs"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE((*r)->footer().parts.empty());
  EXPECT_EQ((*r)->footer().PartIndex(12345), std::optional<uint32_t>(0));
  EXPECT_EQ((*r)->footer().PartRange(0), std::make_pair(size_t{0}, size_t{2}));
}

// The version-4 golden file: the rows of the version-3 one (100 of them), but with distinct
// strings in "s" and cents in "money" of which a few are off by 7 units of 10^-18, so that its
// first part (rows 0..69, the NULL partition) holds LENGTHS and FOR_PATCHED blocks.
std::vector<Column> Version4GoldenData() {
  std::vector<Column> cols = GoldenData(100);
  Column s(DataType::String()), money(DataType::Decimal(38, 18));
  for (size_t r = 0; r < 100; ++r) {
    if (r % 4 == 3) {
      s.AppendNull();
      money.AppendNull();
      continue;
    }
    s.AppendString("s-" + std::to_string(r * 37));
    money.Append<int128>(static_cast<int128>(r) * Pow10(16) + (r % 25 == 1 ? 7 : 0));
  }
  cols[5] = std::move(money);
  cols[6] = std::move(s);
  return cols;
}

Status WriteVersion4Golden(FileSystem* fs, const std::string& path) {
  const auto cols = Version4GoldenData();
  WH_ASSIGN_OR_RETURN(auto f, fs->NewWritableFile(path));
  SegmentWriter w(f.get(), GoldenColumns(), {{"table", "golden"}, {"note", "wh test file"}});
  w.ShareRowGroups(std::vector<uint32_t>(8, 8));
  std::vector<const Column*> ptrs;
  for (const auto& c : cols) ptrs.push_back(&c);
  WH_RETURN_IF_ERROR(w.BeginPart(std::nullopt));
  WH_RETURN_IF_ERROR(w.AddRows(0, ptrs, 0, 70));
  WH_RETURN_IF_ERROR(w.BeginPart(19000));
  WH_RETURN_IF_ERROR(w.AddRows(2, ptrs, 70, 85));
  WH_RETURN_IF_ERROR(w.AddRows(7, ptrs, 85, 100));
  WH_RETURN_IF_ERROR(w.Finish().status());
  WH_RETURN_IF_ERROR(f->Sync());
  return f->Close();
}

TEST(Segment, ReadsCheckedInVersion4GoldenFileForever) {
  auto r = SegmentReader::Open(DefaultFileSystem(), testing::TestData("golden/v4_all_types.whs"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->format_version(), 4);
  const SegmentFooter& f = (*r)->footer();
  ASSERT_EQ(f.parts.size(), 2u);
  ASSERT_EQ(f.row_groups.size(), 2u);
  ExpectSegmentHolds(**r, Version4GoldenData());
  EXPECT_EQ((*r)->VerifyBlocks([](const Status& s) { ADD_FAILURE() << s.ToString(); }), 0u);
  // The new encodings are there, in the golden file and in what the writer of today writes for
  // the same rows.
  TempDir dir;
  ASSERT_TRUE(WriteVersion4Golden(DefaultFileSystem(), dir.Join("v4.whs")).ok());
  auto now = SegmentReader::Open(DefaultFileSystem(), dir.Join("v4.whs"));
  ASSERT_TRUE(now.ok());
  for (const SegmentReader* reader : {r->get(), now->get()}) {
    auto money = reader->ReadBlockHeader(0, 5);
    ASSERT_TRUE(money.ok());
    EXPECT_EQ(money->encoding, Encoding::kForPatched);
    auto s = reader->ReadBlockHeader(0, 6);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->encoding, Encoding::kLengths);
  }
}

// The encodings of version 4 are corruption in a file of an older version: the version-4
// golden file relabelled as version 3 (trailer checksum made good; its footer is a valid
// version-3 footer) opens, but its LENGTHS and FOR_PATCHED blocks are refused.
TEST(Segment, Version4EncodingsAreRefusedInOlderFiles) {
  std::string bytes;
  ASSERT_TRUE(ReadWholeFile(testing::TestData("golden/v4_all_types.whs"), &bytes));
  const size_t t = bytes.size() - kSegmentTrailerSize;
  ASSERT_EQ(bytes[t + 12], 4);
  bytes[t + 12] = 3;
  const uint64_t sum = Checksum64(bytes.data() + t, 32);
  std::memcpy(bytes.data() + t + 32, &sum, 8);
  TempDir dir;
  testing::WriteAll(dir.Join("v3.whs"), bytes);
  auto r = SegmentReader::Open(DefaultFileSystem(), dir.Join("v3.whs"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->format_version(), 3);
  for (size_t c : {size_t{5}, size_t{6}}) {
    EXPECT_EQ((*r)->ReadBlockHeader(0, c).status().code(), StatusCode::kCorruption) << c;
    auto col = (*r)->ReadColumn(0, c);
    EXPECT_EQ(col.status().code(), StatusCode::kCorruption) << c;
    EXPECT_NE(col.status().message().find("format version 3"), std::string::npos) << col.status().ToString();
  }
  EXPECT_TRUE((*r)->ReadColumn(0, 2).ok()) << "the blocks of older encodings read as ever";
}

// The version-5 golden file: the version-4 golden rows as three small parts of a table of 8
// buckets, which share row groups (of at most 64 rows: two, the second part's slice cut
// between them): the NULL partition rows 0..29 (bucket 0: 20 rows, bucket 5: 10), day 19000
// rows 30..69 (bucket 2: 25, bucket 7: 15), day 19001 rows 70..99 (bucket 0: 10, bucket 7: 20).
Status WriteVersion5Golden(FileSystem* fs, const std::string& path) {
  const auto cols = Version4GoldenData();
  WH_ASSIGN_OR_RETURN(auto f, fs->NewWritableFile(path));
  SegmentWriter w(f.get(), GoldenColumns(), {{"table", "golden"}, {"note", "wh test file, version 5"}});
  w.set_max_rows_per_group(64);
  std::vector<const Column*> ptrs;
  for (const auto& c : cols) ptrs.push_back(&c);
  WH_RETURN_IF_ERROR(w.BeginPart(std::nullopt, {20, 0, 0, 0, 0, 10, 0, 0}));
  WH_RETURN_IF_ERROR(w.AddRows(0, ptrs, 0, 20));
  WH_RETURN_IF_ERROR(w.AddRows(5, ptrs, 20, 30));
  WH_RETURN_IF_ERROR(w.BeginPart(19000, {0, 0, 25, 0, 0, 0, 0, 15}));
  WH_RETURN_IF_ERROR(w.AddRows(2, ptrs, 30, 55));
  WH_RETURN_IF_ERROR(w.AddRows(7, ptrs, 55, 70));
  WH_RETURN_IF_ERROR(w.BeginPart(19001, {10, 0, 0, 0, 0, 0, 0, 20}));
  WH_RETURN_IF_ERROR(w.AddRows(0, ptrs, 70, 80));
  WH_RETURN_IF_ERROR(w.AddRows(7, ptrs, 80, 100));
  WH_RETURN_IF_ERROR(w.Finish().status());
  WH_RETURN_IF_ERROR(f->Sync());
  return f->Close();
}

// Reads the version-5 golden file and checks its layout: row groups shared by parts, each part's
// slices, rows and zone maps.
void ExpectVersion5Golden(const SegmentReader& r) {
  const SegmentFooter& f = r.footer();
  ASSERT_EQ(f.parts.size(), 3u);
  ASSERT_EQ(f.row_groups.size(), 2u);
  EXPECT_EQ(f.row_groups[0].rows, 64u);
  EXPECT_EQ(f.row_groups[1].rows, 36u);
  // Row group 0: part 0 (buckets 0, 5), part 1 (bucket 2: 25 rows, bucket 7: 9 of 15); row group
  // 1: part 1 (bucket 7: 6), part 2 (buckets 0, 7).
  auto runs = [&](size_t g) {
    std::vector<std::tuple<uint32_t, uint32_t, uint32_t>> v;
    for (const BucketRun& b : f.GroupBuckets(g)) v.emplace_back(b.part, b.bucket, b.rows);
    return v;
  };
  using T = std::tuple<uint32_t, uint32_t, uint32_t>;
  EXPECT_EQ(runs(0), (std::vector<T>{{0, 0, 20}, {0, 5, 10}, {1, 2, 25}, {1, 7, 9}}));
  EXPECT_EQ(runs(1), (std::vector<T>{{1, 7, 6}, {2, 0, 10}, {2, 7, 20}}));
  EXPECT_EQ(f.parts[0].partition, std::nullopt);
  EXPECT_EQ(f.parts[1].partition, 19000);
  EXPECT_EQ(f.parts[2].partition, 19001);
  EXPECT_EQ(f.PartRange(0), std::make_pair(size_t{0}, size_t{1}));
  EXPECT_EQ(f.PartRange(1), std::make_pair(size_t{0}, size_t{2}));
  EXPECT_EQ(f.PartRange(2), std::make_pair(size_t{1}, size_t{1}));
  EXPECT_EQ(f.PartRows(1), 40u);
  EXPECT_EQ(f.Slice(1, 2).at, 6u);
  EXPECT_EQ(f.Slice(1, 2).rows, 30u);
  EXPECT_TRUE(f.Slice(1, 0).runs.empty());
  ExpectSegmentHolds(r, Version4GoldenData());
  EXPECT_EQ(r.VerifyBlocks([](const Status& s) { ADD_FAILURE() << s.ToString(); }), 0u);
  // A part's zone map covers its rows only: part 1's "i64" column is rows 30..69's.
  const auto cols = Version4GoldenData();
  auto zones = r.PartZoneMaps();
  ASSERT_TRUE(zones.ok()) << zones.status().ToString();
  ASSERT_EQ(zones->size(), 3u);
  for (size_t c = 0; c < cols.size(); ++c) {
    const ZoneMap& z = (*zones)[1][c];
    const ZoneMap want = ComputeZoneMap(cols[c], 30, 70);
    std::string a, b;
    z.Serialize(cols[c].type(), &a);
    want.Serialize(cols[c].type(), &b);
    EXPECT_EQ(a, b) << "column " << c;
  }
}

TEST(Segment, ReadsCheckedInVersion5GoldenFileForever) {
  auto r = SegmentReader::Open(DefaultFileSystem(), testing::TestData("golden/v5_shared_parts.whs"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->format_version(), 5);
  ExpectVersion5Golden(**r);
}

// Today's writer lays the same rows out so, and the zone maps it reports for each part are the
// ones a reader computes.
TEST(Segment, SmallPartsShareRowGroups) {
  TempDir dir;
  ASSERT_TRUE(WriteVersion5Golden(DefaultFileSystem(), dir.Join("v5.whs")).ok());
  auto r = SegmentReader::Open(DefaultFileSystem(), dir.Join("v5.whs"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectVersion5Golden(**r);
}

// A layout SPEC.md allows but wh's writer never makes: part A's row groups are 0 and 2, row
// group 1 (inside A's range) holds only part B's bucket 9, and row group 2 holds A's bucket 3
// and B's bucket 9. The row groups' overall bounds (0..0, 9..9, 3..9) are out of order across
// A's range; a reader of A's buckets [0, 8) must still find row groups 0 and 2 (a binary
// search on the bounds missed row group 2 and its rows).
TEST(Segment, PartRowGroupsAreFoundByThePartsOwnBuckets) {
  SegmentFooter f;
  f.parts = {SegmentPart{18993, 0, 3, {}}, SegmentPart{18994, 1, 2, {}}};
  auto group = [&](std::vector<BucketRun> runs) {
    RowGroupMeta rg;
    rg.index_at = static_cast<uint32_t>(f.bucket_index.size());
    rg.index_count = static_cast<uint32_t>(runs.size());
    rg.first_part = runs.front().part;
    rg.last_part = runs.back().part;
    rg.bucket = rg.last_bucket = runs.front().bucket;
    uint32_t at = 0;
    for (BucketRun r : runs) {
      rg.bucket = std::min(rg.bucket, r.bucket);
      rg.last_bucket = std::max(rg.last_bucket, r.bucket);
      r.at = at;
      at += r.rows;
      f.bucket_index.push_back(r);
    }
    rg.rows = at;
    f.row_groups.push_back(rg);
  };
  group({{0, 2, 0}});               // A bucket 0
  group({{9, 1, 1}});               // B bucket 9
  group({{3, 2, 0}, {9, 2, 1}});    // A bucket 3, B bucket 9
  auto find = [&](uint32_t part, uint32_t lo, uint32_t hi) {
    std::vector<size_t> out;
    f.PartGroupsWithBuckets(part, lo, hi, &out);
    return out;
  };
  EXPECT_EQ(find(0, 0, 8), (std::vector<size_t>{0, 2}));
  EXPECT_EQ(find(0, 3, 4), (std::vector<size_t>{2}));
  EXPECT_EQ(find(0, 4, 16), (std::vector<size_t>{}));
  EXPECT_EQ(find(1, 0, 8), (std::vector<size_t>{}));
  EXPECT_EQ(find(1, 8, 16), (std::vector<size_t>{1, 2}));
  EXPECT_EQ(f.Slice(2, 0).rows, 2u);
  EXPECT_EQ(f.Slice(2, 1).at, 2u);
  EXPECT_EQ(f.PartRows(1), 3u);
}

// Regenerates the golden file of the current version (never an older one).
TEST(Segment, DISABLED_WriteGolden) {
  ASSERT_EQ(kSegmentFormatVersion, 5);
  ASSERT_TRUE(WriteVersion5Golden(DefaultFileSystem(), testing::TestData("golden/v5_shared_parts.whs")).ok());
}

// Parts must come in partition order, and a part's buckets in bucket order again from 0.
TEST(Segment, PartsInPartitionOrder) {
  TempDir dir;
  auto f = DefaultFileSystem()->NewWritableFile(dir.Join("p.whs"));
  ASSERT_TRUE(f.ok());
  SegmentWriter w(f->get(), GoldenColumns(), {});
  const auto cols = GoldenData(10);
  std::vector<const Column*> ptrs;
  for (const auto& c : cols) ptrs.push_back(&c);
  ASSERT_TRUE(w.BeginPart(5).ok());
  ASSERT_TRUE(w.AddRows(3, ptrs, 0, 5).ok());
  ASSERT_TRUE(w.BeginPart(6).ok());
  ASSERT_TRUE(w.AddRows(1, ptrs, 5, 10).ok());  // a new part starts its buckets again
  EXPECT_FALSE(w.BeginPart(6).ok());
  EXPECT_FALSE(w.BeginPart(std::nullopt).ok());
  ASSERT_TRUE(w.BeginPart(9).ok());  // left empty: not written
  ASSERT_TRUE(w.Finish().ok());
  ASSERT_TRUE((*f)->Close().ok());
  auto r = SegmentReader::Open(DefaultFileSystem(), dir.Join("p.whs"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ((*r)->footer().parts.size(), 2u);
  ExpectSegmentHolds(**r, cols);
  EXPECT_EQ((*r)->footer().PartRange(*(*r)->PartNumber(6)).first, 1u);
  EXPECT_EQ((*r)->PartNumber(9).status().code(), StatusCode::kCorruption);  // no such part
  // Rows outside any part cannot be followed by parts (the parts table would not cover them).
  auto g = DefaultFileSystem()->NewWritableFile(dir.Join("q.whs"));
  ASSERT_TRUE(g.ok());
  SegmentWriter w2(g->get(), GoldenColumns(), {});
  ASSERT_TRUE(w2.AddRows(0, ptrs, 0, 5).ok());
  EXPECT_FALSE(w2.BeginPart(5).ok());
}

// Buckets that share: one row group with a bucket index per range; a bucket too big for the
// shared row group, or outside every range, gets row groups of its own.
TEST(Segment, SharedRowGroupsKeepEachBucketsRows) {
  TempDir dir;
  auto cols = GoldenData(90);  // buckets 0, 2 and 7 get 30 rows each
  std::string path = dir.Join("s.whs");
  ASSERT_TRUE(WriteSegmentFile(DefaultFileSystem(), path, cols, 64, {8, 8, 8, 8, 8, 8, 8, 8}).ok());
  auto r = SegmentReader::Open(DefaultFileSystem(), path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const SegmentFooter& f = (*r)->footer();
  // 0 and 2 share (60 rows); 7 would make 90 > 64: its own row group.
  ASSERT_EQ(f.row_groups.size(), 2u);
  EXPECT_EQ(f.row_groups[0].rows, 60u);
  EXPECT_EQ(f.row_groups[0].index_count, 2u);
  EXPECT_EQ(f.row_groups[1].rows, 30u);
  EXPECT_EQ(f.row_groups[1].index_count, 1u);
  ExpectSegmentHolds(**r, cols);
  EXPECT_EQ((*r)->VerifyBlocks([](const Status& s) { ADD_FAILURE() << s.ToString(); }), 0u);
}

// A writer with helper threads encodes a row group's columns side by side: the file is the
// same, byte for byte, as one thread writes (large row groups, shared ones, and small parts'
// row groups whose zone maps are kept per part).
TEST(Segment, ThreadsWriteTheSameBytes) {
  TempDir dir;
  const auto cols = GoldenData(70000);
  std::vector<const Column*> ptrs;
  for (const auto& c : cols) ptrs.push_back(&c);
  auto write = [&](unsigned threads, const std::string& name) -> std::string {
    const std::string path = dir.Join(name);
    auto f = DefaultFileSystem()->NewWritableFile(path);
    EXPECT_TRUE(f.ok());
    SegmentWriter w(f->get(), GoldenColumns(), {{"table", "t"}});
    w.set_threads(threads);
    // Parts of 3, 100 and 2,000 rows (gathered into shared row groups), then one of 60,000
    // rows in 4 buckets (row groups of their own) and one of 7,897 after it.
    size_t at = 0;
    int32_t day = 19000;
    for (size_t rows : {3, 100, 2000, 60000, 7897}) {
      std::vector<uint64_t> per_bucket(4, rows / 4);
      per_bucket[3] += rows % 4;
      EXPECT_TRUE(w.BeginPart(day++, per_bucket).ok());
      EXPECT_TRUE(w.AddBuckets(ptrs, at, per_bucket).ok());
      at += rows;
    }
    EXPECT_EQ(at, cols[0].size());
    EXPECT_TRUE(w.Finish().ok());
    EXPECT_TRUE((*f)->Close().ok());
    std::string bytes;
    EXPECT_TRUE(ReadWholeFile(path, &bytes));
    return bytes;
  };
  const std::string one = write(1, "one.whs"), three = write(3, "three.whs");
  ASSERT_FALSE(one.empty());
  EXPECT_TRUE(one == three) << one.size() << " vs " << three.size() << " bytes";
  auto r = SegmentReader::Open(DefaultFileSystem(), dir.Join("three.whs"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT((*r)->footer().row_groups.size(), 4u);
  EXPECT_EQ((*r)->footer().rows, cols[0].size());
  EXPECT_EQ((*r)->VerifyBlocks([](const Status& s) { ADD_FAILURE() << s.ToString(); }), 0u);
}

// Helper threads run each job on every thread and hand an exception on to the caller.
TEST(Segment, HelperThreadsRunEveryJobAndPassOnErrors) {
  HelperThreads h(2);
  std::atomic<int> runs{0};
  for (int k = 0; k < 100; ++k) h.Run([&] { ++runs; });
  EXPECT_EQ(runs.load(), 300);
  std::atomic<int> calls{0};
  EXPECT_THROW(h.Run([&] {
    if (calls++ == 1) throw std::bad_alloc();
  }), std::bad_alloc);
  EXPECT_EQ(calls.load(), 3);
  h.Run([&] { ++runs; });  // still usable
  EXPECT_EQ(runs.load(), 303);
}

TEST(Segment, ShareBucketsHalvesAlignedRanges) {
  // SPEC.md's example: 45 buckets of 150 rows (6,750): the 8 ranges of level 3.
  auto end = ShareBuckets(std::vector<uint64_t>(45, 150), 4096);
  const std::vector<uint32_t> level3 = {5, 11, 16, 22, 28, 33, 39, 45};
  for (uint32_t b = 0; b < 45; ++b)
    EXPECT_EQ(end[b], *std::upper_bound(level3.begin(), level3.end(), b)) << b;
  // 300 rows a bucket (13,500): level 3 again with the default target; each bucket alone with a
  // target of 512, and from 513 rows a bucket.
  end = ShareBuckets(std::vector<uint64_t>(45, 300), kDefaultSharedGroupRows);
  for (uint32_t b = 0; b < 45; ++b)
    EXPECT_EQ(end[b], *std::upper_bound(level3.begin(), level3.end(), b)) << b;
  end = ShareBuckets(std::vector<uint64_t>(45, 300), 512);
  for (uint32_t b = 0; b < 45; ++b) EXPECT_EQ(end[b], b + 1) << b;
  end = ShareBuckets(std::vector<uint64_t>(45, 513), kDefaultSharedGroupRows);
  for (uint32_t b = 0; b < 45; ++b) EXPECT_EQ(end[b], b + 1) << b;
  // 900 rows in all (20 a bucket): one row group.
  end = ShareBuckets(std::vector<uint64_t>(45, 20), 4096);
  for (uint32_t b = 0; b < 45; ++b) EXPECT_EQ(end[b], 45u) << b;
  // Small enough: one range.
  end = ShareBuckets(std::vector<uint64_t>(45, 10), 4096);
  for (uint32_t b = 0; b < 45; ++b) EXPECT_EQ(end[b], 45u);
  // A big bucket stands alone; the halves around it share as far as they can.
  std::vector<uint64_t> rows(8, 100);
  rows[5] = 10000;
  end = ShareBuckets(rows, 1000);
  EXPECT_EQ(end, (std::vector<uint32_t>{4, 4, 4, 4, 5, 6, 8, 8}));
  // Every range is one of the 2^k equal parts of [0, n): a unit of work never cuts one.
  for (uint32_t n : {1u, 7u, 45u, 64u, 100u}) {
    std::vector<uint64_t> r(n);
    for (uint32_t b = 0; b < n; ++b) r[b] = (b * 7919) % 500;
    end = ShareBuckets(r, 600);
    for (uint32_t b = 0; b < n;) {
      uint32_t e = end[b];
      ASSERT_GT(e, b);
      bool aligned = false;
      for (int k = 0; k <= 8 && !aligned; ++k)
        for (uint64_t i = 0; i < (1u << k) && !aligned; ++i)
          aligned = ((i * n) >> k) == b && (((i + 1) * n) >> k) == e;
      EXPECT_TRUE(aligned) << n << ": [" << b << ", " << e << ")";
      uint64_t sum = 0;
      for (uint32_t x = b; x < e; ++x) sum += r[x];
      EXPECT_TRUE(e - b == 1 || (sum <= 600 && sum <= (e - b) * kShareCellRows)) << n << ": [" << b << ", " << e << ")";
      b = e;
    }
  }
}

TEST(Segment, EveryDamagedByteIsCaughtByOpenOrVerify) {
  TempDir dir;
  std::string path = dir.Join("s.whs");
  ASSERT_TRUE(WriteSegmentFile(DefaultFileSystem(), path, GoldenData(30), 8).ok());
  std::string good = testing::ReadAll(path);
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= 0x01;
    testing::WriteAll(path, bad);
    auto r = SegmentReader::Open(DefaultFileSystem(), path);
    if (!r.ok()) continue;
    size_t problems = (*r)->VerifyBlocks([](const Status&) {});
    EXPECT_GT(problems, 0u) << "flip at byte " << i << " went unnoticed";
  }
  for (size_t len = 0; len < good.size(); len += 5) {
    testing::WriteAll(path, good.substr(0, len));
    EXPECT_FALSE(SegmentReader::Open(DefaultFileSystem(), path).ok()) << "truncated to " << len;
  }
}

TEST(Segment, RefusesNewerVersion) {
  TempDir dir;
  std::string path = dir.Join("v.whs");
  ASSERT_TRUE(WriteSegmentFile(DefaultFileSystem(), path, GoldenData(5), 8).ok());
  std::string bytes = testing::ReadAll(path);
  size_t t = bytes.size() - kSegmentTrailerSize;
  bytes[t + 12] = kSegmentFormatVersion + 1;
  // Re-seal the trailer checksum so only the version differs.
  uint64_t sum = Checksum64(bytes.data() + t, 32);
  std::memcpy(bytes.data() + t + 32, &sum, 8);
  testing::WriteAll(path, bytes);
  auto r = SegmentReader::Open(DefaultFileSystem(), path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotSupported);
  EXPECT_NE(r.status().message().find("version " + std::to_string(kSegmentFormatVersion + 1)), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace wh
