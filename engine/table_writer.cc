#include <algorithm>
#include <thread>
#include <mutex>
#include <atomic>
#include <deque>
#include <map>
#include <set>
#include <cstring>

#include "engine/engine.h"

namespace wh {

namespace {
constexpr const char* kSegmentSuffix = ".whs";
constexpr const char* kTempPrefix = ".tmp-";

// Cuts items (partitions, in order, of these rows) into consecutive ranges of about equal rows,
// written as a file (sequence) each, side by side: one range for fewer than kParallelWriteRows
// rows, else up to one per core. Returns the cut points, from 0 to rows.size().
std::vector<size_t> SplitForCores(const std::vector<uint64_t>& rows) {
  uint64_t total = 0;
  for (uint64_t r : rows) total += r;
  const size_t ranges =
      total < kParallelWriteRows ? 1 : std::min<size_t>(rows.size(), std::max(1u, std::thread::hardware_concurrency()));
  std::vector<size_t> cut = {0};
  uint64_t acc = 0;
  for (size_t i = 0; i + 1 < rows.size(); ++i) {
    acc += rows[i];
    if (cut.size() < ranges && acc * ranges >= total * cut.size()) cut.push_back(i + 1);
  }
  cut.push_back(rows.size());
  return cut;
}

// The threads each of `files` files written side by side encodes with: the cores shared out.
unsigned ThreadsPerFile(size_t files) {
  return std::max<unsigned>(1, std::max(1u, std::thread::hardware_concurrency()) / std::max<size_t>(files, 1));
}
}  // namespace

struct TableWriter::OpenFile {
  Pending* pend = nullptr;
  std::unique_ptr<WritableFile> file;
  std::unique_ptr<SegmentWriter> writer;
};

TableWriter::~TableWriter() {
  if (!done_) Abort();
}

Status TableWriter::CleanOrphans(uint64_t valid_length, bool torn, bool set_aside) {
  const std::string& dir = base_.dir;
  const std::string orphan_dir = JoinPath(dir, kOrphanDir);
  auto ensure_orphan_dir = [&](const std::string& d) -> Status {
    if (fs_->IsDirectory(d)) return Status::OK();
    Status st = fs_->CreateDir(d);
    return st.ok() || st.code() == StatusCode::kAlreadyExists ? Status::OK() : st;
  };
  if (torn) {
    // A torn append of a commit that never completed - or, unless the head says otherwise, a
    // damaged last commit: with set_aside its bytes are kept in _orphaned/ (with the segments no
    // commit names, below) for verify and recovery. It leaves the manifest, so that the next
    // record follows a whole one.
    WH_ASSIGN_OR_RETURN(std::string bytes, fs_->ReadFile(manifest_path_));
    if (set_aside && bytes.size() > valid_length) {
      WH_RETURN_IF_ERROR(ensure_orphan_dir(orphan_dir));
      WH_RETURN_IF_ERROR(fs_->WriteFileAtomic(
          JoinPath(orphan_dir, "_manifest.tail-at-" + std::to_string(valid_length)), bytes.substr(valid_length)));
      WH_RETURN_IF_ERROR(fs_->SyncDir(orphan_dir));
    }
    WH_RETURN_IF_ERROR(fs_->Truncate(manifest_path_, valid_length));
    WH_ASSIGN_OR_RETURN(auto f, fs_->NewAppendableFile(manifest_path_));
    WH_RETURN_IF_ERROR(f->Sync());
    WH_RETURN_IF_ERROR(f->Close());
  }
  // A head, checkpoint or rewritten manifest left half-written by a crash.
  for (const char* f : {kHeadFile, kCheckpointFile, kManifestFile})
    if (fs_->FileExists(JoinPath(dir, std::string(f) + ".tmp")))
      WH_RETURN_IF_ERROR(fs_->RemoveFile(JoinPath(dir, std::string(f) + ".tmp")));
  std::set<std::string> live;
  std::map<std::string, uint64_t> retired;  // path -> the commit that retired it (or a later one)
  for (const auto& r : base_.retired) retired[r] = base_.retired_seq;
  for (const auto& s : base_.segments) live.insert(s.path);
  for (const auto& c : base_.commits)
    for (const auto& r : c.removed) retired[r] = c.seq;
  std::set<std::string> live_dirs;
  for (const auto& s : base_.segments) live_dirs.insert(s.path.substr(0, s.path.find('/')));
  // Segment directories: `data`, and for a partitioned table those of older builds, one per
  // partition.
  const bool partitioned = !base_.schema.partition_column.empty();
  const std::string prefix = base_.schema.partition_column + "=";
  WH_ASSIGN_OR_RETURN(auto names, fs_->ListDir(dir));
  // Segments retired by a commit are deleted only while no reader holds the table (a reader may
  // have a snapshot that names them); otherwise they stay for a later writer.
  std::unique_ptr<FileLock> no_readers;
  if (!retired.empty()) {
    // An error (a filesystem without flock on directories) counts as a reader at work.
    auto excl = fs_->TryLockDirExclusive(dir);
    if (excl.ok()) no_readers = std::move(excl).value();
  }
  // Whether no reader holds a snapshot older than commit c (only asked under no_readers).
  std::map<uint64_t, bool> free_after;
  auto deletable = [&](const std::string& rel) {
    if (!no_readers) return false;
    auto [f, fresh] = free_after.emplace(retired.at(rel), false);
    if (fresh) f->second = NoReaderBefore(f->first);
    return f->second;
  };
  bool dir_changed = false;
  for (const auto& n : names) {
    if (n != "data" && !(partitioned && n.rfind(prefix, 0) == 0)) continue;
    std::string pdir = JoinPath(dir, n);
    if (!fs_->IsDirectory(pdir)) continue;
    WH_ASSIGN_OR_RETURN(auto files, fs_->ListDir(pdir));
    bool changed = false;
    size_t kept = 0;
    for (const auto& f : files) {
      std::string rel = n + "/" + f;
      const bool temp = f.rfind(kTempPrefix, 0) == 0;
      const bool segment = f.size() > 4 && f.compare(f.size() - 4, 4, kSegmentSuffix) == 0;
      if ((!temp && !segment) || live.count(rel) || (!temp && retired.count(rel) && !deletable(rel))) {
        ++kept;
        continue;
      }
      if (temp || retired.count(rel) || !set_aside) {
        // Never committed, or retired by a commit: nothing names it.
        WH_RETURN_IF_ERROR(fs_->RemoveFile(JoinPath(pdir, f)));
      } else {
        // A whole segment no commit names, when its commit may be the damaged one: set aside.
        WH_RETURN_IF_ERROR(ensure_orphan_dir(orphan_dir));
        WH_RETURN_IF_ERROR(ensure_orphan_dir(JoinPath(orphan_dir, n)));
        WH_RETURN_IF_ERROR(fs_->Rename(JoinPath(pdir, f), JoinPath(JoinPath(orphan_dir, n), f)));
        WH_RETURN_IF_ERROR(fs_->SyncDir(JoinPath(orphan_dir, n)));
      }
      changed = true;
    }
    if (changed) WH_RETURN_IF_ERROR(fs_->SyncDir(pdir));
    if (kept == 0 && !live_dirs.count(n)) {
      WH_RETURN_IF_ERROR(fs_->RemoveDir(pdir));
      dir_changed = true;
    }
  }
  if (dir_changed) WH_RETURN_IF_ERROR(fs_->SyncDir(dir));
  return Status::OK();
}

Status TableWriter::ConsumeRows(std::vector<std::vector<Column>> chunks) {
  std::vector<const std::vector<Column>*> ptrs;
  for (const auto& c : chunks) ptrs.push_back(&c);
  return RouteRows(ptrs, &chunks);
}

Status TableWriter::RouteRows(const std::vector<const std::vector<Column>*>& chunks,
                              std::vector<std::vector<Column>>* owned) {
  if (done_) return Status::Internal("WriteRows after commit or abort");
  const TableSchema& schema = base_.schema;
  if (chunks.size() > 65535) return Status::Internal("WriteRows: too many chunks");
  std::vector<size_t> start(chunks.size() + 1, 0);
  for (size_t c = 0; c < chunks.size(); ++c) {
    if (chunks[c]->size() != schema.columns.size()) return Status::Internal("WriteRows: wrong number of columns");
    start[c + 1] = start[c] + (chunks[c]->empty() ? 0 : (*chunks[c])[0].size());
  }
  const size_t n = start.back();
  if (n == 0) return Status::OK();
  if (n > UINT32_MAX) return Status::Internal("WriteRows: batch too large");
  // Partition value and bucket of every row.
  const uint32_t nb = std::max<uint32_t>(schema.bucket_count, 1);
  std::vector<int32_t> days(n, 0);
  std::vector<uint8_t> valid(n, 0);
  std::vector<uint32_t> buckets(n, 0);
  const int key = schema.bucket_column_index();
  const size_t threads = n >= 65536 ? std::max(1u, std::thread::hardware_concurrency()) : 1;
  WH_RETURN_IF_ERROR(ParallelFor(chunks.size(), threads, [&](size_t c) -> Status {
    const size_t rows = start[c + 1] - start[c];
    if (rows == 0) return Status::OK();
    if (!schema.partition_column.empty()) {
      std::vector<int32_t> d;
      std::vector<uint8_t> v;
      EvaluatePartition(schema.partition_expr, *chunks[c], rows, &d, &v);
      std::copy(d.begin(), d.end(), days.begin() + start[c]);
      std::copy(v.begin(), v.end(), valid.begin() + start[c]);
    }
    if (key >= 0) ComputeBuckets((*chunks[c])[key], schema.bucket_count, buckets.data() + start[c]);
    return Status::OK();
  }));
  // Distinct partitions in order (the NULL partition first): a bitmap over the day range.
  bool any_null = false;
  int32_t min_day = INT32_MAX, max_day = INT32_MIN;
  for (size_t i = 0; i < n; ++i) {
    if (!valid[i]) {
      any_null = true;
      continue;
    }
    min_day = std::min(min_day, days[i]);
    max_day = std::max(max_day, days[i]);
  }
  std::vector<std::optional<int32_t>> parts;
  if (any_null) parts.push_back(std::nullopt);
  const bool dense = max_day >= min_day && static_cast<int64_t>(max_day) - min_day < (1 << 22);
  std::vector<uint32_t> by_day;
  std::map<int32_t, uint32_t> sparse;
  if (max_day >= min_day) {
    if (dense) {
      by_day.assign(static_cast<size_t>(max_day - min_day) + 1, UINT32_MAX);
      for (size_t i = 0; i < n; ++i)
        if (valid[i]) by_day[days[i] - min_day] = 0;
      for (size_t d = 0; d < by_day.size(); ++d)
        if (by_day[d] == 0) {
          by_day[d] = static_cast<uint32_t>(parts.size());
          parts.push_back(static_cast<int32_t>(min_day + d));
        }
    } else {
      for (size_t i = 0; i < n; ++i)
        if (valid[i]) sparse.emplace(days[i], 0);
      for (auto& [d, idx] : sparse) {
        idx = static_cast<uint32_t>(parts.size());
        parts.push_back(d);
      }
    }
  }
  // Rows in (partition, bucket) order, in two steps that keep memory access local: the chunks,
  // in groups of consecutive ones of about kGroupRows rows (or more where there are many
  // slots, so that a group's rows of a slot are a run of several), each group sorted on its own
  // (a counting sort of its rows by slot, then a gather of each column: random reads within a
  // few MiB); then each column's sorted groups joined slot by slot (runs read in order). One
  // gather from the whole batch at once read each value from anywhere in it, a cache miss a
  // value: ~1.3 s of a 10M-row load. A batch of one group is sorted by the first step alone.
  // Segments are then written from ranges of the sorted columns.
  const size_t nslots = parts.size() * nb;
  const size_t ncols = schema.columns.size();
  constexpr size_t kGroupRows = 1 << 17;
  // Where a part holds more than a column's share of the batch (one partition, or a few large
  // ones), the whole batch is one group: joining groups part by part would hold a second copy of
  // the largest part beside them (the whole batch when it is one part).
  auto part_of_row = [&](size_t i) -> uint32_t {
    return !valid[i] ? 0 : dense ? by_day[days[i] - min_day] : sparse.find(days[i])->second;
  };
  std::vector<uint64_t> part_rows(parts.size(), 0);
  for (size_t i = 0; i < n; ++i) ++part_rows[part_of_row(i)];
  const uint64_t largest = part_rows.empty() ? 0 : *std::max_element(part_rows.begin(), part_rows.end());
  const size_t group_rows = largest * ncols > n ? SIZE_MAX : std::max<size_t>(kGroupRows, 16 * nslots);
  std::vector<size_t> group_at = {0};  // groups' first chunks
  for (size_t c = 0; c < chunks.size(); ++c)
    if (start[c + 1] - start[group_at.back()] >= group_rows && c + 1 < chunks.size()) group_at.push_back(c + 1);
  group_at.push_back(chunks.size());
  const size_t ngroups = group_at.size() - 1;
  struct Piece {
    uint32_t slot;
    Column::Run run;  // src: the group
  };
  std::vector<std::vector<Piece>> pieces_of(ngroups);
  std::vector<std::vector<uint16_t>> which_of(ngroups);  // chunk within the group
  std::vector<std::vector<uint32_t>> order_of(ngroups);  // row within the chunk
  WH_RETURN_IF_ERROR(ParallelFor(ngroups, threads, [&](size_t g) -> Status {
    const size_t c0 = group_at[g], c1 = group_at[g + 1], base = start[c0], rows = start[c1] - base;
    if (rows == 0) return Status::OK();
    std::vector<uint32_t> slot(rows);
    for (size_t i = 0; i < rows; ++i) slot[i] = part_of_row(base + i) * nb + buckets[base + i];
    std::vector<uint32_t> order(rows);
    std::vector<Piece>& pieces = pieces_of[g];
    if (nslots <= 4 * rows) {
      std::vector<uint32_t> at(nslots + 1, 0);
      for (uint32_t x : slot) ++at[x + 1];
      for (size_t k = 0; k < nslots; ++k) {
        if (at[k + 1]) pieces.push_back({static_cast<uint32_t>(k), {static_cast<uint32_t>(g), at[k], at[k + 1]}});
        at[k + 1] += at[k];
      }
      for (size_t i = 0; i < rows; ++i) order[at[slot[i]]++] = static_cast<uint32_t>(i);
    } else {  // few rows of many slots
      for (size_t i = 0; i < rows; ++i) order[i] = static_cast<uint32_t>(i);
      std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) { return slot[x] < slot[y]; });
      for (size_t i = 0; i < rows; ++i) {
        if (pieces.empty() || pieces.back().slot != slot[order[i]])
          pieces.push_back({slot[order[i]], {static_cast<uint32_t>(g), static_cast<uint32_t>(i), 0}});
        ++pieces.back().run.rows;
      }
    }
    // Each sorted row's chunk (within the group) and row within it.
    std::vector<uint16_t>& which = which_of[g];
    which.resize(rows);
    size_t c = c0;
    std::vector<uint16_t> chunk_of(rows);
    for (size_t i = 0; i < rows; ++i) {
      while (base + i >= start[c + 1]) ++c;
      chunk_of[i] = static_cast<uint16_t>(c - c0);
    }
    for (size_t i = 0; i < rows; ++i) {
      const uint32_t o = order[i];
      which[i] = chunk_of[o];
      order[i] = static_cast<uint32_t>(base + o - start[c0 + chunk_of[o]]);
    }
    order_of[g] = std::move(order);
    return Status::OK();
  }));
  // Each per-row array is freed once read for the last time: with the gathers' copies they
  // would otherwise add ~10 bytes a row to the peak.
  std::vector<int32_t>().swap(days);
  std::vector<uint8_t>().swap(valid);
  std::vector<uint32_t>().swap(buckets);
  // Each group's columns in slot order; each chunk's column freed once gathered (when ours).
  std::vector<std::vector<Column>> grouped(ngroups, std::vector<Column>(ncols));
  WH_RETURN_IF_ERROR(ParallelFor(ngroups * ncols, threads, [&](size_t task) -> Status {
    const size_t g = task / ncols, k = task % ncols;
    const std::vector<uint32_t>& order = order_of[g];
    Column& out = grouped[g][k];
    out = Column(schema.columns[k].type);
    if (order.empty()) return Status::OK();
    std::vector<const Column*> srcs;
    for (size_t c = group_at[g]; c < group_at[g + 1]; ++c) srcs.push_back(&(*chunks[c])[k]);
    out.Reserve(order.size());
    out.AppendGathered(srcs, which_of[g].data(), order.data(), order.size());
    if (owned)
      for (size_t c = group_at[g]; c < group_at[g + 1]; ++c) (*owned)[c][k] = Column(out.type());
    return Status::OK();
  }));
  std::vector<std::vector<uint32_t>>().swap(order_of);
  std::vector<std::vector<uint16_t>>().swap(which_of);
  // The rows of each slot; the runs of every group, slot by slot (group by group within a
  // slot: the rows' order in the batch).
  std::vector<uint32_t> bounds(nslots + 1, 0), first(nslots + 1, 0);
  size_t npieces = 0;
  for (const auto& ps : pieces_of) {
    npieces += ps.size();
    for (const Piece& p : ps) {
      bounds[p.slot + 1] += p.run.rows;
      ++first[p.slot + 1];
    }
  }
  for (size_t k = 0; k < nslots; ++k) {
    bounds[k + 1] += bounds[k];
    first[k + 1] += first[k];
  }
  for (const auto& p : parts)
    if (!schema.partition_column.empty()) partitions_.insert(p);
  // One file holds every partition of the batch, in order; a large batch is written as one file
  // per core, each a range of partitions of about equal rows, encoded side by side.
  const std::vector<size_t> cut = SplitForCores(part_rows);
  auto write_sorted = [&](std::vector<Column> sorted) {
    Column etl(DataType::Timestamp());
    std::fill_n(reinterpret_cast<int64_t*>(etl.ResizeFixed(n)), n, etl_micros_);
    sorted.push_back(std::move(etl));
    return ParallelFor(cut.size() - 1, cut.size() - 1, [&](size_t k) {
      return WriteSortedParts(parts, cut[k], cut[k + 1], sorted, bounds, nb, ThreadsPerFile(cut.size() - 1));
    });
  };
  if (ngroups == 1) return write_sorted(std::move(grouped[0]));
  std::vector<Column::Run> runs(npieces);
  {
    std::vector<uint32_t> at(first.begin(), first.end() - 1);
    for (const auto& ps : pieces_of)
      for (const Piece& p : ps) runs[at[p.slot]++] = p.run;
  }
  std::vector<std::vector<Piece>>().swap(pieces_of);
  // Several groups (many partitions, none large): each part's rows are joined from the groups'
  // runs as it is written, the peak being the batch and a part a core.
  // Read by the writers side by side: a group's column of one chunk may still be in the
  // dictionary form, which joining it with other dictionaries could turn plain (a write).
  for (auto& g : grouped)
    for (const Column& c : g) c.Plain();
  return ParallelFor(cut.size() - 1, cut.size() - 1, [&](size_t k) {
    return WriteGroupedParts(parts, cut[k], cut[k + 1], grouped, runs, first, bounds, nb, ThreadsPerFile(cut.size() - 1));
  });
}

Status TableWriter::WriteGroupedParts(const std::vector<std::optional<int32_t>>& parts, size_t first, size_t last,
                                      const std::vector<std::vector<Column>>& grouped,
                                      const std::vector<Column::Run>& runs, const std::vector<uint32_t>& run_first,
                                      const std::vector<uint32_t>& bounds, uint32_t nb, unsigned threads) {
  if (bounds[last * nb] == bounds[first * nb]) return Status::OK();
  WH_ASSIGN_OR_RETURN(auto out, BeginFile(threads));
  const size_t ncols = grouped[0].size();
  std::vector<std::vector<const Column*>> srcs(ncols);
  for (size_t k = 0; k < ncols; ++k)
    for (const auto& g : grouped) srcs[k].push_back(&g[k]);
  for (size_t p = first; p < last; ++p) {
    const uint32_t* b0 = bounds.data() + p * nb;
    if (b0[nb] == b0[0]) continue;
    std::vector<uint64_t> rows(nb);
    for (uint32_t b = 0; b < nb; ++b) rows[b] = b0[b + 1] - b0[b];
    const std::vector<Column::Run> part(runs.begin() + run_first[p * nb], runs.begin() + run_first[(p + 1) * nb]);
    std::vector<Column> cols;
    for (size_t k = 0; k < ncols; ++k) cols.emplace_back(grouped[0][k].type());
    out->writer->ForEachColumn(ncols, uint64_t{b0[nb] - b0[0]} * ncols,
                               [&](size_t k) { cols[k].AppendRuns(srcs[k], part); });
    Column etl(DataType::Timestamp());
    std::fill_n(reinterpret_cast<int64_t*>(etl.ResizeFixed(b0[nb] - b0[0])), b0[nb] - b0[0], etl_micros_);
    cols.push_back(std::move(etl));
    std::vector<const Column*> ptrs;
    for (const auto& c : cols) ptrs.push_back(&c);
    WH_RETURN_IF_ERROR(BeginPart(out.get(), parts[p], rows));
    WH_RETURN_IF_ERROR(AddBuckets(out.get(), ptrs, 0, rows));
  }
  return FinishFile(out.get());
}

Status TableWriter::WriteSegment(std::optional<int32_t> partition,
                                 const std::vector<Column>& columns,
                                 const std::vector<uint32_t>& buckets) {
  if (done_) return Status::Internal("WriteSegment after commit or abort");
  const TableSchema& schema = base_.schema;
  if (columns.size() != schema.columns.size())
    return Status::Internal("WriteSegment: wrong number of columns");
  const size_t n = columns.empty() ? 0 : columns[0].size();
  if (n == 0) return Status::OK();
  if (buckets.size() != n) return Status::Internal("WriteSegment: bucket count mismatch");
  const uint32_t nb = std::max<uint32_t>(schema.bucket_count, 1);
  // Counting sort of the rows by bucket.
  std::vector<uint32_t> counts(nb + 1, 0);
  for (uint32_t b : buckets) {
    if (b >= nb) return Status::Internal("WriteSegment: bucket out of range");
    ++counts[b + 1];
  }
  for (uint32_t b = 0; b < nb; ++b) counts[b + 1] += counts[b];
  std::vector<uint32_t> order(n);
  {
    std::vector<uint32_t> pos(counts.begin(), counts.end() - 1);
    for (size_t i = 0; i < n; ++i) order[pos[buckets[i]]++] = static_cast<uint32_t>(i);
  }
  std::vector<Column> sorted;
  sorted.reserve(columns.size() + 1);
  for (const auto& c : columns) {
    Column s(c.type());
    s.Reserve(n);
    s.AppendSelected(c, order.data(), n);
    sorted.push_back(std::move(s));
  }
  Column etl(DataType::Timestamp());
  std::fill_n(reinterpret_cast<int64_t*>(etl.ResizeFixed(n)), n, etl_micros_);
  sorted.push_back(std::move(etl));
  return WriteSortedParts({partition}, 0, 1, sorted, counts, nb, ThreadsPerFile(1));
}

Result<std::unique_ptr<TableWriter::OpenFile>> TableWriter::BeginFile(unsigned threads) {
  const TableSchema& schema = base_.schema;
  // Every file goes to `data/`, whatever partitions it holds (older builds wrote a directory
  // per partition; their files stay where they are until compacted).
  const std::string dname = "data";
  const std::string ddir = JoinPath(base_.dir, dname);
  auto out = std::make_unique<OpenFile>();
  {
    // Shared state (directories, the pending list, stats) under the lock; encoding and writing
    // the file outside it, so files are written in parallel.
    std::lock_guard<std::mutex> l(mu_);
    if (!fs_->IsDirectory(ddir)) {
      WH_RETURN_IF_ERROR(fs_->CreateDir(ddir));
      created_dirs_.push_back(ddir);
    }
    char name[64];
    std::snprintf(name, sizeof name, "%010llu-%s-%04zu%s",
                  static_cast<unsigned long long>(base_.last_seq + 1), token_.c_str(),
                  pending_.size(), kSegmentSuffix);
    Pending p;
    p.final_path = JoinPath(ddir, name);
    p.tmp_path = JoinPath(ddir, std::string(kTempPrefix) + name);
    pending_.push_back(p);
    out->pend = &pending_.back();
  }
  std::vector<std::pair<std::string, std::string>> props = {
      {"table", schema.name},
      {"partition", dname},
      {"bucket_column", schema.bucket_column},
      {"bucket_count", std::to_string(schema.bucket_count)},
      {"commit_seq", std::to_string(base_.last_seq + 1)},
  };
  WH_ASSIGN_OR_RETURN(out->file, fs_->NewWritableFile(out->pend->tmp_path));
  out->writer = std::make_unique<SegmentWriter>(out->file.get(), schema.StorageColumns(), props, encode_options_);
  out->writer->set_threads(threads);
  return out;
}

Status TableWriter::BeginPart(OpenFile* out, std::optional<int32_t> partition,
                              const std::vector<uint64_t>& rows_per_bucket) {
  WH_RETURN_IF_ERROR(out->writer->BeginPart(partition, rows_per_bucket));
  SegmentEntry e;
  e.path = out->pend->final_path.substr(base_.dir.size() + 1);
  e.partition = partition;
  out->pend->parts.push_back(std::move(e));
  return Status::OK();
}

Status TableWriter::AddRows(OpenFile* out, uint32_t bucket, const std::vector<const Column*>& cols, size_t begin,
                            size_t end) {
  if (end == begin) return Status::OK();
  if (out->pend->parts.empty()) return Status::Internal("AddRows before BeginPart");
  WH_RETURN_IF_ERROR(out->writer->AddRows(bucket, cols, begin, end));
  CountRows(out, bucket, end - begin);
  return Status::OK();
}

void TableWriter::CountRows(OpenFile* out, uint32_t bucket, uint64_t n) {
  SegmentEntry& e = out->pend->parts.back();
  auto& br = e.bucket_rows;
  if (!br.empty() && br.back().first == bucket) br.back().second += n;
  else br.emplace_back(bucket, n);
  e.rows += n;
  out->pend->rows += n;
}

Status TableWriter::AddBuckets(OpenFile* out, const std::vector<const Column*>& cols, size_t begin,
                               const std::vector<uint64_t>& rows_per_bucket) {
  if (out->pend->parts.empty()) return Status::Internal("AddBuckets before BeginPart");
  WH_RETURN_IF_ERROR(out->writer->AddBuckets(cols, begin, rows_per_bucket));
  for (size_t b = 0; b < rows_per_bucket.size(); ++b)
    if (rows_per_bucket[b]) CountRows(out, static_cast<uint32_t>(b), rows_per_bucket[b]);
  return Status::OK();
}

Status TableWriter::FinishFile(OpenFile* out) {
  WH_ASSIGN_OR_RETURN(SegmentFooter footer, out->writer->Finish());
  WH_RETURN_IF_ERROR(out->file->Sync());
  WH_RETURN_IF_ERROR(out->file->Close());
  Pending& pend = *out->pend;
  pend.bytes = out->writer->bytes_written();
  // A part that got no rows (every bucket empty) is not listed: the manifest names a file only
  // for partitions it has rows of.
  std::erase_if(pend.parts, [](const SegmentEntry& e) { return e.rows == 0; });
  for (SegmentEntry& e : pend.parts) {
    e.bytes = pend.bytes;
    e.footer_checksum = out->writer->footer_checksum();
    const std::optional<uint32_t> k = footer.PartIndex(e.partition);
    if (!k || footer.parts.empty()) return Status::Internal("FinishFile: a part the writer did not write");
    e.zones = footer.parts[*k].zones;
  }
  std::lock_guard<std::mutex> l(mu_);
  ++stats_.segments;
  stats_.bytes += pend.bytes;
  stats_.rows += pend.rows;
  return Status::OK();
}

Status TableWriter::WriteSortedParts(const std::vector<std::optional<int32_t>>& parts, size_t first, size_t last,
                                     const std::vector<Column>& sorted, const std::vector<uint32_t>& bounds,
                                     uint32_t nb, unsigned threads) {
  if (bounds[last * nb] == bounds[first * nb]) return Status::OK();
  WH_ASSIGN_OR_RETURN(auto out, BeginFile(threads));
  std::vector<const Column*> ptrs;
  for (const auto& c : sorted) ptrs.push_back(&c);
  for (size_t p = first; p < last; ++p) {
    const uint32_t* b0 = bounds.data() + p * nb;
    if (b0[nb] == b0[0]) continue;
    std::vector<uint64_t> rows(nb);
    for (uint32_t b = 0; b < nb; ++b) rows[b] = b0[b + 1] - b0[b];
    WH_RETURN_IF_ERROR(BeginPart(out.get(), parts[p], rows));
    WH_RETURN_IF_ERROR(AddBuckets(out.get(), ptrs, b0[0], rows));
  }
  return FinishFile(out.get());
}

Status TableWriter::MergeFiles(const std::vector<MergeInput>& inputs, uint64_t target_bytes) {
  const auto& specs = inputs.at(0).reader->footer().columns;
  for (const MergeInput& in : inputs)
    if (in.reader->footer().columns.size() != specs.size())
      return Status::Corruption(in.reader->path() + ": its columns differ from the table's");
  // Every partition of the inputs, in order, with its rows.
  std::map<std::optional<int32_t>, uint64_t> by_part;
  for (const MergeInput& in : inputs)
    for (const auto& [partition, part] : in.parts) by_part[partition] += in.reader->footer().PartRows(part);
  std::vector<std::optional<int32_t>> parts;
  std::vector<uint64_t> rows;
  for (const auto& [part, r] : by_part) {
    parts.push_back(part);
    rows.push_back(r);
  }
  // Many rows: one file sequence per core, each a range of partitions of about equal rows.
  const std::vector<size_t> cut = SplitForCores(rows);
  return ParallelFor(cut.size() - 1, cut.size() - 1, [&](size_t k) {
    return MergeInto(inputs, {parts.begin() + cut[k], parts.begin() + cut[k + 1]}, target_bytes,
                     ThreadsPerFile(cut.size() - 1));
  });
}

Status TableWriter::MergeSmallPart(const std::vector<MergeInput>& inputs, std::optional<int32_t> partition,
                                   const std::vector<uint32_t>& part_of, const std::vector<size_t>& next,
                                   const std::vector<size_t>& end, const std::vector<uint64_t>& rows_per_bucket,
                                   std::vector<std::map<size_t, std::vector<Column>>>* decoded,
                                   std::unique_ptr<OpenFile>* out, unsigned threads) {
  // A partition of few rows (a small drop's day has a few rows a bucket): each column's rows are
  // gathered from every input in one call, bucket after bucket and input after input within a
  // bucket, and handed to the writer at once, not bucket by bucket.
  const uint32_t nb = std::max<uint32_t>(base_.schema.bucket_count, 1);
  const size_t ncols = inputs[0].reader->footer().columns.size();
  std::deque<std::vector<Column>> held;  // row groups of this part alone
  std::vector<const std::vector<Column>*> srcs;
  struct Piece {
    uint32_t bucket;
    Column::Run run;
  };
  std::vector<Piece> pieces;
  for (size_t r = 0; r < inputs.size(); ++r) {
    const SegmentReader& reader = *inputs[r].reader;
    const SegmentFooter& footer = reader.footer();
    uint32_t last = 0;
    for (size_t g = next[r]; g < end[r]; ++g) {
      const PartSlice slice = footer.Slice(g, part_of[r]);
      if (slice.runs.empty()) continue;  // a row group of other parts between two of this one
      const std::vector<Column>* cols = nullptr;
      auto it = (*decoded)[r].find(g);
      if (it != (*decoded)[r].end()) {
        cols = &it->second;
      } else {
        WH_ASSIGN_OR_RETURN(std::vector<Column> group, reader.ReadRowGroup(g));
        // Shared with later parts: kept for them (MergeInto drops it once they are past it).
        if (footer.row_groups[g].last_part > part_of[r]) cols = &(*decoded)[r].emplace(g, std::move(group)).first->second;
        else cols = &held.emplace_back(std::move(group));
      }
      const uint32_t src = static_cast<uint32_t>(srcs.size());
      srcs.push_back(cols);
      uint32_t at = slice.at;
      for (const BucketRun& run : slice.runs) {
        if (run.bucket < last || run.bucket >= nb)
          return Status::Corruption(reader.path() + ": row groups out of bucket order");
        last = run.bucket;
        pieces.push_back({run.bucket, {src, at, run.rows}});
        at += run.rows;
      }
    }
  }
  std::stable_sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) { return a.bucket < b.bucket; });
  std::vector<Column::Run> runs;
  for (const Piece& p : pieces) runs.push_back(p.run);
  if (!*out) {
    WH_ASSIGN_OR_RETURN(*out, BeginFile(threads));
  }
  std::vector<Column> acc;
  std::vector<const Column*> ptrs;
  uint64_t rows = 0;
  for (const Column::Run& r : runs) rows += r.rows;
  for (size_t c = 0; c < ncols; ++c) acc.emplace_back(inputs[0].reader->footer().columns[c].type);
  (*out)->writer->ForEachColumn(ncols, rows * ncols, [&](size_t c) {
    std::vector<const Column*> from(srcs.size());
    for (size_t k = 0; k < srcs.size(); ++k) from[k] = &(*srcs[k])[c];
    acc[c].AppendRuns(from, runs);
  });
  for (const Column& c : acc) ptrs.push_back(&c);
  WH_RETURN_IF_ERROR(BeginPart(out->get(), partition, rows_per_bucket));
  return AddBuckets(out->get(), ptrs, 0, rows_per_bucket);
}

Status TableWriter::MergeInto(const std::vector<MergeInput>& inputs, const std::vector<std::optional<int32_t>>& parts,
                              uint64_t target_bytes, unsigned threads) {
  const uint32_t nb = std::max<uint32_t>(base_.schema.bucket_count, 1);
  const auto& specs = inputs[0].reader->footer().columns;
  std::unique_ptr<OpenFile> out;
  // Per input, row groups decoded and still needed: shared by buckets (of one partition), or
  // by parts (small partitions share row groups: each is decoded once for all of them).
  std::vector<std::map<size_t, std::vector<Column>>> decoded(inputs.size());
  for (const std::optional<int32_t>& partition : parts) {
    // Each input's part of the partition (row groups [next, end), its rows in bucket order),
    // and the rows per bucket of them all, which decide the output's layout.
    std::vector<size_t> next(inputs.size(), 0), end(inputs.size(), 0);
    std::vector<uint32_t> part_of(inputs.size(), 0);
    std::vector<uint64_t> rows_per_bucket(nb, 0);
    for (size_t r = 0; r < inputs.size(); ++r) {
      auto it = inputs[r].parts.find(partition);
      if (it == inputs[r].parts.end()) continue;
      const SegmentFooter& footer = inputs[r].reader->footer();
      part_of[r] = it->second;
      std::tie(next[r], end[r]) = footer.PartRange(it->second);
      end[r] += next[r];
      for (size_t g = next[r]; g < end[r]; ++g)
        for (const BucketRun& run : footer.Slice(g, part_of[r]).runs)
          if (run.bucket < nb) rows_per_bucket[run.bucket] += run.rows;
      // Row groups decoded for earlier partitions that this one's do not reach are done with.
      std::erase_if(decoded[r], [&](const auto& kv) { return kv.first < next[r]; });
    }
    uint64_t part_rows = 0;
    for (uint64_t n : rows_per_bucket) part_rows += n;
    if (part_rows <= kDefaultRowGroupRows) {
      WH_RETURN_IF_ERROR(MergeSmallPart(inputs, partition, part_of, next, end, rows_per_bucket, &decoded, &out, threads));
      if (out && out->writer->bytes_written() >= target_bytes) {
        WH_RETURN_IF_ERROR(FinishFile(out.get()));
        out.reset();
      }
      continue;
    }
    bool begun = false;  // the partition's part in `out`
    // A bucket's rows are gathered from every input, in order, and written in row groups of
    // the writer's size; besides them, each input holds its decoded row group shared by
    // buckets or parts (up to 65,536 rows), and the writer the small parts it gathers.
    std::vector<Column> acc;
    std::vector<const Column*> ptrs;
    auto reset_acc = [&] {
      if (acc.size() == specs.size()) {
        // Emptied, keeping their buffers: a day of a small drop's table is a few rows a bucket,
        // and making 25 columns anew for each of 45 buckets was much of a merge's time.
        for (Column& c : acc) c.Clear();
        return;
      }
      acc.clear();
      ptrs.clear();
      for (const auto& c : specs) acc.emplace_back(c.type);
      for (const auto& c : acc) ptrs.push_back(&c);
    };
    reset_acc();
    auto flush = [&](uint32_t b, bool all) -> Status {
      const size_t n = acc[0].size();
      const size_t take = all ? n : n / kDefaultRowGroupRows * kDefaultRowGroupRows;
      if (take == 0) return Status::OK();
      if (!out) {
        WH_ASSIGN_OR_RETURN(out, BeginFile(threads));
      }
      if (!begun) {
        WH_RETURN_IF_ERROR(BeginPart(out.get(), partition, rows_per_bucket));
        begun = true;
      }
      WH_RETURN_IF_ERROR(AddRows(out.get(), b, ptrs, 0, take));
      if (take == n) {
        reset_acc();
        return Status::OK();
      }
      std::vector<Column> rest;
      for (const auto& c : acc) {
        rest.emplace_back(c.type());
        rest.back().AppendRange(c, take, n - take);
      }
      acc = std::move(rest);
      ptrs.clear();
      for (const auto& c : acc) ptrs.push_back(&c);
      return Status::OK();
    };
    for (uint32_t b = 0; b < nb; ++b) {
      for (size_t r = 0; r < inputs.size(); ++r) {
        const SegmentReader& reader = *inputs[r].reader;
        const SegmentFooter& footer = reader.footer();
        const uint32_t part = part_of[r];
        while (next[r] < end[r]) {
          const size_t g = next[r];
          const PartSlice slice = footer.Slice(g, part);
          if (slice.runs.empty()) {  // a row group of other parts between two of this one
            ++next[r];
            continue;
          }
          if (slice.runs.front().bucket > b) break;
          if (slice.rows == footer.row_groups[g].rows && slice.runs.size() == 1) {
            // The row group is this bucket's rows of this part only: appended as decoded.
            if (slice.runs.front().bucket != b) break;  // out of order: reported below
            for (size_t c = 0; c < specs.size(); ++c) {
              WH_ASSIGN_OR_RETURN(Column col, reader.ReadColumn(g, c));
              acc[c].AppendRange(col, 0, col.size());
            }
            ++next[r];
          } else {
            // Shared by several buckets or parts: decoded once and held while its buckets (of
            // this partition and, for a row group of several parts, of the next ones) are merged.
            auto it = decoded[r].find(g);
            if (it == decoded[r].end()) {
              WH_ASSIGN_OR_RETURN(std::vector<Column> cols, reader.ReadRowGroup(g));
              it = decoded[r].emplace(g, std::move(cols)).first;
            }
            size_t at = slice.at;
            for (const BucketRun& run : slice.runs) {
              if (run.bucket == b)
                for (size_t c = 0; c < specs.size(); ++c) acc[c].AppendRange(it->second[c], at, run.rows);
              at += run.rows;
            }
            if (slice.runs.back().bucket > b) break;  // the rest belongs to later buckets
            if (footer.row_groups[g].last_part <= part) decoded[r].erase(it);
            ++next[r];
          }
          if (acc[0].size() >= kDefaultRowGroupRows) WH_RETURN_IF_ERROR(flush(b, false));
        }
      }
      WH_RETURN_IF_ERROR(flush(b, true));
      // Cut between buckets once the file is large enough; the next file takes up the
      // partition's remaining buckets in a part of its own. (Small partitions the writer is
      // gathering are not in bytes_written yet: a file may pass the target by up to their
      // 65,536 rows.)
      if (out && out->writer->bytes_written() >= target_bytes) {
        WH_RETURN_IF_ERROR(FinishFile(out.get()));
        out.reset();
        begun = false;
      }
    }
    for (size_t r = 0; r < inputs.size(); ++r)
      if (next[r] != end[r]) return Status::Corruption(inputs[r].reader->path() + ": row groups out of bucket order");
  }
  if (out) WH_RETURN_IF_ERROR(FinishFile(out.get()));
  return Status::OK();
}

void TableWriter::RemovePending() {
  for (const auto& p : pending_) {
    (void)fs_->RemoveFile(p.renamed ? p.final_path : p.tmp_path);
  }
  for (auto it = created_dirs_.rbegin(); it != created_dirs_.rend(); ++it) (void)fs_->RemoveDir(*it);
  pending_.clear();
  created_dirs_.clear();
}

void TableWriter::Abort() {
  if (done_) return;
  done_ = true;
  RemovePending();
}

Status TableWriter::MergePendingFiles() {
  // Only when a partition is in two files (flushes of a batch larger than the memory budget);
  // the files of one flush hold disjoint partition ranges.
  std::set<std::optional<int32_t>> seen;
  bool overlap = false;
  for (const auto& p : pending_)
    for (const auto& e : p.parts) overlap |= !seen.insert(e.partition).second;
  if (!overlap) return Status::OK();
  std::vector<std::unique_ptr<SegmentReader>> readers;
  std::vector<MergeInput> inputs;
  for (auto& p : pending_) {
    WH_ASSIGN_OR_RETURN(auto r, SegmentReader::Open(fs_, p.tmp_path));
    MergeInput in;
    in.reader = r.get();
    for (const auto& e : p.parts) {
      WH_ASSIGN_OR_RETURN(in.parts[e.partition], r->PartNumber(e.partition));
    }
    inputs.push_back(std::move(in));
    readers.push_back(std::move(r));
  }
  const size_t merged = pending_.size();
  WH_RETURN_IF_ERROR(MergeFiles(inputs, kTargetFileBytes));
  readers.clear();
  // Drop the merged-away originals (the first `merged` entries; the merge's files follow).
  for (size_t k = 0; k < merged; ++k) {
    const Pending& p = pending_.front();
    WH_RETURN_IF_ERROR(fs_->RemoveFile(p.tmp_path));
    --stats_.segments;
    stats_.bytes -= p.bytes;
    stats_.rows -= p.rows;
    pending_.pop_front();
  }
  return Status::OK();
}

Status TableWriter::AppendRecord(const std::string& record, uint64_t seq, bool* cut) {
  *cut = false;
  auto file = fs_->NewAppendableFile(manifest_path_);
  if (!file.ok()) {
    *cut = true;
    done_ = true;
    return file.status().WithContext("commit aborted");
  }
  Status st = (*file)->Append(record);
  if (st.ok()) st = (*file)->Sync();
  Status cl = (*file)->Close();
  if (st.ok()) st = cl;
  done_ = true;
  if (!st.ok()) {
    Status tr = fs_->Truncate(manifest_path_, manifest_length_);
    if (tr.ok()) {
      auto f2 = fs_->NewAppendableFile(manifest_path_);
      if (f2.ok()) tr = (*f2)->Sync();
      else tr = f2.status();
    }
    *cut = tr.ok();
    return st.WithContext("commit aborted");
  }
  manifest_length_ += record.size();
  // After the commit point nothing may fail the call (the caller would report a committed
  // batch as lost, and a rerun would load it twice): each step is best effort, exceptions (out
  // of memory under --memory-mb, no thread) included.
  // _head: a head that lags behind the manifest is valid, it only narrows what truncation it
  // can reveal.
  (void)CatchAll([&] {
    if (fs_->WriteFileAtomic(JoinPath(base_.dir, kHeadFile), EncodeHead(seq, manifest_length_)).ok())
      (void)fs_->SyncDir(base_.dir);
  });
  return Status::OK();
}

Result<CommitRecord> TableWriter::CommitSchema(const TableSchema& schema) {
  if (done_ || !pending_.empty() || !removed_.empty())
    return Status::Internal("CommitSchema on a writer that has written files");
  Status ok = CheckSchemaChange(base_.schema, schema);
  if (!ok.ok()) {
    Abort();
    return ok;
  }
  CommitRecord rec;
  rec.seq = base_.last_seq + 1;
  rec.committed_micros = NowMicros();
  // Not a load: its etl time is its commit time, which no load's etl_date shares in practice (an
  // export by --since-commit tells loads apart by their etl_date).
  rec.etl_micros = rec.committed_micros;
  rec.kind = CommitRecord::Kind::kSchemaChange;
  std::string payload;
  SerializeSchemaChange(rec, schema, &payload);
  bool cut = false;
  WH_RETURN_IF_ERROR(AppendRecord(EncodeRecord(RecordType::kSchemaChange, payload), rec.seq, &cut));
  // The state after it, for a rewrite of the manifest when one is due: the new schema, the live
  // entries by its columns (as a reader converts them).
  (void)CatchAll([&] {
    const auto from = base_.schema.StorageColumns();
    base_.schema = schema;
    const auto to = base_.schema.StorageColumns();
    for (auto& e : base_.segments) ConformEntry(from, to, &e);
    MaybeCheckpoint(rec);
  });
  return rec;
}

void TableWriter::MaybeCheckpoint(const CommitRecord& rec) {
  // Without a base record or checkpoint: since the schema record.
  const uint64_t covered = base_.checkpoint_offset ? base_.checkpoint_offset : kManifestHeaderSize;
  const uint64_t since = manifest_length_ - covered;
  if (checkpoint_gap_ > 0 && !base_.checkpoint_damaged &&
      since < std::max<uint64_t>(checkpoint_gap_, base_.checkpoint_bytes))
    return;
  Checkpoint ck;
  ck.seq = rec.seq;
  ck.schema = base_.schema;
  ck.commits = base_.commits;
  for (auto& c : ck.commits) {
    c.added.clear();
    c.removed.clear();
  }
  CommitRecord self = rec;
  self.added.clear();
  self.removed.clear();
  ck.commits.push_back(std::move(self));
  // The live segments after this commit, in snapshot order.
  ck.live = base_.segments;
  ApplyCommit(rec.seq, rec.removed, rec.added, &ck.live);
  // Retired segments still on disk (a reader held them when they were retired).
  std::set<std::string> retired(base_.retired.begin(), base_.retired.end());
  for (const auto& c : base_.commits) retired.insert(c.removed.begin(), c.removed.end());
  retired.insert(rec.removed.begin(), rec.removed.end());
  for (const auto& r : retired)
    if (fs_->FileExists(JoinPath(base_.dir, r))) ck.retired.push_back(r);
  // The manifest starts anew from this state (SPEC.md "Manifest", "Commit protocol"): written
  // whole and synced under a temporary name; then, while no reader is reading the state, the
  // old checkpoint (which names offsets of the old manifest) removed, `_head` made to name the
  // new length, and the new manifest renamed over the old one, each step durable before the
  // next. A crash leaves the old manifest (with a head that lags: harmless) or the new one.
  const std::string bytes = EncodeBaseManifest(ck);
  {
    // Never swap in a manifest that does not read back as this state (a record past the size
    // limit, or a state the parser refuses): the old one stays.
    ManifestContents check;
    if (!ParseManifest(bytes, &check).ok() || check.commits.size() != ck.commits.size() ||
        check.base_segments.size() != ck.live.size())
      return;
  }
  const std::string tmp = manifest_path_ + ".tmp";
  auto write = [&]() -> Status {
    WH_ASSIGN_OR_RETURN(auto f, fs_->NewWritableFile(tmp));
    WH_RETURN_IF_ERROR(f->Append(bytes));
    WH_RETURN_IF_ERROR(f->Sync());
    return f->Close();
  };
  if (!write().ok()) {
    (void)fs_->RemoveFile(tmp);
    return;
  }
  auto excl = fs_->TryLockDirExclusive(base_.dir);
  if (!excl.ok() || !*excl) {  // a reader is reading the state: a later writer does it
    (void)fs_->RemoveFile(tmp);
    return;
  }
  const std::string ck_path = JoinPath(base_.dir, kCheckpointFile);
  Status st;
  if (fs_->FileExists(ck_path)) {
    st = fs_->RemoveFile(ck_path);
    if (st.ok()) st = fs_->SyncDir(base_.dir);
  }
  // A head valid for both manifests: no longer than either (the new one can be the longer, by
  // each live file's commit number in the base record).
  const uint64_t both = std::min<uint64_t>(bytes.size(), manifest_length_);
  if (st.ok()) st = fs_->WriteFileAtomic(JoinPath(base_.dir, kHeadFile), EncodeHead(rec.seq, both));
  if (st.ok()) st = fs_->SyncDir(base_.dir);
  if (st.ok()) st = fs_->Rename(tmp, manifest_path_);
  if (!st.ok()) {
    (void)fs_->RemoveFile(tmp);
    return;
  }
  if (!fs_->SyncDir(base_.dir).ok()) return;
  // Durable: the head may now name the new manifest exactly.
  if (both != bytes.size() &&
      fs_->WriteFileAtomic(JoinPath(base_.dir, kHeadFile), EncodeHead(rec.seq, bytes.size())).ok())
    (void)fs_->SyncDir(base_.dir);
}

Result<CommitRecord> TableWriter::Commit(std::vector<SourceFile> sources) {
  if (done_) return Status::Internal("Commit after commit or abort");
  if (removed_.empty()) {
    // An ingest's flushes of one partition become one file. (A compaction's outputs are already
    // what it wants: cut at its target size, in commit order.)
    Status st = MergePendingFiles();
    if (!st.ok()) {
      Abort();
      return st;
    }
  }
  CommitRecord rec;
  rec.seq = base_.last_seq + 1;
  rec.etl_micros = etl_micros_;
  rec.committed_micros = NowMicros();
  rec.sources = std::move(sources);
  rec.removed = removed_;
  if (overwrite_) {
    rec.kind = CommitRecord::Kind::kOverwrite;
    rec.replaced = replaced_;
  }

  auto fail = [&](const Status& st) {
    Abort();
    return st;
  };
  // 1. Rename every segment into place (each was synced when written).
  std::set<std::string> dirs;
  for (auto& p : pending_) {
    Status st = fs_->Rename(p.tmp_path, p.final_path);
    if (!st.ok()) return fail(st);
    p.renamed = true;
    dirs.insert(p.final_path.substr(0, p.final_path.rfind('/')));
    rec.added.insert(rec.added.end(), p.parts.begin(), p.parts.end());
  }
  // 2. Make the renames and new directories durable (the directories' fsyncs side by side).
  {
    std::vector<std::string> list(dirs.begin(), dirs.end());
    Status st = ParallelFor(list.size(), kIoThreads, [&](size_t k) { return fs_->SyncDir(list[k]); });
    if (!st.ok()) return fail(st);
  }
  if (!created_dirs_.empty()) {
    Status st = fs_->SyncDir(base_.dir);
    if (!st.ok()) return fail(st);
  }
  // 3. The commit point: one checksummed record appended to the manifest and synced.
  std::string payload;
  if (!overwrite_) rec.kind = FileCommitKind(rec);  // as a reader of the record will take it
  SerializeCommit(rec, base_.schema.StorageColumns(), &payload);
  if (payload.size() > kMaxManifestRecord)
    return fail(Status::InvalidArgument("the commit lists " + std::to_string(rec.added.size()) +
                                        " parts of files, " + std::to_string(payload.size()) +
                                        " bytes: more than a manifest record holds (256 MiB); load it in smaller batches"));
  bool cut = false;
  Status st = AppendRecord(EncodeRecord(overwrite_ ? RecordType::kOverwrite : RecordType::kFileCommit, payload),
                           rec.seq, &cut);
  if (!st.ok()) {
    // The record may or may not have reached the disk. Only when it was cut off again is it
    // safe to delete the segments; otherwise leave them: the next writer either finds a whole
    // record naming them (committed) or a torn one (and then removes them as orphans).
    if (cut) RemovePending();
    return st;
  }
  // The segments this commit retired go once no reader can need them (else a later writer).
  (void)CatchAll([&] { (void)DeleteRetired(rec.removed, rec.seq); });
  (void)CatchAll([&] { MaybeCheckpoint(rec); });
  return rec;
}

}  // namespace wh
