#include "query/export.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>

#include "format/value_text.h"
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

Result<ExportStats> ExportParquet(FileSystem* fs, const std::string& warehouse, const std::string& table,
                                  const std::string& dir, const ExportOptions& options) {
  WH_RETURN_IF_ERROR(RefuseInsideWarehouse(warehouse, dir, "the export directory"));
  if (fs->FileExists(dir)) {
    if (!fs->IsDirectory(dir)) return Status::AlreadyExists("'" + dir + "' exists and is not a directory");
    WH_ASSIGN_OR_RETURN(auto entries, fs->ListDir(dir));
    if (!entries.empty())
      return Status::AlreadyExists("the export directory '" + dir + "' is not empty; name a new or empty one");
  }
  Collector collector;
  SessionOptions so;
  so.threads = options.threads;
  so.sink = &collector;
  Session session(fs, warehouse, so);
  WH_ASSIGN_OR_RETURN(Warehouse * wh, session.GetWarehouse(false));
  WH_ASSIGN_OR_RETURN(TableSnapshot snap, wh->GetSnapshot(table));
  auto pinned = std::make_shared<TableSnapshot>(std::move(snap));
  session.PinSnapshot(table, pinned);
  const TableSchema& schema = pinned->schema;

  ExportStats stats;
  stats.commit_seq = pinned->last_seq;
  std::vector<parquet::ColumnSpec> specs;
  std::string select = "SELECT ";
  for (const auto& c : schema.StorageColumns()) {
    specs.push_back({c.name, c.type, c.nullable});
    if (specs.size() > 1) select += ", ";
    select += Quoted(c.name);
  }
  select += " FROM " + Quoted(schema.name);
  const int key = schema.bucket_column_index();
  const uint32_t buckets = key >= 0 ? schema.bucket_count : 0;
  parquet::WriterOptions wo = options.parquet;
  wo.metadata.push_back({"wh.table", schema.name});
  wo.metadata.push_back({"wh.commit", std::to_string(pinned->last_seq)});
  if (buckets)
    wo.metadata.push_back({"wh.buckets", "pmod(murmur3_x86_32(" + schema.columns[key].name + ", 42), " +
                                             std::to_string(buckets) + ") as Spark's bucketBy"});

  // The partitions the snapshot holds, in order (NULL last).
  std::set<int32_t> days;
  bool null_partition = false;
  for (const auto& s : pinned->segments) {
    if (s.rows == 0) continue;
    if (s.partition) days.insert(*s.partition);
    else null_partition = true;
  }
  std::vector<std::optional<int32_t>> parts(days.begin(), days.end());
  if (null_partition || schema.partition_column.empty()) parts.push_back(std::nullopt);

  const std::string tmp = dir + ".wh-export-" + std::to_string(::getpid());
  if (fs->FileExists(tmp)) WH_RETURN_IF_ERROR(fs->RemoveTree(tmp));
  WH_RETURN_IF_ERROR(fs->CreateDir(tmp));
  const std::string uuid = NewUuid();

  auto run = [&]() -> Status {
    for (const auto& part : parts) {
      std::string sql = select;
      std::string sub = tmp;
      std::vector<std::string> conds;
      if (!schema.partition_column.empty()) {
        const std::string pc = Quoted(schema.partition_column);
        conds.push_back(part ? pc + " = DATE '" + FormatDate(*part) + "'" : pc + " IS NULL");
        sub = JoinPath(tmp, PartitionDirName(schema.partition_column, part));
      }
      if (!options.where.empty()) conds.push_back("(" + options.where + ")");
      for (size_t i = 0; i < conds.size(); ++i) sql += (i ? " AND " : " WHERE ") + conds[i];
      collector.chunks.clear();
      auto r = session.Execute(sql);
      if (!r.ok()) {
        if (!options.where.empty()) return Status::InvalidArgument("--where '" + options.where + "': " + r.status().message());
        return r.status();
      }
      size_t rows = 0;
      for (const auto& ch : collector.chunks) rows += ch[0].size();
      if (rows == 0) continue;
      ++stats.partitions;
      if (sub != tmp) WH_RETURN_IF_ERROR(fs->CreateDir(sub));
      // Each row's Spark bucket, and the rows of each bucket in order: (chunk, row).
      const uint32_t nb = buckets ? buckets : 1;
      std::vector<std::vector<std::pair<uint16_t, uint32_t>>> of(nb);
      std::vector<uint32_t> b;
      for (size_t c = 0; c < collector.chunks.size(); ++c) {
        const auto& ch = collector.chunks[c];
        if (buckets) parquet::SparkBuckets(ch[key], buckets, &b);
        for (uint32_t i = 0; i < ch[0].size(); ++i) of[buckets ? b[i] : 0].push_back({static_cast<uint16_t>(c), i});
      }
      if (collector.chunks.size() > 65535) return Status::ResourceExhausted("a partition of more than 65535 batches");
      for (uint32_t bucket = 0; bucket < nb; ++bucket) {
        if (of[bucket].empty()) continue;
        char name[96];
        if (buckets) std::snprintf(name, sizeof name, "_%05u", bucket);
        else name[0] = 0;
        const std::string path = JoinPath(sub, "part-00000-" + uuid + name + ".c000.zstd.parquet");
        WH_ASSIGN_OR_RETURN(auto file, fs->NewWritableFile(path));
        parquet::Writer w(specs, wo, [&](std::string_view bytes) { return file->Append(bytes); });
        const auto& list = of[bucket];
        std::vector<uint16_t> which;
        std::vector<uint32_t> at;
        for (size_t s = 0; s < list.size(); s += 65536) {
          const size_t n = std::min<size_t>(65536, list.size() - s);
          which.resize(n);
          at.resize(n);
          for (size_t k = 0; k < n; ++k) {
            which[k] = list[s + k].first;
            at[k] = list[s + k].second;
          }
          std::vector<Column> slice;
          for (size_t c = 0; c < specs.size(); ++c) {
            std::vector<const Column*> srcs;
            for (const auto& ch : collector.chunks) srcs.push_back(&ch[c]);
            slice.emplace_back(specs[c].type);
            slice.back().AppendGathered(srcs, which.data(), at.data(), n);
          }
          WH_RETURN_IF_ERROR(w.Write(slice));
        }
        WH_RETURN_IF_ERROR(w.Finish());
        WH_RETURN_IF_ERROR(file->Close());
        stats.rows += w.rows();
        stats.bytes += w.bytes();
        ++stats.files;
      }
    }
    collector.chunks.clear();
    WH_ASSIGN_OR_RETURN(auto done, fs->NewWritableFile(JoinPath(tmp, "_SUCCESS")));
    WH_RETURN_IF_ERROR(done->Close());
    // Every file on disk before the tree takes its name.
    const int fd = ::open(tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::syncfs(fd);
      ::close(fd);
    }
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

}  // namespace wh
