// `wh export TABLE DIR --format parquet`: a table as a Hive-layout tree of Parquet files that
// Spark, Trino and DuckDB read as a partitioned, bucketed table.
//
//   DIR/<partition column>=YYYY-MM-DD/part-00000-<uuid>_BBBBB.c000.zstd.parquet
//   DIR/<partition column>=__HIVE_DEFAULT_PARTITION__/...      (rows whose partition is NULL)
//   DIR/_SUCCESS
//
// One file per (partition, bucket), named as Spark names its bucketed files; a file named as
// bucket B holds exactly the rows Spark's own bucket function puts in B (parquet/spark_hash.h:
// rows are routed again, never labelled with wh's XXH64 bucket). An unbucketed table has one
// file per partition (part-00000-<uuid>.c000.zstd.parquet); an unpartitioned one has its files
// in DIR. Each file holds the declared columns and etl_date (the partition column is the
// directory, as Hive lays it out), NOT NULL columns as REQUIRED.
//
// The export reads one snapshot of the table, writes everything under a temporary directory
// beside DIR and renames it to DIR when complete: DIR appears whole or not at all. DIR must not
// exist or be empty, and must not be inside the warehouse.
#pragma once

#include <optional>
#include <string>

#include "engine/engine.h"
#include "format/file_system.h"
#include "parquet/writer.h"

namespace wh {

struct ExportOptions {
  std::string where;  // a SQL predicate over the table's columns: only those rows
  // Only the rows that commits after this one added (an incremental export). A row is told by
  // its etl_date: refused when a commit up to it and one after it share their etl_date.
  std::optional<uint64_t> since_commit;
  parquet::WriterOptions parquet;
  int threads = 0;
};

struct ExportStats {
  uint64_t rows = 0, files = 0, bytes = 0, partitions = 0;
  uint64_t commit_seq = 0;  // the table's last commit in the snapshot exported
};


Result<ExportStats> ExportParquet(FileSystem* fs, const std::string& warehouse, const std::string& table,
                                  const std::string& dir, const ExportOptions& options);

// `wh export TABLE DIR --format iceberg`: an Apache Iceberg (v2) table in DIR, whose Parquet data
// files (every storage column and the partition column, with Iceberg's field ids) lie under
// DIR/data/<partition column>=YYYY-MM-DD/<key>_bucket=B/, one per (partition, Iceberg bucket),
// with the partition spec identity(partition column), bucket[N](key) (Iceberg's own bucket
// function), Avro manifests and manifest lists, DIR/metadata/vN.metadata.json and
// version-hint.text. A new DIR is built aside and renamed into place. Exporting again into a
// DIR that wh exported the same table to appends one snapshot with the rows of the commits since
// the last export (none new: no snapshot); the snapshot's summary says which wh commit it is.
Result<ExportStats> ExportIceberg(FileSystem* fs, const std::string& warehouse, const std::string& table,
                                  const std::string& dir, const ExportOptions& options);

}  // namespace wh
