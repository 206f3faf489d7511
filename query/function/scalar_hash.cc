// Digests of strings as lower-case hex: MD5, SHA1, SHA256 and Spark's SHA2(s, bits) (bits 256
// or 0). Written from their standards (RFC 1321, FIPS 180-4); the round constants are derived
// at start-up from their definitions (sines, and the roots of the first primes) and the results
// checked against the standards' test vectors and DuckDB's answers (tests/diff).
#include <cmath>
#include <cstring>

#include "query/typing.h"
#include "query/function/function.h"
#include "query/function/kernel.h"

namespace wh {

namespace {

inline uint32_t Rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }
inline uint32_t Rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void Hex(const uint8_t* bytes, size_t n, std::string* out) {
  static const char* kDigits = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    out->push_back(kDigits[bytes[i] >> 4]);
    out->push_back(kDigits[bytes[i] & 15]);
  }
}

// The message padded to a multiple of 64 bytes with its bit length (little-endian for MD5,
// big-endian for the SHAs).
std::string Padded(std::string_view m, bool little_endian) {
  std::string p(m);
  p.push_back(static_cast<char>(0x80));
  while (p.size() % 64 != 56) p.push_back(0);
  const uint64_t bits = static_cast<uint64_t>(m.size()) * 8;
  for (int i = 0; i < 8; ++i) p.push_back(static_cast<char>(bits >> (little_endian ? 8 * i : 8 * (7 - i))));
  return p;
}

void Md5(std::string_view m, std::string* out) {
  static const auto* k = [] {
    auto* t = new uint32_t[64];
    for (int i = 0; i < 64; ++i) t[i] = static_cast<uint32_t>(std::floor(std::fabs(std::sin(static_cast<long double>(i + 1))) * 4294967296.0L));
    return t;
  }();
  static const int kShift[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                                 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
  uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  const std::string p = Padded(m, true);
  for (size_t off = 0; off < p.size(); off += 64) {
    uint32_t w[16];
    for (int i = 0; i < 16; ++i) {
      const auto* b = reinterpret_cast<const uint8_t*>(p.data() + off + 4 * i);
      w[i] = uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    for (int i = 0; i < 64; ++i) {
      uint32_t f;
      int g;
      if (i < 16) f = (b & c) | (~b & d), g = i;
      else if (i < 32) f = (d & b) | (~d & c), g = (5 * i + 1) % 16;
      else if (i < 48) f = b ^ c ^ d, g = (3 * i + 5) % 16;
      else f = c ^ (b | ~d), g = (7 * i) % 16;
      const uint32_t t = d;
      d = c;
      c = b;
      b = b + Rotl(a + f + k[i] + w[g], kShift[i]);
      a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d;
  }
  uint8_t digest[16];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) digest[4 * i + j] = static_cast<uint8_t>(h[i] >> (8 * j));
  Hex(digest, 16, out);
}

// The first 32 bits of the fractional part of x.
uint32_t Frac32(long double x) { return static_cast<uint32_t>((x - std::floor(x)) * 4294967296.0L); }

const uint32_t* Primes() {
  static const auto* p = [] {
    auto* t = new uint32_t[64];
    int n = 0;
    for (uint32_t c = 2; n < 64; ++c) {
      bool prime = true;
      for (uint32_t d = 2; d * d <= c; ++d) prime = prime && c % d != 0;
      if (prime) t[n++] = c;
    }
    return t;
  }();
  return p;
}

void Sha256(std::string_view m, std::string* out) {
  static const auto* k = [] {
    auto* t = new uint32_t[64];
    for (int i = 0; i < 64; ++i) t[i] = Frac32(std::cbrt(static_cast<long double>(Primes()[i])));
    return t;
  }();
  uint32_t h[8];
  for (int i = 0; i < 8; ++i) h[i] = Frac32(std::sqrt(static_cast<long double>(Primes()[i])));
  const std::string p = Padded(m, false);
  uint32_t w[64];
  for (size_t off = 0; off < p.size(); off += 64) {
    for (int i = 0; i < 16; ++i) {
      const auto* b = reinterpret_cast<const uint8_t*>(p.data() + off + 4 * i);
      w[i] = uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | uint32_t{b[3]};
    }
    for (int i = 16; i < 64; ++i) {
      const uint32_t s0 = Rotr(w[i - 15], 7) ^ Rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const uint32_t s1 = Rotr(w[i - 2], 17) ^ Rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; ++i) {
      const uint32_t s1 = Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25);
      const uint32_t ch = (e & f) ^ (~e & g);
      const uint32_t t1 = hh + s1 + ch + k[i] + w[i];
      const uint32_t s0 = Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22);
      const uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      const uint32_t t2 = s0 + maj;
      hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
  }
  uint8_t digest[32];
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 4; ++j) digest[4 * i + j] = static_cast<uint8_t>(h[i] >> (24 - 8 * j));
  Hex(digest, 32, out);
}

void Sha1(std::string_view m, std::string* out) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  const std::string p = Padded(m, false);
  uint32_t w[80];
  for (size_t off = 0; off < p.size(); off += 64) {
    for (int i = 0; i < 16; ++i) {
      const auto* b = reinterpret_cast<const uint8_t*>(p.data() + off + 4 * i);
      w[i] = uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | uint32_t{b[3]};
    }
    for (int i = 16; i < 80; ++i) w[i] = Rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      uint32_t f, k;
      if (i < 20) f = (b & c) | (~b & d), k = 0x5A827999;
      else if (i < 40) f = b ^ c ^ d, k = 0x6ED9EBA1;
      else if (i < 60) f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
      else f = b ^ c ^ d, k = 0xCA62C1D6;
      const uint32_t t = Rotl(a, 5) + f + e + k + w[i];
      e = d, d = c, c = Rotl(b, 30), b = a, a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
  }
  uint8_t digest[20];
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 4; ++j) digest[4 * i + j] = static_cast<uint8_t>(h[i] >> (24 - 8 * j));
  Hex(digest, 20, out);
}

Status HashKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) -> Status {
    std::string_view v = a[0].GetString(i);
    if (e.op == "MD5") Md5(v, s);
    else if (e.op == "SHA1") Sha1(v, s);
    else Sha256(v, s);
    return Status::OK();
  });
}

}  // namespace

void RegisterHashFunctions(FunctionRegistry* r) {
  auto bind = [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
    WH_RETURN_IF_ERROR(c.Arity(1, 1));
    WH_RETURN_IF_ERROR(c.ToString(0));
    return c.Make(f, DataType::String());
  };
  r->Add({"MD5", {}, "(s STRING) -> STRING", "the MD5 digest of s's bytes, as 32 hex digits", bind, HashKernel});
  r->Add({"SHA1", {}, "(s STRING) -> STRING", "the SHA-1 digest of s's bytes, as 40 hex digits", bind, HashKernel});
  r->Add({"SHA256", {}, "(s STRING) -> STRING", "the SHA-256 digest of s's bytes, as 64 hex digits", bind,
          HashKernel});
  r->Add({"SHA2", {}, "(s STRING, bits 256) -> STRING", "Spark's SHA2: SHA256(s) (bits 256, or 0 for 256)",
          [](FunctionCall& c, const ScalarFunction&) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(2, 2));
            WH_RETURN_IF_ERROR(c.ToString(0));
            WH_RETURN_IF_ERROR(c.ToInteger(1));
            WH_ASSIGN_OR_RETURN(Value bits, c.Constant(1, "number of bits (256)"));
            if (bits.null) return MakeLiteral(Value::Null(DataType::String()));
            if (bits.i != 256 && bits.i != 0)
              return c.ErrorAt(1, "SHA2 supports 256 bits (224, 384 and 512 are not built)");
            c.args.pop_back();
            return c.Make(*FindScalarFunction("SHA256"), DataType::String());
          }});
}

}  // namespace wh
