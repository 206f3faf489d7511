// Subqueries in expressions become joins (never a query run per row). A correlated subquery
// is decorrelated first: the conditions of its WHERE that refer to the query around it are
// pulled up to the join (equalities as its keys, the rest as its residual condition), the
// columns they read are passed up through the subquery's projections, and an aggregate under
// them groups by those columns too, so that one evaluation of the subquery serves every outer
// row. EXISTS and IN that are whole conjuncts of a filter become semi and anti joins; elsewhere
// a mark join gives TRUE/FALSE (and NULL, for IN) per row; a scalar subquery is a LEFT join
// that refuses a second match.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>

#include "query/plan.h"

namespace wh {

using NewIdFn = std::function<int(const std::string&)>;

// How a subquery's answer is used: as a value, or as a whole conjunct of a filter (a row
// stays only where it is TRUE).
enum class SubqueryUse { kValue, kFilter };

// Joins the subquery of `e` (a BExpr::kSubquery; `negated`: NOT EXISTS / NOT IN) onto
// *outer and returns what stands for e over the new plan's columns (kFilter: TRUE, the join
// filters). `remap` maps the outer column ids the subquery refers to onto *outer's columns
// when they differ (a GROUP BY's outputs); an id neither in it nor in *outer is an error.
Result<BExprPtr> JoinSubquery(const BExpr& e, bool negated, SubqueryUse use, PlanPtr* outer,
                              const NewIdFn& new_id, const std::map<int, int>& remap);

// FROM left, LATERAL (sub) [ON on]: sub refers to `correlated` columns of left; decorrelated
// as a subquery is (conditions of its WHERE on left become the join's keys and residual,
// ORDER BY ... LIMIT n the first n rows per left row) and joined: inner, or LEFT for LEFT
// JOIN LATERAL (`on` then part of the join's condition) and for an aggregate without GROUP BY
// (one row per left row). The result has left's columns, then sub's.
Result<PlanPtr> JoinLateral(PlanPtr left, PlanPtr sub, const std::set<int>& correlated, bool left_join,
                            BExprPtr on, const NewIdFn& new_id);

// True when e contains a subquery.
bool HasSubquery(const BExpr& e);

}  // namespace wh
