// Exact conversions between text and values: the one place that defines how wh reads and
// prints dates, timestamps, decimals, integers, doubles and booleans.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "format/status.h"
#include "format/types.h"

namespace wh {

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
int32_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t days, int64_t* y, unsigned* m, unsigned* d);
// True when y-m-d is a real date of year 1 or later (Feb 29 in leap years only).
bool IsCivilDate(int64_t y, int64_t m, int64_t d);

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

// Floor division of a timestamp to its day.
inline int32_t TimestampToDate(int64_t micros) {
  int64_t d = micros / kMicrosPerDay;
  if (micros % kMicrosPerDay < 0) --d;
  return static_cast<int32_t>(d);
}

// Each parser returns InvalidArgument with a short reason (no location) on bad text.
// `YYYY-MM-DD`, years 0001..9999.
Result<int32_t> ParseDate(std::string_view s);
// `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.f{1,6}]]`, with ' ' or 'T' between date and time.
Result<int64_t> ParseTimestamp(std::string_view s);
// An integer; `7.0` and `7.000` are 7, `7.5` is an error; optional sign; range-checked.
Result<int64_t> ParseInt64(std::string_view s, int64_t min, int64_t max);
// An exact decimal with optional sign, fraction and exponent (`1.5e3`), scaled by 10^scale.
// Errors when digits beyond `scale` are not zero or the value needs more than `precision` digits.
Result<int128> ParseDecimal(std::string_view s, int precision, int scale);
Result<double> ParseDouble(std::string_view s);
// true/false (any case), 1/0, t/f, yes/no.
Result<bool> ParseBool(std::string_view s);

std::string FormatDate(int32_t days);
// `YYYY-MM-DD HH:MM:SS`, with `.ffffff` (trailing zeros trimmed) when there are microseconds.
std::string FormatTimestamp(int64_t micros);
// `-12.340` for (-12340, 3): always `scale` digits after the point.
std::string FormatDecimal(int128 unscaled, int scale);
// The shortest text that reads back to the same double; `NaN`, `Infinity`, `-Infinity`.
std::string FormatDouble(double v);
std::string FormatInt128(int128 v);
// A JSON string literal of s: quotes, backslashes and control characters escaped (\n \r \t,
// others \u00XX); other bytes as they are.
std::string JsonString(std::string_view s);
// An unscaled DECIMAL as Java's BigInteger.toByteArray gives it: the fewest big-endian bytes
// of its two's complement (0 -> 00, 128 -> 00 80, -1 -> ff), as Spark and Iceberg hash it.
std::string MinimalBigEndian(int128 v);

}  // namespace wh
