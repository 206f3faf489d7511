// Overwrites (INSERT OVERWRITE, ingest --overwrite): the replaced partitions hold exactly the new
// rows, every other row stays with its etl_date (also those of files that held a replaced
// partition beside others), a reader's snapshot keeps the rows it started with, bad requests
// change nothing, and a failing disk or power loss at any step leaves the old table or the new.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "engine/engine.h"
#include "ingest/ingest.h"
#include "query/export.h"
#include "query/query.h"
#include "query/result.h"
#include "tests/test_util.h"

namespace wh {
namespace {

using testing::FaultInjectionFileSystem;
using testing::TempDir;

constexpr const char* kCreate =
    "CREATE TABLE ev (user_id BIGINT NOT NULL, ts TIMESTAMP, note STRING) "
    "PARTITIONED BY (d = CAST(ts AS DATE)) CLUSTERED BY (user_id) INTO 4 BUCKETS";

// A table model: partition day ("" for NULL) -> rows as "user_id|ts|note|etl".
using Model = std::map<std::string, std::multiset<std::string>>;

// Rows of drop n: `rows` rows over the days `days` (a NULL ts every 9th row).
std::string Drop(int n, int rows, const std::vector<int>& days, Model* model, int64_t etl) {
  std::string csv = "user_id,ts,note\n";
  for (int i = 0; i < rows; ++i) {
    const int day = days[i % days.size()];
    const bool null_ts = i % 9 == 4;
    const std::string ts = null_ts ? "" : "2024-01-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + " 1" +
                                               std::to_string(i % 10) + ":00:00";
    const std::string note = "drop " + std::to_string(n) + " row " + std::to_string(i);
    const int64_t user = n * 1000 + i;
    csv += std::to_string(user) + "," + ts + "," + note + "\n";
    if (model)
      (*model)[null_ts ? "" : ts.substr(0, 10)].insert(std::to_string(user) + "|" + ts + "|" + note + "|" +
                                                       FormatTimestamp(etl));
  }
  return csv;
}

int64_t Etl(int n) { return *ParseTimestamp("2024-02-01") + int64_t{n} * 86400 * 1000000; }

Result<IngestResult> Ingest(Warehouse* wh, const std::string& csv, int n, bool overwrite) {
  auto in = StringInput(csv, "drop" + std::to_string(n) + ".csv");
  IngestOptions o;
  o.compact = false;  // files of several partitions stay, so overwrites must carry rows over
  o.overwrite = overwrite;
  o.etl_micros = Etl(n);
  return IngestCsvStreams(wh, "ev", {in.get()}, o);
}

Model TableRows(const std::string& root) {
  Session s(DefaultFileSystem(), root);
  auto r = s.Execute("SELECT d, user_id, ts, note, etl_date FROM ev");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  Model m;
  if (!r.ok()) return m;
  ResultSet rs = std::move((*r)[0]);
  rs.Flatten();
  for (size_t i = 0; i < rs.rows(); ++i) {
    const std::string day = rs.columns[0].IsNull(i) ? "" : FormatDate(rs.columns[0].Get<int32_t>(i));
    const std::string ts = rs.columns[2].IsNull(i) ? "" : FormatTimestamp(rs.columns[2].Get<int64_t>(i));
    m[day].insert(std::to_string(rs.columns[1].Get<int64_t>(i)) + "|" + ts + "|" + std::string(rs.columns[3].GetString(i)) +
                  "|" + FormatTimestamp(rs.columns[4].Get<int64_t>(i)));
  }
  return m;
}

void ExpectVerified(Warehouse* wh) {
  std::string all;
  VerifyStats v = VerifyTable(wh, "ev", [&](const std::string& p) { all += p + "\n"; });
  EXPECT_EQ(v.problems, 0u) << all;
}

TEST(Overwrite, ReplacesThePartitionsOfItsRowsAndCarriesTheRest) {
  TempDir dir;
  const std::string root = dir.Join("w");
  Session s(DefaultFileSystem(), root);
  ASSERT_TRUE(s.Execute(kCreate).ok());
  auto wh = *Warehouse::Open(DefaultFileSystem(), root, false);
  Model model;
  for (int n = 1; n <= 3; ++n) ASSERT_TRUE(Ingest(wh.get(), Drop(n, 40, {1, 2, 3, 4}, &model, Etl(n)), n, false).ok());
  ASSERT_EQ(TableRows(root), model);
  // Day 2 and day 7 (new) delivered again, with the NULL partition: those three are replaced.
  Model again;
  auto r = Ingest(wh.get(), Drop(4, 20, {2, 7}, &again, Etl(4)), 4, true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->partitions_replaced, 3u);
  EXPECT_EQ(r->rows_replaced, model["2024-01-02"].size() + model[""].size());
  for (const auto& [day, rows] : again) model[day] = rows;
  EXPECT_EQ(TableRows(root), model);
  auto snap = wh->GetSnapshot("ev");
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->commits.back().kind, CommitRecord::Kind::kOverwrite);
  EXPECT_EQ(snap->commits.back().replaced.size(), 3u);
  ExpectVerified(wh.get());
  // The files it retired are gone (no reader held them); only live files are in data/.
  std::set<std::string> live, files;
  for (const auto& e : snap->segments) live.insert(e.path);
  for (const auto& f : *DefaultFileSystem()->ListDir(JoinPath(snap->dir, "data"))) files.insert("data/" + f);
  EXPECT_EQ(files, live);

  // Static: one partition named, emptied by no rows; a row outside it is refused, nothing changes.
  auto q = s.Execute("INSERT OVERWRITE ev PARTITION (d = '2024-01-03') SELECT * FROM (VALUES (1, TIMESTAMP '2024-01-04 00:00:00', 'x')) v");
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find("d=2024-01-04 is not the partition being overwritten"), std::string::npos)
      << q.status().message();
  EXPECT_EQ(TableRows(root), model);
  q = s.Execute("INSERT OVERWRITE TABLE ev PARTITION (d = DATE '2024-01-03') SELECT user_id, ts, note FROM ev WHERE false");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  model.erase("2024-01-03");
  EXPECT_EQ(TableRows(root), model);
  q = s.Execute("INSERT OVERWRITE ev PARTITION (d = NULL) SELECT 5, NULL, 'only'");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  Model now = TableRows(root);
  ASSERT_EQ(now[""].size(), 1u);
  EXPECT_EQ(now[""].begin()->substr(0, 8), "5||only|");
  model[""] = now[""];
  EXPECT_EQ(now, model);
  // A dynamic overwrite by a query of no rows replaces nothing.
  q = s.Execute("INSERT OVERWRITE ev SELECT user_id, ts, note FROM ev WHERE false");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(TableRows(root), model);
  // Bad PARTITION clauses.
  for (const auto& [sql, want] : std::vector<std::pair<std::string, std::string>>{
           {"INSERT OVERWRITE ev PARTITION (day = '2024-01-01') SELECT 1, NULL, 'x'", "partition column of 'ev' is d"},
           {"INSERT OVERWRITE ev PARTITION (d = 'yesterday') SELECT 1, NULL, 'x'", "not a date"},
           {"INSERT INTO ev PARTITION (d = '2024-01-01') SELECT 1, NULL, 'x'", "goes with INSERT OVERWRITE"}}) {
    auto e = s.Execute(sql);
    ASSERT_FALSE(e.ok()) << sql;
    EXPECT_NE(e.status().message().find(want), std::string::npos) << e.status().message();
  }
  EXPECT_EQ(TableRows(root), model);
  ExpectVerified(wh.get());
}

TEST(Overwrite, AnUnpartitionedTableIsReplacedWhole) {
  TempDir dir;
  Session s(DefaultFileSystem(), dir.Join("w"));
  auto csv = [&](const std::string& sql) {
    auto r = s.Execute(sql);
    if (!r.ok()) return "error: " + r.status().message();
    std::ostringstream o;
    if (!r->empty()) PrintResult(r->back(), OutputFormat::kCsv, o);
    return o.str();
  };
  ASSERT_EQ(csv("CREATE TABLE u (k INT, v STRING); INSERT INTO u VALUES (1, 'a'), (2, 'b'); "
                "INSERT INTO u VALUES (3, 'c')"),
            "rows_inserted\n1\n");
  EXPECT_EQ(csv("INSERT OVERWRITE u SELECT k * 10, v FROM u WHERE k > 1; SELECT * FROM u ORDER BY k"),
            "k,v\n20,b\n30,c\n");
  EXPECT_EQ(csv("INSERT OVERWRITE u PARTITION (p = '2024-01-01') SELECT 1, 'x'").rfind("error: ", 0), 0u);
  EXPECT_EQ(csv("INSERT OVERWRITE u SELECT * FROM u WHERE false; SELECT count(*) FROM u"), "count(*)\n0\n");
}

// The record types of a manifest, in order.
std::vector<int> RecordTypes(const std::string& manifest) {
  std::string bytes = *DefaultFileSystem()->ReadFile(manifest);
  std::vector<int> types;
  for (size_t at = kManifestHeaderSize; at + 13 <= bytes.size();) {
    uint32_t len;
    std::memcpy(&len, bytes.data() + at, 4);
    types.push_back(testing::ManifestRecordType(bytes, at));
    at += 13 + len;
  }
  return types;
}

// What an overwrite did outlives the rewrite of the manifest (a base record of kind 7 keeps the
// commits' kinds): exports that add rows since an earlier commit refuse to pretend nothing was
// removed, before and after the rewrite.
TEST(Overwrite, TheHistoryKeepsItThroughTheManifestsRewrite) {
  TempDir dir;
  const std::string root = dir.Join("w");
  Session s(DefaultFileSystem(), root);
  ASSERT_TRUE(s.Execute(kCreate).ok());
  auto wh = *Warehouse::Open(DefaultFileSystem(), root, false);
  ASSERT_TRUE(Ingest(wh.get(), Drop(1, 30, {1, 2}, nullptr, 0), 1, false).ok());
  ASSERT_TRUE(Ingest(wh.get(), Drop(2, 5, {2}, nullptr, 0), 2, true).ok());
  auto since = [&]() {
    ExportOptions o;
    o.since_commit = 1;
    return ExportParquet(DefaultFileSystem(), root, "ev", dir.Join("out"), o).status();
  };
  EXPECT_NE(since().message().find("commit 2 replaced partitions (an overwrite) after commit 1"), std::string::npos)
      << since().ToString();
  EXPECT_EQ(RecordTypes(JoinPath(root, "ev/_manifest")), (std::vector<int>{1, 3, 6}));
  {
    auto w = wh->OpenWriter("ev");
    ASSERT_TRUE(w.ok());
    (*w)->set_checkpoint_gap(0);  // rewritten after this commit
    (*w)->set_etl_micros(Etl(3));
    std::vector<Column> cols = {Column(DataType::Int64()), Column(DataType::Timestamp()), Column(DataType::String())};
    cols[0].Append<int64_t>(1);
    cols[1].Append<int64_t>(*ParseTimestamp("2024-01-05 00:00:00"));
    cols[2].AppendString("x");
    ASSERT_TRUE((*w)->WriteRows(cols).ok());
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  EXPECT_EQ(RecordTypes(JoinPath(root, "ev/_manifest")), (std::vector<int>{1, 7}));
  auto snap = wh->GetSnapshot("ev");
  ASSERT_TRUE(snap.ok());
  ASSERT_EQ(snap->commits.size(), 3u);
  EXPECT_EQ(snap->commits[0].kind, CommitRecord::Kind::kIngest);
  EXPECT_EQ(snap->commits[1].kind, CommitRecord::Kind::kOverwrite);
  EXPECT_EQ(snap->commits[2].kind, CommitRecord::Kind::kIngest);
  EXPECT_NE(since().message().find("commit 2 replaced partitions"), std::string::npos) << since().ToString();
  ExpectVerified(wh.get());
}

// A reader that started before an overwrite answers from its snapshot: the retired files stay
// until it is done, and the next writer deletes them.
TEST(Overwrite, AReadersSnapshotKeepsTheReplacedRows) {
  TempDir dir;
  const std::string root = dir.Join("w");
  Session s(DefaultFileSystem(), root);
  ASSERT_TRUE(s.Execute(kCreate).ok());
  auto wh = *Warehouse::Open(DefaultFileSystem(), root, false);
  ASSERT_TRUE(Ingest(wh.get(), Drop(1, 30, {1, 2}, nullptr, 0), 1, false).ok());
  std::optional<TableSnapshot> old = *wh->GetSnapshot("ev");
  ASSERT_TRUE(Ingest(wh.get(), Drop(2, 5, {2}, nullptr, 0), 2, true).ok());
  for (const auto& e : old->segments) EXPECT_TRUE(DefaultFileSystem()->FileExists(old->SegmentPath(e))) << e.path;
  const std::string gone = old->SegmentPath(old->segments[0]);
  old.reset();
  { ASSERT_TRUE(wh->OpenWriter("ev").ok()); }
  EXPECT_FALSE(DefaultFileSystem()->FileExists(gone));
  ExpectVerified(wh.get());
}

// The overwrite failing at every mutating call in turn, or cut by a power loss there: the table is
// as before or as after, whole, and holds no file that no commit names.
TEST(Overwrite, FailingOrCutByPowerLossAtEveryStepLeavesOldOrNew) {
  for (bool crash : {false, true}) {
    int faults = 0;
    for (int n = 1;; ++n) {
      TempDir dir;
      const std::string root = dir.Join("w");
      Model before, after;
      {
        Session s(DefaultFileSystem(), root);
        ASSERT_TRUE(s.Execute(kCreate).ok());
        auto wh = *Warehouse::Open(DefaultFileSystem(), root, false);
        for (int k = 1; k <= 2; ++k) ASSERT_TRUE(Ingest(wh.get(), Drop(k, 20, {1, 2, 3}, &before, Etl(k)), k, false).ok());
      }
      Model again;
      const std::string csv = Drop(3, 10, {2}, &again, Etl(3));
      after = before;
      for (const auto& [day, rows] : again) after[day] = rows;
      FaultInjectionFileSystem faulty(DefaultFileSystem());
      auto wh = *Warehouse::Open(&faulty, root, false);
      faulty.FailAt(n);
      auto r = Ingest(wh.get(), csv, 3, true);
      const bool hit = faulty.failed();
      faulty.FailAt(0);
      if (crash) faulty.SimulateCrash();
      if (!hit) {
        ASSERT_TRUE(r.ok()) << r.status().ToString();
      }
      if (hit) ++faults;
      auto clean = *Warehouse::Open(DefaultFileSystem(), root, false);
      { ASSERT_TRUE(clean->OpenWriter("ev").ok()) << "fault at call " << n; }
      const Model got = TableRows(root);
      EXPECT_TRUE(got == before || got == after) << "fault at call " << n << (crash ? " (power loss)" : "");
      if (r.ok() && !crash) {
        EXPECT_EQ(got, after) << "fault at call " << n;
      }
      auto snap = *clean->GetSnapshot("ev");
      std::set<std::string> live, files;
      for (const auto& e : snap.segments) live.insert(e.path);
      for (const auto& f : *DefaultFileSystem()->ListDir(JoinPath(snap.dir, "data"))) files.insert("data/" + f);
      EXPECT_EQ(files, live) << "fault at call " << n;
      ExpectVerified(clean.get());
      if (!hit) break;
      ASSERT_LT(n, 3000) << "runaway";
    }
    EXPECT_GT(faults, 5);
  }
}

}  // namespace
}  // namespace wh
