#include "parquet/spark_hash.h"

#include "format/value_text.h"
#include "parquet/murmur3.h"

#include <cmath>
#include <cstring>

namespace wh::parquet {

using murmur3::Fmix;
using murmur3::MixH1;
using murmur3::MixK1;

int32_t SparkHashInt(int32_t v, int32_t seed) {
  return static_cast<int32_t>(Fmix(MixH1(static_cast<uint32_t>(seed), MixK1(static_cast<uint32_t>(v))), 4));
}

int32_t SparkHashLong(int64_t v, int32_t seed) {
  const auto u = static_cast<uint64_t>(v);
  uint32_t h = MixH1(static_cast<uint32_t>(seed), MixK1(static_cast<uint32_t>(u)));
  h = MixH1(h, MixK1(static_cast<uint32_t>(u >> 32)));
  return static_cast<int32_t>(Fmix(h, 8));
}

int32_t SparkHashBytes(const uint8_t* b, size_t n, int32_t seed) {
  const size_t aligned = n - n % 4;
  uint32_t h = static_cast<uint32_t>(seed);
  for (size_t i = 0; i < aligned; i += 4) {
    const uint32_t w = static_cast<uint32_t>(b[i]) | static_cast<uint32_t>(b[i + 1]) << 8 |
                       static_cast<uint32_t>(b[i + 2]) << 16 | static_cast<uint32_t>(b[i + 3]) << 24;
    h = MixH1(h, MixK1(w));
  }
  for (size_t i = aligned; i < n; ++i) {
    const auto sb = static_cast<int32_t>(static_cast<int8_t>(b[i]));
    h = MixH1(h, MixK1(static_cast<uint32_t>(sb)));
  }
  return static_cast<int32_t>(Fmix(h, static_cast<uint32_t>(n)));
}

int32_t SparkHash(const Column& c, size_t i, int32_t seed) {
  if (c.IsNull(i)) return seed;
  const DataType& t = c.type();
  switch (t.id) {
    case TypeId::kBoolean: return SparkHashInt(c.Get<uint8_t>(i) ? 1 : 0, seed);
    case TypeId::kInt32:
    case TypeId::kDate: return SparkHashInt(c.Get<int32_t>(i), seed);
    case TypeId::kInt64:
    case TypeId::kTimestamp: return SparkHashLong(c.Get<int64_t>(i), seed);
    case TypeId::kDouble: {
      const double d = c.Get<double>(i);
      int64_t bits = 0;
      if (std::isnan(d)) {
        bits = 0x7ff8000000000000ll;
      } else if (d != 0) {
        std::memcpy(&bits, &d, 8);
      }
      return SparkHashLong(bits, seed);
    }
    case TypeId::kDecimal: {
      if (t.precision <= 18) return SparkHashLong(static_cast<int64_t>(IntegerAt(c, i)), seed);
      const std::string b = MinimalBigEndian(IntegerAt(c, i));  // BigInteger.toByteArray
      return SparkHashBytes(reinterpret_cast<const uint8_t*>(b.data()), b.size(), seed);
    }
    case TypeId::kString: {
      const std::string_view s = c.GetString(i);
      return SparkHashBytes(reinterpret_cast<const uint8_t*>(s.data()), s.size(), seed);
    }
    case TypeId::kList: break;  // no table holds a list
  }
  return seed;
}

}  // namespace wh::parquet
