// Building blocks of vectorized kernels: the rows where every argument is valid, loops that
// produce a fixed-width or a string result with NULL where any argument is NULL, and the
// integer helpers that exact arithmetic on integer-like columns needs.
#pragma once

#include <string>
#include <vector>

#include "format/format.h"
#include "query/expr.h"

namespace wh {

inline int128 Abs128(int128 v) { return v < 0 ? -v : v; }
// Scale of an integer-like type (DECIMAL's scale, 0 for the others).
inline int ScaleOf(const DataType& t) { return t.id == TypeId::kDecimal ? t.scale : 0; }
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
// True when v fits an integer-like type (DECIMAL: fewer than p digits).
bool FitsType(int128 v, const DataType& t);
// Stores v (already range-checked) into slot i of a fixed column of an integer-like type.
void StoreInt(Column* c, uint8_t* base, size_t i, int128 v);
// Text of a non-NULL value, as results print it.
std::string TextOf(const Column& c, size_t i);
// UTF-8 text by characters (code points); a byte that starts no valid character is one.
// The length in bytes of the character starting at s[i].
size_t CharLen(std::string_view s, size_t i);
// Byte offsets where the characters of s start, and s.size() at the end.
std::vector<size_t> CharStarts(std::string_view s);
size_t CharCount(std::string_view s);
// Microseconds since the epoch of row i of a DATE or TIMESTAMP column.
inline int64_t AsMicros(const Column& c, size_t i) {
  return c.type().id == TypeId::kDate ? static_cast<int64_t>(c.Get<int32_t>(i)) * kMicrosPerDay : c.Get<int64_t>(i);
}

// The rows where every column of `a` is valid: empty when all are.
std::vector<uint8_t> ValidRows(const std::vector<Column>& a, size_t n);
inline bool IsValid(const std::vector<uint8_t>& v, size_t i) { return v.empty() || v[i]; }

// out (of a fixed-width type T) gets f(i, &value) for each row where every argument is valid,
// NULL elsewhere. f returns a Status (an error stops the batch) or, returning false through
// `*null`, makes that row NULL.
template <typename T, typename F>
Status FixedRows(const std::vector<Column>& a, size_t n, Column* out, F f) {
  std::vector<uint8_t> valid = ValidRows(a, n);
  T* v = reinterpret_cast<T*>(out->ResizeFixed(n));
  bool any_null = false;
  for (size_t i = 0; i < n; ++i) {
    if (!IsValid(valid, i)) continue;
    bool null = false;
    WH_RETURN_IF_ERROR(f(i, &v[i], &null));
    if (null) {
      if (valid.empty()) valid.assign(n, 1);
      valid[i] = 0;
      any_null = true;
    }
  }
  (void)any_null;
  out->SetValidity(std::move(valid));
  return Status::OK();
}

// out (STRING) gets f(i, &text, &null) for each row where every argument is valid, NULL
// elsewhere (and where f sets *null).
template <typename F>
Status StringRows(const std::vector<Column>& a, size_t n, Column* out, F f) {
  std::vector<uint8_t> valid = ValidRows(a, n);
  out->Reserve(n);
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    if (!IsValid(valid, i)) {
      out->AppendNull();
      continue;
    }
    s.clear();
    bool null = false;
    WH_RETURN_IF_ERROR(f(i, &s, &null));
    if (null) out->AppendNull();
    else out->AppendString(s);
  }
  return Status::OK();
}

}  // namespace wh
