// Readers during writes: while a writer commits batch after batch, readers querying the table
// always see a whole number of committed batches (the snapshot they read), never more than was
// committed, and never less than they saw before; a second writer is told who holds the lock.
#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <thread>

#include "ingest/ingest.h"
#include "query/query.h"
#include "tests/test_util.h"

namespace wh {
namespace {

constexpr int kRowsPerBatch = 211;

std::string Batch(int n) {
  std::string csv = "user_id,ts,v\n";
  for (int i = 0; i < kRowsPerBatch; ++i)
    csv += std::to_string(i * 13 + n) + ",2022-02-" + std::to_string(10 + (i + n) % 5) + " 10:00:00," +
           std::to_string(n) + "\n";
  return csv;
}

TEST(Concurrency, ReadersSeeWholeCommittedBatchesWhileAWriterCommits) {
  testing::TempDir dir;
  const std::string root = dir.Join("w");
  {
    Session s(DefaultFileSystem(), root);
    ASSERT_TRUE(s.Execute("CREATE TABLE ev (user_id BIGINT NOT NULL, ts TIMESTAMP NOT NULL, v INT) "
                          "PARTITIONED BY (d = CAST(ts AS DATE)) CLUSTERED BY (user_id) INTO 4 BUCKETS")
                    .ok());
    ASSERT_TRUE(s.Execute("CREATE VIEW ev_view AS SELECT * FROM ev WHERE v >= 0").ok());
  }
  constexpr int kBatches = 40;
  std::atomic<int> committed{0};
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::thread writer([&] {
    auto wh = Warehouse::Open(DefaultFileSystem(), root, false);
    ASSERT_TRUE(wh.ok());
    for (int n = 0; n < kBatches; ++n) {
      while (true) {
        auto in = StringInput(Batch(n), "b.csv");
        auto r = IngestCsvStreams(wh->get(), "ev", {in.get()}, {});
        if (!r.ok() && r.status().code() == StatusCode::kLocked) {  // the probing second writer
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          continue;
        }
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        break;
      }
      committed = n + 1;
    }
    done = true;
  });
  auto reader = [&] {
    int64_t last = 0;
    while (!done) {
      const int before = committed.load();
      Session s(DefaultFileSystem(), root);
      auto r = s.Execute("SELECT COUNT(*), COUNT(DISTINCT v), SUM(v) FROM ev");
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      const int after = committed.load();
      const Column& count = (*r)[0].columns[0];
      const int64_t rows = count.Get<int64_t>(0);
      const int64_t batches = rows / kRowsPerBatch;
      EXPECT_EQ(rows % kRowsPerBatch, 0) << "a partial batch was visible";
      EXPECT_GE(batches, before);
      EXPECT_LE(batches, after + 1);  // the writer may have committed one it has not counted yet
      EXPECT_GE(rows, last) << "a reader went back in time";
      // The batches seen are exactly 0 .. batches-1.
      if (batches > 0) {
        EXPECT_EQ((*r)[0].columns[1].Get<int64_t>(0), batches);
        EXPECT_EQ(IntegerAt((*r)[0].columns[2], 0), int128{kRowsPerBatch} * batches * (batches - 1) / 2);
      }
      last = rows;
      // One statement naming the table many times (directly, through a view and a CTE) reads
      // one snapshot: every count is the same.
      auto m = s.Execute(
          "WITH c AS (SELECT COUNT(*) AS n FROM ev) "
          "SELECT COUNT(*) FROM ev UNION ALL SELECT n FROM c UNION ALL SELECT COUNT(*) FROM ev_view "
          "UNION ALL SELECT COUNT(*) FROM ev UNION ALL SELECT n FROM c UNION ALL SELECT COUNT(*) FROM ev_view "
          "UNION ALL SELECT COUNT(*) FROM ev e1 JOIN (SELECT DISTINCT v FROM ev) e2 USING (v)");
      ASSERT_TRUE(m.ok()) << m.status().ToString();
      const Column& counts = (*m)[0].columns[0];
      ASSERT_EQ(counts.size(), 7u);
      for (size_t i = 1; i < counts.size(); ++i)
        EXPECT_EQ(counts.Get<int64_t>(i), counts.Get<int64_t>(0)) << "two snapshots in one statement";
      ++reads;
    }
  };
  std::thread r1(reader), r2(reader);
  // A second writer meanwhile is refused, naming the holder.
  {
    auto wh = Warehouse::Open(DefaultFileSystem(), root, false);
    ASSERT_TRUE(wh.ok());
    for (int tries = 0; tries < 200 && !done; ++tries) {
      auto w = (*wh)->OpenWriter("ev");
      if (!w.ok()) {
        EXPECT_EQ(w.status().code(), StatusCode::kLocked);
        EXPECT_NE(w.status().message().find("locked by "), std::string::npos) << w.status().message();
        break;
      }
      w->reset();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  writer.join();
  r1.join();
  r2.join();
  EXPECT_GT(reads.load(), 5);
  Session s(DefaultFileSystem(), root);
  auto r = s.Execute("SELECT COUNT(*) FROM ev");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].columns[0].Get<int64_t>(0), int64_t{kRowsPerBatch} * kBatches);
}

}  // namespace
}  // namespace wh
