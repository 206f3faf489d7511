#include "format/segment.h"

#include <algorithm>
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

std::pair<size_t, size_t> SegmentFooter::PartGroups(std::optional<int32_t> partition) const {
  if (parts.empty()) return {0, row_groups.size()};
  auto it = std::lower_bound(parts.begin(), parts.end(), partition,
                             [](const SegmentPart& p, const std::optional<int32_t>& v) { return p.partition < v; });
  if (it == parts.end() || it->partition != partition) return {0, 0};
  return {it->first_group, it->groups};
}

ZoneMap SegmentFooter::ColumnZoneMap(size_t c, size_t first, size_t count) const {
  ZoneMap z;
  // A block without min/max that is not all NULL (a NaN, a string longer than 256 bytes) holds
  // values no bound covers: then the segment has no min/max either (only its NULL count).
  bool unbounded = false;
  first = std::min(first, row_groups.size());
  const size_t end = first + std::min(count, row_groups.size() - first);
  for (size_t g = first; g < end; ++g) {
    const ZoneMap b = BlockZone(g, c);
    if (!b.has_min_max && b.null_count < row_groups[g].rows) unbounded = true;
    z.Merge(b, columns[c].type);
  }
  if (unbounded) {
    ZoneMap none;
    none.null_count = z.null_count;
    return none;
  }
  return z;
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
                                 const std::vector<BucketRun>& index) {
  RowGroupMeta rg;
  rg.bucket = index.front().bucket;
  rg.last_bucket = index.back().bucket;
  rg.rows = static_cast<uint32_t>(end - begin);
  rg.index_at = static_cast<uint32_t>(footer_.bucket_index.size());
  rg.index_count = static_cast<uint32_t>(index.size());
  footer_.bucket_index.insert(footer_.bucket_index.end(), index.begin(), index.end());
  for (size_t c = 0; c < cols.size(); ++c) {
    scratch_.clear();
    WH_RETURN_IF_ERROR(EncodeBlock(*cols[c], begin, end, options_, &scratch_));
    BlockMeta bm;
    bm.offset = offset_;
    bm.length = static_cast<uint32_t>(scratch_.size());
    bm.zone_at = static_cast<uint32_t>(footer_.zone_bytes.size());
    ComputeZoneMap(*cols[c], begin, end).Serialize(footer_.columns[c].type, &footer_.zone_bytes);
    bm.zone_size = static_cast<uint32_t>(footer_.zone_bytes.size() - bm.zone_at);
    WH_RETURN_IF_ERROR(Write(scratch_));
    rg.blocks.push_back(std::move(bm));
  }
  footer_.rows += rg.rows;
  footer_.row_groups.push_back(std::move(rg));
  return Status::OK();
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

Status SegmentWriter::AddRows(uint32_t bucket, const std::vector<const Column*>& cols,
                              size_t begin, size_t end) {
  if (cols.size() != footer_.columns.size())
    return Status::Internal("SegmentWriter: column count mismatch");
  for (size_t c = 0; c < cols.size(); ++c)
    if (!(cols[c]->type() == footer_.columns[c].type))
      return Status::Internal("SegmentWriter: column type mismatch");
  const bool part_empty =
      footer_.row_groups.empty() || (!footer_.parts.empty() && footer_.parts.back().first_group == footer_.row_groups.size());
  const uint32_t last = !shared_index_.empty() ? shared_index_.back().bucket
                        : part_empty           ? 0
                                               : footer_.row_groups.back().last_bucket;
  if (bucket < last) return Status::Internal("SegmentWriter: buckets out of order");
  if (offset_ == 0) WH_RETURN_IF_ERROR(Write(std::string_view(kSegmentMagic, 8)));
  if (end == begin) return Status::OK();
  const uint32_t share = bucket < share_end_.size() ? share_end_[bucket] : 0;
  if (!shared_index_.empty() && (share != shared_end_ || bucket >= shared_end_))
    WH_RETURN_IF_ERROR(FlushShared());
  // A range of several buckets (this bucket may be its last one) shares a row group.
  const bool shares = share > bucket + 1 || (!shared_index_.empty() && share == shared_end_);
  if (shares && end - begin <= max_rows_per_group_ &&
      (shared_index_.empty() ? 0 : shared_[0].size()) + (end - begin) <= max_rows_per_group_) {
    if (shared_index_.empty()) {
      for (const auto& c : footer_.columns) shared_.emplace_back(c.type);
      shared_end_ = share;
    }
    for (size_t c = 0; c < cols.size(); ++c) shared_[c].AppendRange(*cols[c], begin, end - begin);
    if (!shared_index_.empty() && shared_index_.back().bucket == bucket)
      shared_index_.back().rows += static_cast<uint32_t>(end - begin);
    else
      shared_index_.push_back({bucket, static_cast<uint32_t>(end - begin)});
    return Status::OK();
  }
  WH_RETURN_IF_ERROR(FlushShared());
  for (size_t b = begin; b < end; b += max_rows_per_group_) {
    size_t e = std::min(end, b + max_rows_per_group_);
    WH_RETURN_IF_ERROR(WriteGroup(cols, b, e, {{bucket, static_cast<uint32_t>(e - b)}}));
  }
  return Status::OK();
}

Status SegmentWriter::BeginPart(std::optional<int32_t> partition) {
  if (!parts_begun_ && (!footer_.row_groups.empty() || !shared_index_.empty()))
    return Status::Internal("SegmentWriter: BeginPart after rows added outside any part");
  if (!footer_.parts.empty() && !(footer_.parts.back().partition < partition))
    return Status::Internal("SegmentWriter: partitions out of order");
  WH_RETURN_IF_ERROR(FlushShared());
  parts_begun_ = true;
  SegmentPart part;
  part.partition = partition;
  part.first_group = static_cast<uint32_t>(footer_.row_groups.size());
  footer_.parts.push_back(part);
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
  // The parts table: each part's row groups (an empty part is left out); one part without
  // partition for a writer that began none.
  if (!parts_begun_ && !footer_.row_groups.empty()) footer_.parts.push_back(SegmentPart{});
  for (size_t k = 0; k < footer_.parts.size(); ++k) {
    const size_t next = k + 1 < footer_.parts.size() ? footer_.parts[k + 1].first_group : footer_.row_groups.size();
    footer_.parts[k].groups = static_cast<uint32_t>(next - footer_.parts[k].first_group);
  }
  std::erase_if(footer_.parts, [](const SegmentPart& p) { return p.groups == 0; });
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
    w.PutU32(rg.index_count);
    for (const BucketRun& e : footer_.GroupBuckets(g)) {
      w.PutU32(e.bucket);
      w.PutU32(e.rows);
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
    } else {  // u32 rows, u32 entries, entries x (u32 bucket, u32 rows)
      rg.rows = r.GetU32();
      if (!r.ok() || rg.rows == 0 || rg.rows > kMaxBlockRows) return bad("row group row count");
      const uint32_t entries = r.GetU32();
      if (!r.ok() || entries == 0 || entries > rg.rows || entries > r.remaining() / 8)
        return bad("row group " + std::to_string(g) + ": bucket index of " + std::to_string(entries) + " entries");
      uint64_t sum = 0;
      for (uint32_t e = 0; e < entries; ++e) {
        BucketRun run{r.GetU32(), r.GetU32()};
        if (run.rows == 0 || (e > 0 && run.bucket <= f.bucket_index.back().bucket))
          return bad("row group " + std::to_string(g) + ": bucket index out of order or with an empty bucket");
        sum += run.rows;
        f.bucket_index.push_back(run);
      }
      if (sum != rg.rows)
        return bad("row group " + std::to_string(g) + ": bucket index adds up to " + std::to_string(sum) +
                   " rows, not " + std::to_string(rg.rows));
      rg.bucket = f.bucket_index[rg.index_at].bucket;
    }
    rg.index_count = static_cast<uint32_t>(f.bucket_index.size() - rg.index_at);
    rg.last_bucket = f.bucket_index.back().bucket;
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
  if (version >= 3) {  // the parts table: u32 count, count x (u8 has partition, i32 day, u32 row groups)
    const uint32_t nparts = r.GetU32();
    if (!r.ok() || nparts > nrg || (nrg > 0 && nparts == 0)) return bad("part count");
    uint32_t first = 0;
    for (uint32_t k = 0; k < nparts; ++k) {
      SegmentPart p;
      const uint8_t has = r.GetU8();
      const int32_t day = r.GetI32();
      p.groups = r.GetU32();
      if (!r.ok() || has > 1 || (!has && day != 0)) return bad("part " + std::to_string(k));
      if (has) p.partition = day;
      if (p.groups == 0 || p.groups > nrg - first) return bad("part " + std::to_string(k) + ": row group count");
      if (!f.parts.empty() && !(f.parts.back().partition < p.partition))
        return bad("parts out of partition order");
      p.first_group = first;
      first += p.groups;
      f.parts.push_back(p);
    }
    if (first != nrg) return bad("parts cover " + std::to_string(first) + " of " + std::to_string(nrg) + " row groups");
  }
  // Within a part (the whole file before version 3), row groups are in bucket order.
  const std::vector<SegmentPart> whole = {SegmentPart{std::nullopt, 0, nrg}};
  for (const SegmentPart& p : f.parts.empty() ? whole : f.parts)
    for (size_t g = p.first_group + 1; g < p.first_group + p.groups; ++g)
      if (f.row_groups[g - 1].last_bucket > f.row_groups[g].bucket) return bad("row groups out of bucket order");
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

Result<std::pair<size_t, size_t>> SegmentReader::Part(std::optional<int32_t> partition) const {
  const auto range = footer_.PartGroups(partition);
  if (!footer_.parts.empty() && range.second == 0)
    return Status::Corruption(path() + ": the file has no rows of partition " +
                              (partition ? std::to_string(*partition) + " (days)" : std::string("NULL")) +
                              ", which the manifest says it holds");
  return range;
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
