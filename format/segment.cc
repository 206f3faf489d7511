#include "format/segment.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "format/coding.h"

namespace wh {

std::string SegmentFooter::Property(const std::string& key) const {
  for (const auto& [k, v] : properties)
    if (k == key) return v;
  return "";
}

ZoneMap SegmentFooter::BlockZone(size_t g, size_t c) const {
  const BlockMeta& bm = row_groups[g].blocks[c];
  if (!sources.empty() && sources[c].column < 0) {  // a column the file lacks: all NULL
    ZoneMap none;
    none.null_count = row_groups[g].rows;
    return none;
  }
  // The bytes were parsed once when the footer was read or written, so this cannot fail.
  ByteReader r(std::string_view(zone_bytes).substr(bm.zone_at, bm.zone_size));
  if (!sources.empty()) return WidenZone(ZoneMap::Deserialize(sources[c].type, &r), sources[c].type, columns[c].type);
  return ZoneMap::Deserialize(columns[c].type, &r);
}

std::optional<uint32_t> SegmentFooter::PartIndex(std::optional<int32_t> partition) const {
  if (parts.empty()) return 0;
  auto it = std::lower_bound(parts.begin(), parts.end(), partition,
                             [](const SegmentPart& p, const std::optional<int32_t>& v) { return p.partition < v; });
  if (it == parts.end() || it->partition != partition) return std::nullopt;
  return static_cast<uint32_t>(it - parts.begin());
}

PartSlice SegmentFooter::Slice(size_t g, uint32_t part) const {
  const RowGroupMeta& rg = row_groups[g];
  const std::span<const BucketRun> runs = GroupBuckets(g);
  if (rg.first_part == part && rg.last_part == part) return {0, rg.rows, runs};
  if (part < rg.first_part || part > rg.last_part) return {};
  // Entries are in (part, bucket) order, each knowing its first row.
  auto lo = std::lower_bound(runs.begin(), runs.end(), part, [](const BucketRun& r, uint32_t p) { return r.part < p; });
  auto hi = std::upper_bound(lo, runs.end(), part, [](uint32_t p, const BucketRun& r) { return p < r.part; });
  if (lo == hi) return {};
  PartSlice s;
  s.at = lo->at;
  s.rows = (hi - 1)->at + (hi - 1)->rows - lo->at;
  s.runs = runs.subspan(lo - runs.begin(), hi - lo);
  return s;
}

uint64_t SegmentFooter::PartRows(uint32_t part) const {
  if (parts.empty()) return rows;
  if (part >= parts.size()) return 0;
  uint64_t n = 0;
  const auto [first, count] = PartRange(part);
  for (size_t g = first; g < first + count; ++g) n += Slice(g, part).rows;
  return n;
}

void SegmentFooter::PartGroupsWithBuckets(uint32_t part, uint32_t lo, uint32_t hi, std::vector<size_t>* out) const {
  const auto [first, count] = PartRange(part);
  for (size_t g = first; g < first + count; ++g) {
    uint32_t least = row_groups[g].bucket, greatest = row_groups[g].last_bucket;
    // The row group's bounds are those of all its parts' buckets: outside them, none of this
    // part's either (a part spread over a file's row groups of bucket ranges is sliced only in
    // those of the range asked for).
    if (greatest < lo || least >= hi) continue;
    if (!OnlyPart(g, part)) {
      const PartSlice slice = Slice(g, part);
      if (slice.runs.empty()) continue;
      least = slice.runs.front().bucket;
      greatest = slice.runs.back().bucket;
    }
    if (greatest >= lo && least < hi) out->push_back(g);
  }
}

SegmentWriter::SegmentWriter(WritableFile* file, std::vector<ColumnSpec> columns,
                             std::vector<std::pair<std::string, std::string>> properties,
                             EncodeOptions options)
    : file_(file), options_(options) {
  footer_.columns = std::move(columns);
  footer_.properties = std::move(properties);
}

Status SegmentWriter::Write(std::string_view data) {
  WH_RETURN_IF_ERROR(file_->Append(data));
  offset_ += data.size();
  return Status::OK();
}

Status SegmentWriter::WriteGroup(const std::vector<const Column*>& cols, size_t begin, size_t end,
                                 const std::vector<BucketRun>& index, const std::function<void(size_t)>& gather) {
  RowGroupMeta rg;
  rg.bucket = index.front().bucket;
  rg.last_bucket = index.front().bucket;
  for (const BucketRun& e : index) {
    rg.bucket = std::min(rg.bucket, e.bucket);
    rg.last_bucket = std::max(rg.last_bucket, e.bucket);
  }
  rg.first_part = index.front().part;
  rg.last_part = index.back().part;
  rg.rows = static_cast<uint32_t>(end - begin);
  rg.index_at = static_cast<uint32_t>(footer_.bucket_index.size());
  rg.index_count = static_cast<uint32_t>(index.size());
  uint32_t at = 0;
  for (BucketRun e : index) {
    e.at = at;
    at += e.rows;
    footer_.bucket_index.push_back(e);
  }
  // Each column's block and zone maps (its own, and its parts' when the row group holds
  // several): independent of the other columns, so encoded by all of the writer's threads
  // (each into a block of its own), or on this one, a column after another through one buffer.
  const size_t ncols = cols.size();
  const bool parallel = Parallel((end - begin) * ncols);
  if (blocks_.size() < (parallel ? ncols : 1)) blocks_.resize(parallel ? ncols : 1);
  std::vector<ZoneMap> zones(ncols);
  std::vector<Status> status(ncols);
  auto encode = [&](size_t c) {
    if (gather) gather(c);
    const DataType& type = footer_.columns[c].type;
    std::string& block = blocks_[parallel ? c : 0];
    block.clear();
    status[c] = EncodeBlock(*cols[c], begin, end, options_, &block);
    zones[c] = ComputeZoneMap(*cols[c], begin, end);
    // Each part's rows here add to its zone maps: the block's, or those of its slice.
    if (rg.first_part == rg.last_part) {
      part_zones_[rg.first_part][c].Add(zones[c], rg.rows, type);
      return;
    }
    size_t at = begin;
    for (size_t k = 0; k < index.size();) {
      const uint32_t part = index[k].part;
      size_t n = 0;
      for (; k < index.size() && index[k].part == part; ++k) n += index[k].rows;
      part_zones_[part][c].Add(ComputeZoneMap(*cols[c], at, at + n), n, type);
      at += n;
    }
  };
  auto write = [&](size_t c) -> Status {
    WH_RETURN_IF_ERROR(status[c]);
    const std::string& block = blocks_[parallel ? c : 0];
    BlockMeta bm;
    bm.offset = offset_;
    bm.length = static_cast<uint32_t>(block.size());
    bm.zone_at = static_cast<uint32_t>(footer_.zone_bytes.size());
    zones[c].Serialize(footer_.columns[c].type, &footer_.zone_bytes);
    bm.zone_size = static_cast<uint32_t>(footer_.zone_bytes.size() - bm.zone_at);
    WH_RETURN_IF_ERROR(Write(block));
    rg.blocks.push_back(std::move(bm));
    return Status::OK();
  };
  if (parallel) {
    ForEachColumn(ncols, (end - begin) * ncols, encode);
    for (size_t c = 0; c < ncols; ++c) WH_RETURN_IF_ERROR(write(c));
  } else {
    for (size_t c = 0; c < ncols; ++c) {
      encode(c);
      WH_RETURN_IF_ERROR(write(c));
    }
  }
  footer_.rows += rg.rows;
  footer_.row_groups.push_back(std::move(rg));
  return Status::OK();
}

bool SegmentWriter::Parallel(uint64_t values) const {
  // Waking a helper costs a few microseconds, more than sharing out a few thousand values saves.
  return helpers_ && values >= kParallelEncodeValues;
}

void SegmentWriter::ForEachColumn(size_t n, uint64_t values, const std::function<void(size_t)>& fn) {
  if (!Parallel(values)) {
    for (size_t c = 0; c < n; ++c) fn(c);
    return;
  }
  std::atomic<size_t> next{0};
  helpers_->Run([&] {
    for (size_t c; (c = next++) < n;) fn(c);
  });
}

Status SegmentWriter::FlushShared() {
  if (shared_index_.empty()) return Status::OK();
  std::vector<const Column*> ptrs;
  for (const auto& c : shared_) ptrs.push_back(&c);
  Status st = WriteGroup(ptrs, 0, shared_[0].size(), shared_index_);
  shared_.clear();
  shared_index_.clear();
  return st;
}

Status SegmentWriter::FlushSpanning() {
  if (spanning_runs_.empty()) {
    spanning_rows_ = 0;
    return Status::OK();
  }
  const std::vector<BucketRun>& runs = spanning_runs_;
  size_t nb = spanning_buckets_;
  for (const BucketRun& r : runs) nb = std::max<size_t>(nb, r.bucket + size_t{1});
  // Laid out as one part of all their rows would be: ranges of buckets by their rows in all.
  std::vector<uint64_t> per_bucket(nb, 0);
  for (const BucketRun& r : runs) per_bucket[r.bucket] += r.rows;
  const std::vector<uint32_t> share = ShareBuckets(per_bucket, std::max<uint32_t>(options_.shared_group_rows, 1));
  // Where each run's rows are in spanning_, and each part's runs (runs are in part, bucket order).
  std::vector<uint64_t> at(runs.size() + 1, 0);
  for (size_t k = 0; k < runs.size(); ++k) at[k + 1] = at[k] + runs[k].rows;
  std::vector<size_t> next, end;
  for (size_t k = 0; k < runs.size(); ++k) {
    if (k == 0 || runs[k].part != runs[k - 1].part) {
      if (!next.empty()) end.push_back(k);
      next.push_back(k);
    }
  }
  end.push_back(runs.size());
  // Each row group's pieces of spanning_, gathered into `rg` column by column (or written from
  // spanning_ itself when they follow one another there).
  std::vector<Column> rg;
  std::vector<const Column*> rg_ptrs, span_ptrs;
  for (const auto& c : footer_.columns) rg.emplace_back(c.type);
  for (const auto& c : rg) rg_ptrs.push_back(&c);
  for (const auto& c : spanning_) span_ptrs.push_back(&c);
  std::vector<Column::Run> pieces;
  std::vector<BucketRun> index;
  uint32_t rows = 0;
  auto write = [&]() -> Status {
    if (index.empty()) return Status::OK();
    bool follow = true;
    for (size_t k = 1; k < pieces.size(); ++k) follow &= pieces[k].begin == pieces[k - 1].begin + pieces[k - 1].rows;
    Status st;
    if (follow) {
      st = WriteGroup(span_ptrs, pieces.front().begin, pieces.front().begin + rows, index);
    } else {
      // Gathered column by column by the threads that encode them.
      st = WriteGroup(rg_ptrs, 0, rows, index, [&](size_t c) { rg[c].AppendRuns({span_ptrs[c]}, pieces); });
      for (Column& c : rg) c.Clear();
    }
    index.clear();
    pieces.clear();
    rows = 0;
    return st;
  };
  for (size_t b = 0; b < nb;) {
    const size_t hi = std::max<size_t>(share[b], b + 1);
    // The range's row groups: each part's rows of its buckets, part after part.
    for (size_t j = 0; j < next.size(); ++j) {
      for (; next[j] < end[j] && runs[next[j]].bucket < hi; ++next[j]) {
        const BucketRun& run = runs[next[j]];
        for (uint32_t done = 0; done < run.rows;) {
          const uint32_t n = std::min<uint32_t>(run.rows - done, max_rows_per_group_ - rows);
          pieces.push_back({0, static_cast<uint32_t>(at[next[j]] + done), n});
          index.push_back({run.bucket, n, run.part});
          done += n;
          rows += n;
          if (rows >= max_rows_per_group_) WH_RETURN_IF_ERROR(write());
        }
      }
    }
    WH_RETURN_IF_ERROR(write());
    b = hi;
  }
  for (Column& c : spanning_) c.Clear();
  spanning_runs_.clear();
  spanning_rows_ = 0;
  return Status::OK();
}

void SegmentWriter::DropEmptyPart() {
  if (!footer_.parts.empty() && part_rows_.back() == 0) {
    footer_.parts.pop_back();
    part_zones_.pop_back();
    part_rows_.pop_back();
  }
}

Status SegmentWriter::AddRows(uint32_t bucket, const std::vector<const Column*>& cols,
                              size_t begin, size_t end) {
  WH_RETURN_IF_ERROR(CheckColumns(cols));
  if (bucket < part_last_bucket_) return Status::Internal("SegmentWriter: buckets out of order");
  if (offset_ == 0) WH_RETURN_IF_ERROR(Write(std::string_view(kSegmentMagic, 8)));
  if (end == begin) return Status::OK();
  if (footer_.parts.empty()) {
    if (parts_begun_) return Status::Internal("SegmentWriter: AddRows into a part dropped");
    // Rows outside any part: the file's one part, without partition.
    footer_.parts.emplace_back();
    part_zones_.emplace_back(footer_.columns.size());
    part_rows_.push_back(0);
  }
  const uint32_t part = static_cast<uint32_t>(footer_.parts.size() - 1);
  const uint32_t n = static_cast<uint32_t>(end - begin);
  part_last_bucket_ = bucket;
  part_rows_.back() += n;
  if (part_spans_) {
    SpanRun(bucket, n, part);
    Span(cols, begin, n);
    return Status::OK();
  }
  const uint32_t share = bucket < share_end_.size() ? share_end_[bucket] : 0;
  if (!shared_index_.empty() && (share != shared_end_ || bucket >= shared_end_))
    WH_RETURN_IF_ERROR(FlushShared());
  // A range of several buckets (this bucket may be its last one) shares a row group.
  const bool shares = share > bucket + 1 || (!shared_index_.empty() && share == shared_end_);
  if (shares && n <= max_rows_per_group_ &&
      (shared_index_.empty() ? 0 : shared_[0].size()) + n <= max_rows_per_group_) {
    if (shared_index_.empty()) {
      for (const auto& c : footer_.columns) shared_.emplace_back(c.type);
      shared_end_ = share;
    }
    for (size_t c = 0; c < cols.size(); ++c) shared_[c].AppendRange(*cols[c], begin, n);
    if (!shared_index_.empty() && shared_index_.back().bucket == bucket)
      shared_index_.back().rows += n;
    else
      shared_index_.push_back({bucket, n, part});
    return Status::OK();
  }
  WH_RETURN_IF_ERROR(FlushShared());
  for (size_t b = begin; b < end; b += max_rows_per_group_) {
    size_t e = std::min(end, b + max_rows_per_group_);
    WH_RETURN_IF_ERROR(WriteGroup(cols, b, e, {{bucket, static_cast<uint32_t>(e - b), part}}));
  }
  return Status::OK();
}

Status SegmentWriter::AddBuckets(const std::vector<const Column*>& cols, size_t begin,
                                 const std::vector<uint64_t>& rows_per_bucket) {
  if (!part_spans_) {
    for (size_t b = 0; b < rows_per_bucket.size(); ++b) {
      WH_RETURN_IF_ERROR(AddRows(static_cast<uint32_t>(b), cols, begin, begin + rows_per_bucket[b]));
      begin += rows_per_bucket[b];
    }
    return Status::OK();
  }
  // A part the writer gathers: all its rows copied at once.
  WH_RETURN_IF_ERROR(CheckColumns(cols));
  if (offset_ == 0) WH_RETURN_IF_ERROR(Write(std::string_view(kSegmentMagic, 8)));
  uint64_t n = 0;
  for (uint64_t r : rows_per_bucket) n += r;
  if (n == 0) return Status::OK();
  const uint32_t part = static_cast<uint32_t>(footer_.parts.size() - 1);
  for (uint32_t b = 0; b < part_last_bucket_ && b < rows_per_bucket.size(); ++b)
    if (rows_per_bucket[b] != 0) return Status::Internal("SegmentWriter: buckets out of order");
  for (uint32_t b = 0; b < rows_per_bucket.size(); ++b) {
    if (rows_per_bucket[b] == 0) continue;
    part_last_bucket_ = b;
    SpanRun(b, static_cast<uint32_t>(rows_per_bucket[b]), part);
  }
  Span(cols, begin, n);
  part_rows_.back() += n;
  return Status::OK();
}

Status SegmentWriter::CheckColumns(const std::vector<const Column*>& cols) const {
  if (cols.size() != footer_.columns.size())
    return Status::Internal("SegmentWriter: column count mismatch");
  for (size_t c = 0; c < cols.size(); ++c)
    if (!(cols[c]->type() == footer_.columns[c].type))
      return Status::Internal("SegmentWriter: column type mismatch");
  return Status::OK();
}

void SegmentWriter::SpanRun(uint32_t bucket, uint32_t rows, uint32_t part) {
  if (!spanning_runs_.empty() && spanning_runs_.back().part == part && spanning_runs_.back().bucket == bucket)
    spanning_runs_.back().rows += rows;
  else
    spanning_runs_.push_back({bucket, rows, part});
}

void SegmentWriter::Span(const std::vector<const Column*>& cols, size_t begin, size_t n) {
  if (spanning_.size() != cols.size()) {
    spanning_.clear();
    for (const auto& c : footer_.columns) spanning_.emplace_back(c.type);
  }
  for (size_t c = 0; c < cols.size(); ++c) spanning_[c].AppendRange(*cols[c], begin, n);
  spanning_rows_ += n;
}

Status SegmentWriter::StartPart(std::optional<int32_t> partition) {
  if (!parts_begun_ && !footer_.parts.empty())
    return Status::Internal("SegmentWriter: BeginPart after rows added outside any part");
  DropEmptyPart();
  if (!footer_.parts.empty() && !(footer_.parts.back().partition < partition))
    return Status::Internal("SegmentWriter: partitions out of order");
  WH_RETURN_IF_ERROR(FlushShared());
  parts_begun_ = true;
  SegmentPart part;
  part.partition = partition;
  footer_.parts.push_back(part);
  part_zones_.emplace_back(footer_.columns.size());
  part_rows_.push_back(0);
  part_last_bucket_ = 0;
  return Status::OK();
}

Status SegmentWriter::BeginPart(std::optional<int32_t> partition) {
  WH_RETURN_IF_ERROR(FlushSpanning());
  part_spans_ = false;
  return StartPart(partition);
}

Status SegmentWriter::BeginPart(std::optional<int32_t> partition, const std::vector<uint64_t>& rows_per_bucket) {
  uint64_t rows = 0;
  for (uint64_t r : rows_per_bucket) rows += r;
  const bool small = options_.shared_group_rows > 0 && rows < kSpanPartRows;
  if (!small || spanning_rows_ + rows > kSpanGroupRows || rows_per_bucket.size() != spanning_buckets_)
    WH_RETURN_IF_ERROR(FlushSpanning());
  WH_RETURN_IF_ERROR(StartPart(partition));
  part_spans_ = small;
  if (small) spanning_buckets_ = rows_per_bucket.size();
  else if (options_.shared_group_rows > 0) share_end_ = ShareBuckets(rows_per_bucket, options_.shared_group_rows);
  else share_end_.clear();
  return Status::OK();
}

std::vector<uint32_t> ShareBuckets(const std::vector<uint64_t>& rows_per_bucket, uint64_t target) {
  const uint64_t n = rows_per_bucket.size();
  std::vector<uint32_t> end(n, 0);
  std::vector<uint64_t> prefix(n + 1, 0);
  for (size_t b = 0; b < n; ++b) prefix[b + 1] = prefix[b] + rows_per_bucket[b];
  // Range (k, i) is [floor(i * n / 2^k), floor((i + 1) * n / 2^k)); its halves are (k + 1, 2i)
  // and (k + 1, 2i + 1).
  struct Range {
    unsigned k;
    uint64_t i;
  };
  std::vector<Range> todo = {{0, 0}};
  while (!todo.empty()) {
    Range r = todo.back();
    todo.pop_back();
    const uint64_t lo = (r.i * n) >> r.k, hi = ((r.i + 1) * n) >> r.k;
    if (hi <= lo) continue;
    const uint64_t rows = prefix[hi] - prefix[lo];
    if (hi - lo == 1 || (rows <= target && rows <= (hi - lo) * kShareCellRows &&
                         (r.k >= kShareMinLevel || rows <= kShareSmallRows))) {
      for (uint64_t b = lo; b < hi; ++b) end[b] = static_cast<uint32_t>(hi);
      continue;
    }
    todo.push_back({r.k + 1, 2 * r.i + 1});
    todo.push_back({r.k + 1, 2 * r.i});
  }
  return end;
}

Result<SegmentFooter> SegmentWriter::Finish() {
  if (offset_ == 0) WH_RETURN_IF_ERROR(Write(std::string_view(kSegmentMagic, 8)));
  WH_RETURN_IF_ERROR(FlushShared());
  WH_RETURN_IF_ERROR(FlushSpanning());
  DropEmptyPart();
  // The parts table: each part's row groups, from the first to the last holding its rows; its
  // zone maps.
  for (SegmentPart& p : footer_.parts) p.first_group = p.groups = 0;
  std::vector<bool> seen(footer_.parts.size(), false);
  for (size_t g = 0; g < footer_.row_groups.size(); ++g) {
    for (const BucketRun& e : footer_.GroupBuckets(g)) {
      SegmentPart& p = footer_.parts[e.part];
      if (!seen[e.part]) p.first_group = static_cast<uint32_t>(g);
      seen[e.part] = true;
      p.groups = static_cast<uint32_t>(g + 1 - p.first_group);
    }
  }
  for (size_t k = 0; k < footer_.parts.size(); ++k) {
    footer_.parts[k].zones.clear();
    for (const ZoneMerger& z : part_zones_[k]) footer_.parts[k].zones.push_back(z.Result());
  }
  std::string f;
  ByteWriter w(&f);
  w.PutU32(static_cast<uint32_t>(footer_.columns.size()));
  for (const auto& c : footer_.columns) {
    w.PutString(c.name);
    w.PutU8(static_cast<uint8_t>(c.type.id));
    w.PutU8(c.type.precision);
    w.PutU8(c.type.scale);
    w.PutU8(c.nullable ? 1 : 0);
  }
  w.PutU32(static_cast<uint32_t>(footer_.properties.size()));
  for (const auto& [k, v] : footer_.properties) {
    w.PutString(k);
    w.PutString(v);
  }
  w.PutU64(footer_.rows);
  w.PutU32(static_cast<uint32_t>(footer_.row_groups.size()));
  for (size_t g = 0; g < footer_.row_groups.size(); ++g) {
    const RowGroupMeta& rg = footer_.row_groups[g];
    w.PutU32(rg.rows);
    // The bucket index: the row group's slices of parts, each its (bucket, rows) pairs.
    const std::span<const BucketRun> runs = footer_.GroupBuckets(g);
    uint32_t slices = 0;
    for (size_t e = 0; e < runs.size(); ++e) slices += e == 0 || runs[e].part != runs[e - 1].part;
    w.PutVarint(slices);
    for (size_t e = 0; e < runs.size();) {
      size_t end = e;
      while (end < runs.size() && runs[end].part == runs[e].part) ++end;
      w.PutVarint(e == 0 ? runs[e].part : runs[e].part - runs[e - 1].part - 1);
      w.PutVarint(end - e);
      for (size_t k = e; k < end; ++k) {
        w.PutVarint(k == e ? runs[k].bucket : runs[k].bucket - runs[k - 1].bucket - 1);
        w.PutVarint(runs[k].rows);
      }
      e = end;
    }
    for (size_t c = 0; c < rg.blocks.size(); ++c) {
      w.PutU64(rg.blocks[c].offset);
      w.PutU32(rg.blocks[c].length);
      f.append(footer_.zone_bytes, rg.blocks[c].zone_at, rg.blocks[c].zone_size);
    }
  }
  w.PutU32(static_cast<uint32_t>(footer_.parts.size()));
  for (const SegmentPart& p : footer_.parts) {
    w.PutU8(p.partition ? 1 : 0);
    w.PutI32(p.partition.value_or(0));
    w.PutU32(p.first_group);
    w.PutU32(p.groups);
  }
  uint64_t footer_offset = offset_;
  WH_RETURN_IF_ERROR(Write(f));

  std::string t;
  ByteWriter tw(&t);
  tw.PutU64(footer_offset);
  tw.PutU32(static_cast<uint32_t>(f.size()));
  tw.PutU16(kSegmentFormatVersion);
  tw.PutU16(0);
  tw.PutU32(0);  // incompatible features
  tw.PutU32(0);  // compatible features
  footer_checksum_ = Checksum64(f.data(), f.size());
  tw.PutU64(footer_checksum_);
  tw.PutU64(Checksum64(t.data(), t.size()));
  tw.PutBytes(kSegmentMagic, 8);
  WH_RETURN_IF_ERROR(Write(t));
  return footer_;
}

Status ParseSegmentFooter(std::string_view bytes, uint64_t blocks_end, uint16_t version, SegmentFooter* out) {
  ByteReader r(bytes);
  SegmentFooter f;
  auto bad = [](const std::string& what) { return Status::Corruption("bad segment footer: " + what); };
  uint32_t ncols = r.GetU32();
  if (!r.ok() || ncols == 0 || ncols > 4096) return bad("column count");
  for (uint32_t i = 0; i < ncols; ++i) {
    ColumnSpec c;
    c.name = std::string(r.GetString());
    c.type.id = static_cast<TypeId>(r.GetU8());
    c.type.precision = r.GetU8();
    c.type.scale = r.GetU8();
    uint8_t flags = r.GetU8();
    if (!r.ok()) return bad("truncated column list");
    if (flags > 1) return bad("column flags");
    c.nullable = flags & 1;
    Status st = ValidateType(c.type);
    if (!st.ok()) return st.WithContext("bad segment footer: column '" + c.name + "'");
    f.columns.push_back(std::move(c));
  }
  uint32_t nprops = r.GetU32();
  if (!r.ok() || nprops > r.remaining()) return bad("property count");
  for (uint32_t i = 0; i < nprops; ++i) {
    std::string k(r.GetString());
    std::string v(r.GetString());
    f.properties.emplace_back(std::move(k), std::move(v));
  }
  f.rows = r.GetU64();
  uint32_t nrg = r.GetU32();
  if (!r.ok() || nrg > r.remaining()) return bad("row group count");
  uint64_t total = 0;
  uint64_t expect_offset = 8;
  // Sized up front: a footer holds row groups x columns block entries (1,080 for a day of the
  // seed's payments), and growing the vectors entry by entry cost a query opening 460 footers
  // about 8% of its CPU in copies and fresh pages.
  f.row_groups.reserve(nrg);
  f.zone_bytes.reserve(r.remaining());
  for (uint32_t g = 0; g < nrg; ++g) {
    RowGroupMeta rg;
    rg.blocks.reserve(ncols);
    rg.index_at = static_cast<uint32_t>(f.bucket_index.size());
    if (version == 1) {  // one bucket: u32 bucket, u32 rows
      rg.bucket = r.GetU32();
      rg.rows = r.GetU32();
      if (!r.ok() || rg.rows == 0 || rg.rows > kMaxBlockRows) return bad("row group row count");
      f.bucket_index.push_back({rg.bucket, rg.rows});
    } else {  // u32 rows, u32 entries, entries x ([u32 part,] u32 bucket, u32 rows)
      rg.rows = r.GetU32();
      if (!r.ok() || rg.rows == 0 || rg.rows > kMaxBlockRows) return bad("row group row count");
      uint64_t sum = 0;
      const std::string where = "row group " + std::to_string(g) + ": bucket index";
      if (version >= 5) {
        // varint slices; per slice: varint part gap, varint entries, entries x (varint bucket
        // gap, varint rows).
        const uint64_t slices = r.GetVarint();
        if (!r.ok() || slices == 0 || slices > rg.rows || slices > r.remaining() / 4) return bad(where + " of " + std::to_string(slices) + " slices");
        uint64_t part = 0;
        for (uint64_t k = 0; k < slices; ++k) {
          const uint64_t gap = r.GetVarint();
          part = k == 0 ? gap : part + gap + 1;
          const uint64_t entries = r.GetVarint();
          if (!r.ok() || gap > UINT32_MAX || part > UINT32_MAX || entries == 0 || entries > rg.rows || entries > r.remaining() / 2)
            return bad(where + ": slice " + std::to_string(k));
          uint64_t bucket = 0;
          for (uint64_t e = 0; e < entries; ++e) {
            const uint64_t bgap = r.GetVarint();
            bucket = e == 0 ? bgap : bucket + bgap + 1;
            const uint64_t rows = r.GetVarint();
            if (!r.ok() || bgap > UINT32_MAX || bucket > UINT32_MAX || rows == 0 || rows > rg.rows)
              return bad(where + ": slice " + std::to_string(k) + " entry " + std::to_string(e));
            sum += rows;
            f.bucket_index.push_back({static_cast<uint32_t>(bucket), static_cast<uint32_t>(rows), static_cast<uint32_t>(part)});
          }
        }
      } else {  // u32 entries, entries x (u32 bucket, u32 rows)
        const uint32_t entries = r.GetU32();
        if (!r.ok() || entries == 0 || entries > rg.rows || entries > r.remaining() / 8)
          return bad(where + " of " + std::to_string(entries) + " entries");
        for (uint32_t e = 0; e < entries; ++e) {
          BucketRun run;
          run.bucket = r.GetU32();
          run.rows = r.GetU32();
          if (run.rows == 0 || (e > 0 && run.bucket <= f.bucket_index.back().bucket))
            return bad(where + " out of order or with an empty bucket");
          sum += run.rows;
          f.bucket_index.push_back(run);
        }
      }
      if (sum != rg.rows)
        return bad("row group " + std::to_string(g) + ": bucket index adds up to " + std::to_string(sum) +
                   " rows, not " + std::to_string(rg.rows));
    }
    rg.index_count = static_cast<uint32_t>(f.bucket_index.size() - rg.index_at);
    for (uint32_t e = 0, at = 0; e < rg.index_count; ++e) {
      f.bucket_index[rg.index_at + e].at = at;
      at += f.bucket_index[rg.index_at + e].rows;
    }
    for (uint32_t c = 0; c < ncols; ++c) {
      BlockMeta bm;
      bm.offset = r.GetU64();
      bm.length = r.GetU32();
      const size_t zone_start = bytes.size() - r.remaining();
      const uint64_t null_count = ZoneMap::Skip(f.columns[c].type, &r);
      if (!r.ok()) return bad("truncated block list");
      bm.zone_at = static_cast<uint32_t>(f.zone_bytes.size());
      bm.zone_size = static_cast<uint32_t>(bytes.size() - r.remaining() - zone_start);
      f.zone_bytes.append(bytes.data() + zone_start, bm.zone_size);
      // Blocks are contiguous, in order, between the magic and the footer.
      if (bm.offset != expect_offset || bm.length < kBlockHeaderSize + kBlockTrailerSize ||
          bm.offset + bm.length > blocks_end)
        return bad("block " + std::to_string(g) + "/" + std::to_string(c) + " at offset " +
                   std::to_string(bm.offset) + " is out of place");
      if (null_count > rg.rows) return bad("zone map null count");
      expect_offset = bm.offset + bm.length;
      rg.blocks.push_back(std::move(bm));
    }
    total += rg.rows;
    f.row_groups.push_back(std::move(rg));
  }
  if (version >= 3) {
    // The parts table: u32 count, count x (u8 has partition, i32 day, [u32 first row group,]
    // u32 row groups); before version 5 each part's row groups follow the last part's.
    const uint32_t nparts = r.GetU32();
    if (!r.ok() || nparts > (version >= 5 ? f.bucket_index.size() : nrg) || (nrg > 0 && nparts == 0))
      return bad("part count");
    uint32_t first = 0;
    for (uint32_t k = 0; k < nparts; ++k) {
      SegmentPart p;
      const uint8_t has = r.GetU8();
      const int32_t day = r.GetI32();
      if (version >= 5) first = r.GetU32();
      p.groups = r.GetU32();
      if (!r.ok() || has > 1 || (!has && day != 0)) return bad("part " + std::to_string(k));
      if (has) p.partition = day;
      if (p.groups == 0 || first > nrg || p.groups > nrg - first) return bad("part " + std::to_string(k) + ": row groups");
      if (!f.parts.empty() && !(f.parts.back().partition < p.partition))
        return bad("parts out of partition order");
      p.first_group = first;
      if (version < 5) {
        for (size_t g = first; g < first + p.groups; ++g)
          for (uint32_t e = 0; e < f.row_groups[g].index_count; ++e) f.bucket_index[f.row_groups[g].index_at + e].part = k;
        first += p.groups;
      }
      f.parts.push_back(p);
    }
    if (version < 5 && first != nrg)
      return bad("parts cover " + std::to_string(first) + " of " + std::to_string(nrg) + " row groups");
  }
  // Each entry's part holds its row group, the first and the last of each part's row groups
  // hold rows of it, and within a part (the whole file before version 3) buckets never go back
  // from one row group to the next.
  const size_t nparts = std::max<size_t>(f.parts.size(), 1);
  std::vector<int64_t> first_seen(nparts, -1), last_seen(nparts, -1), last_bucket(nparts, 0);
  for (size_t g = 0; g < nrg; ++g) {
    RowGroupMeta& rg = f.row_groups[g];
    const std::span<const BucketRun> runs = f.GroupBuckets(g);
    rg.first_part = runs.front().part;
    rg.last_part = runs.back().part;
    rg.bucket = runs.front().bucket;
    rg.last_bucket = runs.front().bucket;
    for (size_t e = 0; e < runs.size(); ++e) {
      const BucketRun& run = runs[e];
      rg.bucket = std::min(rg.bucket, run.bucket);
      rg.last_bucket = std::max(rg.last_bucket, run.bucket);
      if (run.part >= nparts) return bad("row group " + std::to_string(g) + ": no part " + std::to_string(run.part));
      const SegmentPart* p = f.parts.empty() ? nullptr : &f.parts[run.part];
      if (p && (g < p->first_group || g >= p->first_group + p->groups))
        return bad("row group " + std::to_string(g) + " holds rows of part " + std::to_string(run.part) +
                   " outside its row groups");
      const bool first_of_part = e == 0 || runs[e - 1].part != run.part;
      if (first_of_part) {
        if (first_seen[run.part] < 0) first_seen[run.part] = static_cast<int64_t>(g);
        else if (run.bucket < last_bucket[run.part]) return bad("row groups out of bucket order");
        last_seen[run.part] = static_cast<int64_t>(g);
      }
      last_bucket[run.part] = run.bucket;
    }
  }
  for (size_t k = 0; k < f.parts.size(); ++k)
    if (first_seen[k] != f.parts[k].first_group ||
        last_seen[k] != static_cast<int64_t>(f.parts[k].first_group + f.parts[k].groups) - 1)
      return bad("part " + std::to_string(k) + ": its first or last row group holds none of its rows");
  if (!r.AtEnd()) return bad("trailing bytes");
  if (total != f.rows) return bad("row groups add up to " + std::to_string(total) + " rows, not " +
                                  std::to_string(f.rows));
  if (expect_offset != blocks_end) return bad("blocks do not end where the footer starts");
  *out = std::move(f);
  return Status::OK();
}

Result<std::unique_ptr<SegmentReader>> SegmentReader::Open(FileSystem* fs, const std::string& path) {
  std::unique_ptr<SegmentReader> rd(new SegmentReader());
  WH_ASSIGN_OR_RETURN(rd->file_, fs->NewRandomAccessFile(path));
  auto ctx = [&](const Status& s) { return s.WithContext(path); };
  uint64_t size = rd->file_->Size();
  if (size < 8 + kSegmentTrailerSize)
    return ctx(Status::Corruption("file of " + std::to_string(size) +
                                  " bytes is too short to be a segment"));
  // The trailer, then the footer it locates: views of the mapping when the file is mapped (no
  // copy, and only the footer's pages are touched), else two reads.
  const uint8_t* map = rd->file_->Data();
  std::string trailer_buf;
  const char* t;
  if (map) {
    t = reinterpret_cast<const char*>(map) + size - kSegmentTrailerSize;
  } else {
    WH_RETURN_IF_ERROR(ctx(rd->file_->Read(size - kSegmentTrailerSize, kSegmentTrailerSize, &trailer_buf)));
    t = trailer_buf.data();
  }
  if (std::memcmp(t + 40, kSegmentMagic, 8) != 0)
    return ctx(Status::Corruption("no segment magic at the end of the file"));
  ByteReader tr(t, kSegmentTrailerSize);
  uint64_t footer_offset = tr.GetU64();
  uint32_t footer_len = tr.GetU32();
  uint16_t version = tr.GetU16();
  uint16_t reserved = tr.GetU16();
  uint32_t incompat = tr.GetU32();
  tr.GetU32();  // compatible features: none known, all ignorable
  uint64_t footer_sum = tr.GetU64();
  uint64_t trailer_sum = tr.GetU64();
  if (trailer_sum != Checksum64(t, 32)) {
    char m[128];
    std::snprintf(m, sizeof m, "trailer checksum mismatch at offset %llu: expected %016llx, actual %016llx",
                  static_cast<unsigned long long>(size - kSegmentTrailerSize),
                  static_cast<unsigned long long>(trailer_sum),
                  static_cast<unsigned long long>(Checksum64(t, 32)));
    return ctx(Status::Corruption(m));
  }
  if (version > kSegmentFormatVersion || version == 0)
    return ctx(Status::NotSupported("segment format version " + std::to_string(version) +
                                    "; this build of wh reads version " +
                                    std::to_string(kSegmentFormatVersion)));
  if (incompat & ~kKnownIncompatFeatures)
    return ctx(Status::NotSupported("segment uses unknown incompatible features 0x" +
                                    std::to_string(incompat)));
  if (reserved != 0) return ctx(Status::Corruption("reserved trailer bytes are not zero"));
  if (footer_offset < 8 || footer_offset + footer_len != size - kSegmentTrailerSize)
    return ctx(Status::Corruption("footer location out of range"));
  std::string footer_buf;
  std::string_view footer;
  if (map) {
    footer = std::string_view(reinterpret_cast<const char*>(map) + footer_offset, footer_len);
  } else {
    WH_RETURN_IF_ERROR(ctx(rd->file_->Read(footer_offset, footer_len, &footer_buf)));
    footer = footer_buf;
  }
  uint64_t actual = Checksum64(footer.data(), footer.size());
  if (actual != footer_sum) {
    char m[128];
    std::snprintf(m, sizeof m, "footer checksum mismatch at offset %llu: expected %016llx, actual %016llx",
                  static_cast<unsigned long long>(footer_offset),
                  static_cast<unsigned long long>(footer_sum), static_cast<unsigned long long>(actual));
    return ctx(Status::Corruption(m));
  }
  std::string head_buf;
  const char* head = reinterpret_cast<const char*>(map);
  if (!map) {
    WH_RETURN_IF_ERROR(ctx(rd->file_->Read(0, 8, &head_buf)));
    head = head_buf.data();
  }
  if (std::memcmp(head, kSegmentMagic, 8) != 0)
    return ctx(Status::Corruption("no segment magic at the start of the file"));
  WH_RETURN_IF_ERROR(ctx(ParseSegmentFooter(footer, footer_offset, version, &rd->footer_)));
  rd->version_ = version;
  rd->footer_checksum_ = footer_sum;
  return rd;
}

Result<std::vector<Column>> SegmentReader::ReadRowGroup(size_t g) const {
  std::vector<Column> cols;
  for (size_t c = 0; c < footer_.columns.size(); ++c) {
    WH_ASSIGN_OR_RETURN(Column col, ReadColumn(g, c));
    cols.push_back(std::move(col));
  }
  return cols;
}

Result<std::vector<std::vector<ZoneMap>>> SegmentReader::PartZoneMaps() const {
  const size_t nparts = std::max<size_t>(footer_.parts.size(), 1), ncols = footer_.columns.size();
  std::vector<std::vector<ZoneMerger>> merged(nparts, std::vector<ZoneMerger>(ncols));
  for (size_t g = 0; g < footer_.row_groups.size(); ++g) {
    const RowGroupMeta& rg = footer_.row_groups[g];
    const std::span<const BucketRun> runs = footer_.GroupBuckets(g);
    for (size_t c = 0; c < ncols; ++c) {
      const DataType& type = footer_.columns[c].type;
      if (rg.first_part == rg.last_part) {
        merged[rg.first_part][c].Add(footer_.BlockZone(g, c), rg.rows, type);
        continue;
      }
      WH_ASSIGN_OR_RETURN(Column col, ReadColumn(g, c));
      for (size_t e = 0; e < runs.size();) {
        size_t end = e;
        while (end < runs.size() && runs[end].part == runs[e].part) ++end;
        const uint32_t at = runs[e].at, n = runs[end - 1].at + runs[end - 1].rows - at;
        merged[runs[e].part][c].Add(ComputeZoneMap(col, at, at + n), n, type);
        e = end;
      }
    }
  }
  std::vector<std::vector<ZoneMap>> out(nparts);
  for (size_t k = 0; k < nparts; ++k)
    for (const ZoneMerger& z : merged[k]) out[k].push_back(z.Result());
  return out;
}

Result<uint32_t> SegmentReader::PartNumber(std::optional<int32_t> partition) const {
  const std::optional<uint32_t> k = footer_.PartIndex(partition);
  if (!k)
    return Status::Corruption(path() + ": the file has no rows of partition " +
                              (partition ? std::to_string(*partition) + " (days)" : std::string("NULL")) +
                              ", which the manifest says it holds");
  return *k;
}

Status SegmentReader::Conform(const std::vector<ColumnSpec>& columns) {
  const std::vector<ColumnSpec>& own = footer_.columns;
  auto same_name = [](const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
  };
  std::vector<ColumnSource> sources(columns.size());
  std::vector<bool> used(own.size(), false);
  bool identity = columns.size() == own.size();
  for (size_t c = 0; c < columns.size(); ++c) {
    for (size_t f = 0; f < own.size(); ++f) {
      if (!same_name(own[f].name, columns[c].name)) continue;
      if (!CanWiden(own[f].type, columns[c].type))
        return Status::Corruption(path() + ": column '" + own[f].name + "' is " + own[f].type.ToString() +
                                  " in the file, which does not widen to the table's " + columns[c].type.ToString());
      sources[c] = {static_cast<int32_t>(f), own[f].type};
      used[f] = true;
      break;
    }
    if (sources[c].column < 0 && !columns[c].nullable)
      return Status::Corruption(path() + ": the file lacks the NOT NULL column '" + columns[c].name + "'");
    identity = identity && sources[c].column == static_cast<int32_t>(c) && own[c].type == columns[c].type;
  }
  for (size_t f = 0; f < own.size(); ++f)
    if (!used[f]) return Status::Corruption(path() + ": the file has a column '" + own[f].name + "' that the table lacks");
  if (identity) return Status::OK();
  std::vector<ColumnSpec> specs = columns;
  for (size_t c = 0; c < columns.size(); ++c)
    if (sources[c].column >= 0) specs[c].nullable = own[sources[c].column].nullable;
  for (RowGroupMeta& rg : footer_.row_groups) {
    std::vector<BlockMeta> blocks(columns.size());
    for (size_t c = 0; c < columns.size(); ++c)
      if (sources[c].column >= 0) blocks[c] = rg.blocks[sources[c].column];
    rg.blocks = std::move(blocks);
  }
  footer_.columns = std::move(specs);
  footer_.sources = std::move(sources);
  return Status::OK();
}

Result<Column> SegmentReader::ReadColumn(size_t g, size_t c) const {
  if (g >= footer_.row_groups.size() || c >= footer_.columns.size())
    return Status::Internal("ReadColumn: no such block");
  const RowGroupMeta& rg = footer_.row_groups[g];
  if (!footer_.sources.empty()) {
    const ColumnSource& src = footer_.sources[c];
    if (src.column < 0) return NullColumn(footer_.columns[c].type, rg.rows);
    if (!(src.type == footer_.columns[c].type)) {
      WH_ASSIGN_OR_RETURN(Column col, ReadBlock(g, c, src.type));
      return WidenColumn(col, footer_.columns[c].type);
    }
  }
  return ReadBlock(g, c, footer_.columns[c].type);
}

Result<Column> SegmentReader::ReadBlock(size_t g, size_t c, const DataType& type) const {
  const RowGroupMeta& rg = footer_.row_groups[g];
  const BlockMeta& bm = rg.blocks[c];
  std::string data;
  const uint8_t* bytes;
  if (file_->Data() && bm.offset <= file_->Size() && bm.length <= file_->Size() - bm.offset) {
    bytes = file_->Data() + bm.offset;
  } else {
    WH_RETURN_IF_ERROR(file_->Read(bm.offset, bm.length, &data));
    bytes = reinterpret_cast<const uint8_t*>(data.data());
  }
  BlockInfo info;
  auto col = DecodeBlock(type, bytes, bm.length, rg.rows, &info);
  if (col.ok() && static_cast<uint8_t>(info.encoding) > MaxEncoding(version_))
    col = Status::Corruption("encoding " + std::string(EncodingName(info.encoding)) +
                             " in a file of format version " + std::to_string(version_));
  if (!col.ok())
    return col.status().WithContext(path() + ": row group " + std::to_string(g) + " (bucket " +
                                    std::to_string(rg.bucket) + "), column '" +
                                    footer_.columns[c].name + "', block at offset " +
                                    std::to_string(bm.offset));
  if (!footer_.columns[c].nullable && col->has_nulls())
    return Status::Corruption(path() + ": NULL in NOT NULL column '" + footer_.columns[c].name + "'");
  return col;
}

Result<SegmentReader::BlockHeader> SegmentReader::ReadBlockHeader(size_t g, size_t c) const {
  if (g >= footer_.row_groups.size() || c >= footer_.columns.size())
    return Status::Internal("ReadBlockHeader: no such block");
  if (!footer_.sources.empty() && footer_.sources[c].column < 0)
    return Status::InvalidArgument(path() + ": the file has no column '" + footer_.columns[c].name + "'");
  const BlockMeta& bm = footer_.row_groups[g].blocks[c];
  std::string data;
  WH_RETURN_IF_ERROR(file_->Read(bm.offset, 16, &data));
  ByteReader r(data);
  uint8_t enc = r.GetU8(), comp = r.GetU8();
  r.GetU16();
  r.GetU32();
  BlockHeader h{};
  h.raw_size = r.GetU32();
  h.stored_size = r.GetU32();
  if (!r.ok() || enc > MaxEncoding(version_) || comp > 1)
    return Status::Corruption(path() + ": bad block header at offset " + std::to_string(bm.offset));
  h.encoding = static_cast<Encoding>(enc);
  h.zstd = comp == 1;
  return h;
}

size_t SegmentReader::VerifyBlocks(const std::function<void(const Status&)>& on_error) const {
  size_t bad = 0;
  for (size_t g = 0; g < footer_.row_groups.size(); ++g) {
    for (size_t c = 0; c < footer_.columns.size(); ++c) {
      auto col = ReadColumn(g, c);
      if (!col.ok()) {
        ++bad;
        on_error(col.status());
        continue;
      }
      // The zone map must describe the block's values.
      ZoneMap z = ComputeZoneMap(*col, 0, col->size());
      const ZoneMap stored = footer_.BlockZone(g, c);
      const DataType& t = footer_.columns[c].type;
      bool same = z.null_count == stored.null_count && z.has_min_max == stored.has_min_max;
      if (same && z.has_min_max) {
        if (t.physical() == PhysicalType::kDouble) {
          same = z.min_d == stored.min_d && z.max_d == stored.max_d;
        } else if (t.physical() == PhysicalType::kString) {
          same = z.min_s == stored.min_s && z.max_s == stored.max_s;
        } else {
          same = z.min_i == stored.min_i && z.max_i == stored.max_i;
        }
      }
      if (!same) {
        ++bad;
        on_error(Status::Corruption(path() + ": row group " + std::to_string(g) + ", column '" +
                                    footer_.columns[c].name +
                                    "': zone map does not match the block's values"));
      }
    }
  }
  return bad;
}

}  // namespace wh
