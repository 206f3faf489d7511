#include "parquet/thrift.h"

#include <cstring>

namespace wh::parquet {

void ThriftReader::Fail(const std::string& why) {
  if (error_.empty()) error_ = why + " at byte " + std::to_string(pos_) + " of the Thrift structure";
  pos_ = size_;
}

uint64_t ThriftReader::Varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= size_) {
      Fail("a number runs past the end");
      return 0;
    }
    const uint8_t b = p_[pos_++];
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  Fail("a number longer than 10 bytes");
  return 0;
}

int64_t ThriftReader::ReadInt() {
  const uint64_t u = Varint();
  return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
}

int8_t ThriftReader::ReadByte() {
  if (pos_ >= size_) {
    Fail("a byte past the end");
    return 0;
  }
  return static_cast<int8_t>(p_[pos_++]);
}

bool ThriftReader::ReadListBool() { return ReadByte() == 1; }

std::string_view ThriftReader::ReadBinary() {
  const uint64_t n = Varint();
  if (!ok()) return {};
  if (n > size_ - pos_) {
    Fail("a string of " + std::to_string(n) + " bytes runs past the end");
    return {};
  }
  std::string_view v(reinterpret_cast<const char*>(p_ + pos_), n);
  pos_ += n;
  return v;
}

double ThriftReader::ReadDouble() {
  if (size_ - pos_ < 8) {
    Fail("a double past the end");
    return 0;
  }
  double d;
  std::memcpy(&d, p_ + pos_, 8);
  pos_ += 8;
  return d;
}

bool ThriftReader::NextField(int16_t* id, ThriftType* type) {
  if (!ok()) return false;
  if (pos_ >= size_) {
    Fail("a struct runs past the end");
    return false;
  }
  const uint8_t b = p_[pos_++];
  if (b == 0) {
    if (last_.size() > 1) last_.pop_back();
    return false;
  }
  const int t = b & 0x0f;
  if (t > static_cast<int>(ThriftType::kStruct)) {
    Fail("an unknown field type " + std::to_string(t));
    return false;
  }
  *type = static_cast<ThriftType>(t);
  const int delta = b >> 4;
  if (delta) {
    *id = static_cast<int16_t>(last_.back() + delta);
  } else {
    *id = static_cast<int16_t>(ReadInt());
  }
  last_.back() = *id;
  return ok();
}

size_t ThriftReader::BeginList(ThriftType* elem) {
  const uint8_t b = static_cast<uint8_t>(ReadByte());
  const int t = b & 0x0f;
  *elem = static_cast<ThriftType>(t);
  if (t > static_cast<int>(ThriftType::kStruct)) {
    Fail("an unknown list element type " + std::to_string(t));
    return 0;
  }
  size_t n = b >> 4;
  if (n == 15) n = Varint();
  // Every element takes at least one byte (bools included), so a size past the bytes left is bad.
  if (n > size_ - pos_) {
    Fail("a list of " + std::to_string(n) + " elements runs past the end");
    return 0;
  }
  return n;
}

void ThriftReader::Skip(ThriftType type, int depth) {
  if (depth > 64) {
    Fail("structures nested too deep");
    return;
  }
  switch (type) {
    case ThriftType::kTrue:
    case ThriftType::kFalse: return;
    case ThriftType::kByte: ReadByte(); return;
    case ThriftType::kI16:
    case ThriftType::kI32:
    case ThriftType::kI64: Varint(); return;
    case ThriftType::kDouble: ReadDouble(); return;
    case ThriftType::kBinary: ReadBinary(); return;
    case ThriftType::kList:
    case ThriftType::kSet: {
      ThriftType elem;
      const size_t n = BeginList(&elem);
      for (size_t i = 0; i < n && ok(); ++i) {
        if (elem == ThriftType::kTrue || elem == ThriftType::kFalse) ReadByte();
        else Skip(elem, depth + 1);
      }
      return;
    }
    case ThriftType::kMap: {
      const uint64_t n = Varint();
      if (n == 0) return;
      const uint8_t kv = static_cast<uint8_t>(ReadByte());
      const auto kt = static_cast<ThriftType>(kv >> 4), vt = static_cast<ThriftType>(kv & 0x0f);
      for (uint64_t i = 0; i < n && ok(); ++i) {
        Skip(kt, depth + 1);
        Skip(vt, depth + 1);
      }
      return;
    }
    case ThriftType::kStruct: {
      BeginStruct();
      int16_t id;
      ThriftType t;
      while (NextField(&id, &t)) Skip(t, depth + 1);
      return;
    }
    case ThriftType::kStop: Fail("a stop where a value was expected"); return;
  }
}

}  // namespace wh::parquet
