// Parquet's value encodings that wh writes and reads: the RLE / bit-packing hybrid (definition
// levels, dictionary indices, BOOLEAN under RLE) and LSB-first bit packing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "format/status.h"

namespace wh::parquet {

// Bits needed for values up to max_value (0 for 0).
int BitWidth(uint64_t max_value);

// Appends the hybrid encoding of n values of `bit_width` bits (no length prefix): runs of 8 or
// more equal values as RLE runs (varint count << 1, then the value in ceil(bit_width / 8)
// little-endian bytes), the rest as bit-packed runs (varint groups << 1 | 1, then 8 values a
// group, LSB first) of at most 63 groups; a last partial group is padded with zeros.
void AppendRleHybrid(const uint32_t* values, size_t n, int bit_width, std::string* out);

// Decodes n values of the hybrid encoding from [p, p + size). Fails on a run that goes past
// the bytes or a value wider than bit_width; values past n in the last run are ignored.
Status DecodeRleHybrid(const uint8_t* p, size_t size, int bit_width, size_t n, uint32_t* out);

// Appends n values of bit_width bits packed LSB first (BOOLEAN's PLAIN encoding with width 1).
void AppendBitPacked(const uint32_t* values, size_t n, int bit_width, std::string* out);

}  // namespace wh::parquet
