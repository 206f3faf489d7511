#include "parquet/encoding.h"

#include <algorithm>

namespace wh::parquet {

int BitWidth(uint64_t v) {
  int w = 0;
  while (v) {
    ++w;
    v >>= 1;
  }
  return w;
}

namespace {

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

}  // namespace

void AppendBitPacked(const uint32_t* values, size_t n, int bit_width, std::string* out) {
  if (bit_width == 0) return;
  const size_t bytes = (n * static_cast<size_t>(bit_width) + 7) / 8;
  const size_t start = out->size();
  out->resize(start + bytes, '\0');
  auto* dst = reinterpret_cast<uint8_t*>(out->data() + start);
  uint64_t acc = 0;
  int bits = 0;
  size_t at = 0;
  for (size_t i = 0; i < n; ++i) {
    acc |= static_cast<uint64_t>(values[i]) << bits;
    bits += bit_width;
    while (bits >= 8) {
      dst[at++] = static_cast<uint8_t>(acc);
      acc >>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) dst[at++] = static_cast<uint8_t>(acc);
}

void AppendRleHybrid(const uint32_t* v, size_t n, int bit_width, std::string* out) {
  const int value_bytes = (bit_width + 7) / 8;
  auto rle = [&](uint32_t value, size_t count) {
    PutVarint(static_cast<uint64_t>(count) << 1, out);
    for (int b = 0; b < value_bytes; ++b) out->push_back(static_cast<char>((value >> (8 * b)) & 0xff));
  };
  auto packed = [&](size_t begin, size_t count) {  // count values, padded to groups of 8
    while (count > 0) {
      const size_t groups = std::min<size_t>((count + 7) / 8, 63);
      const size_t take = std::min(count, groups * 8);
      PutVarint((static_cast<uint64_t>(groups) << 1) | 1, out);
      uint32_t group[8 * 63] = {};
      std::copy(v + begin, v + begin + take, group);
      AppendBitPacked(group, groups * 8, bit_width, out);
      begin += take;
      count -= take;
    }
  };
  size_t lit = 0;  // literals waiting: [lit, i)
  size_t i = 0;
  while (i < n) {
    size_t j = i + 1;
    while (j < n && v[j] == v[i]) ++j;
    size_t run = j - i;
    if (run >= 8) {
      // Literals must fill whole groups of 8: the run lends them what they lack.
      const size_t lack = (i - lit) % 8 ? 8 - (i - lit) % 8 : 0;
      if (run - lack >= 8) {
        packed(lit, i - lit + lack);
        rle(v[i], run - lack);
        lit = j;
      }
    }
    i = j;
  }
  if (lit < n) packed(lit, n - lit);
}

Status DecodeRleHybrid(const uint8_t* p, size_t size, int bit_width, size_t n, uint32_t* out) {
  if (bit_width < 0 || bit_width > 32) return Status::DataError("a bit width of " + std::to_string(bit_width));
  const int value_bytes = (bit_width + 7) / 8;
  const uint64_t mask = bit_width == 32 ? 0xffffffffull : (uint64_t{1} << bit_width) - 1;
  size_t pos = 0, got = 0;
  while (got < n) {
    uint64_t header = 0;
    for (int shift = 0;; shift += 7) {
      if (pos >= size || shift > 35) return Status::DataError("an RLE run header runs past the page's levels");
      const uint8_t b = p[pos++];
      header |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    if (header & 1) {
      const uint64_t count = (header >> 1) * 8;
      const uint64_t bytes = (header >> 1) * static_cast<uint64_t>(bit_width);
      if (bytes > size - pos) return Status::DataError("a bit-packed run runs past the page's values");
      const size_t take = static_cast<size_t>(std::min<uint64_t>(count, n - got));
      uint64_t acc = 0;
      int bits = 0;
      size_t at = pos;
      for (size_t k = 0; k < take; ++k) {
        while (bits < bit_width) {
          acc |= static_cast<uint64_t>(p[at++]) << bits;
          bits += 8;
        }
        out[got + k] = static_cast<uint32_t>(acc & mask);
        acc >>= bit_width;
        bits -= bit_width;
      }
      got += take;
      pos += static_cast<size_t>(bytes);
    } else {
      const uint64_t count = header >> 1;
      if (static_cast<size_t>(value_bytes) > size - pos) return Status::DataError("an RLE run's value runs past the page");
      uint32_t value = 0;
      for (int b = 0; b < value_bytes; ++b) value |= static_cast<uint32_t>(p[pos + b]) << (8 * b);
      pos += static_cast<size_t>(value_bytes);
      if (value & ~mask) return Status::DataError("an RLE value wider than its bit width");
      if (count == 0) return Status::DataError("an empty RLE run");
      const size_t take = static_cast<size_t>(std::min<uint64_t>(count, n - got));
      std::fill(out + got, out + got + take, value);
      got += take;
    }
  }
  return Status::OK();
}

}  // namespace wh::parquet
