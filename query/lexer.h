#pragma once

#include <string>
#include <vector>

#include "query/ast.h"

namespace wh {

// Splits SQL text into tokens. Comments (-- to end of line, /* ... */) are skipped. Errors
// (unterminated string or comment, a stray character) carry the position.
Result<std::vector<Token>> Tokenize(const std::string& sql);

// Where the first statement of `text` ends: one past the first ';' that is outside string
// literals, quoted names and comments, as Tokenize reads them; npos when there is no such ';'
// yet (the shell reads more lines until there is). An unterminated string or comment has none.
// Scanning starts at `from` (the end of the statement before).
size_t StatementEnd(const std::string& text, size_t from = 0);
// Whether `text` holds nothing but white space and comments.
bool IsBlankSql(const std::string& text);

}  // namespace wh
