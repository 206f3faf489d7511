// Little-endian, LSB-first bit packing of unsigned integers of width 0..64 (SPEC.md "Bit packing").
#pragma once

#include <cstddef>
#include <cstdint>

namespace wh {

inline size_t BitPackedSize(size_t n, int bit_width) {
  return (n * static_cast<size_t>(bit_width) + 7) / 8;
}

// Number of bits needed for v (0 for 0).
inline int BitWidth(uint64_t v) { return v == 0 ? 0 : 64 - __builtin_clzll(v); }

// Writes n values of bit_width bits each to out (BitPackedSize(n, bit_width) bytes, zeroed by
// this call). Value bits above bit_width must be zero.
void BitPack(const uint64_t* in, size_t n, int bit_width, uint8_t* out);

// Reads n values. REQUIRES: in holds at least BitPackedSize(n, bit_width) bytes.
void BitUnpack(const uint8_t* in, size_t n, int bit_width, uint64_t* out);

}  // namespace wh
