#include <gtest/gtest.h>

#include <zstd.h>

#include <cstring>
#include <filesystem>

#include "engine/engine.h"
#include "format/coding.h"
#include "tests/test_util.h"

namespace wh {
namespace {

using testing::TempDir;

TableSchema EventsSchema() {
  TableSchema s;
  s.name = "events";
  s.columns = {{"event", DataType::String(), true},
               {"ts", DataType::Timestamp(), true},
               {"user_id", DataType::Int64(), true}};
  s.partition_column = "event_date";
  s.partition_expr.kind = PartitionExpr::kCastDate;
  s.partition_expr.args.push_back({PartitionExpr::kColumn, 1, {}});
  s.partition_sql = "CAST(ts AS DATE)";
  s.bucket_column = "user_id";
  s.bucket_count = 4;
  return s;
}

std::vector<Column> Rows(const std::vector<std::tuple<std::string, std::string, int64_t>>& rows) {
  std::vector<Column> cols = {Column(DataType::String()), Column(DataType::Timestamp()),
                              Column(DataType::Int64())};
  for (const auto& [e, ts, u] : rows) {
    cols[0].AppendString(e);
    cols[1].Append<int64_t>(*ParseTimestamp(ts));
    cols[2].Append<int64_t>(u);
  }
  return cols;
}

TEST(Warehouse, CreateListDescribeDrop) {
  TempDir dir;
  auto wh = Warehouse::Open(DefaultFileSystem(), dir.Join("w"), true);
  ASSERT_TRUE(wh.ok()) << wh.status().ToString();
  ASSERT_TRUE((*wh)->CreateTable(EventsSchema(), false).ok());
  EXPECT_EQ((*wh)->CreateTable(EventsSchema(), false).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE((*wh)->CreateTable(EventsSchema(), true).ok());
  EXPECT_EQ(*(*wh)->ListTables(), std::vector<std::string>{"events"});
  auto snap = (*wh)->GetSnapshot("EVENTS");
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->schema.bucket_count, 4u);
  EXPECT_EQ(snap->schema.partition_sql, "CAST(ts AS DATE)");
  EXPECT_EQ(snap->rows(), 0u);
  ASSERT_TRUE((*wh)->DropTable("events", false).ok());
  EXPECT_TRUE((*wh)->ListTables()->empty());
  EXPECT_EQ((*wh)->DropTable("events", false).code(), StatusCode::kNotFound);
  EXPECT_TRUE((*wh)->DropTable("events", true).ok());
}

TEST(Warehouse, RefusesNonWarehouseDirectoryAndBadNames) {
  TempDir dir;
  testing::WriteAll(dir.Join("precious.txt"), "mine");
  auto wh = Warehouse::Open(DefaultFileSystem(), dir.path(), true);
  ASSERT_FALSE(wh.ok());
  EXPECT_EQ(wh.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(Warehouse::Open(DefaultFileSystem(), dir.Join("missing"), false).ok());

  auto w2 = Warehouse::Open(DefaultFileSystem(), dir.Join("w"), true);
  ASSERT_TRUE(w2.ok());
  for (const char* bad : {"../x", "a/b", "", ".hidden", "1abc", "a b", "_manifest;"}) {
    TableSchema s = EventsSchema();
    s.name = bad;
    EXPECT_FALSE((*w2)->CreateTable(s, false).ok()) << bad;
    EXPECT_FALSE((*w2)->GetSnapshot(bad).ok()) << bad;
  }
  EXPECT_TRUE(testing::ReadAll(dir.Join("precious.txt")) == "mine");
}

TEST(Warehouse, CommitMakesSegmentsVisibleAtomically) {
  TempDir dir;
  auto wh = *Warehouse::Open(DefaultFileSystem(), dir.Join("w"), true);
  ASSERT_TRUE(wh->CreateTable(EventsSchema(), false).ok());
  {
    auto w = wh->OpenWriter("events");
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    auto rows = Rows({{"a", "2022-03-01 10:00:00", 1}, {"b", "2022-03-01 11:00:00", 2}});
    uint32_t b1 = BucketOf(HashInt64Key(1), 4), b2 = BucketOf(HashInt64Key(2), 4);
    ASSERT_TRUE((*w)->WriteSegment(19052, rows, {b1, b2}).ok());
    // Not visible before the commit.
    EXPECT_EQ(wh->GetSnapshot("events")->rows(), 0u);
    auto rec = (*w)->Commit({});
    ASSERT_TRUE(rec.ok()) << rec.status().ToString();
    EXPECT_EQ(rec->seq, 1u);
  }
  auto snap = wh->GetSnapshot("events");
  ASSERT_EQ(snap->segments.size(), 1u);
  EXPECT_EQ(snap->segments[0].rows, 2u);
  EXPECT_EQ(snap->segments[0].path.rfind("data/", 0), 0u);
  EXPECT_EQ(snap->segments[0].partition, 19052);
  int problems = VerifyTable(wh.get(), "events", [](const std::string& m) { ADD_FAILURE() << m; }).problems;
  EXPECT_EQ(problems, 0);

  // An aborted batch leaves nothing behind.
  {
    auto w = wh->OpenWriter("events");
    ASSERT_TRUE(w.ok());
    auto rows = Rows({{"c", "2022-03-05 10:00:00", 3}});
    ASSERT_TRUE((*w)->WriteSegment(19056, rows, {0}).ok());
    (*w)->Abort();
  }
  EXPECT_FALSE(DefaultFileSystem()->FileExists(dir.Join("w/events/event_date=2022-03-05")));
  EXPECT_EQ(wh->GetSnapshot("events")->segments.size(), 1u);
}

// A batch of many rows is sorted by partition and bucket in groups of chunks, each group on its
// own, then joined (part by part, or column by column when a part is large): every row lands in
// its partition and bucket, and within a (partition, bucket) rows keep their order in the batch
// - whether the writer owns the chunks (ingest) or not (INSERT), with chunks of plain and of
// dictionary strings (one dictionary chunk a group on its own, dictionaries too many to merge)
// and NULLs, partitioned or not.
TEST(Warehouse, LargeBatchesKeepEveryRowInOrderInItsPartitionAndBucket) {
  TempDir dir;
  auto wh = *Warehouse::Open(DefaultFileSystem(), dir.Join("w"), true);
  const int64_t day0 = *ParseTimestamp("2022-01-01 00:00:00");
  auto ts_of = [&](int64_t id) { return day0 + (id * 7919 % 40) * kMicrosPerDay + id; };
  // Dictionaries: entry 0 is the empty string, which NULL rows name.
  auto make_dict = [](int first, int n) {
    auto d = std::make_shared<Column>(DataType::String());
    d->AppendString("");
    for (int k = 0; k < n; ++k) d->AppendString("d" + std::to_string(first + k));
    return d;
  };
  struct Layout {
    std::string name;
    bool partitioned;
    size_t chunks, rows;
    std::vector<int> dict_of_chunk;  // -1: plain strings; else the dictionary's first entry
  };
  const std::vector<Layout> layouts = {
      {"small_chunks", true, 6, 50000, {-1, 0, -1, -1, 0, -1}},        // groups of 3 chunks
      {"chunk_groups", true, 3, 140000, {100, -1, 200}},               // a chunk a group
      {"unpartitioned", false, 6, 50000, {-1, 0, -1, -1, 0, -1}},      // one part: joined by column
  };
  for (const Layout& l : layouts) {
    SCOPED_TRACE(l.name);
    const size_t total = l.chunks * l.rows;
    const int dict_entries = l.name == "chunk_groups" ? 40 : 3;
    std::vector<std::shared_ptr<Column>> dicts(l.chunks);
    for (size_t c = 0; c < l.chunks; ++c)
      if (l.dict_of_chunk[c] >= 0) dicts[c] = make_dict(l.dict_of_chunk[c], dict_entries);
    auto want_event = [&](int64_t id) -> std::optional<std::string> {
      const size_t c = static_cast<size_t>(id) / l.rows;
      if (!dicts[c]) return "e" + std::to_string(id % 11);
      if (id % 7 == 0) return std::nullopt;
      return std::string(dicts[c]->GetString(1 + id % dict_entries));
    };
    auto make_chunks = [&] {
      std::vector<std::vector<Column>> chunks;
      int64_t id = 0;
      for (size_t c = 0; c < l.chunks; ++c) {
        std::vector<Column> cols = {Column(DataType::String()), Column(DataType::Timestamp()),
                                    Column(DataType::Int64())};
        std::vector<uint32_t> codes;
        std::vector<uint8_t> valid;
        for (size_t i = 0; i < l.rows; ++i, ++id) {
          if (dicts[c]) {
            valid.push_back(id % 7 != 0);
            codes.push_back(id % 7 == 0 ? 0 : static_cast<uint32_t>(1 + id % dict_entries));
          } else {
            cols[0].AppendString(*want_event(id));
          }
          cols[1].Append<int64_t>(ts_of(id));
          cols[2].Append<int64_t>(id);
        }
        if (dicts[c]) {
          cols[0].SetDictionary(dicts[c], std::move(codes));
          cols[0].SetValidity(std::move(valid));
        }
        chunks.push_back(std::move(cols));
      }
      return chunks;
    };
    auto check = [&](const std::string& table) {
      auto snap = wh->GetSnapshot(table);
      ASSERT_TRUE(snap.ok());
      ASSERT_EQ(snap->rows(), total);
      std::vector<int> seen(total, 0);
      for (const SegmentEntry& e : snap->segments) {
        auto rd = SegmentReader::Open(DefaultFileSystem(), snap->SegmentPath(e));
        ASSERT_TRUE(rd.ok());
        const SegmentFooter& f = (*rd)->footer();
        const uint32_t part = *(*rd)->PartNumber(e.partition);
        const auto [first, count] = f.PartRange(part);
        std::vector<int64_t> last(4, -1);
        for (size_t g = first; g < first + count; ++g) {
          const PartSlice slice = f.Slice(g, part);
          if (slice.runs.empty()) continue;
          auto event = (*rd)->ReadColumn(g, 0);
          auto ts = (*rd)->ReadColumn(g, 1);
          auto user = (*rd)->ReadColumn(g, 2);
          ASSERT_TRUE(event.ok() && ts.ok() && user.ok());
          size_t at = slice.at;
          for (const BucketRun& run : slice.runs) {
            for (size_t k = 0; k < run.rows; ++k, ++at) {
              const int64_t id = user->Get<int64_t>(at);
              ASSERT_GE(id, 0);
              ASSERT_LT(static_cast<size_t>(id), total);
              ++seen[static_cast<size_t>(id)];
              EXPECT_EQ(BucketOf(HashInt64Key(id), 4), run.bucket);
              if (l.partitioned) {
                EXPECT_EQ(*e.partition, static_cast<int32_t>(ts_of(id) / kMicrosPerDay));
              }
              EXPECT_EQ(ts->Get<int64_t>(at), ts_of(id));
              EXPECT_GT(id, last[run.bucket]) << "rows of a bucket out of the batch's order";
              last[run.bucket] = id;
              const std::optional<std::string> want = want_event(id);
              ASSERT_EQ(event->IsNull(at), !want.has_value()) << id;
              if (want) {
                EXPECT_EQ(event->GetString(at), *want) << id;
              }
            }
          }
        }
      }
      for (size_t id = 0; id < seen.size(); ++id) ASSERT_EQ(seen[id], 1) << id;
    };
    TableSchema schema = EventsSchema();
    schema.columns[0].not_null = false;  // NULL events
    if (!l.partitioned) {
      schema.partition_column.clear();
      schema.partition_expr = PartitionExpr();
      schema.partition_sql.clear();
    }
    schema.name = l.name + "_insert";
    ASSERT_TRUE(wh->CreateTable(schema, false).ok());
    {  // not the writer's: WriteRows (INSERT)
      auto chunks = make_chunks();
      std::vector<const std::vector<Column>*> ptrs;
      for (const auto& c : chunks) ptrs.push_back(&c);
      auto w = wh->OpenWriter(schema.name);
      ASSERT_TRUE(w.ok());
      ASSERT_TRUE((*w)->WriteRows(ptrs).ok());
      ASSERT_TRUE((*w)->Commit({}).ok());
    }
    check(schema.name);
    schema.name = l.name + "_ingest";
    ASSERT_TRUE(wh->CreateTable(schema, false).ok());
    {  // the writer's own: ConsumeRows (ingest)
      auto w = wh->OpenWriter(schema.name);
      ASSERT_TRUE(w.ok());
      ASSERT_TRUE((*w)->ConsumeRows(make_chunks()).ok());
      ASSERT_TRUE((*w)->Commit({}).ok());
    }
    check(schema.name);
    EXPECT_EQ(VerifyTable(wh.get(), schema.name, [](const std::string& m) { ADD_FAILURE() << m; }).problems, 0);
  }
}

// A commit record is stored compressed (type 8: u8 its type, then a zstd frame) when that is
// smaller, and reads back as the record it holds; a type-8 record holding a schema or another
// type-8 record, or a frame that does not decode to its recorded size, is refused as corruption.
TEST(Warehouse, CommitRecordsAreStoredCompressed) {
  TempDir dir;
  auto wh = *Warehouse::Open(DefaultFileSystem(), dir.Join("w"), true);
  ASSERT_TRUE(wh->CreateTable(EventsSchema(), false).ok());
  {
    auto w = wh->OpenWriter("events");
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    auto rows = Rows({{"a", "2022-03-01 10:00:00", 1}, {"b", "2022-03-01 11:00:00", 2}});
    ASSERT_TRUE((*w)->WriteSegment(19052, rows, {BucketOf(HashInt64Key(1), 4), BucketOf(HashInt64Key(2), 4)}).ok());
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  const std::string path = dir.Join("w/events/_manifest");
  const std::string m = testing::ReadAll(path);
  uint32_t schema_len;
  std::memcpy(&schema_len, m.data() + kManifestHeaderSize, 4);
  const size_t commit_at = kManifestHeaderSize + 13 + schema_len;
  ASSERT_LT(commit_at + 6, m.size());
  EXPECT_EQ(static_cast<int>(m[commit_at + 4]), 8) << "stored compressed";
  EXPECT_EQ(testing::ManifestRecordType(m, commit_at), 3);
  ManifestContents parsed;
  ASSERT_TRUE(ParseManifest(m, &parsed).ok());
  ASSERT_EQ(parsed.commits.size(), 1u);
  EXPECT_EQ(parsed.commits[0].added.size(), 1u);
  EXPECT_EQ(parsed.commits[0].added[0].rows, 2u);

  // Forged records after the schema: each must be refused.
  auto record = [](uint8_t type, const std::string& payload) {
    std::string r;
    ByteWriter w(&r);
    w.PutU32(static_cast<uint32_t>(payload.size()));
    w.PutU8(type);
    w.PutBytes(payload.data(), payload.size());
    w.PutU64(Checksum64(r.data(), r.size()));
    return r;
  };
  auto zstd = [](const std::string& raw) {
    std::string out(ZSTD_compressBound(raw.size()), '\0');
    out.resize(ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 3));
    return out;
  };
  const std::string head = m.substr(0, commit_at);
  for (const std::string& bad : {record(8, std::string(1, '\1') + zstd(std::string(40, 'x'))),
                                 record(8, std::string(1, '\10') + zstd(std::string(40, 'x'))),
                                 record(8, std::string(1, '\3') + zstd(std::string(40, 'x')).substr(0, 10)),
                                 record(8, std::string(1, '\3') + "not a frame at all"),
                                 record(8, std::string())}) {
    ManifestContents out;
    const Status st = ParseManifest(head + bad, &out);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  }
}

// Verify recomputes each row's partition and bucket: a row stored in the wrong place would be
// silently skipped by pruning or by a bucket-by-bucket join.
TEST(Warehouse, VerifyFindsRowsInTheWrongPartitionOrBucket) {
  TempDir dir;
  auto wh = *Warehouse::Open(DefaultFileSystem(), dir.Join("w"), true);
  ASSERT_TRUE(wh->CreateTable(EventsSchema(), false).ok());
  auto w = wh->OpenWriter("events");
  ASSERT_TRUE(w.ok());
  uint32_t right = BucketOf(HashInt64Key(1), 4);
  // Right bucket, wrong partition (the row's day is 2022-03-01 = 19052).
  ASSERT_TRUE((*w)->WriteSegment(19053, Rows({{"a", "2022-03-01 10:00:00", 1}}), {right}).ok());
  // Right partition, wrong bucket.
  ASSERT_TRUE((*w)->WriteSegment(19052, Rows({{"a", "2022-03-01 10:00:00", 1}}), {(right + 1) % 4}).ok());
  ASSERT_TRUE((*w)->Commit({}).ok());
  std::vector<std::string> problems;
  VerifyTable(wh.get(), "events", [&](const std::string& m) { problems.push_back(m); });
  ASSERT_EQ(problems.size(), 2u);
  std::string all = problems[0] + "\n" + problems[1];
  EXPECT_NE(all.find("belongs in partition event_date=2022-03-01, not event_date=2022-03-02"),
            std::string::npos) << all;
  EXPECT_NE(all.find("hashes to bucket " + std::to_string(right)), std::string::npos) << all;
}

TEST(Warehouse, SecondWriterGetsLockedError) {
  TempDir dir;
  auto wh = *Warehouse::Open(DefaultFileSystem(), dir.Join("w"), true);
  ASSERT_TRUE(wh->CreateTable(EventsSchema(), false).ok());
  auto w1 = wh->OpenWriter("events");
  ASSERT_TRUE(w1.ok());
  auto w2 = wh->OpenWriter("events");
  ASSERT_FALSE(w2.ok());
  EXPECT_EQ(w2.status().code(), StatusCode::kLocked);
  EXPECT_NE(w2.status().message().find("locked by pid " + std::to_string(getpid())), std::string::npos)
      << w2.status().message();
  w1->reset();
  EXPECT_TRUE(wh->OpenWriter("events").ok()) << "the lock is released with the writer";
}

TEST(Warehouse, TornManifestTailAndOrphansAreCleanedOnOpen) {
  TempDir dir;
  auto wh = *Warehouse::Open(DefaultFileSystem(), dir.Join("w"), true);
  ASSERT_TRUE(wh->CreateTable(EventsSchema(), false).ok());
  std::string mpath = dir.Join("w/events/_manifest");
  std::string before = testing::ReadAll(mpath);
  // A torn append and an orphan segment from a crashed writer.
  testing::WriteAll(mpath, before + std::string("\x40\x00\x00\x00\x02garbage", 12));
  ASSERT_TRUE(DefaultFileSystem()->CreateDir(dir.Join("w/events/event_date=2022-01-01")).ok());
  testing::WriteAll(dir.Join("w/events/event_date=2022-01-01/.tmp-0000000001-x-0000.whs"), "junk");
  auto snap = wh->GetSnapshot("events");
  ASSERT_TRUE(snap.ok()) << "a reader ignores a torn tail: " << snap.status().ToString();
  {
    auto w = wh->OpenWriter("events");
    ASSERT_TRUE(w.ok()) << w.status().ToString();
  }
  EXPECT_EQ(testing::ReadAll(mpath), before);
  EXPECT_FALSE(DefaultFileSystem()->FileExists(dir.Join("w/events/event_date=2022-01-01")));
}

// A last record of full length that fails its checksum is damage, not a torn append: readers
// refuse it instead of silently dropping the commit; a zero-filled tail (a crash) is torn.
TEST(Warehouse, DamagedLastManifestRecordIsCorruptionButAZeroTailIsTorn) {
  TempDir dir;
  auto wh = *Warehouse::Open(DefaultFileSystem(), dir.Join("w"), true);
  ASSERT_TRUE(wh->CreateTable(EventsSchema(), false).ok());
  {
    auto w = *wh->OpenWriter("events");
    ASSERT_TRUE(w->WriteSegment(19052, Rows({{"a", "2022-03-01 10:00:00", 1}}), {0}).ok());
    ASSERT_TRUE(w->Commit({}).ok());
  }
  std::string mpath = dir.Join("w/events/_manifest");
  std::string bytes = testing::ReadAll(mpath);
  std::string flipped = bytes;
  flipped[bytes.size() - 20] ^= 0x10;  // inside the last (commit) record's payload
  testing::WriteAll(mpath, flipped);
  auto snap = wh->GetSnapshot("events");
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kCorruption);
  EXPECT_NE(snap.status().message().find("fails its checksum"), std::string::npos) << snap.status().message();
  // A crash that extended the file with zeros (before _head recorded the commit): the commit
  // never happened.
  ASSERT_TRUE(DefaultFileSystem()->RemoveFile(dir.Join("w/events/_head")).ok());
  std::string zeroed = bytes;
  for (size_t k = bytes.size() - 30; k < bytes.size(); ++k) zeroed[k] = 0;
  testing::WriteAll(mpath, zeroed);
  auto torn = wh->GetSnapshot("events");
  ASSERT_TRUE(torn.ok()) << torn.status().ToString();
  EXPECT_EQ(torn->rows(), 0u);
  // With _head naming the commit, the same tail is lost data, not a torn append.
  testing::WriteAll(dir.Join("w/events/_head"), EncodeHead(1, bytes.size()));
  auto lost = wh->GetSnapshot("events");
  ASSERT_FALSE(lost.ok());
  EXPECT_NE(lost.status().message().find("has lost committed records"), std::string::npos) << lost.status().message();
}

// A zeroed last commit record with _head gone reads as a torn append: nothing shows the commit
// was whole. verify reports it, and the next writer sets the record's bytes and the segments
// no commit names aside in _orphaned/ instead of deleting them.
std::vector<uint32_t> BucketsOf(const std::vector<Column>& rows) {
  std::vector<uint32_t> b(rows[2].size());
  ComputeBuckets(rows[2], 4, b.data());
  return b;
}

TEST(Warehouse, ALastCommitThatMayBeLostIsSetAsideNotDeleted) {
  TempDir dir;
  auto wh = *Warehouse::Open(DefaultFileSystem(), dir.Join("w"), true);
  ASSERT_TRUE(wh->CreateTable(EventsSchema(), false).ok());
  const std::string mpath = dir.Join("w/events/_manifest");
  uint64_t first_end = 0;
  for (int n = 0; n < 2; ++n) {
    auto w = *wh->OpenWriter("events");
    auto rows = Rows({{"a", n ? "2022-03-02 10:00:00" : "2022-03-01 10:00:00", 1}});
    ASSERT_TRUE(w->WriteSegment(19052 + n, rows, BucketsOf(rows)).ok());
    ASSERT_TRUE(w->Commit({}).ok());
    if (n == 0) first_end = testing::ReadAll(mpath).size();
  }
  const std::string second = wh->GetSnapshot("events")->segments[1].path;
  std::string bytes = testing::ReadAll(mpath);
  for (size_t k = first_end; k < bytes.size(); ++k) bytes[k] = 0;
  testing::WriteAll(mpath, bytes);
  ASSERT_TRUE(DefaultFileSystem()->RemoveFile(dir.Join("w/events/_head")).ok());
  std::vector<std::string> problems;
  auto v = VerifyTable(wh.get(), "events", [&](const std::string& m) { problems.push_back(m); });
  ASSERT_EQ(v.problems, 1u) << ::testing::PrintToString(problems);
  EXPECT_NE(problems[0].find("_head does not confirm commit 1"), std::string::npos) << problems[0];
  { ASSERT_TRUE(wh->OpenWriter("events").ok()); }
  EXPECT_FALSE(DefaultFileSystem()->FileExists(dir.Join("w/events/" + second)));
  EXPECT_TRUE(DefaultFileSystem()->FileExists(dir.Join("w/events/_orphaned/" + second))) << "kept, not deleted";
  EXPECT_TRUE(DefaultFileSystem()->FileExists(dir.Join("w/events/_orphaned/_manifest.tail-at-" + std::to_string(first_end))));
  problems.clear();
  v = VerifyTable(wh.get(), "events", [&](const std::string& m) { problems.push_back(m); });
  ASSERT_EQ(v.problems, 1u) << ::testing::PrintToString(problems);
  EXPECT_NE(problems[0].find("2 files set aside"), std::string::npos) << problems[0];
  // The writer has confirmed what is whole: the table takes commits again.
  {
    auto w = *wh->OpenWriter("events");
    auto rows = Rows({{"b", "2022-03-09 10:00:00", 2}});
    ASSERT_TRUE(w->WriteSegment(19060, rows, BucketsOf(rows)).ok());
    ASSERT_TRUE(w->Commit({}).ok());
  }
  EXPECT_EQ(wh->GetSnapshot("events")->rows(), 2u);
}

// A new table has a head from the start: a whole segment left by its interrupted first commit
// is known for one and removed, not set aside.
TEST(Warehouse, AnInterruptedFirstCommitIsCleanedNotSetAside) {
  TempDir dir;
  auto wh = *Warehouse::Open(DefaultFileSystem(), dir.Join("w"), true);
  ASSERT_TRUE(wh->CreateTable(EventsSchema(), false).ok());
  ASSERT_TRUE(DefaultFileSystem()->FileExists(dir.Join("w/events/_head")));
  ASSERT_TRUE(DefaultFileSystem()->CreateDir(dir.Join("w/events/event_date=2022-01-01")).ok());
  testing::WriteAll(dir.Join("w/events/event_date=2022-01-01/0000000001-abcdef01-0000.whs"), "a renamed segment");
  { ASSERT_TRUE(wh->OpenWriter("events").ok()); }
  EXPECT_FALSE(DefaultFileSystem()->FileExists(dir.Join("w/events/event_date=2022-01-01")));
  EXPECT_FALSE(DefaultFileSystem()->FileExists(dir.Join("w/events/_orphaned")));
  EXPECT_EQ(VerifyTable(wh.get(), "events", [](const std::string& m) { ADD_FAILURE() << m; }).problems, 0u);
}

// A table whose _manifest is gone, and a damaged _views: verify says so; queries fail with
// corruption; the lost table can be dropped (and only then created again).
TEST(Warehouse, LostManifestAndDamagedViewsAreFoundAndRecoverable) {
  TempDir dir;
  auto wh = *Warehouse::Open(DefaultFileSystem(), dir.Join("w"), true);
  ASSERT_TRUE(wh->CreateTable(EventsSchema(), false).ok());
  ASSERT_TRUE(wh->CreateView("v", "SELECT 1", false, false).ok());
  std::vector<std::string> problems;
  auto report = [&](const std::string& m) { problems.push_back(m); };
  EXPECT_EQ(VerifyWarehouse(wh.get(), report), 0u);
  ASSERT_TRUE(DefaultFileSystem()->RemoveFile(dir.Join("w/events/_manifest")).ok());
  std::string views = testing::ReadAll(dir.Join("w/_views"));
  views[views.size() - 12] ^= 1;
  testing::WriteAll(dir.Join("w/_views"), views);
  EXPECT_EQ(VerifyWarehouse(wh.get(), report), 2u);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("_views"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("without a _manifest"), std::string::npos) << problems[1];
  auto snap = wh->GetSnapshot("events");
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kCorruption);
  Status create = wh->CreateTable(EventsSchema(), false);
  EXPECT_NE(create.message().find("DROP TABLE events removes it"), std::string::npos) << create.message();
  ASSERT_TRUE(wh->DropTable("events", false).ok());
  // The damaged catalog is moved aside (README 'Recovering from damage'); its views are gone.
  std::filesystem::rename(dir.Join("w/_views"), dir.Join("w/_views.damaged"));
  EXPECT_TRUE(wh->CreateTable(EventsSchema(), false).ok());
  problems.clear();
  EXPECT_EQ(VerifyWarehouse(wh.get(), report), 0u) << ::testing::PrintToString(problems);
}

TEST(Warehouse, DamagedManifestRecordFollowedByMoreIsCorruption) {
  TempDir dir;
  auto wh = *Warehouse::Open(DefaultFileSystem(), dir.Join("w"), true);
  ASSERT_TRUE(wh->CreateTable(EventsSchema(), false).ok());
  for (int i = 0; i < 2; ++i) {
    auto w = *wh->OpenWriter("events");
    ASSERT_TRUE(w->WriteSegment(19052, Rows({{"a", "2022-03-01 10:00:00", i}}), {0}).ok());
    ASSERT_TRUE(w->Commit({}).ok());
  }
  std::string mpath = dir.Join("w/events/_manifest");
  std::string bytes = testing::ReadAll(mpath);
  ManifestContents m;
  ASSERT_TRUE(ParseManifest(bytes, &m).ok());
  ASSERT_EQ(m.commits.size(), 2u);
  // Damage a byte inside the first commit record (just after the schema record).
  uint32_t schema_len;
  std::memcpy(&schema_len, bytes.data() + kManifestHeaderSize, 4);
  size_t first_commit = kManifestHeaderSize + 13 + schema_len;
  std::string bad = bytes;
  bad[first_commit + 20] ^= 1;
  testing::WriteAll(mpath, bad);
  auto snap = wh->GetSnapshot("events");
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace wh
