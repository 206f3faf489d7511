// Segment files: immutable, columnar, holding the rows of one or more partitions (parts). A
// part's rows are in bucket order, in row groups of one bucket or of a range of small buckets
// (with a bucket index: which rows belong to which part and bucket); small parts share row
// groups. Each row group holds one block per column. The footer lists
// columns, properties, row groups and per-block zone maps; a fixed trailer locates and checks the
// footer. SPEC.md "Segment file" documents every byte.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "format/column.h"
#include "format/encoding.h"
#include "format/file_system.h"
#include "format/thread.h"

namespace wh {

constexpr char kSegmentMagic[8] = {'W', 'H', 'S', 'E', 'G', '\r', '\n', '\x1a'};
// Version 2 added the row group's bucket index (row groups of many buckets); version 3 the
// parts table (the rows of several partitions in one file); version 4 the block encodings
// LENGTHS and FOR_PATCHED; version 5 row groups shared by several parts (a part index in each
// bucket index entry, a first row group in each part). Files of versions 1 (one bucket per row
// group), 2, 3 and 4 stay readable.
constexpr uint16_t kSegmentFormatVersion = 5;
constexpr size_t kSegmentTrailerSize = 48;
// The highest block encoding a file of a format version may hold: LENGTHS and FOR_PATCHED came
// with version 4.
constexpr uint8_t MaxEncoding(uint16_t version) {
  return static_cast<uint8_t>(version >= 4 ? Encoding::kForPatched : Encoding::kForBitpack);
}
// Feature bits. A reader refuses a file with an incompatible bit it does not know; it may
// ignore unknown compatible bits. Version 1 defines none.
constexpr uint32_t kKnownIncompatFeatures = 0;
// The writer's default cap on rows per row group (a bucket with more rows gets several).
constexpr uint32_t kDefaultRowGroupRows = 65536;

struct ColumnSpec {
  std::string name;
  DataType type;
  bool nullable = true;
};

// A block's place in the file, and where its zone map's serialized bytes are in the footer's
// zone_bytes. Zone maps stay serialized until asked for (BlockZone): a query opens hundreds of
// footers of thousands of blocks each and looks at the zone maps of a few columns.
struct BlockMeta {
  uint64_t offset = 0;  // of the block frame in the file
  uint32_t length = 0;  // of the whole frame: header + payload + checksum
  uint32_t zone_at = 0;   // offset of the zone map in SegmentFooter::zone_bytes
  uint32_t zone_size = 0;  // its length in bytes
};

// One entry of a row group's bucket index: `rows` consecutive rows of bucket `bucket` of part
// `part` (an index into SegmentFooter::parts; 0 in a file without parts table). Files before
// version 5 store no part: a reader fills in the part whose row groups hold the entry.
struct BucketRun {
  uint32_t bucket = 0;
  uint32_t rows = 0;
  uint32_t part = 0;
  uint32_t at = 0;  // its first row in the row group (set by the reader and the writer)
};

struct RowGroupMeta {
  uint32_t bucket = 0;       // the least bucket with rows in the row group
  uint32_t last_bucket = 0;  // the greatest (== bucket for a row group of one bucket)
  uint32_t rows = 0;
  // Its bucket index: entries [index_at, index_at + index_count) of SegmentFooter::bucket_index,
  // in (part, bucket) order, one per part and bucket with rows here (one entry in a version-1
  // file).
  uint32_t index_at = 0;
  uint32_t index_count = 0;
  uint32_t first_part = 0;  // the parts of its first and last entries
  uint32_t last_part = 0;
  std::vector<BlockMeta> blocks;  // one per column, in column order
};

// A file's rows of one partition: in row groups [first_group, first_group + groups), which
// (from format version 5) may hold rows of other parts too.
struct SegmentPart {
  std::optional<int32_t> partition;  // days; nullopt: the NULL partition, or the unpartitioned table
  uint32_t first_group = 0;
  uint32_t groups = 0;
  // Written by SegmentWriter::Finish (never read from a file): one zone map per column over
  // the part's rows, as the manifest records them (SPEC.md "Segment zone maps").
  std::vector<ZoneMap> zones;
};

// A part's rows in one row group: rows [at, at + rows) of it, in the buckets of `runs`.
struct PartSlice {
  uint32_t at = 0;
  uint32_t rows = 0;
  std::span<const BucketRun> runs;
};

// Where a column of a conformed footer (SegmentReader::Conform) is in the file.
struct ColumnSource {
  int32_t column = -1;  // the file's column; -1: the file has none (every row reads as NULL)
  DataType type;        // its type in the file (values read are widened to the footer's type)
};

struct SegmentFooter {
  std::vector<ColumnSpec> columns;
  // Empty: `columns` are the file's. After SegmentReader::Conform: one per column, where it is
  // in the file; row_groups[g].blocks[c] is then that column's block (length 0 when none).
  std::vector<ColumnSource> sources;
  std::vector<std::pair<std::string, std::string>> properties;
  uint64_t rows = 0;
  std::vector<RowGroupMeta> row_groups;
  // The blocks' zone maps, serialized (SPEC.md "Zone map") one after the other.
  std::string zone_bytes;
  // The row groups' bucket indexes, one after the other.
  std::vector<BucketRun> bucket_index;

  // The parts, in increasing partition order (nullopt first). Empty for a file of version 1 or
  // 2: its rows are all of the one partition the manifest names.
  std::vector<SegmentPart> parts;

  std::string Property(const std::string& key) const;
  // The index of `partition`'s part (0 in a file without parts table, whose rows are all of the
  // one partition its manifest entry names); nullopt when the file has no such part.
  std::optional<uint32_t> PartIndex(std::optional<int32_t> partition) const;
  // Part `part`'s rows in row group g (none when it has no rows there).
  PartSlice Slice(size_t g, uint32_t part) const;
  // True when row group g holds rows of `part` only.
  bool OnlyPart(size_t g, uint32_t part) const {
    return row_groups[g].first_part == part && row_groups[g].last_part == part;
  }
  // The rows of part `part` (all rows of a file without parts table).
  uint64_t PartRows(uint32_t part) const;
  // Appends to *out the row groups of part `part` holding its rows of some bucket in [lo, hi),
  // in file order. Each row group is judged by the part's own first and last bucket there: the
  // row groups' bounds (over all their parts' rows) need not be in order across a part's range.
  void PartGroupsWithBuckets(uint32_t part, uint32_t lo, uint32_t hi, std::vector<size_t>* out) const;
  // The row groups [first, first + count) of part `part` (all of a file without parts table).
  std::pair<size_t, size_t> PartRange(uint32_t part) const {
    if (parts.empty()) return {0, row_groups.size()};
    return {parts[part].first_group, parts[part].groups};
  }
  std::span<const BucketRun> GroupBuckets(size_t g) const {
    return {bucket_index.data() + row_groups[g].index_at, row_groups[g].index_count};
  }
  // Zone map of block (row group g, column c).
  ZoneMap BlockZone(size_t g, size_t c) const;
};

// Merges zone maps of a column's pieces (blocks, or a part's rows of row groups) into the zone
// map of them all, as SPEC.md "Segment zone maps" defines it: a piece without min/max that holds
// a non-NULL value leaves the whole without min/max.
class ZoneMerger {
 public:
  void Add(const ZoneMap& z, uint64_t rows, const DataType& type) {
    if (!z.has_min_max && z.null_count < rows) unbounded_ = true;
    zone_.Merge(z, type);
  }
  ZoneMap Result() const {
    if (!unbounded_) return zone_;
    ZoneMap none;
    none.null_count = zone_.null_count;
    return none;
  }

 private:
  ZoneMap zone_;
  bool unbounded_ = false;
};

// Writes a segment to a WritableFile. Not thread-safe.
class SegmentWriter {
 public:
  SegmentWriter(WritableFile* file, std::vector<ColumnSpec> columns,
                std::vector<std::pair<std::string, std::string>> properties,
                EncodeOptions options = {});

  // Which buckets share row groups: share_end[b] > b + 1 puts bucket b's rows in one row group
  // with the buckets up to share_end[b] (exclusive), which must name the same end; anything else
  // (or a bucket past the vector) gives bucket b row groups of its own. ShareBuckets computes it.
  // BeginPart with rows per bucket sets it for its part; BeginPart without keeps the last one.
  void ShareRowGroups(std::vector<uint32_t> share_end) { share_end_ = std::move(share_end); }
  // Starts the rows of another partition: the rows added next, until the next BeginPart, are its
  // part (buckets in order again from 0). Partitions must come in increasing order, nullopt
  // first. A writer that never calls it writes one part without partition.
  Status BeginPart(std::optional<int32_t> partition);
  // BeginPart for a part that will hold rows_per_bucket[b] rows of bucket b (the table's bucket
  // count: the vector's size), which lays it out: a part of fewer than kSpanPartRows rows
  // shares row groups with the small parts next to it (up to kSpanGroupRows rows in all, laid
  // out as one part of their rows would be, each row group's rows in part order); a larger one
  // gets row groups of its own, buckets sharing them as ShareBuckets says (with
  // options.shared_group_rows; 0: neither).
  Status BeginPart(std::optional<int32_t> partition, const std::vector<uint64_t>& rows_per_bucket);
  // Adds rows [begin, end) of `columns` (one Column per ColumnSpec, all of one bucket): in row
  // groups of their own of at most max_rows_per_group rows, or, for a bucket that shares, to the
  // shared row group being gathered (copied; written when a bucket past its range comes, or at
  // Finish). REQUIRES: buckets are added in non-decreasing order.
  Status AddRows(uint32_t bucket, const std::vector<const Column*>& columns, size_t begin,
                 size_t end);
  // The current part's rows of every bucket, rows_per_bucket[b] of bucket b after those of b - 1,
  // from row `begin` of `columns` on: AddRows for each bucket, or for a part the writer gathers,
  // one copy of them all.
  Status AddBuckets(const std::vector<const Column*>& columns, size_t begin,
                    const std::vector<uint64_t>& rows_per_bucket);
  // Writes the footer and trailer. Does not sync or close the file.
  Result<SegmentFooter> Finish();

  uint64_t bytes_written() const { return offset_; }
  // XXH64 of the footer, valid after Finish(); the manifest records it to tie entry and file.
  uint64_t footer_checksum() const { return footer_checksum_; }
  void set_max_rows_per_group(uint32_t n) { max_rows_per_group_ = n; }
  // Encodes each row group's columns on `threads` threads (the caller's among them), for a
  // file written while the other cores are idle; 1 (the default): on the caller's alone. The
  // bytes written are the same either way.
  void set_threads(unsigned threads) {
    helpers_ = threads > 1 ? std::make_unique<HelperThreads>(threads - 1) : nullptr;
  }
  // Runs fn(c) for c in [0, n) on the writer's threads (on the caller's alone when it has no
  // helpers or `values`, the values the calls touch in all, are few): for gathering the columns
  // of the rows the writer is given next.
  void ForEachColumn(size_t n, uint64_t values, const std::function<void(size_t)>& fn);

 private:
  Status Write(std::string_view data);
  // Whether work on `values` values (rows x columns) is shared out among the writer's threads.
  bool Parallel(uint64_t values) const;
  // Writes rows [begin, end) of cols as one row group with the given bucket index (its parts'
  // zone maps merged into part_zones_); gather(c), when given, fills column c first (on the
  // thread that then encodes it).
  Status WriteGroup(const std::vector<const Column*>& cols, size_t begin, size_t end,
                    const std::vector<BucketRun>& index, const std::function<void(size_t)>& gather = {});
  Status FlushShared();
  // Writes the gathered small parts (spanning_) as row groups of bucket ranges.
  Status FlushSpanning();
  // Drops the last part when it got no rows.
  void DropEmptyPart();
  // Internal error unless `cols` are one column of each ColumnSpec's type.
  Status CheckColumns(const std::vector<const Column*>& cols) const;
  // Rows of a part being gathered: a (bucket, rows) run of part `part`, merged with the last
  // one when it continues it; the rows [begin, begin + n) of cols copied into spanning_.
  void SpanRun(uint32_t bucket, uint32_t rows, uint32_t part);
  void Span(const std::vector<const Column*>& cols, size_t begin, size_t n);
  // Begins a part (after the gathered small parts are written, or not).
  Status StartPart(std::optional<int32_t> partition);

  WritableFile* file_;
  SegmentFooter footer_;
  EncodeOptions options_;
  uint64_t offset_ = 0;
  uint32_t max_rows_per_group_ = kDefaultRowGroupRows;
  uint64_t footer_checksum_ = 0;
  std::vector<std::string> blocks_;  // a row group's encoded blocks: a column each, or one buffer
  std::unique_ptr<HelperThreads> helpers_;
  std::vector<uint32_t> share_end_;
  bool parts_begun_ = false;
  // The shared row group being gathered: its rows, its index, the end of its bucket range.
  std::vector<Column> shared_;
  std::vector<BucketRun> shared_index_;
  uint32_t shared_end_ = 0;
  // Small parts gathered to share row groups: their rows in part and bucket order, the runs
  // of them, and the table's bucket count.
  std::vector<Column> spanning_;
  std::vector<BucketRun> spanning_runs_;
  uint64_t spanning_rows_ = 0;
  size_t spanning_buckets_ = 0;
  bool part_spans_ = false;  // the current part's rows go to spanning_
  // Per part, per column: the merge of the zone maps of its rows in each row group; its rows;
  // the last bucket added to the current part.
  std::vector<std::vector<ZoneMerger>> part_zones_;
  std::vector<uint64_t> part_rows_;
  uint32_t part_last_bucket_ = 0;
};

// Parts of fewer rows than this share row groups with their neighbours, up to kSpanGroupRows
// rows in all (SegmentWriter::BeginPart).
constexpr uint64_t kSpanPartRows = 8192;
constexpr uint64_t kSpanGroupRows = 65536;
// Row groups of fewer values (rows x columns) than this are encoded on one thread.
constexpr uint64_t kParallelEncodeValues = 16384;

// Which buckets share row groups, for a segment holding rows_per_bucket[b] rows of bucket b
// (n = the vector's size): the range [0, n) is halved again and again, at the bounds
// floor(i * n / 2^k), until a range holds a single bucket, or at most `target` rows, at most
// kShareCellRows per bucket on average, and is of level k >= kShareMinLevel or holds at most
// kShareSmallRows rows. Returns share_end per bucket (SegmentWriter::ShareRowGroups): the end
// of the bucket's range. Buckets of a few hundred rows or more keep row groups of their own:
// their blocks' overhead is small, and queries then run a unit of work per bucket.
// Ranges so made are aligned: those of 2^k equal parts of [0, n), which bucket-parallel queries
// use as their units of work (at least 2^kShareMinLevel of them), never cut one (see SPEC.md
// "Row groups and buckets").
constexpr unsigned kShareMinLevel = 3;
constexpr uint64_t kShareSmallRows = 1024;
constexpr uint64_t kShareCellRows = 512;
std::vector<uint32_t> ShareBuckets(const std::vector<uint64_t>& rows_per_bucket, uint64_t target);

// Reads a segment. Open() reads the trailer and footer (one tail read) and verifies both; blocks
// are read and verified on demand. Thread-safe after Open().
class SegmentReader {
 public:
  static Result<std::unique_ptr<SegmentReader>> Open(FileSystem* fs, const std::string& path);

  const SegmentFooter& footer() const { return footer_; }
  uint16_t format_version() const { return version_; }
  uint64_t file_size() const { return file_->Size(); }
  const std::string& path() const { return file_->path(); }
  uint64_t footer_checksum() const { return footer_checksum_; }

  // The index of `partition`'s part (SegmentFooter::PartIndex); Corruption when the file has no
  // such part.
  Result<uint32_t> PartNumber(std::optional<int32_t> partition) const;
  // Makes the reader present the file as holding `columns` (a table's storage columns now),
  // matching the file's columns by name ignoring case (SPEC.md "Schema changes"): a column the
  // file lacks reads as NULL in every row, one of a narrower type is widened as it is read, and
  // footer() lists `columns`. Corruption when the file cannot be read so: a column of the file
  // that `columns` lacks, a type that does not widen, a NOT NULL column the file lacks. Call once,
  // right after Open (VerifyBlocks checks the file's own blocks: call it before).
  Status Conform(const std::vector<ColumnSpec>& columns);
  // Reads, verifies and decodes block (row_group, column).
  Result<Column> ReadColumn(size_t row_group, size_t column) const;
  // Every column of a row group, decoded (ReadColumn of each).
  Result<std::vector<Column>> ReadRowGroup(size_t row_group) const;
  // The zone map of every part (by index; one part for a file without parts table) and column
  // over the part's rows, as the manifest records it (SPEC.md "Segment zone maps"): the merge of
  // its row groups' block zone maps, where a row group holds rows of other parts too that of
  // its rows there (each such row group decoded once).
  Result<std::vector<std::vector<ZoneMap>>> PartZoneMaps() const;
  // The frame header of block (row_group, column): encoding, compression and sizes. Reads 16
  // bytes; the block's checksum is not verified (ReadColumn does that).
  struct BlockHeader {
    Encoding encoding;
    bool zstd;
    uint32_t raw_size;
    uint32_t stored_size;
  };
  Result<BlockHeader> ReadBlockHeader(size_t row_group, size_t column) const;
  // Reads and verifies every block; calls `on_error` for each bad one (with its location) and
  // returns the number of bad blocks.
  size_t VerifyBlocks(const std::function<void(const Status&)>& on_error) const;

 private:
  SegmentReader() = default;
  // Block (g, c) decoded as `type` (the file's type of the column).
  Result<Column> ReadBlock(size_t g, size_t c, const DataType& type) const;

  std::unique_ptr<RandomAccessFile> file_;
  SegmentFooter footer_;
  uint16_t version_ = 0;
  uint64_t footer_checksum_ = 0;
};

// Parses and validates the footer bytes of a file of the given format version (exposed for
// tests and fuzzing).
Status ParseSegmentFooter(std::string_view bytes, uint64_t blocks_end, uint16_t version, SegmentFooter* out);

}  // namespace wh
