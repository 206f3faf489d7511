// The manifest checkpoint: a table opened through `_checkpoint` and the records after it is the
// table the whole manifest describes; opening stays as cheap after many commits; a damaged
// checkpoint is passed over (and reported by verify), a manifest that lost what the checkpoint
// names is corruption, and a checkpoint written under faults or cut by a power loss still
// opens to the committed state.
#include <gtest/gtest.h>
#include <atomic>
#include <thread>
#include <cstring>
#include <filesystem>

#include "engine/engine.h"
#include "tests/test_util.h"

namespace wh {
namespace {

using testing::FaultInjectionFileSystem;
using testing::TempDir;

TableSchema Schema() {
  TableSchema s;
  s.name = "ev";
  s.columns = {{"ts", DataType::Timestamp(), false}, {"user_id", DataType::Int64(), true}, {"note", DataType::String(), true}};
  s.partition_column = "d";
  s.partition_expr.kind = PartitionExpr::kCastDate;
  s.partition_expr.args.push_back({PartitionExpr::kColumn, 0, {}});
  s.partition_sql = "CAST(ts AS DATE)";
  s.bucket_column = "user_id";
  s.bucket_count = 4;
  return s;
}

// Commit n: a few rows over three days.
Status Commit(Warehouse* wh, int n, uint64_t gap) {
  WH_ASSIGN_OR_RETURN(auto w, wh->OpenWriter("ev"));
  w->set_checkpoint_gap(gap);
  w->set_etl_micros(*ParseTimestamp("2022-03-01") + int64_t{n} * 1000000);
  std::vector<Column> cols = {Column(DataType::Timestamp()), Column(DataType::Int64()), Column(DataType::String())};
  for (int i = 0; i < 7; ++i) {
    cols[0].Append<int64_t>(*ParseTimestamp("2022-02-1" + std::to_string((n + i) % 3)) + i);
    cols[1].Append<int64_t>(n * 100 + i);
    cols[2].AppendString("n" + std::to_string(n));
  }
  WH_RETURN_IF_ERROR(w->WriteRows(cols));
  WH_ASSIGN_OR_RETURN(auto rec, w->Commit({{"/drops/" + std::to_string(n) + ".csv", 10, uint64_t(n)}}));
  (void)rec;
  return Status::OK();
}

// The table's state as text: commits (with sources) and live segments (entries byte for byte;
// with strip_paths, without their paths, which hold a writer's random token).
std::string State(Warehouse* wh, bool strip_paths = false) {
  auto snap = wh->GetSnapshot("ev");
  EXPECT_TRUE(snap.ok()) << snap.status().ToString();
  if (!snap.ok()) return "";
  std::string out = "last " + std::to_string(snap->last_seq) + "\n";
  for (const auto& c : snap->commits) {
    out += "commit " + std::to_string(c.seq) + " " + std::to_string(c.etl_micros);
    for (const auto& s : c.sources) out += " " + s.path + ":" + std::to_string(s.content_hash);
    out += "\n";
  }
  const auto cols = snap->schema.StorageColumns();
  for (SegmentEntry s : snap->segments) {
    out += std::to_string(s.commit_seq) + " ";
    if (strip_paths) s.path.clear();
    SerializeSegmentEntry(s, cols, &out);
    out += "\n";
  }
  return out;
}

std::string Dir(const std::string& root) { return JoinPath(root, "ev"); }

// The state read through the checkpoint, and read from the whole manifest (checkpoint moved away).
void ExpectCheckpointMatches(Warehouse* wh, const std::string& root) {
  FileSystem* fs = DefaultFileSystem();
  const std::string ck = JoinPath(Dir(root), kCheckpointFile);
  ASSERT_TRUE(fs->FileExists(ck));
  const std::string through = State(wh);
  ASSERT_TRUE(fs->Rename(ck, ck + ".aside").ok());
  const std::string whole = State(wh);
  ASSERT_TRUE(fs->Rename(ck + ".aside", ck).ok());
  EXPECT_EQ(through, whole);
}

// A table whose manifest writers rewrite now and then (a base record and the commits after it)
// is the table a twin that never rewrites it describes, commit after commit, compactions
// included.
TEST(Checkpoint, ARewrittenManifestDescribesTheSameTable) {
  TempDir dir;
  const std::string root = dir.Join("w"), twin_root = dir.Join("twin");
  auto wh = *Warehouse::Open(DefaultFileSystem(), root, true);
  auto twin = *Warehouse::Open(DefaultFileSystem(), twin_root, true);
  ASSERT_TRUE(wh->CreateTable(Schema(), false).ok());
  ASSERT_TRUE(twin->CreateTable(Schema(), false).ok());
  for (int n = 0; n < 40; ++n) {
    ASSERT_TRUE(Commit(wh.get(), n, n % 5 == 0 ? 0 : 1 << 30).ok());
    ASSERT_TRUE(Commit(twin.get(), n, 1 << 30).ok());
    if (n % 7 == 3) {  // compactions retire segments: the base record lists only live ones
      CompactOptions o;
      o.full = true;
      ASSERT_TRUE(CompactTable(wh.get(), "ev", o).ok());
      ASSERT_TRUE(CompactTable(twin.get(), "ev", o).ok());
    }
    SCOPED_TRACE("after commit " + std::to_string(n));
    EXPECT_EQ(State(wh.get(), true), State(twin.get(), true));
  }
  auto snap = *wh->GetSnapshot("ev");
  EXPECT_GT(snap.checkpoint_offset, 0u);  // a base record, and commits after it
  EXPECT_LT(snap.checkpoint_offset, snap.manifest_length);
  EXPECT_FALSE(DefaultFileSystem()->FileExists(JoinPath(Dir(root), kCheckpointFile)));
  EXPECT_LT(snap.manifest_length, twin->GetSnapshot("ev")->manifest_length);
  auto v = VerifyTable(wh.get(), "ev", [&](const std::string& m) { ADD_FAILURE() << m; });
  EXPECT_EQ(v.problems, 0u);
}

// After many commits, the manifest is a base record and a tail no longer than about it: its bytes,
// and the cost of opening the table, do not grow with the number of commits.
TEST(Checkpoint, OpeningReadsAboutTheLiveStateNotTheWholeLog) {
  TempDir dir;
  const std::string root = dir.Join("w");
  auto wh = *Warehouse::Open(DefaultFileSystem(), root, true);
  ASSERT_TRUE(wh->CreateTable(Schema(), false).ok());
  CompactOptions o;
  o.full = true;
  for (int n = 0; n < 400; ++n) {
    ASSERT_TRUE(Commit(wh.get(), n, 8 << 10).ok());
    if (n % 10 == 9) {
      ASSERT_TRUE(CompactTable(wh.get(), "ev", o).ok());
    }
  }
  auto snap = *wh->GetSnapshot("ev");
  ASSERT_GT(snap.checkpoint_offset, 0u);
  EXPECT_LE(snap.manifest_length - snap.checkpoint_offset, std::max<uint64_t>(8 << 10, snap.checkpoint_bytes) + 4096);
  EXPECT_LE(snap.manifest_length, snap.checkpoint_bytes + std::max<uint64_t>(8 << 10, snap.checkpoint_bytes) + 8192)
      << "the manifest is " << snap.manifest_length << " bytes";
}

// A copy at `root` of a golden warehouse of tests/data/golden, opened: by default ckpt_v1 (a
// checkpoint written by a build before 2026-12-07).
std::unique_ptr<Warehouse> GoldenCopy(const std::string& root, const std::string& golden = "ckpt_v1") {
  std::filesystem::copy(testing::TestData("golden/" + golden), root, std::filesystem::copy_options::recursive);
  return std::move(Warehouse::Open(DefaultFileSystem(), root, false)).value();
}

TEST(Checkpoint, ADamagedOneIsPassedOverReportedAndReplaced) {
  TempDir dir;
  const std::string root = dir.Join("w");
  auto wh = GoldenCopy(root);
  const std::string good = State(wh.get());
  const std::string ck = JoinPath(Dir(root), kCheckpointFile);
  std::string bytes = testing::ReadAll(ck);
  bytes[bytes.size() / 2] ^= 0x20;
  ASSERT_TRUE(DefaultFileSystem()->WriteFileAtomic(ck, bytes).ok());
  EXPECT_EQ(State(wh.get()), good);  // read from the whole manifest
  std::vector<std::string> problems;
  VerifyTable(wh.get(), "ev", [&](const std::string& m) { problems.push_back(m); });
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("_checkpoint"), std::string::npos) << problems[0];
  ASSERT_TRUE(Commit(wh.get(), 5, 1 << 30).ok());  // the next writer rewrites the manifest
  EXPECT_FALSE(DefaultFileSystem()->FileExists(ck));
  auto v = VerifyTable(wh.get(), "ev", [&](const std::string& m) { ADD_FAILURE() << m; });
  EXPECT_EQ(v.problems, 0u);
  EXPECT_GT(wh->GetSnapshot("ev")->checkpoint_offset, 0u);
}

// Damage in the records a checkpoint lets readers skip is invisible to queries; verify, which
// reads the whole manifest, reports it.
TEST(Checkpoint, VerifyFindsDamageBeforeTheCheckpoint) {
  TempDir dir;
  const std::string root = dir.Join("w");
  auto wh = GoldenCopy(root);
  const std::string manifest = JoinPath(Dir(root), "_manifest");
  std::string bytes = testing::ReadAll(manifest);
  ASSERT_GT(wh->GetSnapshot("ev")->checkpoint_offset, 400u);
  bytes[300] ^= 0x40;  // inside the first commit record, before the checkpoint's offset
  ASSERT_TRUE(DefaultFileSystem()->WriteFileAtomic(manifest, bytes).ok());
  EXPECT_TRUE(wh->GetSnapshot("ev").ok());
  std::vector<std::string> problems;
  VerifyTable(wh.get(), "ev", [&](const std::string& m) { problems.push_back(m); });
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems[0].find("read whole"), std::string::npos) << problems[0];
}

TEST(Checkpoint, AManifestThatLostWhatItNamesIsCorruption) {
  TempDir dir;
  const std::string root = dir.Join("w");
  auto wh = GoldenCopy(root);
  FileSystem* fs = DefaultFileSystem();
  const std::string manifest = JoinPath(Dir(root), "_manifest");
  const std::string saved = testing::ReadAll(manifest);
  const uint64_t covered = wh->GetSnapshot("ev")->checkpoint_offset;
  ASSERT_GT(covered, 0u);
  // Without _head to tell, the checkpoint alone reveals the loss.
  ASSERT_TRUE(fs->RemoveFile(JoinPath(Dir(root), "_head")).ok());
  ASSERT_TRUE(fs->Truncate(manifest, covered - 20).ok());
  auto snap = wh->GetSnapshot("ev");
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kCorruption) << snap.status().ToString();
  // A different manifest of the same length (replaced, or damaged at the record's end).
  std::string other = saved.substr(0, covered);
  other[other.size() - 3] ^= 1;
  ASSERT_TRUE(fs->WriteFileAtomic(manifest, other).ok());
  snap = wh->GetSnapshot("ev");
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kCorruption) << snap.status().ToString();
}

// A commit that rewrites the manifest, failing at its Nth filesystem call (and, in a second pass,
// followed by a power loss): the table opens to the old state or the new one (as a twin without
// faults has it), and verify passes once the next writer has run.
TEST(Checkpoint, FaultsAndPowerLossWhileWritingItLeaveAReadableTable) {
  // prior 0: the table's first commit, whose rewritten manifest is longer than the one it
  // replaces (a base record lists each live file's commit).
  for (int prior : {0, 3})
  for (bool crash : {false, true}) {
    for (int n = 1;; ++n) {
      TempDir dir;
      const std::string root = dir.Join("w");
      {
        auto wh = *Warehouse::Open(DefaultFileSystem(), root, true);
        ASSERT_TRUE(wh->CreateTable(Schema(), false).ok());
        for (int k = 0; k < prior; ++k) ASSERT_TRUE(Commit(wh.get(), k, 0).ok());
      }
      auto clean = *Warehouse::Open(DefaultFileSystem(), root, false);
      const std::string before = State(clean.get(), true);
      const std::string twin_root = dir.Join("twin");
      std::filesystem::copy(root, twin_root, std::filesystem::copy_options::recursive);
      auto twin = *Warehouse::Open(DefaultFileSystem(), twin_root, false);
      ASSERT_TRUE(Commit(twin.get(), 3, 0).ok());
      const std::string expected = State(twin.get(), true);
      FaultInjectionFileSystem faulty(DefaultFileSystem());
      auto wh = *Warehouse::Open(&faulty, root, false);
      faulty.FailAt(n);
      Status st = Commit(wh.get(), 3, 0);
      const bool hit = faulty.failed();
      faulty.FailAt(0);
      if (crash) faulty.SimulateCrash();
      const std::string after = State(clean.get(), true);
      EXPECT_TRUE(after == before || after == expected)
          << "fault at call " << n << (crash ? " (power loss)" : "") << " after " << prior << " commits";
      { ASSERT_TRUE(clean->OpenWriter("ev").ok()); }
      auto v = VerifyTable(clean.get(), "ev", [&](const std::string& m) {
        ADD_FAILURE() << "fault at call " << n << (crash ? " (power loss)" : "") << ": " << m;
      });
      EXPECT_EQ(v.problems, 0u);
      if (!hit) {
        ASSERT_TRUE(st.ok()) << st.ToString();
        break;
      }
      ASSERT_LT(n, 500) << "runaway";
    }
  }
}

// A table written by a build before 2026-12-07 (tests/data/golden/ckpt_v1: commit records of
// type 2, a version-1 checkpoint after commit 2, commit 3 after it) opens through its
// checkpoint, and takes new commits (of type 3) and, once the manifest is rewritten, a base
// record in place of the checkpoint.
TEST(Checkpoint, GoldenVersion1CheckpointAndType2Records) {
  TempDir dir;
  const std::string root = dir.Join("w");
  auto wh = GoldenCopy(root);
  auto snap = *wh->GetSnapshot("ev");
  EXPECT_GT(snap.checkpoint_offset, 0u);
  EXPECT_LT(snap.checkpoint_offset, snap.manifest_length);
  EXPECT_EQ(snap.last_seq, 3u);
  ASSERT_EQ(snap.segments.size(), 3u);
  for (int n = 1; n <= 3; ++n) {
    const SegmentEntry& e = snap.segments[n - 1];
    EXPECT_EQ(e.commit_seq, uint64_t(n));
    EXPECT_EQ(e.partition, *ParseDate("2022-02-1" + std::to_string(n)));
    EXPECT_EQ(e.rows, 5u);
    EXPECT_EQ(snap.commits[n - 1].sources.at(0).path, "/drops/" + std::to_string(n) + ".csv");
  }
  ExpectCheckpointMatches(wh.get(), root);
  auto v = VerifyTable(wh.get(), "ev", [&](const std::string& m) { ADD_FAILURE() << m; });
  EXPECT_EQ(v.problems, 0u);
  const std::string before = State(wh.get());
  ASSERT_TRUE(Commit(wh.get(), 5, 1 << 30).ok());  // a commit of type 3 after the type-2 ones
  std::string manifest = testing::ReadAll(JoinPath(Dir(root), "_manifest"));
  EXPECT_EQ(testing::ManifestRecordType(manifest, snap.manifest_length), 3) << "the new commit's record type";
  EXPECT_TRUE(DefaultFileSystem()->FileExists(JoinPath(Dir(root), kCheckpointFile)));
  ExpectCheckpointMatches(wh.get(), root);  // the version-1 checkpoint and the new commit
  ASSERT_TRUE(Commit(wh.get(), 4, 0).ok());  // the manifest rewritten: a base record after the schema
  manifest = testing::ReadAll(JoinPath(Dir(root), "_manifest"));
  uint32_t schema_len;
  std::memcpy(&schema_len, manifest.data() + kManifestHeaderSize, 4);
  EXPECT_EQ(testing::ManifestRecordType(manifest, kManifestHeaderSize + 13 + schema_len), 4) << "a base record";
  EXPECT_FALSE(DefaultFileSystem()->FileExists(JoinPath(Dir(root), kCheckpointFile)));
  // Every commit and live segment of before is still there.
  const std::string after = State(wh.get());
  EXPECT_NE(after.find("last 5\n"), std::string::npos) << after;
  for (size_t at = before.find('\n') + 1, end; at < before.size(); at = end + 1) {
    end = before.find('\n', at);
    EXPECT_NE(after.find(before.substr(at, end - at + 1)), std::string::npos) << before.substr(at, end - at);
  }
  snap = *wh->GetSnapshot("ev");
  EXPECT_EQ(snap.last_seq, 5u);
  EXPECT_EQ(snap.rows(), 15u + 7u + 7u);
  auto v2 = VerifyTable(wh.get(), "ev", [&](const std::string& m) { ADD_FAILURE() << m; });
  EXPECT_EQ(v2.problems, 0u);
}

// Commit records of type 3 list files, each with its parts: a file listed twice, parts out of
// partition order, or bucket rows that do not add up are corruption.
TEST(Checkpoint, FileListRules) {
  const auto cols = Schema().StorageColumns();
  auto entry = [&](const std::string& path, std::optional<int32_t> part, uint64_t rows) {
    SegmentEntry e;
    e.path = path;
    e.partition = part;
    e.rows = rows;
    e.bytes = 1000;
    e.footer_checksum = 42;
    e.bucket_rows = {{1, rows}};
    for (size_t c = 0; c < cols.size(); ++c) e.zones.emplace_back();
    return e;
  };
  auto parse = [&](const std::vector<SegmentEntry>& added) {
    TableSchema schema = Schema();
    std::string bytes = EncodeManifestHeader();
    std::string payload;
    SerializeSchema(schema, &payload);
    bytes += EncodeRecord(RecordType::kSchema, payload);
    CommitRecord c;
    c.seq = 1;
    c.added = added;
    payload.clear();
    SerializeCommit(c, cols, &payload);
    bytes += EncodeRecord(RecordType::kFileCommit, payload);
    ManifestContents m;
    Status st = ParseManifest(bytes, &m);
    if (st.ok()) {
      EXPECT_EQ(m.commits.at(0).added.size(), added.size());
    }
    return st;
  };
  EXPECT_TRUE(parse({entry("data/a", std::nullopt, 3), entry("data/a", 5, 4), entry("data/b", 5, 1)}).ok());
  EXPECT_FALSE(parse({entry("data/a", 5, 3), entry("data/a", 4, 4)}).ok());          // out of order
  EXPECT_FALSE(parse({entry("data/a", 5, 3), entry("data/b", 5, 3), entry("data/a", 6, 1)}).ok());  // twice
  SegmentEntry bad = entry("data/a", 5, 3);
  bad.bucket_rows = {{1, 2}};
  EXPECT_FALSE(parse({bad}).ok());
  bad.bucket_rows = {{1, 2}, {1, 1}};  // a bucket twice
  EXPECT_FALSE(parse({bad}).ok());
}

// Readers opening the table while a writer rewrites the manifest after every commit always read
// a whole state: never an error, never fewer commits than a state they read before.
TEST(Checkpoint, ReadersBesideManifestRewritesAlwaysReadAWholeState) {
  TempDir dir;
  const std::string root = dir.Join("w");
  auto wh = *Warehouse::Open(DefaultFileSystem(), root, true);
  ASSERT_TRUE(wh->CreateTable(Schema(), false).ok());
  ASSERT_TRUE(Commit(wh.get(), 0, 0).ok());
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, errors{0};
  std::thread reader([&] {
    auto rw = *Warehouse::Open(DefaultFileSystem(), root, false);
    uint64_t last = 0;
    while (!done) {
      auto snap = rw->GetSnapshot("ev");
      if (!snap.ok() || snap->last_seq < last || snap->rows() != snap->last_seq * 7) {
        ++errors;
        ADD_FAILURE() << (snap.ok() ? "commit " + std::to_string(snap->last_seq) : snap.status().ToString());
        break;
      }
      last = snap->last_seq;
      ++reads;
    }
  });
  for (int n = 1; n < 60; ++n) {
    ASSERT_TRUE(Commit(wh.get(), n, 0).ok());
  }
  done = true;
  reader.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(reads.load(), 0);
  auto snap = *wh->GetSnapshot("ev");
  EXPECT_EQ(snap.last_seq, 60u);
  EXPECT_GT(snap.checkpoint_offset, 0u);
}

// A table written by this build's writer (tests/data/golden/manifest_base: a base record as of
// commit 2, a type-3 commit after it, three files of three parts each) stays readable.
TEST(Checkpoint, GoldenBaseRecordAndFileCommits) {
  TempDir dir;
  const std::string root = dir.Join("w");
  auto wh = GoldenCopy(root, "manifest_base");
  auto snap = *wh->GetSnapshot("ev");
  EXPECT_EQ(snap.last_seq, 3u);
  EXPECT_GT(snap.checkpoint_offset, 0u);  // the base record's end
  EXPECT_LT(snap.checkpoint_offset, snap.manifest_length);
  ASSERT_EQ(snap.commits.size(), 3u);
  for (int n = 1; n <= 3; ++n) EXPECT_EQ(snap.commits[n - 1].sources.at(0).path, "/drops/" + std::to_string(n) + ".csv");
  ASSERT_EQ(snap.segments.size(), 9u);
  EXPECT_EQ(snap.files(), 3u);
  EXPECT_EQ(snap.rows(), 21u);
  for (size_t i = 0; i < snap.segments.size(); ++i) {
    EXPECT_EQ(snap.segments[i].commit_seq, i / 3 + 1);
    EXPECT_EQ(snap.segments[i].partition, *ParseDate("2022-02-1" + std::to_string(i % 3)));
  }
  auto v = VerifyTable(wh.get(), "ev", [&](const std::string& m) { ADD_FAILURE() << m; });
  EXPECT_EQ(v.problems, 0u);
}

}  // namespace
}  // namespace wh
