#include "parquet/spark_hash.h"

#include "format/value_text.h"

#include <cmath>
#include <cstring>

namespace wh::parquet {

namespace {

constexpr uint32_t kC1 = 0xcc9e2d51u, kC2 = 0x1b873593u;

inline uint32_t Rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
inline uint32_t MixK1(uint32_t k) { return Rotl(k * kC1, 15) * kC2; }
inline uint32_t MixH1(uint32_t h, uint32_t k) { return Rotl(h ^ k, 13) * 5 + 0xe6546b64u; }
inline uint32_t Fmix(uint32_t h, uint32_t len) {
  h ^= len;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

}  // namespace

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
  }
  return seed;
}

void SparkBuckets(const Column& c, uint32_t n, std::vector<uint32_t>* out) {
  out->resize(c.size());
  if (c.type().id == TypeId::kInt64 && !c.has_nulls()) {
    const int64_t* v = c.values<int64_t>();
    for (size_t i = 0; i < c.size(); ++i) (*out)[i] = SparkPmod(SparkHashLong(v[i], 42), n);
    return;
  }
  for (size_t i = 0; i < c.size(); ++i) (*out)[i] = SparkPmod(SparkHash(c, i, 42), n);
}

}  // namespace wh::parquet
