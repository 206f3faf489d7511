// The bucket function (SPEC.md "Bucketing"): which of a table's N buckets a row belongs to.
// Another tool that computes the same function can write co-bucketed data.
#pragma once

#include <cstdint>
#include <string_view>

#include "format/column.h"

namespace wh {

constexpr uint64_t kBucketHashSeed = 0;

// XXH64 (seed 0) of the key's bytes: integers of every width (BOOLEAN, INT, BIGINT, DATE,
// TIMESTAMP, DECIMAL with p <= 18) as the 8-byte little-endian two's complement of the value
// widened to 64 bits; DECIMAL with p > 18 as 16 bytes little-endian; STRING as its UTF-8 bytes;
// DOUBLE as the 8 bytes of its IEEE 754 bits (with -0.0 normalized to 0.0 and every NaN to the
// quiet NaN 0x7ff8000000000000).
uint64_t HashInt64Key(int64_t v);
uint64_t HashBytesKey(std::string_view bytes);

// bucket = hash mod bucket_count (unsigned). A NULL key goes to bucket 0.
inline uint32_t BucketOf(uint64_t hash, uint32_t bucket_count) {
  return static_cast<uint32_t>(hash % bucket_count);
}

// Computes the bucket of every row of `key` into out[0, key.size()).
void ComputeBuckets(const Column& key, uint32_t bucket_count, uint32_t* out);

}  // namespace wh
