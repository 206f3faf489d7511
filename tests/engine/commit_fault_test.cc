// The commit protocol under injected I/O faults: an ingest that fails at its Nth filesystem call,
// for every N, leaves the table exactly as before (or, when the fault hit after the commit point,
// exactly as after); the next writer cleans up and `verify` passes.
#include <gtest/gtest.h>

#include <map>

#include "engine/engine.h"
#include "ingest/ingest.h"
#include "tests/test_util.h"

namespace wh {
namespace {

using testing::FaultInjectionFileSystem;
using testing::TempDir;

const char* kSchemaCsvHeader = "event,ts,user_id\n";

TableSchema Schema() {
  TableSchema s;
  s.name = "events";
  s.columns = {{"event", DataType::String(), true},
               {"ts", DataType::Timestamp(), true},
               {"user_id", DataType::Int64(), true}};
  s.partition_column = "event_date";
  s.partition_expr.kind = PartitionExpr::kCastDate;
  s.partition_expr.args.push_back({PartitionExpr::kColumn, 1, {}});
  s.bucket_column = "user_id";
  s.bucket_count = 3;
  return s;
}

std::string Batch(int first_day, int days, int rows_per_day) {
  std::string csv = kSchemaCsvHeader;
  for (int d = 0; d < days; ++d)
    for (int r = 0; r < rows_per_day; ++r)
      csv += "e" + std::to_string(r) + ",2022-03-" + (first_day + d < 10 ? "0" : "") +
             std::to_string(first_day + d) + " 10:00:00," + std::to_string(r * 7919) + "\n";
  return csv;
}

std::map<std::string, uint64_t> State(Warehouse* wh) {
  std::map<std::string, uint64_t> out;
  auto snap = wh->GetSnapshot("events");
  EXPECT_TRUE(snap.ok()) << snap.status().ToString();
  if (!snap.ok()) return out;
  for (const auto& s : snap->segments) out[PartitionDirName("event_date", s.partition)] += s.rows;
  return out;
}

// Every file under the table directory that is not the manifest or the lock.
std::vector<std::string> DataFiles(const std::string& dir) {
  std::vector<std::string> out;
  FileSystem* fs = DefaultFileSystem();
  for (const auto& n : *fs->ListDir(dir)) {
    if (!fs->IsDirectory(JoinPath(dir, n))) continue;
    for (const auto& f : *fs->ListDir(JoinPath(dir, n))) out.push_back(n + "/" + f);
  }
  return out;
}

// Runs the second ingest failing at call n = 1, 2, ... until it makes fewer than n calls.
void FailEveryStep(const std::string& second_csv, const IngestOptions& opt,
                   const std::map<std::string, uint64_t>& expected_new, bool crash = false) {
  int n = 1;
  int faults_seen = 0;
  for (;; ++n) {
    TempDir dir;
    std::string root = dir.Join("w");
    {
      auto wh = *Warehouse::Open(DefaultFileSystem(), root, true);
      ASSERT_TRUE(wh->CreateTable(Schema(), false).ok());
      auto in = StringInput(Batch(1, 2, 5), "first.csv");
      ASSERT_TRUE(IngestCsvStreams(wh.get(), "events", {in.get()}, {}).ok());
    }
    auto clean = *Warehouse::Open(DefaultFileSystem(), root, false);
    auto old_state = State(clean.get());

    FaultInjectionFileSystem faulty(DefaultFileSystem());
    auto wh = *Warehouse::Open(&faulty, root, false);
    faulty.FailAt(n);
    auto in = StringInput(second_csv, "second.csv");
    auto res = IngestCsvStreams(wh.get(), "events", {in.get()}, opt);
    bool fault_hit = faulty.failed();
    faulty.FailAt(0);
    // A power loss right after the failing call: only what was fsynced survives.
    if (crash) faulty.SimulateCrash();

    auto state = State(clean.get());
    bool is_new = true;
    for (const auto& [part, rows] : expected_new) is_new = is_new && state[part] == rows;
    if (res.ok()) {
      EXPECT_TRUE(is_new) << "fault at call " << n;
    } else {
      ++faults_seen;
      EXPECT_TRUE(fault_hit) << res.status().ToString();
      // The fault may strike after the commit record is durable (e.g. while closing); then the
      // batch is committed even though the call reported an error. Anything else must be old.
      bool is_old = state == old_state;
      EXPECT_TRUE(is_old || is_new) << "fault at call " << n << ": " << res.status().ToString();
    }
    // The next writer cleans up leftovers; then every file on disk is named by the manifest.
    {
      auto w = clean->OpenWriter("events");
      ASSERT_TRUE(w.ok()) << "fault at call " << n << ": " << w.status().ToString();
    }
    auto snap = *clean->GetSnapshot("events");
    std::vector<std::string> live;
    for (const auto& s : snap.segments) live.push_back(s.path);
    std::sort(live.begin(), live.end());
    live.erase(std::unique(live.begin(), live.end()), live.end());  // a file holds several parts
    auto files = DataFiles(snap.dir);
    std::sort(files.begin(), files.end());
    EXPECT_EQ(files, live) << "fault at call " << n;
    auto v = VerifyTable(clean.get(), "events", [&](const std::string& m) {
      ADD_FAILURE() << "fault at call " << n << ": " << m;
    });
    EXPECT_EQ(v.problems, 0u);
    if (!fault_hit) break;  // the ingest made fewer than n calls: every step has been covered
    ASSERT_LT(n, 2000) << "runaway";
  }
  EXPECT_GT(faults_seen, 10) << "the ingest should make many filesystem calls";
}

// The same, with a simulated power loss after the failing call (unsynced data, and creations
// and renames whose directory was not fsynced, are lost).
TEST(CommitFaults, PowerLossAfterEveryStepLeavesOldOrNewState) {
  FailEveryStep(Batch(2, 3, 4), {}, {{"event_date=2022-03-04", 4}, {"event_date=2022-03-02", 9}}, true);
  IngestOptions opt;
  opt.batch_bytes = 1;
  FailEveryStep(Batch(2, 2, 300), opt, {{"event_date=2022-03-03", 300}, {"event_date=2022-03-02", 305}}, true);
}

TEST(CommitFaults, IngestFailingAtEveryStepLeavesOldOrNewState) {
  // Three partitions, one of them new, so the batch creates a directory too.
  FailEveryStep(Batch(2, 3, 4), {}, {{"event_date=2022-03-04", 4}, {"event_date=2022-03-02", 9}});
}

// A batch over the memory budget flushes several times and the commit merges each partition's
// segments: faults during the merge must also leave the old state or the new one.
TEST(CommitFaults, MergingFlushedSegmentsFailingAtEveryStep) {
  IngestOptions opt;
  opt.batch_bytes = 1;  // a flush after every parsed chunk (4 KiB)
  FailEveryStep(Batch(2, 2, 300), opt, {{"event_date=2022-03-03", 300}, {"event_date=2022-03-02", 305}});
}

}  // namespace
}  // namespace wh
