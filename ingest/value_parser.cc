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
// Reads 1..max digits at text[*i]; false when there is none.
bool Digits(std::string_view text, size_t* i, int max, int64_t* out, int* count = nullptr) {
  int n = 0;
  int64_t v = 0;
  while (n < max && *i < text.size() && text[*i] >= '0' && text[*i] <= '9') {
    v = v * 10 + (text[*i] - '0');
    ++*i;
    ++n;
  }
  if (count) *count = n;
  *out = v;
  return n > 0;
}

// Microseconds since the epoch of `text` read with a %-pattern.
Result<int64_t> ParsePattern(std::string_view text, const std::string& pat) {
  int64_t y = 1970, mo = 1, d = 1, h = 0, mi = 0, sec = 0, frac = 0;
  size_t i = 0;
  for (size_t p = 0; p < pat.size(); ++p) {
    if (pat[p] != '%' || p + 1 == pat.size() || pat[p + 1] == '%') {
      if (pat[p] == '%') ++p;
      if (i >= text.size() || text[i] != pat[p])
        return Status::InvalidArgument("does not match the format '" + pat + "'");
      ++i;
      continue;
    }
    char f = pat[++p];
    bool ok;
    if (f == 'f') {
      int n;
      ok = Digits(text, &i, 6, &frac, &n);
      for (; n < 6; ++n) frac *= 10;
    } else {
      int64_t* dst = f == 'Y' ? &y : f == 'm' ? &mo : f == 'd' ? &d : f == 'H' ? &h : f == 'M' ? &mi : &sec;
      ok = Digits(text, &i, f == 'Y' ? 4 : 2, dst);
    }
    if (!ok) return Status::InvalidArgument("does not match the format '" + pat + "'");
  }
  if (i != text.size()) return Status::InvalidArgument("does not match the format '" + pat + "' (text left over)");
  if (!IsCivilDate(y, mo, d)) return Status::InvalidArgument("no such date");
  if (h > 23 || mi > 59 || sec > 59) return Status::InvalidArgument("no such time of day");
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * kMicrosPerDay + ((h * 60 + mi) * 60 + sec) * kMicrosPerSecond + frac;
}

// Microseconds of a number of units (each `unit` microseconds) since the epoch.
Result<int64_t> ParseEpoch(std::string_view text, int64_t unit) {
  size_t i = 0;
  bool neg = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) neg = text[i++] == '-';
  int128 whole = 0;
  int digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    whole = whole * 10 + (text[i++] - '0');
    if (++digits > 20) return Status::InvalidArgument("out of range");
  }
  int128 micros = whole * unit;
  if (i < text.size() && text[i] == '.') {
    ++i;
    int128 scale = unit;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      int digit = text[i++] - '0';
      if (scale % 10 != 0) {
        if (digit != 0) return Status::InvalidArgument("more precise than a microsecond");
        continue;
      }
      scale /= 10;
      micros += digit * scale;
      ++digits;
    }
  }
  if (digits == 0 || i != text.size()) return Status::InvalidArgument("expected a number");
  if (neg) micros = -micros;
  // Within years 0001..9999.
  if (micros < int128{-62135596800} * kMicrosPerSecond || micros >= int128{253402300800} * kMicrosPerSecond)
    return Status::InvalidArgument("out of range (years 1 to 9999)");
  return static_cast<int64_t>(micros);
}

}  // namespace

std::string QuoteField(std::string_view v) {
  std::string s(v.substr(0, 80));
  if (v.size() > 80) s += "...";
  return "'" + s + "'";
}

std::string CannotRead(std::string_view text, const DataType& type, const TimeFormat& time, const Status& why) {
  std::string hint;
  // A whole number of 9 to 19 digits read as an ISO TIMESTAMP is most likely epoch time.
  if (type.id == TypeId::kTimestamp && time.kind == TimeFormat::kIso) {
    std::string_view digits = text.substr(!text.empty() && text[0] == '-' ? 1 : 0);
    const bool all = !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
    if (all && digits.size() >= 9 && digits.size() <= 19)
      hint = std::string(" (epoch time? --time-format COLUMN=") +
             (digits.size() <= 11 ? "epoch_s" : digits.size() <= 14 ? "epoch_ms" : "epoch_us") +
             " reads it)";
  }
  return "cannot read " + QuoteField(text) + " as " + type.ToString() +
         (time.kind == TimeFormat::kIso ? "" : " (format " + time.text + ")") + ": " + why.message() + hint;
}

Result<TimeFormat> ParseTimeFormat(std::string_view spec, const DataType& type) {
  TimeFormat f;
  f.text = std::string(spec);
  if (type.id != TypeId::kDate && type.id != TypeId::kTimestamp)
    return Status::InvalidArgument("a time format applies to DATE and TIMESTAMP columns, not " + type.ToString());
  if (spec == "iso") return f;
  if (spec == "epoch_s" || spec == "epoch_ms" || spec == "epoch_us") {
    if (type.id != TypeId::kTimestamp)
      return Status::InvalidArgument("'" + f.text + "' applies to TIMESTAMP columns, not " + type.ToString());
    f.kind = spec == "epoch_s" ? TimeFormat::kEpochSeconds : spec == "epoch_ms" ? TimeFormat::kEpochMillis
                                                                               : TimeFormat::kEpochMicros;
    return f;
  }
  bool y = false, m = false, d = false;
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] != '%') continue;
    if (i + 1 == spec.size()) return Status::InvalidArgument("format '" + f.text + "' ends with a lone %");
    char c = spec[++i];
    if (c == '%') continue;
    if (std::string_view("YmdHMSf").find(c) == std::string_view::npos)
      return Status::InvalidArgument("format '" + f.text + "': unknown field %" + std::string(1, c) +
                                     " (expected %Y %m %d %H %M %S %f or %%)");
    if (type.id == TypeId::kDate && std::string_view("HMSf").find(c) != std::string_view::npos)
      return Status::InvalidArgument("format '" + f.text + "' has a time of day, but the column is DATE");
    y |= c == 'Y';
    m |= c == 'm';
    d |= c == 'd';
  }
  if (!y || !m || !d)
    return Status::InvalidArgument("format '" + f.text + "' needs %Y, %m and %d (or iso, epoch_s, epoch_ms, epoch_us)");
  f.kind = TimeFormat::kPattern;
  f.pattern = f.text;
  return f;
}

Status AppendField(Column* col, std::string_view text, bool quoted, const TimeFormat* time) {
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
      if (time && time->kind == TimeFormat::kPattern) {
        WH_ASSIGN_OR_RETURN(int64_t us, ParsePattern(text, time->pattern));
        col->Append<int32_t>(TimestampToDate(us));
        return Status::OK();
      }
      WH_ASSIGN_OR_RETURN(int32_t v, ParseDate(text));
      col->Append<int32_t>(v);
      return Status::OK();
    }
    case TypeId::kTimestamp: {
      int64_t v;
      if (!time || time->kind == TimeFormat::kIso) {
        WH_ASSIGN_OR_RETURN(v, ParseTimestamp(text));
      } else if (time->kind == TimeFormat::kPattern) {
        WH_ASSIGN_OR_RETURN(v, ParsePattern(text, time->pattern));
      } else {
        int64_t unit = time->kind == TimeFormat::kEpochSeconds ? kMicrosPerSecond
                       : time->kind == TimeFormat::kEpochMillis ? 1000 : 1;
        WH_ASSIGN_OR_RETURN(v, ParseEpoch(text, unit));
      }
      col->Append<int64_t>(v);
      return Status::OK();
    }
    case TypeId::kList: break;  // no table holds a list
  }
  return Status::Internal("unknown type");
}

}  // namespace wh
