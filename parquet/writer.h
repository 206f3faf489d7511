// A Parquet file writer (Apache Parquet format, parquet.thrift): wh's columns in, a file that
// Spark, DuckDB, Trino and any Parquet reader read.
//
// What it writes, for every wh type (SPEC.md "Parquet export" lists it too):
//   BOOLEAN   BOOLEAN
//   INT       INT32
//   BIGINT    INT64
//   DOUBLE    DOUBLE
//   DECIMAL   INT32 (p <= 9), INT64 (p <= 18), FIXED_LEN_BYTE_ARRAY of the fewest bytes that hold
//             p digits (big-endian two's complement), each with DECIMAL(p, s)
//   DATE      INT32, DATE
//   TIMESTAMP INT64, TIMESTAMP(isAdjustedToUTC = false, MICROS)
//   STRING    BYTE_ARRAY, STRING (UTF8)
// Data pages version 1 (read by every reader), values PLAIN or dictionary-coded (RLE_DICTIONARY,
// the dictionary page PLAIN) when a column chunk's distinct values are few, definition levels
// RLE / bit-packed, pages compressed with zstd (a column chunk that zstd would not make smaller,
// as the few values of a small file often are, is stored UNCOMPRESSED); column chunk statistics (min_value, max_value,
// null_count) in the type's defined order, and column_orders in the footer so readers use them.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "format/column.h"
#include "format/status.h"

namespace wh::parquet {

struct ColumnSpec {
  std::string name;
  DataType type;
  bool nullable = true;  // OPTIONAL; false: REQUIRED (no definition levels)
  int32_t field_id = -1;  // SchemaElement.field_id when >= 0 (Iceberg's column ids)
};

struct WriterOptions {
  // A row group ends at this many rows (DuckDB's default row group) or once its columns hold
  // this many bytes in memory (Spark's parquet.block.size), whichever comes first.
  uint64_t row_group_rows = 122880;
  uint64_t row_group_bytes = uint64_t{128} << 20;
  // A data page ends at this many rows or bytes of values (parquet-mr's defaults).
  size_t page_rows = 20000;
  size_t page_bytes = size_t{1} << 20;
  int zstd_level = 3;
  // Threads encoding a row group's column chunks side by side.
  int threads = 1;
  // Footer key/value metadata.
  std::vector<std::pair<std::string, std::string>> metadata;
};

// Receives the file's bytes in order.
using ByteSink = std::function<Status(std::string_view)>;

class Writer {
 public:
  Writer(std::vector<ColumnSpec> columns, WriterOptions options, ByteSink sink);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Appends rows: one column per spec, of its type, all of one length. A NULL in a column
  // declared not nullable is an error.
  Status Write(const std::vector<Column>& columns);
  // Writes what is buffered and the footer. The writer takes no rows after it.
  Status Finish();

  uint64_t rows() const { return rows_; }
  uint64_t bytes() const { return offset_; }

 private:
  struct ChunkMeta;
  Status FlushRowGroup();
  Status Put(std::string_view bytes);
  std::string Footer() const;

  std::vector<ColumnSpec> specs_;
  WriterOptions opt_;
  ByteSink sink_;
  std::vector<Column> pending_;  // the row group being gathered
  uint64_t pending_rows_ = 0;
  uint64_t rows_ = 0;
  uint64_t offset_ = 0;
  bool finished_ = false;
  struct RowGroupMeta;
  std::vector<RowGroupMeta> row_groups_;
};

// Bytes of a FIXED_LEN_BYTE_ARRAY that hold every unscaled DECIMAL(p, s): the least n with
// 2^(8n - 1) > 10^p (Spark's and Hive's rule).
int DecimalBytes(int precision);

}  // namespace wh::parquet
