// Little-endian fixed-width encoding helpers with bounds-checked reads.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "format/status.h"
#include "format/types.h"

namespace wh {

class ByteWriter {
 public:
  explicit ByteWriter(std::string* out) : out_(out) {}
  template <typename T> void Put(T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));  // wh only runs on little-endian hosts (static_assert below)
    out_->append(b, sizeof(T));
  }
  void PutU8(uint8_t v) { Put(v); }
  void PutU16(uint16_t v) { Put(v); }
  void PutU32(uint32_t v) { Put(v); }
  void PutU64(uint64_t v) { Put(v); }
  void PutI32(int32_t v) { Put(v); }
  void PutI64(int64_t v) { Put(v); }
  void PutBytes(const void* p, size_t n) { out_->append(static_cast<const char*>(p), n); }
  // u32 length + bytes.
  void PutString(std::string_view s) {
    PutU32(static_cast<uint32_t>(s.size()));
    out_->append(s);
  }
  // Unsigned LEB128: 7 bits a byte, low bits first, bit 7 set on every byte but the last; the
  // shortest form (1 to 10 bytes).
  void PutVarint(uint64_t v) {
    while (v >= 0x80) {
      out_->push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_->push_back(static_cast<char>(v));
  }
  size_t size() const { return out_->size(); }

 private:
  std::string* out_;
};

// Reads from a byte range; every read checks bounds. After a failed read, ok() is false and
// every further read returns zero values, so callers can check once at the end.
class ByteReader {
 public:
  ByteReader(const void* data, size_t size)
      : p_(static_cast<const uint8_t*>(data)), size_(size) {}
  explicit ByteReader(std::string_view s) : ByteReader(s.data(), s.size()) {}

  template <typename T> T Get() {
    T v{};
    if (!Need(sizeof(T))) return v;
    std::memcpy(&v, p_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  uint8_t GetU8() { return Get<uint8_t>(); }
  uint16_t GetU16() { return Get<uint16_t>(); }
  uint32_t GetU32() { return Get<uint32_t>(); }
  uint64_t GetU64() { return Get<uint64_t>(); }
  int32_t GetI32() { return Get<int32_t>(); }
  int64_t GetI64() { return Get<int64_t>(); }
  // Returns a view of the next n bytes (empty on failure).
  std::string_view GetBytes(size_t n) {
    if (!Need(n)) return {};
    std::string_view v(reinterpret_cast<const char*>(p_ + pos_), n);
    pos_ += n;
    return v;
  }
  std::string_view GetString() { return GetBytes(GetU32()); }
  // A varint as PutVarint writes it; fails on one longer than 10 bytes, past 64 bits, or not in
  // its shortest form (a last byte 0 after others).
  uint64_t GetVarint() {
    uint64_t v = 0;
    for (unsigned i = 0; i < 10; ++i) {
      if (!Need(1)) return 0;
      const uint8_t b = p_[pos_++];
      if (i == 9 && b > 1) break;
      v |= uint64_t{b & 0x7fu} << (7 * i);
      if (!(b & 0x80)) {
        if (b == 0 && i > 0) break;
        return v;
      }
    }
    ok_ = false;
    return 0;
  }
  bool ok() const { return ok_; }
  size_t pos() const { return pos_; }
  size_t remaining() const { return ok_ ? size_ - pos_ : 0; }
  bool AtEnd() const { return ok_ && pos_ == size_; }
  void Fail() { ok_ = false; }

 private:
  bool Need(size_t n) {
    if (!ok_ || n > size_ - pos_) {
      ok_ = false;
      return false;
    }
    return true;
  }
  const uint8_t* p_;
  size_t size_;
  size_t pos_ = 0;
  bool ok_ = true;
};

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "wh assumes a little-endian host");

// XXH64 with seed 0: the checksum of every block, footer, trailer and log record.
uint64_t Checksum64(const void* data, size_t n);

}  // namespace wh
