#include "format/bucket_hash.h"

#include <xxhash.h>

#include <cstring>

#include "format/coding.h"

namespace wh {

uint64_t Checksum64(const void* data, size_t n) { return XXH64(data, n, 0); }

uint64_t HashInt64Key(int64_t v) {
  uint8_t b[8];
  std::memcpy(b, &v, 8);  // little-endian host
  return XXH64(b, 8, kBucketHashSeed);
}

uint64_t HashBytesKey(std::string_view bytes) {
  return XXH64(bytes.data(), bytes.size(), kBucketHashSeed);
}

void ComputeBuckets(const Column& key, uint32_t n, uint32_t* out) {
  const size_t rows = key.size();
  switch (key.type().physical()) {
    case PhysicalType::kBool:
      for (size_t i = 0; i < rows; ++i) out[i] = BucketOf(HashInt64Key(key.Get<uint8_t>(i)), n);
      break;
    case PhysicalType::kInt32:
      for (size_t i = 0; i < rows; ++i) out[i] = BucketOf(HashInt64Key(key.Get<int32_t>(i)), n);
      break;
    case PhysicalType::kInt64:
      for (size_t i = 0; i < rows; ++i) out[i] = BucketOf(HashInt64Key(key.Get<int64_t>(i)), n);
      break;
    case PhysicalType::kInt128:
      for (size_t i = 0; i < rows; ++i) {
        int128 v = key.Get<int128>(i);
        out[i] = BucketOf(XXH64(&v, 16, kBucketHashSeed), n);
      }
      break;
    case PhysicalType::kDouble:
      for (size_t i = 0; i < rows; ++i) {
        double d = key.Get<double>(i);
        uint64_t bits;
        if (d != d) {
          bits = 0x7ff8000000000000ull;
        } else {
          if (d == 0) d = 0.0;
          std::memcpy(&bits, &d, 8);
        }
        out[i] = BucketOf(XXH64(&bits, 8, kBucketHashSeed), n);
      }
      break;
    case PhysicalType::kString:
      for (size_t i = 0; i < rows; ++i) out[i] = BucketOf(HashBytesKey(key.GetString(i)), n);
      break;
  }
  if (key.has_nulls())
    for (size_t i = 0; i < rows; ++i)
      if (key.IsNull(i)) out[i] = 0;
}

}  // namespace wh
