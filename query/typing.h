// Typing of bound expressions, shared by the binder, the function catalog and the operators:
// building expression nodes, the type rules of comparisons, arithmetic and unions, coercions,
// and constant folding.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "query/expr.h"

namespace wh {

// Splits a predicate into its AND-ed conjuncts.
void SplitConjuncts(const BExprPtr& e, std::vector<BExprPtr>* out);
BExprPtr MakeAnd(std::vector<BExprPtr> conjuncts);
// A new expression node over args (nullable when any argument is).
std::shared_ptr<BExpr> MakeNode(BExpr::Kind kind, DataType type, std::vector<BExprPtr> args, std::string op = "");
// `l op r` (= <> < <= > >=) in the two sides' common type.
Result<BExprPtr> CompareExpr(const std::string& op, BExprPtr l, BExprPtr r);
// `l op r` (+ - * / %) in the type the operands combine to (DATE - DATE: days).
Result<BExprPtr> ArithExpr(const std::string& op, BExprPtr l, BExprPtr r);
bool IsUntypedNull(const BExpr& e);  // a NULL literal with no type yet
bool IsIntegral(const DataType& t);  // INT or BIGINT
bool IsNumericType(const DataType& t);
bool IsTemporal(const DataType& t);  // DATE or TIMESTAMP
// Casts e to type t; an untyped NULL becomes a NULL of t; a string literal is parsed at bind
// time (so `date_col > '2022-01-01'` compares dates and still prunes).
Result<BExprPtr> Coerce(BExprPtr e, const DataType& t);
// The type both sides convert to for a comparison, CASE, COALESCE or UNION.
Result<DataType> UnifyTypes(const BExpr& a, const BExpr& b);
// The type all of `xs` convert to (untyped NULLs take it; all-NULL gives INT).
Result<DataType> UnifiedType(const std::vector<BExprPtr>& xs);
// The type two values are compared or combined in; nullopt when there is none.
std::optional<DataType> CommonType(const DataType& a, const DataType& b);
// Folds constant sub-expressions to literals (leaves them when evaluation fails: the error, if
// any, is then raised only for rows that reach it).
BExprPtr Fold(BExprPtr e);

}  // namespace wh
