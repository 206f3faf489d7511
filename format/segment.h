// Segment files: immutable, columnar, one file per (ingest batch, partition). Rows are grouped
// by bucket into row groups; each row group holds one block per column. The footer lists
// columns, properties, row groups and per-block zone maps; a fixed trailer locates and checks the
// footer. SPEC.md "Segment file" documents every byte.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "format/column.h"
#include "format/encoding.h"
#include "format/file_system.h"

namespace wh {

constexpr char kSegmentMagic[8] = {'W', 'H', 'S', 'E', 'G', '\r', '\n', '\x1a'};
constexpr uint16_t kSegmentFormatVersion = 1;
constexpr size_t kSegmentTrailerSize = 48;
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

struct RowGroupMeta {
  uint32_t bucket = 0;
  uint32_t rows = 0;
  std::vector<BlockMeta> blocks;  // one per column, in column order
};

struct SegmentFooter {
  std::vector<ColumnSpec> columns;
  std::vector<std::pair<std::string, std::string>> properties;
  uint64_t rows = 0;
  std::vector<RowGroupMeta> row_groups;
  // The blocks' zone maps, serialized (SPEC.md "Zone map") one after the other.
  std::string zone_bytes;

  std::string Property(const std::string& key) const;
  // Zone map of block (row group g, column c).
  ZoneMap BlockZone(size_t g, size_t c) const;
  // Zone map of column c over the whole segment.
  ZoneMap ColumnZoneMap(size_t c) const;
};

// Writes a segment to a WritableFile. Not thread-safe.
class SegmentWriter {
 public:
  SegmentWriter(WritableFile* file, std::vector<ColumnSpec> columns,
                std::vector<std::pair<std::string, std::string>> properties,
                EncodeOptions options = {});

  // Adds rows [begin, end) of `columns` (one Column per ColumnSpec, all of one bucket) as one or
  // more row groups of at most max_rows_per_group rows. REQUIRES: buckets are added in
  // non-decreasing order.
  Status AddRows(uint32_t bucket, const std::vector<const Column*>& columns, size_t begin,
                 size_t end);
  // Writes the footer and trailer. Does not sync or close the file.
  Result<SegmentFooter> Finish();

  uint64_t bytes_written() const { return offset_; }
  // XXH64 of the footer, valid after Finish(); the manifest records it to tie entry and file.
  uint64_t footer_checksum() const { return footer_checksum_; }
  void set_max_rows_per_group(uint32_t n) { max_rows_per_group_ = n; }

 private:
  Status Write(std::string_view data);

  WritableFile* file_;
  SegmentFooter footer_;
  EncodeOptions options_;
  uint64_t offset_ = 0;
  uint32_t max_rows_per_group_ = kDefaultRowGroupRows;
  uint64_t footer_checksum_ = 0;
  std::string scratch_;
};

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

  // Reads, verifies and decodes block (row_group, column).
  Result<Column> ReadColumn(size_t row_group, size_t column) const;
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
  std::unique_ptr<RandomAccessFile> file_;
  SegmentFooter footer_;
  uint16_t version_ = 0;
  uint64_t footer_checksum_ = 0;
};

// Parses and validates footer bytes (exposed for tests and fuzzing).
Status ParseSegmentFooter(std::string_view bytes, uint64_t blocks_end, SegmentFooter* out);

}  // namespace wh
