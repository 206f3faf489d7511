// Converts one text field into a typed value appended to a column.
#pragma once

#include <string_view>

#include "format/format.h"

namespace wh {

// Appends the value of `text` to `col` (of any type). An empty unquoted field is NULL; for a
// STRING column a quoted empty field ("") is the empty string. On bad text returns
// InvalidArgument with the reason and appends nothing. NULL checks are the caller's.
Status AppendField(Column* col, std::string_view text, bool quoted);

// True if AppendField would append NULL for this field.
inline bool FieldIsNull(const DataType& type, std::string_view text, bool quoted) {
  if (!text.empty()) return false;
  return !(quoted && type.id == TypeId::kString);
}

}  // namespace wh
