// Apache Thrift's compact protocol, the encoding of Parquet's footer and page headers
// (parquet.thrift): just what Parquet needs — structs, lists, i8/i16/i32/i64, bool, binary.
//
// A field starts with a byte: (delta << 4) | type when the field id is 1..15 more than the
// previous field's of the same struct, else the type and then the id as a zigzag varint. i16/
// i32/i64 are zigzag varints; binary is a varint length and the bytes; a bool field carries its
// value in the type (1 true, 2 false); a list starts with (size << 4) | element type, or 0xF?
// and a varint size from 15 elements on; a struct ends with a 0 byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "format/status.h"

namespace wh::parquet {

enum class ThriftType : uint8_t {
  kStop = 0, kTrue = 1, kFalse = 2, kByte = 3, kI16 = 4, kI32 = 5, kI64 = 6, kDouble = 7,
  kBinary = 8, kList = 9, kSet = 10, kMap = 11, kStruct = 12,
};

class ThriftWriter {
 public:
  explicit ThriftWriter(std::string* out) : out_(out) { last_.push_back(0); }

  void I32(int16_t id, int32_t v) { Header(id, ThriftType::kI32); Varint(Zigzag(v)); }
  void I64(int16_t id, int64_t v) { Header(id, ThriftType::kI64); Varint(Zigzag(v)); }
  void I16(int16_t id, int16_t v) { Header(id, ThriftType::kI16); Varint(Zigzag(v)); }
  void I8(int16_t id, int8_t v) { Header(id, ThriftType::kByte); out_->push_back(static_cast<char>(v)); }
  void Bool(int16_t id, bool v) { Header(id, v ? ThriftType::kTrue : ThriftType::kFalse); }
  void Binary(int16_t id, std::string_view v) { Header(id, ThriftType::kBinary); Bytes(v); }
  // A struct field: its fields follow, then EndStruct().
  void BeginStruct(int16_t id) { Header(id, ThriftType::kStruct); last_.push_back(0); }
  void EndStruct() { out_->push_back(0); last_.pop_back(); }
  // A list field of n elements; elements are written with the List* calls below.
  void BeginList(int16_t id, ThriftType elem, size_t n) {
    Header(id, ThriftType::kList);
    ListHeader(elem, n);
  }
  void ListI32(int32_t v) { Varint(Zigzag(v)); }
  void ListI64(int64_t v) { Varint(Zigzag(v)); }
  void ListBinary(std::string_view v) { Bytes(v); }
  void ListBeginStruct() { last_.push_back(0); }  // then EndStruct()
  // An empty struct field (a union member without data, e.g. LogicalType STRING).
  void EmptyStruct(int16_t id) { BeginStruct(id); EndStruct(); }
  // The outermost struct's end.
  void End() { out_->push_back(0); }

 private:
  static uint64_t Zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_->push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_->push_back(static_cast<char>(v));
  }
  void Bytes(std::string_view v) {
    Varint(v.size());
    out_->append(v);
  }
  void Header(int16_t id, ThriftType t) {
    const int delta = id - last_.back();
    if (delta > 0 && delta <= 15) {
      out_->push_back(static_cast<char>((delta << 4) | static_cast<int>(t)));
    } else {
      out_->push_back(static_cast<char>(t));
      Varint(Zigzag(id));
    }
    last_.back() = id;
  }
  void ListHeader(ThriftType elem, size_t n) {
    if (n < 15) {
      out_->push_back(static_cast<char>((n << 4) | static_cast<int>(elem)));
    } else {
      out_->push_back(static_cast<char>(0xf0 | static_cast<int>(elem)));
      Varint(n);
    }
  }

  std::string* out_;
  std::vector<int16_t> last_;
};

// Reads the compact protocol field by field. Every read is bounds-checked; after an error ok()
// is false, every further read gives zero, and error() says what and where.
class ThriftReader {
 public:
  ThriftReader(const uint8_t* data, size_t size) : p_(data), size_(size) { last_.push_back(0); }

  // The next field of the current struct: false at its end (the stop byte is consumed).
  bool NextField(int16_t* id, ThriftType* type);
  int64_t ReadInt();  // i16, i32, i64 (zigzag varint)
  int8_t ReadByte();
  bool ReadBool(ThriftType field_type) { return field_type == ThriftType::kTrue; }
  bool ReadListBool();
  std::string_view ReadBinary();
  double ReadDouble();
  // A nested struct: BeginStruct, NextField... until false (which ends it).
  void BeginStruct() { last_.push_back(0); }
  // A list's element type and size.
  size_t BeginList(ThriftType* elem);
  // Skips a value of the given type (and everything inside it).
  void Skip(ThriftType type, int depth = 0);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t position() const { return pos_; }
  void Fail(const std::string& why);

 private:
  uint64_t Varint();
  const uint8_t* p_;
  size_t size_;
  size_t pos_ = 0;
  std::vector<int16_t> last_;
  std::string error_;
};

}  // namespace wh::parquet
