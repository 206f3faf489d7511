// Compaction: merging a partition's segments into fewer, larger ones in one commit (README
// "Compaction", SPEC.md "Compaction" and "Retired segments").
//
// Every drop adds one segment to each partition it touches; a row group holds one bucket's rows
// of one segment, so after n drops a bucket's rows of a day are spread over n row groups in n
// files, each with its own blocks and zone maps. Merging restores what one load of the same rows
// would have written. The automatic policy merges the newest segments of a partition while the
// next older one is at most `ratio` times their total (tiered, as RocksDB's universal compaction
// and ClickHouse's merges of similar-sized parts): a segment is rewritten only when the data
// merged with it is comparable in size, so each byte is rewritten O(log(drops)) times and a large
// old segment is never rewritten for a small drop.
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "engine/engine.h"

namespace wh {

namespace {
constexpr size_t kMaxMergeInputs = 64;
}  // namespace

std::vector<std::pair<size_t, size_t>> PlanMerges(const std::vector<uint64_t>& rows, const std::vector<uint64_t>& bytes,
                                                  const CompactOptions& o) {
  std::vector<std::pair<size_t, size_t>> runs;
  const size_t n = rows.size();
  if (n < 2) return runs;
  auto full = [&](size_t i) { return bytes[i] >= o.target_bytes; };
  if (o.full) {
    // Every maximal run of two or more consecutive segments under the target.
    size_t i = 0;
    while (i < n) {
      if (full(i)) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < n && !full(j)) ++j;
      if (j - i >= 2) runs.emplace_back(i, j);
      i = j;
    }
    return runs;
  }
  // The newest segment, extended to older ones while each holds at most ratio x the rows of the
  // run so far (and the run stays under the target). Rows, not bytes, measure a segment here:
  // a small drop's file is larger per row (its row groups are small), which would make the
  // ratio merge a large old segment into every drop.
  if (full(n - 1)) return runs;
  uint64_t acc = rows[n - 1], acc_bytes = bytes[n - 1];
  size_t first = n - 1;
  while (first > 0) {
    const size_t k = first - 1;
    if (full(k) || static_cast<double>(rows[k]) > o.ratio * static_cast<double>(acc)) break;
    if (acc_bytes + bytes[k] > o.target_bytes) break;
    acc += rows[k];
    acc_bytes += bytes[k];
    --first;
  }
  if (n - first >= 2) runs.emplace_back(first, n);
  return runs;
}

Status TableWriter::Compact(const CompactOptions& options, CompactStats* stats) {
  if (done_ || !pending_.empty() || !removed_.empty())
    return Status::Internal("Compact on a writer that has written");
  // Live segments per partition, in commit order.
  std::map<std::optional<int32_t>, std::vector<const SegmentEntry*>> by_part;
  for (const auto& s : base_.segments) by_part[s.partition].push_back(&s);
  struct Merge {
    std::optional<int32_t> partition;
    std::vector<const SegmentEntry*> inputs;
  };
  std::vector<Merge> merges;
  // Quiet partitions: none of their files was written by the last settle_after_commits commits.
  CompactOptions settle = options;
  settle.full = true;
  for (const auto& [part, segs] : by_part) {
    // Settled only when that is cheap or worth it: a small partition, or late rows that are a
    // good share of the largest file (else a large day would be rewritten for every few late
    // rows that reach it).
    uint64_t newest = 0, bytes = 0, rows = 0, largest = 0;
    for (const SegmentEntry* s : segs) {
      newest = std::max(newest, s->commit_seq);
      bytes += s->bytes;
      rows += s->rows;
      largest = std::max(largest, s->rows);
    }
    const bool worth = bytes <= options.settle_small_bytes || (rows - largest) * 8 >= largest;
    const bool quiet = !options.full && options.settle_after_commits > 0 && segs.size() >= 2 && worth &&
                       newest + options.settle_after_commits <= base_.last_seq;
    if (!quiet && !options.partitions.empty() &&
        std::find(options.partitions.begin(), options.partitions.end(), part) == options.partitions.end())
      continue;
    std::vector<uint64_t> seg_rows, seg_bytes;
    for (const SegmentEntry* s : segs) {
      seg_rows.push_back(s->rows);
      seg_bytes.push_back(s->bytes);
    }
    bool any = false;
    for (const auto& [first, last] : PlanMerges(seg_rows, seg_bytes, quiet ? settle : options)) {
      // At most kMaxMergeInputs files per merge (each an open file and a mapping, and merges
      // run side by side); what is left of a run is merged by the next compaction.
      // The newest of them, so that the output stays after the files it did not take.
      const size_t begin = std::max(first, last > kMaxMergeInputs ? last - kMaxMergeInputs : 0);
      merges.push_back({part, std::vector<const SegmentEntry*>(segs.begin() + begin, segs.begin() + last)});
      any = true;
    }
    if (any) ++stats->partitions;
  }
  if (merges.empty()) return Status::OK();
  // Partitions are merged side by side (each ends in fsyncs: more threads than cores); the
  // first error in plan order wins.
  const size_t threads = std::max(kIoThreads, std::thread::hardware_concurrency());
  Status merged = ParallelFor(merges.size(), threads, [&](size_t k) -> Status {
    std::vector<std::unique_ptr<SegmentReader>> readers;
    std::vector<const SegmentReader*> inputs;
    for (const SegmentEntry* e : merges[k].inputs) {
      auto r = SegmentReader::Open(fs_, base_.SegmentPath(*e));
      if (!r.ok()) {
        return r.status().code() == StatusCode::kNotFound ? MissingSegment(base_.SegmentPath(*e)) : r.status();
      }
      if ((*r)->footer_checksum() != e->footer_checksum)
        return Status::Corruption((*r)->path() + ": footer differs from the one the manifest recorded");
      inputs.push_back(r->get());
      readers.push_back(std::move(r).value());
    }
    return MergeInto(merges[k].partition, inputs, options.target_bytes);
  });
  if (!merged.ok()) return merged.WithContext("compacting");
  int64_t max_etl = INT64_MIN;
  for (const auto& m : merges)
    for (const SegmentEntry* e : m.inputs) {
      removed_.push_back(e->path);
      ++stats->files_in;
      stats->rows += e->rows;
      stats->bytes_in += e->bytes;
      // The etl_date column is the last storage column; its zone map's max is the newest row.
      const ZoneMap& z = e->zones.back();
      if (z.has_min_max) max_etl = std::max(max_etl, static_cast<int64_t>(z.max_i));
    }
  stats->files_out = stats_.segments;
  stats->bytes_out = stats_.bytes;
  if (stats_.rows != stats->rows)
    return Status::Internal("compaction wrote " + std::to_string(stats_.rows) + " rows for " +
                            std::to_string(stats->rows));
  etl_micros_ = max_etl == INT64_MIN ? 0 : max_etl;
  return Status::OK();
}

Result<CompactStats> CompactTable(Warehouse* wh, const std::string& name, const CompactOptions& options) {
  WH_ASSIGN_OR_RETURN(auto writer, wh->OpenWriter(name));
  CompactStats stats;
  Status st = writer->Compact(options, &stats);
  if (!st.ok()) {
    writer->Abort();
    return st;
  }
  if (stats.files_in == 0) {
    writer->Abort();
    return stats;
  }
  WH_ASSIGN_OR_RETURN(CommitRecord rec, writer->Commit({}));
  stats.commit_seq = rec.seq;
  return stats;
}

Result<CompactStats> CompactAfterCommit(Warehouse* wh, const std::string& table, const CommitRecord& rec,
                                        const CompactOptions& options) {
  CompactOptions o = options;
  o.full = false;
  o.partitions.clear();
  for (const auto& s : rec.added)
    if (std::find(o.partitions.begin(), o.partitions.end(), s.partition) == o.partitions.end())
      o.partitions.push_back(s.partition);
  if (o.partitions.empty()) return CompactStats{};
  Result<CompactStats> r = Status::Internal("not run");
  Status st = CatchAll([&] { r = CompactTable(wh, table, o); });
  if (!st.ok()) return st;
  return r;
}

bool TableWriter::NoReaderBefore(uint64_t retired_by) {
  auto below = fs_->SnapshotsBelow(JoinPath(base_.dir, kReadersFile), retired_by);
  return below.ok() && !*below;  // an error: a reader may be there
}

Status TableWriter::DeleteRetired(const std::vector<std::string>& retired, uint64_t retired_by) {
  if (retired.empty()) return Status::OK();
  // Only while no reader may need them: the directory's exclusive lock (no reader is reading
  // the state, and none of an older build holds it for its statement), then no snapshot lock
  // below the retiring commit. An error taking either counts as a reader at work.
  auto excl = fs_->TryLockDirExclusive(base_.dir);
  if (!excl.ok() || !*excl || !NoReaderBefore(retired_by)) return Status::OK();  // a later writer deletes them
  std::set<std::string> dirs;
  Status first;
  for (const auto& rel : retired) {
    const std::string path = JoinPath(base_.dir, rel);
    if (!fs_->FileExists(path)) continue;
    Status st = fs_->RemoveFile(path);
    if (!st.ok()) {
      if (first.ok()) first = st;
      continue;
    }
    dirs.insert(path.substr(0, path.rfind('/')));
  }
  // No new snapshot names these files: readers may come back before the directories are synced.
  excl->reset();
  std::vector<std::string> list(dirs.begin(), dirs.end());
  Status synced = ParallelFor(list.size(), kIoThreads, [&](size_t k) { return fs_->SyncDir(list[k]); });
  return first.ok() ? synced : first;
}

}  // namespace wh
