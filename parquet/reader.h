// A Parquet file reader (Apache Parquet format): a file's flat columns as wh columns.
//
// What it reads: data pages v1 and v2 and dictionary pages; PLAIN, PLAIN_DICTIONARY /
// RLE_DICTIONARY, RLE (booleans), DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
// DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT values; RLE definition levels; UNCOMPRESSED, SNAPPY,
// GZIP, ZSTD and LZ4_RAW pages (BROTLI, LZO and the old LZ4 are refused by name). Top-level
// columns that are not repeated; nested ones (LIST, MAP, groups) are listed with the reason
// they cannot be read.
//
// Types, each converted exactly (a value that cannot be is an error naming the file, row group
// and column):
//   BOOLEAN -> BOOLEAN; INT32 (also INT(8|16|32), UINT(8|16)) -> INT; UINT(32) -> BIGINT;
//   INT64 -> BIGINT; UINT(64) -> DECIMAL(20,0); DECIMAL on INT32, INT64, FIXED_LEN_BYTE_ARRAY or
//   BYTE_ARRAY -> DECIMAL(p,s) (p <= 38); DATE -> DATE; TIMESTAMP(MILLIS|MICROS|NANOS) on INT64
//   and INT96 (Impala/Spark legacy) -> TIMESTAMP in microseconds (nanoseconds that are not whole
//   microseconds are an error), whatever isAdjustedToUTC says (the instant's UTC wall time);
//   FLOAT, DOUBLE -> DOUBLE; BYTE_ARRAY (STRING, ENUM, JSON, or none) -> STRING;
//   FIXED_LEN_BYTE_ARRAY UUID -> STRING (8-4-4-4-12 hex); UNKNOWN (NullType) -> STRING, all NULL.
//   TIME, INTERVAL, FLOAT16 and other FIXED_LEN_BYTE_ARRAYs are refused.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "format/column.h"
#include "format/status.h"

namespace wh::parquet {

struct FileColumn {
  std::string name;
  DataType type;          // what it reads as
  bool nullable = true;   // OPTIONAL (REQUIRED: false)
  std::string refused;    // non-empty: why the column cannot be read (it has no `type` then)
  // Physical details (reader.cc).
  int leaf = -1;          // index of its column chunk in each row group
  int32_t physical = 0;   // parquet Type
  int32_t type_length = 0;
  int64_t time_multiplier = 1, time_divisor = 1;  // TIMESTAMP: to microseconds
  bool unsigned_int = false;                      // UINT(32|64)
  bool uuid = false;
  bool null_type = false;
};

class Reader {
 public:
  // `data` is the whole file and must outlive the reader; `name` is for errors.
  static Result<std::unique_ptr<Reader>> Open(std::string_view data, std::string name);
  ~Reader();

  const std::vector<FileColumn>& columns() const { return columns_; }
  uint64_t rows() const { return rows_; }
  size_t row_groups() const;
  uint64_t row_group_rows(size_t g) const;
  // Appends the values of one column (an index into columns()) in one row group to `out`
  // (of the column's type).
  Status Read(size_t g, size_t column, Column* out) const;

  struct RowGroup;

 private:
  Reader() = default;
  std::string_view data_;
  std::string name_;
  std::vector<FileColumn> columns_;
  std::vector<RowGroup> groups_;
  uint64_t rows_ = 0;
};

}  // namespace wh::parquet
