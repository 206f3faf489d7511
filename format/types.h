// Logical types of wh and their physical representation in memory and on disk.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "format/status.h"

namespace wh {

using int128 = __int128;
using uint128 = unsigned __int128;

// The numbers are written to disk (SPEC.md "Type ids"); never renumber.
enum class TypeId : uint8_t {
  kBoolean = 1,
  kInt32 = 2,      // INT
  kInt64 = 3,      // BIGINT
  kDouble = 4,     // DOUBLE (IEEE 754 binary64)
  kDecimal = 5,    // DECIMAL(p, s): unscaled integer, int64 if p <= 18 else int128
  kString = 6,     // UTF-8 bytes
  kDate = 7,       // int32 days since 1970-01-01
  kTimestamp = 8,  // int64 microseconds since 1970-01-01 00:00:00, no time zone
  // A list of values of one element type (DataType::element()), in queries only: never written
  // to a table (SPEC.md "Type ids"). Held as the bytes of an order-preserving encoding of its
  // elements (query/list.h), so it is a STRING physically: sorting, grouping, joining and
  // comparing lists compare those bytes.
  kList = 9,
};

// How values are laid out in memory and in PLAIN blocks.
enum class PhysicalType : uint8_t { kBool, kInt32, kInt64, kInt128, kDouble, kString };

constexpr int kMaxDecimalPrecision = 38;
constexpr int kMaxInt64DecimalPrecision = 18;

struct DataType {
  TypeId id = TypeId::kInt64;
  uint8_t precision = 0;  // DECIMAL only
  uint8_t scale = 0;      // DECIMAL only
  // LIST only: the element type (its id, precision and scale); lists do not nest. elem_id 0:
  // none yet, every element NULL ([] and [NULL], DuckDB's "NULL"[]): such a list converts to a
  // list of any type, and its elements read as INT.
  uint8_t elem_id = 0;
  uint8_t elem_precision = 0;
  uint8_t elem_scale = 0;

  static DataType Boolean() { return {TypeId::kBoolean, 0, 0}; }
  static DataType Int32() { return {TypeId::kInt32, 0, 0}; }
  static DataType Int64() { return {TypeId::kInt64, 0, 0}; }
  static DataType Double() { return {TypeId::kDouble, 0, 0}; }
  static DataType Decimal(int p, int s) {
    return {TypeId::kDecimal, static_cast<uint8_t>(p), static_cast<uint8_t>(s)};
  }
  static DataType String() { return {TypeId::kString, 0, 0}; }
  static DataType Date() { return {TypeId::kDate, 0, 0}; }
  static DataType Timestamp() { return {TypeId::kTimestamp, 0, 0}; }
  static DataType List(const DataType& element) {
    DataType t{TypeId::kList, 0, 0};
    t.elem_id = static_cast<uint8_t>(element.id);
    t.elem_precision = element.precision;
    t.elem_scale = element.scale;
    return t;
  }
  bool is_list() const { return id == TypeId::kList; }
  // LIST: the type of its elements (INT for a list of no element type).
  DataType element() const {
    if (elem_id == 0) return {TypeId::kInt32, 0, 0};
    return {static_cast<TypeId>(elem_id), elem_precision, elem_scale};
  }
  // A LIST of no element type yet ([], [NULL]).
  static DataType NullList() { return {TypeId::kList, 0, 0}; }

  // Inline: called in inner loops.
  PhysicalType physical() const {
    switch (id) {
      case TypeId::kBoolean: return PhysicalType::kBool;
      case TypeId::kInt32:
      case TypeId::kDate: return PhysicalType::kInt32;
      case TypeId::kInt64:
      case TypeId::kTimestamp: return PhysicalType::kInt64;
      case TypeId::kDouble: return PhysicalType::kDouble;
      case TypeId::kDecimal:
        return precision <= 18 ? PhysicalType::kInt64 : PhysicalType::kInt128;
      case TypeId::kString:
      case TypeId::kList: return PhysicalType::kString;
    }
    return PhysicalType::kInt64;
  }
  // Bytes per value for fixed-width physical types; 0 for strings.
  int width() const {
    switch (physical()) {
      case PhysicalType::kBool: return 1;
      case PhysicalType::kInt32: return 4;
      case PhysicalType::kInt64:
      case PhysicalType::kDouble: return 8;
      case PhysicalType::kInt128: return 16;
      case PhysicalType::kString: return 0;
    }
    return 0;
  }
  bool is_integer_like() const;  // stored as a signed integer of some width
  // "DECIMAL(38,18)", "BIGINT", ...
  std::string ToString() const;
  bool operator==(const DataType& o) const {
    return id == o.id && precision == o.precision && scale == o.scale && elem_id == o.elem_id &&
           elem_precision == o.elem_precision && elem_scale == o.elem_scale;
  }
};

// Parses a SQL type name: BOOLEAN, INT, INTEGER, BIGINT, LONG, DOUBLE, FLOAT8, DECIMAL(p,s),
// NUMERIC(p,s), STRING, VARCHAR, TEXT, DATE, TIMESTAMP. Case-insensitive.
Result<DataType> ParseTypeName(std::string_view name, int precision, int scale, bool has_args);
// Checks that a type read from disk is one this build understands (never a LIST).
Status ValidateType(const DataType& t);

// Powers of ten as int128, 10^0 .. 10^38.
int128 Pow10(int n);

// Whether every value of type `from` is exactly a value of type `to`, so that a column's type can
// be widened without rewriting the files that hold it (ALTER TABLE ... ALTER COLUMN ... TYPE,
// SPEC.md "Schema changes"): the same type; INT to BIGINT or DOUBLE; INT to DECIMAL(p,s) with
// p - s >= 10 and BIGINT with p - s >= 19; DECIMAL(p,s) to DECIMAL(p',s') with s' >= s and
// p' - s' >= p - s; DATE to TIMESTAMP (midnight).
bool CanWiden(const DataType& from, const DataType& to);
// The value `v` of type `from` (an integer-like physical value: days, micros, an unscaled
// decimal, an integer) as the same value of type `to` (CanWiden(from, to), `to` not DOUBLE).
int128 WidenInteger(int128 v, const DataType& from, const DataType& to);

}  // namespace wh
