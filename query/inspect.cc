// `wh inspect`: what is in a warehouse, a table, or a partition's segments, down to blocks.
#include <map>
#include <memory>
#include <set>

#include "query/query.h"

namespace wh {

namespace {

// The name of an entry's partition: `<pcol>=<YYYY-MM-DD>` (or `=__HIVE_DEFAULT_PARTITION__`),
// or `data` for an unpartitioned table.
std::string PartitionName(const TableSnapshot& s, const SegmentEntry& seg) {
  return s.schema.partition_column.empty() ? std::string("data") : PartitionDirName(s.schema.partition_column, seg.partition);
}

// Bytes of the blocks of the entry's part of its file (of a row group that parts share, the
// part's share by rows).
Result<uint64_t> PartBytes(const SegmentReader& reader, const SegmentEntry& seg) {
  WH_ASSIGN_OR_RETURN(const uint32_t part, reader.PartNumber(seg.partition));
  const SegmentFooter& f = reader.footer();
  const auto [first, count] = f.PartRange(part);
  uint64_t n = 0;
  for (size_t g = first; g < first + count; ++g) {
    uint64_t bytes = 0;
    for (const BlockMeta& b : f.row_groups[g].blocks) bytes += b.length;
    n += f.OnlyPart(g, part) ? bytes : bytes * f.Slice(g, part).rows / f.row_groups[g].rows;
  }
  return n;
}

// One row per block of a partition (by name) or of the segment files whose path starts with
// `prefix`: where it is, how it is encoded, and its zone map.
Result<ResultSet> InspectBlocks(Warehouse* wh, const TableSnapshot& s, const std::string& prefix) {
  std::vector<std::string> paths, cols, encs, mins, maxs;
  std::vector<int64_t> groups, buckets, last_buckets, rows, offsets, lengths, raws, nulls, part_rows;
  size_t matched = 0;
  for (const auto& seg : s.segments) {
    if (PartitionName(s, seg) != prefix && seg.path.compare(0, prefix.size(), prefix) != 0) continue;
    ++matched;
    WH_ASSIGN_OR_RETURN(auto reader, SegmentReader::Open(wh->fs(), s.SegmentPath(seg)));
    const SegmentFooter& f = reader->footer();
    WH_ASSIGN_OR_RETURN(const uint32_t part, reader->PartNumber(seg.partition));
    const auto [first, count] = f.PartRange(part);
    for (size_t g = first; g < first + count; ++g) {
      const uint32_t slice_rows = f.Slice(g, part).rows;
      if (slice_rows == 0) continue;  // a row group of other parts only
      const RowGroupMeta& rg = f.row_groups[g];
      for (size_t c = 0; c < f.columns.size(); ++c) {
        const BlockMeta& bm = rg.blocks[c];
        const ZoneMap zone = f.BlockZone(g, c);
        WH_ASSIGN_OR_RETURN(auto h, reader->ReadBlockHeader(g, c));
        const DataType& t = f.columns[c].type;
        paths.push_back(seg.path);
        groups.push_back(static_cast<int64_t>(g));
        buckets.push_back(rg.bucket);
        last_buckets.push_back(rg.last_bucket);
        rows.push_back(rg.rows);
        part_rows.push_back(slice_rows);
        cols.push_back(f.columns[c].name);
        encs.push_back(std::string(EncodingName(h.encoding)) + (h.zstd ? "+zstd" : ""));
        offsets.push_back(static_cast<int64_t>(bm.offset));
        lengths.push_back(bm.length);
        raws.push_back(h.raw_size);
        nulls.push_back(static_cast<int64_t>(zone.null_count));
        mins.push_back(zone.has_min_max ? zone.MinString(t) : "(no stats)");
        maxs.push_back(zone.has_min_max ? zone.MaxString(t) : "(no stats)");
      }
    }
  }
  if (matched == 0)
    return Status::NotFound("table '" + s.schema.name + "' has no partition or segment '" +
                            prefix + "' (see `wh inspect " + s.schema.name + "`)");
  ResultSet rs;
  rs.AddColumn("segment", StringColumn(paths));
  rs.AddColumn("row_group", Int64Column(groups));
  rs.AddColumn("bucket", Int64Column(buckets));
  rs.AddColumn("last_bucket", Int64Column(last_buckets));
  rs.AddColumn("rows", Int64Column(rows));
  rs.AddColumn("column", StringColumn(cols));
  rs.AddColumn("encoding", StringColumn(encs));
  rs.AddColumn("offset", Int64Column(offsets));
  rs.AddColumn("bytes", Int64Column(lengths));
  rs.AddColumn("raw_bytes", Int64Column(raws));
  rs.AddColumn("nulls", Int64Column(nulls));
  rs.AddColumn("min", StringColumn(mins));
  rs.AddColumn("max", StringColumn(maxs));
  rs.AddColumn("part_rows", Int64Column(part_rows));
  return rs;
}

}  // namespace

Result<std::vector<std::pair<std::string, ResultSet>>> Inspect(Warehouse* wh,
                                                               const std::string& table,
                                                               const std::string& blocks_of) {
  std::vector<std::pair<std::string, ResultSet>> out;
  if (table.empty()) {
    WH_ASSIGN_OR_RETURN(auto names, wh->ListTables());
    std::vector<int64_t> parts, segs, rows, bytes, buckets, commits;
    for (const auto& n : names) {
      WH_ASSIGN_OR_RETURN(TableSnapshot s, wh->GetSnapshot(n));
      std::set<std::optional<int32_t>> p;
      for (const auto& seg : s.segments) p.insert(seg.partition);
      parts.push_back(static_cast<int64_t>(p.size()));
      segs.push_back(static_cast<int64_t>(s.files()));
      rows.push_back(static_cast<int64_t>(s.rows()));
      bytes.push_back(static_cast<int64_t>(s.bytes()));
      buckets.push_back(s.schema.bucket_count);
      commits.push_back(static_cast<int64_t>(s.last_seq));
    }
    ResultSet rs;
    rs.AddColumn("table", StringColumn(names));
    rs.AddColumn("buckets", Int64Column(buckets));
    rs.AddColumn("partitions", Int64Column(parts));
    rs.AddColumn("files", Int64Column(segs));
    rs.AddColumn("rows", Int64Column(rows));
    rs.AddColumn("bytes", Int64Column(bytes));
    rs.AddColumn("commits", Int64Column(commits));
    out.emplace_back("tables", std::move(rs));
    return out;
  }
  WH_ASSIGN_OR_RETURN(TableSnapshot s, wh->GetSnapshot(table));
  if (!blocks_of.empty()) {
    WH_ASSIGN_OR_RETURN(ResultSet rs, InspectBlocks(wh, s, blocks_of));
    out.emplace_back("blocks of " + s.schema.name + "/" + blocks_of, std::move(rs));
    return out;
  }
  auto cols = s.schema.StorageColumns();
  // The bytes of each entry's part (its blocks): from the files' footers, each read once. A file
  // that cannot be read (missing or damaged: the listing is what one looks at then) gives each
  // of its parts its share of the file's size by rows.
  std::vector<uint64_t> part_bytes(s.segments.size(), 0);
  for (size_t i = 0, end; i < s.segments.size(); i = end) {
    uint64_t file_rows = 0;
    for (end = i; end < s.segments.size() && s.segments[end].path == s.segments[i].path; ++end)
      file_rows += s.segments[end].rows;
    auto r = SegmentReader::Open(wh->fs(), s.SegmentPath(s.segments[i]));
    for (size_t k = i; k < end; ++k) {
      const SegmentEntry& seg = s.segments[k];
      Result<uint64_t> b = r.ok() ? PartBytes(**r, seg) : Result<uint64_t>(r.status());
      part_bytes[k] = b.ok() ? *b : (file_rows ? seg.bytes * seg.rows / file_rows : 0);
    }
  }
  // Partitions.
  struct Part { int64_t segs = 0, rows = 0, bytes = 0; std::set<uint32_t> buckets; };
  std::map<std::optional<int32_t>, Part> parts;
  for (size_t i = 0; i < s.segments.size(); ++i) {
    const SegmentEntry& seg = s.segments[i];
    Part& p = parts[seg.partition];
    p.segs++;
    p.rows += seg.rows;
    p.bytes += part_bytes[i];
    for (auto [b, n] : seg.bucket_rows) p.buckets.insert(b);
  }
  {
    std::vector<std::string> names;
    std::vector<int64_t> segs, rows, bytes, buckets;
    for (const auto& [n, p] : parts) {
      names.push_back(s.schema.partition_column.empty() ? std::string("data")
                                                        : PartitionDirName(s.schema.partition_column, n));
      segs.push_back(p.segs);
      rows.push_back(p.rows);
      bytes.push_back(p.bytes);
      buckets.push_back(static_cast<int64_t>(p.buckets.size()));
    }
    ResultSet rs;
    rs.AddColumn("partition", StringColumn(names));
    rs.AddColumn("files", Int64Column(segs));
    rs.AddColumn("buckets", Int64Column(buckets));
    rs.AddColumn("rows", Int64Column(rows));
    rs.AddColumn("bytes", Int64Column(bytes));
    out.emplace_back("partitions of " + s.schema.name, std::move(rs));
  }
  // Parts of the files (a file's rows of one partition) with their etl_date.
  {
    std::vector<std::string> paths, pnames, etl;
    std::vector<int64_t> commit, rows, bytes, buckets;
    for (size_t i = 0; i < s.segments.size(); ++i) {
      const SegmentEntry& seg = s.segments[i];
      paths.push_back(seg.path);
      pnames.push_back(PartitionName(s, seg));
      commit.push_back(static_cast<int64_t>(seg.commit_seq));
      rows.push_back(static_cast<int64_t>(seg.rows));
      bytes.push_back(static_cast<int64_t>(part_bytes[i]));
      buckets.push_back(static_cast<int64_t>(seg.bucket_rows.size()));
      // A merged segment holds the rows of several loads: their etl_date range.
      const std::string lo = seg.zones.back().MinString(cols.back().type), hi = seg.zones.back().MaxString(cols.back().type);
      etl.push_back(lo == hi ? lo : lo + " .. " + hi);
    }
    ResultSet rs;
    rs.AddColumn("segment", StringColumn(paths));
    rs.AddColumn("partition", StringColumn(pnames));
    rs.AddColumn("commit", Int64Column(commit));
    rs.AddColumn("etl_date", StringColumn(etl));
    rs.AddColumn("buckets", Int64Column(buckets));
    rs.AddColumn("rows", Int64Column(rows));
    rs.AddColumn("bytes", Int64Column(bytes));
    out.emplace_back("parts of " + s.schema.name + "'s files", std::move(rs));
  }
  // Zone maps of the whole table per column (merged over segments).
  {
    std::vector<std::string> names, types, mins, maxs;
    std::vector<int64_t> nulls;
    for (size_t c = 0; c < cols.size(); ++c) {
      ZoneMap z;
      bool all_stats = true;
      for (const auto& seg : s.segments) {
        const ZoneMap& sz = seg.zones[c];
        if (!sz.has_min_max && sz.null_count < seg.rows) all_stats = false;
        z.Merge(sz, cols[c].type);
      }
      names.push_back(cols[c].name);
      types.push_back(cols[c].type.ToString());
      mins.push_back(all_stats ? z.MinString(cols[c].type) : "(no stats)");
      maxs.push_back(all_stats ? z.MaxString(cols[c].type) : "(no stats)");
      nulls.push_back(static_cast<int64_t>(z.null_count));
    }
    ResultSet rs;
    rs.AddColumn("column", StringColumn(names));
    rs.AddColumn("type", StringColumn(types));
    rs.AddColumn("min", StringColumn(mins));
    rs.AddColumn("max", StringColumn(maxs));
    rs.AddColumn("nulls", Int64Column(nulls));
    out.emplace_back("zone maps of " + s.schema.name, std::move(rs));
  }
  return out;
}

}  // namespace wh
