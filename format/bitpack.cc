#include "format/bitpack.h"

#include <cstring>

namespace wh {

void BitPack(const uint64_t* in, size_t n, int bw, uint8_t* out) {
  size_t bytes = BitPackedSize(n, bw);
  std::memset(out, 0, bytes);
  if (bw == 0) return;
  size_t bitpos = 0;
  for (size_t i = 0; i < n; ++i, bitpos += bw) {
    unsigned __int128 v = static_cast<unsigned __int128>(in[i]) << (bitpos & 7);
    size_t byte = bitpos >> 3;
    size_t len = (static_cast<size_t>(bw) + (bitpos & 7) + 7) / 8;
    for (size_t k = 0; k < len; ++k) out[byte + k] |= static_cast<uint8_t>(v >> (8 * k));
  }
}

void BitUnpack(const uint8_t* in, size_t n, int bw, uint64_t* out) {
  if (bw == 0) {
    std::memset(out, 0, n * sizeof(uint64_t));
    return;
  }
  const size_t bytes = BitPackedSize(n, bw);
  const uint64_t mask = bw == 64 ? ~uint64_t{0} : (uint64_t{1} << bw) - 1;
  size_t i = 0;
  if (bw <= 56) {
    // Fast path: one unaligned 8-byte load per value while 8 bytes remain.
    size_t bitpos = 0;
    for (; i < n; ++i, bitpos += bw) {
      size_t byte = bitpos >> 3;
      if (byte + 8 > bytes) break;
      uint64_t w;
      std::memcpy(&w, in + byte, 8);
      out[i] = (w >> (bitpos & 7)) & mask;
    }
  }
  for (size_t bitpos = i * bw; i < n; ++i, bitpos += bw) {
    size_t byte = bitpos >> 3;
    size_t len = (static_cast<size_t>(bw) + (bitpos & 7) + 7) / 8;
    unsigned __int128 v = 0;
    for (size_t k = 0; k < len; ++k) v |= static_cast<unsigned __int128>(in[byte + k]) << (8 * k);
    out[i] = static_cast<uint64_t>(v >> (bitpos & 7)) & mask;
  }
}

}  // namespace wh
