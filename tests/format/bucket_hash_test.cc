// The bucket function must equal SPEC.md's test vectors, which were computed with the
// reference `xxhsum -H1` over the key bytes, independently of wh.
#include "format/bucket_hash.h"

#include <gtest/gtest.h>

namespace wh {
namespace {

struct Vector {
  int64_t key;
  uint64_t hash;
  uint32_t bucket45;
};

TEST(BucketHash, Int64VectorsMatchSpec) {
  const Vector kVectors[] = {
      {0, 0x34c96acdcadb1bbbull, 14},
      {1, 0x9f29cb17a2a49995ull, 4},
      {-1, 0x85d136adb773c6c9ull, 21},
      {-5883066163442742154ll, 0x76b2877a90270503ull, 39},
      {9179951471323778798ll, 0xc41a8a2fc148f4beull, 11},
  };
  for (const auto& v : kVectors) {
    EXPECT_EQ(HashInt64Key(v.key), v.hash) << v.key;
    EXPECT_EQ(BucketOf(HashInt64Key(v.key), 45), v.bucket45) << v.key;
  }
}

TEST(BucketHash, StringVectorsMatchSpec) {
  EXPECT_EQ(HashBytesKey("u123456"), 0x4b6bd2a442e0c094ull);
  EXPECT_EQ(BucketOf(HashBytesKey("u123456"), 45), 16u);
  EXPECT_EQ(HashBytesKey(""), 0xef46db3751d8e999ull);
}

TEST(BucketHash, IntAndBigintCoBucket) {
  Column a(DataType::Int32()), b(DataType::Int64());
  for (int v : {-7, 0, 1, 123456, -2147483647}) {
    a.Append<int32_t>(v);
    b.Append<int64_t>(v);
  }
  std::vector<uint32_t> ba(5), bb(5);
  ComputeBuckets(a, 45, ba.data());
  ComputeBuckets(b, 45, bb.data());
  EXPECT_EQ(ba, bb);
}

TEST(BucketHash, NullKeyGoesToBucketZero) {
  Column c(DataType::Int64());
  c.Append<int64_t>(1);
  c.AppendNull();
  std::vector<uint32_t> out(2);
  ComputeBuckets(c, 45, out.data());
  EXPECT_EQ(out[0], 4u);
  EXPECT_EQ(out[1], 0u);
}

}  // namespace
}  // namespace wh
