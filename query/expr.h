// Bound expressions: typed trees over column ids, and their vectorized evaluation over batches.
// The binder builds them from the AST; operators evaluate them one column batch at a time.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "format/format.h"

namespace wh {

// A batch of rows: one Column per output column of an operator, all of `rows` rows.
struct Batch {
  std::vector<Column> columns;
  size_t rows = 0;
};

// A typed constant. `null` values still carry a type.
struct Value {
  DataType type;
  bool null = true;
  int128 i = 0;  // BOOLEAN, INT, BIGINT, DECIMAL (unscaled), DATE, TIMESTAMP
  double d = 0;
  std::string s;

  static Value Null(DataType t) { return Value{t, true, 0, 0, {}}; }
  static Value Int(DataType t, int128 v) { return Value{t, false, v, 0, {}}; }
  static Value Double(double v) { return Value{DataType::Double(), false, 0, v, {}}; }
  static Value String(std::string v) { return Value{DataType::String(), false, 0, 0, std::move(v)}; }
  std::string ToSql() const;  // as a literal in EXPLAIN output
};

// A column of `rows` copies of v.
Column ConstantColumn(const Value& v, size_t rows);
// Row i of a column as a Value.
Value ValueAt(const Column& c, size_t i);

struct BExpr;
struct ScalarFunction;
struct SubqueryInfo;
using BExprPtr = std::shared_ptr<const BExpr>;

// The constants of `x IN (c1, c2, ...)` when every one is a literal (and x is not a DOUBLE):
// sorted and without duplicates, so that a row or a zone map is tested in log(n), not against
// each constant in turn (a cohort of 100,000 user ids).
struct ConstantSet {
  DataType type;                      // of x and every constant
  bool strings = false;
  std::vector<int128> ints;           // integer-like types: Value::i
  std::vector<std::string> texts;     // STRING
  bool has_null = false;              // a NULL among the constants
  // XXH64 of all the constants: ToString shows a long list abbreviated, and text is how
  // expressions are told apart (common aggregates, GROUP BY keys), so it carries this.
  uint64_t digest = 0;
  size_t size() const { return strings ? texts.size() : ints.size(); }
  Value At(size_t i) const { return strings ? Value::String(texts[i]) : Value::Int(type, ints[i]); }
};

struct BExpr {
  enum Kind {
    kColumn,    // column_id (before Resolve) / index into the batch (after)
    kLiteral,   // value
    kCast,      // args[0] to type; try_cast: NULL instead of an error
    kNot,       // three-valued NOT
    kAnd,       // three-valued, n-ary
    kOr,        // three-valued, n-ary
    kCompare,   // op: = <> < <= > >=; both args of one type
    kArith,     // op: + - * / %; args already cast to the computation type
    kNeg,       // unary minus
    kIsNull,    // negated: IS NOT NULL
    kIn,        // args[0] IN (args[1..]) (all of one type); negated
    kLike,      // args[0] LIKE pattern (a constant); negated, case_insensitive
    kCase,      // (when, then)* [else]: has_else
    kCoalesce,  // first non-NULL
    kLeast,     // NULLs ignored
    kGreatest,  // NULLs ignored
    kAddInterval,  // args[0] (DATE or TIMESTAMP) + months and micros (negative to subtract)
    kFunction,  // fn: a scalar function of the catalog (query/function/); op its name
    kSubquery,  // subquery: scalar value, EXISTS, or args[0] IN (subquery) (negated: NOT IN);
                // the binder replaces each by a join's column before execution
  };
  Kind kind;
  DataType type;
  bool nullable = true;
  int column = -1;
  Value value;
  std::string op;  // kCompare / kArith operator, kFunction name, kLike pattern
  std::vector<BExprPtr> args;
  bool negated = false;
  bool try_cast = false;
  bool has_else = false;
  bool case_insensitive = false;
  char like_escape = 0;  // kLike: the ESCAPE character, 0 for none
  int64_t months = 0;
  int64_t micros = 0;
  // kIn of more than four literals (see WithConstantSet): the constants, which are then not in
  // args (args = {x}), so that copying or walking the expression does not visit each of them.
  std::shared_ptr<const ConstantSet> in_set;
  // kFunction: the catalog entry whose kernel computes it, and what its bind step prepared
  // for the kernel (a compiled pattern), if anything.
  const ScalarFunction* fn = nullptr;
  std::shared_ptr<const void> state;
  std::shared_ptr<const SubqueryInfo> subquery;  // kSubquery (plan.h)

  // SQL-like text for EXPLAIN and error messages; `names` maps column ids to names.
  std::string ToString(const std::vector<std::string>* names = nullptr) const;
};

BExprPtr MakeColumnRef(int id, DataType type, bool nullable);
BExprPtr MakeLiteral(Value v);
BExprPtr MakeCast(BExprPtr x, DataType to, bool try_cast = false);

// For `x IN (literals...)` of more than four constants (x not DOUBLE): a copy with in_set
// filled and args = {x}; anything else as it is.
BExprPtr WithConstantSet(BExprPtr e);

// Column ids referenced by an expression.
void CollectColumns(const BExpr& e, std::vector<int>* ids);
// A copy of e with column ids replaced by map[id] (ids missing from the map: Internal error).
Result<BExprPtr> Rebind(const BExprPtr& e, const std::vector<int>& map);
// A copy of e with references to the ids in `map` replaced by their expressions (others kept).
BExprPtr Substitute(const BExprPtr& e, const std::map<int, BExprPtr>& map);
// True when e has no column references (it can be folded to a constant).
bool IsConstant(const BExpr& e);
// Evaluates a constant expression.
Result<Value> EvaluateConstant(const BExpr& e);

// Evaluates e (with resolved column indices) over a batch. Errors (overflow, division by zero,
// a failed CAST) name the offending value.
Result<Column> Evaluate(const BExpr& e, const Batch& batch);

// The result of an evaluation that may be a column of the batch itself (a column reference is
// not copied) or a new column.
class ColumnHolder {
 public:
  ColumnHolder() = default;
  explicit ColumnHolder(const Column* ref) : ref_(ref) {}
  explicit ColumnHolder(Column owned) : owned_(std::move(owned)) {}
  const Column& get() const { return ref_ ? *ref_ : owned_; }
  // A column the caller may keep (copies a referenced one).
  Column Take() { return ref_ ? *ref_ : std::move(owned_); }

 private:
  const Column* ref_ = nullptr;
  Column owned_;
};
Result<ColumnHolder> EvaluateView(const BExpr& e, const Batch& batch);

// Casts a column to another type, exactly: decimals are rescaled with rounding half away from
// zero and range-checked; strings are parsed; anything can become a string. With try_cast a
// value that cannot be converted becomes NULL instead of an error.
Result<Column> CastColumn(const Column& c, DataType to, bool try_cast = false);
// Whether CastColumn supports from -> to.
bool CanCast(DataType from, DataType to);

// The rows where a BOOLEAN column is TRUE (not NULL, not false).
std::vector<uint32_t> SelectTrue(const Column& c);
// Rows `sel` of every column of a batch.
Batch SelectRows(const Batch& b, const std::vector<uint32_t>& sel);
// Appends all rows of src to dst (same column types).
void AppendBatch(Batch* dst, const Batch& src);

// Validity of a result from two inputs: a row is valid when both are. Empty = all valid.
std::vector<uint8_t> AndValidity(const Column& a, const Column& b);

// Calendar helpers shared by functions and interval arithmetic.
int32_t AddMonthsToDate(int32_t days, int64_t months);
int64_t AddMonthsToTimestamp(int64_t micros, int64_t months);

}  // namespace wh
