// The binder: resolves names against tables, views and WITH queries, types every expression
// (with Spark/DuckDB coercion rules) and turns a query AST into a logical plan.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "query/ast.h"
#include "query/plan.h"
#include "query/result.h"
#include "query/typing.h"

namespace wh {

class Binder {
 public:
  // `view_sql` returns the SQL text of a view, or nullopt when there is no such view.
  using ViewLookup = std::function<Result<std::optional<std::string>>(const std::string&)>;

  Binder(Warehouse* wh, ViewLookup views) : wh_(wh), views_(std::move(views)) {}

  // Binds a query of `sql` (positions in errors refer to it).
  Result<PlanPtr> Bind(const QueryAst& q, const std::string& sql);

  // Binds the query of a view being created or replaced: `name` counts as expanding, so the
  // query may not refer to the view itself (directly or through other views), and the chain of
  // views under it is bounded as it will be at every use.
  Result<PlanPtr> BindView(const std::string& name, const QueryAst& q, const std::string& sql) {
    expanding_.push_back(name);
    return Bind(q, sql);
  }

  // The column types of the table an INSERT writes: its VALUES list converts to them.
  void set_insert_types(const std::vector<DataType>* types) { insert_types_ = types; }
  // Reads `table` (lower case) as of `snapshot` instead of its latest commit.
  void PinSnapshot(const std::string& table, std::shared_ptr<TableSnapshot> snapshot) {
    snapshots_[table] = std::move(snapshot);
  }
  // Runs a statement that a query reads rows of (`FROM (DESCRIBE t)`); unset: such a query is
  // refused.
  using StatementRunner = std::function<Result<ResultSet>(const Statement&)>;
  void set_statement_runner(StatementRunner run) { run_statement_ = std::move(run); }
  // Binding without a warehouse (null): why there is none, said when a table is named.
  void set_no_warehouse(std::string why) { no_warehouse_ = std::move(why); }

  // Every table and view the bound query reads, directly or through views (lower case).
  const std::set<std::string>& referenced() const { return referenced_; }

  // Names of column ids, for EXPLAIN.
  const std::vector<std::string>& column_names() const { return names_; }
  int next_id() const { return static_cast<int>(names_.size()); }
  int NewId(const std::string& name) {
    names_.push_back(name);
    return static_cast<int>(names_.size()) - 1;
  }

 private:
  struct Scope {
    std::vector<PlanColumn> columns;
  };
  struct AggContext {
    std::vector<AggregateSpec> aggs;
    std::set<int> ids;
    // The GROUP BY's expressions (their text), and each GROUPING(...) of the query: the
    // positions of its arguments among them, and its output id.
    const std::vector<std::string>* group_keys = nullptr;
    std::vector<std::pair<std::vector<size_t>, int>> groupings;
  };
  using Lift = std::function<Result<BExprPtr>(const BExprPtr&, const Expr&)>;
  // The window functions of a select list and its ORDER BY; `lift` maps their expressions onto
  // the aggregate's output when the query aggregates.
  struct WindowContext {
    std::vector<WindowSpec> specs;
    std::set<int> ids;
    const Lift* lift = nullptr;
  };

  // UNNEST(x) / EXPLODE(x) in a select list: each call's list, the id of its elements' column,
  // and where it was written.
  struct UnnestContext {
    std::vector<BExprPtr> lists;
    std::vector<int> ids;
    std::vector<const Expr*> at;
  };

  Result<PlanPtr> BindQuery(const QueryAst& q);
  Result<PlanPtr> BindSelect(const SelectCore& s, const std::vector<OrderItem>& order);
  Result<PlanPtr> BindTableRef(const TableRef& t);
  Result<PlanPtr> BindTableRefAs(const TableRef& t);  // without alias(c1, ...) renaming
  Result<PlanPtr> BindValues(const SelectCore& s);
  Result<PlanPtr> BindTable(const TableRef& t);
  Result<PlanPtr> BindTableFunction(const TableRef& t);  // table_function.cc
  Result<PlanPtr> BindLateral(const TableRef& t, const PlanPtr& left);
  Result<PlanPtr> BindJoin(const TableRef& t);
  // FROM unnest(x) [AS u(c)] over the rows of `left` (x may name their columns: FROM t,
  // unnest(t.tags) AS u(tag); Spark's LATERAL VIEW explode(x) u AS c): left's columns and the
  // elements'. `outer`: a row with no elements keeps one row of NULL (LEFT JOIN ... ON true,
  // LATERAL VIEW OUTER).
  Result<PlanPtr> BindUnnestRef(const TableRef& fn, PlanPtr left, bool outer);
  Result<BExprPtr> BindExpr(const Expr& e, const Scope& scope, AggContext* agg);
  Result<BExprPtr> BindColumn(const Expr& e, const Scope& scope);
  Result<BExprPtr> BindFunction(const Expr& e, const Scope& scope, AggContext* agg);
  Result<BExprPtr> BindAggregate(const Expr& e, const Scope& scope, AggContext* agg);
  Status TypeAggregate(const Expr& e, const std::string& fn, BExprPtr x, AggregateSpec* spec);
  Status BindBuiltinAggregate(const Expr& e, const Scope& scope, AggregateSpec* spec);
  Result<BExprPtr> BindWindow(const Expr& e, const Scope& scope, AggContext* agg);
  // A subquery in an expression (scalar, EXISTS, IN): bound with the scope around it visible,
  // its references to that scope recorded (correlation).
  Result<BExprPtr> BindSubquery(const Expr& e, const Scope& scope, AggContext* agg);
  // The subqueries of an expression turned into joins on *plan (query/subquery.h): of a
  // filter's predicate, whole conjuncts [NOT] EXISTS / [NOT] IN become semi / anti joins;
  // otherwise each is replaced by a column of a mark or scalar join. `remap`: outer column
  // ids to *plan's (after a GROUP BY).
  Result<BExprPtr> PlanFilterSubqueries(const BExprPtr& pred, PlanPtr* plan, const std::map<int, int>& remap);
  Result<BExprPtr> PlanValueSubqueries(const BExprPtr& e, PlanPtr* plan, const std::map<int, int>& remap);
  // "F takes LO to HI arguments" unless lo <= n <= hi.
  Status CheckArity(const Expr& e, size_t n, size_t lo, size_t hi) const;
  Result<BExprPtr> BindBinary(const Expr& e, const Scope& scope, AggContext* agg);
  Result<BExprPtr> BindLike(const Expr& e, const Scope& scope, AggContext* agg);
  Result<BExprPtr> BindDistinctFrom(const std::string& op, BExprPtr l, BExprPtr r, const Expr& e);
  Result<BExprPtr> BindCompare(const std::string& op, BExprPtr l, BExprPtr r, const Expr& at);
  Result<BExprPtr> BindArith(const std::string& op, BExprPtr l, BExprPtr r, const Expr& at);
  Result<int64_t> ConstantInt(const Expr& e, const char* what);
  PlanPtr Distinct(PlanPtr plan);
  // A projection of every column of `child` under fresh ids, each output column adjusted.
  std::shared_ptr<PlanNode> PassThrough(PlanPtr child, const std::function<void(PlanColumn&)>& adjust = {});
  // The aggregate `a` once per grouping set (positions of its groups), as one UNION ALL with a's
  // output ids and a column per GROUPING(...) call.
  PlanPtr GroupingSets(const PlanPtr& a, const std::vector<std::vector<size_t>>& sets,
                       const std::vector<std::pair<std::vector<size_t>, int>>& groupings);
  // UNION ALL of `children` and `next` (columns by position, named `names`).
  PlanPtr UnionOf(std::vector<PlanPtr> children, PlanPtr next, const std::vector<std::string>& names);
  // left EXCEPT / INTERSECT [ALL] right (same column types).
  PlanPtr SetDifference(PlanPtr left, PlanPtr right, bool intersect, bool all, const std::vector<std::string>& names);

  Status Error(const SourcePos& pos, const std::string& msg) const;
  Status Error(const Expr& e, const std::string& msg) const { return Error(e.pos, msg); }

  // Bounds on recursion, so that no query (with its views and CTEs expanded) can exhaust the
  // stack here or in the optimizer and executor, which walk the plan the binder builds.
  static constexpr size_t kMaxExpansionDepth = 64;  // views and CTEs inside each other
  static constexpr int kMaxBindDepth = 1000;       // queries and expressions inside each other
  struct DepthGuard {
    Binder* b;
    explicit DepthGuard(Binder* binder) : b(binder) { ++b->depth_; }
    ~DepthGuard() { --b->depth_; }
  };
  static std::string TooDeepMessage() {
    return "the query, with its views and WITH queries expanded, nests more than " +
           std::to_string(kMaxBindDepth) + " levels deep";
  }
  int depth_ = 0;

  Warehouse* wh_;
  ViewLookup views_;
  std::vector<std::string> names_;
  const std::string* sql_ = nullptr;
  std::string context_;  // "in view 'v': " while binding a view
  std::vector<std::map<std::string, const CommonTable*>> ctes_;
  // Recursive WITH queries being bound: a reference to one in its recursive term reads its
  // work table.
  struct WorkBinding {
    std::string name;
    std::shared_ptr<WorkTable> work;
    std::vector<std::string> names;
    std::vector<DataType> types;
    bool used = false;
  };
  std::vector<WorkBinding> work_tables_;
  // WITH RECURSIVE name AS (first UNION [ALL] recursive): nullptr when `ct` does not refer to
  // itself (then it is an ordinary WITH query).
  Result<PlanPtr> BindRecursive(const CommonTable& ct);
  // A RANGE frame's offset bound, typed by the window's single ORDER BY value.
  Status BindRangeOffset(const FrameBound& b, const std::vector<SortKey>& order, const SourcePos& pos,
                         WindowSpec::RangeOffset* out);
  std::vector<std::string> expanding_;  // views and CTEs being bound (to refuse cycles)
  std::vector<std::unique_ptr<QueryAst>> owned_;  // parsed view bodies
  std::vector<std::unique_ptr<std::string>> owned_sql_;
  // One snapshot per table for the whole statement: every reference to a table (directly, in a
  // view or a CTE) reads the same commit, and the manifest is read once.
  std::map<std::string, std::shared_ptr<TableSnapshot>> snapshots_;
  std::set<std::string> referenced_;
  WindowContext* windows_ = nullptr;  // where window functions may appear: the one being bound
  UnnestContext* unnests_ = nullptr;  // where UNNEST may appear (a select list): the one being bound
  // The subqueries being bound, innermost last: the scope around each, and the ids of that
  // scope's columns it refers to.
  struct SubqueryFrame {
    const Scope* outer;
    std::set<int> correlated;
  };
  std::vector<SubqueryFrame*> subquery_frames_;
  // Binds a subquery (or LATERAL) with `frame` as the query around it: outer columns resolve
  // through it, the enclosing select list's windows and aliases are out of reach.
  Result<PlanPtr> BindInFrame(SubqueryFrame* frame, const std::function<Result<PlanPtr>()>& bind);
  // Select-list aliases usable in WHERE, HAVING, QUALIFY and ORDER BY expressions where no
  // column has the name (DuckDB's rule): the items, and the aggregate context to bind them in.
  struct AliasScope {
    const std::vector<SelectItem>* items = nullptr;
    AggContext* agg = nullptr;
    bool expanding = false;  // an alias is being bound (no alias inside it)
  };
  AliasScope aliases_;
  // WINDOW w AS (...) of the SELECT being bound.
  const std::vector<std::pair<std::string, std::shared_ptr<WindowDef>>>* named_windows_ = nullptr;
  const std::vector<DataType>* insert_types_ = nullptr;
  std::string no_warehouse_;
  StatementRunner run_statement_;
  const SelectCore* insert_values_ = nullptr;  // the INSERT's own VALUES list
  bool in_window_ = false;
};


}  // namespace wh
