// The manifest checkpoint: a table opened through `_checkpoint` and the records after it is the
// table the whole manifest describes; opening stays as cheap after many commits; a damaged
// checkpoint is passed over (and reported by verify), a manifest that lost what the checkpoint
// names is corruption, and a checkpoint written under faults or cut by a power loss still
// opens to the committed state.
#include <gtest/gtest.h>
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

// The table's state as text: commits (with sources) and live segments (entries byte for byte).
std::string State(Warehouse* wh) {
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
  for (const auto& s : snap->segments) {
    out += std::to_string(s.commit_seq) + " ";
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

TEST(Checkpoint, ATableOpenedThroughItIsTheOneTheWholeManifestDescribes) {
  TempDir dir;
  const std::string root = dir.Join("w");
  auto wh = *Warehouse::Open(DefaultFileSystem(), root, true);
  ASSERT_TRUE(wh->CreateTable(Schema(), false).ok());
  for (int n = 0; n < 40; ++n) {
    ASSERT_TRUE(Commit(wh.get(), n, n % 5 == 0 ? 0 : 1 << 30).ok());
    if (n % 7 == 3) {  // compactions retire segments: the checkpoint lists only live ones
      CompactOptions o;
      o.full = true;
      ASSERT_TRUE(CompactTable(wh.get(), "ev", o).ok());
    }
    if (n % 5 == 0 || n == 39) {
      SCOPED_TRACE("after commit " + std::to_string(n));
      ExpectCheckpointMatches(wh.get(), root);
    }
  }
  auto snap = *wh->GetSnapshot("ev");
  EXPECT_GT(snap.checkpoint_offset, 0u);
  EXPECT_LT(snap.checkpoint_offset, snap.manifest_length);  // four commits after the last one
  auto v = VerifyTable(wh.get(), "ev", [&](const std::string& m) { ADD_FAILURE() << m; });
  EXPECT_EQ(v.problems, 0u);
}

// After many commits, opening reads the checkpoint and a tail no longer than about it: the cost
// does not grow with the number of commits.
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
  const uint64_t read = snap.checkpoint_bytes + (snap.manifest_length - snap.checkpoint_offset);
  EXPECT_GT(snap.manifest_length, 4 * read) << "the manifest is " << snap.manifest_length << " bytes";
  EXPECT_LE(snap.manifest_length - snap.checkpoint_offset, std::max<uint64_t>(8 << 10, snap.checkpoint_bytes) + 4096);
}

TEST(Checkpoint, ADamagedOneIsPassedOverReportedAndReplaced) {
  TempDir dir;
  const std::string root = dir.Join("w");
  auto wh = *Warehouse::Open(DefaultFileSystem(), root, true);
  ASSERT_TRUE(wh->CreateTable(Schema(), false).ok());
  for (int n = 0; n < 5; ++n) ASSERT_TRUE(Commit(wh.get(), n, 0).ok());
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
  ASSERT_TRUE(Commit(wh.get(), 5, 1 << 30).ok());  // the next writer replaces it
  auto v = VerifyTable(wh.get(), "ev", [&](const std::string& m) { ADD_FAILURE() << m; });
  EXPECT_EQ(v.problems, 0u);
  ExpectCheckpointMatches(wh.get(), root);
}

// Damage in the records a checkpoint lets readers skip is invisible to queries; verify, which
// reads the whole manifest, reports it.
TEST(Checkpoint, VerifyFindsDamageBeforeTheCheckpoint) {
  TempDir dir;
  const std::string root = dir.Join("w");
  auto wh = *Warehouse::Open(DefaultFileSystem(), root, true);
  ASSERT_TRUE(wh->CreateTable(Schema(), false).ok());
  for (int n = 0; n < 4; ++n) ASSERT_TRUE(Commit(wh.get(), n, 0).ok());
  const std::string manifest = JoinPath(Dir(root), "_manifest");
  std::string bytes = testing::ReadAll(manifest);
  bytes[300] ^= 0x40;  // inside the first commit record, far before the checkpoint's offset
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
  auto wh = *Warehouse::Open(DefaultFileSystem(), root, true);
  ASSERT_TRUE(wh->CreateTable(Schema(), false).ok());
  for (int n = 0; n < 4; ++n) ASSERT_TRUE(Commit(wh.get(), n, 0).ok());
  FileSystem* fs = DefaultFileSystem();
  const std::string manifest = JoinPath(Dir(root), "_manifest");
  const std::string saved = testing::ReadAll(manifest);
  // Without _head to tell, the checkpoint alone reveals the loss.
  ASSERT_TRUE(fs->RemoveFile(JoinPath(Dir(root), "_head")).ok());
  ASSERT_TRUE(fs->Truncate(manifest, saved.size() - 20).ok());
  auto snap = wh->GetSnapshot("ev");
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kCorruption) << snap.status().ToString();
  // A different manifest of the same length (replaced, or damaged at the record's end).
  std::string other = saved;
  other[other.size() - 3] ^= 1;
  ASSERT_TRUE(fs->WriteFileAtomic(manifest, other).ok());
  snap = wh->GetSnapshot("ev");
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kCorruption) << snap.status().ToString();
}

// A commit that writes a checkpoint, failing at its Nth filesystem call (and, in a second pass,
// followed by a power loss): the table opens to the old state or the new one, the same through
// the checkpoint as from the whole manifest, and verify passes once the next writer has run.
TEST(Checkpoint, FaultsAndPowerLossWhileWritingItLeaveAReadableTable) {
  for (bool crash : {false, true}) {
    for (int n = 1;; ++n) {
      TempDir dir;
      const std::string root = dir.Join("w");
      {
        auto wh = *Warehouse::Open(DefaultFileSystem(), root, true);
        ASSERT_TRUE(wh->CreateTable(Schema(), false).ok());
        for (int k = 0; k < 3; ++k) ASSERT_TRUE(Commit(wh.get(), k, 0).ok());
      }
      auto clean = *Warehouse::Open(DefaultFileSystem(), root, false);
      const std::string before = State(clean.get());
      FaultInjectionFileSystem faulty(DefaultFileSystem());
      auto wh = *Warehouse::Open(&faulty, root, false);
      faulty.FailAt(n);
      Status st = Commit(wh.get(), 3, 0);
      const bool hit = faulty.failed();
      faulty.FailAt(0);
      if (crash) faulty.SimulateCrash();
      const std::string after = State(clean.get());
      EXPECT_TRUE(after == before || after.size() > before.size()) << "fault at call " << n;
      if (DefaultFileSystem()->FileExists(JoinPath(Dir(root), kCheckpointFile))) {
        SCOPED_TRACE("fault at call " + std::to_string(n));
        ExpectCheckpointMatches(clean.get(), root);
      }
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
// checkpoint, and takes new commits (of type 3) and a version-2 checkpoint after them.
TEST(Checkpoint, GoldenVersion1CheckpointAndType2Records) {
  TempDir dir;
  const std::string root = dir.Join("w");
  std::filesystem::copy(testing::TestData("golden/ckpt_v1"), root, std::filesystem::copy_options::recursive);
  auto wh = *Warehouse::Open(DefaultFileSystem(), root, false);
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
  ASSERT_TRUE(Commit(wh.get(), 4, 0).ok());  // a checkpoint after it
  const std::string manifest = testing::ReadAll(JoinPath(Dir(root), "_manifest"));
  EXPECT_EQ(manifest[snap.manifest_length + 4], 3) << "the new commit's record type";
  const std::string ck = testing::ReadAll(JoinPath(Dir(root), kCheckpointFile));
  EXPECT_EQ(ck[8], 2) << "checkpoint version";
  // Every commit and live segment of before is still there.
  const std::string after = State(wh.get());
  for (size_t at = before.find('\n') + 1, end; at < before.size(); at = end + 1) {
    end = before.find('\n', at);
    EXPECT_NE(after.find(before.substr(at, end - at + 1)), std::string::npos) << before.substr(at, end - at);
  }
  ExpectCheckpointMatches(wh.get(), root);
  snap = *wh->GetSnapshot("ev");
  EXPECT_EQ(snap.last_seq, 4u);
  EXPECT_EQ(snap.rows(), 15u + 7u);
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

}  // namespace
}  // namespace wh
