#include "engine/engine.h"

namespace wh {

VerifyStats VerifyTable(Warehouse* wh, const std::string& name,
                        const std::function<void(const std::string&)>& report) {
  VerifyStats stats;
  auto problem = [&](const std::string& msg) {
    ++stats.problems;
    report(msg);
  };
  auto snap = wh->GetSnapshot(name);
  if (!snap.ok()) {
    problem(snap.status().ToString());
    return stats;
  }
  for (const auto& seg : snap->segments) {
    std::string path = snap->SegmentPath(seg);
    ++stats.segments;
    auto rd = SegmentReader::Open(wh->fs(), path);
    if (!rd.ok()) {
      problem(rd.status().ToString());
      continue;
    }
    const SegmentReader& r = **rd;
    stats.bytes += r.file_size();
    if (r.file_size() != seg.bytes)
      problem(path + ": file has " + std::to_string(r.file_size()) + " bytes, the manifest says " +
              std::to_string(seg.bytes));
    if (r.footer_checksum() != seg.footer_checksum)
      problem(path + ": footer checksum differs from the one the manifest recorded (file replaced?)");
    if (r.footer().rows != seg.rows)
      problem(path + ": segment has " + std::to_string(r.footer().rows) + " rows, the manifest says " +
              std::to_string(seg.rows));
    std::vector<std::pair<uint32_t, uint64_t>> buckets;
    for (const auto& rg : r.footer().row_groups) {
      if (!buckets.empty() && buckets.back().first == rg.bucket) {
        buckets.back().second += rg.rows;
      } else {
        buckets.emplace_back(rg.bucket, rg.rows);
      }
      uint32_t nb = std::max<uint32_t>(snap->schema.bucket_count, 1);
      if (rg.bucket >= nb)
        problem(path + ": row group of bucket " + std::to_string(rg.bucket) + " but the table has " +
                std::to_string(nb));
    }
    if (buckets != seg.bucket_rows) problem(path + ": rows per bucket differ from the manifest");
    auto cols = snap->schema.StorageColumns();
    bool same_cols = cols.size() == r.footer().columns.size();
    for (size_t i = 0; same_cols && i < cols.size(); ++i)
      same_cols = cols[i].name == r.footer().columns[i].name && cols[i].type == r.footer().columns[i].type;
    if (!same_cols) problem(path + ": columns differ from the table schema");
    stats.blocks += r.footer().row_groups.size() * r.footer().columns.size();
    r.VerifyBlocks([&](const Status& st) { problem(st.ToString()); });
  }
  return stats;
}

}  // namespace wh
