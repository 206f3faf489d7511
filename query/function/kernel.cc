#include "query/function/kernel.h"

#include "query/result.h"

namespace wh {

bool FitsType(int128 v, const DataType& t) {
  switch (t.id) {
    case TypeId::kBoolean: return v == 0 || v == 1;
    case TypeId::kInt32:
    case TypeId::kDate: return v >= INT32_MIN && v <= INT32_MAX;
    case TypeId::kInt64:
    case TypeId::kTimestamp: return v >= INT64_MIN && v <= INT64_MAX;
    case TypeId::kDecimal: return Abs128(v) < Pow10(t.precision);
    default: return false;
  }
}

void StoreInt(Column* c, uint8_t* base, size_t i, int128 v) {
  switch (c->type().physical()) {
    case PhysicalType::kBool: base[i] = static_cast<uint8_t>(v != 0); break;
    case PhysicalType::kInt32: reinterpret_cast<int32_t*>(base)[i] = static_cast<int32_t>(v); break;
    case PhysicalType::kInt64: reinterpret_cast<int64_t*>(base)[i] = static_cast<int64_t>(v); break;
    case PhysicalType::kInt128: reinterpret_cast<int128*>(base)[i] = v; break;
    default: break;
  }
}

std::string TextOf(const Column& c, size_t i) { return ValueToText(c, i, ""); }

size_t CharLen(std::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  if (i + n > s.size()) return 1;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  return n;
}

std::vector<size_t> CharStarts(std::string_view s) {
  std::vector<size_t> starts;
  starts.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size(); i += CharLen(s, i)) starts.push_back(i);
  starts.push_back(s.size());
  return starts;
}

size_t CharCount(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); i += CharLen(s, i)) ++n;
  return n;
}

std::vector<uint8_t> ValidRows(const std::vector<Column>& a, size_t n) {
  std::vector<uint8_t> valid;
  for (const Column& c : a) {
    if (!c.has_nulls()) continue;
    if (valid.empty()) {
      valid = c.validity();
    } else {
      const auto& v = c.validity();
      for (size_t i = 0; i < n; ++i) valid[i] &= v[i];
    }
  }
  return valid;
}

}  // namespace wh
