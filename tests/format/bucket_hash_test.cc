// The bucket function must equal SPEC.md's test vectors, which were computed with the
// reference `xxhsum -H1` over the key bytes, independently of wh.
#include "format/bucket_hash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "format/value_text.h"

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

// ---------------------------------------------------------------------------------------------
// SPEC.md "Bucketing": every row of the test-vector table between `<!-- bucket-vectors-begin -->`
// and `<!-- bucket-vectors-end -->` is checked three ways: its key bytes are those the SPEC's rule
// gives for the key (computed here, not by wh), its XXH64 is the XXH64 of those bytes (computed
// by the small implementation below, not by libxxhash), and wh's bucket function puts the key in
// that bucket of 45 and agrees with the hash modulo a large N.

// XXH64 (seed 0) from the algorithm's description, independent of the library wh links.
uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
constexpr uint64_t kP1 = 0x9E3779B185EBCA87ull, kP2 = 0xC2B2AE3D27D4EB4Full,
                   kP3 = 0x165667B19E3779F9ull, kP4 = 0x85EBCA77C2B2AE63ull,
                   kP5 = 0x27D4EB2F165667C5ull;
uint64_t Read64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
uint64_t Read32(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
uint64_t Round(uint64_t acc, uint64_t input) { return Rotl(acc + input * kP2, 31) * kP1; }
uint64_t MergeRound(uint64_t acc, uint64_t v) { return (acc ^ Round(0, v)) * kP1 + kP4; }

uint64_t ReferenceXxh64(const std::string& bytes) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t len = bytes.size();
  const uint8_t* end = p + len;
  uint64_t h;
  if (len >= 32) {
    uint64_t v1 = kP1 + kP2, v2 = kP2, v3 = 0, v4 = 0 - kP1;
    for (; p + 32 <= end; p += 32) {
      v1 = Round(v1, Read64(p));
      v2 = Round(v2, Read64(p + 8));
      v3 = Round(v3, Read64(p + 16));
      v4 = Round(v4, Read64(p + 24));
    }
    h = Rotl(v1, 1) + Rotl(v2, 7) + Rotl(v3, 12) + Rotl(v4, 18);
    h = MergeRound(MergeRound(MergeRound(MergeRound(h, v1), v2), v3), v4);
  } else {
    h = kP5;
  }
  h += len;
  for (; p + 8 <= end; p += 8) h = Rotl(h ^ Round(0, Read64(p)), 27) * kP1 + kP4;
  if (p + 4 <= end) {
    h = Rotl(h ^ (Read32(p) * kP1), 23) * kP2 + kP3;
    p += 4;
  }
  for (; p < end; ++p) h = Rotl(h ^ (*p * kP5), 11) * kP1;
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

TEST(BucketHash, ReferenceXxh64MatchesKnownValues) {
  // xxhsum -H1 of "", of 8 zero bytes, and of 40 bytes 0..39 (which takes the 32-byte stripes).
  EXPECT_EQ(ReferenceXxh64(""), 0xef46db3751d8e999ull);
  EXPECT_EQ(ReferenceXxh64(std::string(8, '\0')), 0x34c96acdcadb1bbbull);
  std::string forty;
  for (int i = 0; i < 40; ++i) forty.push_back(static_cast<char>(i));
  EXPECT_EQ(ReferenceXxh64(forty), HashBytesKey(forty));
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  return s.substr(b);
}

std::string LittleEndian(int128 v, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(static_cast<uint8_t>(v >> (8 * i))));
  return out;
}

struct SpecVector {
  std::string key, key_bytes, hash;
  uint32_t bucket45 = 0;
};

std::vector<SpecVector> ReadSpecVectors() {
  std::ifstream in(std::string(WH_SOURCE_DIR) + "/SPEC.md", std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string spec = ss.str();
  const size_t begin = spec.find("<!-- bucket-vectors-begin -->");
  const size_t end = spec.find("<!-- bucket-vectors-end -->");
  std::vector<SpecVector> out;
  if (begin == std::string::npos || end == std::string::npos) return out;
  std::istringstream lines(spec.substr(begin, end - begin));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| ", 0) != 0 || line.rfind("| key ", 0) == 0 || line.rfind("| ---", 0) == 0) continue;
    std::vector<std::string> cells;
    std::istringstream cs(line.substr(1));
    for (std::string c; std::getline(cs, c, '|');) cells.push_back(Trim(c));
    if (cells.size() < 4) continue;
    out.push_back({cells[0], cells[1], cells[2], static_cast<uint32_t>(std::stoul(cells[3]))});
  }
  return out;
}

// The key column as the table writes it ("DECIMAL(38,2) 12.34", "STRING 'x'", "BIGINT NULL"),
// and the key bytes by SPEC.md's rule, computed here from the value.
struct ParsedKey {
  Column column;
  bool null = false;
  std::string bytes;
};

ParsedKey ParseKey(const std::string& key) {
  const size_t sp = key.find(' ');
  const std::string tname = key.substr(0, sp), text = key.substr(sp + 1);
  int p = 0, s = 0;
  const size_t paren = tname.find('(');
  if (paren != std::string::npos) std::sscanf(tname.c_str() + paren, "(%d,%d)", &p, &s);
  auto type = ParseTypeName(tname.substr(0, paren), p, s, paren != std::string::npos);
  if (!type.ok()) {
    ADD_FAILURE() << "bad key type in '" << key << "'";
    return ParsedKey{Column(DataType::Int64()), true, ""};
  }
  ParsedKey k{Column(*type), false, ""};
  if (text == "NULL") {
    k.column.AppendNull();
    k.null = true;
    return k;
  }
  switch (type->id) {
    case TypeId::kBoolean: {
      const uint8_t b = text == "true";
      k.column.Append<uint8_t>(b);
      k.bytes = LittleEndian(b, 8);
      break;
    }
    case TypeId::kInt32: {
      const int32_t v = static_cast<int32_t>(std::stol(text));
      k.column.Append<int32_t>(v);
      k.bytes = LittleEndian(v, 8);
      break;
    }
    case TypeId::kInt64: {
      const int64_t v = std::stoll(text);
      k.column.Append<int64_t>(v);
      k.bytes = LittleEndian(v, 8);
      break;
    }
    case TypeId::kDate: {
      const int32_t v = *ParseDate(text);
      k.column.Append<int32_t>(v);
      k.bytes = LittleEndian(v, 8);
      break;
    }
    case TypeId::kTimestamp: {
      const int64_t v = *ParseTimestamp(text);
      k.column.Append<int64_t>(v);
      k.bytes = LittleEndian(v, 8);
      break;
    }
    case TypeId::kDecimal: {
      // The unscaled value, from the digits: "12.34" at scale 2 is 1234.
      int128 v = 0;
      int frac = -1;
      for (char c : text) {
        if (c == '.') frac = 0;
        else if (c != '-') {
          v = v * 10 + (c - '0');
          if (frac >= 0) ++frac;
        }
      }
      for (int i = std::max(frac, 0); i < s; ++i) v *= 10;
      if (text[0] == '-') v = -v;
      if (type->physical() == PhysicalType::kInt128) {
        k.column.Append<int128>(v);
        k.bytes = LittleEndian(v, 16);
      } else {
        k.column.Append<int64_t>(static_cast<int64_t>(v));
        k.bytes = LittleEndian(v, 8);
      }
      break;
    }
    case TypeId::kDouble: {
      const double d = std::strtod(text.c_str(), nullptr);
      k.column.Append<double>(d);
      uint64_t bits;
      std::memcpy(&bits, &d, 8);
      if (std::isnan(d)) bits = 0x7ff8000000000000ull;  // any NaN
      if (d == 0) bits = 0;                              // -0.0 as 0.0
      k.bytes = LittleEndian(bits, 8);
      break;
    }
    case TypeId::kString: {
      EXPECT_TRUE(text.size() >= 2 && text.front() == '\'' && text.back() == '\'') << key;
      k.bytes = text.substr(1, text.size() - 2);
      k.column.AppendString(k.bytes);
      break;
    }
    case TypeId::kList: ADD_FAILURE() << "no key is a list: " << key; break;
  }
  return k;
}

std::string HexBytes(const std::string& cell) {
  if (cell.empty() || cell[0] != '`') return "";  // "(none: 0 bytes)", "(not hashed)"
  std::string out;
  std::istringstream hex(cell.substr(1, cell.size() - 2));
  for (std::string x; hex >> x;) out.push_back(static_cast<char>(std::stoi(x, nullptr, 16)));
  return out;
}

TEST(BucketHash, SpecVectorTableMatchesTheRuleTheHashAndTheBucketFunction) {
  const auto vectors = ReadSpecVectors();
  ASSERT_GE(vectors.size(), 20u) << "SPEC.md's bucket-vectors table is missing or short";
  bool saw_null = false, saw_empty = false, saw_int128 = false;
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.key);
    ParsedKey k = ParseKey(v.key);
    uint32_t b45 = 99, big = 99;
    ComputeBuckets(k.column, 45, &b45);
    EXPECT_EQ(b45, v.bucket45);
    if (k.null) {
      saw_null = true;
      EXPECT_EQ(v.hash, "-");
      EXPECT_EQ(v.bucket45, 0u);
      continue;
    }
    EXPECT_EQ(HexBytes(v.key_bytes), k.bytes) << "the key bytes do not follow the rule";
    saw_empty |= k.bytes.empty();
    saw_int128 |= k.bytes.size() == 16;
    ASSERT_EQ(v.hash.rfind("0x", 0), 0u);
    const uint64_t hash = std::stoull(v.hash.substr(2), nullptr, 16);
    EXPECT_EQ(ReferenceXxh64(k.bytes), hash) << "XXH64 of the key bytes";
    EXPECT_EQ(hash % 45, v.bucket45);
    constexpr uint32_t kLargePrime = 4294967291u;  // checks more of the hash than mod 45 does
    ComputeBuckets(k.column, kLargePrime, &big);
    EXPECT_EQ(big, hash % kLargePrime);
  }
  EXPECT_TRUE(saw_null && saw_empty && saw_int128);
}

}  // namespace
}  // namespace wh
