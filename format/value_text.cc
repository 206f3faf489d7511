#include "format/value_text.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace wh {

// Howard Hinnant's days_from_civil / civil_from_days.
int32_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int32_t>(era * 146097 + static_cast<int64_t>(doe) - 719468);
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool IsCivilDate(int64_t y, int64_t m, int64_t d) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= (m == 2 && leap ? 29 : kDays[m - 1]);
}

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits at s[pos].
bool Digits(std::string_view s, size_t pos, size_t n, unsigned* out) {
  if (pos + n > s.size()) return false;
  unsigned v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!IsDigit(s[pos + i])) return false;
    v = v * 10 + (s[pos + i] - '0');
  }
  *out = v;
  return true;
}

// Parses YYYY-MM-DD at the start of s; returns false on malformed text, sets *err for a
// well-formed but impossible date.
Status ParseDatePart(std::string_view s, int32_t* days) {
  unsigned y, m, d;
  if (s.size() < 10 || !Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &m) ||
      s[7] != '-' || !Digits(s, 8, 2, &d))
    return Status::InvalidArgument("expected a date as YYYY-MM-DD");
  if (!IsCivilDate(y, m, d)) return Status::InvalidArgument("no such date");
  *days = DaysFromCivil(y, m, d);
  return Status::OK();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<int32_t> ParseDate(std::string_view s) {
  s = Trim(s);
  int32_t days;
  WH_RETURN_IF_ERROR(ParseDatePart(s, &days));
  if (s.size() != 10) return Status::InvalidArgument("expected a date as YYYY-MM-DD");
  return days;
}

Result<int64_t> ParseTimestamp(std::string_view s) {
  s = Trim(s);
  int32_t days;
  Status st = ParseDatePart(s, &days);
  if (!st.ok())
    return Status::InvalidArgument(st.message() == "no such date"
                                       ? st.message()
                                       : "expected a timestamp as YYYY-MM-DD HH:MM:SS[.ffffff]");
  int64_t micros = int64_t{days} * kMicrosPerDay;
  if (s.size() == 10) return micros;
  const char* kExpect = "expected a timestamp as YYYY-MM-DD HH:MM:SS[.ffffff]";
  unsigned hh, mi, ss = 0;
  if ((s[10] != ' ' && s[10] != 'T') || !Digits(s, 11, 2, &hh) || s.size() < 16 || s[13] != ':' ||
      !Digits(s, 14, 2, &mi))
    return Status::InvalidArgument(kExpect);
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, 17, 2, &ss)) return Status::InvalidArgument(kExpect);
    pos = 19;
  }
  if (hh > 23 || mi > 59 || ss > 59) return Status::InvalidArgument("time of day out of range");
  int64_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t n = 0;
    while (pos < s.size() && IsDigit(s[pos])) {
      if (n == 6) return Status::InvalidArgument("more than 6 fractional digits of a second");
      frac = frac * 10 + (s[pos] - '0');
      ++pos;
      ++n;
    }
    if (n == 0) return Status::InvalidArgument(kExpect);
    for (; n < 6; ++n) frac *= 10;
  }
  if (pos != s.size()) return Status::InvalidArgument(kExpect);
  return micros + (int64_t{hh} * 3600 + mi * 60 + ss) * kMicrosPerSecond + frac;
}

Result<int128> ParseDecimal(std::string_view s, int precision, int scale) {
  s = Trim(s);
  const char* kExpect = "expected a decimal number";
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  // Collect significant digits and the position of the decimal point.
  int128 mant = 0;
  int mant_digits = 0;     // significant digits kept in mant (after leading zeros)
  int frac_digits = 0;     // digits after the point that went into mant
  bool any_digit = false;
  bool dropped_nonzero = false;  // a digit that did not fit and was not zero
  int dropped_int_digits = 0;    // integer digits that did not fit into mant
  bool in_frac = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      if (in_frac) return Status::InvalidArgument(kExpect);
      in_frac = true;
      continue;
    }
    if (!IsDigit(c)) break;
    any_digit = true;
    if (mant_digits == 0 && c == '0') {
      if (in_frac) ++frac_digits;
      continue;
    }
    if (mant_digits < 38) {
      mant = mant * 10 + (c - '0');
      ++mant_digits;
      if (in_frac) ++frac_digits;
    } else if (in_frac) {
      if (c != '0') dropped_nonzero = true;
    } else {
      ++dropped_int_digits;
    }
  }
  if (!any_digit) return Status::InvalidArgument(kExpect);
  int64_t exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) eneg = s[i++] == '-';
    if (i >= s.size() || !IsDigit(s[i])) return Status::InvalidArgument(kExpect);
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      exp = exp * 10 + (s[i] - '0');
      if (exp > 1000) return Status::InvalidArgument("exponent out of range");
    }
    if (eneg) exp = -exp;
  }
  if (i != s.size()) return Status::InvalidArgument(kExpect);
  if (dropped_int_digits > 0)
    return Status::InvalidArgument("value does not fit DECIMAL(" + std::to_string(precision) +
                                   "," + std::to_string(scale) + ")");
  // value = mant * 10^(exp - frac_digits); we want mant * 10^(exp - frac_digits + scale).
  int64_t shift = exp - frac_digits + scale;
  if (shift < 0) {
    // Digits beyond the scale must all be zero.
    while (shift < 0 && mant != 0) {
      if (mant % 10 != 0) dropped_nonzero = true;
      mant /= 10;
      ++shift;
    }
    shift = 0;
  }
  if (dropped_nonzero)
    return Status::InvalidArgument("more fractional digits than DECIMAL(" +
                                   std::to_string(precision) + "," + std::to_string(scale) +
                                   ") keeps");
  if (mant != 0) {
    // Count digits of mant and check against precision after the shift.
    int digits = 0;
    for (int128 t = mant; t != 0; t /= 10) ++digits;
    if (digits + shift > precision)
      return Status::InvalidArgument("value does not fit DECIMAL(" + std::to_string(precision) +
                                     "," + std::to_string(scale) + ")");
    mant *= Pow10(static_cast<int>(shift));
  }
  return neg ? -mant : mant;
}

namespace {

// The value of the 8 ASCII digits at p (p[0] the most significant), if all 8 are digits.
inline bool Eight(const char* p, uint64_t* out) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  // Every byte 0x30..0x39: its high nibble is 3, and adding 6 keeps it 3.
  if ((x & 0xF0F0F0F0F0F0F0F0ULL) != 0x3030303030303030ULL ||
      ((x + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) != 0x3030303030303030ULL)
    return false;
  x -= 0x3030303030303030ULL;
  x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFULL;          // pairs of digits
  x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFULL;        // groups of four
  *out = (x * 10000 + (x >> 32)) & 0xFFFFFFFFULL;           // all eight
  return true;
}

// An optional '-' and 1..19 decimal digits, eight at a time (user ids have 19): false for any
// other text, which the general path then reads or rejects.
inline bool PlainInteger(std::string_view s, int64_t min, int64_t max, int64_t* out, bool* in_range) {
  const bool neg = !s.empty() && s[0] == '-';
  const char* p = s.data() + neg;
  const size_t n = s.size() - neg;
  if (n == 0 || n > 19) return false;
  uint64_t u = 0;
  size_t i = 0;
  for (; i < n % 8; ++i) {
    const unsigned d = static_cast<unsigned char>(p[i]) - '0';
    if (d > 9) return false;
    u = u * 10 + d;
  }
  for (; i < n; i += 8) {
    uint64_t x;
    if (!Eight(p + i, &x)) return false;
    u = u * 100000000 + x;  // 19 digits < 2^64: no overflow
  }
  // In range of [min, max] (min <= 0 <= max), computed without overflow.
  if (neg) {
    *in_range = u <= 0 - static_cast<uint64_t>(min);
    *out = static_cast<int64_t>(0 - u);
  } else {
    *in_range = u <= static_cast<uint64_t>(max);
    *out = static_cast<int64_t>(u);
  }
  return true;
}

}  // namespace

Result<int64_t> ParseInt64(std::string_view s, int64_t min, int64_t max) {
  s = Trim(s);
  int64_t v = 0;
  bool in_range = false;
  if (min <= 0 && max >= 0 && PlainInteger(s, min, max, &v, &in_range)) {
    if (!in_range) return Status::InvalidArgument("integer out of range");
    return v;
  }
  // Plain digits (the general conversion).
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && p == s.data() + s.size() && (s.empty() || s[0] != '+')) {
    if (v < min || v > max) return Status::InvalidArgument("integer out of range");
    return v;
  }
  // `7.0`, `+7`, `1e3`: exact decimal with scale 0.
  auto d = ParseDecimal(s, 38, 0);
  if (!d.ok()) {
    if (d.status().message().rfind("more fractional", 0) == 0)
      return Status::InvalidArgument("not an integer");
    if (d.status().message().rfind("value does not fit", 0) == 0)
      return Status::InvalidArgument("integer out of range");
    return Status::InvalidArgument("expected an integer");
  }
  int128 x = d.value();
  if (x < min || x > max) return Status::InvalidArgument("integer out of range");
  return static_cast<int64_t>(x);
}

Result<double> ParseDouble(std::string_view s) {
  s = Trim(s);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range) return Status::InvalidArgument("number out of range");
  if (ec != std::errc() || p != s.data() + s.size() || s.empty())
    return Status::InvalidArgument("expected a number");
  return v;
}

Result<bool> ParseBool(std::string_view s) {
  s = Trim(s);
  auto eq = [&](const char* w) {
    size_t n = std::strlen(w);
    if (s.size() != n) return false;
    for (size_t i = 0; i < n; ++i)
      if (std::tolower(static_cast<unsigned char>(s[i])) != w[i]) return false;
    return true;
  };
  if (eq("true") || eq("1") || eq("t") || eq("yes")) return true;
  if (eq("false") || eq("0") || eq("f") || eq("no")) return false;
  return Status::InvalidArgument("expected a boolean (true/false, 1/0)");
}

std::string FormatDate(int32_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string FormatTimestamp(int64_t micros) {
  int32_t days = TimestampToDate(micros);
  int64_t rem = micros - int64_t{days} * kMicrosPerDay;
  int64_t secs = rem / kMicrosPerSecond;
  int64_t frac = rem % kMicrosPerSecond;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%s %02d:%02d:%02d", FormatDate(days).c_str(),
                        static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                        static_cast<int>(secs % 60));
  std::string out(buf, n);
  if (frac) {
    char f[8];
    std::snprintf(f, sizeof f, "%06d", static_cast<int>(frac));
    std::string fs(f);
    while (fs.back() == '0') fs.pop_back();
    out += "." + fs;
  }
  return out;
}

std::string FormatInt128(int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  uint128 u = neg ? -static_cast<uint128>(v) : static_cast<uint128>(v);
  char buf[48];
  int pos = 48;
  while (u) {
    buf[--pos] = static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  }
  if (neg) buf[--pos] = '-';
  return std::string(buf + pos, 48 - pos);
}

std::string FormatDecimal(int128 v, int scale) {
  bool neg = v < 0;
  uint128 u = neg ? -static_cast<uint128>(v) : static_cast<uint128>(v);
  std::string digits = FormatInt128(static_cast<int128>(u));
  if (u == 0) digits = "0";
  if (scale > 0) {
    if (static_cast<int>(digits.size()) <= scale)
      digits.insert(0, scale - digits.size() + 1, '0');
    digits.insert(digits.size() - scale, ".");
  }
  return neg ? "-" + digits : digits;
}

std::string FormatDouble(double v) {
  // DuckDB's text of a DOUBLE (which is Python's repr): the shortest digits that read back as
  // v, written fixed when the decimal exponent is in [-4, 16) with at least one digit after
  // the point ("111624.0", "0.0001"), else d.ddde+XX ("1e+16", "1e-05"); nan, inf, -inf.
  if (std::isnan(v)) return std::signbit(v) ? "-nan" : "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  char* end = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific).ptr;
  std::string_view sci(buf, static_cast<size_t>(end - buf));
  const size_t e_at = sci.find('e');
  const int exp = std::atoi(std::string(sci.substr(e_at + 1)).c_str());
  if (exp < -4 || exp >= 16) return std::string(sci);
  std::string out;
  size_t i = 0;
  if (sci[0] == '-') {
    out.push_back('-');
    i = 1;
  }
  std::string digits;
  for (; i < e_at; ++i)
    if (sci[i] != '.') digits.push_back(sci[i]);
  if (exp < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exp - 1), '0');
    out += digits;
  } else {
    const size_t whole = static_cast<size_t>(exp) + 1;
    if (digits.size() <= whole) {
      out += digits;
      out.append(whole - digits.size(), '0');
      out += ".0";
    } else {
      out += digits.substr(0, whole);
      out += '.';
      out += digits.substr(whole);
    }
  }
  return out;
}

std::string JsonString(std::string_view s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\r': o += "\\r"; break;
      case '\t': o += "\\t"; break;
      default:
        if (c < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          o += b;
        } else {
          o += static_cast<char>(c);
        }
    }
  }
  return o + "\"";
}

std::string MinimalBigEndian(int128 v) {
  uint8_t b[16];
  for (int k = 0; k < 16; ++k) b[k] = static_cast<uint8_t>(static_cast<uint128>(v) >> (8 * (15 - k)));
  size_t start = 0;
  while (start < 15 && ((b[start] == 0x00 && !(b[start + 1] & 0x80)) || (b[start] == 0xff && (b[start + 1] & 0x80))))
    ++start;
  return std::string(reinterpret_cast<const char*>(b + start), 16 - start);
}

}  // namespace wh
