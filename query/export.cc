#include "query/export.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <sstream>
#include <cstdio>
#include <random>
#include <map>
#include <mutex>
#include <thread>
#include <set>

#include "format/thread.h"
#include "format/value_text.h"
#include "parquet/iceberg.h"
#include "parquet/spark_hash.h"
#include "query/query.h"

namespace wh {

namespace {

// Every result's rows, held (one partition of a table at a time).
class Collector : public ResultSink {
 public:
  Status Whole(const ResultSet& rs) override {
    ResultSet flat = rs;
    flat.Flatten();
    chunks.push_back(std::move(flat.columns));
    return Status::OK();
  }
  Status Begin(const std::vector<std::string>&, const std::vector<DataType>&) override { return Status::OK(); }
  Status Rows(std::vector<Column> columns) override {
    if (!columns.empty() && columns[0].size() > 0) chunks.push_back(std::move(columns));
    return Status::OK();
  }
  Status End() override { return Status::OK(); }
  std::vector<std::vector<Column>> chunks;
};

// A random (version 4) UUID, as Spark names the files of one write job.
std::string NewUuid() {
  std::random_device rd;
  uint8_t b[16];
  for (int i = 0; i < 16; i += 4) {
    const uint32_t r = rd();
    std::memcpy(b + i, &r, 4);
  }
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

}  // namespace

namespace {

// The etl_dates of the rows commits (since, snapshot] added; nullopt for every row.
Result<std::optional<std::set<int64_t>>> SinceCommitEtls(const TableSnapshot& snap, uint64_t since) {
  if (since > snap.last_seq)
    return Status::InvalidArgument("commit " + std::to_string(since) + " is past the table's last commit, " +
                                   std::to_string(snap.last_seq));
  if (since == 0) return std::optional<std::set<int64_t>>();
  for (const auto& c : snap.commits)
    if (c.kind == CommitRecord::Kind::kOverwrite && c.seq > since)
      return Status::InvalidArgument("commit " + std::to_string(c.seq) + " replaced partitions (an overwrite) after commit " +
                                     std::to_string(since) + ": rows were removed, which an export of the rows added "
                                     "since cannot say; export the whole table");
  // Every row carries its ingest commit's etl_date (compactions keep it): the rows of commits
  // after `since` are those whose etl_date is one of theirs, unless an earlier commit shares it.
  std::set<int64_t> before, after;
  std::map<int64_t, uint64_t> first_after;
  for (const auto& c : snap.commits) {
    if (c.kind == CommitRecord::Kind::kCompaction) continue;
    if (c.seq <= since) {
      before.insert(c.etl_micros);
    } else {
      after.insert(c.etl_micros);
      first_after.emplace(c.etl_micros, c.seq);
    }
  }
  for (int64_t e : after) {
    if (!before.count(e)) continue;
    uint64_t earlier = 0;
    for (const auto& c : snap.commits)
      if (c.kind != CommitRecord::Kind::kCompaction && c.seq <= since && c.etl_micros == e) earlier = c.seq;
    return Status::InvalidArgument("commits " + std::to_string(earlier) + " and " + std::to_string(first_after[e]) +
                                   " both have etl_date " + FormatTimestamp(e) + ", so the rows after commit " +
                                   std::to_string(since) + " cannot be told apart from those before (give each load "
                                   "its own --etl-date; a compaction the manifest summarizes counts as a load)");
  }
  return std::optional<std::set<int64_t>>(std::move(after));
}

// etl_date IN (...) of a set (FALSE when empty).
std::string EtlFilter(const std::set<int64_t>& etls) {
  if (etls.empty()) return "FALSE";
  std::string in = "\"etl_date\" IN (";
  bool first = true;
  for (int64_t e : etls) {
    in += (first ? "" : ", ") + std::string("TIMESTAMP '") + FormatTimestamp(e) + "'";
    first = false;
  }
  return in + ")";
}

}  // namespace


namespace {

// One export's reading side: a session whose statements see one pinned snapshot of the table,
// and the table's rows a partition at a time.
class TableScan {
 public:
  Status Open(FileSystem* fs, const std::string& warehouse, const std::string& table, int threads) {
    SessionOptions so;
    so.threads = threads;
    so.sink = &collector_;
    session_ = std::make_unique<Session>(fs, warehouse, so);
    WH_ASSIGN_OR_RETURN(Warehouse * wh, session_->GetWarehouse(false));
    auto got = wh->GetSnapshot(table);
    if (!got.ok()) {
      auto view = wh->GetView(table);
      if (got.status().code() == StatusCode::kNotFound && view.ok() && view->has_value())
        return Status::NotFound("'" + table + "' is a view, not a table; write its rows with COPY (SELECT * FROM " +
                                table + ") TO 'file.parquet'");
      return got.status();
    }
    TableSnapshot snap = std::move(*got);
    snap_ = std::make_shared<TableSnapshot>(std::move(snap));
    session_->PinSnapshot(table, snap_);
    return Status::OK();
  }
  const TableSnapshot& snapshot() const { return *snap_; }
  const TableSchema& schema() const { return snap_->schema; }

  // The partitions the snapshot holds, in order (NULL last; one nullopt for an unpartitioned
  // table), in runs that one query reads together: up to ~1M rows or 256 partitions a run. With
  // `etls`, only partitions whose parts may hold a row of one of those etl_dates (their zone maps).
  std::vector<std::vector<std::optional<int32_t>>> Batches(const std::set<int64_t>* etls) const {
    std::map<int32_t, uint64_t> days;
    bool null_partition = false;
    const size_t etl_col = schema().columns.size();  // etl_date: the last storage column
    for (const auto& s : snap_->segments) {
      if (s.rows == 0) continue;
      if (etls && s.zones.size() > etl_col && s.zones[etl_col].has_min_max) {
        const ZoneMap& z = s.zones[etl_col];
        auto it = etls->lower_bound(static_cast<int64_t>(z.min_i));
        if (it == etls->end() || *it > z.max_i) continue;
      }
      if (s.partition) days[*s.partition] += s.rows;
      else null_partition = true;
    }
    std::vector<std::vector<std::optional<int32_t>>> out;
    uint64_t rows = 0;
    for (const auto& [day, n] : days) {
      if (out.empty() || out.back().size() >= 256 || rows + n > (uint64_t{1} << 20)) {
        out.emplace_back();
        rows = 0;
      }
      out.back().push_back(day);
      rows += n;
    }
    if (null_partition || schema().partition_column.empty()) out.push_back({std::nullopt});
    return out;
  }

  // Checks that --where is one predicate: text that closed its parentheses early or added a
  // statement would change what the partition filter selects.
  static Status CheckWhere(const std::string& where) {
    if (where.empty()) return Status::OK();
    auto parsed = ParseSql("SELECT 1 WHERE " + where + "\n");
    if (!parsed.ok() || parsed->size() != 1)
      return Status::InvalidArgument("--where '" + where + "' is not one SQL condition" +
                                     (parsed.ok() ? std::string() : ": " + parsed.status().message()));
    return Status::OK();
  }

  // The rows of `columns` in a run of partitions that meet `conds` (SQL, ANDed), as batches
  // (chunks()) whose last column is the partition value when the table is partitioned, and each
  // partition's rows as (batch, row) pairs, in the run's order.
  using RowList = std::vector<std::pair<uint16_t, uint32_t>>;
  Result<std::vector<RowList>> Read(const std::vector<std::string>& columns,
                                    const std::vector<std::optional<int32_t>>& run, std::vector<std::string> conds,
                                    const std::string& where) {
    const bool partitioned = !schema().partition_column.empty();
    const std::string pc = Quoted(schema().partition_column);
    std::string sql = "SELECT ";
    for (size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + Quoted(columns[i]);
    if (partitioned) sql += ", " + pc;
    sql += " FROM " + Quoted(schema().name);
    if (partitioned) {
      if (!run[0]) {
        conds.insert(conds.begin(), pc + " IS NULL");
      } else {
        std::string in = pc + " IN (";
        for (size_t i = 0; i < run.size(); ++i) in += (i ? ", " : "") + std::string("DATE '") + FormatDate(*run[i]) + "'";
        conds.insert(conds.begin(), in + ")");
      }
    }
    if (!where.empty()) conds.push_back("(" + where + "\n)");  // a trailing -- comment ends at the line
    for (size_t i = 0; i < conds.size(); ++i) sql += (i ? " AND " : " WHERE ") + conds[i];
    collector_.chunks.clear();
    auto r = session_->Execute(sql);
    if (!r.ok()) {
      if (!where.empty()) return Status::InvalidArgument("--where '" + where + "': " + r.status().message());
      return r.status();
    }
    if (collector_.chunks.size() > 65535) return Status::ResourceExhausted("a query of more than 65535 batches");
    // Read by several threads next: dictionary-form strings are made plain first.
    for (const auto& ch : collector_.chunks)
      for (const auto& c : ch) c.Plain();
    std::vector<RowList> rows(run.size());
    std::map<int32_t, size_t> index;
    for (size_t i = 0; i < run.size(); ++i)
      if (run[i]) index[*run[i]] = i;
    for (size_t c = 0; c < collector_.chunks.size(); ++c) {
      const auto& ch = collector_.chunks[c];
      for (uint32_t i = 0; i < ch[0].size(); ++i) {
        size_t at = 0;
        if (partitioned && !ch.back().IsNull(i)) {
          auto it = index.find(ch.back().Get<int32_t>(i));
          if (it == index.end()) return Status::Internal("export: a row of a partition the query did not ask for");
          at = it->second;
        }
        rows[at].push_back({static_cast<uint16_t>(c), i});
      }
    }
    return rows;
  }
  const std::vector<std::vector<Column>>& chunks() const { return collector_.chunks; }

  // Every partition with rows that meet `conds`, a run of partitions (Batches) read at a time:
  // fn(partition, its rows), which point into chunks() (valid during the call).
  // With threads > 1, the partitions of a run are given to fn side by side (each call told to
  // use one thread), or when one partition holds more than a thread's share of the run's rows,
  // one at a time with all the threads: a thread per partition writes its files into a
  // directory of its own, where threads writing files into one directory wait on its lock in
  // the kernel.
  using PartitionFn = std::function<Status(std::optional<int32_t>, const RowList&, size_t threads)>;
  Status ForEachPartition(const std::set<int64_t>* etls, const std::vector<std::string>& columns,
                          const std::vector<std::string>& conds, const std::string& where, size_t threads,
                          const PartitionFn& fn) {
    for (const auto& run : Batches(etls)) {
      WH_ASSIGN_OR_RETURN(auto per_part, Read(columns, run, conds, where));
      std::vector<size_t> todo;
      size_t rows = 0, most = 0;
      for (size_t i = 0; i < run.size(); ++i) {
        if (per_part[i].empty()) continue;
        todo.push_back(i);
        rows += per_part[i].size();
        most = std::max(most, per_part[i].size());
      }
      // A partition of more than a thread's share of the run's rows would leave the other
      // threads idle while one writes its files: then each partition gets all the threads.
      if (threads <= 1 || todo.size() <= 1 || most * threads > rows) {
        for (size_t i : todo) WH_RETURN_IF_ERROR(fn(run[i], per_part[i], threads));
      } else {
        WH_RETURN_IF_ERROR(ParallelFor(todo.size(), threads, [&](size_t k) -> Status {
          return fn(run[todo[k]], per_part[todo[k]], 1);
        }));
      }
    }
    return Status::OK();
  }

  void Release() { collector_.chunks.clear(); }

  // Rows of the table per etl_date (micros).
  Result<std::map<int64_t, int64_t>> EtlCounts() {
    collector_.chunks.clear();
    WH_RETURN_IF_ERROR(session_->Execute("SELECT \"etl_date\", COUNT(*) FROM " + Quoted(schema().name) +
                                         " GROUP BY \"etl_date\"").status());
    std::map<int64_t, int64_t> out;
    for (const auto& ch : collector_.chunks)
      for (size_t i = 0; i < ch[0].size(); ++i) out[ch[0].Get<int64_t>(i)] += ch[1].Get<int64_t>(i);
    collector_.chunks.clear();
    return out;
  }

 private:
  Collector collector_;
  std::unique_ptr<Session> session_;
  std::shared_ptr<TableSnapshot> snap_;
};

// Writes rows `list` ((batch, row) pairs) of `chunks` as one Parquet file at `path`.
Status WriteRows(FileSystem* fs, const std::string& path, const std::vector<parquet::ColumnSpec>& specs,
                 const parquet::WriterOptions& wo, const std::vector<std::vector<Column>>& chunks,
                 const std::vector<std::pair<uint16_t, uint32_t>>& list, uint64_t* rows, uint64_t* bytes,
                 const std::function<void(const std::vector<Column>&)>& each_slice = nullptr) {
  WH_ASSIGN_OR_RETURN(auto file, fs->NewWritableFile(path));
  parquet::Writer w(specs, wo, [&](std::string_view b) { return file->Append(b); });
  std::vector<uint16_t> which;
  std::vector<uint32_t> at;
  // The rows of one file lie in a few of the scan's chunks (a partition's): those are numbered
  // anew for the gather, which otherwise looks at every chunk of the table for every column of
  // every file (a fifth of exporting 20,000 bucket files).
  std::vector<int32_t> slot(chunks.size(), -1);
  std::vector<uint16_t> used;
  for (size_t s = 0; s < list.size(); s += 65536) {
    const size_t n = std::min<size_t>(65536, list.size() - s);
    which.resize(n);
    at.resize(n);
    for (uint16_t u : used) slot[u] = -1;
    used.clear();
    for (size_t k = 0; k < n; ++k) {
      const uint16_t chunk = list[s + k].first;
      if (slot[chunk] < 0) {
        slot[chunk] = static_cast<int32_t>(used.size());
        used.push_back(chunk);
      }
      which[k] = static_cast<uint16_t>(slot[chunk]);
      at[k] = list[s + k].second;
    }
    std::vector<Column> slice;
    std::vector<const Column*> srcs(used.size());
    for (size_t c = 0; c < specs.size(); ++c) {
      for (size_t u = 0; u < used.size(); ++u) srcs[u] = &chunks[used[u]][c];
      slice.emplace_back(specs[c].type);
      slice.back().AppendGathered(srcs, which.data(), at.data(), n);
    }
    if (each_slice) each_slice(slice);
    WH_RETURN_IF_ERROR(w.Write(slice));
  }
  WH_RETURN_IF_ERROR(w.Finish());
  WH_RETURN_IF_ERROR(file->Close());
  *rows = w.rows();
  *bytes = w.bytes();
  return Status::OK();
}

// Each row's group: rows in order, grouped by `group_of(batch, row)` into `n` lists.
// A partition's rows (batch, row) split into n groups by group_of, each in order.
std::vector<std::vector<std::pair<uint16_t, uint32_t>>> GroupRows(
    const std::vector<std::pair<uint16_t, uint32_t>>& rows, size_t n,
    const std::function<uint32_t(uint16_t batch, uint32_t row)>& group_of) {
  std::vector<std::vector<std::pair<uint16_t, uint32_t>>> of(n);
  for (const auto& r : rows) of[group_of ? group_of(r.first, r.second) : 0].push_back(r);
  return of;
}

size_t ExportThreads(const ExportOptions& o) {
  return o.threads > 0 ? static_cast<size_t>(o.threads) : std::max(1u, std::thread::hardware_concurrency());
}

// DIR without trailing slashes, its parent checked: the export is built beside it.
Result<std::string> ExportDir(FileSystem* fs, std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (dir.empty()) return Status::InvalidArgument("the export directory is empty");
  const size_t slash = dir.rfind('/');
  const std::string parent = slash == std::string::npos ? "." : slash == 0 ? "/" : dir.substr(0, slash);
  if (!fs->IsDirectory(parent))
    return Status::NotFound("the directory '" + parent + "' that would hold the export '" + dir + "' does not exist");
  return dir;
}

// A directory that must be new or empty, outside the warehouse.
Status CheckNewDir(FileSystem* fs, const std::string& warehouse, const std::string& dir) {
  WH_RETURN_IF_ERROR(RefuseInsideWarehouse(warehouse, dir, "the export directory"));
  if (fs->FileExists(dir)) {
    if (!fs->IsDirectory(dir)) return Status::AlreadyExists("'" + dir + "' exists and is not a directory");
    WH_ASSIGN_OR_RETURN(auto entries, fs->ListDir(dir));
    if (!entries.empty())
      return Status::AlreadyExists("the export directory '" + dir + "' is not empty; name a new or empty one");
  }
  return Status::OK();
}

// Every file written under `dir` on disk (one syncfs of its filesystem).
void SyncTree(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::syncfs(fd);
    ::close(fd);
  }
}

}  // namespace

Result<ExportStats> ExportParquet(FileSystem* fs, const std::string& warehouse, const std::string& table,
                                  const std::string& dir_arg, const ExportOptions& options) {
  WH_ASSIGN_OR_RETURN(const std::string dir, ExportDir(fs, dir_arg));
  WH_RETURN_IF_ERROR(CheckNewDir(fs, warehouse, dir));
  WH_RETURN_IF_ERROR(TableScan::CheckWhere(options.where));
  TableScan scan;
  WH_RETURN_IF_ERROR(scan.Open(fs, warehouse, table, options.threads));
  const TableSchema& schema = scan.schema();
  ExportStats stats;
  stats.commit_seq = scan.snapshot().last_seq;
  std::vector<std::string> conds;
  std::optional<std::set<int64_t>> since_etls;
  if (options.since_commit) {
    WH_ASSIGN_OR_RETURN(since_etls, SinceCommitEtls(scan.snapshot(), *options.since_commit));
    if (since_etls) conds.push_back(EtlFilter(*since_etls));
  }
  std::vector<parquet::ColumnSpec> specs;
  std::vector<std::string> names;
  for (const auto& c : schema.StorageColumns()) {
    specs.push_back({c.name, c.type, c.nullable});
    names.push_back(c.name);
  }
  const int key = schema.bucket_column_index();
  const uint32_t buckets = key >= 0 ? schema.bucket_count : 0;
  parquet::WriterOptions wo = options.parquet;
  wo.metadata.push_back({"wh.table", schema.name});
  wo.metadata.push_back({"wh.commit", std::to_string(stats.commit_seq)});
  if (buckets)
    wo.metadata.push_back({"wh.buckets", "pmod(murmur3_x86_32(" + schema.columns[key].name + ", 42), " +
                                             std::to_string(buckets) + ") as Spark's bucketBy"});

  const std::string tmp = dir + ".wh-export-" + std::to_string(::getpid());
  if (fs->FileExists(tmp)) WH_RETURN_IF_ERROR(fs->RemoveTree(tmp));
  WH_RETURN_IF_ERROR(fs->CreateDir(tmp));
  const std::string uuid = NewUuid();
  const size_t threads = ExportThreads(options);
  auto run = [&]() -> Status {
    const auto* chunks = &scan.chunks();
    std::mutex mu;  // stats
    WH_RETURN_IF_ERROR(scan.ForEachPartition(
        since_etls ? &*since_etls : nullptr, names, conds, options.where, threads,
        [&](std::optional<int32_t> part, const TableScan::RowList& rows, size_t part_threads) -> Status {
      {
        std::lock_guard<std::mutex> l(mu);
        ++stats.partitions;
      }
      std::string sub = tmp;
      if (!schema.partition_column.empty()) {
        sub = JoinPath(tmp, PartitionDirName(schema.partition_column, part));
        WH_RETURN_IF_ERROR(fs->CreateDir(sub));
      }
      // Each row's Spark bucket: the files Spark's bucketed reads expect.
      auto of = GroupRows(rows, buckets ? buckets : 1,
                          buckets ? std::function<uint32_t(uint16_t, uint32_t)>([&](uint16_t c, uint32_t i) {
                            return parquet::SparkPmod(parquet::SparkHash((*chunks)[c][key], i, 42), buckets);
                          })
                                  : nullptr);
      // The bucket files, side by side when this partition has threads of its own.
      WH_RETURN_IF_ERROR(ParallelFor(of.size(), part_threads, [&](size_t bucket) -> Status {
        if (of[bucket].empty()) return Status::OK();
        char name[16] = "";
        if (buckets) std::snprintf(name, sizeof name, "_%05u", static_cast<unsigned>(bucket));
        uint64_t r = 0, b = 0;
        WH_RETURN_IF_ERROR(WriteRows(fs, JoinPath(sub, "part-00000-" + uuid + name + ".c000.zstd.parquet"), specs, wo,
                                     *chunks, of[bucket], &r, &b));
        std::lock_guard<std::mutex> l(mu);
        stats.rows += r;
        stats.bytes += b;
        ++stats.files;
        return Status::OK();
      }));
      return Status::OK();
    }));
    scan.Release();
    WH_ASSIGN_OR_RETURN(auto done, fs->NewWritableFile(JoinPath(tmp, "_SUCCESS")));
    WH_RETURN_IF_ERROR(done->Close());
    SyncTree(tmp);
    if (fs->FileExists(dir)) WH_RETURN_IF_ERROR(fs->RemoveDir(dir));
    return fs->Rename(tmp, dir);
  };
  Status st = run();
  if (!st.ok()) {
    (void)fs->RemoveTree(tmp);
    return st;
  }
  return stats;
}

namespace {

// What `wh export --format iceberg` keeps beside each metadata version it writes,
// metadata/wh-export-vN.txt, to append the next snapshot: Iceberg's own files are written, never
// read back. Lines of "key value"; a path is the rest of its line.
struct IcebergExportState {
  std::string table, schema_json, uuid, location;
  int version = 0;
  std::vector<iceberg::Snapshot> snapshots;
  std::vector<iceberg::ManifestRef> manifests;
  std::vector<std::pair<int64_t, std::string>> metadata_log;
  int64_t last_updated_ms = 0;
  // Rows of the table per etl_date (micros) when it was exported: what the next export skips.
  std::map<int64_t, int64_t> etl_counts;

  std::string Serialize() const {
    std::ostringstream o;
    o << "wh-iceberg-export 1\ntable " << table << "\nuuid " << uuid << "\nversion " << version
      << "\nlast_updated_ms " << last_updated_ms << "\nlocation " << location << "\nschema " << schema_json << "\n";
    for (const auto& s : snapshots)
      o << "snapshot " << s.id << ' ' << (s.parent ? *s.parent : 0) << ' ' << s.sequence << ' ' << s.timestamp_ms << ' '
        << s.added_files << ' ' << s.added_rows << ' ' << s.added_bytes << ' ' << s.changed_partitions << ' '
        << s.total_files << ' ' << s.total_rows << ' ' << s.total_bytes << ' ' << s.wh_commit << ' '
        << s.manifest_list << "\n";
    for (const auto& m : manifests)
      o << "manifest " << m.length << ' ' << m.sequence << ' ' << m.min_sequence << ' ' << m.snapshot_id << ' '
        << m.added_files << ' ' << m.added_rows << ' ' << m.path << "\n";
    for (const auto& [ts, path] : metadata_log) o << "metadata " << ts << ' ' << path << "\n";
    for (const auto& [etl, n] : etl_counts) o << "etl " << etl << ' ' << n << "\n";
    return o.str();
  }

  static Result<IcebergExportState> Parse(const std::string& text, const std::string& name) {
    IcebergExportState s;
    std::istringstream in(text);
    std::string line;
    bool header = false;
    auto bad = [&]() { return Status::Corruption(name + ": cannot read the line '" + line.substr(0, 80) + "'"); };
    while (std::getline(in, line)) {
      std::istringstream l(line);
      std::string key;
      l >> key;
      auto rest = [&]() {
        std::string r;
        std::getline(l >> std::ws, r);
        return r;
      };
      if (key == "wh-iceberg-export") {
        int v = 0;
        l >> v;
        if (v != 1) return Status::NotSupported(name + ": written by a newer wh (version " + std::to_string(v) + ")");
        header = true;
      } else if (key == "table") {
        s.table = rest();
      } else if (key == "uuid") {
        s.uuid = rest();
      } else if (key == "version") {
        l >> s.version;
      } else if (key == "last_updated_ms") {
        l >> s.last_updated_ms;
      } else if (key == "location") {
        s.location = rest();
      } else if (key == "schema") {
        s.schema_json = rest();
      } else if (key == "snapshot") {
        iceberg::Snapshot x;
        int64_t parent = 0;
        l >> x.id >> parent >> x.sequence >> x.timestamp_ms >> x.added_files >> x.added_rows >> x.added_bytes >>
            x.changed_partitions >> x.total_files >> x.total_rows >> x.total_bytes >> x.wh_commit;
        if (parent) x.parent = parent;
        x.manifest_list = rest();
        if (!l && x.manifest_list.empty()) return bad();
        s.snapshots.push_back(x);
      } else if (key == "manifest") {
        iceberg::ManifestRef m;
        l >> m.length >> m.sequence >> m.min_sequence >> m.snapshot_id >> m.added_files >> m.added_rows;
        m.path = rest();
        if (m.path.empty()) return bad();
        s.manifests.push_back(m);
      } else if (key == "metadata") {
        int64_t ts = 0;
        l >> ts;
        std::string path = rest();
        if (path.empty()) return bad();
        s.metadata_log.push_back({ts, path});
      } else if (key == "etl") {
        int64_t etl = 0, n = 0;
        l >> etl >> n;
        if (!l || n < 0) return bad();
        s.etl_counts[etl] = n;
      } else if (!key.empty()) {
        return bad();
      }
    }
    if (!header || s.version < 1 || s.snapshots.empty()) return Status::Corruption(name + ": not a wh export state");
    return s;
  }
};

// Iceberg's order of two non-NULL, non-NaN values of one type: strings bytewise, -0.0 below +0.0.
bool BoundLess(const Column& a, size_t i, const Column& b, size_t j) {
  switch (a.type().id) {
    case TypeId::kString: return a.GetString(i) < b.GetString(j);
    case TypeId::kDouble: {
      const double x = a.Get<double>(i), y = b.Get<double>(j);
      return x < y || (x == 0 && y == 0 && std::signbit(x) && !std::signbit(y));
    }
    default: return IntegerAt(a, i) < IntegerAt(b, j);
  }
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A positive snapshot id below 2^53 (JavaScript readers parse the JSON's numbers as doubles).
int64_t NewSnapshotId() {
  std::random_device rd;
  const uint64_t v = (static_cast<uint64_t>(rd()) << 32) | rd();
  return static_cast<int64_t>(v & ((uint64_t{1} << 53) - 1)) | 1;
}

std::string AbsoluteDir(const std::string& dir) {
  std::error_code ec;
  auto p = std::filesystem::weakly_canonical(std::filesystem::absolute(dir, ec), ec);
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}


}  // namespace

Result<ExportStats> ExportIceberg(FileSystem* fs, const std::string& warehouse, const std::string& table,
                                  const std::string& dir_arg, const ExportOptions& options) {
  WH_ASSIGN_OR_RETURN(const std::string dir, ExportDir(fs, dir_arg));
  WH_RETURN_IF_ERROR(RefuseInsideWarehouse(warehouse, dir, "the export directory"));
  const std::string hint_path = JoinPath(JoinPath(dir, "metadata"), "version-hint.text");
  std::optional<IcebergExportState> prior;
  if (fs->FileExists(hint_path)) {
    WH_ASSIGN_OR_RETURN(std::string hint, fs->ReadFile(hint_path));
    auto n = ParseInt64(std::string_view(hint).substr(0, hint.find_first_of("\r\n")), 1, INT32_MAX);
    if (!n.ok()) return Status::Corruption(hint_path + ": not a version number");
    const std::string state_path = JoinPath(JoinPath(dir, "metadata"), "wh-export-v" + std::to_string(*n) + ".txt");
    if (!fs->FileExists(state_path))
      return Status::AlreadyExists("'" + dir + "' holds an Iceberg table that wh did not export (no " + state_path +
                                   "); name a new directory");
    WH_ASSIGN_OR_RETURN(std::string text, fs->ReadFile(state_path));
    WH_ASSIGN_OR_RETURN(IcebergExportState st, IcebergExportState::Parse(text, state_path));
    if (st.version != *n) return Status::Corruption(state_path + ": says version " + std::to_string(st.version));
    if (st.table != ToLower(table))
      return Status::InvalidArgument("'" + dir + "' holds the Iceberg export of table '" + st.table + "', not '" +
                                     ToLower(table) + "'");
    prior = std::move(st);
  } else {
    WH_RETURN_IF_ERROR(CheckNewDir(fs, warehouse, dir));
  }
  if (options.since_commit && prior)
    return Status::InvalidArgument("--since-commit is for a new export; '" + dir + "' continues from commit " +
                                   std::to_string(prior->snapshots.back().wh_commit));

  WH_RETURN_IF_ERROR(TableScan::CheckWhere(options.where));
  TableScan scan;
  WH_RETURN_IF_ERROR(scan.Open(fs, warehouse, table, options.threads));
  const TableSchema& schema = scan.schema();
  ExportStats stats;
  stats.commit_seq = scan.snapshot().last_seq;

  // The Iceberg schema: the declared columns (ids 1..), etl_date, the partition column (written
  // into every file: Iceberg wants identity partition columns in the data).
  std::vector<iceberg::Field> fields;
  std::vector<parquet::ColumnSpec> specs;
  std::vector<std::string> names;
  int id = 0;
  for (const auto& c : schema.StorageColumns()) {
    fields.push_back({++id, c.name, c.type, !c.nullable});
    specs.push_back({c.name, c.type, c.nullable, id});
    names.push_back(c.name);
  }
  std::vector<iceberg::PartitionField> spec;
  if (!schema.partition_column.empty()) {
    fields.push_back({++id, schema.partition_column, DataType::Date(), false});
    specs.push_back({schema.partition_column, DataType::Date(), true, id});
    names.push_back(schema.partition_column);
    spec.push_back({1000, id, schema.partition_column, "identity", true});
  }
  const int key = schema.bucket_column_index();
  const int32_t buckets = key >= 0 && iceberg::Bucketable(schema.columns[key].type) ? static_cast<int32_t>(schema.bucket_count) : 0;
  if (buckets) {
    // Named <key>_bucket, or with _1, _2 ... when a column has that name (Iceberg refuses a
    // partition field named as a column it is not the identity of).
    std::string name = schema.columns[key].name + "_bucket";
    for (int n = 1;; ++n) {
      bool taken = false;
      for (const auto& f : fields) taken |= ToLower(f.name) == ToLower(name);
      if (!taken) break;
      name = schema.columns[key].name + "_bucket_" + std::to_string(n);
    }
    spec.push_back({spec.empty() ? 1000 : 1001, key + 1, name, "bucket[" + std::to_string(buckets) + "]", false});
  }
  const std::string schema_json = iceberg::SchemaJson(fields);
  if (prior && prior->schema_json != schema_json)
    return Status::InvalidArgument("table '" + schema.name + "' no longer has the columns of its Iceberg export in '" +
                                   dir + "'; export it to a new directory");

  if (prior)
    for (const auto& c : scan.snapshot().commits)
      if (c.kind == CommitRecord::Kind::kOverwrite && c.seq > prior->snapshots.back().wh_commit)
        return Status::InvalidArgument("commit " + std::to_string(c.seq) + " of table '" + schema.name +
                                       "' replaced partitions (an overwrite) since the last export to '" + dir +
                                       "', which an appended snapshot cannot say; export it to a new directory");
  std::vector<std::string> conds;
  // The rows to add: on an append, those of the etl_dates whose rows grew since the last export
  // (every row keeps its load's etl_date, and compactions keep every row); rows added under an
  // etl_date that was exported already cannot be told from the exported ones.
  WH_ASSIGN_OR_RETURN(auto etl_counts, scan.EtlCounts());
  std::optional<std::set<int64_t>> since_etls;
  if (prior && prior->etl_counts.empty()) {
    // A state written before it kept the counts: by the commits since.
    WH_ASSIGN_OR_RETURN(since_etls, SinceCommitEtls(scan.snapshot(), prior->snapshots.back().wh_commit));
  } else if (prior) {
    std::set<int64_t> fresh;
    for (const auto& [etl, n] : etl_counts) {
      auto it = prior->etl_counts.find(etl);
      const int64_t before = it == prior->etl_counts.end() ? 0 : it->second;
      if (n == before) continue;
      if (before > 0)
        return Status::InvalidArgument(
            "table '" + schema.name + "' has " + std::to_string(n) + " rows with etl_date " + FormatTimestamp(etl) +
            " where the last export to '" + dir + "' had " + std::to_string(before) +
            ": rows loaded since under an etl_date already exported cannot be told apart from those exported "
            "(give each load its own --etl-date)");
      fresh.insert(etl);
    }
    for (const auto& [etl, n] : prior->etl_counts)
      if (n > 0 && !etl_counts.count(etl))
        return Status::InvalidArgument("table '" + schema.name + "' no longer has the rows with etl_date " +
                                       FormatTimestamp(etl) + " that were exported to '" + dir +
                                       "' (was it dropped and made again?); export it to a new directory");
    since_etls = std::move(fresh);
  } else if (options.since_commit) {
    WH_ASSIGN_OR_RETURN(since_etls, SinceCommitEtls(scan.snapshot(), *options.since_commit));
  }
  if (since_etls && since_etls->empty()) return stats;  // nothing new: no snapshot
  if (since_etls) conds.push_back(EtlFilter(*since_etls));

  // New exports are built under a temporary directory and renamed into place; an append writes
  // new files into the table's directory, which readers see only once version-hint.text names
  // the new metadata.
  const std::string final_dir = AbsoluteDir(dir);
  const std::string root = prior ? dir : dir + ".wh-export-" + std::to_string(::getpid());
  if (!prior) {
    if (fs->FileExists(root)) WH_RETURN_IF_ERROR(fs->RemoveTree(root));
    WH_RETURN_IF_ERROR(fs->CreateDir(root));
  }
  std::vector<std::string> written;  // an append's new files, removed if it fails
  const int version = prior ? prior->version + 1 : 1;
  const int64_t snapshot_id = NewSnapshotId();
  const int64_t sequence = prior ? prior->snapshots.back().sequence + 1 : 1;
  const std::string uuid = NewUuid();
  parquet::WriterOptions wo = options.parquet;
  wo.metadata.push_back({"iceberg.schema", schema_json});
  const size_t threads = ExportThreads(options);

  auto run = [&]() -> Status {
    auto mkdir = [&](const std::string& rel) -> Status {
      const std::string p = JoinPath(root, rel);
      if (!fs->IsDirectory(p)) WH_RETURN_IF_ERROR(fs->CreateDir(p));
      return Status::OK();
    };
    WH_RETURN_IF_ERROR(mkdir("data"));
    WH_RETURN_IF_ERROR(mkdir("metadata"));
    std::vector<iceberg::DataFile> files;
    uint64_t file_no = 0;
    const auto* chunks = &scan.chunks();
    // One partition at a time (the files are numbered and listed in order), its files side by
    // side.
    WH_RETURN_IF_ERROR(scan.ForEachPartition(
        since_etls ? &*since_etls : nullptr, names, conds, options.where, 1,
        [&](std::optional<int32_t> part, const TableScan::RowList& rows, size_t) -> Status {
      ++stats.partitions;
      std::string rel = "data";
      if (!schema.partition_column.empty()) {
        rel = JoinPath(rel, schema.partition_column + "=" + (part ? FormatDate(*part) : std::string("null")));
        WH_RETURN_IF_ERROR(mkdir(rel));
      }
      // Each row's Iceberg bucket (bucket[N] of the key: NULL is its own group, N).
      auto of = GroupRows(rows, buckets ? buckets + 1 : 1,
                          buckets ? std::function<uint32_t(uint16_t, uint32_t)>([&](uint16_t c, uint32_t i) {
                            auto b = iceberg::Bucket((*chunks)[c][key], i, buckets);
                            return b ? static_cast<uint32_t>(*b) : static_cast<uint32_t>(buckets);
                          })
                                  : nullptr);
      // The directories first (one thread), then the files side by side.
      std::vector<std::string> names_of(of.size());
      for (uint32_t g = 0; g < of.size(); ++g) {
        if (of[g].empty()) continue;
        std::string sub = rel;
        if (buckets) {
          sub = JoinPath(rel, spec.back().name + "=" +
                                  (g < static_cast<uint32_t>(buckets) ? std::to_string(g) : std::string("null")));
          WH_RETURN_IF_ERROR(mkdir(sub));
        }
        char name[80];
        std::snprintf(name, sizeof name, "%05lld-%llu-%s.parquet", static_cast<long long>(sequence),
                      static_cast<unsigned long long>(file_no++), uuid.c_str());
        names_of[g] = JoinPath(sub, name);
        written.push_back(JoinPath(root, names_of[g]));
      }
      std::vector<iceberg::DataFile> made(of.size());
      WH_RETURN_IF_ERROR(ParallelFor(of.size(), threads, [&](size_t g) -> Status {
        if (of[g].empty()) return Status::OK();
        const std::string& rel_path = names_of[g];
        iceberg::DataFile& df = made[g];
        df.path = JoinPath(final_dir, rel_path);
        if (!schema.partition_column.empty()) df.partition.push_back(part);
        if (buckets) df.partition.push_back(g < static_cast<size_t>(buckets) ? std::optional<int32_t>(static_cast<int32_t>(g)) : std::nullopt);
        // Per column: values, NULLs, NaNs, and the least and greatest value (as one-row columns).
        std::vector<Column> lo, hi;
        for (const auto& sp : specs) {
          lo.emplace_back(sp.type);
          hi.emplace_back(sp.type);
        }
        auto stats_of = [&](const std::vector<Column>& slice) {
          for (size_t c = 0; c < slice.size(); ++c) {
            const Column& col = slice[c];
            const int fid = specs[c].field_id;
            df.value_counts[fid] += static_cast<int64_t>(col.size());
            int64_t& nulls = df.null_counts[fid];
            if (col.type().id == TypeId::kDouble) df.nan_counts[fid] += 0;  // listed for every DOUBLE
            for (size_t i = 0; i < col.size(); ++i) {
              if (col.IsNull(i)) {
                ++nulls;
                continue;
              }
              if (col.type().id == TypeId::kDouble && std::isnan(col.Get<double>(i))) {
                ++df.nan_counts[fid];
                continue;
              }
              if (lo[c].size() == 0) {
                lo[c].AppendFrom(col, i);
                hi[c].AppendFrom(col, i);
                continue;
              }
              if (BoundLess(col, i, lo[c], 0)) {
                lo[c].Clear();
                lo[c].AppendFrom(col, i);
              }
              if (BoundLess(hi[c], 0, col, i)) {
                hi[c].Clear();
                hi[c].AppendFrom(col, i);
              }
            }
          }
        };
        uint64_t r = 0, nbytes = 0;
        WH_RETURN_IF_ERROR(WriteRows(fs, JoinPath(root, rel_path), specs, wo, *chunks, of[g], &r, &nbytes, stats_of));
        for (size_t c = 0; c < specs.size(); ++c) {
          if (lo[c].size() == 0) continue;
          std::string l = iceberg::Bound(lo[c], 0), h = iceberg::Bound(hi[c], 0);
          // A bound must be exact or wider: long strings are left out rather than cut.
          if (specs[c].type.id == TypeId::kString && (l.size() > 64 || h.size() > 64)) continue;
          df.lower[specs[c].field_id] = std::move(l);
          df.upper[specs[c].field_id] = std::move(h);
        }
        df.rows = static_cast<int64_t>(r);
        df.bytes = static_cast<int64_t>(nbytes);
        return Status::OK();
      }));
      for (size_t g = 0; g < of.size(); ++g) {
        if (of[g].empty()) continue;
        stats.rows += static_cast<uint64_t>(made[g].rows);
        stats.bytes += static_cast<uint64_t>(made[g].bytes);
        ++stats.files;
        files.push_back(std::move(made[g]));
      }
      return Status::OK();
    }));
    scan.Release();
    if (files.empty()) {
      if (prior) return Status::OK();  // no new rows: no snapshot
      return Status::InvalidArgument("table '" + schema.name + "' has no rows to export" +
                                     (options.where.empty() ? "" : " where " + options.where));
    }

    // The manifest of the new files, the snapshot's manifest list (the earlier manifests and
    // it), the metadata, then version-hint.text: the commit.
    const std::string manifest_rel = JoinPath("metadata", uuid + "-m0.avro");
    const std::string manifest = iceberg::Manifest(fields, spec, snapshot_id, files);
    WH_RETURN_IF_ERROR(fs->WriteFileAtomic(JoinPath(root, manifest_rel), manifest));
    written.push_back(JoinPath(root, manifest_rel));
    IcebergExportState st;
    if (prior) st = *prior;
    st.table = ToLower(table);
    st.schema_json = schema_json;
    if (!prior) {
      st.uuid = NewUuid();
      st.location = final_dir;
    }
    iceberg::ManifestRef ref;
    ref.path = JoinPath(final_dir, manifest_rel);
    ref.length = static_cast<int64_t>(manifest.size());
    ref.sequence = ref.min_sequence = sequence;
    ref.snapshot_id = snapshot_id;
    ref.added_files = static_cast<int32_t>(files.size());
    ref.added_rows = static_cast<int64_t>(stats.rows);
    st.manifests.push_back(ref);
    const std::string list_rel = JoinPath("metadata", "snap-" + std::to_string(snapshot_id) + "-1-" + uuid + ".avro");
    std::optional<int64_t> parent;
    if (prior) parent = prior->snapshots.back().id;
    WH_RETURN_IF_ERROR(fs->WriteFileAtomic(JoinPath(root, list_rel), iceberg::ManifestList(st.manifests, snapshot_id, parent, sequence)));
    written.push_back(JoinPath(root, list_rel));
    iceberg::Snapshot snap;
    snap.id = snapshot_id;
    snap.parent = parent;
    snap.sequence = sequence;
    snap.timestamp_ms = std::max(NowMillis(), prior ? prior->last_updated_ms + 1 : 0);
    snap.manifest_list = JoinPath(final_dir, list_rel);
    snap.added_files = static_cast<int64_t>(files.size());
    snap.added_rows = static_cast<int64_t>(stats.rows);
    snap.added_bytes = static_cast<int64_t>(stats.bytes);
    snap.changed_partitions = static_cast<int64_t>(stats.partitions);
    snap.total_files = snap.added_files + (prior ? prior->snapshots.back().total_files : 0);
    snap.total_rows = snap.added_rows + (prior ? prior->snapshots.back().total_rows : 0);
    snap.total_bytes = snap.added_bytes + (prior ? prior->snapshots.back().total_bytes : 0);
    snap.wh_commit = stats.commit_seq;
    if (prior)
      st.metadata_log.push_back({prior->last_updated_ms, JoinPath(final_dir, "metadata/v" + std::to_string(prior->version) + ".metadata.json")});
    st.snapshots.push_back(snap);
    st.etl_counts = etl_counts;
    st.version = version;
    st.last_updated_ms = snap.timestamp_ms;
    iceberg::TableMetadata md;
    md.uuid = st.uuid;
    md.location = st.location;
    md.schema = fields;
    md.spec = spec;
    md.snapshots = st.snapshots;
    md.metadata_log = st.metadata_log;
    md.last_updated_ms = st.last_updated_ms;
    md.properties = {{"write.format.default", "parquet"},
                     {"write.parquet.compression-codec", "zstd"},
                     {"wh.table", st.table},
                     {"wh.commit", std::to_string(stats.commit_seq)}};
    const std::string v = JoinPath(root, "metadata/v" + std::to_string(version) + ".metadata.json");
    if (fs->FileExists(v)) return Status::AlreadyExists(v + " exists: another export ran at the same time; run it again");
    WH_RETURN_IF_ERROR(fs->WriteFileAtomic(JoinPath(root, "metadata/wh-export-v" + std::to_string(version) + ".txt"), st.Serialize()));
    written.push_back(JoinPath(root, "metadata/wh-export-v" + std::to_string(version) + ".txt"));
    WH_RETURN_IF_ERROR(fs->WriteFileAtomic(v, iceberg::MetadataJson(md)));
    written.push_back(v);
    if (!prior) SyncTree(root);
    WH_RETURN_IF_ERROR(fs->WriteFileAtomic(JoinPath(root, "metadata/version-hint.text"), std::to_string(version)));
    written.clear();  // committed
    if (!prior) {
      if (fs->FileExists(dir)) WH_RETURN_IF_ERROR(fs->RemoveDir(dir));
      WH_RETURN_IF_ERROR(fs->Rename(root, dir));
    }
    return Status::OK();
  };
  Status st = run();
  if (!st.ok()) {
    if (!prior) (void)fs->RemoveTree(root);
    for (const auto& f : written) (void)fs->RemoveFile(f);
    return st;
  }
  return stats;
}

}  // namespace wh
