#include <set>

#include "engine/engine.h"

namespace wh {

namespace {

// Every row must be where the table's rules put it: in the partition its partition expression
// gives and in the bucket its key hashes to. A row in the wrong place would be silently missed
// by partition pruning or by a bucket-by-bucket join, so verify recomputes both. Each row group
// is decoded once, its rows checked against their part's partition (every part of the file: the
// caller checks that the manifest lists each) and their entry's bucket.
void CheckPlacement(const TableSchema& schema, const SegmentReader& r, std::optional<int32_t> only_partition,
                    const std::function<void(const std::string&)>& problem) {
  const size_t user_cols = schema.columns.size();
  const int key = schema.bucket_column_index();
  const std::vector<bool> needed = schema.PlacingColumns();
  const bool partitioned = !schema.partition_column.empty();
  const SegmentFooter& footer = r.footer();
  std::set<uint32_t> reported;  // parts with a misplaced row (one report each)
  for (size_t g = 0; g < footer.row_groups.size(); ++g) {
    std::vector<Column> cols;
    for (size_t c = 0; c < user_cols; ++c) {
      if (!needed[c]) {
        cols.emplace_back(schema.columns[c].type);
        continue;
      }
      auto col = r.ReadColumn(g, c);
      if (!col.ok()) return;  // already reported by VerifyBlocks
      cols.push_back(std::move(*col));
    }
    const size_t rows = footer.row_groups[g].rows;
    const std::string where = r.path() + ": row group " + std::to_string(g) + ": ";
    std::vector<uint32_t> buckets;
    if (key >= 0) {
      buckets.resize(rows);
      ComputeBuckets(cols[key], schema.bucket_count, buckets.data());
    }
    std::vector<int32_t> days;
    std::vector<uint8_t> valid;
    if (partitioned) EvaluatePartition(schema.partition_expr, cols, rows, &days, &valid);
    for (const BucketRun& run : footer.GroupBuckets(g)) {
      if (reported.count(run.part)) continue;
      // (A file without parts table holds only the partition its manifest entry names.)
      const std::optional<int32_t> partition =
          footer.parts.empty() ? only_partition : footer.parts[run.part].partition;
      for (size_t i = run.at; i < run.at + run.rows; ++i) {
        if (key >= 0 && buckets[i] != run.bucket) {
          problem(where + "row " + std::to_string(i) + " hashes to bucket " + std::to_string(buckets[i]) +
                  " but is stored in bucket " + std::to_string(run.bucket));
          reported.insert(run.part);
          break;
        }
        if (partitioned) {
          std::optional<int32_t> day;
          if (valid[i]) day = days[i];
          if (day != partition) {
            problem(where + "row " + std::to_string(i) + " belongs in partition " +
                    PartitionDirName(schema.partition_column, day) + ", not " +
                    PartitionDirName(schema.partition_column, partition));
            reported.insert(run.part);
            break;
          }
        }
      }
    }
  }
}

// `_checkpoint` must be exactly the state the manifest's commits up to it build: the same
// schema, commit history and live segments (their entries byte for byte), in the same order.
void CheckCheckpoint(FileSystem* fs, const std::string& dir, const std::function<void(const std::string&)>& problem) {
  auto ck = ReadCheckpoint(fs, dir);
  const std::string hint =  " (readers pass over it and read the whole manifest; wh removes it when it next rewrites the manifest)";
  if (!ck.ok()) {
    problem(ck.status().ToString() + hint);
    return;
  }
  if (!ck->has_value()) return;
  const Checkpoint& c = **ck;
  const std::string where = JoinPath(dir, kCheckpointFile) + ": ";
  // The whole manifest, also the records the checkpoint lets readers skip: damage there is
  // found here only.
  auto m = ReadManifest(fs, JoinPath(dir, "_manifest"));
  if (!m.ok()) {
    problem(m.status().ToString() + " (read whole: the records before the checkpoint are damaged; "
            "queries read through _checkpoint until it is replaced; see README 'Recovering from damage')");
    return;
  }
  if (m->commits.size() < c.seq) {
    problem(where + "names commit " + std::to_string(c.seq) + ", the manifest holds " +
            std::to_string(m->commits.size()));
    return;
  }
  if (m->commit_ends.size() < c.seq || m->commit_ends[c.seq - 1] != c.manifest_offset)
    problem(where + "says commit " + std::to_string(c.seq) + " ends at manifest offset " +
            std::to_string(c.manifest_offset) + ", it ends at " +
            (m->commit_ends.size() < c.seq ? std::string("?") : std::to_string(m->commit_ends[c.seq - 1])));
  // Schema changes after the checkpoint: its schema is an earlier one, its entries by its columns.
  bool changed_after = false;
  for (size_t i = c.seq; i < m->commits.size(); ++i)
    changed_after |= m->commits[i].kind == CommitRecord::Kind::kSchemaChange;
  std::string a, b;
  SerializeSchema(c.schema, &a);
  SerializeSchema(m->schema, &b);
  if (changed_after ? !CheckSchemaChange(c.schema, m->schema).ok() : a != b)
    problem(where + "its schema differs from the manifest's");
  const auto cols = m->schema.StorageColumns();
  std::vector<SegmentEntry> ck_live = c.live;
  for (auto& e : ck_live) ConformEntry(c.schema.StorageColumns(), cols, &e);
  std::vector<SegmentEntry> live;
  for (size_t i = 0; i < c.seq; ++i) {
    const CommitRecord& cm = m->commits[i];
    const CommitRecord& ck_cm = c.commits[i];
    bool same = cm.etl_micros == ck_cm.etl_micros && cm.committed_micros == ck_cm.committed_micros &&
                cm.sources.size() == ck_cm.sources.size();
    for (size_t k = 0; same && k < cm.sources.size(); ++k)
      same = cm.sources[k].path == ck_cm.sources[k].path && cm.sources[k].size == ck_cm.sources[k].size &&
             cm.sources[k].content_hash == ck_cm.sources[k].content_hash;
    if (!same) problem(where + "commit " + std::to_string(cm.seq) + " differs from the manifest's");
    ApplyCommit(cm.seq, cm.removed, cm.added, &live);
  }
  auto entries = [&](const std::vector<SegmentEntry>& segs) {
    std::string out;
    for (const auto& s : segs) {
      out += std::to_string(s.commit_seq) + ":";
      SerializeSegmentEntry(s, cols, &out);
    }
    return out;
  };
  if (entries(live) != entries(ck_live))
    problem(where + "its " + std::to_string(c.live.size()) + " live segments differ from the " +
            std::to_string(live.size()) + " the manifest's commits up to " + std::to_string(c.seq) + " leave" + hint);
}

}  // namespace

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
  // What a lost commit would leave: bytes after the manifest's last whole record that the head
  // does not account for (a crash right after the append would have left the head behind as
  // well, so this is reported either way), and segments set aside by a writer.
  if (snap->torn_bytes && !snap->head_confirms)
    problem(JoinPath(snap->dir, "_manifest") + ": " + std::to_string(snap->torn_bytes) +
            " bytes after the last whole record are not a commit, and _head does not confirm commit " +
            std::to_string(snap->last_seq) + " as the last: an interrupted commit, or a damaged last "
            "commit (the next writer sets them aside in " + kOrphanDir + "/; see README 'Recovering from damage')");
  CheckCheckpoint(wh->fs(), snap->dir, problem);
  const std::string orphans = JoinPath(snap->dir, kOrphanDir);
  if (wh->fs()->IsDirectory(orphans)) {
    size_t files = 0;
    std::vector<std::string> todo = {orphans};
    while (!todo.empty()) {
      std::string d = todo.back();
      todo.pop_back();
      auto names = wh->fs()->ListDir(d);
      if (!names.ok()) continue;
      for (const auto& n : *names) {
        if (wh->fs()->IsDirectory(JoinPath(d, n))) todo.push_back(JoinPath(d, n));
        else ++files;
      }
    }
    if (files)
      problem(orphans + ": " + std::to_string(files) + " files set aside that no commit names (segments "
              "and the manifest bytes of a commit that may have been lost; see README 'Recovering from damage')");
  }
  // A file of several partitions has a manifest entry per partition, consecutive: the file is
  // checked once (size, footer, every block), each entry against its part.
  std::set<std::string> files_seen;
  const auto cols = snap->schema.StorageColumns();
  for (size_t i = 0; i < snap->segments.size();) {
    size_t end = i + 1;
    while (end < snap->segments.size() && snap->segments[end].path == snap->segments[i].path) ++end;
    const SegmentEntry& seg0 = snap->segments[i];
    const std::string path = snap->SegmentPath(seg0);
    const size_t first_entry = i;
    i = end;
    ++stats.segments;
    if (!files_seen.insert(seg0.path).second)
      problem(path + ": the manifest names the file again after other files (a file's entries are consecutive)");
    auto rd = SegmentReader::Open(wh->fs(), path);
    if (!rd.ok()) {
      problem(rd.status().ToString());
      continue;
    }
    const SegmentReader& r = **rd;
    const SegmentFooter& footer = r.footer();
    stats.bytes += r.file_size();
    stats.blocks += footer.row_groups.size() * footer.columns.size();
    const size_t bad_blocks = r.VerifyBlocks([&](const Status& st) { problem(st.ToString()); });
    // Then read as the table's columns now: a file written before an ALTER TABLE lacks the
    // columns added since (NULL) or holds a widened one as its narrower type.
    const Status conformed = (*rd)->Conform(cols);
    const bool same_cols = conformed.ok();
    if (!same_cols) problem(path + ": columns differ from the table schema: " + conformed.ToString());
    // Every part of the file is one the manifest lists (else its rows would be invisible).
    for (const SegmentPart& part : footer.parts) {
      bool listed = false;
      for (size_t k = first_entry; k < end; ++k) listed |= snap->segments[k].partition == part.partition;
      if (!listed)
        problem(path + ": the file holds rows of partition " +
                PartitionDirName(snap->schema.partition_column, part.partition) + " that the manifest does not list");
    }
    // Every part's zone maps, each shared row group decoded once (a bad block: reported by
    // VerifyBlocks, the zone maps then not compared).
    Result<std::vector<std::vector<ZoneMap>>> zones = Status::Internal("columns differ");
    if (same_cols) zones = r.PartZoneMaps();
    for (size_t k = first_entry; k < end; ++k) {
      const SegmentEntry& seg = snap->segments[k];
      if (k > first_entry && !(snap->segments[k - 1].partition < seg.partition))
        problem(path + ": the manifest lists the file's partitions out of order");
      if (r.file_size() != seg.bytes)
        problem(path + ": file has " + std::to_string(r.file_size()) + " bytes, the manifest says " +
                std::to_string(seg.bytes));
      if (r.footer_checksum() != seg.footer_checksum)
        problem(path + ": footer checksum differs from the one the manifest recorded (file replaced?)");
      // The entry's rows are those of its part (the whole file before format version 3).
      const std::optional<uint32_t> part = footer.PartIndex(seg.partition);
      if (!part) {
        problem(path + ": the file has no rows of partition " +
                PartitionDirName(snap->schema.partition_column, seg.partition) + ", which the manifest says it holds");
        continue;
      }
      const auto [first, count] = footer.PartRange(*part);
      uint64_t part_rows = 0;
      std::vector<std::pair<uint32_t, uint64_t>> buckets;
      const uint32_t nb = std::max<uint32_t>(snap->schema.bucket_count, 1);
      for (size_t g = first; g < first + count; ++g) {
        const PartSlice slice = footer.Slice(g, *part);
        part_rows += slice.rows;
        for (const BucketRun& run : slice.runs) {
          if (!buckets.empty() && buckets.back().first == run.bucket) {
            buckets.back().second += run.rows;
          } else {
            buckets.emplace_back(run.bucket, run.rows);
          }
        }
      }
      if (part_rows != seg.rows)
        problem(path + ": segment has " + std::to_string(part_rows) + " rows, the manifest says " +
                std::to_string(seg.rows));
      if (!buckets.empty() && buckets.back().first >= nb)
        problem(path + ": rows of bucket " + std::to_string(buckets.back().first) + " but the table has " +
                std::to_string(nb));
      if (buckets != seg.bucket_rows) problem(path + ": rows per bucket differ from the manifest");
      // The manifest's zone maps of the segment must be the ones its blocks give (pruning trusts
      // them). wh builds before 2026-12-06 could bound a column a NaN or a long string left
      // without statistics in one block.
      for (size_t c = 0; same_cols && zones.ok() && c < cols.size() && c < seg.zones.size(); ++c) {
        std::string want, have;
        (*zones)[*part][c].Serialize(cols[c].type, &want);
        seg.zones[c].Serialize(cols[c].type, &have);
        if (want != have)
          problem(path + ": the manifest's zone map of column " + cols[c].name +
                  " differs from the segment's blocks (written by an older wh: queries that filter on it may "
                  "skip rows they need)");
      }
    }
    if (same_cols && bad_blocks == 0) CheckPlacement(snap->schema, r, snap->segments[first_entry].partition, problem);
  }
  return stats;
}

}  // namespace wh
