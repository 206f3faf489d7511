// Apache Iceberg (format version 2) table metadata, as `wh export --format iceberg` writes it:
// the bucket transform, single-value bounds, the Avro manifests and manifest lists, the table
// metadata JSON. Knows no wh tables: the caller says what the columns, partition fields and
// data files are.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "format/column.h"

namespace wh::iceberg {

// murmur3_x86_32 with seed 0 (the Iceberg spec's appendix B), of the 8 little-endian bytes of a
// long, and of bytes.
int32_t HashLong(int64_t v);
int32_t HashBytes(const uint8_t* data, size_t n);

// Whether bucket[N] applies to a wh type: INT, BIGINT, DECIMAL, DATE, TIMESTAMP, STRING.
bool Bucketable(const DataType& t);
// bucket[N] of row i: (hash & INT32_MAX) % n; an int, date or timestamp hashed as a long,
// a decimal as its unscaled value's fewest big-endian two's complement bytes, a string as its
// UTF-8 bytes. nullopt for NULL.
std::optional<int32_t> Bucket(const Column& c, size_t i, int32_t n);

// The Iceberg type of a wh type: boolean, int, long, double, decimal(P,S), date, timestamp
// (without zone), string.
std::string TypeName(const DataType& t);
// A value's single-value binary form (lower and upper bounds): little-endian int, long, double
// and days, micros; a decimal's unscaled fewest big-endian bytes; a string's bytes.
std::string Bound(const Column& c, size_t i);

struct Field {
  int id;
  std::string name;
  DataType type;
  bool required;
};
struct PartitionField {
  int field_id;
  int source_id;
  std::string name;       // event_date, user_id_bucket
  std::string transform;  // identity, bucket[N]
  bool date;              // its value is a date (identity of a DATE), else an int
};

// {"type":"struct","schema-id":0,"fields":[...]}
std::string SchemaJson(const std::vector<Field>& fields);
// [{"name":...,"transform":...,"source-id":...,"field-id":...}, ...]
std::string SpecFieldsJson(const std::vector<PartitionField>& fields);

struct DataFile {
  std::string path;  // absolute
  int64_t rows = 0, bytes = 0;
  std::vector<std::optional<int32_t>> partition;  // a value per partition field (days or bucket)
  std::map<int, int64_t> value_counts, null_counts, nan_counts;
  std::map<int, std::string> lower, upper;
};

// A manifest of data files added by one snapshot (status ADDED, sequence numbers inherited).
std::string Manifest(const std::vector<Field>& schema, const std::vector<PartitionField>& spec, int64_t snapshot_id,
                     const std::vector<DataFile>& files);

struct ManifestRef {
  std::string path;
  int64_t length = 0, sequence = 0, min_sequence = 0, snapshot_id = 0;
  int32_t added_files = 0;
  int64_t added_rows = 0;
};
// A snapshot's manifest list.
std::string ManifestList(const std::vector<ManifestRef>& manifests, int64_t snapshot_id,
                         std::optional<int64_t> parent, int64_t sequence);

struct Snapshot {
  int64_t id = 0;
  std::optional<int64_t> parent;
  int64_t sequence = 0, timestamp_ms = 0;
  std::string manifest_list;
  int64_t added_files = 0, added_rows = 0, added_bytes = 0, changed_partitions = 0;
  int64_t total_files = 0, total_rows = 0, total_bytes = 0;
  uint64_t wh_commit = 0;  // the wh commit the snapshot exported up to
};

struct TableMetadata {
  std::string uuid, location;
  std::vector<Field> schema;
  std::vector<PartitionField> spec;
  std::vector<Snapshot> snapshots;  // the last is current
  std::vector<std::pair<int64_t, std::string>> metadata_log;  // earlier metadata files
  std::map<std::string, std::string> properties;
  int64_t last_updated_ms = 0;
};
std::string MetadataJson(const TableMetadata& m);

}  // namespace wh::iceberg
