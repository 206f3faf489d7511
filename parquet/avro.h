// Apache Avro's binary encoding and object container files, as Iceberg's manifests and manifest
// lists are written: just the writer side, codec "null".
//
// Binary encoding: int and long as zigzag varints; a string or bytes as a long length and the
// bytes; a boolean one byte; a union the long index of its branch and then the value; an array
// or map as blocks (a long count, the items) ending with a zero count; a record its fields in
// order. A container file: "Obj" 0x01, a header map (bytes values: avro.schema, avro.codec and
// the writer's own keys), a 16-byte sync marker; then blocks of (long object count, long byte
// size, the objects, the sync marker).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wh::avro {

// Appends Avro binary values to a buffer.
class Encoder {
 public:
  explicit Encoder(std::string* out) : out_(out) {}
  void Long(int64_t v) {
    uint64_t u = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    while (u >= 0x80) {
      out_->push_back(static_cast<char>((u & 0x7f) | 0x80));
      u >>= 7;
    }
    out_->push_back(static_cast<char>(u));
  }
  void Int(int32_t v) { Long(v); }
  void Bool(bool v) { out_->push_back(v ? 1 : 0); }
  void Bytes(std::string_view v) {
    Long(static_cast<int64_t>(v.size()));
    out_->append(v);
  }
  void String(std::string_view v) { Bytes(v); }
  void Union(int branch) { Long(branch); }
  // An array or map of n items: Long(n) before them (if n > 0), End() after them.
  void BlockStart(size_t n) {
    if (n) Long(static_cast<int64_t>(n));
  }
  void BlockEnd() { Long(0); }
  std::string* out() { return out_; }

 private:
  std::string* out_;
};

// An object container file of one schema, written whole: Header, then the records' bytes, then
// Finish.
class ContainerWriter {
 public:
  // `schema_json`: the writer schema; `metadata`: more header entries (Iceberg's schema, spec,
  // format version ...).
  ContainerWriter(std::string schema_json, std::vector<std::pair<std::string, std::string>> metadata);
  // Each record's encoding appended to records() counts as one object.
  std::string* records() { return &records_; }
  void AddedRecord() { ++count_; }
  // The file's bytes.
  std::string Finish() const;

 private:
  std::string schema_;
  std::vector<std::pair<std::string, std::string>> metadata_;
  std::string records_;
  int64_t count_ = 0;
  std::string sync_;
};

}  // namespace wh::avro
