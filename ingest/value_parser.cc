#include "ingest/value_parser.h"

#include <cstring>
#include <limits>

namespace wh {

namespace {
// UTF-8 validation (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
bool ValidUtf8(std::string_view s) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    // Fast skip of ASCII, 8 bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = p[i];
    if (c < 0x80) { ++i; continue; }
    int len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}
}  // namespace

Status AppendField(Column* col, std::string_view text, bool quoted) {
  const DataType& t = col->type();
  if (FieldIsNull(t, text, quoted)) {
    col->AppendNull();
    return Status::OK();
  }
  switch (t.id) {
    case TypeId::kBoolean: {
      WH_ASSIGN_OR_RETURN(bool v, ParseBool(text));
      col->Append<uint8_t>(v ? 1 : 0);
      return Status::OK();
    }
    case TypeId::kInt32: {
      WH_ASSIGN_OR_RETURN(int64_t v, ParseInt64(text, std::numeric_limits<int32_t>::min(),
                                                std::numeric_limits<int32_t>::max()));
      col->Append<int32_t>(static_cast<int32_t>(v));
      return Status::OK();
    }
    case TypeId::kInt64: {
      WH_ASSIGN_OR_RETURN(int64_t v, ParseInt64(text, std::numeric_limits<int64_t>::min(),
                                                std::numeric_limits<int64_t>::max()));
      col->Append<int64_t>(v);
      return Status::OK();
    }
    case TypeId::kDouble: {
      WH_ASSIGN_OR_RETURN(double v, ParseDouble(text));
      col->Append<double>(v);
      return Status::OK();
    }
    case TypeId::kDecimal: {
      WH_ASSIGN_OR_RETURN(int128 v, ParseDecimal(text, t.precision, t.scale));
      if (t.physical() == PhysicalType::kInt64) {
        col->Append<int64_t>(static_cast<int64_t>(v));
      } else {
        col->Append<int128>(v);
      }
      return Status::OK();
    }
    case TypeId::kString:
      if (!ValidUtf8(text)) return Status::InvalidArgument("invalid UTF-8");
      col->AppendString(text);
      return Status::OK();
    case TypeId::kDate: {
      WH_ASSIGN_OR_RETURN(int32_t v, ParseDate(text));
      col->Append<int32_t>(v);
      return Status::OK();
    }
    case TypeId::kTimestamp: {
      WH_ASSIGN_OR_RETURN(int64_t v, ParseTimestamp(text));
      col->Append<int64_t>(v);
      return Status::OK();
    }
  }
  return Status::Internal("unknown type");
}

}  // namespace wh
