#include "format/date_format.h"

#include <cctype>

#include "format/value_text.h"

namespace wh {

namespace {

const char* const kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                               "July",    "August",   "September", "October", "November", "December"};
const char* const kDays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

bool EqualNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

void PutNumber(int64_t v, int width, std::string* out) {
  if (v < 0) {
    out->push_back('-');
    v = -v;
  }
  std::string d = std::to_string(v);
  if (static_cast<int>(d.size()) < width) out->append(static_cast<size_t>(width) - d.size(), '0');
  out->append(d);
}

}  // namespace

Result<DateFormat> DateFormat::Compile(std::string_view p, bool java) {
  DateFormat f;
  auto literal = [&](std::string_view s) {
    if (!f.parts_.empty() && f.parts_.back().kind == kLiteral) f.parts_.back().text.append(s);
    else f.parts_.push_back(Part{kLiteral, 0, std::string(s)});
  };
  auto add = [&](Kind k, int width = 0) { f.parts_.push_back(Part{k, width, {}}); };
  if (!java) {
    for (size_t i = 0; i < p.size(); ++i) {
      if (p[i] != '%') {
        literal(p.substr(i, 1));
        continue;
      }
      if (++i == p.size()) return Status::InvalidArgument("the format ends with a lone %");
      switch (p[i]) {
        case 'Y': add(kYear, 4); break;
        case 'y': add(kYear2); break;
        case 'm': add(kMonthPadded); break;
        case 'd': add(kDayPadded); break;
        case 'e': add(kDaySpace); break;
        case 'j': add(kDayOfYear); break;
        case 'H': add(kHourPadded); break;
        case 'I': add(kHour12Padded); break;
        case 'p': add(kAmPm); break;
        case 'M': add(kMinutePadded); break;
        case 'S': add(kSecondPadded); break;
        case 'f': add(kFraction, 6); break;
        case 'g': add(kFraction, 3); break;
        case 'b':
        case 'h': add(kMonthAbbr); break;
        case 'B': add(kMonthName); break;
        case 'a': add(kWeekdayAbbr); break;
        case 'A': add(kWeekdayName); break;
        case 'u': add(kIsoWeekday); break;
        case 'w': add(kWeekday); break;
        case 'F': add(kYear, 4), literal("-"), add(kMonthPadded), literal("-"), add(kDayPadded); break;
        case 'T': add(kHourPadded), literal(":"), add(kMinutePadded), literal(":"), add(kSecondPadded); break;
        case 'D': add(kMonthPadded), literal("/"), add(kDayPadded), literal("/"), add(kYear2); break;
        case 'R': add(kHourPadded), literal(":"), add(kMinutePadded); break;
        case '%': literal("%"); break;
        case 'n': literal("\n"); break;
        case 't': literal("\t"); break;
        default: return Status::InvalidArgument(std::string("unknown format specifier %") + p[i]);
      }
    }
    return f;
  }
  for (size_t i = 0; i < p.size();) {
    const char c = p[i];
    if (c == '\'') {  // 'literal text'; '' is a quote
      size_t j = i + 1;
      if (j < p.size() && p[j] == '\'') {
        literal("'");
        i += 2;
        continue;
      }
      std::string text;
      for (; j < p.size(); ++j) {
        if (p[j] == '\'') {
          if (j + 1 < p.size() && p[j + 1] == '\'') {
            text.push_back('\'');
            ++j;
            continue;
          }
          break;
        }
        text.push_back(p[j]);
      }
      if (j == p.size()) return Status::InvalidArgument("an unterminated quote in the pattern");
      literal(text);
      i = j + 1;
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(c))) {
      literal(p.substr(i, 1));
      ++i;
      continue;
    }
    size_t n = 1;
    while (i + n < p.size() && p[i + n] == c) ++n;
    const int w = static_cast<int>(n);
    switch (c) {
      case 'y': add(n == 2 ? kYear2 : kYear, w == 2 ? 0 : w); break;
      case 'M': add(n == 1 ? kMonth : n == 2 ? kMonthPadded : n == 3 ? kMonthAbbr : kMonthName); break;
      case 'd': add(n == 1 ? kDay : kDayPadded); break;
      case 'D': add(kDayOfYear); break;
      case 'H': add(n == 1 ? kHour : kHourPadded); break;
      case 'h': add(n == 1 ? kHour12 : kHour12Padded); break;
      case 'm': add(n == 1 ? kMinute : kMinutePadded); break;
      case 's': add(n == 1 ? kSecond : kSecondPadded); break;
      case 'S':
        if (n > 6) return Status::InvalidArgument("at most 6 digits of a second's fraction (S)");
        add(kFraction, w);
        break;
      case 'a': add(kAmPm); break;
      case 'E': add(n <= 3 ? kWeekdayAbbr : kWeekdayName); break;
      default: return Status::InvalidArgument(std::string("unsupported pattern letter '") + c + "'");
    }
    i += n;
  }
  return f;
}

void DateFormat::Format(int64_t micros, std::string* out) const {
  const int32_t day = TimestampToDate(micros);
  int64_t y;
  unsigned m, d;
  CivilFromDays(day, &y, &m, &d);
  const int64_t in_day = micros - static_cast<int64_t>(day) * kMicrosPerDay;
  const int64_t hour = in_day / (3600 * kMicrosPerSecond), minute = in_day / (60 * kMicrosPerSecond) % 60;
  const int64_t second = in_day / kMicrosPerSecond % 60, frac = in_day % kMicrosPerSecond;
  const int weekday = static_cast<int>(((day % 7) + 11) % 7);  // 0 = Sunday
  for (const Part& p : parts_) {
    switch (p.kind) {
      case kLiteral: out->append(p.text); break;
      case kYear: PutNumber(y, p.width, out); break;
      case kYear2: PutNumber(((y % 100) + 100) % 100, 2, out); break;
      case kMonth: PutNumber(m, 1, out); break;
      case kMonthPadded: PutNumber(m, 2, out); break;
      case kMonthAbbr: out->append(kMonths[m - 1], 3); break;
      case kMonthName: out->append(kMonths[m - 1]); break;
      case kDay: PutNumber(d, 1, out); break;
      case kDayPadded: PutNumber(d, 2, out); break;
      case kDaySpace:
        if (d < 10) out->push_back(' ');
        PutNumber(d, 1, out);
        break;
      case kDayOfYear: PutNumber(day - DaysFromCivil(y, 1, 1) + 1, 3, out); break;
      case kHour: PutNumber(hour, 1, out); break;
      case kHourPadded: PutNumber(hour, 2, out); break;
      case kHour12:
      case kHour12Padded: PutNumber(hour % 12 == 0 ? 12 : hour % 12, p.kind == kHour12 ? 1 : 2, out); break;
      case kAmPm: out->append(hour < 12 ? "AM" : "PM"); break;
      case kMinute: PutNumber(minute, 1, out); break;
      case kMinutePadded: PutNumber(minute, 2, out); break;
      case kSecond: PutNumber(second, 1, out); break;
      case kSecondPadded: PutNumber(second, 2, out); break;
      case kFraction: {
        int64_t v = frac;
        for (int k = p.width; k < 6; ++k) v /= 10;
        PutNumber(v, p.width, out);
        break;
      }
      case kWeekdayAbbr: out->append(kDays[weekday], 3); break;
      case kWeekdayName: out->append(kDays[weekday]); break;
      case kIsoWeekday: PutNumber(weekday == 0 ? 7 : weekday, 1, out); break;
      case kWeekday: PutNumber(weekday, 1, out); break;
    }
  }
}

Result<int64_t> DateFormat::Parse(std::string_view s) const {
  int64_t y = 1970, m = 1, d = 1, hour = 0, minute = 0, second = 0, frac = 0, yday = -1;
  int pm = -1;
  bool hour12 = false;
  size_t at = 0;
  auto number = [&](int min_digits, int max_digits, int64_t* v) -> Status {
    size_t start = at;
    bool neg = false;
    if (at < s.size() && (s[at] == '-' || s[at] == '+') && max_digits > 4) neg = s[at++] == '-';
    size_t digits = 0;
    int64_t x = 0;
    while (at < s.size() && std::isdigit(static_cast<unsigned char>(s[at])) && static_cast<int>(digits) < max_digits) {
      x = x * 10 + (s[at++] - '0');
      ++digits;
    }
    if (static_cast<int>(digits) < min_digits) {
      at = start;
      return Status::InvalidArgument("expected a number at position " + std::to_string(start + 1));
    }
    *v = neg ? -x : x;
    return Status::OK();
  };
  auto name = [&](const char* const* names, size_t count, bool abbr, int64_t* v) -> Status {
    for (size_t k = 0; k < count; ++k) {
      const std::string_view n = abbr ? std::string_view(names[k], 3) : std::string_view(names[k]);
      if (at + n.size() <= s.size() && EqualNoCase(s.substr(at, n.size()), n)) {
        at += n.size();
        *v = static_cast<int64_t>(k);
        return Status::OK();
      }
    }
    return Status::InvalidArgument("expected a " + std::string(names == kMonths ? "month" : "weekday") +
                                   " name at position " + std::to_string(at + 1));
  };
  int64_t ignored = 0;
  for (const Part& p : parts_) {
    switch (p.kind) {
      case kLiteral:
        if (s.substr(at, p.text.size()) != p.text)
          return Status::InvalidArgument("expected '" + p.text + "' at position " + std::to_string(at + 1));
        at += p.text.size();
        break;
      case kYear: WH_RETURN_IF_ERROR(number(1, 9, &y)); break;
      case kYear2: {
        int64_t v = 0;
        WH_RETURN_IF_ERROR(number(2, 2, &v));
        y = v < 69 ? 2000 + v : 1900 + v;
        break;
      }
      case kMonth:
      case kMonthPadded: WH_RETURN_IF_ERROR(number(1, 2, &m)); break;
      case kMonthAbbr:
      case kMonthName:
        WH_RETURN_IF_ERROR(name(kMonths, 12, p.kind == kMonthAbbr, &m));
        ++m;
        break;
      case kDay:
      case kDayPadded: WH_RETURN_IF_ERROR(number(1, 2, &d)); break;
      case kDaySpace:
        if (at < s.size() && s[at] == ' ') ++at;
        WH_RETURN_IF_ERROR(number(1, 2, &d));
        break;
      case kDayOfYear: WH_RETURN_IF_ERROR(number(1, 3, &yday)); break;
      case kHour:
      case kHourPadded: WH_RETURN_IF_ERROR(number(1, 2, &hour)); break;
      case kHour12:
      case kHour12Padded:
        WH_RETURN_IF_ERROR(number(1, 2, &hour));
        hour12 = true;
        break;
      case kAmPm:
        if (at + 2 <= s.size() && EqualNoCase(s.substr(at, 2), "AM")) pm = 0;
        else if (at + 2 <= s.size() && EqualNoCase(s.substr(at, 2), "PM")) pm = 1;
        else return Status::InvalidArgument("expected AM or PM at position " + std::to_string(at + 1));
        at += 2;
        break;
      case kMinute:
      case kMinutePadded: WH_RETURN_IF_ERROR(number(1, 2, &minute)); break;
      case kSecond:
      case kSecondPadded: WH_RETURN_IF_ERROR(number(1, 2, &second)); break;
      case kFraction: {
        size_t start = at;
        WH_RETURN_IF_ERROR(number(1, p.width == 6 ? 6 : p.width, &frac));
        for (size_t k = at - start; k < 6; ++k) frac *= 10;
        break;
      }
      case kWeekdayAbbr:
      case kWeekdayName: WH_RETURN_IF_ERROR(name(kDays, 7, p.kind == kWeekdayAbbr, &ignored)); break;
      case kIsoWeekday:
      case kWeekday: WH_RETURN_IF_ERROR(number(1, 1, &ignored)); break;
    }
  }
  if (at != s.size()) return Status::InvalidArgument("unexpected text at position " + std::to_string(at + 1));
  if (hour12) {
    if (hour < 1 || hour > 12) return Status::InvalidArgument("hour " + std::to_string(hour) + " is not 1 to 12");
    hour = hour % 12 + (pm == 1 ? 12 : 0);
  } else if (pm == 1 && hour < 12) {
    hour += 12;
  }
  if (hour > 23 || minute > 59 || second > 59) return Status::InvalidArgument("no such time of day");
  int64_t days;
  if (yday >= 0) {
    if (yday < 1 || yday > (IsCivilDate(y, 2, 29) ? 366 : 365)) return Status::InvalidArgument("no such day of the year");
    days = DaysFromCivil(y, 1, 1) + yday - 1;
  } else {
    if (!IsCivilDate(y, m, d)) return Status::InvalidArgument("no such date");
    days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  }
  return days * kMicrosPerDay + ((hour * 60 + minute) * 60 + second) * kMicrosPerSecond + frac;
}

}  // namespace wh
