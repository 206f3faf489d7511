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
struct QueryAst;
using QueryPtr = std::unique_ptr<QueryAst>;

struct WindowDef;
struct AggregateExtras;

struct Expr {
  enum Kind {
    kColumn,        // name, qualifier (table alias, may be empty)
    kStar,          // * or qualifier.*
    kNumber,        // name = literal text
    kString,        // name = unescaped text
    kNull,
    kBool,          // value
    kTypedLiteral,  // DATE '...' / TIMESTAMP '...': type, name = text
    kInterval,      // INTERVAL n UNIT: args[0] = n, name = unit (DAY, HOUR, MINUTE, SECOND, MONTH, YEAR, WEEK)
    kFunction,      // name (upper case), args, distinct, star_arg (COUNT(*)); over = window
    kCast,          // args[0], type; try_cast
    kUnary,         // name: NOT, -, +
    kBinary,        // name: OR AND = <> < <= > >= + - * / % ||
    kCase,          // [operand] (when, then)* [else]: has_operand, has_else
    kIn,            // args[0] IN (args[1..]), or IN (subquery); negated
    kBetween,       // args[0] BETWEEN args[1] AND args[2]; negated
    kLike,          // args[0] LIKE args[1]; name LIKE or ILIKE; negated
    kIsNull,        // args[0] IS [NOT] NULL; negated
    kSubquery,      // (SELECT ...) as a value: subquery
    kExists,        // EXISTS (SELECT ...): subquery
  };
  Kind kind;
  SourcePos pos;
  std::string name;
  std::string qualifier;
  std::vector<ExprPtr> args;
  DataType type;
  bool distinct = false;
  bool value = false;
  bool negated = false;
  bool has_operand = false;
  bool has_else = false;
  bool try_cast = false;
  bool quoted = false;  // kColumn written in double quotes
  // End of the expression's text (for default output column names).
  size_t end_offset = 0;
  // kFunction with OVER (...): a window function.
  std::shared_ptr<WindowDef> over;
  // kFunction: an aggregate's ORDER BY inside the call, WITHIN GROUP (ORDER BY ...), FILTER.
  std::shared_ptr<AggregateExtras> agg;
  // kSubquery, kExists, and kIn over a subquery (args = {x}).
  QueryPtr subquery;
};

struct SelectItem {
  ExprPtr expr;
  std::string alias;
  std::string text;  // the expression as written, the default column name
  // * EXCLUDE (c, ...) (also * EXCEPT (...)), * REPLACE (e AS c, ...)
  std::vector<std::string> exclude;
  std::vector<std::pair<ExprPtr, std::string>> replace;
};

struct TableRef;
using TableRefPtr = std::unique_ptr<TableRef>;
struct Statement;

struct TableRef {
  // kFunction: a table function, `name(args)` (name upper case), or a file named by a string
  // literal (`FROM 'events.csv'`: name empty, args[0] the path).
  // kStatement: `(DESCRIBE t)`, `(SHOW TABLES)`: the rows that statement gives.
  enum Kind { kTable, kSubquery, kJoin, kFunction, kStatement };
  enum JoinType { kInner, kLeft, kRight, kFull, kCross };
  Kind kind = kTable;
  SourcePos pos;
  std::string name;   // table, view or CTE
  std::string alias;  // empty: the name
  QueryPtr subquery;
  JoinType join_type = kInner;
  TableRefPtr left, right;
  ExprPtr on;
  std::vector<std::string> using_columns;
  std::vector<SourcePos> using_pos;
  std::vector<std::string> column_aliases;  // alias(c1, c2, ...): its first columns renamed
  bool lateral = false;                     // kSubquery: LATERAL (may name columns before it)
  std::vector<ExprPtr> args;                // kFunction
  std::vector<std::string> arg_names;       // kFunction: "" or the parameter (name = value)
  std::shared_ptr<Statement> statement;     // kStatement
};

struct OrderItem {
  ExprPtr expr;  // null for ORDER BY ALL
  bool all = false;  // ORDER BY ALL: every select item, in order
  bool desc = false;
  int nulls_first = -1;  // -1: default, NULLS LAST in both directions (as DuckDB)
};

// OVER ([PARTITION BY e, ...] [ORDER BY ...] [ROWS|RANGE BETWEEN start AND end]).
struct FrameBound {
  enum Kind { kUnboundedPreceding, kPreceding, kCurrentRow, kFollowing, kUnboundedFollowing };
  Kind kind = kCurrentRow;
  int64_t offset = 0;  // kPreceding / kFollowing of ROWS
  std::shared_ptr<Expr> value;  // kPreceding / kFollowing of RANGE: a number or an INTERVAL
};

// f(args ORDER BY ...) / f(params) WITHIN GROUP (ORDER BY x) / f(...) FILTER (WHERE cond).
struct AggregateExtras {
  std::vector<OrderItem> order;
  bool within_group = false;  // `order` came from WITHIN GROUP: its expression is the argument
  ExprPtr filter;
};

struct WindowDef {
  SourcePos pos;
  std::string ref;  // a named window (WINDOW ref AS (...)) this one starts from, or ""
  std::vector<ExprPtr> partition;
  std::vector<OrderItem> order;
  bool has_frame = false;
  bool rows = true;  // ROWS, else RANGE
  FrameBound start, end;
};

struct SelectCore {
  SourcePos pos;
  // VALUES (row), (row), ...: rows of expressions, and nothing else below is set.
  std::vector<std::vector<ExprPtr>> values;
  bool distinct = false;
  std::vector<SelectItem> items;
  TableRefPtr from;
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  bool group_by_all = false;  // GROUP BY ALL: every select item without an aggregate
  // GROUPING SETS / ROLLUP / CUBE: the sets, as indexes into group_by (which then lists every
  // expression named); empty for a plain GROUP BY.
  std::vector<std::vector<size_t>> grouping_sets;
  ExprPtr having;
  ExprPtr qualify;  // QUALIFY: a filter after the window functions
  std::vector<std::pair<std::string, std::shared_ptr<WindowDef>>> windows;  // WINDOW w AS (...)
};

struct CommonTable {
  std::string name;
  SourcePos pos;
  QueryPtr query;
  std::vector<std::string> columns;  // name(c1, c2, ...): its columns renamed
  bool recursive = false;            // under WITH RECURSIVE: the query may name itself
};

// A query: WITH ...; either one SELECT or a set operation (UNION / EXCEPT / INTERSECT [ALL])
// of terms; ORDER BY, LIMIT, OFFSET.
struct QueryAst {
  SourcePos pos;
  std::vector<CommonTable> ctes;
  std::unique_ptr<SelectCore> select;
  std::vector<QueryPtr> union_terms;  // the terms of a set operation, combined left to right
  std::vector<bool> union_all;  // per term after the first: ALL (true) or DISTINCT (false)
  enum SetOp { kUnion, kExcept, kIntersect };
  std::vector<SetOp> set_ops;   // per term after the first: how it combines with those before
  std::vector<OrderItem> order_by;
  ExprPtr limit, offset;
};

struct ColumnDefAst {
  ColumnDef def;
  SourcePos pos;
};

struct Statement {
  enum Kind { kCreateTable, kDropTable, kShowTables, kDescribe, kSelect, kCreateView, kDropView,
              kExplain, kInsert, kShowFunctions, kCopy, kAlterTable };
  Kind kind;
  SourcePos pos;
  std::string table;
  SourcePos table_pos;
  bool if_not_exists = false;
  bool if_exists = false;
  bool or_replace = false;
  bool temporary = false;  // CREATE TEMP VIEW: the session's, not stored
  // CREATE TABLE
  std::vector<ColumnDefAst> columns;
  std::string partition_column;
  ExprPtr partition_expr;
  std::string partition_sql;
  std::string bucket_column;
  SourcePos bucket_pos;
  uint32_t bucket_count = 0;
  // SELECT; CREATE TABLE ... AS / CREATE VIEW / INSERT INTO ... query
  QueryPtr query;
  std::string query_sql;  // the query's text (views store it)
  // COPY table|(query) TO 'path' / COPY table FROM 'path' [(option [value], ...)]: `query`
  // set for a query (or SELECT * of the table) TO a file; options lower case, values as text.
  bool copy_from = false;
  std::string path;
  SourcePos path_pos;
  std::vector<std::pair<std::string, std::string>> options;
  std::vector<SourcePos> option_pos;
  // INSERT OVERWRITE: replaces the partitions its rows fall in (the whole table when it is not
  // partitioned), or with PARTITION (partition_column = value) that one partition
  bool overwrite = false;
  bool static_partition = false;
  std::optional<std::string> partition_value;  // nullopt: the NULL partition
  SourcePos partition_pos, partition_value_pos;
  // ALTER TABLE: add `columns`, or change the type of columns[0] to its type
  enum AlterAction { kAddColumns, kAlterType };
  AlterAction alter = kAddColumns;
  // EXPLAIN [ANALYZE]
  bool analyze = false;
  std::unique_ptr<Statement> inner;
};

// Formats an error located at `pos` in `sql`: "line L, column C: message" followed by the SQL
// line and a caret under the spot.
std::string SqlErrorMessage(const std::string& sql, const SourcePos& pos, const std::string& msg);

}  // namespace wh
