// Table schemas: columns, the derived partition column and the bucket spec.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "format/format.h"

namespace wh {

struct ColumnDef {
  std::string name;
  DataType type;
  bool not_null = false;
};

// The expression that derives a row's partition value at ingest: a small tree over the row's
// columns. Serialized into the manifest (SPEC.md "Partition expression").
struct PartitionExpr {
  enum Kind : uint8_t {
    kColumn = 1,    // column `column` of the table (DATE or TIMESTAMP)
    kCastDate = 2,  // CAST(arg AS DATE): the day of a timestamp
    kLeast = 3,     // LEAST(args...), NULL arguments ignored
    kGreatest = 4,  // GREATEST(args...), NULL arguments ignored
    kCoalesce = 5,  // first non-NULL argument
    kFromEpoch = 6,  // the TIMESTAMP `unit`s (0 seconds, 1 milliseconds, 2 microseconds) after
                     // 1970-01-01 of an integer argument: EPOCH_MS(x), TIMESTAMP_SECONDS(x), ...
    kDateTrunc = 7,  // DATE_TRUNC: the start of the `unit` (0 day, 1 ISO week, 2 month,
                     // 3 quarter, 4 year) holding the argument, a TIMESTAMP
  };
  Kind kind = kColumn;
  uint32_t column = 0;
  std::vector<PartitionExpr> args;
  uint8_t unit = 0;  // kFromEpoch, kDateTrunc
};

// Name of the system column that every table has: the load time of the batch that wrote a row.
inline constexpr const char* kEtlDateColumn = "etl_date";

struct TableSchema {
  std::string name;
  std::vector<ColumnDef> columns;  // user columns, in declaration order
  // Partitioning: empty partition_column means the table is not partitioned.
  std::string partition_column;
  PartitionExpr partition_expr;
  std::string partition_sql;  // the expression as the user wrote it, for DESCRIBE
  // Bucketing: bucket_count 0 means not bucketed.
  std::string bucket_column;
  uint32_t bucket_count = 0;

  // Index of a user column by case-insensitive name, or -1.
  int FindColumn(const std::string& name) const;
  int bucket_column_index() const { return bucket_count ? FindColumn(bucket_column) : -1; }
  // Per declared column: whether it places rows, being read by the partition expression or
  // being the bucket key.
  std::vector<bool> PlacingColumns() const;
  // The columns stored in segment files: the user columns, then etl_date.
  std::vector<ColumnSpec> StorageColumns() const;
  // Checks names, types and the partition and bucket specs.
  Status Validate() const;
};

// Table and column names are identifiers: [A-Za-z_][A-Za-z0-9_]*, at most 128 bytes, compared
// case-insensitively and stored in lower case. Nothing else can name a directory.
Status ValidateIdentifier(const std::string& name, const char* what);
std::string ToLower(std::string s);

// Result type of a partition expression (DATE for a valid spec).
Result<DataType> PartitionExprType(const PartitionExpr& e, const std::vector<ColumnDef>& cols);
// Evaluates the partition expression over a batch of rows (columns in user-column order).
// Output: days per row and validity (0 where the partition value is NULL).
void EvaluatePartition(const PartitionExpr& e, const std::vector<Column>& columns, size_t rows,
                       std::vector<int32_t>* days, std::vector<uint8_t>* valid);
std::string PartitionExprToString(const PartitionExpr& e, const std::vector<ColumnDef>& cols);

void SerializeSchema(const TableSchema& s, std::string* out);
Status DeserializeSchema(class ByteReader* in, TableSchema* out);

// "event_date=2022-03-01", or "event_date=__HIVE_DEFAULT_PARTITION__" for a NULL value.
std::string PartitionDirName(const std::string& column, std::optional<int32_t> day);

}  // namespace wh
