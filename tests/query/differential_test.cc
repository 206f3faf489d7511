// Differential test at a larger scale than the logic tests: random data (fixed seed) in three
// co-bucketed tables loaded over several commits, and queries that exercise every kind of
// pruning and bucket-by-bucket execution. Each query's answer with pruning and all threads must
// equal its answer with no pruning on one thread.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <sstream>

#include "ingest/ingest.h"
#include "query/query.h"
#include "tests/test_util.h"

namespace wh {
namespace {

std::string Canonical(const ResultSet& rs) {
  std::vector<std::string> rows;
  for (size_t i = 0; i < rs.rows(); ++i) {
    std::string line;
    for (size_t c = 0; c < rs.columns.size(); ++c) line += ValueToText(rs.columns[c], i, "NULL") + "|";
    rows.push_back(line);
  }
  std::sort(rows.begin(), rows.end());
  std::string out;
  for (const auto& r : rows) out += r + "\n";
  return out;
}

std::string Timestamp(int day, int second) {
  return FormatTimestamp((static_cast<int64_t>(DaysFromCivil(2022, 1, 1)) + day) * kMicrosPerDay +
                         static_cast<int64_t>(second) * kMicrosPerSecond);
}

TEST(Differential, PruningAndParallelismNeverChangeAnswers) {
  testing::TempDir dir;
  const std::string root = dir.Join("w");
  Session setup(DefaultFileSystem(), root);
  ASSERT_TRUE(setup
                  .Execute(
                      "CREATE TABLE ev (user_id BIGINT NOT NULL, ts TIMESTAMP NOT NULL, kind STRING, n INT, "
                      "amount DECIMAL(12,2)) PARTITIONED BY (event_date = CAST(ts AS DATE)) "
                      "CLUSTERED BY (user_id) INTO 7 BUCKETS;"
                      "CREATE TABLE pay (user_id BIGINT NOT NULL, ts TIMESTAMP NOT NULL, total DECIMAL(38,18)) "
                      "PARTITIONED BY (event_date = CAST(ts AS DATE)) CLUSTERED BY (user_id) INTO 7 BUCKETS;"
                      "CREATE TABLE prof (user_id BIGINT NOT NULL, country STRING)")
                  .ok());
  std::mt19937_64 rng(20261121);
  auto wh = setup.GetWarehouse(false);
  ASSERT_TRUE(wh.ok());
  const char* kinds[] = {"view", "click", "purchase", "share"};
  for (int load = 0; load < 4; ++load) {
    std::string ev = "user_id,ts,kind,n,amount\n", pay = "user_id,ts,total\n";
    for (int i = 0; i < 3000; ++i) {
      int64_t user = static_cast<int64_t>(rng() % 500) - 250;
      int day = static_cast<int>(rng() % 20) + load * 5;
      ev += std::to_string(user) + "," + Timestamp(day, static_cast<int>(rng() % 86400)) + ",";
      ev += (rng() % 10 == 0 ? "" : kinds[rng() % 4]);
      ev += "," + (rng() % 7 == 0 ? std::string() : std::to_string(static_cast<int>(rng() % 1000) - 100));
      ev += "," + (rng() % 5 == 0 ? std::string() : std::to_string(rng() % 100000 / 100.0)) + "\n";
      if (i % 3 == 0)
        pay += std::to_string(user) + "," + Timestamp(day, static_cast<int>(rng() % 86400)) + "," +
               std::to_string(rng() % 1000000) + "." + std::to_string(rng() % 1000) + "\n";
    }
    IngestOptions opt;
    opt.etl_micros = (static_cast<int64_t>(DaysFromCivil(2022, 2, 1)) + load) * kMicrosPerDay;
    auto in1 = StringInput(ev, "ev.csv");
    ASSERT_TRUE(IngestCsvStreams(*wh, "ev", {in1.get()}, opt).ok());
    auto in2 = StringInput(pay, "pay.csv");
    ASSERT_TRUE(IngestCsvStreams(*wh, "pay", {in2.get()}, opt).ok());
  }
  {
    std::string prof = "user_id,country\n";
    for (int u = -250; u < 250; u += 3) prof += std::to_string(u) + "," + (u % 2 ? "de" : "fr") + "\n";
    IngestOptions opt;
    auto in = StringInput(prof, "prof.csv");
    ASSERT_TRUE(IngestCsvStreams(*wh, "prof", {in.get()}, opt).ok());
  }

  const char* queries[] = {
      "SELECT COUNT(*), SUM(n), SUM(amount), MIN(ts), MAX(ts) FROM ev",
      "SELECT event_date, COUNT(*), COUNT(kind) FROM ev WHERE event_date BETWEEN '2022-01-05' AND '2022-01-09' GROUP BY event_date",
      "SELECT user_id, COUNT(*), SUM(amount) FROM ev WHERE ts >= '2022-01-10 12:00:00' AND ts < '2022-01-12' GROUP BY user_id",
      "SELECT COUNT(*) FROM ev WHERE etl_date = TIMESTAMP '2022-02-03 00:00:00'",
      "SELECT kind, COUNT(*) FROM ev WHERE etl_date >= TIMESTAMP '2022-02-02 00:00:00' AND n > 800 GROUP BY kind",
      "SELECT user_id, ts, n FROM ev WHERE user_id IN (-3, 17, 200)",
      "SELECT user_id, COUNT(DISTINCT kind), AVG(n), STDDEV(n) FROM ev WHERE user_id = 42 GROUP BY user_id",
      "SELECT COUNT(*) FROM ev WHERE n IS NULL OR amount IS NULL",
      "SELECT COUNT(*) FROM ev WHERE event_date > etl_date - INTERVAL 25 DAYS",
      "SELECT user_id, COUNT(*) AS c FROM ev GROUP BY user_id HAVING COUNT(*) > 60",
      "SELECT e.user_id, COUNT(*), SUM(p.total) FROM ev e JOIN pay p ON e.user_id = p.user_id AND e.event_date = p.event_date GROUP BY e.user_id",
      "SELECT user_id, x.c, y.t FROM (SELECT user_id, COUNT(*) AS c FROM ev GROUP BY user_id) x "
      "FULL OUTER JOIN (SELECT user_id, SUM(total) AS t FROM pay WHERE event_date >= '2022-01-15' GROUP BY user_id) y USING (user_id)",
      "SELECT e.user_id, p.country, COUNT(*) FROM ev e LEFT JOIN prof p ON e.user_id = p.user_id WHERE e.kind = 'click' GROUP BY e.user_id, p.country",
      "SELECT country, COUNT(*), SUM(n) FROM ev JOIN prof USING (user_id) GROUP BY country",
      "SELECT kind, MIN(amount), MAX(amount), FIRST(kind) FROM ev WHERE amount BETWEEN 100 AND 200 GROUP BY kind",
      "SELECT user_id FROM ev WHERE kind = 'share' UNION SELECT user_id FROM pay WHERE total > 999000",
      "SELECT DISTINCT user_id % 10, kind FROM ev WHERE event_date < '2022-01-03'",
      "SELECT COUNT(*) FROM ev a JOIN ev b ON a.user_id = b.user_id AND a.ts = b.ts",
      "WITH d AS (SELECT user_id, event_date, COUNT(*) AS c FROM ev GROUP BY user_id, event_date) "
      "SELECT event_date, MAX(c), COUNT(*) FROM d GROUP BY event_date",
      "SELECT COUNT(*) FROM ev WHERE event_date = DATE '2030-01-01'",
      "SELECT user_id, SUM(total) FROM pay WHERE user_id = 5 OR user_id = -5 GROUP BY user_id",
      // Per-user aggregates joined on the user: merge joins (the reference hashes).
      "SELECT user_id, x.c, y.k, y.t FROM (SELECT user_id, COUNT(*) AS c FROM ev WHERE kind = 'click' GROUP BY user_id) x "
      "FULL JOIN (SELECT user_id, kind AS k, SUM(n) AS t FROM ev WHERE n > 500 GROUP BY user_id, kind) y USING (user_id) "
      "FULL JOIN (SELECT user_id, MAX(total) AS m FROM pay WHERE event_date < '2022-01-08' GROUP BY user_id) z USING (user_id)",
      "SELECT x.user_id, y.user_id, c, t FROM (SELECT user_id, COUNT(*) AS c FROM ev WHERE n < 0 GROUP BY user_id) x "
      "LEFT JOIN (SELECT user_id, SUM(total) AS t FROM pay GROUP BY user_id) y ON x.user_id = y.user_id",
      "SELECT x.user_id, y.user_id, c, t FROM (SELECT user_id, COUNT(*) AS c FROM ev WHERE n < 0 GROUP BY user_id) x "
      "RIGHT JOIN (SELECT user_id, SUM(total) AS t FROM pay WHERE total > 500000 GROUP BY user_id) y ON x.user_id = y.user_id",
      "SELECT user_id, c, k FROM (SELECT user_id, kind AS k FROM ev GROUP BY user_id, kind) x "
      "JOIN (SELECT user_id, COUNT(*) AS c FROM pay GROUP BY user_id) y USING (user_id) ORDER BY user_id, k",
  };
  SessionOptions reference;
  reference.prune = false;
  reference.merge_joins = false;
  reference.threads = 1;
  SessionOptions fast;
  SessionOptions serial;
  serial.threads = 1;
  for (const char* q : queries) {
    SCOPED_TRACE(q);
    Session ref(DefaultFileSystem(), root, reference);
    auto want = ref.Execute(q);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    std::string expected = Canonical((*want)[0]);
    for (const SessionOptions& o : {fast, serial}) {
      Session s(DefaultFileSystem(), root, o);
      auto got = s.Execute(q);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(Canonical((*got)[0]), expected);
    }
  }
}

}  // namespace
}  // namespace wh
