// Compaction: the merge policy; many drops with automatic and manual compactions keep every row
// and its etl_date (compared with the same drops never compacted); a reader's snapshot keeps its
// files until it is done; a compaction failing at any step, or cut by a power loss, leaves the
// old state or the new one.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <optional>
#include <set>

#include "engine/engine.h"
#include "ingest/ingest.h"
#include "query/query.h"
#include "tests/test_util.h"

namespace wh {
namespace {

using testing::FaultInjectionFileSystem;
using testing::TempDir;

using Runs = std::vector<std::pair<size_t, size_t>>;

TEST(MergePolicy, NewestRunWhileEachOlderSegmentIsAtMostRatioTimesTheRun) {
  CompactOptions o;  // automatic: ratio 2
  const std::vector<uint64_t> small(10, 1000);
  // Two equal drops merge; a third waits until the newer ones add up.
  EXPECT_EQ(PlanMerges({100, 100}, {10, 10}, o), (Runs{{0, 2}}));
  EXPECT_EQ(PlanMerges({300, 100}, {10, 10}, o), (Runs{}));  // 300 > 2 x 100
  EXPECT_EQ(PlanMerges({300, 100, 100}, {10, 10, 10}, o), (Runs{{0, 3}}));  // 100 <= 200, 300 <= 400
  EXPECT_EQ(PlanMerges({1000, 100, 100}, {10, 10, 10}, o), (Runs{{1, 3}}));  // the big one stays
  // A large old segment is never rewritten for a small drop.
  EXPECT_EQ(PlanMerges({1000000, 10}, {10, 10}, o), (Runs{}));
  EXPECT_EQ(PlanMerges({5}, {10}, o), (Runs{}));
  // Rows decide, not bytes: a small drop's file is large for its rows.
  EXPECT_EQ(PlanMerges({3000, 100}, {1000, 900}, o), (Runs{}));
  // Segments at the target size are left alone; a run stops before passing it.
  o.target_bytes = 1000;
  EXPECT_EQ(PlanMerges({100, 100}, {1000, 10}, o), (Runs{}));
  EXPECT_EQ(PlanMerges({100, 100, 100}, {600, 300, 300}, o), (Runs{{1, 3}}));
  // Full (`wh compact`): every run of two or more under the target.
  o.full = true;
  EXPECT_EQ(PlanMerges({1, 2, 3, 4, 5}, {10, 10, 2000, 10, 10}, o), (Runs{{0, 2}, {3, 5}}));
  EXPECT_EQ(PlanMerges({1, 2, 3}, {10, 2000, 10}, o), (Runs{}));
  EXPECT_EQ(PlanMerges({9, 1, 1}, {10, 10, 10}, o), (Runs{{0, 3}}));
}

// Write amplification of the automatic policy on n equal drops into one partition: each row is
// rewritten O(log n) times, and few files remain.
TEST(MergePolicy, EqualDropsAreRewrittenLogarithmicallyOften) {
  CompactOptions o;
  for (int n : {30, 90, 365}) {
    std::vector<uint64_t> rows, bytes;
    uint64_t written = 0;
    for (int d = 0; d < n; ++d) {
      rows.push_back(100);
      bytes.push_back(100);
      for (const auto& [first, last] : PlanMerges(rows, bytes, o)) {
        uint64_t r = 0;
        for (size_t k = first; k < last; ++k) r += rows[k];
        written += r;
        rows.erase(rows.begin() + first, rows.begin() + last);
        bytes.erase(bytes.begin() + first, bytes.begin() + last);
        rows.push_back(r);
        bytes.push_back(r);
      }
    }
    const double amplification = static_cast<double>(written) / (100.0 * n);
    EXPECT_LE(amplification, 8.0) << n << " drops";
    EXPECT_LE(rows.size(), 6u) << n << " drops";
  }
}

constexpr const char* kCreate =
    "CREATE TABLE ev (user_id BIGINT NOT NULL, ts TIMESTAMP NOT NULL, v INT, note STRING) "
    "PARTITIONED BY (d = CAST(ts AS DATE)) CLUSTERED BY (user_id) INTO 5 BUCKETS";

// Drop n: rows over 4 days (of 6), a few per bucket, some NULLs.
std::string Drop(int n, int rows) {
  std::string csv = "user_id,ts,v,note\n";
  for (int i = 0; i < rows; ++i) {
    csv += std::to_string((i * 7919 + n * 104729) % 1000 - 300) + ",2022-02-1" + std::to_string((i + n) % 4 + (n % 3)) +
           " 1" + std::to_string(i % 10) + ":00:00," + (i % 11 == 0 ? std::string() : std::to_string(n * 1000 + i)) +
           "," + (i % 7 == 0 ? std::string() : "drop " + std::to_string(n) + " row " + std::to_string(i)) + "\n";
  }
  return csv;
}

// Every row with its etl_date, in one canonical order, as text.
std::vector<std::string> AllRows(const std::string& root) {
  Session s(DefaultFileSystem(), root);
  auto r = s.Execute("SELECT user_id, ts, v, note, etl_date FROM ev ORDER BY user_id, ts, v, note, etl_date");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> out;
  if (!r.ok()) return out;
  ResultSet rs = std::move((*r)[0]);
  rs.Flatten();
  for (size_t i = 0; i < rs.rows(); ++i) {
    std::string line = std::to_string(rs.columns[0].Get<int64_t>(i)) + "|" +
                       std::to_string(rs.columns[1].Get<int64_t>(i)) + "|" +
                       (rs.columns[2].IsNull(i) ? "NULL" : std::to_string(rs.columns[2].Get<int32_t>(i))) + "|" +
                       (rs.columns[3].IsNull(i) ? "NULL" : std::string(rs.columns[3].GetString(i))) + "|" +
                       std::to_string(rs.columns[4].Get<int64_t>(i));
    out.push_back(line);
  }
  return out;
}

// Answers of queries that filter on etl_date (whose ranges the manifest's zone maps prove for
// some of a file's parts and not others, when a compaction merged drops) and group by a STRING
// with NULLs bucket by bucket, as text.
std::string EtlAnswers(const std::string& root) {
  Session s(DefaultFileSystem(), root);
  std::string out;
  for (const char* q : {
           "SELECT note IS NULL, COUNT(*), SUM(v) FROM ev WHERE etl_date = TIMESTAMP '2022-03-04' GROUP BY note IS NULL ORDER BY 1",
           "SELECT d, COUNT(*), SUM(v), MIN(note) FROM ev WHERE etl_date >= TIMESTAMP '2022-03-09' GROUP BY d ORDER BY d",
           "SELECT d, COUNT(*) FROM ev WHERE etl_date BETWEEN TIMESTAMP '2022-03-02' AND TIMESTAMP '2022-03-07' AND v > 3000 GROUP BY d ORDER BY d",
           "SELECT note, COUNT(*), SUM(v) FROM ev WHERE etl_date < TIMESTAMP '2022-03-05' GROUP BY note ORDER BY note NULLS FIRST LIMIT 20",
           "SELECT etl_date, COUNT(*) FROM ev WHERE d = DATE '2022-02-12' GROUP BY etl_date ORDER BY etl_date"}) {
    auto r = s.Execute(q);
    EXPECT_TRUE(r.ok()) << q << ": " << r.status().ToString();
    if (!r.ok()) continue;
    ResultSet rs = std::move((*r)[0]);
    rs.Flatten();
    out += std::string(q) + "\n";
    for (size_t i = 0; i < rs.rows(); ++i) {
      for (size_t c = 0; c < rs.columns.size(); ++c)
        out += (c ? "|" : "") + ValueToText(rs.columns[c], i, "NULL");
      out += "\n";
    }
  }
  return out;
}

std::map<std::string, size_t> FilesPerPartition(Warehouse* wh) {
  std::map<std::string, size_t> out;
  auto snap = wh->GetSnapshot("ev");
  EXPECT_TRUE(snap.ok());
  for (const auto& s : snap->segments) ++out[PartitionDirName("d", s.partition)];
  return out;
}

void Ingest(Warehouse* wh, int n, int rows, bool compact) {
  auto in = StringInput(Drop(n, rows), "drop" + std::to_string(n) + ".csv");
  IngestOptions o;
  o.compact = compact;
  o.etl_micros = *ParseTimestamp("2022-03-01") + int64_t{n} * 86400 * 1000000;
  auto r = IngestCsvStreams(wh, "ev", {in.get()}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  if (compact) {
    EXPECT_TRUE(r->compaction_error.empty()) << r->compaction_error;
  }
}

// A warehouse at `root` with the table `ev` (kCreate), opened.
std::unique_ptr<Warehouse> CreateEv(const std::string& root) {
  Session s(DefaultFileSystem(), root);
  EXPECT_TRUE(s.Execute(kCreate).ok());
  return std::move(Warehouse::Open(DefaultFileSystem(), root, false)).value();
}

TEST(Compaction, ManyDropsAndCompactionsKeepEveryRowAndItsEtlDate) {
  TempDir dir;
  const std::string a = dir.Join("a"), b = dir.Join("b");
  auto wa = CreateEv(a);  // compacted
  auto wb = CreateEv(b);  // never compacted
  for (int n = 0; n < 40; ++n) {
    const int rows = n % 9 == 0 ? 700 : 40 + n;  // now and then a large drop
    Ingest(wa.get(), n, rows, true);
    Ingest(wb.get(), n, rows, false);
    if (n == 17) {  // one partition by hand
      CompactOptions o;
      o.full = true;
      o.partitions = {*ParseDate("2022-02-12")};
      auto r = CompactTable(wa.get(), "ev", o);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(FilesPerPartition(wa.get())["d=2022-02-12"], 1u);
    }
    for (const auto& [part, files] : FilesPerPartition(wa.get())) {
      EXPECT_LE(files, 6u) << part << " after drop " << n;
    }
    if (n % 13 == 0 || n == 39) {
      ASSERT_EQ(AllRows(a), AllRows(b)) << "after drop " << n;
      ASSERT_EQ(EtlAnswers(a), EtlAnswers(b)) << "after drop " << n;
    }
  }
  const auto rows = AllRows(b);
  ASSERT_EQ(rows.size(), AllRows(a).size());
  EXPECT_EQ(AllRows(a), rows);
  // wh compact: one file holding each partition, the same rows; every block checks out.
  CompactOptions full;
  full.full = true;
  auto r = CompactTable(wa.get(), "ev", full);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->files_in, r->files_out);
  EXPECT_LE(r->rows, wa->GetSnapshot("ev")->rows());
  EXPECT_GT(r->rows, 0u);
  for (const auto& [part, files] : FilesPerPartition(wa.get())) EXPECT_EQ(files, 1u) << part;
  EXPECT_EQ(AllRows(a), rows);
  EXPECT_EQ(EtlAnswers(a), EtlAnswers(b));
  auto again = CompactTable(wa.get(), "ev", full);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->files_in, 0u);  // nothing left to merge: no commit
  EXPECT_EQ(again->commit_seq, 0u);
  auto v = VerifyTable(wa.get(), "ev", [&](const std::string& m) { ADD_FAILURE() << m; });
  EXPECT_EQ(v.problems, 0u);
  // The retired files are gone (no reader held the table): only live segments are on disk.
  auto snap = *wa->GetSnapshot("ev");
  std::set<std::string> live;
  for (const auto& s : snap.segments) live.insert(s.path);
  for (const auto& n : *DefaultFileSystem()->ListDir(snap.dir)) {
    if (n != "data" && n.rfind("d=", 0) != 0) continue;
    for (const auto& f : *DefaultFileSystem()->ListDir(JoinPath(snap.dir, n)))
      EXPECT_TRUE(live.count(n + "/" + f)) << n << "/" << f;
  }
  // Bucket pruning still works on the merged files.
  Session s(DefaultFileSystem(), a);
  auto q = s.Execute("SELECT COUNT(*) FROM ev WHERE user_id = 17");
  auto qb = Session(DefaultFileSystem(), b).Execute("SELECT COUNT(*) FROM ev WHERE user_id = 17");
  ASSERT_TRUE(q.ok() && qb.ok());
  (*q)[0].Flatten();
  (*qb)[0].Flatten();
  EXPECT_EQ((*q)[0].columns[0].Get<int64_t>(0), (*qb)[0].columns[0].Get<int64_t>(0));
}

// A drop writes one file whatever partitions it touches, and the automatic policy keeps the
// table's files few: runs of similar size merge, a large old file is not rewritten for a small
// drop.
TEST(Compaction, DropsWriteOneFileAndMergeByRuns) {
  TempDir dir;
  const std::string root = dir.Join("w");
  auto wh = CreateEv(root);
  auto files = [&] {
    std::set<std::string> paths;
    const TableSnapshot snap = *wh->GetSnapshot("ev");
    for (const auto& s : snap.segments) paths.insert(s.path);
    return paths;
  };
  Ingest(wh.get(), 0, 3000, true);
  ASSERT_EQ(files().size(), 1u);
  EXPECT_GT(FilesPerPartition(wh.get()).size(), 1u);  // one file, several partitions
  const std::string big = *files().begin();
  for (int n = 1; n < 20; ++n) {
    Ingest(wh.get(), n, 40, true);
    EXPECT_LE(files().size(), 5u) << "after drop " << n;
    EXPECT_TRUE(files().count(big)) << "the large first load was rewritten by drop " << n;
  }
  // wh compact merges everything into one file.
  CompactOptions full;
  full.full = true;
  auto r = CompactTable(wh.get(), "ev", full);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(files().size(), 1u);
}

// wh compact cuts its output at the target size: several files, every row, verify passes.
TEST(Compaction, OutputIsCutAtTheTargetSize) {
  TempDir dir;
  const std::string root = dir.Join("w");
  auto wh = CreateEv(root);
  // Enough rows that each partition's buckets fill row groups of their own (an output is cut
  // between row groups; small partitions, which share row groups, are written only when the
  // next large one begins).
  for (int n = 0; n < 6; ++n) Ingest(wh.get(), n, 12000, false);
  const auto before = AllRows(root);
  CompactOptions o;
  o.full = true;
  const TableSnapshot inputs = *wh->GetSnapshot("ev");
  o.target_bytes = 0;
  for (const auto& s : inputs.segments) o.target_bytes = std::max(o.target_bytes, s.bytes + 1);  // every input under it
  auto r = CompactTable(wh.get(), "ev", o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto snap = *wh->GetSnapshot("ev");
  size_t added = 0;
  for (const auto& s : snap.segments) added += s.commit_seq == r->commit_seq;
  std::set<std::string> paths;
  for (const auto& s : snap.segments)
    if (s.commit_seq == r->commit_seq) paths.insert(s.path);
  EXPECT_EQ(paths.size(), r->files_out);
  EXPECT_GT(r->files_out, 1u);
  EXPECT_GT(added, r->files_out);  // a part per partition in each file
  EXPECT_EQ(AllRows(root), before);
  auto v = VerifyTable(wh.get(), "ev", [&](const std::string& m) { ADD_FAILURE() << m; });
  EXPECT_EQ(v.problems, 0u);
}

// INSERT merges after its commit as ingest does: twelve equal INSERTs leave a few files per
// partition, not twelve, and every row.
TEST(Compaction, InsertMergesLikeIngest) {
  TempDir dir;
  const std::string root = dir.Join("w");
  Session s(DefaultFileSystem(), root);
  ASSERT_TRUE(s.Execute(kCreate).ok());
  ASSERT_TRUE(s.Execute(std::string(kCreate).replace(13, 2, "seed")).ok());
  auto wh = *Warehouse::Open(DefaultFileSystem(), root, false);
  {
    auto in = StringInput(Drop(1, 200), "seed.csv");
    ASSERT_TRUE(IngestCsvStreams(wh.get(), "seed", {in.get()}, {}).ok());
  }
  for (int n = 0; n < 12; ++n) {
    auto r = s.Execute("INSERT INTO ev SELECT user_id + " + std::to_string(n) + ", ts, v, note FROM seed");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  auto files = FilesPerPartition(wh.get());
  ASSERT_FALSE(files.empty());
  for (const auto& [part, n] : files) EXPECT_LE(n, 3u) << part;
  auto count = s.Execute("SELECT COUNT(*), COUNT(DISTINCT user_id) FROM ev");
  ASSERT_TRUE(count.ok());
  (*count)[0].Flatten();
  EXPECT_EQ((*count)[0].columns[0].Get<int64_t>(0), 12 * 200);
}

// Six small drops, then a full compaction while a reader holds the snapshot before it (*old).
void CompactBehindAReader(Warehouse* wh, std::optional<TableSnapshot>* old) {
  for (int n = 0; n < 6; ++n) Ingest(wh, n, 50, false);
  *old = *wh->GetSnapshot("ev");
  CompactOptions full;
  full.full = true;
  auto r = CompactTable(wh, "ev", full);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_GT(r->files_in, 0u);
}

TEST(Compaction, AReadersSnapshotKeepsItsFilesUntilItIsReleased) {
  TempDir dir;
  const std::string root = dir.Join("w");
  auto wh = CreateEv(root);
  std::optional<TableSnapshot> old;
  ASSERT_NO_FATAL_FAILURE(CompactBehindAReader(wh.get(), &old));
  // The old snapshot's files are all still there and read back whole.
  uint64_t rows = 0;
  for (const auto& seg : old->segments) {
    auto reader = SegmentReader::Open(DefaultFileSystem(), old->SegmentPath(seg));
    ASSERT_TRUE(reader.ok()) << seg.path << ": " << reader.status().ToString();
    const SegmentFooter& f = (*reader)->footer();
    const uint32_t part = *f.PartIndex(seg.partition);
    const auto [first, count] = f.PartRange(part);
    for (size_t g = first; g < first + count; ++g) {
      auto c = (*reader)->ReadColumn(g, 0);
      ASSERT_TRUE(c.ok());
      rows += f.Slice(g, part).rows;
    }
  }
  EXPECT_EQ(rows, old->rows());
  // A writer while the reader still holds it leaves them too.
  { ASSERT_TRUE(wh->OpenWriter("ev").ok()); }
  EXPECT_TRUE(DefaultFileSystem()->FileExists(old->SegmentPath(old->segments[0])));
  const std::string gone = old->SegmentPath(old->segments[0]);
  old.reset();  // the reader is done
  { ASSERT_TRUE(wh->OpenWriter("ev").ok()); }  // the next writer deletes them
  EXPECT_FALSE(DefaultFileSystem()->FileExists(gone));
  auto v = VerifyTable(wh.get(), "ev", [&](const std::string& m) { ADD_FAILURE() << m; });
  EXPECT_EQ(v.problems, 0u);
}

// Readers hold the snapshot they read, not the table: files a commit retired are deleted as
// soon as no reader of an older snapshot is left, however many readers of newer ones there are
// (a table queried without a pause no longer keeps them forever). A table without `_readers`
// (made by an older build, before its next writer) falls back to the directory lock.
TEST(Compaction, ReadersOfNewerSnapshotsDoNotKeepRetiredFiles) {
  TempDir dir;
  const std::string root = dir.Join("w");
  auto wh = CreateEv(root);
  EXPECT_TRUE(DefaultFileSystem()->FileExists(root + "/ev/_readers"));
  std::optional<TableSnapshot> old;
  ASSERT_NO_FATAL_FAILURE(CompactBehindAReader(wh.get(), &old));
  CompactOptions full;
  full.full = true;
  const std::string gone = old->SegmentPath(old->segments[0]);
  EXPECT_TRUE(DefaultFileSystem()->FileExists(gone));  // the old reader needs it
  std::optional<TableSnapshot> newer = *wh->GetSnapshot("ev");  // started after the compaction
  { ASSERT_TRUE(wh->OpenWriter("ev").ok()); }
  EXPECT_TRUE(DefaultFileSystem()->FileExists(gone));  // the old reader is still there
  old.reset();
  { ASSERT_TRUE(wh->OpenWriter("ev").ok()); }
  EXPECT_FALSE(DefaultFileSystem()->FileExists(gone));  // only a newer reader is left
  uint64_t rows = 0;
  for (const auto& seg : newer->segments) {
    auto reader = SegmentReader::Open(DefaultFileSystem(), newer->SegmentPath(seg));
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    rows += (*reader)->footer().PartRows(*(*reader)->footer().PartIndex(seg.partition));
  }
  EXPECT_EQ(rows, newer->rows());
  newer.reset();

  // Without `_readers`: a reader keeps the directory lock for its statement, and with it every
  // retired file (as before the file existed).
  for (int n = 6; n < 9; ++n) Ingest(wh.get(), n, 50, false);
  ASSERT_TRUE(DefaultFileSystem()->RemoveFile(root + "/ev/_readers").ok());
  std::optional<TableSnapshot> legacy = *wh->GetSnapshot("ev");
  auto r2 = CompactTable(wh.get(), "ev", full);  // its writer makes `_readers` again
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_TRUE(DefaultFileSystem()->FileExists(root + "/ev/_readers"));
  const std::string kept = legacy->SegmentPath(legacy->segments.back());
  { ASSERT_TRUE(wh->OpenWriter("ev").ok()); }
  EXPECT_TRUE(DefaultFileSystem()->FileExists(kept));
  legacy.reset();
  { ASSERT_TRUE(wh->OpenWriter("ev").ok()); }
  EXPECT_FALSE(DefaultFileSystem()->FileExists(kept));
  auto v = VerifyTable(wh.get(), "ev", [&](const std::string& m) { ADD_FAILURE() << m; });
  EXPECT_EQ(v.problems, 0u);
}

// A compaction failing at its Nth filesystem call, for every N (and, in a second pass, followed
// by a power loss), leaves the table with the same rows, in the old files or the new ones; the
// next writer leaves only live files; verify passes.
TEST(Compaction, FailingOrCutByPowerLossAtEveryStepLosesNothing) {
  for (bool crash : {false, true}) {
    int faults = 0;
    for (int n = 1;; ++n) {
      TempDir dir;
      const std::string root = dir.Join("w");
      {
        Session s(DefaultFileSystem(), root);
        ASSERT_TRUE(s.Execute(kCreate).ok());
        auto wh = *Warehouse::Open(DefaultFileSystem(), root, false);
        for (int k = 0; k < 3; ++k) Ingest(wh.get(), k, 30, false);
      }
      const auto before = AllRows(root);
      auto clean = *Warehouse::Open(DefaultFileSystem(), root, false);
      const size_t files_before = clean->GetSnapshot("ev")->segments.size();
      FaultInjectionFileSystem faulty(DefaultFileSystem());
      auto wh = *Warehouse::Open(&faulty, root, false);
      faulty.FailAt(n);
      CompactOptions full;
      full.full = true;
      auto r = CompactTable(wh.get(), "ev", full);
      const bool hit = faulty.failed();
      faulty.FailAt(0);
      if (crash) faulty.SimulateCrash();
      if (!hit) {
        ASSERT_TRUE(r.ok()) << r.status().ToString();
      }
      if (hit) ++faults;
      { ASSERT_TRUE(clean->OpenWriter("ev").ok()) << "fault at call " << n; }
      EXPECT_EQ(AllRows(root), before) << "fault at call " << n << (crash ? " (power loss)" : "");
      auto snap = *clean->GetSnapshot("ev");
      EXPECT_LE(snap.segments.size(), files_before) << "fault at call " << n;
      std::set<std::string> live, files;
      for (const auto& s : snap.segments) live.insert(s.path);
      for (const auto& d : *DefaultFileSystem()->ListDir(snap.dir)) {
        if (d != "data" && d.rfind("d=", 0) != 0) continue;
        for (const auto& f : *DefaultFileSystem()->ListDir(JoinPath(snap.dir, d))) files.insert(d + "/" + f);
      }
      EXPECT_EQ(files, live) << "fault at call " << n;
      auto v = VerifyTable(clean.get(), "ev", [&](const std::string& m) {
        ADD_FAILURE() << "fault at call " << n << ": " << m;
      });
      EXPECT_EQ(v.problems, 0u);
      if (!hit) break;
      ASSERT_LT(n, 3000) << "runaway";
    }
    EXPECT_GT(faults, 10);
  }
}

// A warehouse of an older build (tests/data/warehouse: a directory per partition, a file per
// partition and commit) takes new writes into data/, and compaction merges old and new files
// into data/, removing the partition directories it emptied.
TEST(Compaction, AnOlderLayoutMergesIntoDataFiles) {
  TempDir dir;
  const std::string root = dir.Join("w");
  std::filesystem::copy(testing::TestData("warehouse"), root, std::filesystem::copy_options::recursive);
  Session s(DefaultFileSystem(), root);
  auto count = [&](const std::string& sql) {
    auto r = s.Execute(sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return std::string();
    std::ostringstream o;
    PrintResult((*r)[0], OutputFormat::kCsv, o);
    return o.str();
  };
  ASSERT_TRUE(s.Execute("INSERT INTO t SELECT user_id, ts + INTERVAL 1 DAY, v, s FROM t WHERE d = DATE '2022-01-02'").ok());
  auto wh = *Warehouse::Open(DefaultFileSystem(), root, false);
  CompactOptions full;
  full.full = true;
  auto r = CompactTable(wh.get(), "t", full);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const TableSnapshot snap = *wh->GetSnapshot("t");
  EXPECT_EQ(snap.files(), 1u);
  for (const auto& e : snap.segments) EXPECT_EQ(e.path.rfind("data/", 0), 0u) << e.path;
  for (const char* d : {"d=2022-01-01", "d=2022-01-02", "d=2022-01-03"})
    EXPECT_FALSE(DefaultFileSystem()->IsDirectory(JoinPath(snap.dir, d))) << d;
  EXPECT_EQ(count("SELECT d, COUNT(*), SUM(v), MIN(s) FROM t GROUP BY d ORDER BY d"),
            "d,COUNT(*),SUM(v),MIN(s)\n2022-01-01,5,171,s0\n2022-01-02,6,261,s1\n2022-01-03,7,372,s1\n");
  auto v = VerifyTable(wh.get(), "t", [&](const std::string& m) { ADD_FAILURE() << m; });
  EXPECT_EQ(v.problems, 0u);
}

}  // namespace
}  // namespace wh
