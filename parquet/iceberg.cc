#include "parquet/iceberg.h"

#include <cmath>
#include <cstring>

#include "format/value_text.h"
#include "parquet/avro.h"
#include "parquet/murmur3.h"

namespace wh::iceberg {

namespace {

using murmur3::MixH1;
using murmur3::MixK1;

}  // namespace

int32_t HashBytes(const uint8_t* data, size_t n) {
  uint32_t h = 0;
  const size_t blocks = n / 4;
  for (size_t i = 0; i < blocks; ++i) {
    uint32_t k;
    std::memcpy(&k, data + 4 * i, 4);
    h = MixH1(h, MixK1(k));
  }
  uint32_t k = 0;
  const uint8_t* tail = data + 4 * blocks;
  switch (n & 3) {
    case 3: k ^= static_cast<uint32_t>(tail[2]) << 16; [[fallthrough]];
    case 2: k ^= static_cast<uint32_t>(tail[1]) << 8; [[fallthrough]];
    case 1: k ^= tail[0]; h ^= MixK1(k);
  }
  return static_cast<int32_t>(murmur3::Fmix(h, static_cast<uint32_t>(n)));
}

int32_t HashLong(int64_t v) {
  uint8_t b[8];
  std::memcpy(b, &v, 8);  // little-endian hosts only (format/coding.h asserts it)
  return HashBytes(b, 8);
}

bool Bucketable(const DataType& t) {
  switch (t.id) {
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kDecimal:
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kString: return true;
    default: return false;
  }
}

std::optional<int32_t> Bucket(const Column& c, size_t i, int32_t n) {
  if (c.IsNull(i)) return std::nullopt;
  int32_t h = 0;
  switch (c.type().id) {
    case TypeId::kInt32:
    case TypeId::kDate: h = HashLong(c.Get<int32_t>(i)); break;
    case TypeId::kInt64:
    case TypeId::kTimestamp: h = HashLong(c.Get<int64_t>(i)); break;
    case TypeId::kDecimal: {
      const std::string b = MinimalBigEndian(IntegerAt(c, i));
      h = HashBytes(reinterpret_cast<const uint8_t*>(b.data()), b.size());
      break;
    }
    case TypeId::kString: {
      const std::string_view s = c.GetString(i);
      h = HashBytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
      break;
    }
    default: return std::nullopt;
  }
  return (h & INT32_MAX) % n;
}

std::string TypeName(const DataType& t) {
  switch (t.id) {
    case TypeId::kBoolean: return "boolean";
    case TypeId::kInt32: return "int";
    case TypeId::kInt64: return "long";
    case TypeId::kDouble: return "double";
    case TypeId::kDecimal: return "decimal(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case TypeId::kDate: return "date";
    case TypeId::kTimestamp: return "timestamp";
    case TypeId::kString:
    case TypeId::kList: return "string";  // (no table holds a list)
  }
  return "string";
}

std::string Bound(const Column& c, size_t i) {
  std::string out;
  auto put = [&](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); };
  switch (c.type().id) {
    case TypeId::kBoolean: out.push_back(c.Get<uint8_t>(i) ? 1 : 0); break;
    case TypeId::kInt32:
    case TypeId::kDate: put(&c.values<int32_t>()[i], 4); break;
    case TypeId::kInt64:
    case TypeId::kTimestamp: put(&c.values<int64_t>()[i], 8); break;
    case TypeId::kDouble: put(&c.values<double>()[i], 8); break;
    case TypeId::kDecimal: out = MinimalBigEndian(IntegerAt(c, i)); break;
    case TypeId::kString:
    case TypeId::kList: out = std::string(c.GetString(i)); break;  // (no table holds a list)
  }
  return out;
}

std::string SchemaJson(const std::vector<Field>& fields) {
  std::string o = "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[";
  for (size_t i = 0; i < fields.size(); ++i) {
    const Field& f = fields[i];
    o += (i ? "," : "") + std::string("{\"id\":") + std::to_string(f.id) + ",\"name\":" + JsonString(f.name) +
         ",\"required\":" + (f.required ? "true" : "false") + ",\"type\":" + JsonString(TypeName(f.type)) + "}";
  }
  return o + "]}";
}

std::string SpecFieldsJson(const std::vector<PartitionField>& fields) {
  std::string o = "[";
  for (size_t i = 0; i < fields.size(); ++i) {
    const PartitionField& f = fields[i];
    o += (i ? "," : "") + std::string("{\"name\":") + JsonString(f.name) + ",\"transform\":" + JsonString(f.transform) +
         ",\"source-id\":" + std::to_string(f.source_id) + ",\"field-id\":" + std::to_string(f.field_id) + "}";
  }
  return o + "]";
}

namespace {

// An int-keyed map field of the data_file record: an Avro array of {key, value} records.
std::string KvSchema(const char* name, int field, int key, int value, const char* value_type) {
  return std::string("{\"name\":\"") + name + "\",\"type\":[\"null\",{\"type\":\"array\",\"logicalType\":\"map\","
         "\"items\":{\"type\":\"record\",\"name\":\"k" + std::to_string(key) + "_v" + std::to_string(value) +
         "\",\"fields\":[{\"name\":\"key\",\"type\":\"int\",\"field-id\":" + std::to_string(key) +
         "},{\"name\":\"value\",\"type\":\"" + value_type + "\",\"field-id\":" + std::to_string(value) +
         "}]}}],\"default\":null,\"field-id\":" + std::to_string(field) + "}";
}

void PutLongMap(avro::Encoder* e, const std::map<int, int64_t>& m) {
  e->Union(1);
  e->BlockStart(m.size());
  for (const auto& [k, v] : m) {
    e->Int(k);
    e->Long(v);
  }
  e->BlockEnd();
}

void PutBytesMap(avro::Encoder* e, const std::map<int, std::string>& m) {
  e->Union(1);
  e->BlockStart(m.size());
  for (const auto& [k, v] : m) {
    e->Int(k);
    e->Bytes(v);
  }
  e->BlockEnd();
}

}  // namespace

std::string Manifest(const std::vector<Field>& schema, const std::vector<PartitionField>& spec, int64_t snapshot_id,
                     const std::vector<DataFile>& files) {
  std::string partition = "{\"type\":\"record\",\"name\":\"r102\",\"fields\":[";
  for (size_t i = 0; i < spec.size(); ++i) {
    partition += (i ? "," : "") + std::string("{\"name\":") + JsonString(spec[i].name) + ",\"type\":[\"null\"," +
                 (spec[i].date ? "{\"type\":\"int\",\"logicalType\":\"date\"}" : "\"int\"") +
                 "],\"default\":null,\"field-id\":" + std::to_string(spec[i].field_id) + "}";
  }
  partition += "]}";
  const std::string avro_schema =
      "{\"type\":\"record\",\"name\":\"manifest_entry\",\"fields\":["
      "{\"name\":\"status\",\"type\":\"int\",\"field-id\":0},"
      "{\"name\":\"snapshot_id\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":1},"
      "{\"name\":\"sequence_number\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":3},"
      "{\"name\":\"file_sequence_number\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":4},"
      "{\"name\":\"data_file\",\"field-id\":2,\"type\":{\"type\":\"record\",\"name\":\"r2\",\"fields\":["
      "{\"name\":\"content\",\"type\":\"int\",\"field-id\":134},"
      "{\"name\":\"file_path\",\"type\":\"string\",\"field-id\":100},"
      "{\"name\":\"file_format\",\"type\":\"string\",\"field-id\":101},"
      "{\"name\":\"partition\",\"field-id\":102,\"type\":" + partition + "},"
      "{\"name\":\"record_count\",\"type\":\"long\",\"field-id\":103},"
      "{\"name\":\"file_size_in_bytes\",\"type\":\"long\",\"field-id\":104}," +
      KvSchema("value_counts", 109, 119, 120, "long") + "," + KvSchema("null_value_counts", 110, 121, 122, "long") +
      "," + KvSchema("nan_value_counts", 137, 138, 139, "long") + "," +
      KvSchema("lower_bounds", 125, 126, 127, "bytes") + "," + KvSchema("upper_bounds", 128, 129, 130, "bytes") +
      ",{\"name\":\"sort_order_id\",\"type\":[\"null\",\"int\"],\"default\":null,\"field-id\":140}"
      "]}}]}";
  avro::ContainerWriter w(avro_schema, {{"schema", SchemaJson(schema)},
                                        {"schema-id", "0"},
                                        {"partition-spec", SpecFieldsJson(spec)},
                                        {"partition-spec-id", "0"},
                                        {"format-version", "2"},
                                        {"content", "data"}});
  avro::Encoder e(w.records());
  for (const DataFile& f : files) {
    e.Int(1);  // ADDED
    e.Union(1);
    e.Long(snapshot_id);
    e.Union(0);  // sequence numbers: inherited from the manifest list
    e.Union(0);
    e.Int(0);  // content: data
    e.String(f.path);
    e.String("PARQUET");
    for (size_t p = 0; p < spec.size(); ++p) {
      if (f.partition[p]) {
        e.Union(1);
        e.Int(*f.partition[p]);
      } else {
        e.Union(0);
      }
    }
    e.Long(f.rows);
    e.Long(f.bytes);
    PutLongMap(&e, f.value_counts);
    PutLongMap(&e, f.null_counts);
    PutLongMap(&e, f.nan_counts);
    PutBytesMap(&e, f.lower);
    PutBytesMap(&e, f.upper);
    e.Union(1);
    e.Int(0);  // sort order 0: unsorted
    w.AddedRecord();
  }
  return w.Finish();
}

std::string ManifestList(const std::vector<ManifestRef>& manifests, int64_t snapshot_id, std::optional<int64_t> parent,
                         int64_t sequence) {
  const std::string schema =
      "{\"type\":\"record\",\"name\":\"manifest_file\",\"fields\":["
      "{\"name\":\"manifest_path\",\"type\":\"string\",\"field-id\":500},"
      "{\"name\":\"manifest_length\",\"type\":\"long\",\"field-id\":501},"
      "{\"name\":\"partition_spec_id\",\"type\":\"int\",\"field-id\":502},"
      "{\"name\":\"content\",\"type\":\"int\",\"field-id\":517},"
      "{\"name\":\"sequence_number\",\"type\":\"long\",\"field-id\":515},"
      "{\"name\":\"min_sequence_number\",\"type\":\"long\",\"field-id\":516},"
      "{\"name\":\"added_snapshot_id\",\"type\":\"long\",\"field-id\":503},"
      "{\"name\":\"added_files_count\",\"type\":\"int\",\"field-id\":504},"
      "{\"name\":\"existing_files_count\",\"type\":\"int\",\"field-id\":505},"
      "{\"name\":\"deleted_files_count\",\"type\":\"int\",\"field-id\":506},"
      "{\"name\":\"added_rows_count\",\"type\":\"long\",\"field-id\":512},"
      "{\"name\":\"existing_rows_count\",\"type\":\"long\",\"field-id\":513},"
      "{\"name\":\"deleted_rows_count\",\"type\":\"long\",\"field-id\":514},"
      "{\"name\":\"partitions\",\"type\":[\"null\",{\"type\":\"array\",\"element-id\":508,\"items\":{\"type\":\"record\","
      "\"name\":\"r508\",\"fields\":[{\"name\":\"contains_null\",\"type\":\"boolean\",\"field-id\":509},"
      "{\"name\":\"contains_nan\",\"type\":[\"null\",\"boolean\"],\"default\":null,\"field-id\":518},"
      "{\"name\":\"lower_bound\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":510},"
      "{\"name\":\"upper_bound\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":511}]}}],"
      "\"default\":null,\"field-id\":507},"
      "{\"name\":\"key_metadata\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":519}]}";
  avro::ContainerWriter w(schema, {{"snapshot-id", std::to_string(snapshot_id)},
                                   {"parent-snapshot-id", parent ? std::to_string(*parent) : std::string("null")},
                                   {"sequence-number", std::to_string(sequence)},
                                   {"format-version", "2"}});
  avro::Encoder e(w.records());
  for (const ManifestRef& m : manifests) {
    e.String(m.path);
    e.Long(m.length);
    e.Int(0);  // partition spec 0
    e.Int(0);  // content: data
    e.Long(m.sequence);
    e.Long(m.min_sequence);
    e.Long(m.snapshot_id);
    e.Int(m.added_files);
    e.Int(0);
    e.Int(0);
    e.Long(m.added_rows);
    e.Long(0);
    e.Long(0);
    e.Union(0);  // no partition summaries
    e.Union(0);  // no key metadata
    w.AddedRecord();
  }
  return w.Finish();
}

std::string MetadataJson(const TableMetadata& m) {
  const Snapshot& cur = m.snapshots.back();
  int last_column = 0;
  for (const auto& f : m.schema) last_column = std::max(last_column, f.id);
  int last_partition = 999;
  for (const auto& p : m.spec) last_partition = std::max(last_partition, p.field_id);
  std::string o = "{\n  \"format-version\": 2,\n  \"table-uuid\": " + JsonString(m.uuid) +
                  ",\n  \"location\": " + JsonString(m.location) +
                  ",\n  \"last-sequence-number\": " + std::to_string(cur.sequence) +
                  ",\n  \"last-updated-ms\": " + std::to_string(m.last_updated_ms) +
                  ",\n  \"last-column-id\": " + std::to_string(last_column) +
                  ",\n  \"current-schema-id\": 0,\n  \"schemas\": [" + SchemaJson(m.schema) +
                  "],\n  \"default-spec-id\": 0,\n  \"partition-specs\": [{\"spec-id\": 0, \"fields\": " +
                  SpecFieldsJson(m.spec) + "}],\n  \"last-partition-id\": " + std::to_string(last_partition) +
                  ",\n  \"default-sort-order-id\": 0,\n  \"sort-orders\": [{\"order-id\": 0, \"fields\": []}]" +
                  ",\n  \"properties\": {";
  bool first = true;
  for (const auto& [k, v] : m.properties) {
    o += (first ? "" : ", ") + JsonString(k) + ": " + JsonString(v);
    first = false;
  }
  o += "},\n  \"current-snapshot-id\": " + std::to_string(cur.id) +
       ",\n  \"refs\": {\"main\": {\"snapshot-id\": " + std::to_string(cur.id) + ", \"type\": \"branch\"}}" +
       ",\n  \"snapshots\": [";
  for (size_t i = 0; i < m.snapshots.size(); ++i) {
    const Snapshot& s = m.snapshots[i];
    auto num = [](int64_t v) { return JsonString(std::to_string(v)); };
    o += std::string(i ? ",\n    " : "\n    ") + "{\"snapshot-id\": " + std::to_string(s.id) +
         (s.parent ? ", \"parent-snapshot-id\": " + std::to_string(*s.parent) : std::string()) +
         ", \"sequence-number\": " + std::to_string(s.sequence) + ", \"timestamp-ms\": " +
         std::to_string(s.timestamp_ms) + ", \"manifest-list\": " + JsonString(s.manifest_list) +
         ", \"summary\": {\"operation\": \"append\", \"added-data-files\": " + num(s.added_files) +
         ", \"added-records\": " + num(s.added_rows) + ", \"added-files-size\": " + num(s.added_bytes) +
         ", \"changed-partition-count\": " + num(s.changed_partitions) + ", \"total-records\": " + num(s.total_rows) +
         ", \"total-files-size\": " + num(s.total_bytes) + ", \"total-data-files\": " + num(s.total_files) +
         ", \"total-delete-files\": \"0\", \"total-position-deletes\": \"0\", \"total-equality-deletes\": \"0\"" +
         ", \"engine-name\": \"wh\", \"wh.commit\": " + num(static_cast<int64_t>(s.wh_commit)) + "}, \"schema-id\": 0}";
  }
  o += "\n  ],\n  \"snapshot-log\": [";
  for (size_t i = 0; i < m.snapshots.size(); ++i)
    o += (i ? ", " : "") + std::string("{\"timestamp-ms\": ") + std::to_string(m.snapshots[i].timestamp_ms) +
         ", \"snapshot-id\": " + std::to_string(m.snapshots[i].id) + "}";
  o += "],\n  \"metadata-log\": [";
  for (size_t i = 0; i < m.metadata_log.size(); ++i)
    o += (i ? ", " : "") + std::string("{\"timestamp-ms\": ") + std::to_string(m.metadata_log[i].first) +
         ", \"metadata-file\": " + JsonString(m.metadata_log[i].second) + "}";
  return o + "]\n}\n";
}

}  // namespace wh::iceberg
