// Compaction: merging a table's files into fewer, larger ones in one commit (README
// "Compaction", SPEC.md "Compaction" and "Retired segments").
//
// Every drop adds a file holding the rows of every partition it touches (a run: the files of
// one commit); after n drops a bucket's rows of a day are spread over up to n row groups in n
// files. Merging restores what one load of the same rows would have written. The automatic
// policy merges the newest runs while the next older one holds at most `ratio` times their
// rows (tiered, as RocksDB's universal compaction and ClickHouse's merges of similar-sized
// parts): a file is rewritten only when the data merged with it is comparable in size, so each
// row is rewritten O(log(drops)) times and a large old file is never rewritten for a small drop.
// Merging whole files (not partitions) keeps a drop's cost one file whatever partitions it
// touches, and the table's files few.
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "engine/engine.h"

namespace wh {

namespace {
constexpr size_t kMaxMergeFiles = 512;
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
  // The table's files (a manifest entry per part; a file's entries are consecutive), grouped
  // into runs: the files one commit added, in commit order.
  struct File {
    std::string path;
    std::vector<const SegmentEntry*> parts;
  };
  struct Run {
    uint64_t seq = 0, rows = 0, bytes = 0;
    std::vector<File> files;
    bool wanted = false;
  };
  std::vector<Run> runs;
  std::set<std::string> seen;
  for (const SegmentEntry& e : base_.segments) {
    if (runs.empty() || runs.back().seq != e.commit_seq) {
      runs.emplace_back();
      runs.back().seq = e.commit_seq;
    }
    Run& run = runs.back();
    if (run.files.empty() || run.files.back().path != e.path) {
      if (!seen.insert(e.path).second)
        return Status::Corruption("the manifest names " + e.path + " in two places");
      run.files.emplace_back();
      run.files.back().path = e.path;
      run.bytes += e.bytes;
    }
    run.files.back().parts.push_back(&e);
    run.rows += e.rows;
    run.wanted |= options.partitions.empty() ||
                  std::find(options.partitions.begin(), options.partitions.end(), e.partition) != options.partitions.end();
  }
  std::vector<const Run*> candidates;
  for (const Run& r : runs)
    if (r.wanted) candidates.push_back(&r);
  std::vector<uint64_t> run_rows, run_bytes;
  for (const Run* r : candidates) {
    run_rows.push_back(r->rows);
    run_bytes.push_back(r->bytes);
  }
  std::vector<std::vector<const File*>> merges;
  for (auto [first, last] : PlanMerges(run_rows, run_bytes, options)) {
    // At most kMaxMergeFiles files at once (each an open file and a mapping), but always two
    // runs: the newest of the stretch, so that the output stays after the runs it did not take.
    size_t files = 0, begin = last;
    while (begin > first && (last - begin < 2 || files + candidates[begin - 1]->files.size() <= kMaxMergeFiles))
      files += candidates[--begin]->files.size();
    merges.emplace_back();
    for (size_t k = begin; k < last; ++k)
      for (const File& f : candidates[k]->files) merges.back().push_back(&f);
  }
  if (merges.empty()) return Status::OK();
  // One merge after another (each writes its files side by side when it is large).
  std::set<std::optional<int32_t>> partitions;
  int64_t max_etl = INT64_MIN;
  for (const auto& files : merges) {
    std::vector<std::unique_ptr<SegmentReader>> readers;
    std::vector<MergeInput> inputs;
    for (const File* f : files) {
      const SegmentEntry& e0 = *f->parts.front();
      auto r = SegmentReader::Open(fs_, base_.SegmentPath(e0));
      if (!r.ok()) {
        return (r.status().code() == StatusCode::kNotFound ? MissingSegment(base_.SegmentPath(e0)) : r.status())
            .WithContext("compacting");
      }
      if ((*r)->footer_checksum() != e0.footer_checksum)
        return Status::Corruption((*r)->path() + ": footer differs from the one the manifest recorded");
      // Files written before an ALTER TABLE are merged as the table's columns now.
      WH_RETURN_IF_ERROR((*r)->Conform(base_.schema.StorageColumns()).WithContext("compacting"));
      // Every row of the file is in a part the manifest lists (else retiring the file would
      // lose the others).
      uint64_t listed = 0;
      for (const SegmentEntry* e : f->parts) listed += e->rows;
      if ((*r)->footer().rows != listed)
        return Status::Corruption((*r)->path() + ": the file holds " + std::to_string((*r)->footer().rows) +
                                  " rows, its manifest entries " + std::to_string(listed) + "; not merged");
      MergeInput in;
      in.reader = r->get();
      for (const SegmentEntry* e : f->parts) {
        WH_ASSIGN_OR_RETURN(in.parts[e->partition], (*r)->PartNumber(e->partition));
        partitions.insert(e->partition);
        stats->rows += e->rows;
        // The etl_date column is the last storage column; its zone map's max is the newest row.
        const ZoneMap& z = e->zones.back();
        if (z.has_min_max) max_etl = std::max(max_etl, static_cast<int64_t>(z.max_i));
      }
      inputs.push_back(std::move(in));
      readers.push_back(std::move(r).value());
      removed_.push_back(f->path);
      ++stats->files_in;
      stats->bytes_in += e0.bytes;
    }
    Status merged = MergeFiles(inputs, options.target_bytes);
    if (!merged.ok()) return merged.WithContext("compacting");
  }
  stats->partitions = partitions.size();
  stats->files_out = stats_.segments;
  stats->bytes_out = stats_.bytes;
  if (stats_.rows != stats->rows)
    return Status::Internal("compaction wrote " + std::to_string(stats_.rows) + " rows for " +
                            std::to_string(stats->rows));
  etl_micros_ = max_etl == INT64_MIN ? 0 : max_etl;
  return Status::OK();
}

Status TableWriter::Overwrite(const std::optional<PartitionSet>& partitions) {
  if (done_ || overwrite_ || !removed_.empty()) return Status::Internal("Overwrite twice, or after a compaction");
  PartitionSet replaced;
  if (base_.schema.partition_column.empty()) {
    replaced.insert(std::nullopt);  // the whole table
  } else if (partitions) {
    replaced = *partitions;
    for (const auto& p : partitions_)
      if (!replaced.count(p))
        return Status::InvalidArgument("a row's " + PartitionDirName(base_.schema.partition_column, p) +
                                       " is not the partition being overwritten");
  } else {
    replaced = partitions_;
  }
  if (replaced.empty()) return Status::OK();  // a dynamic overwrite of no rows: a plain commit
  // The batch's own flushes of one partition become one file first (Commit does that for an
  // ingest; here the files carried over must not be merged with them again).
  WH_RETURN_IF_ERROR(MergePendingFiles());
  // Every live file holding a replaced partition is retired; its rows of other partitions are
  // written anew, as a compaction would merge them (a file's entries are consecutive).
  std::vector<std::unique_ptr<SegmentReader>> readers;
  std::vector<MergeInput> inputs;
  std::vector<std::string> files;  // retired by the commit, once all is written
  const uint64_t written = stats_.rows;
  uint64_t carried = 0;
  for (size_t i = 0, end; i < base_.segments.size(); i = end) {
    const SegmentEntry& e0 = base_.segments[i];
    bool hit = false;
    uint64_t listed = 0;
    for (end = i; end < base_.segments.size() && base_.segments[end].path == e0.path; ++end) {
      hit |= replaced.count(base_.segments[end].partition) > 0;
      listed += base_.segments[end].rows;
    }
    if (!hit) continue;
    files.push_back(e0.path);
    MergeInput in;
    for (size_t k = i; k < end; ++k) {
      const SegmentEntry& e = base_.segments[k];
      if (replaced.count(e.partition)) {
        overwrite_stats_.rows_replaced += e.rows;
        continue;
      }
      if (!in.reader) {
        auto r = SegmentReader::Open(fs_, base_.SegmentPath(e0));
        if (!r.ok())
          return (r.status().code() == StatusCode::kNotFound ? MissingSegment(base_.SegmentPath(e0)) : r.status())
              .WithContext("overwriting");
        if ((*r)->footer_checksum() != e0.footer_checksum)
          return Status::Corruption((*r)->path() + ": footer differs from the one the manifest recorded");
        if ((*r)->footer().rows != listed)
          return Status::Corruption((*r)->path() + ": the file holds " + std::to_string((*r)->footer().rows) +
                                    " rows, its manifest entries " + std::to_string(listed));
        WH_RETURN_IF_ERROR((*r)->Conform(base_.schema.StorageColumns()).WithContext("overwriting"));
        readers.push_back(std::move(r).value());
        in.reader = readers.back().get();
      }
      WH_ASSIGN_OR_RETURN(in.parts[e.partition], in.reader->PartNumber(e.partition));
      carried += e.rows;
    }
    if (in.reader) inputs.push_back(std::move(in));
  }
  if (!inputs.empty()) {
    Status merged = MergeFiles(inputs, kTargetFileBytes);
    if (!merged.ok()) {
      Abort();  // never committed with half its carried rows (or as a compaction)
      return merged.WithContext("overwriting");
    }
  }
  if (stats_.rows != written + carried) {
    Abort();
    return Status::Internal("overwrite carried " + std::to_string(stats_.rows - written) + " rows for " +
                            std::to_string(carried));
  }
  removed_ = std::move(files);
  overwrite_ = true;
  replaced_.assign(replaced.begin(), replaced.end());
  overwrite_stats_.partitions = replaced.size();
  overwrite_stats_.rows_carried = carried;
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
  if (rec.added.empty()) return CompactStats{};
  CompactOptions o = options;
  o.full = false;
  o.partitions.clear();
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
