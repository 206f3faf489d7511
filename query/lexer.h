#pragma once

#include <string>
#include <vector>

#include "query/ast.h"

namespace wh {

// Splits SQL text into tokens. Comments (-- to end of line, /* ... */) are skipped. Errors
// (unterminated string or comment, a stray character) carry the position.
Result<std::vector<Token>> Tokenize(const std::string& sql);

}  // namespace wh
