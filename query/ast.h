// Tokens, expression trees and statements of wh's SQL dialect (Spark SQL / DuckDB flavoured).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/schema.h"
#include "format/format.h"

namespace wh {

// A position in the SQL text: byte offset plus 1-based line and column, for error carets.
struct SourcePos {
  size_t offset = 0;
  int line = 1;
  int column = 1;
};

enum class TokenKind { kIdent, kQuotedIdent, kNumber, kString, kSymbol, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;  // identifiers as written (unquoted), strings unescaped, symbols verbatim
  SourcePos pos;
  // Case-insensitive keyword test (only for unquoted identifiers).
  bool Is(const char* keyword) const;
  bool IsSymbol(const char* s) const { return kind == TokenKind::kSymbol && text == s; }
  std::string Describe() const;  // for "found ..." in errors
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum Kind { kColumn, kStar, kNumber, kString, kNull, kBool, kTypedLiteral, kFunction, kCast,
              kUnary, kBinary };
  Kind kind;
  SourcePos pos;
  std::string name;          // column name, function name (upper case), operator, literal text
  std::vector<ExprPtr> args;
  DataType type;             // kCast target, kTypedLiteral type (DATE '...', TIMESTAMP '...')
  bool distinct = false;     // COUNT(DISTINCT x)
  bool value = false;        // kBool
};

struct SelectItem {
  ExprPtr expr;
  std::string alias;
};

struct ColumnDefAst {
  ColumnDef def;
  SourcePos pos;
};

struct Statement {
  enum Kind { kCreateTable, kDropTable, kShowTables, kDescribe, kSelect };
  Kind kind;
  SourcePos pos;
  std::string table;
  SourcePos table_pos;
  bool if_not_exists = false;
  bool if_exists = false;
  // CREATE TABLE
  std::vector<ColumnDefAst> columns;
  std::string partition_column;
  ExprPtr partition_expr;
  std::string partition_sql;
  std::string bucket_column;
  SourcePos bucket_pos;
  uint32_t bucket_count = 0;
  // SELECT
  std::vector<SelectItem> select;
  ExprPtr where;
};

// Formats an error located at `pos` in `sql`: "line L, column C: message" followed by the SQL
// line and a caret under the spot.
std::string SqlErrorMessage(const std::string& sql, const SourcePos& pos, const std::string& msg);

}  // namespace wh
