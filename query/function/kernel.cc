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
