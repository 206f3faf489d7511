// ALTER TABLE: columns added and widened without rewriting files. Files written before a schema
// change read as the new schema (added columns NULL, narrower types widened), pruning by their
// manifest zone maps stays right, compaction and the manifest's rewrite carry the table over,
// verify accepts it, bad changes are refused with the table unchanged, and a schema change cut
// by a failing disk leaves the old schema or the new one.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <sstream>

#include "engine/engine.h"
#include "ingest/ingest.h"
#include "query/query.h"
#include "query/result.h"
#include "tests/test_util.h"

namespace wh {
namespace {

using testing::FaultInjectionFileSystem;
using testing::TempDir;

constexpr const char* kCreate =
    "CREATE TABLE %s (user_id BIGINT NOT NULL, ts TIMESTAMP NOT NULL, v INT, amt DECIMAL(9,2), day DATE) "
    "PARTITIONED BY (d = CAST(ts AS DATE)) CLUSTERED BY (user_id) INTO 4 BUCKETS";

std::string Create(const std::string& table) {
  char buf[512];
  std::snprintf(buf, sizeof buf, kCreate, table.c_str());
  return buf;
}

// Drop n of the old columns: rows over 3 days, NULLs here and there.
std::string OldDrop(int n) {
  std::string csv = "user_id,ts,v,amt,day\n";
  for (int i = 0; i < 30; ++i) {
    csv += std::to_string(n * 100 + i) + ",2024-01-0" + std::to_string(1 + (i + n) % 3) + " 0" + std::to_string(i % 10) +
           ":00:00," + (i % 7 == 0 ? "" : std::to_string(n * 1000 - i * 37)) + "," +
           (i % 5 == 0 ? "" : std::to_string(i * 13 - 100) + "." + std::to_string(10 + i)) + "," +
           (i % 6 == 0 ? "" : "2023-12-" + std::to_string(10 + i % 20)) + "\n";
  }
  return csv;
}

// A drop with the columns as altered: values the old types could not hold.
std::string NewDrop() {
  std::string csv = "user_id,ts,v,amt,day,note,score\n";
  for (int i = 0; i < 20; ++i) {
    csv += std::to_string(900 + i) + ",2024-01-0" + std::to_string(2 + i % 3) + " 12:00:00," +
           (i % 4 == 0 ? "" : std::to_string(5000000000LL + i)) + "," +
           (i % 3 == 0 ? "" : "123456789012." + std::to_string(1000 + i)) + "," +
           (i % 5 == 0 ? "" : "2024-01-0" + std::to_string(1 + i % 9) + " 0" + std::to_string(i % 10) + ":30:00") + "," +
           (i % 2 == 0 ? "" : "note " + std::to_string(i)) + "," + (i % 6 == 0 ? "" : std::to_string(i) + ".5") + "\n";
  }
  return csv;
}

void Ingest(Warehouse* wh, const std::string& table, const std::string& csv, int n, bool allow_missing) {
  auto in = StringInput(csv, "drop" + std::to_string(n) + ".csv");
  IngestOptions o;
  o.compact = false;  // the files written before the ALTER stay as they are
  o.allow_missing_columns = allow_missing;
  o.etl_micros = *ParseTimestamp("2024-02-01") + int64_t{n} * 86400 * 1000000;
  auto r = IngestCsvStreams(wh, table, {in.get()}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

std::string Csv(Session* s, const std::string& sql) {
  auto r = s->Execute(sql);
  if (!r.ok()) return "error: " + r.status().message();
  if (r->empty()) return "";
  std::ostringstream o;
  PrintResult(r->back(), OutputFormat::kCsv, o);
  return o.str();
}

uint64_t Problems(Warehouse* wh, const std::string& table) {
  std::string all;
  VerifyStats v = VerifyTable(wh, table, [&](const std::string& p) { all += p + "\n"; });
  EXPECT_EQ(v.problems, 0u) << all;
  return v.problems;
}

// Queries whose answers must not depend on when a row's file was written.
const std::vector<std::string> kQueries = {
    "SELECT * FROM %s ORDER BY user_id",
    "SELECT user_id, etl_date FROM %s ORDER BY user_id",
    "SELECT count(*), count(note), count(score), sum(v), sum(amt), min(day), max(day) FROM %s",
    "SELECT user_id FROM %s WHERE note IS NULL ORDER BY user_id",
    "SELECT user_id, note FROM %s WHERE note IS NOT NULL ORDER BY user_id",
    "SELECT user_id, v FROM %s WHERE v > 3000000000 ORDER BY user_id",
    "SELECT user_id, v FROM %s WHERE v BETWEEN 1000 AND 1500 ORDER BY user_id",
    "SELECT user_id, amt FROM %s WHERE amt > 100.5 ORDER BY user_id",
    "SELECT user_id, amt FROM %s WHERE amt = 12.13 ORDER BY user_id",
    "SELECT user_id, day FROM %s WHERE day >= TIMESTAMP '2023-12-25 00:00:00' AND day < TIMESTAMP '2024-01-03 00:00:00' "
    "ORDER BY user_id",
    "SELECT user_id, score FROM %s WHERE score > 3 ORDER BY user_id",
    "SELECT d, count(*), count(note), sum(v) FROM %s GROUP BY d ORDER BY d",
};

std::string Q(const std::string& q, const std::string& table) {
  std::string out;
  for (size_t i = 0; i < q.size(); ++i) {
    if (q.compare(i, 2, "%s") == 0) {
      out += table;
      ++i;
    } else {
      out += q[i];
    }
  }
  return out;
}

// `altered` (files of old schemas and new) answers every query as `fresh` (created with the
// final schema, loaded with the same rows), with pruning on and off.
void ExpectSameAnswers(const std::string& root, const std::string& why) {
  for (bool prune : {true, false}) {
    SessionOptions o;
    o.prune = prune;
    Session s(DefaultFileSystem(), root, o);
    for (const auto& q : kQueries) {
      const std::string got = Csv(&s, Q(q, "altered"));
      EXPECT_EQ(got, Csv(&s, Q(q, "fresh"))) << why << (prune ? "" : " (no pruning)") << ": " << Q(q, "altered");
      EXPECT_EQ(got.rfind("error", 0), std::string::npos) << got;
    }
  }
}

TEST(SchemaChange, FilesWrittenBeforeReadAsTheNewSchema) {
  TempDir dir;
  const std::string root = dir.Join("w");
  Session s(DefaultFileSystem(), root);
  ASSERT_EQ(Csv(&s, Create("altered")), "");
  auto wh = s.GetWarehouse(false);
  ASSERT_TRUE(wh.ok());
  Ingest(*wh, "altered", OldDrop(1), 1, false);
  Ingest(*wh, "altered", OldDrop(2), 2, false);
  for (const char* alter : {"ALTER TABLE altered ADD COLUMN note STRING",
                            "ALTER TABLE altered ALTER COLUMN v TYPE BIGINT",
                            "ALTER TABLE altered ALTER amt SET DATA TYPE DECIMAL(20,4)",
                            "ALTER TABLE altered ADD COLUMNS (score DOUBLE)",
                            "ALTER TABLE altered CHANGE COLUMN day day TIMESTAMP"})
    ASSERT_EQ(Csv(&s, alter), "") << alter;
  Ingest(*wh, "altered", NewDrop(), 3, false);
  EXPECT_EQ(Csv(&s, "DESCRIBE altered"),
            "column_name,data_type,nullable,comment\n"
            "user_id,BIGINT,NO,bucket key (4 buckets)\n"
            "ts,TIMESTAMP,NO,\n"
            "v,BIGINT,YES,\n"
            "amt,\"DECIMAL(20,4)\",YES,\n"
            "day,TIMESTAMP,YES,\n"
            "note,STRING,YES,\n"
            "score,DOUBLE,YES,\n"
            "d,DATE,YES,partition column = CAST(ts AS DATE)\n"
            "etl_date,TIMESTAMP,NO,system column: load time of the batch\n");
  // The same rows in a table made with the final schema.
  ASSERT_EQ(Csv(&s,
                "CREATE TABLE fresh (user_id BIGINT NOT NULL, ts TIMESTAMP NOT NULL, v BIGINT, amt DECIMAL(20,4), "
                "day TIMESTAMP, note STRING, score DOUBLE) PARTITIONED BY (d = CAST(ts AS DATE)) "
                "CLUSTERED BY (user_id) INTO 4 BUCKETS"),
            "");
  Ingest(*wh, "fresh", OldDrop(1), 1, true);
  Ingest(*wh, "fresh", OldDrop(2), 2, true);
  Ingest(*wh, "fresh", NewDrop(), 3, false);

  auto snap = (*wh)->GetSnapshot("altered");
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->last_seq, 8u);  // 3 ingests, 5 schema changes
  EXPECT_EQ(snap->commits[2].kind, CommitRecord::Kind::kSchemaChange);
  EXPECT_GT(snap->files(), 2u);  // the old files are still there
  // The old files' entries are by the new columns: nothing of `note` in them.
  for (const auto& e : snap->segments) {
    ASSERT_EQ(e.zones.size(), 8u);
    if (e.commit_seq <= 2) {
      EXPECT_EQ(e.zones[5].null_count, e.rows);
      EXPECT_FALSE(e.zones[5].has_min_max);
    }
  }
  EXPECT_EQ(Csv(&s, "SELECT count(*) FROM altered WHERE note IS NULL"), "count(*)\n70\n");
  EXPECT_EQ(Csv(&s, "SELECT v, amt, day FROM altered WHERE user_id = 101"), "v,amt,day\n963,-87.1100,2023-12-11 00:00:00\n");
  ExpectSameAnswers(root, "before compaction");
  Problems(*wh, "altered");

  // Compaction rewrites the old files as the new schema.
  auto c = CompactTable(*wh, "altered", CompactOptions{.full = true, .partitions = {}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_GT(c->files_in, 1u);
  ExpectSameAnswers(root, "after compaction");
  Problems(*wh, "altered");
  snap = (*wh)->GetSnapshot("altered");
  ASSERT_TRUE(snap.ok());
  for (const auto& e : snap->segments) {
    auto r = SegmentReader::Open(DefaultFileSystem(), snap->SegmentPath(e));
    ASSERT_TRUE(r.ok());
    ASSERT_EQ((*r)->footer().columns.size(), 8u);
    EXPECT_EQ((*r)->footer().columns[3].type, DataType::Decimal(20, 4));
  }

}

// A schema change with the files of the old schema still live, then the manifest rewritten from a
// base record: the base's entries are by the new columns and read back so.
TEST(SchemaChange, ManifestRewrittenAfterASchemaChange) {
  TempDir dir;
  const std::string root = dir.Join("w");
  Session s(DefaultFileSystem(), root);
  ASSERT_EQ(Csv(&s, Create("altered")), "");
  auto wh = s.GetWarehouse(false);
  ASSERT_TRUE(wh.ok());
  Ingest(*wh, "altered", OldDrop(1), 1, false);
  ASSERT_EQ(Csv(&s, "ALTER TABLE altered ADD COLUMN note STRING; ALTER TABLE altered ALTER v TYPE BIGINT"), "");
  const std::string before = Csv(&s, "SELECT *, etl_date FROM altered ORDER BY user_id");
  {
    auto w = (*wh)->OpenWriter("altered");
    ASSERT_TRUE(w.ok());
    (*w)->set_checkpoint_gap(0);  // rewrite after this commit
    (*w)->set_etl_micros(*ParseTimestamp("2024-03-01"));
    std::vector<Column> cols;
    for (const auto& c : (*w)->base().schema.columns) cols.emplace_back(c.type);
    cols[0].Append<int64_t>(7);
    cols[1].Append<int64_t>(*ParseTimestamp("2024-01-01 10:00:00"));
    cols[2].Append<int64_t>(int64_t{1} << 40);
    cols[3].AppendNull();
    cols[4].AppendNull();
    cols[5].AppendString("new");
    ASSERT_TRUE((*w)->WriteRows(cols).ok());
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  auto snap = (*wh)->GetSnapshot("altered");
  ASSERT_TRUE(snap.ok());
  ASSERT_GT(snap->checkpoint_offset, 0u) << "the manifest was not rewritten";
  {
    // A base that says which commits were schema changes (type 7), which older builds refuse.
    std::string m = *DefaultFileSystem()->ReadFile(JoinPath(root, "altered/_manifest"));
    uint32_t len;
    std::memcpy(&len, m.data() + kManifestHeaderSize, 4);
    ASSERT_GT(m.size(), kManifestHeaderSize + 13 + len + 5);
    EXPECT_EQ(testing::ManifestRecordType(m, kManifestHeaderSize + 13 + len), 7);
    EXPECT_EQ(snap->commits[1].kind, CommitRecord::Kind::kSchemaChange);
    EXPECT_EQ(snap->commits[2].kind, CommitRecord::Kind::kSchemaChange);
  }
  for (const auto& e : snap->segments) ASSERT_EQ(e.zones.size(), 7u);
  EXPECT_EQ(Csv(&s, "SELECT user_id, v, note FROM altered WHERE note IS NOT NULL OR v > 1000000000"),
            "user_id,v,note\n7,1099511627776,new\n");
  const std::string after = Csv(&s, "SELECT *, etl_date FROM altered WHERE user_id <> 7 ORDER BY user_id");
  EXPECT_EQ(after, before);
  Problems(*wh, "altered");
}

// A table of an older build with a `_checkpoint` (tests/data/golden/ckpt_v1) altered: read through
// the checkpoint and the records after it, and verified, as the new schema.
TEST(SchemaChange, ATableWithALegacyCheckpoint) {
  TempDir dir;
  const std::string root = dir.Join("w");
  std::filesystem::copy(std::string(WH_SOURCE_DIR) + "/tests/data/golden/ckpt_v1", root,
                        std::filesystem::copy_options::recursive);
  Session s(DefaultFileSystem(), root);
  const std::string before = Csv(&s, "SELECT * FROM ev ORDER BY ALL");
  ASSERT_EQ(Csv(&s, "ALTER TABLE ev ADD COLUMN extra STRING"), "");
  ASSERT_TRUE(DefaultFileSystem()->FileExists(JoinPath(root, "ev/_checkpoint")));
  EXPECT_EQ(Csv(&s, "SELECT * EXCLUDE (extra) FROM ev ORDER BY ALL"), before);
  EXPECT_EQ(Csv(&s, "SELECT count(extra) FROM ev"), "count(extra)\n0\n");
  auto wh = s.GetWarehouse(false);
  ASSERT_TRUE(wh.ok());
  Problems(*wh, "ev");
}

TEST(SchemaChange, RefusedChangesLeaveTheTableAsItWas) {
  TempDir dir;
  const std::string root = dir.Join("w");
  Session s(DefaultFileSystem(), root);
  ASSERT_EQ(Csv(&s, Create("altered") + "; CREATE VIEW vw AS SELECT 1 AS x"), "");
  auto wh = s.GetWarehouse(false);
  ASSERT_TRUE(wh.ok());
  Ingest(*wh, "altered", OldDrop(1), 1, false);
  const std::string as_double = Csv(&s, "SELECT user_id, CAST(v AS DOUBLE) AS v FROM altered ORDER BY user_id");
  auto error = [&](const std::string& sql) {
    auto r = s.Execute(sql);
    return r.ok() ? std::string("ok") : r.status().message();
  };
  auto has = [](const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos ? ::testing::AssertionSuccess()
                                                 : ::testing::AssertionFailure() << "'" << text << "' lacks '" << part << "'";
  };
  EXPECT_TRUE(has(error("ALTER TABLE altered ALTER COLUMN v TYPE DOUBLE"), "ok"));  // INT widens to DOUBLE
  EXPECT_TRUE(has(error("ALTER TABLE altered ALTER COLUMN v TYPE INT"), "does not widen"));  // DOUBLE to INT
  EXPECT_TRUE(has(error("ALTER TABLE altered ALTER COLUMN amt TYPE DECIMAL(9,1)"), "does not widen"));
  EXPECT_TRUE(has(error("ALTER TABLE altered ALTER COLUMN amt TYPE DECIMAL(9,3)"), "does not widen"));
  EXPECT_TRUE(has(error("ALTER TABLE altered ALTER COLUMN amt TYPE STRING"), "does not widen"));
  EXPECT_TRUE(has(error("ALTER TABLE altered ALTER COLUMN user_id TYPE DECIMAL(30,0)"), "buckets"));
  EXPECT_TRUE(has(error("ALTER TABLE altered ALTER COLUMN ts TYPE TIMESTAMP"), "ok"));  // its own type: nothing
  EXPECT_TRUE(has(error("ALTER TABLE altered ALTER COLUMN d TYPE TIMESTAMP"), "derived"));
  EXPECT_TRUE(has(error("ALTER TABLE altered ALTER COLUMN nope TYPE BIGINT"), "no column 'nope'"));
  EXPECT_TRUE(has(error("ALTER TABLE altered ADD COLUMN n INT NOT NULL"), "NOT NULL"));
  EXPECT_TRUE(has(error("ALTER TABLE altered ADD COLUMN V BIGINT"), "already has a column 'V'"));
  EXPECT_TRUE(has(error("ALTER TABLE altered ADD COLUMN etl_date BIGINT"), "already has"));
  EXPECT_TRUE(has(error("ALTER TABLE altered ADD COLUMN d BIGINT"), "already has"));
  EXPECT_TRUE(has(error("ALTER TABLE altered ADD COLUMN n INT DEFAULT 3"), "DEFAULT"));
  EXPECT_TRUE(has(error("ALTER TABLE altered DROP COLUMN v"), "not supported"));
  EXPECT_TRUE(has(error("ALTER TABLE altered RENAME COLUMN v TO w"), "not supported"));
  EXPECT_TRUE(has(error("ALTER TABLE altered CHANGE COLUMN v w BIGINT"), "renaming"));
  EXPECT_TRUE(has(error("ALTER TABLE missing ADD COLUMN n INT"), "no table 'missing'"));
  EXPECT_TRUE(has(error("ALTER TABLE vw ADD COLUMN n INT"), "it is a view"));
  EXPECT_TRUE(has(error("ALTER TABLE IF EXISTS missing ADD COLUMN n INT"), "ok"));
  EXPECT_TRUE(has(error("ALTER TABLE altered ADD COLUMN IF NOT EXISTS v STRING"), "ok"));
  // Two columns where the second is refused: neither is added, and the error points at it.
  EXPECT_TRUE(has(error("ALTER TABLE altered ADD COLUMNS (a INT, b INT NOT NULL)"), "column 41"));
  EXPECT_TRUE(has(error("ALTER TABLE altered ADD COLUMNS (a INT, b INT NOT NULL)"), "NOT NULL"));
  EXPECT_TRUE(has(error("ALTER TABLE altered ADD COLUMNS (a INT, A BIGINT)"), "column 'A' is named twice"));
  auto snap = (*wh)->GetSnapshot("altered");
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->last_seq, 2u);  // the ingest and the one change to DOUBLE
  EXPECT_EQ(snap->schema.columns.size(), 5u);
  EXPECT_EQ(snap->schema.columns[2].type, DataType::Double());
  EXPECT_EQ(Csv(&s, "SELECT user_id, v FROM altered ORDER BY user_id"), as_double);
  Problems(*wh, "altered");
}

// A schema change failing at any step of its commit (a dead disk from that call on) leaves the
// table with the old schema or the new one, readable, with every row.
TEST(SchemaChange, FailingDiskLeavesOldOrNewSchema) {
  TempDir dir;
  const std::string root = dir.Join("w");
  {
    Session s(DefaultFileSystem(), root);
    ASSERT_EQ(Csv(&s, Create("altered")), "");
    auto wh = s.GetWarehouse(false);
    ASSERT_TRUE(wh.ok());
    Ingest(*wh, "altered", OldDrop(1), 1, false);
  }
  const std::string rows = [&] {
    Session s(DefaultFileSystem(), root);
    return Csv(&s, "SELECT user_id, ts, v, amt, day, etl_date FROM altered ORDER BY user_id");
  }();
  bool finished = false;
  for (int n = 1; n < 40 && !finished; ++n) {
    TempDir copy;
    std::filesystem::copy(root, copy.Join("w"), std::filesystem::copy_options::recursive);
    FaultInjectionFileSystem fs(DefaultFileSystem());
    fs.FailAt(n);
    Status st;
    {
      Session s(&fs, copy.Join("w"));
      auto r = s.Execute("ALTER TABLE altered ADD COLUMN note STRING");
      st = r.status();
    }
    finished = st.ok() && !fs.failed();
    Session s(DefaultFileSystem(), copy.Join("w"));
    const std::string described = Csv(&s, "DESCRIBE altered");
    const bool added = described.find("note,STRING") != std::string::npos;
    if (st.ok()) {
      EXPECT_TRUE(added) << "call " << n;
    }
    EXPECT_EQ(Csv(&s, "SELECT user_id, ts, v, amt, day, etl_date FROM altered ORDER BY user_id"), rows) << "call " << n;
    if (added) {
      EXPECT_EQ(Csv(&s, "SELECT count(note) FROM altered"), "count(note)\n0\n") << "call " << n;
    }
    auto wh = s.GetWarehouse(false);
    ASSERT_TRUE(wh.ok());
    Problems(*wh, "altered");
  }
  EXPECT_TRUE(finished);
}

}  // namespace
}  // namespace wh
