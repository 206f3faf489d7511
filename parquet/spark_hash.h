// Apache Spark's bucket function, so that a file exported as Spark's bucket B holds exactly the
// rows Spark puts in B: bucket = pmod(Murmur3Hash(key, seed 42), N) (HashPartitioning's
// partitionIdExpression, which Spark's writer uses for bucketBy / CLUSTERED BY tables).
//
// Murmur3Hash hashes a value by its Spark type: BOOLEAN as the int 1 or 0, INT and DATE (days)
// with hashInt, BIGINT and TIMESTAMP (microseconds) with hashLong, DOUBLE as hashLong of its
// bits (-0.0 as 0, every NaN as 0x7ff8000000000000), DECIMAL(p <= 18) as hashLong of the unscaled
// value, DECIMAL(p > 18) and STRING as hashUnsafeBytes of the bytes (the unscaled value's
// minimal big-endian two's complement, as Java's BigInteger.toByteArray; a string's UTF-8);
// a NULL leaves the seed as it is. hashUnsafeBytes is not standard MurmurHash3 on a tail of 1-3
// bytes: each byte, sign-extended, is a whole mixing round.
#pragma once

#include <cstdint>
#include <vector>

#include "format/column.h"

namespace wh::parquet {

int32_t SparkHashInt(int32_t v, int32_t seed);
int32_t SparkHashLong(int64_t v, int32_t seed);
int32_t SparkHashBytes(const uint8_t* data, size_t n, int32_t seed);

// Murmur3Hash(value, seed) of row i of c, by c's type.
int32_t SparkHash(const Column& c, size_t i, int32_t seed = 42);

// pmod(hash, n): in [0, n).
inline uint32_t SparkPmod(int32_t hash, uint32_t n) {
  int64_t r = static_cast<int64_t>(hash) % static_cast<int64_t>(n);
  return static_cast<uint32_t>(r < 0 ? r + n : r);
}

}  // namespace wh::parquet
