// The steps of MurmurHash3 x86_32 that Spark's and Iceberg's bucket functions share (each
// finishes its input's tail its own way: spark_hash.cc, iceberg.cc).
#pragma once

#include <cstdint>

namespace wh::murmur3 {

inline uint32_t Rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
inline uint32_t MixK1(uint32_t k) { return Rotl(k * 0xcc9e2d51u, 15) * 0x1b873593u; }
inline uint32_t MixH1(uint32_t h, uint32_t k) { return Rotl(h ^ k, 13) * 5 + 0xe6546b64u; }
// The final avalanche, after the length is xored in.
inline uint32_t Fmix(uint32_t h, uint32_t len) {
  h ^= len;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}

}  // namespace wh::murmur3
