#include "format/types.h"

#include <algorithm>
#include <cctype>

namespace wh {

bool DataType::is_integer_like() const {
  PhysicalType p = physical();
  return p == PhysicalType::kBool || p == PhysicalType::kInt32 || p == PhysicalType::kInt64 ||
         p == PhysicalType::kInt128;
}

std::string DataType::ToString() const {
  switch (id) {
    case TypeId::kBoolean: return "BOOLEAN";
    case TypeId::kInt32: return "INT";
    case TypeId::kInt64: return "BIGINT";
    case TypeId::kDouble: return "DOUBLE";
    case TypeId::kDecimal:
      return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case TypeId::kString: return "STRING";
    case TypeId::kDate: return "DATE";
    case TypeId::kTimestamp: return "TIMESTAMP";
    case TypeId::kList: return elem_id ? element().ToString() + "[]" : "NULL[]";
  }
  return "?";
}

Result<DataType> ParseTypeName(std::string_view name, int precision, int scale, bool has_args) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::toupper(c); });
  auto no_args = [&](DataType t) -> Result<DataType> {
    if (has_args) return Status::InvalidArgument("type " + n + " takes no arguments");
    return t;
  };
  if (n == "BOOLEAN" || n == "BOOL") return no_args(DataType::Boolean());
  if (n == "INT" || n == "INTEGER" || n == "INT4") return no_args(DataType::Int32());
  if (n == "BIGINT" || n == "LONG" || n == "INT8") return no_args(DataType::Int64());
  if (n == "DOUBLE" || n == "FLOAT8" || n == "FLOAT") return no_args(DataType::Double());
  if (n == "STRING" || n == "VARCHAR" || n == "TEXT") return DataType::String();
  if (n == "DATE") return no_args(DataType::Date());
  if (n == "TIMESTAMP") return no_args(DataType::Timestamp());
  if (n == "DECIMAL" || n == "NUMERIC" || n == "DEC") {
    if (!has_args) return DataType::Decimal(10, 0);  // Spark's default
    if (precision < 1 || precision > kMaxDecimalPrecision)
      return Status::InvalidArgument("DECIMAL precision must be between 1 and 38, got " +
                                     std::to_string(precision));
    if (scale < 0 || scale > precision)
      return Status::InvalidArgument("DECIMAL scale must be between 0 and the precision " +
                                     std::to_string(precision) + ", got " + std::to_string(scale));
    return DataType::Decimal(precision, scale);
  }
  return Status::InvalidArgument("unknown type '" + std::string(name) +
                                 "' (expected BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p,s), STRING, "
                                 "DATE or TIMESTAMP)");
}

Status ValidateType(const DataType& t) {
  switch (t.id) {
    case TypeId::kDecimal:
      if (t.precision < 1 || t.precision > kMaxDecimalPrecision || t.scale > t.precision)
        return Status::Corruption("invalid DECIMAL(" + std::to_string(t.precision) + "," +
                                  std::to_string(t.scale) + ")");
      return Status::OK();
    case TypeId::kBoolean:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kDouble:
    case TypeId::kString:
    case TypeId::kDate:
    case TypeId::kTimestamp:
      if (t.precision != 0 || t.scale != 0)
        return Status::Corruption("type " + t.ToString() + " with precision/scale set");
      return Status::OK();
    case TypeId::kList: break;  // never stored
  }
  return Status::Corruption("unknown type id " + std::to_string(static_cast<int>(t.id)));
}

bool CanWiden(const DataType& from, const DataType& to) {
  if (from == to) return true;
  switch (from.id) {
    case TypeId::kInt32:
      return to.id == TypeId::kInt64 || to.id == TypeId::kDouble ||
             (to.id == TypeId::kDecimal && to.precision - to.scale >= 10);
    case TypeId::kInt64:
      return to.id == TypeId::kDecimal && to.precision - to.scale >= 19;
    case TypeId::kDecimal:
      return to.id == TypeId::kDecimal && to.scale >= from.scale && to.precision - to.scale >= from.precision - from.scale;
    case TypeId::kDate:
      return to.id == TypeId::kTimestamp;
    default:
      return false;
  }
}

int128 WidenInteger(int128 v, const DataType& from, const DataType& to) {
  if (from.id == TypeId::kDate && to.id == TypeId::kTimestamp) return v * 86400000000;
  if (to.id == TypeId::kDecimal) return v * Pow10(to.scale - (from.id == TypeId::kDecimal ? from.scale : 0));
  return v;
}

int128 Pow10(int n) {
  static const auto table = [] {
    struct T { int128 v[39]; } t{};
    t.v[0] = 1;
    for (int i = 1; i <= 38; ++i) t.v[i] = t.v[i - 1] * 10;
    return t;
  }();
  return table.v[n];
}

}  // namespace wh
