// Converts one text field into a typed value appended to a column.
#pragma once

#include <string>
#include <string_view>

#include "format/format.h"

namespace wh {

// How the text of a DATE or TIMESTAMP field is read (`wh ingest --time-format`):
//   iso        YYYY-MM-DD[ HH:MM:SS[.ffffff]] (the default)
//   a pattern  with %Y (year), %m (month), %d (day), %H, %M, %S (1 or 2 digits each, %Y up to
//              4), %f (fraction of a second, up to 6 digits), %% and literal characters, e.g.
//              %d/%m/%Y reads 27/10/2018 and 6/11/2018
//   epoch_s, epoch_ms, epoch_us
//              a number of seconds / milliseconds / microseconds since 1970-01-01 00:00:00
//              UTC, with an optional fraction (1541105830796 or 1540919166796.0); TIMESTAMP only
struct TimeFormat {
  enum Kind { kIso, kPattern, kEpochSeconds, kEpochMillis, kEpochMicros };
  Kind kind = kIso;
  std::string pattern;
  std::string text;  // as given, for messages
};

// Checks a format for a column of `type` (DATE or TIMESTAMP).
Result<TimeFormat> ParseTimeFormat(std::string_view spec, const DataType& type);

// Appends the value of `text` to `col` (of any type). An empty unquoted field is NULL; for a
// STRING column a quoted empty field ("") is the empty string. `time` says how DATE and
// TIMESTAMP text is read (null: ISO). On bad text returns InvalidArgument with the reason and
// appends nothing. NULL checks are the caller's.
Status AppendField(Column* col, std::string_view text, bool quoted, const TimeFormat* time = nullptr);

// A field's text in messages: quoted, cut after 80 characters.
std::string QuoteField(std::string_view v);
// Why AppendField refused a field: "cannot read 'TEXT' as TYPE[ (format F)]: REASON".
std::string CannotRead(std::string_view text, const DataType& type, const TimeFormat& time, const Status& why);

// True if AppendField would append NULL for this field.
inline bool FieldIsNull(const DataType& type, std::string_view text, bool quoted) {
  if (!text.empty()) return false;
  return !(quoted && type.id == TypeId::kString);
}

}  // namespace wh
