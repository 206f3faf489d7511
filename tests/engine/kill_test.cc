// Process kills: a child process ingests batches in a loop and is killed with SIGKILL at random
// moments. After each kill the table holds whole batches only, verify passes, the dead child's
// lock does not block the next writer, and the next ingest works. The seed is printed so that a
// failure can be replayed.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>

#include "engine/engine.h"
#include "ingest/ingest.h"
#include "query/query.h"
#include "tests/test_util.h"

namespace wh {
namespace {

constexpr int kRowsPerBatch = 997;  // a prime: a partial batch cannot pass for whole ones

TableSchema Schema() {
  TableSchema s;
  s.name = "events";
  s.columns = {{"ts", DataType::Timestamp(), true}, {"user_id", DataType::Int64(), true}, {"note", DataType::String(), false}};
  s.partition_column = "event_date";
  s.partition_expr.kind = PartitionExpr::kCastDate;
  s.partition_expr.args.push_back({PartitionExpr::kColumn, 0, {}});
  s.bucket_column = "user_id";
  s.bucket_count = 8;
  return s;
}

std::string Batch(int n) {
  std::string csv = "ts,user_id,note\n";
  for (int i = 0; i < kRowsPerBatch; ++i)
    csv += "2022-02-" + std::to_string(10 + (i + n) % 15) + " 10:00:00," + std::to_string(i * 31 + n) +
           ",batch " + std::to_string(n) + "\n";
  return csv;
}

// The child: ingest batch after batch until killed (each followed by the automatic compaction;
// with `full_compactions`, by `wh compact` of the whole table instead).
[[noreturn]] void IngestForever(const std::string& root, bool full_compactions = false) {
  auto wh = Warehouse::Open(DefaultFileSystem(), root, false);
  if (!wh.ok()) _exit(2);
  for (int n = 0;; ++n) {
    auto in = StringInput(Batch(n), "batch.csv");
    IngestOptions o;
    o.batch_bytes = 16 << 10;  // several flushes and a merge per batch: more moments to die in
    o.compact = !full_compactions;
    auto r = IngestCsvStreams(wh->get(), "events", {in.get()}, o);
    if (!r.ok() && r.status().code() != StatusCode::kLocked) _exit(3);
    if (full_compactions && n % 2 == 1) {
      CompactOptions c;
      c.full = true;
      auto cr = CompactTable(wh->get(), "events", c);
      if (!cr.ok() && cr.status().code() != StatusCode::kLocked) _exit(4);
    }
  }
}

// A random seed, printed so that a failure can be replayed.
uint64_t Seed(const char* test) {
  const uint64_t seed = std::random_device{}();
  std::printf("%s seed: %llu\n", test, static_cast<unsigned long long>(seed));
  return seed;
}

// A warehouse at root with the events table, and `batches` batches ingested.
void CreateEvents(const std::string& root, int batches) {
  auto wh = Warehouse::Open(DefaultFileSystem(), root, true);
  ASSERT_TRUE(wh.ok());
  ASSERT_TRUE((*wh)->CreateTable(Schema(), false).ok());
  for (int n = 0; n < batches; ++n) {
    auto in = StringInput(Batch(n), "batch.csv");
    ASSERT_TRUE(IngestCsvStreams(wh->get(), "events", {in.get()}, {}).ok());
  }
}

void KillRounds(bool full_compactions);

TEST(Kill, SigkillAtRandomMomentsLeavesWholeBatches) { KillRounds(false); }

// The same with whole-table compactions between the batches: a kill inside one loses nothing.
TEST(Kill, SigkillDuringCompactionsLosesNoRow) { KillRounds(true); }

void KillRounds(bool full_compactions) {
  const uint64_t seed = Seed(full_compactions ? "compaction kill test" : "kill test");
  std::mt19937_64 rng(seed);
  testing::TempDir dir;
  const std::string root = dir.Join("w");
  CreateEvents(root, 0);
  uint64_t last_rows = 0;
  int grew = 0;
  for (int round = 0; round < 12; ++round) {
    std::fflush(stdout);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) IngestForever(root, full_compactions);
    if (round % 4 == 3) {
      // Every fourth round waits for at least one commit first (slow builds, such as the
      // sanitizer build, may need longer than the random delays for a whole batch).
      for (int waited = 0; waited < 2000; ++waited) {
        auto w = Warehouse::Open(DefaultFileSystem(), root, false);
        auto snap = w.ok() ? (*w)->GetSnapshot("events") : Result<TableSnapshot>(w.status());
        if (snap.ok() && snap->rows() > last_rows) break;
        usleep(5000);
      }
    }
    usleep(static_cast<useconds_t>(2000 + rng() % 60000));
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "round " << round << ": the child exited on its own with "
                                     << WEXITSTATUS(status) << " (seed " << seed << ")";

    auto wh = Warehouse::Open(DefaultFileSystem(), root, false);
    ASSERT_TRUE(wh.ok());
    // The next writer takes the dead child's lock and cleans up after it.
    {
      auto w = (*wh)->OpenWriter("events");
      ASSERT_TRUE(w.ok()) << "round " << round << ": " << w.status().ToString() << " (seed " << seed << ")";
    }
    auto snap = (*wh)->GetSnapshot("events");
    ASSERT_TRUE(snap.ok()) << snap.status().ToString();
    EXPECT_EQ(snap->rows() % kRowsPerBatch, 0u) << "round " << round << " (seed " << seed << ")";
    EXPECT_GE(snap->rows(), last_rows);
    if (snap->rows() > last_rows) ++grew;
    last_rows = snap->rows();
    auto v = VerifyTable(wh->get(), "events", [&](const std::string& m) {
      ADD_FAILURE() << "round " << round << ": " << m << " (seed " << seed << ")";
    });
    EXPECT_EQ(v.problems, 0u);
  }
  // And the table still takes a batch.
  auto wh = Warehouse::Open(DefaultFileSystem(), root, false);
  auto in = StringInput(Batch(1000), "last.csv");
  auto r = IngestCsvStreams(wh->get(), "events", {in.get()}, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*wh)->GetSnapshot("events")->rows(), last_rows + kRowsPerBatch);
  EXPECT_GT(grew, 0) << "no batch ever committed between kills; the test proves little (seed " << seed << ")";
}

// CREATE TABLE ... AS SELECT killed at random moments: the table is there with every row, or
// not there at all (and its name is free: the next CREATE works).
TEST(Kill, SigkillDuringCreateTableAsLeavesAllOrNothing) {
  const uint64_t seed = Seed("CTAS kill test");
  std::mt19937_64 rng(seed);
  testing::TempDir dir;
  const std::string root = dir.Join("w");
  CreateEvents(root, 20);
  const uint64_t rows = 20 * kRowsPerBatch;
  int present = 0, absent = 0;
  for (int round = 0; round < 12; ++round) {
    std::fflush(stdout);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      for (;;) {
        Session s(DefaultFileSystem(), root);
        (void)s.Execute("CREATE TABLE copy AS SELECT * FROM events");
        (void)s.Execute("DROP TABLE copy");
      }
    }
    usleep(static_cast<useconds_t>(1000 + rng() % 40000));
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    auto wh = Warehouse::Open(DefaultFileSystem(), root, false);
    ASSERT_TRUE(wh.ok());
    if ((*wh)->TableExists("copy")) {
      ++present;
      auto snap = (*wh)->GetSnapshot("copy");
      ASSERT_TRUE(snap.ok()) << snap.status().ToString();
      EXPECT_EQ(snap->rows(), rows) << "round " << round << " (seed " << seed << ")";
      auto v = VerifyTable(wh->get(), "copy", [&](const std::string& m) { ADD_FAILURE() << m; });
      EXPECT_EQ(v.problems, 0u);
      ASSERT_TRUE((*wh)->DropTable("copy", false).ok());
    } else {
      ++absent;
    }
    Session s(DefaultFileSystem(), root);  // the name is free: a rerun works
    auto again = s.Execute("CREATE TABLE copy AS SELECT * FROM events; DROP TABLE copy");
    ASSERT_TRUE(again.ok()) << "round " << round << ": " << again.status().ToString() << " (seed " << seed << ")";
  }
  std::printf("CTAS kills: table whole %d times, absent %d times\n", present, absent);
}

}  // namespace
}  // namespace wh
