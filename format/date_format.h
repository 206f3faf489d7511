// Date and time patterns, in strftime's spelling (%Y-%m-%d %H:%M:%S, DuckDB's strftime and
// strptime) or Java's (yyyy-MM-dd HH:mm:ss, Spark's date_format and to_timestamp): compiled
// once, then used to write a timestamp as text or to read text as a timestamp (microseconds
// since 1970-01-01, no time zone).
//
// strftime: %Y year, %y two-digit year (2000-2068 / 1969-1999 when read), %m month, %d day, %e
// day padded with a space, %H hour, %I hour of 12, %p AM/PM, %M minute, %S second, %f
// microseconds (6 digits), %g milliseconds (3), %j day of year, %b / %h month abbreviation, %B
// month name, %a / %A weekday, %u ISO weekday (1 = Monday), %w weekday (0 = Sunday), %F =
// %Y-%m-%d, %T = %H:%M:%S, %D = %m/%d/%y, %R = %H:%M, %%, %n, %t; any other character is
// itself.
// Java: y yyyy (year), yy, M MM MMM MMMM, d dd, D (day of year), H HH, h hh, m mm, s ss, S..
// (fraction of a second, as many digits as letters), a (AM/PM), E EEE EEEE (weekday), 'text'
// (literal, '' a quote); any other non-letter is itself; other letters are refused.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "format/status.h"

namespace wh {

class DateFormat {
 public:
  // A pattern in strftime's spelling, or Java's (`java`).
  static Result<DateFormat> Compile(std::string_view pattern, bool java);

  // The text of a timestamp (microseconds since the epoch).
  void Format(int64_t micros, std::string* out) const;
  // Reads text that the whole pattern matches; the fields it does not give are those of
  // 1970-01-01 00:00:00 (a pattern without a year reads 1970).
  Result<int64_t> Parse(std::string_view text) const;

 private:
  enum Kind : uint8_t {
    kLiteral, kYear, kYear2, kMonth, kMonthPadded, kMonthAbbr, kMonthName, kDay, kDayPadded, kDaySpace,
    kDayOfYear, kHour, kHourPadded, kHour12, kHour12Padded, kAmPm, kMinute, kMinutePadded, kSecond,
    kSecondPadded, kFraction, kWeekdayAbbr, kWeekdayName, kIsoWeekday, kWeekday
  };
  struct Part {
    Kind kind;
    int width = 0;     // kFraction: digits; kYear: minimum digits when written
    std::string text;  // kLiteral
  };
  std::vector<Part> parts_;
};

}  // namespace wh
