#include "format/bitpack.h"

#include <cstring>
#include <utility>

namespace wh {

void BitPack(const uint64_t* in, size_t n, int bw, uint8_t* out) {
  size_t bytes = BitPackedSize(n, bw);
  if (bytes == 0) return;  // (out may be null)
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

namespace {

// Groups of 8 values of a width known at compile time take exactly BW bytes: each value is one
// unaligned 8-byte load at a constant offset, a constant shift and a mask - straight-line code
// with no per-value bookkeeping. A value wider than 56 bits may straddle 9 bytes: its top bits
// come from the byte after the load. Returns how many values (a multiple of 8) it unpacked; the
// last group it touches still has kReach readable bytes past its start.
template <int BW>
size_t UnpackGroups(const uint8_t* in, size_t n, size_t bytes, uint64_t* out) {
  constexpr uint64_t kMask = BW == 64 ? ~uint64_t{0} : (uint64_t{1} << BW) - 1;
  constexpr size_t kReach = BW > 56 ? 9 : 8;
  size_t groups = n / 8;
  // Group g reads bytes [g * BW, g * BW + 7 * BW / 8 + kReach).
  while (groups > 0 && (groups - 1) * BW + (7 * BW) / 8 + kReach > bytes) --groups;
  for (size_t g = 0; g < groups; ++g) {
    const uint8_t* p = in + g * BW;
    uint64_t* o = out + g * 8;
    for (int j = 0; j < 8; ++j) {  // unrolled by the compiler: j * BW is a constant
      const int shift = (j * BW) % 8;
      uint64_t w;
      std::memcpy(&w, p + (j * BW) / 8, 8);
      uint64_t v = w >> shift;
      // (Shifted in two steps: a count of 64 - shift, 64 where the branch is dead, would not compile cleanly.)
      if (shift + BW > 64) v |= (static_cast<uint64_t>(p[(j * BW) / 8 + 8]) << 1) << (63 - shift);
      o[j] = v & kMask;
    }
  }
  return groups * 8;
}

template <int... W>
size_t UnpackFast(const uint8_t* in, size_t n, size_t bytes, int bw, uint64_t* out,
                  std::integer_sequence<int, W...>) {
  using Fn = size_t (*)(const uint8_t*, size_t, size_t, uint64_t*);
  static constexpr Fn kByWidth[] = {nullptr, &UnpackGroups<W + 1>...};
  return kByWidth[bw](in, n, bytes, out);
}

}  // namespace

void BitUnpack(const uint8_t* in, size_t n, int bw, uint64_t* out) {
  if (n == 0) return;  // (in and out may be null)
  if (bw == 0) {
    std::memset(out, 0, n * sizeof(uint64_t));
    return;
  }
  const size_t bytes = BitPackedSize(n, bw);
  const uint64_t mask = bw == 64 ? ~uint64_t{0} : (uint64_t{1} << bw) - 1;
  size_t i = UnpackFast(in, n, bytes, bw, out, std::make_integer_sequence<int, 64>());
  if (bw <= 56) {
    // Then one unaligned 8-byte load per value while 8 bytes remain.
    size_t bitpos = i * bw;
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
