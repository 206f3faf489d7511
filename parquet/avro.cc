#include "parquet/avro.h"

#include <random>

namespace wh::avro {

ContainerWriter::ContainerWriter(std::string schema_json, std::vector<std::pair<std::string, std::string>> metadata)
    : schema_(std::move(schema_json)), metadata_(std::move(metadata)) {
  std::random_device rd;
  for (int i = 0; i < 16; ++i) sync_.push_back(static_cast<char>(rd() & 0xff));
}

std::string ContainerWriter::Finish() const {
  std::string out("Obj\x01", 4);
  Encoder e(&out);
  e.BlockStart(metadata_.size() + 2);
  e.String("avro.schema");
  e.Bytes(schema_);
  e.String("avro.codec");
  e.Bytes("null");
  for (const auto& [k, v] : metadata_) {
    e.String(k);
    e.Bytes(v);
  }
  e.BlockEnd();
  out += sync_;
  if (count_ > 0) {
    e.Long(count_);
    e.Long(static_cast<int64_t>(records_.size()));
    out += records_;
    out += sync_;
  }
  return out;
}

}  // namespace wh::avro
