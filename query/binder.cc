#include "query/binder.h"

#include <algorithm>

#include "query/function/aggregate_catalog.h"
#include "query/function/function.h"
#include "query/parser.h"
#include "query/subquery.h"

namespace wh {

namespace {
// A filter of `pred` over child; child itself when pred is the constant TRUE (every conjunct of
// a WHERE may have become a join).
PlanPtr FilterOver(PlanPtr child, BExprPtr pred) {
  if (pred->kind == BExpr::kLiteral && !pred->value.null && pred->value.i != 0) return child;
  auto f = std::make_shared<PlanNode>();
  f->kind = PlanNode::kFilter;
  f->out = child->out;
  f->predicate = std::move(pred);
  f->children.push_back(std::move(child));
  return f;
}
}  // namespace

namespace {

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool IsAggregateName(const std::string& n) { return FindAggregateFunction(n) != nullptr; }

// True when e computes an aggregate of the rows of a group (a window function is not one, but
// its arguments, PARTITION BY and ORDER BY may contain aggregates).
bool ContainsAggregate(const Expr& e) {
  if (e.kind == Expr::kFunction && IsAggregateName(e.name) && !e.over) return true;
  for (const auto& a : e.args)
    if (a && ContainsAggregate(*a)) return true;
  if (e.over) {
    for (const auto& p : e.over->partition)
      if (ContainsAggregate(*p)) return true;
    for (const auto& o : e.over->order)
      if (ContainsAggregate(*o.expr)) return true;
  }
  return false;
}

}  // namespace

Status Binder::Error(const SourcePos& pos, const std::string& msg) const {
  return Status::InvalidArgument(context_ + SqlErrorMessage(*sql_, pos, msg));
}

// DISTINCT: an aggregate grouping by every column.
PlanPtr Binder::GroupingSets(const PlanPtr& a, const std::vector<std::vector<size_t>>& sets,
                             const std::vector<std::pair<std::vector<size_t>, int>>& groupings) {
  // One aggregate per set, the keys it leaves out grouped as NULL (one group for all their
  // values, NULL in the output), each with its GROUPING() values as constants; UNION ALL of
  // them, under the ids the aggregate's outputs and GROUPING() have in the query.
  const size_t ng = a->groups.size();
  auto u = std::make_shared<PlanNode>();
  u->kind = PlanNode::kUnion;
  // Each branch reads its own copy of the input plan (the optimizer rewrites nodes in place).
  std::function<PlanPtr(const PlanPtr&)> copy = [&](const PlanPtr& n) {
    auto c = std::make_shared<PlanNode>(*n);
    for (auto& child : c->children) child = copy(child);
    return PlanPtr(c);
  };
  for (const auto& set : sets) {
    // The branch groups by the set's keys only (the empty set: one row even over no rows);
    // its projection puts NULL where the others are.
    auto b = std::make_shared<PlanNode>(*a);
    b->children[0] = copy(a->children[0]);
    std::vector<uint8_t> in_set(ng, 0);
    for (size_t i : set) in_set[i] = 1;
    b->groups.clear();
    b->out.clear();
    std::vector<int> key_id(ng, -1);
    for (size_t i = 0; i < ng; ++i) {
      if (!in_set[i]) continue;
      b->groups.push_back(a->groups[i]);
      PlanColumn c = a->out[i];
      c.id = key_id[i] = NewId(c.name);
      b->out.push_back(c);
    }
    for (size_t k = 0; k < a->aggregates.size(); ++k) {
      PlanColumn c = a->out[ng + k];
      c.id = NewId(c.name);
      b->aggregates[k].output_id = c.id;
      b->out.push_back(c);
    }
    b->order_group = -1;
    auto p = std::make_shared<PlanNode>();
    p->kind = PlanNode::kProject;
    p->children.push_back(b);
    for (size_t i = 0; i < a->out.size(); ++i) {
      const PlanColumn& c = a->out[i];
      if (i < ng && !in_set[i]) {
        p->exprs.push_back(MakeLiteral(Value::Null(c.type)));
      } else {
        const int src = i < ng ? key_id[i] : b->aggregates[i - ng].output_id;
        p->exprs.push_back(MakeColumnRef(src, c.type, c.nullable));
      }
      PlanColumn o = c;
      o.id = NewId(c.name);
      o.nullable = true;
      p->out.push_back(o);
    }
    for (const auto& [positions, id] : groupings) {
      int64_t bits = 0;
      for (size_t pos : positions) bits = bits << 1 | (in_set[pos] ? 0 : 1);
      p->exprs.push_back(MakeLiteral(Value::Int(DataType::Int64(), bits)));
      PlanColumn o;
      o.id = NewId("grouping");
      o.name = "grouping";
      o.type = DataType::Int64();
      o.nullable = false;
      p->out.push_back(o);
    }
    u->children.push_back(p);
  }
  u->out = a->out;
  for (auto& c : u->out) c.nullable = true;
  for (const auto& [positions, id] : groupings) {
    PlanColumn o;
    o.id = id;
    o.name = "grouping";
    o.type = DataType::Int64();
    o.nullable = false;
    u->out.push_back(o);
  }
  return u;
}

PlanPtr Binder::UnionOf(std::vector<PlanPtr> children, PlanPtr next, const std::vector<std::string>& names) {
  auto u = std::make_shared<PlanNode>();
  u->kind = PlanNode::kUnion;
  u->children = std::move(children);
  u->children.push_back(std::move(next));
  for (size_t c = 0; c < names.size(); ++c) {
    PlanColumn col;
    col.name = names[c];
    col.id = NewId(col.name);
    col.type = u->children[0]->out[c].type;
    col.nullable = false;
    for (const auto& t : u->children) col.nullable = col.nullable || t->out[c].nullable;
    u->out.push_back(col);
  }
  return u;
}

PlanPtr Binder::SetDifference(PlanPtr left, PlanPtr right, bool intersect, bool all,
                              const std::vector<std::string>& names) {
  // Each side's rows tagged 1 (left) or 2 (right), grouped by every column (NULLs equal, as
  // set operations compare): EXCEPT keeps the groups only the left has, INTERSECT those both
  // have. With ALL, each row first gets its number among its equal rows (ROW_NUMBER over all
  // columns), so that the k-th copy on the left meets the k-th copy on the right.
  const size_t ncols = names.size();
  auto prepare = [&](PlanPtr side, int tag) {
    if (all) {
      auto w = std::make_shared<PlanNode>();
      w->kind = PlanNode::kWindow;
      w->children.push_back(side);
      w->out = side->out;
      WindowSpec spec;
      spec.fn = "ROW_NUMBER";
      for (const auto& c : side->out) spec.partition.push_back(MakeColumnRef(c.id, c.type, c.nullable));
      spec.type = DataType::Int64();
      spec.output_id = NewId("copy");
      PlanColumn rn;
      rn.id = spec.output_id;
      rn.name = "copy";
      rn.type = spec.type;
      rn.nullable = false;
      w->out.push_back(rn);
      w->windows.push_back(spec);
      side = w;
    }
    auto p = PassThrough(side);
    PlanColumn t;
    t.id = NewId("side");
    t.name = "side";
    t.type = DataType::Int32();
    t.nullable = false;
    p->exprs.push_back(MakeLiteral(Value::Int(t.type, tag)));
    p->out.push_back(t);
    return PlanPtr(p);
  };
  std::vector<std::string> tagged_names = names;
  if (all) tagged_names.push_back("copy");
  tagged_names.push_back("side");
  PlanPtr u = UnionOf({prepare(left, 1)}, prepare(right, 2), tagged_names);
  auto a = std::make_shared<PlanNode>();
  a->kind = PlanNode::kAggregate;
  a->children.push_back(u);
  const size_t nkeys = u->out.size() - 1;
  for (size_t c = 0; c < nkeys; ++c) {
    const PlanColumn& col = u->out[c];
    a->groups.push_back(MakeColumnRef(col.id, col.type, col.nullable));
    PlanColumn o = col;
    o.id = NewId(col.name);
    a->out.push_back(o);
  }
  const PlanColumn& side = u->out.back();
  BExprPtr side_ref = MakeColumnRef(side.id, side.type, false);
  for (const char* fn : {"MIN", "MAX"}) {
    AggregateSpec spec;
    spec.fn = fn;
    spec.arg = side_ref;
    spec.type = side.type;
    spec.output_id = NewId(fn);
    a->aggregates.push_back(spec);
    PlanColumn o = side;
    o.id = spec.output_id;
    o.name = fn;
    a->out.push_back(o);
  }
  const PlanColumn& mn = a->out[nkeys];
  const PlanColumn& mx = a->out[nkeys + 1];
  auto eq = [&](const PlanColumn& c, int v) {
    return MakeNode(BExpr::kCompare, DataType::Boolean(), {MakeColumnRef(c.id, c.type, false), MakeLiteral(Value::Int(c.type, v))}, "=");
  };
  auto p = std::make_shared<PlanNode>();
  p->kind = PlanNode::kProject;
  p->children.push_back(FilterOver(a, intersect ? MakeAnd({eq(mn, 1), eq(mx, 2)}) : eq(mx, 1)));
  for (size_t c = 0; c < ncols; ++c) {
    const PlanColumn& col = a->out[c];
    p->exprs.push_back(MakeColumnRef(col.id, col.type, col.nullable));
    PlanColumn o = col;
    o.id = NewId(names[c]);
    o.name = names[c];
    p->out.push_back(o);
  }
  return p;
}

std::shared_ptr<PlanNode> Binder::PassThrough(PlanPtr child, const std::function<void(PlanColumn&)>& adjust) {
  auto p = std::make_shared<PlanNode>();
  p->kind = PlanNode::kProject;
  for (const auto& c : child->out) {
    p->exprs.push_back(MakeColumnRef(c.id, c.type, c.nullable));
    PlanColumn o = c;
    o.id = NewId(c.name);
    if (adjust) adjust(o);
    p->out.push_back(o);
  }
  p->children.push_back(std::move(child));
  return p;
}

PlanPtr Binder::Distinct(PlanPtr plan) {
  auto a = std::make_shared<PlanNode>();
  a->kind = PlanNode::kAggregate;
  a->children.push_back(plan);
  for (const auto& col : plan->out) {
    a->groups.push_back(MakeColumnRef(col.id, col.type, col.nullable));
    PlanColumn o = col;
    o.id = NewId(col.name);
    a->out.push_back(o);
  }
  return a;
}

namespace {
// The first subquery left in an expression of the plan (one where subqueries are not planned as
// joins: inside an aggregate's argument, a JOIN's ON, GROUP BY, a window's clauses), or null.
const BExpr* UnplannedSubquery(const PlanNode& n) {
  std::function<const BExpr*(const BExprPtr&)> find = [&](const BExprPtr& e) -> const BExpr* {
    if (!e) return nullptr;
    if (e->kind == BExpr::kSubquery) return e.get();
    for (const auto& a : e->args)
      if (const BExpr* f = find(a)) return f;
    return nullptr;
  };
  std::vector<const BExprPtr*> exprs = {&n.predicate, &n.residual};
  for (const auto* v : {&n.exprs, &n.groups, &n.left_keys, &n.right_keys})
    for (const auto& e : *v) exprs.push_back(&e);
  for (const auto& a : n.aggregates)
    for (const BExprPtr* e : a.Exprs()) exprs.push_back(e);
  for (const auto& k : n.sort_keys) exprs.push_back(&k.expr);
  for (const auto& w : n.windows) {
    for (const auto& e : w.args) exprs.push_back(&e);
    for (const auto& e : w.partition) exprs.push_back(&e);
    for (const auto& k : w.order) exprs.push_back(&k.expr);
    exprs.push_back(&w.agg.arg);
    for (const auto& m : w.agg.more) exprs.push_back(&m);
  }
  for (const BExprPtr* e : exprs)
    if (const BExpr* f = find(*e)) return f;
  for (const auto& c : n.children)
    if (const BExpr* f = UnplannedSubquery(*c)) return f;
  return nullptr;
}
}  // namespace

Result<PlanPtr> Binder::Bind(const QueryAst& q, const std::string& sql) {
  sql_ = &sql;
  if (insert_types_ && q.select && !q.select->values.empty()) insert_values_ = q.select.get();
  WH_ASSIGN_OR_RETURN(PlanPtr plan, BindQuery(q));
  if (const BExpr* sub = UnplannedSubquery(*plan))
    return Error(sub->subquery->pos,
                 "a subquery is not supported here (inside an aggregate's argument or FILTER, a JOIN's ON, "
                 "GROUP BY or a window); compute it in a WITH query or a join");
  return plan;
}

Result<int64_t> Binder::ConstantInt(const Expr& e, const char* what) {
  Scope empty;
  // No columns in scope: a column reference is "not a constant", not "no such column" (outer
  // queries' columns neither).
  std::vector<SubqueryFrame*> frames;
  frames.swap(subquery_frames_);
  auto bound = BindExpr(e, empty, nullptr);
  frames.swap(subquery_frames_);
  if (!bound.ok()) return Error(e, std::string(what) + " must be a non-negative integer constant");
  BExprPtr b = Fold(*bound);
  if (b->kind != BExpr::kLiteral || b->value.null || !IsIntegral(b->type) || b->value.i < 0)
    return Error(e, std::string(what) + " must be a non-negative integer constant");
  return static_cast<int64_t>(b->value.i);
}

namespace {
// The set operation that joins term i (> 0) of q to the ones before it.
std::string SetOpName(const QueryAst& q, size_t i) {
  if (q.set_ops.empty() || q.set_ops[i - 1] == QueryAst::kUnion) return "UNION";
  return q.set_ops[i - 1] == QueryAst::kExcept ? "EXCEPT" : "INTERSECT";
}
}  // namespace

Result<PlanPtr> Binder::BindQuery(const QueryAst& q) {
  DepthGuard depth(this);
  if (depth_ > kMaxBindDepth) return Error(q.pos, TooDeepMessage());
  ctes_.emplace_back();
  struct Pop {
    Binder* b;
    ~Pop() { b->ctes_.pop_back(); }
  } pop{this};
  for (const auto& ct : q.ctes) ctes_.back()[ct.name] = &ct;

  PlanPtr plan;
  if (q.select) {
    WH_ASSIGN_OR_RETURN(plan, BindSelect(*q.select, q.order_by));
  } else {
    // UNION [ALL] of terms: columns by position, names from the first term.
    std::vector<PlanPtr> terms;
    for (const auto& t : q.union_terms) {
      WH_ASSIGN_OR_RETURN(PlanPtr p, BindQuery(*t));
      terms.push_back(p);
    }
    const size_t ncols = terms[0]->out.size();
    for (size_t i = 1; i < terms.size(); ++i)
      if (terms[i]->out.size() != ncols)
        return Error(q.union_terms[i]->pos, "each term of " + SetOpName(q, i) + " must have " + std::to_string(ncols) +
                                                " columns; this one has " +
                                                std::to_string(terms[i]->out.size()));
    std::vector<DataType> types;
    for (size_t c = 0; c < ncols; ++c) {
      DataType t = terms[0]->out[c].type;
      for (size_t i = 1; i < terms.size(); ++i) {
        auto u = CommonType(t, terms[i]->out[c].type);
        if (!u)
          return Error(q.union_terms[i]->pos, SetOpName(q, i) + " column " + std::to_string(c + 1) + " is " +
                                                  t.ToString() + " in the first term and " +
                                                  terms[i]->out[c].type.ToString() + " here");
        t = *u;
      }
      types.push_back(t);
    }
    for (auto& t : terms) {
      bool same = true;
      for (size_t c = 0; c < ncols; ++c) same = same && t->out[c].type == types[c];
      if (!same) {
        auto p = std::make_shared<PlanNode>();
        p->kind = PlanNode::kProject;
        p->children.push_back(t);
        for (size_t c = 0; c < ncols; ++c) {
          PlanColumn col = t->out[c];
          p->exprs.push_back(MakeCast(MakeColumnRef(col.id, col.type, col.nullable), types[c]));
          col.id = NewId(col.name);
          col.type = types[c];
          p->out.push_back(col);
        }
        t = p;
      }
    }
    // Left to right: UNION ALL appends; UNION, EXCEPT and INTERSECT [ALL] of what came so far
    // and the next term (names from the first term).
    std::vector<std::string> names;
    for (const auto& c : terms[0]->out) names.push_back(c.name);
    plan = terms[0];
    for (size_t i = 1; i < terms.size(); ++i) {
      const auto op = q.set_ops.empty() ? QueryAst::kUnion : q.set_ops[i - 1];
      const bool all = q.union_all[i - 1];
      if (op == QueryAst::kUnion) {
        const bool extend = plan->kind == PlanNode::kUnion && i > 1 && q.union_all[i - 2] &&
                            (q.set_ops.empty() || q.set_ops[i - 2] == QueryAst::kUnion);
        plan = UnionOf(extend ? plan->children : std::vector<PlanPtr>{plan}, terms[i], names);
        if (!all) plan = Distinct(plan);
      } else {
        plan = SetDifference(plan, terms[i], op == QueryAst::kIntersect, all, names);
      }
    }
    if (!q.order_by.empty()) {
      Scope scope{plan->out};
      auto s = std::make_shared<PlanNode>();
      s->kind = PlanNode::kSort;
      s->out = plan->out;
      s->children.push_back(plan);
      for (const auto& o : q.order_by) {
        if (o.all) {
          for (const auto& c : plan->out) {
            SortKey k;
            k.expr = MakeColumnRef(c.id, c.type, c.nullable);
            k.desc = o.desc;
            k.nulls_first = o.nulls_first == 1;
            s->sort_keys.push_back(k);
          }
          continue;
        }
        SortKey k;
        if (o.expr->kind == Expr::kNumber) {
          WH_ASSIGN_OR_RETURN(int64_t n, ConstantInt(*o.expr, "ORDER BY position"));
          if (n < 1 || static_cast<size_t>(n) > plan->out.size())
            return Error(*o.expr, "ORDER BY position " + std::to_string(n) + " is not in the select list");
          const auto& c = plan->out[n - 1];
          k.expr = MakeColumnRef(c.id, c.type, c.nullable);
        } else {
          WH_ASSIGN_OR_RETURN(k.expr, BindExpr(*o.expr, scope, nullptr));
        }
        k.desc = o.desc;
        k.nulls_first = o.nulls_first == 1;  // NULLS LAST unless asked, as DuckDB
        s->sort_keys.push_back(k);
      }
      plan = s;
    }
  }
  if (q.limit || q.offset) {
    auto l = std::make_shared<PlanNode>();
    l->kind = PlanNode::kLimit;
    l->out = plan->out;
    l->children.push_back(plan);
    if (q.limit) {
      WH_ASSIGN_OR_RETURN(l->limit, ConstantInt(*q.limit, "LIMIT"));
    }
    if (q.offset) {
      WH_ASSIGN_OR_RETURN(l->offset, ConstantInt(*q.offset, "OFFSET"));
    }
    plan = l;
  }
  return plan;
}

Result<PlanPtr> Binder::BindValues(const SelectCore& s) {
  // Each row a projection of one row; the rows' types unified column by column; UNION ALL.
  const size_t ncols = s.values[0].size();
  std::vector<std::vector<BExprPtr>> rows;
  Scope none;
  for (const auto& r : s.values) {
    if (r.size() != ncols)
      return Error(r.empty() ? s.pos : r[0]->pos, "each row of VALUES must have " + std::to_string(ncols) +
                                                      " values; this one has " + std::to_string(r.size()));
    std::vector<BExprPtr> row;
    for (const auto& e : r) {
      if (ContainsAggregate(*e)) return Error(*e, "aggregates are not allowed in VALUES");
      WH_ASSIGN_OR_RETURN(BExprPtr b, BindExpr(*e, none, nullptr));
      row.push_back(Fold(b));
    }
    rows.push_back(std::move(row));
  }
  std::vector<DataType> types;
  if (&s == insert_values_ && insert_types_->size() == ncols) {
    types = *insert_types_;  // INSERT INTO t VALUES: the table's types ('2022-01-01' a DATE, NULL any)
  } else {
    for (size_t c = 0; c < ncols; ++c) {
      std::vector<BExprPtr> column;
      for (const auto& r : rows) column.push_back(r[c]);
      auto t = UnifiedType(column);
      if (!t.ok()) return Error(s.values[0][c]->pos, "VALUES column " + std::to_string(c + 1) + ": " + t.status().message());
      types.push_back(*t);
    }
  }
  std::vector<std::string> names;
  for (size_t c = 0; c < ncols; ++c) names.push_back("col" + std::to_string(c));
  std::vector<PlanPtr> terms;
  for (size_t r = 0; r < rows.size(); ++r) {
    PlanPtr one = std::make_shared<PlanNode>();
    one->kind = PlanNode::kValues;
    auto p = std::make_shared<PlanNode>();
    p->kind = PlanNode::kProject;
    for (size_t c = 0; c < ncols; ++c) {
      auto v = Coerce(rows[r][c], types[c]);
      if (!v.ok()) return Error(s.values[r][c]->pos, v.status().message());
      WH_ASSIGN_OR_RETURN(*v, PlanValueSubqueries(*v, &one, {}));  // VALUES ((SELECT MAX(k) FROM s))
      p->exprs.push_back(*v);
      PlanColumn o;
      o.name = names[c];
      o.id = NewId(o.name);
      o.type = types[c];
      o.nullable = (*v)->nullable;
      p->out.push_back(o);
    }
    p->children.push_back(one);
    terms.push_back(p);
  }
  if (terms.size() == 1) return terms[0];
  PlanPtr last = terms.back();
  terms.pop_back();
  return UnionOf(std::move(terms), last, names);
}

Result<PlanPtr> Binder::BindSelect(const SelectCore& s, const std::vector<OrderItem>& order) {
  struct NamedWindows {
    Binder* b;
    const std::vector<std::pair<std::string, std::shared_ptr<WindowDef>>>* saved;
    ~NamedWindows() { b->named_windows_ = saved; }
  } named_windows{this, named_windows_};
  named_windows_ = &s.windows;
  if (!s.values.empty()) {
    WH_ASSIGN_OR_RETURN(PlanPtr plan, BindValues(s));
    if (order.empty()) return plan;
    return Error(order[0].expr->pos, "ORDER BY of VALUES: select from it (SELECT * FROM (VALUES ...) v ORDER BY ...)");
  }
  PlanPtr plan;
  if (s.from) {
    WH_ASSIGN_OR_RETURN(plan, BindTableRef(*s.from));
  } else {
    plan = std::make_shared<PlanNode>();
    plan->kind = PlanNode::kValues;
  }
  Scope input{plan->out};

  if (s.where) {
    if (ContainsAggregate(*s.where))
      return Error(*s.where, "aggregate functions are not allowed in WHERE (use HAVING)");
    aliases_ = AliasScope{&s.items, nullptr, false};
    auto bound = BindExpr(*s.where, input, nullptr);
    aliases_ = AliasScope{};
    if (!bound.ok()) return bound.status();
    BExprPtr pred = *bound;
    if (IsUntypedNull(*pred)) pred = MakeLiteral(Value::Null(DataType::Boolean()));
    if (pred->type.id != TypeId::kBoolean)
      return Error(*s.where, "WHERE needs a BOOLEAN condition, not " + pred->type.ToString());
    WH_ASSIGN_OR_RETURN(pred, PlanFilterSubqueries(pred, &plan, {}));
    plan = FilterOver(plan, Fold(pred));
  }

  // Aggregation: GROUP BY, or aggregates in the select list / HAVING / ORDER BY.
  bool aggregated = !s.group_by.empty() || (s.having != nullptr);
  for (const auto& it : s.items) aggregated = aggregated || ContainsAggregate(*it.expr);
  for (const auto& o : order) aggregated = aggregated || (o.expr && ContainsAggregate(*o.expr));
  aggregated = aggregated || s.group_by_all;

  // Select-list aliases usable in GROUP BY (as Spark and DuckDB allow).
  auto alias_item = [&](const Expr& g) -> const SelectItem* {
    if (g.kind != Expr::kColumn || !g.qualifier.empty()) return nullptr;
    for (const auto& c : input.columns)
      if (ToLower(c.name) == g.name && !c.hidden) return nullptr;  // a real column wins
    for (const auto& it : s.items)
      if (!it.alias.empty() && ToLower(it.alias) == g.name) return &it;
    return nullptr;
  };

  std::vector<BExprPtr> group_exprs;
  std::vector<std::string> group_keys;  // ToString() of each group expression
  std::vector<int> group_ids;
  AggContext agg;
  // GROUP BY ALL: every select item without an aggregate.
  std::vector<const Expr*> group_by;
  for (const auto& g : s.group_by) group_by.push_back(g.get());
  if (s.group_by_all)
    for (const auto& it : s.items)
      if (it.expr->kind != Expr::kStar && !ContainsAggregate(*it.expr) && !it.expr->over) group_by.push_back(it.expr.get());
  std::vector<size_t> group_pos;  // per entry of group_by: its position in group_exprs
  if (aggregated) {
    for (const Expr* g : group_by) {
      const Expr* ge = g;
      if (g->kind == Expr::kNumber) {
        WH_ASSIGN_OR_RETURN(int64_t n, ConstantInt(*g, "GROUP BY position"));
        if (n < 1 || static_cast<size_t>(n) > s.items.size())
          return Error(*g, "GROUP BY position " + std::to_string(n) + " is not in the select list");
        ge = s.items[n - 1].expr.get();
      } else if (const SelectItem* it = alias_item(*g)) {
        ge = it->expr.get();
      }
      if (ContainsAggregate(*ge)) return Error(*ge, "GROUP BY cannot contain an aggregate");
      WH_ASSIGN_OR_RETURN(BExprPtr b, BindExpr(*ge, input, nullptr));
      b = Fold(b);
      std::string key = b->ToString();
      auto known = std::find(group_keys.begin(), group_keys.end(), key);
      group_pos.push_back(static_cast<size_t>(known - group_keys.begin()));
      if (known != group_keys.end()) continue;
      group_keys.push_back(key);
      group_exprs.push_back(b);
      std::string name = ge->kind == Expr::kColumn ? ge->name : key;
      group_ids.push_back(NewId(name));
    }
  }

  agg.group_keys = &group_keys;
  WindowContext windows;
  UnnestContext unnests;
  // Replaces group expressions by references to the aggregate's outputs and checks that
  // nothing else refers to input columns.
  std::function<Result<BExprPtr>(const BExprPtr&, const Expr&)> lift =
      [&](const BExprPtr& e, const Expr& at) -> Result<BExprPtr> {
    std::string key = e->ToString();
    for (size_t i = 0; i < group_keys.size(); ++i)
      if (group_keys[i] == key)
        return MakeColumnRef(group_ids[i], group_exprs[i]->type, group_exprs[i]->nullable);
    if (e->kind == BExpr::kColumn) {
      if (agg.ids.count(e->column) || windows.ids.count(e->column) ||
          std::count(unnests.ids.begin(), unnests.ids.end(), e->column))
        return e;
      std::string name = e->column < static_cast<int>(names_.size()) ? names_[e->column] : "?";
      return Error(at, "column '" + name + "' must appear in GROUP BY or be used in an aggregate function");
    }
    if (e->args.empty()) return e;
    auto c = std::make_shared<BExpr>(*e);
    for (auto& a : c->args) {
      WH_ASSIGN_OR_RETURN(a, lift(a, at));
    }
    return BExprPtr(c);
  };

  // Window functions may appear in the select list and ORDER BY (computed after GROUP BY and
  // HAVING, before DISTINCT, ORDER BY and LIMIT).
  if (aggregated) windows.lift = &lift;
  struct WindowScope {
    Binder* b;
    WindowContext* saved;
    UnnestContext* saved_unnests;
    ~WindowScope() {
      b->windows_ = saved;
      b->unnests_ = saved_unnests;
    }
  } window_scope{this, windows_, unnests_};
  windows_ = nullptr;
  unnests_ = nullptr;

  // Select items (stars expanded).
  struct Item {
    BExprPtr expr;
    std::string name;
    const Expr* ast;
  };
  std::vector<Item> items;
  for (const auto& it : s.items) {
    if (it.expr->kind == Expr::kStar) {
      if (aggregated) return Error(*it.expr, "SELECT * cannot be combined with GROUP BY or aggregates");
      bool any = false;
      std::set<std::string> excluded, used;
      for (const auto& x : it.exclude) excluded.insert(ToLower(x));
      std::map<std::string, const Expr*> replaced;
      for (const auto& [e, name] : it.replace) replaced[ToLower(name)] = e.get();
      for (const auto& c : input.columns) {
        if (c.hidden || c.system) continue;
        if (!it.expr->qualifier.empty() && c.table != it.expr->qualifier) continue;
        const std::string lower = ToLower(c.name);
        if (excluded.count(lower)) {
          used.insert(lower);
          continue;
        }
        auto r = replaced.find(lower);
        if (r != replaced.end()) {
          used.insert(lower);
          if (ContainsAggregate(*r->second)) return Error(*r->second, "aggregates are not allowed in * REPLACE");
          WH_ASSIGN_OR_RETURN(BExprPtr b, BindExpr(*r->second, input, nullptr));
          items.push_back({Fold(b), c.name, r->second});
        } else {
          items.push_back({MakeColumnRef(c.id, c.type, c.nullable), c.name, it.expr.get()});
        }
        any = true;
      }
      for (const auto& name : excluded)
        if (!used.count(name)) return Error(*it.expr, "EXCLUDE names column '" + name + "', which * does not have");
      for (const auto& [name, e] : replaced)
        if (!used.count(name)) return Error(*e, "REPLACE names column '" + name + "', which * does not have");
      if (!any)
        return Error(*it.expr, it.expr->qualifier.empty() ? "SELECT * with no FROM clause"
                                                          : "no table '" + it.expr->qualifier + "' in FROM");
      continue;
    }
    windows_ = &windows;
    unnests_ = &unnests;
    WH_ASSIGN_OR_RETURN(BExprPtr b, BindExpr(*it.expr, input, aggregated ? &agg : nullptr));
    windows_ = nullptr;
    unnests_ = nullptr;
    b = Fold(b);
    if (aggregated) {
      WH_ASSIGN_OR_RETURN(b, lift(b, *it.expr));
    }
    std::string name = !it.alias.empty() ? it.alias : it.text;
    if (it.alias.empty() && it.expr->kind == Expr::kFunction && it.expr->name == "EXPLODE") name = "col";  // Spark's
    if (it.alias.empty() && it.expr->kind == Expr::kColumn) {
      name = it.expr->name;  // a column keeps the name it was declared with, whatever the case
      for (const auto& c : input.columns)
        if (ToLower(c.name) == name && (it.expr->qualifier.empty() ? !c.hidden : c.table == it.expr->qualifier)) {
          name = c.name;
          break;
        }
    }
    items.push_back({b, name, it.expr.get()});
  }

  BExprPtr having;
  if (s.having) {
    aliases_ = AliasScope{&s.items, &agg, false};
    auto bound = BindExpr(*s.having, input, &agg);
    aliases_ = AliasScope{};
    if (!bound.ok()) return bound.status();
    BExprPtr h = *bound;
    h = Fold(h);
    WH_ASSIGN_OR_RETURN(having, lift(h, *s.having));
    if (having->type.id != TypeId::kBoolean)
      return Error(*s.having, "HAVING needs a BOOLEAN condition, not " + having->type.ToString());
  }

  // ORDER BY: a select-list alias or position, or an expression over the input (added as a
  // hidden column of the projection).
  std::vector<SortKey> sort_keys;
  std::vector<int> sort_item;  // index into items of each key
  const size_t n_items = items.size();
  for (const auto& o : order) {
    if (o.all) {  // ORDER BY ALL: every select item, left to right
      for (size_t i = 0; i < n_items; ++i) {
        SortKey k;
        k.desc = o.desc;
        k.nulls_first = o.nulls_first == 1;
        sort_keys.push_back(k);
        sort_item.push_back(static_cast<int>(i));
      }
      continue;
    }
    int idx = -1;
    if (o.expr->kind == Expr::kNumber) {
      WH_ASSIGN_OR_RETURN(int64_t n, ConstantInt(*o.expr, "ORDER BY position"));
      if (n < 1 || static_cast<size_t>(n) > items.size())
        return Error(*o.expr, "ORDER BY position " + std::to_string(n) + " is not in the select list");
      idx = static_cast<int>(n - 1);
    } else if (o.expr->kind == Expr::kColumn && o.expr->qualifier.empty()) {
      for (size_t i = 0; i < items.size(); ++i)
        if (ToLower(items[i].name) == o.expr->name) {
          idx = static_cast<int>(i);
          break;
        }
    }
    if (idx < 0) {
      windows_ = &windows;
      aliases_ = AliasScope{&s.items, aggregated ? &agg : nullptr, false};
      auto bound = BindExpr(*o.expr, input, aggregated ? &agg : nullptr);
      aliases_ = AliasScope{};
      if (!bound.ok()) return bound.status();
      BExprPtr b = *bound;
      windows_ = nullptr;
      b = Fold(b);
      if (aggregated) {
        WH_ASSIGN_OR_RETURN(b, lift(b, *o.expr));
      }
      std::string key = b->ToString();
      for (size_t i = 0; i < items.size(); ++i)
        if (items[i].expr->ToString() == key) idx = static_cast<int>(i);
      if (idx < 0) {
        if (s.distinct)
          return Error(*o.expr, "with SELECT DISTINCT, ORDER BY expressions must appear in the select list");
        items.push_back({b, "", o.expr.get()});
        idx = static_cast<int>(items.size()) - 1;
      }
    }
    SortKey k;
    k.desc = o.desc;
    k.nulls_first = o.nulls_first == 1;  // NULLS LAST unless asked, as DuckDB
    sort_keys.push_back(k);
    sort_item.push_back(idx);
  }

  // QUALIFY: a filter over the window functions' results (and anything the select list may use).
  BExprPtr qualify;
  if (s.qualify) {
    windows_ = &windows;
    aliases_ = AliasScope{&s.items, aggregated ? &agg : nullptr, false};
    auto q = BindExpr(*s.qualify, input, aggregated ? &agg : nullptr);
    aliases_ = AliasScope{};
    windows_ = nullptr;
    if (!q.ok()) return q.status();
    qualify = Fold(*q);
    if (aggregated) {
      WH_ASSIGN_OR_RETURN(qualify, lift(qualify, *s.qualify));
    }
    if (qualify->type.id != TypeId::kBoolean)
      return Error(*s.qualify, "QUALIFY needs a BOOLEAN condition, not " + qualify->type.ToString());
  }

  std::map<int, int> subquery_remap;  // input columns to the GROUP BY's outputs
  if (aggregated) {
    auto a = std::make_shared<PlanNode>();
    a->kind = PlanNode::kAggregate;
    a->children.push_back(plan);
    a->groups = group_exprs;
    for (size_t i = 0; i < group_exprs.size(); ++i) {
      PlanColumn c;
      c.id = group_ids[i];
      c.name = names_[group_ids[i]];
      c.type = group_exprs[i]->type;
      c.nullable = group_exprs[i]->nullable;
      a->out.push_back(c);
    }
    for (const auto& spec : agg.aggs) {
      PlanColumn c;
      c.id = spec.output_id;
      c.name = names_[spec.output_id];
      c.type = spec.type;
      c.nullable = true;
      a->out.push_back(c);
    }
    a->aggregates = agg.aggs;
    plan = a;
    if (!s.grouping_sets.empty() || !agg.groupings.empty()) {
      std::vector<std::vector<size_t>> sets;
      for (const auto& set : s.grouping_sets) {
        std::vector<size_t> positions;
        for (size_t i : set) positions.push_back(group_pos[i]);
        sets.push_back(positions);
      }
      if (sets.empty()) {  // GROUPING() over a plain GROUP BY: one set of every key
        sets.emplace_back();
        for (size_t i = 0; i < group_exprs.size(); ++i) sets.back().push_back(i);
      }
      plan = GroupingSets(a, sets, agg.groupings);
    }
    for (size_t i = 0; i < group_exprs.size(); ++i)
      if (group_exprs[i]->kind == BExpr::kColumn) subquery_remap[group_exprs[i]->column] = group_ids[i];
    if (having) {
      WH_ASSIGN_OR_RETURN(having, PlanFilterSubqueries(having, &plan, subquery_remap));
      plan = FilterOver(plan, having);
    }
  }

  if (!windows.specs.empty()) {
    auto w = std::make_shared<PlanNode>();
    w->kind = PlanNode::kWindow;
    w->children.push_back(plan);
    w->out = plan->out;
    for (const auto& spec : windows.specs) {
      PlanColumn c;
      c.id = spec.output_id;
      c.name = names_[spec.output_id];
      c.type = spec.type;
      w->out.push_back(c);
    }
    w->windows = windows.specs;
    plan = w;
  }
  if (qualify) {
    WH_ASSIGN_OR_RETURN(qualify, PlanFilterSubqueries(qualify, &plan, subquery_remap));
    plan = FilterOver(plan, qualify);
  }

  // UNNEST in the select list: after grouping and windows, before the projection.
  if (!unnests.lists.empty()) {
    auto u = std::make_shared<PlanNode>();
    u->kind = PlanNode::kUnnest;
    for (size_t i = 0; i < unnests.lists.size(); ++i) {
      BExprPtr list = unnests.lists[i];
      if (aggregated) {
        WH_ASSIGN_OR_RETURN(list, lift(list, *unnests.at[i]));
      }
      WH_ASSIGN_OR_RETURN(list, PlanValueSubqueries(list, &plan, subquery_remap));
      u->exprs.push_back(list);
    }
    u->out = plan->out;
    for (size_t i = 0; i < unnests.lists.size(); ++i) {
      PlanColumn c;
      c.id = unnests.ids[i];
      c.name = names_[c.id];
      c.type = u->exprs[i]->type.element();
      u->out.push_back(c);
    }
    u->children.push_back(plan);
    plan = u;
  }

  // Subqueries of the select list (and ORDER BY): joins under the projection.
  for (auto& it : items) {
    WH_ASSIGN_OR_RETURN(it.expr, PlanValueSubqueries(it.expr, &plan, subquery_remap));
  }

  // The projection: visible items, then hidden sort columns.
  auto p = std::make_shared<PlanNode>();
  p->kind = PlanNode::kProject;
  p->children.push_back(plan);
  for (const auto& it : items) {
    PlanColumn c;
    c.name = it.name;
    c.id = NewId(it.name);
    c.type = IsUntypedNull(*it.expr) ? DataType::Int32() : it.expr->type;
    c.nullable = it.expr->nullable;
    p->exprs.push_back(IsUntypedNull(*it.expr) ? MakeLiteral(Value::Null(DataType::Int32())) : it.expr);
    p->out.push_back(c);
  }
  plan = p;
  const size_t n_visible = items.size() - std::count_if(items.begin(), items.end(), [](const Item& it) { return it.name.empty(); });

  if (s.distinct) plan = Distinct(plan);

  if (!sort_keys.empty()) {
    auto srt = std::make_shared<PlanNode>();
    srt->kind = PlanNode::kSort;
    srt->out = plan->out;
    srt->children.push_back(plan);
    for (size_t k = 0; k < sort_keys.size(); ++k) {
      const auto& c = plan->out[sort_item[k]];
      sort_keys[k].expr = MakeColumnRef(c.id, c.type, c.nullable);
      srt->sort_keys.push_back(sort_keys[k]);
    }
    plan = srt;
  }

  if (n_visible < plan->out.size()) {
    auto drop = std::make_shared<PlanNode>();
    drop->kind = PlanNode::kProject;
    drop->children.push_back(plan);
    for (size_t i = 0; i < n_visible; ++i) {
      PlanColumn c = plan->out[i];
      drop->exprs.push_back(MakeColumnRef(c.id, c.type, c.nullable));
      c.id = NewId(c.name);
      drop->out.push_back(c);
    }
    plan = drop;
  }
  return plan;
}

Result<PlanPtr> Binder::BindTableRef(const TableRef& t) {
  if (t.column_aliases.empty() || t.kind == TableRef::kJoin) return BindTableRefAs(t);
  WH_ASSIGN_OR_RETURN(PlanPtr p, BindTableRefAs(t));
  // alias(c1, c2, ...): the visible columns renamed in order.
  size_t k = 0;
  auto proj = PassThrough(p, [&](PlanColumn& o) {
    if (!o.hidden && !o.system && k < t.column_aliases.size()) o.name = t.column_aliases[k++];
  });
  if (k < t.column_aliases.size())
    return Error(t.pos, "'" + t.alias + "' has " + std::to_string(k) + " columns, but " +
                            std::to_string(t.column_aliases.size()) + " names are given");
  return PlanPtr(proj);
}

Result<PlanPtr> Binder::BindTableRefAs(const TableRef& t) {
  switch (t.kind) {
    case TableRef::kTable: return BindTable(t);
    case TableRef::kJoin: return BindJoin(t);
    case TableRef::kFunction: return BindTableFunction(t);
    case TableRef::kStatement: {
      // Run when bound (as DuckDB does): its rows are the source's, held in memory.
      if (!run_statement_) return Error(t.pos, "DESCRIBE and SHOW are read in a query's FROM, not in a view or CREATE TABLE AS");
      WH_ASSIGN_OR_RETURN(ResultSet rs, run_statement_(*t.statement));
      rs.Flatten();
      auto node = std::make_shared<PlanNode>();
      node->kind = PlanNode::kWorkTable;
      node->work = std::make_shared<WorkTable>();
      node->work->rows.push_back(rs.columns);
      const std::string alias = t.alias.empty() ? std::string("unnamed_subquery") : t.alias;
      for (size_t c = 0; c < rs.names.size(); ++c) {
        PlanColumn col;
        col.name = rs.names[c];
        col.id = NewId(col.name);
        col.type = rs.columns[c].type();
        col.table = alias;
        node->out.push_back(col);
      }
      return PlanPtr(node);
    }
    case TableRef::kSubquery: {
      WH_ASSIGN_OR_RETURN(PlanPtr p, BindQuery(*t.subquery));
      // Re-qualify the subquery's columns with its alias.
      return PlanPtr(PassThrough(p, [&](PlanColumn& o) {
        o.table = t.alias;
        o.hidden = false;
      }));
    }
  }
  return Status::Internal("bad table reference");
}

Result<PlanPtr> Binder::BindTable(const TableRef& t) {
  const std::string alias = t.alias.empty() ? t.name : t.alias;
  auto requalify = [&](PlanPtr p) {
    return PlanPtr(PassThrough(p, [&](PlanColumn& o) {
      o.table = alias;
      o.hidden = false;
    }));
  };
  auto cycle = [&]() { return std::find(expanding_.begin(), expanding_.end(), t.name) != expanding_.end(); };
  // Views and WITH queries expand where they are used: their nesting is bounded (so that no
  // chain of them can exhaust the stack), at CREATE VIEW as at every use.
  auto too_deep = [&]() -> Status {
    std::string chain;
    for (size_t i = 0; i < expanding_.size(); ++i) {
      if (i == 3 && expanding_.size() > 6) {
        chain += " -> ...";
        i = expanding_.size() - 3;
      }
      chain += (i ? " -> " : "") + expanding_[i];
    }
    return Error(t.pos, "views and WITH queries nest more than " + std::to_string(kMaxExpansionDepth) +
                            " deep here (" + chain + " -> " + t.name + ")");
  };
  // The recursive term of a WITH RECURSIVE query naming itself: the last step's rows.
  for (auto w = work_tables_.rbegin(); w != work_tables_.rend(); ++w) {
    if (w->name != t.name) continue;
    w->used = true;
    auto node = std::make_shared<PlanNode>();
    node->kind = PlanNode::kWorkTable;
    node->work = w->work;
    for (size_t c = 0; c < w->names.size(); ++c) {
      PlanColumn col;
      col.name = w->names[c];
      col.id = NewId(col.name);
      col.type = w->types[c];
      col.table = alias;
      node->out.push_back(col);
    }
    return PlanPtr(node);
  }
  // WITH queries shadow tables and views.
  for (auto it = ctes_.rbegin(); it != ctes_.rend(); ++it) {
    auto f = it->find(t.name);
    if (f == it->end()) continue;
    const CommonTable& ct = *f->second;
    if (cycle())
      return Error(t.pos, ct.recursive ? "WITH RECURSIVE query '" + t.name + "' may name itself only in the terms "
                                         "after its first UNION [ALL] (its first term starts the recursion)"
                                       : "WITH query '" + t.name + "' refers to itself (write WITH RECURSIVE)");
    if (expanding_.size() >= kMaxExpansionDepth) return too_deep();
    expanding_.push_back(t.name);
    // Bind the CTE with only the WITH scopes visible where it was defined.
    auto saved = ctes_;
    ctes_.erase(ctes_.begin() + (it.base() - ctes_.begin()), ctes_.end());
    Result<PlanPtr> p = PlanPtr();
    if (ct.recursive) p = BindRecursive(ct);
    if (p.ok() && !*p) p = BindQuery(*ct.query);
    ctes_ = std::move(saved);
    expanding_.pop_back();
    if (!p.ok()) return p.status();
    PlanPtr plan = *p;
    if (!ct.columns.empty()) {  // name(c1, c2, ...)
      if (ct.columns.size() > plan->out.size())
        return Error(ct.pos, "WITH query '" + t.name + "' has " + std::to_string(plan->out.size()) + " columns, but " +
                                 std::to_string(ct.columns.size()) + " names are given");
      // Names given twice become distinct, as DuckDB makes them: a, a_1.
      std::vector<std::string> names;
      std::set<std::string> used;
      for (const auto& c : ct.columns) {
        std::string n = c;
        for (int i = 1; used.count(ToLower(n)); ++i) n = c + "_" + std::to_string(i);
        used.insert(ToLower(n));
        names.push_back(n);
      }
      size_t k = 0;
      plan = PassThrough(plan, [&](PlanColumn& o) {
        if (k < names.size()) o.name = names[k++];
      });
    }
    return requalify(plan);
  }
  WH_ASSIGN_OR_RETURN(std::optional<std::string> view, views_(t.name));
  if (view) {
    if (cycle()) return Error(t.pos, "view '" + t.name + "' refers to itself");
    if (expanding_.size() >= kMaxExpansionDepth) return too_deep();
    referenced_.insert(ToLower(t.name));
    auto parsed = ParseSql(*view);
    if (!parsed.ok())
      return Status::InvalidArgument("view '" + t.name + "' no longer parses: " + parsed.status().message());
    if (parsed->size() != 1 || (*parsed)[0].kind != Statement::kSelect)
      return Status::Corruption("view '" + t.name + "' does not hold a query");
    owned_sql_.push_back(std::make_unique<std::string>(*view));
    owned_.push_back(std::move((*parsed)[0].query));
    const std::string* saved_sql = sql_;
    std::string saved_context = context_;
    auto saved_ctes = std::move(ctes_);
    ctes_.clear();
    sql_ = owned_sql_.back().get();
    context_ = "in view '" + t.name + "': ";
    expanding_.push_back(t.name);
    auto p = BindQuery(*owned_.back());
    expanding_.pop_back();
    sql_ = saved_sql;
    context_ = saved_context;
    ctes_ = std::move(saved_ctes);
    if (!p.ok()) return p.status();
    return requalify(*p);
  }
  if (!wh_) return Error(t.pos, "no table or view named '" + t.name + "': " + no_warehouse_);
  std::shared_ptr<TableSnapshot>& cached = snapshots_[ToLower(t.name)];
  if (!cached) {
    auto snap = wh_->GetSnapshot(t.name);
    if (!snap.ok()) {
      if (snap.status().code() == StatusCode::kNotFound) {
        std::vector<std::string> names;
        if (auto tables = wh_->ListTables(); tables.ok()) names = *tables;
        if (auto views = wh_->ListViews(); views.ok())
          for (const auto& [v, text] : *views) names.push_back(v);
        for (const auto& scope : ctes_)
          for (const auto& [cte, q] : scope) names.push_back(cte);
        std::vector<std::string> near = NearestNames(ToLower(t.name), names);
        for (auto& n : near) n = "'" + n + "'";
        return Error(t.pos, "no table or view named '" + t.name + "'" + DidYouMean(near));
      }
      return snap.status();
    }
    cached = std::make_shared<TableSnapshot>(std::move(*snap));
  }
  referenced_.insert(ToLower(t.name));
  auto scan = std::make_shared<PlanNode>();
  scan->kind = PlanNode::kScan;
  scan->table = cached;
  scan->alias = alias;
  const TableSchema& schema = scan->table->schema;
  auto storage = schema.StorageColumns();
  for (const auto& c : storage) scan->storage_types.push_back(c.type);
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    PlanColumn c;
    c.name = schema.columns[i].name;
    c.id = NewId(c.name);
    c.table = alias;
    c.type = schema.columns[i].type;
    c.nullable = !schema.columns[i].not_null;
    scan->out.push_back(c);
    scan->storage_columns.push_back(static_cast<int>(i));
  }
  if (!schema.partition_column.empty()) {
    PlanColumn c;
    c.name = schema.partition_column;
    c.id = NewId(c.name);
    c.table = alias;
    c.type = DataType::Date();
    c.nullable = true;
    scan->out.push_back(c);
    scan->storage_columns.push_back(-1);
  }
  PlanColumn etl;
  etl.name = kEtlDateColumn;
  etl.id = NewId(etl.name);
  etl.table = alias;
  etl.type = DataType::Timestamp();
  etl.nullable = false;
  etl.system = true;
  scan->out.push_back(etl);
  scan->storage_columns.push_back(static_cast<int>(storage.size()) - 1);
  return PlanPtr(scan);
}

Result<PlanPtr> Binder::BindRecursive(const CommonTable& ct) {
  const QueryAst& q = *ct.query;
  if (q.union_terms.size() < 2 || q.union_all.empty()) return PlanPtr();
  for (auto op : q.set_ops)
    if (op != QueryAst::kUnion) return PlanPtr();
  // The first term, which may not name the query.
  WH_ASSIGN_OR_RETURN(PlanPtr anchor, BindQuery(*q.union_terms[0]));
  WorkBinding w;
  w.name = ct.name;
  w.work = std::make_shared<WorkTable>();
  for (size_t c = 0; c < anchor->out.size(); ++c) {
    w.names.push_back(c < ct.columns.size() ? ct.columns[c] : anchor->out[c].name);
    w.types.push_back(anchor->out[c].type);
  }
  work_tables_.push_back(w);
  struct Pop {
    Binder* b;
    ~Pop() { b->work_tables_.pop_back(); }
  } pop{this};
  std::vector<PlanPtr> steps;
  for (size_t i = 1; i < q.union_terms.size(); ++i) {
    WH_ASSIGN_OR_RETURN(PlanPtr p, BindQuery(*q.union_terms[i]));
    steps.push_back(p);
  }
  if (!work_tables_.back().used) return PlanPtr();  // an ordinary UNION
  if (q.union_terms.size() != 2)
    return Error(q.union_terms[2]->pos, "a recursive WITH query is one first term UNION [ALL] one recursive term");
  if (!q.order_by.empty() || q.limit || q.offset)
    return Error(ct.pos, "ORDER BY / LIMIT inside a recursive WITH query are not supported; put them on the query that uses it");
  PlanPtr step = steps[0];
  if (step->out.size() != anchor->out.size())
    return Error(q.union_terms[1]->pos, "the recursive term of '" + ct.name + "' has " + std::to_string(step->out.size()) +
                                            " columns, its first term " + std::to_string(anchor->out.size()));
  // The recursive term's rows take the first term's types (they become its next input).
  bool same = true;
  for (size_t c = 0; c < step->out.size(); ++c) {
    if (step->out[c].type == w.types[c]) continue;
    same = false;
    if (!CanCast(step->out[c].type, w.types[c]))
      return Error(q.union_terms[1]->pos, "column " + std::to_string(c + 1) + " of the recursive term is " +
                                              step->out[c].type.ToString() + ", the first term's " + w.types[c].ToString());
  }
  if (!same) {
    auto p = std::make_shared<PlanNode>();
    p->kind = PlanNode::kProject;
    p->children.push_back(step);
    for (size_t c = 0; c < step->out.size(); ++c) {
      PlanColumn col = step->out[c];
      p->exprs.push_back(MakeCast(MakeColumnRef(col.id, col.type, col.nullable), w.types[c]));
      col.id = NewId(col.name);
      col.type = w.types[c];
      p->out.push_back(col);
    }
    step = p;
  }
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanNode::kRecursive;
  node->children = {anchor, step};
  node->work = w.work;
  node->recursive_all = q.union_all[0];
  for (size_t c = 0; c < w.names.size(); ++c) {
    PlanColumn col;
    col.name = w.names[c];
    col.id = NewId(col.name);
    col.type = w.types[c];
    node->out.push_back(col);
  }
  return PlanPtr(node);
}

Status Binder::BindRangeOffset(const FrameBound& b, const std::vector<SortKey>& order, const SourcePos& pos,
                               WindowSpec::RangeOffset* out) {
  const Expr& v = *b.value;
  if (order.size() != 1)
    return Error(pos, "a RANGE frame with an offset needs exactly one ORDER BY expression, not " +
                          std::to_string(order.size()));
  const DataType& key = order[0].expr->type;
  out->side = b.kind == FrameBound::kPreceding ? -1 : 1;
  if (v.kind == Expr::kInterval) {
    if (!IsTemporal(key))
      return Error(v, "an INTERVAL offset needs a DATE or TIMESTAMP ORDER BY value, not " + key.ToString());
    WH_ASSIGN_OR_RETURN(int64_t n, ConstantInt(*v.args[0], "an INTERVAL amount"));
    if (n < 0) return Error(v, "a RANGE offset cannot be negative");
    const std::string& u = v.name;
    if (u == "YEAR") out->months = n * 12;
    else if (u == "MONTH") out->months = n;
    else if (u == "WEEK") out->micros = n * 7 * kMicrosPerDay;
    else if (u == "DAY") out->micros = n * kMicrosPerDay;
    else if (u == "HOUR") out->micros = n * 3600 * kMicrosPerSecond;
    else if (u == "MINUTE") out->micros = n * 60 * kMicrosPerSecond;
    else out->micros = n * kMicrosPerSecond;
    return Status::OK();
  }
  if (key.id == TypeId::kDate && v.kind != Expr::kInterval) {  // DATE - n: n days
    WH_ASSIGN_OR_RETURN(int64_t days, ConstantInt(v, "the offset of a RANGE frame over a DATE (days, or an INTERVAL)"));
    if (days < 0) return Error(v, "a RANGE offset cannot be negative");
    out->micros = days * kMicrosPerDay;
    return Status::OK();
  }
  if (IsTemporal(key))
    return Error(v, "the offset of a RANGE frame over a " + key.ToString() + " is an INTERVAL (INTERVAL 7 DAY PRECEDING)");
  if (!IsNumericType(key))
    return Error(pos, "a RANGE frame with an offset needs a number, DATE or TIMESTAMP ORDER BY value, not " + key.ToString());
  Scope none;
  WH_ASSIGN_OR_RETURN(BExprPtr x, BindExpr(v, none, nullptr));
  x = Fold(x);
  if (x->kind != BExpr::kLiteral || x->value.null || !IsNumericType(x->type))
    return Error(v, "a RANGE offset is a constant number");
  const Value& c = x->value;
  long double n = c.type.id == TypeId::kDouble ? static_cast<long double>(c.d) : static_cast<long double>(c.i);
  if (c.type.id == TypeId::kDecimal)
    for (int s = 0; s < c.type.scale; ++s) n /= 10;
  if (!(n >= 0)) return Error(v, "a RANGE offset cannot be negative");
  out->number = n;
  return Status::OK();
}

Result<PlanPtr> Binder::BindInFrame(SubqueryFrame* frame, const std::function<Result<PlanPtr>()>& bind) {
  subquery_frames_.push_back(frame);
  WindowContext* saved_windows = windows_;
  UnnestContext* saved_unnests = unnests_;
  const AliasScope saved_aliases = aliases_;
  windows_ = nullptr;
  unnests_ = nullptr;
  aliases_ = AliasScope{};
  auto plan = bind();
  windows_ = saved_windows;
  unnests_ = saved_unnests;
  aliases_ = saved_aliases;
  subquery_frames_.pop_back();
  return plan;
}

// FROM left [, | CROSS JOIN | [LEFT] JOIN] LATERAL (subquery) [ON ...]: the subquery may name
// the columns of the tables before it, as a correlated subquery names its outer query's.
Result<PlanPtr> Binder::BindLateral(const TableRef& t, const PlanPtr& left) {
  if (t.join_type == TableRef::kRight || t.join_type == TableRef::kFull)
    return Error(t.right->pos, "RIGHT and FULL joins to a LATERAL subquery are not supported (the subquery "
                               "depends on the rows before it)");
  if (!t.using_columns.empty()) return Error(t.right->pos, "USING with a LATERAL subquery is not supported; use ON");
  Scope before{left->out};
  SubqueryFrame frame{&before, {}};
  auto right = BindInFrame(&frame, [&] { return BindTableRef(*t.right); });
  if (!right.ok()) return right.status();
  BExprPtr on;
  if (t.on) {
    std::vector<PlanColumn> cols = left->out;
    cols.insert(cols.end(), (*right)->out.begin(), (*right)->out.end());
    Scope both{cols};
    WH_ASSIGN_OR_RETURN(on, BindExpr(*t.on, both, nullptr));
    on = Fold(on);
    if (on->type.id != TypeId::kBoolean) return Error(*t.on, "ON needs a BOOLEAN condition, not " + on->type.ToString());
    if (on->kind == BExpr::kLiteral && !on->value.null && on->value.i) on = nullptr;  // ON TRUE
  }
  const bool left_join = t.join_type == TableRef::kLeft;
  if (!frame.correlated.empty()) {
    // LATERAL (SELECT a * 2 AS x, ...) without FROM: values computed from each row before it,
    // a projection over it (ON then filters it, or for LEFT JOIN blanks the values).
    std::vector<const PlanNode*> chain;
    const PlanNode* n = right->get();
    while (n->kind == PlanNode::kProject && n->children.size() == 1) {
      chain.push_back(n);
      n = n->children[0].get();
    }
    if (n->kind == PlanNode::kValues && !chain.empty()) {
      std::map<int, BExprPtr> map;
      for (auto it = chain.rbegin(); it != chain.rend(); ++it)
        for (size_t i = 0; i < (*it)->out.size(); ++i) map[(*it)->out[i].id] = Substitute((*it)->exprs[i], map);
      auto p = std::make_shared<PlanNode>();
      p->kind = PlanNode::kProject;
      p->children = {left};
      for (const auto& c : left->out) {
        p->exprs.push_back(MakeColumnRef(c.id, c.type, c.nullable));
        p->out.push_back(c);
      }
      std::set<int> values;
      for (const auto& c : chain.front()->out) {
        p->exprs.push_back(map[c.id]);
        p->out.push_back(c);
        values.insert(c.id);
      }
      if (!on) return PlanPtr(p);
      if (!left_join) return FilterOver(p, on);
      auto blank = PassThrough(p);
      for (size_t i = 0; i < blank->out.size(); ++i) {
        PlanColumn& c = blank->out[i];
        if (!values.count(p->out[i].id)) continue;  // a column of the rows before it
        auto k = MakeNode(BExpr::kCase, c.type, {on, blank->exprs[i], MakeLiteral(Value::Null(c.type))});
        k->has_else = true;
        k->nullable = true;
        blank->exprs[i] = k;
        c.nullable = true;
      }
      return PlanPtr(blank);
    }
  }
  if (frame.correlated.empty() && !left_join && !on) {
    // It names nothing before it: a plain cross join.
    auto j = std::make_shared<PlanNode>();
    j->kind = PlanNode::kJoin;
    j->join_type = PlanNode::kInner;
    j->children = {left, *right};
    j->out = left->out;
    j->out.insert(j->out.end(), (*right)->out.begin(), (*right)->out.end());
    return PlanPtr(j);
  }
  auto joined = JoinLateral(left, *right, frame.correlated, left_join, on,
                            [this](const std::string& name) { return NewId(name); });
  if (!joined.ok()) return Error(t.right->pos, joined.status().message());
  return joined;
}

static bool IsUnnestRef(const TableRef& t) {
  return t.kind == TableRef::kFunction && (t.name == "UNNEST" || t.name == "EXPLODE");
}

Result<PlanPtr> Binder::BindUnnestRef(const TableRef& fn, PlanPtr left, bool outer) {
  if (fn.args.size() != 1 || !fn.arg_names[0].empty()) return Error(fn.pos, ToLower(fn.name) + "(...) takes one list");
  WH_ASSIGN_OR_RETURN(BExprPtr x, BindExpr(*fn.args[0], Scope{left->out}, nullptr));
  x = Fold(x);
  if (IsUntypedNull(*x)) x = MakeLiteral(Value::Null(DataType::List(DataType::Int32())));
  if (!x->type.is_list()) return Error(*fn.args[0], ToLower(fn.name) + "(...) takes a list, not " + x->type.ToString());
  if (fn.column_aliases.size() > 1)
    return Error(fn.pos, ToLower(fn.name) + "(...) gives one column, not " + std::to_string(fn.column_aliases.size()));
  auto u = std::make_shared<PlanNode>();
  u->kind = PlanNode::kUnnest;
  u->children = {left};
  u->exprs = {x};
  u->unnest_outer = outer;
  u->out = left->out;
  PlanColumn c;
  c.name = !fn.column_aliases.empty() ? fn.column_aliases[0] : fn.name == "EXPLODE" ? "col" : "unnest";
  c.id = NewId(c.name);
  c.type = x->type.element();
  c.table = fn.alias.empty() ? ToLower(fn.name) : fn.alias;
  u->out.push_back(c);
  return PlanPtr(u);
}

Result<PlanPtr> Binder::BindJoin(const TableRef& t) {
  WH_ASSIGN_OR_RETURN(PlanPtr left, BindTableRef(*t.left));
  if (t.right->lateral) return BindLateral(t, left);
  if (IsUnnestRef(*t.right)) {  // FROM t, unnest(t.tags): each row of t with its elements
    const bool on_true = !t.on || (t.on->kind == Expr::kBool && t.on->value);
    if (!t.using_columns.empty() || !on_true || t.join_type == TableRef::kRight || t.join_type == TableRef::kFull)
      return Error(t.right->pos, "unnest(...) joins the rows before it as a comma, CROSS JOIN, JOIN ... ON true or "
                                 "LEFT JOIN ... ON true (which keeps a row without elements)");
    return BindUnnestRef(*t.right, left, t.join_type == TableRef::kLeft);
  }
  WH_ASSIGN_OR_RETURN(PlanPtr right, BindTableRef(*t.right));
  auto j = std::make_shared<PlanNode>();
  j->kind = PlanNode::kJoin;
  switch (t.join_type) {
    case TableRef::kLeft: j->join_type = PlanNode::kLeft; break;
    case TableRef::kRight: j->join_type = PlanNode::kRight; break;
    case TableRef::kFull: j->join_type = PlanNode::kFull; break;
    default: j->join_type = PlanNode::kInner; break;
  }
  const bool left_nullable = j->join_type == PlanNode::kRight || j->join_type == PlanNode::kFull;
  const bool right_nullable = j->join_type == PlanNode::kLeft || j->join_type == PlanNode::kFull;
  for (auto c : left->out) {
    c.nullable = c.nullable || left_nullable;
    j->out.push_back(c);
  }
  for (auto c : right->out) {
    c.nullable = c.nullable || right_nullable;
    j->out.push_back(c);
  }
  std::set<int> left_ids, right_ids;
  for (const auto& c : left->out) left_ids.insert(c.id);
  for (const auto& c : right->out) right_ids.insert(c.id);
  auto side_of = [&](const BExprPtr& e) {  // 1 left only, 2 right only, 3 both, 0 none
    std::vector<int> ids;
    CollectColumns(*e, &ids);
    int s = 0;
    for (int id : ids) s |= left_ids.count(id) ? 1 : right_ids.count(id) ? 2 : 0;
    return s;
  };

  std::vector<BExprPtr> conjuncts;
  std::vector<std::pair<PlanColumn, PlanColumn>> using_pairs;
  if (!t.using_columns.empty()) {
    for (size_t u = 0; u < t.using_columns.size(); ++u) {
      const std::string& name = t.using_columns[u];
      auto find = [&](const PlanPtr& p) -> const PlanColumn* {
        const PlanColumn* found = nullptr;
        for (const auto& c : p->out)
          if (ToLower(c.name) == name && !c.hidden) {
            if (found) return nullptr;
            found = &c;
          }
        return found;
      };
      const PlanColumn* l = find(left);
      const PlanColumn* r = find(right);
      if (!l || !r)
        return Error(t.using_pos[u], "USING column '" + name + "' must appear exactly once on each side of the join");
      BExprPtr le = MakeColumnRef(l->id, l->type, l->nullable), re = MakeColumnRef(r->id, r->type, r->nullable);
      auto ct = CommonType(l->type, r->type);
      if (!ct) return Error(t.using_pos[u], "USING column '" + name + "' has types " + l->type.ToString() + " and " + r->type.ToString());
      j->left_keys.push_back(MakeCast(le, *ct));
      j->right_keys.push_back(MakeCast(re, *ct));
      using_pairs.emplace_back(*l, *r);
    }
  } else if (t.on) {
    Scope scope{j->out};
    WH_ASSIGN_OR_RETURN(BExprPtr cond, BindExpr(*t.on, scope, nullptr));
    cond = Fold(cond);
    if (cond->type.id != TypeId::kBoolean)
      return Error(*t.on, "ON needs a BOOLEAN condition, not " + cond->type.ToString());
    SplitConjuncts(cond, &conjuncts);
  }
  std::vector<BExprPtr> residual, left_only, right_only;
  for (const auto& c : conjuncts) {
    if (c->kind == BExpr::kCompare && c->op == "=") {
      int a = side_of(c->args[0]), b = side_of(c->args[1]);
      if (a == 1 && b == 2) {
        j->left_keys.push_back(c->args[0]);
        j->right_keys.push_back(c->args[1]);
        continue;
      }
      if (a == 2 && b == 1) {
        j->left_keys.push_back(c->args[1]);
        j->right_keys.push_back(c->args[0]);
        continue;
      }
    }
    int side = side_of(c);
    // A condition on the inner side of an outer join filters that side before joining.
    if (side == 2 && (j->join_type == PlanNode::kLeft || j->join_type == PlanNode::kInner)) {
      right_only.push_back(c);
    } else if (side == 1 && (j->join_type == PlanNode::kRight || j->join_type == PlanNode::kInner)) {
      left_only.push_back(c);
    } else {
      residual.push_back(c);
    }
  }
  auto filtered = [](PlanPtr child, std::vector<BExprPtr> preds) {
    return preds.empty() ? child : FilterOver(child, MakeAnd(std::move(preds)));
  };
  j->children.push_back(filtered(left, left_only));
  j->children.push_back(filtered(right, right_only));
  if (!residual.empty()) j->residual = MakeAnd(residual);
  if (using_pairs.empty()) return PlanPtr(j);

  // USING: one merged key column (COALESCE for a FULL join), the sides' keys hidden from *.
  auto p = std::make_shared<PlanNode>();
  p->kind = PlanNode::kProject;
  p->children.push_back(j);
  std::set<int> hidden;
  for (size_t u = 0; u < using_pairs.size(); ++u) {
    const auto& [l, r] = using_pairs[u];
    BExprPtr le = j->left_keys[u], re = j->right_keys[u];
    BExprPtr merged;
    PlanColumn c;
    c.name = l.name;
    c.type = le->type;
    if (j->join_type == PlanNode::kRight) {
      merged = re;
      c.nullable = r.nullable;
    } else if (j->join_type == PlanNode::kFull) {
      merged = MakeNode(BExpr::kCoalesce, le->type, {le, re});
      c.nullable = l.nullable && r.nullable;
    } else {  // INNER, LEFT
      merged = le;
      c.nullable = l.nullable;
    }
    c.id = NewId(c.name);
    p->exprs.push_back(merged);
    p->out.push_back(c);
    hidden.insert(l.id);
    hidden.insert(r.id);
  }
  for (const auto& c : j->out) {
    p->exprs.push_back(MakeColumnRef(c.id, c.type, c.nullable));
    PlanColumn o = c;
    o.id = NewId(c.name);
    o.hidden = c.hidden || hidden.count(c.id) > 0;
    p->out.push_back(o);
  }
  return PlanPtr(p);
}

Result<BExprPtr> Binder::BindColumn(const Expr& e, const Scope& scope) {
  const PlanColumn* found = nullptr;
  int matches = 0;
  for (const auto& c : scope.columns) {
    if (ToLower(c.name) != e.name) continue;
    if (e.qualifier.empty() ? c.hidden : c.table != e.qualifier) continue;
    if (!e.qualifier.empty() || !found) found = &c;
    ++matches;
  }
  if (matches > 1 && e.qualifier.empty())
    return Error(e, "column '" + e.name + "' is ambiguous; qualify it with a table name or alias");
  if (!found && e.qualifier.empty() && aliases_.items && !aliases_.expanding) {
    for (const auto& it : *aliases_.items) {
      if (it.alias.empty() || ToLower(it.alias) != e.name) continue;
      aliases_.expanding = true;
      auto r = BindExpr(*it.expr, scope, aliases_.agg);
      aliases_.expanding = false;
      return r;
    }
  }
  if (!found && !subquery_frames_.empty()) {
    // A column of the query around a subquery (a correlated reference).
    for (size_t level = subquery_frames_.size(); level-- > 0;) {
      SubqueryFrame* frame = subquery_frames_[level];
      const PlanColumn* outer = nullptr;
      int n = 0;
      for (const auto& c : frame->outer->columns) {
        if (ToLower(c.name) != e.name) continue;
        if (e.qualifier.empty() ? c.hidden : c.table != e.qualifier) continue;
        if (!e.qualifier.empty() || !outer) outer = &c;
        ++n;
      }
      if (!outer) continue;
      if (n > 1 && e.qualifier.empty())
        return Error(e, "column '" + e.name + "' is ambiguous; qualify it with a table name or alias");
      if (level + 1 != subquery_frames_.size())
        return Error(e, "a subquery may refer to the columns of the query just around it, not of one further out");
      frame->correlated.insert(outer->id);
      return MakeColumnRef(outer->id, outer->type, outer->nullable);
    }
  }
  if (!found) {
    std::string where = e.qualifier.empty() ? "" : " in '" + e.qualifier + "'";
    std::string known;
    int shown = 0;
    std::vector<std::string> names;
    for (const auto& c : scope.columns) {
      if (c.hidden || (!e.qualifier.empty() && c.table != e.qualifier)) continue;
      names.push_back(ToLower(c.name));
      if (shown++ < 12) known += (known.empty() ? "" : ", ") + c.name;
    }
    std::vector<std::string> near = NearestNames(e.name, names);
    for (auto& n : near) n = "'" + n + "'";
    std::string hint;
    if (e.quoted)  // Spark writes strings in double quotes; SQL and wh name columns with them
      hint = "; a string is written in single quotes: '" + e.name + "'";
    return Error(e, "no column '" + e.name + "'" + where + DidYouMean(near) +
                        (known.empty() ? "" : " (columns: " + known + (shown > 12 ? ", ..." : "") + ")") + hint);
  }
  return MakeColumnRef(found->id, found->type, found->nullable);
}

Result<BExprPtr> Binder::BindExpr(const Expr& e, const Scope& scope, AggContext* agg) {
  DepthGuard depth(this);
  if (depth_ > kMaxBindDepth) return Error(e, TooDeepMessage());
  switch (e.kind) {
    case Expr::kColumn: return BindColumn(e, scope);
    case Expr::kStar: return Error(e, "* is only allowed in the select list and in COUNT(*)");
    case Expr::kNumber: {
      const std::string& t = e.name;
      if (t.find_first_of(".eE") == std::string::npos) {
        auto v = ParseInt64(t, INT64_MIN, INT64_MAX);
        if (v.ok()) {
          bool small = *v >= INT32_MIN && *v <= INT32_MAX;
          return MakeLiteral(Value::Int(small ? DataType::Int32() : DataType::Int64(), *v));
        }
        if (t.size() <= 38) {
          auto d = ParseDecimal(t, 38, 0);
          if (d.ok()) return MakeLiteral(Value::Int(DataType::Decimal(static_cast<int>(t.size()), 0), *d));
        }
        return Error(e, "number " + t + " is too large");
      }
      if (t.find_first_of("eE") != std::string::npos) {
        auto d = ParseDouble(t);
        if (!d.ok()) return Error(e, "bad number " + t);
        return MakeLiteral(Value::Double(*d));
      }
      // 1.25 is DECIMAL(3,2), as in Spark and DuckDB.
      size_t dot = t.find('.');
      std::string digits = t.substr(0, dot) + t.substr(dot + 1);
      size_t lead = digits.find_first_not_of('0');
      int scale = static_cast<int>(t.size() - dot - 1);
      int precision = std::max<int>(scale, lead == std::string::npos ? 1 : static_cast<int>(digits.size() - lead));
      precision = std::max(precision, 1);
      if (precision > kMaxDecimalPrecision) {
        auto d = ParseDouble(t);
        return MakeLiteral(Value::Double(d.ok() ? *d : 0));
      }
      auto v = ParseDecimal(t, precision, scale);
      if (!v.ok()) return Error(e, "bad number " + t);
      return MakeLiteral(Value::Int(DataType::Decimal(precision, scale), *v));
    }
    case Expr::kString: return MakeLiteral(Value::String(e.name));
    case Expr::kNull: {
      auto n = std::make_shared<BExpr>(*MakeLiteral(Value::Null(DataType::Boolean())));
      n->op = "untyped";
      return BExprPtr(n);
    }
    case Expr::kBool: return MakeLiteral(Value::Int(DataType::Boolean(), e.value ? 1 : 0));
    case Expr::kTypedLiteral: {
      if (e.type.id == TypeId::kDate) {
        auto d = ParseDate(e.name);
        if (!d.ok()) return Error(e, "bad DATE literal '" + e.name + "': " + d.status().message());
        return MakeLiteral(Value::Int(DataType::Date(), *d));
      }
      auto ts = ParseTimestamp(e.name);
      if (!ts.ok()) return Error(e, "bad TIMESTAMP literal '" + e.name + "': " + ts.status().message());
      return MakeLiteral(Value::Int(DataType::Timestamp(), *ts));
    }
    case Expr::kInterval:
      return Error(e, "an INTERVAL can only be added to or subtracted from a DATE or TIMESTAMP");
    case Expr::kCast: {
      WH_ASSIGN_OR_RETURN(BExprPtr x, BindExpr(*e.args[0], scope, agg));
      if (IsUntypedNull(*x)) return MakeLiteral(Value::Null(e.type));
      if (!CanCast(x->type, e.type))
        return Error(e, "cannot CAST " + x->type.ToString() + " to " + e.type.ToString());
      BExprPtr c = MakeCast(x, e.type, e.try_cast);
      if (x->kind == BExpr::kLiteral) {
        auto v = EvaluateConstant(*c);
        if (!v.ok()) return Error(e, v.status().message());
        return MakeLiteral(*v);
      }
      return c;
    }
    case Expr::kUnary: {
      WH_ASSIGN_OR_RETURN(BExprPtr x, BindExpr(*e.args[0], scope, agg));
      if (e.name == "NOT") {
        if (IsUntypedNull(*x)) return MakeLiteral(Value::Null(DataType::Boolean()));
        if (x->type.id != TypeId::kBoolean) return Error(e, "NOT needs a BOOLEAN, not " + x->type.ToString());
        return Fold(MakeNode(BExpr::kNot, DataType::Boolean(), {x}));
      }
      if (e.name == "+") return x;
      if (!IsNumericType(x->type)) return Error(e, "cannot negate " + x->type.ToString());
      DataType t = x->type.id == TypeId::kInt32 ? DataType::Int64() : x->type;
      return Fold(MakeNode(BExpr::kNeg, t, {MakeCast(x, t)}));
    }
    case Expr::kBinary: return BindBinary(e, scope, agg);
    case Expr::kIsNull: {
      WH_ASSIGN_OR_RETURN(BExprPtr x, BindExpr(*e.args[0], scope, agg));
      auto n = MakeNode(BExpr::kIsNull, DataType::Boolean(), {x});
      n->negated = e.negated;
      n->nullable = false;
      return Fold(n);
    }
    case Expr::kSubquery:
    case Expr::kExists: return BindSubquery(e, scope, agg);
    case Expr::kIn: {
      if (e.subquery) return BindSubquery(e, scope, agg);
      WH_ASSIGN_OR_RETURN(BExprPtr x, BindExpr(*e.args[0], scope, agg));
      std::vector<BExprPtr> list;
      DataType t = x->type;
      for (size_t i = 1; i < e.args.size(); ++i) {
        WH_ASSIGN_OR_RETURN(BExprPtr v, BindExpr(*e.args[i], scope, agg));
        auto u = UnifyTypes(*x, *v);
        if (!u.ok()) return Error(*e.args[i], u.status().message());
        if (!(x->type.id == TypeId::kString && v->kind == BExpr::kLiteral)) {
          auto ct = CommonType(t, *u);
          t = ct ? *ct : *u;
        }
        list.push_back(v);
      }
      if (IsUntypedNull(*x)) return MakeLiteral(Value::Null(DataType::Boolean()));
      std::vector<BExprPtr> args;
      auto cx = Coerce(x, t);
      if (!cx.ok()) return Error(e, cx.status().message());
      args.push_back(*cx);
      for (size_t i = 0; i < list.size(); ++i) {
        auto cv = Coerce(list[i], t);
        if (!cv.ok()) return Error(*e.args[i + 1], cv.status().message());
        args.push_back(*cv);
      }
      auto n = MakeNode(BExpr::kIn, DataType::Boolean(), std::move(args));
      n->negated = e.negated;
      return WithConstantSet(Fold(n));
    }
    case Expr::kBetween: {
      WH_ASSIGN_OR_RETURN(BExprPtr x, BindExpr(*e.args[0], scope, agg));
      WH_ASSIGN_OR_RETURN(BExprPtr lo, BindExpr(*e.args[1], scope, agg));
      WH_ASSIGN_OR_RETURN(BExprPtr hi, BindExpr(*e.args[2], scope, agg));
      WH_ASSIGN_OR_RETURN(BExprPtr a, BindCompare(">=", x, lo, e));
      WH_ASSIGN_OR_RETURN(BExprPtr b, BindCompare("<=", x, hi, e));
      BExprPtr both = MakeNode(BExpr::kAnd, DataType::Boolean(), {a, b});
      if (e.negated) both = MakeNode(BExpr::kNot, DataType::Boolean(), {both});
      return Fold(both);
    }
    case Expr::kLike: return BindLike(e, scope, agg);
    case Expr::kCase: {
      std::vector<BExprPtr> conds, vals;
      BExprPtr operand;
      size_t i = 0;
      if (e.has_operand) {
        WH_ASSIGN_OR_RETURN(operand, BindExpr(*e.args[0], scope, agg));
        i = 1;
      }
      size_t end = e.args.size() - (e.has_else ? 1 : 0);
      for (; i < end; i += 2) {
        WH_ASSIGN_OR_RETURN(BExprPtr w, BindExpr(*e.args[i], scope, agg));
        if (operand) {
          WH_ASSIGN_OR_RETURN(w, BindCompare("=", operand, w, *e.args[i]));
        } else if (IsUntypedNull(*w)) {
          w = MakeLiteral(Value::Null(DataType::Boolean()));
        } else if (w->type.id != TypeId::kBoolean) {
          return Error(*e.args[i], "WHEN needs a BOOLEAN condition, not " + w->type.ToString());
        }
        WH_ASSIGN_OR_RETURN(BExprPtr th, BindExpr(*e.args[i + 1], scope, agg));
        conds.push_back(w);
        vals.push_back(th);
      }
      if (e.has_else) {
        WH_ASSIGN_OR_RETURN(BExprPtr el, BindExpr(*e.args.back(), scope, agg));
        vals.push_back(el);
      }
      // Result type: the common type of every branch.
      auto common = UnifiedType(vals);
      if (!common.ok()) return Error(e, "CASE branches have incompatible types: " + common.status().message());
      DataType t = *common;
      std::vector<BExprPtr> args;
      for (size_t k = 0; k < conds.size(); ++k) {
        args.push_back(conds[k]);
        auto cv = Coerce(vals[k], t);
        if (!cv.ok()) return Error(e, cv.status().message());
        args.push_back(*cv);
      }
      if (e.has_else) {
        auto cv = Coerce(vals.back(), t);
        if (!cv.ok()) return Error(e, cv.status().message());
        args.push_back(*cv);
      }
      auto n = MakeNode(BExpr::kCase, t, std::move(args));
      n->has_else = e.has_else;
      n->nullable = true;
      return Fold(n);
    }
    case Expr::kFunction: return BindFunction(e, scope, agg);
  }
  return Error(e, "unsupported expression");
}

Result<BExprPtr> Binder::BindCompare(const std::string& op, BExprPtr l, BExprPtr r, const Expr& at) {
  auto c = CompareExpr(op, std::move(l), std::move(r));
  if (!c.ok()) return Error(at, c.status().message());
  return *c;
}

Result<BExprPtr> Binder::BindArith(const std::string& op, BExprPtr l, BExprPtr r, const Expr& at) {
  auto e = ArithExpr(op, std::move(l), std::move(r));
  if (!e.ok()) return Error(at, e.status().message());
  return *e;
}

// x [NOT] LIKE / ILIKE pattern [ESCAPE c]. Out of line: BindExpr's frame is on the path of every
// nested expression.
__attribute__((noinline)) Result<BExprPtr> Binder::BindLike(const Expr& e, const Scope& scope, AggContext* agg) {
  WH_ASSIGN_OR_RETURN(BExprPtr x, BindExpr(*e.args[0], scope, agg));
  WH_ASSIGN_OR_RETURN(BExprPtr p, BindExpr(*e.args[1], scope, agg));
  if (x->type.is_list()) return Error(*e.args[0], ListIsNotText(e.name, x->type));
  p = Fold(p);
  if (IsUntypedNull(*p)) return MakeLiteral(Value::Null(DataType::Boolean()));
  if (p->kind != BExpr::kLiteral || p->type.id != TypeId::kString)
    return Error(*e.args[1], "the LIKE pattern must be a string constant");
  if (IsUntypedNull(*x) || p->value.null) return MakeLiteral(Value::Null(DataType::Boolean()));
  // ESCAPE 'c': c makes the next % or _ (or c) literal. Without it no character escapes
  // (DuckDB; Spark's default escape is the backslash).
  char escape = 0;
  if (e.args.size() > 2) {
    WH_ASSIGN_OR_RETURN(BExprPtr esc, BindExpr(*e.args[2], scope, agg));
    esc = Fold(esc);
    if (esc->kind != BExpr::kLiteral || esc->type.id != TypeId::kString || esc->value.null ||
        esc->value.s.size() > 1)
      return Error(*e.args[2], "the LIKE escape must be a constant string of one character (or empty)");
    if (!esc->value.s.empty()) escape = esc->value.s[0];
  }
  if (x->type.id != TypeId::kString) x = MakeCast(x, DataType::String());
  auto n = MakeNode(BExpr::kLike, DataType::Boolean(), {x}, p->value.s);
  n->negated = e.negated;
  n->case_insensitive = e.name == "ILIKE";
  n->like_escape = escape;
  return Fold(n);
}

// l IS [NOT] DISTINCT FROM r: l = r with NULLs equal to each other, never NULL:
// COALESCE(l = r, l IS NULL AND r IS NULL). Out of line: BindBinary's frame is on the path of
// every nested operator.
__attribute__((noinline)) Result<BExprPtr> Binder::BindDistinctFrom(const std::string& op, BExprPtr l, BExprPtr r,
                                                                    const Expr& e) {
  WH_ASSIGN_OR_RETURN(BExprPtr eq, BindCompare("=", l, r, e));
  auto ln = MakeNode(BExpr::kIsNull, DataType::Boolean(), {l});
  auto rn = MakeNode(BExpr::kIsNull, DataType::Boolean(), {r});
  ln->nullable = rn->nullable = false;
  auto both = MakeNode(BExpr::kAnd, DataType::Boolean(), {ln, rn});
  auto same = MakeNode(BExpr::kCoalesce, DataType::Boolean(), {eq, both});
  same->nullable = false;
  if (op == "IS NOT DISTINCT FROM") return Fold(same);
  auto n = MakeNode(BExpr::kNot, DataType::Boolean(), {same});
  n->nullable = false;
  return Fold(n);
}

Result<BExprPtr> Binder::BindBinary(const Expr& e, const Scope& scope, AggContext* agg) {
  const std::string& op = e.name;
  // date +/- INTERVAL
  if ((op == "+" || op == "-") && (e.args[1]->kind == Expr::kInterval ||
                                   (op == "+" && e.args[0]->kind == Expr::kInterval))) {
    const Expr& iv = e.args[1]->kind == Expr::kInterval ? *e.args[1] : *e.args[0];
    const Expr& base = e.args[1]->kind == Expr::kInterval ? *e.args[0] : *e.args[1];
    WH_ASSIGN_OR_RETURN(int64_t n, ConstantInt(*iv.args[0], "an INTERVAL amount"));
    if (op == "-") n = -n;
    WH_ASSIGN_OR_RETURN(BExprPtr x, BindExpr(base, scope, agg));
    if (x->type.id == TypeId::kString && x->kind == BExpr::kLiteral) {
      auto d = Coerce(x, DataType::Date());
      if (!d.ok()) d = Coerce(x, DataType::Timestamp());
      if (!d.ok()) return Error(base, d.status().message());
      x = *d;
    }
    if (!IsTemporal(x->type))
      return Error(e, "an INTERVAL can only be added to a DATE or TIMESTAMP, not " + x->type.ToString());
    int64_t months = 0, micros = 0;
    const std::string& u = iv.name;
    if (u == "YEAR") months = n * 12;
    else if (u == "MONTH") months = n;
    else if (u == "WEEK") micros = n * 7 * kMicrosPerDay;
    else if (u == "DAY") micros = n * kMicrosPerDay;
    else if (u == "HOUR") micros = n * 3600 * kMicrosPerSecond;
    else if (u == "MINUTE") micros = n * 60 * kMicrosPerSecond;
    else micros = n * kMicrosPerSecond;
    // DATE + INTERVAL is a TIMESTAMP, as in DuckDB (Spark keeps a DATE for days and months).
    auto node = MakeNode(BExpr::kAddInterval, DataType::Timestamp(), {x});
    node->months = months;
    node->micros = micros;
    return Fold(node);
  }
  WH_ASSIGN_OR_RETURN(BExprPtr l, BindExpr(*e.args[0], scope, agg));
  WH_ASSIGN_OR_RETURN(BExprPtr r, BindExpr(*e.args[1], scope, agg));
  if (op == "AND" || op == "OR") {
    for (BExprPtr* x : {&l, &r}) {
      if (IsUntypedNull(**x)) *x = MakeLiteral(Value::Null(DataType::Boolean()));
      if ((*x)->type.id != TypeId::kBoolean)
        return Error(e, op + " needs BOOLEAN operands, not " + (*x)->type.ToString());
    }
    BExpr::Kind k = op == "AND" ? BExpr::kAnd : BExpr::kOr;
    std::vector<BExprPtr> args;
    for (const BExprPtr& x : {l, r}) {
      if (x->kind == k) args.insert(args.end(), x->args.begin(), x->args.end());
      else args.push_back(x);
    }
    return Fold(MakeNode(k, DataType::Boolean(), std::move(args)));
  }
  if (op == "=" || op == "<>" || op == "<" || op == "<=" || op == ">" || op == ">=")
    return BindCompare(op, l, r, e);
  if (op == "IS DISTINCT FROM" || op == "IS NOT DISTINCT FROM") return BindDistinctFrom(op, l, r, e);
  if (op == "||" && (l->type.is_list() || r->type.is_list())) {
    const ScalarFunction* cat = FindScalarFunction("LIST_CAT_OP");
    FunctionCall call("||", {l, r}, [&](int, const std::string& msg) { return Error(e, msg); });
    return cat->bind(call, *cat);
  }
  if (op == "||") {
    return CallFunction("CONCAT_NULL", DataType::String(),
                        {MakeCast(l, DataType::String()), MakeCast(r, DataType::String())});
  }
  return BindArith(op, l, r, e);
}

// The aggregate fn(x) (x bound) with its result type, in *spec.
Status Binder::TypeAggregate(const Expr& e, const std::string& fn, BExprPtr x, AggregateSpec* out) {
  AggregateSpec& spec = *out;
  if (IsUntypedNull(*x)) x = MakeLiteral(Value::Null(DataType::Int32()));
  spec.fn = fn;
  const DataType& t = x->type;
  // COUNT(CASE WHEN c THEN <non-NULL constant> END) counts the rows where c is TRUE: no CASE
  // column is built.
  if (fn == "COUNT" && !e.distinct && x->kind == BExpr::kCase && x->args.size() == 2 + (x->has_else ? 1 : 0) &&
      x->args[1]->kind == BExpr::kLiteral && !x->args[1]->value.null &&
      (!x->has_else || (x->args[2]->kind == BExpr::kLiteral && x->args[2]->value.null))) {
    spec.fn = "COUNT_IF";
    spec.type = DataType::Int64();
    spec.arg = x->args[0];
  } else if (fn == "COUNT" && !e.distinct && x->kind == BExpr::kColumn && !x->nullable) {
    // COUNT of a column that cannot be NULL (NOT NULL in its table, not from the NULL side of
    // an outer join) counts every row: COUNT(*), and the column is not read for it.
    spec.fn = "COUNT_STAR";
    spec.type = DataType::Int64();
  } else if (fn == "COUNT") {
    spec.type = DataType::Int64();
  } else if (fn == "SUM") {
    if (IsIntegral(t)) spec.type = DataType::Int64();
    else if (t.id == TypeId::kDecimal) spec.type = DataType::Decimal(kMaxDecimalPrecision, t.scale);
    else if (t.id == TypeId::kDouble) spec.type = t;
    else return Error(e, "SUM needs a number, not " + t.ToString());
  } else if (fn == "AVG" || fn.rfind("STDDEV", 0) == 0 || fn.rfind("VAR", 0) == 0) {
    if (!IsNumericType(t)) return Error(e, fn + " needs a number, not " + t.ToString());
    spec.type = DataType::Double();
  } else {  // MIN MAX FIRST ANY_VALUE
    spec.type = t;
  }
  if (spec.fn != "COUNT_IF" && spec.fn != "COUNT_STAR") spec.arg = x;
  return Status::OK();
}

Result<BExprPtr> Binder::BindAggregate(const Expr& e, const Scope& scope, AggContext* agg) {
  if (!agg) return Error(e, "aggregate function " + e.name + " is not allowed here");
  AggregateSpec spec;
  spec.distinct = e.distinct;
  const AggregateFunction* def = FindAggregateFunction(e.name);
  const AggregateExtras* extras = e.agg.get();
  if (extras && !extras->order.empty() && !extras->within_group && !def->ordered)
    return Error(e, e.name + " takes no ORDER BY");
  if (extras && extras->within_group && def->name != "QUANTILE_CONT" && def->name != "QUANTILE_DISC")
    return Error(e, "WITHIN GROUP is for PERCENTILE_CONT and PERCENTILE_DISC");
  if (def->bind) {
    // Arguments bound outside any aggregate; WITHIN GROUP's ORDER BY expression comes first.
    std::vector<const Expr*> arg_exprs;
    if (extras && extras->within_group) arg_exprs.push_back(extras->order[0].expr.get());
    for (const auto& a : e.args) {
      if (a->kind == Expr::kStar) return Error(*a, "* is not an argument of " + e.name);
      arg_exprs.push_back(a.get());
    }
    std::vector<BExprPtr> args;
    for (const Expr* a : arg_exprs) {
      if (ContainsAggregate(*a)) return Error(*a, "aggregate functions cannot be nested");
      WH_ASSIGN_OR_RETURN(BExprPtr b, BindExpr(*a, scope, nullptr));
      args.push_back(Fold(b));
    }
    FunctionCall call(e.name, std::move(args), [&](int arg, const std::string& msg) {
      const bool at_arg = arg >= 0 && static_cast<size_t>(arg) < arg_exprs.size();
      return Error(at_arg ? *arg_exprs[static_cast<size_t>(arg)] : e, msg);
    });
    spec.fn = def->name;
    WH_RETURN_IF_ERROR(def->bind(call, &spec));
    if (extras && extras->within_group && extras->order[0].desc && !spec.params.empty())
      spec.params.push_back(Value::Int(DataType::Boolean(), 1));  // the q-quantile of a descending order
    if (extras && !extras->within_group) {
      for (const auto& o : extras->order) {
        WH_ASSIGN_OR_RETURN(BExprPtr k, BindExpr(*o.expr, scope, nullptr));
        spec.more.push_back(Fold(k));
        SortKey key;
        key.desc = o.desc;
        key.nulls_first = o.nulls_first == 1;
        spec.order.push_back(key);
      }
    }
    if (spec.distinct && !spec.more.empty())
      return Error(e, "DISTINCT is not supported in " + e.name + " with a second argument or an ORDER BY");
  } else {
    WH_RETURN_IF_ERROR(BindBuiltinAggregate(e, scope, &spec));
  }
  if (extras && extras->filter) {
    if (ContainsAggregate(*extras->filter)) return Error(*extras->filter, "aggregate functions cannot be nested");
    WH_ASSIGN_OR_RETURN(BExprPtr f, BindExpr(*extras->filter, scope, nullptr));
    f = Fold(f);
    if (IsUntypedNull(*f)) f = MakeLiteral(Value::Null(DataType::Boolean()));
    if (f->type.id != TypeId::kBoolean) return Error(*extras->filter, "FILTER needs a BOOLEAN condition, not " + f->type.ToString());
    spec.filter = f;
  }
  // The same aggregate twice is computed once.
  auto key_of = [](const AggregateSpec& a) {
    std::string k = a.fn + (a.distinct ? " DISTINCT " : " ") + (a.arg ? a.arg->ToString() : "*");
    for (const auto& m : a.more) k += ", " + m->ToString();
    for (const auto& o : a.order) k += o.desc ? " d" : " a", k += o.nulls_first ? "f" : "l";
    for (const auto& p : a.params) k += " [" + p.ToSql() + "]";
    if (a.filter) k += " FILTER " + a.filter->ToString();
    return k;
  };
  const std::string key = key_of(spec);
  for (const auto& a : agg->aggs)
    if (key_of(a) == key) return MakeColumnRef(a.output_id, a.type, true);
  spec.output_id = NewId(Upper(e.name));
  agg->ids.insert(spec.output_id);
  agg->aggs.push_back(spec);
  return MakeColumnRef(spec.output_id, spec.type, true);
}

// COUNT, SUM, AVG, MIN, MAX, FIRST, ANY_VALUE, STDDEV_*, VAR_*: typed here (TypeAggregate).
Status Binder::BindBuiltinAggregate(const Expr& e, const Scope& scope, AggregateSpec* out) {
  AggregateSpec& spec = *out;
  std::string fn = e.name;
  if (fn == "MEAN") fn = "AVG";
  if (fn == "FIRST_VALUE") fn = "FIRST";
  if (fn == "ARBITRARY") fn = "ANY_VALUE";
  if (fn == "STDDEV") fn = "STDDEV_SAMP";
  if (fn == "VARIANCE") fn = "VAR_SAMP";
  if (fn == "COUNT" && (e.args.empty() || (e.args.size() == 1 && e.args[0]->kind == Expr::kStar))) {
    if (e.distinct) return Error(e, "COUNT(DISTINCT *) is not supported; name the columns");
    spec.fn = "COUNT_STAR";
    spec.type = DataType::Int64();
  } else {
    if (e.args.size() != 1) return Error(e, fn + " takes one argument");
    if (ContainsAggregate(*e.args[0])) return Error(*e.args[0], "aggregate functions cannot be nested");
    WH_ASSIGN_OR_RETURN(BExprPtr x, BindExpr(*e.args[0], scope, nullptr));
    WH_RETURN_IF_ERROR(TypeAggregate(e, fn, Fold(x), &spec));
  }
  return Status::OK();
}

Status Binder::CheckArity(const Expr& e, size_t n, size_t lo, size_t hi) const {
  if (n >= lo && n <= hi) return Status::OK();
  return Error(e, e.name + " takes " + (lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi)) +
                      " argument" + (hi == 1 ? "" : "s"));
}

Result<BExprPtr> Binder::BindWindow(const Expr& e, const Scope& scope, AggContext* agg) {
  if (!windows_) return Error(e, "window functions are only allowed in the select list and ORDER BY");
  if (in_window_) return Error(e, "window functions cannot be nested");
  struct Guard {
    bool* flag;
    ~Guard() { *flag = false; }
  } guard{&in_window_};
  in_window_ = true;
  // A named window: its partitioning, order and frame, then what this one adds (an ORDER BY or a
  // frame the named one lacks), as in standard SQL.
  const WindowDef& own = *e.over;
  const WindowDef* named = nullptr;
  if (!own.ref.empty()) {
    if (named_windows_)
      for (const auto& [n, def] : *named_windows_)
        if (n == own.ref) named = def.get();
    if (!named) return Error(own.pos, "no window named '" + own.ref + "' (define it with WINDOW " + own.ref + " AS (...))");
    if (!named->ref.empty()) return Error(own.pos, "a named window cannot refer to another one");
    if (!own.partition.empty()) return Error(own.pos, "a window that names another cannot add PARTITION BY");
    if (!own.order.empty() && !named->order.empty())
      return Error(own.pos, "window '" + own.ref + "' already has an ORDER BY");
  }
  struct {
    const std::vector<ExprPtr>& partition;
    const std::vector<OrderItem>& order;
    const WindowDef& frame;
  } w{named ? named->partition : own.partition, named && !named->order.empty() ? named->order : own.order,
      own.has_frame || !named ? own : *named};
  // Binds an expression of the window over the rows it sees (after GROUP BY, if any).
  auto bind = [&](const Expr& x) -> Result<BExprPtr> {
    WH_ASSIGN_OR_RETURN(BExprPtr b, BindExpr(x, scope, agg));
    b = Fold(b);
    if (windows_->lift) {
      WH_ASSIGN_OR_RETURN(b, (*windows_->lift)(b, x));
    }
    return b;
  };
  WindowSpec spec;
  for (const auto& p : w.partition) {
    WH_ASSIGN_OR_RETURN(BExprPtr b, bind(*p));
    spec.partition.push_back(b);
  }
  for (const auto& o : w.order) {
    SortKey k;
    WH_ASSIGN_OR_RETURN(k.expr, bind(*o.expr));
    k.desc = o.desc;
    k.nulls_first = o.nulls_first == 1;
    spec.order.push_back(k);
  }
  // The frame: as written; by default the rows up to the current row's last peer with ORDER
  // BY, the whole partition without.
  auto bound = [](const FrameBound& b) {
    switch (b.kind) {
      case FrameBound::kUnboundedPreceding: return WindowSpec::kUnboundedPreceding;
      case FrameBound::kPreceding: return -b.offset;
      case FrameBound::kCurrentRow: return int64_t{0};
      case FrameBound::kFollowing: return b.offset;
      case FrameBound::kUnboundedFollowing: return WindowSpec::kUnboundedFollowing;
    }
    return int64_t{0};
  };
  if (w.frame.has_frame) {
    spec.frame_start = bound(w.frame.start);
    spec.frame_end = bound(w.frame.end);
    spec.peers = !w.frame.rows;
    if (!w.frame.rows) {
      for (auto [b, out, fallback] : {std::tuple{&w.frame.start, &spec.range_start, &spec.frame_start},
                                      std::tuple{&w.frame.end, &spec.range_end, &spec.frame_end}}) {
        if (!b->value) continue;
        WH_RETURN_IF_ERROR(BindRangeOffset(*b, spec.order, w.frame.pos, out));
        *fallback = 0;
      }
    }
  } else if (!w.order.empty()) {
    spec.frame_end = 0;
    spec.peers = true;
  }
  const std::string& f = e.name;
  auto arity = [&](size_t lo, size_t hi) { return CheckArity(e, e.args.size(), lo, hi); };
  if (e.distinct && !FindAggregateFunction(e.name))
    return Error(e, "DISTINCT goes with an aggregate, not with " + e.name);
  if (f == "ROW_NUMBER" || f == "RANK" || f == "DENSE_RANK") {
    WH_RETURN_IF_ERROR(arity(0, 0));
    spec.fn = f;
    spec.type = DataType::Int64();
  } else if (f == "PERCENT_RANK" || f == "CUME_DIST") {
    WH_RETURN_IF_ERROR(arity(0, 0));
    spec.fn = f;
    spec.type = DataType::Double();
  } else if (f == "NTILE") {
    WH_RETURN_IF_ERROR(arity(1, 1));
    WH_ASSIGN_OR_RETURN(spec.offset, ConstantInt(*e.args[0], "the number of NTILE groups"));
    if (spec.offset < 1) return Error(*e.args[0], "NTILE needs a number of groups of at least 1");
    spec.fn = f;
    spec.type = DataType::Int64();
  } else if (f == "NTH_VALUE") {
    WH_RETURN_IF_ERROR(arity(2, 2));
    WH_ASSIGN_OR_RETURN(BExprPtr x, bind(*e.args[0]));
    if (IsUntypedNull(*x)) x = MakeLiteral(Value::Null(DataType::Int32()));
    WH_ASSIGN_OR_RETURN(spec.offset, ConstantInt(*e.args[1], "the row number of NTH_VALUE"));
    if (spec.offset < 1) return Error(*e.args[1], "NTH_VALUE counts rows from 1");
    spec.fn = f;
    spec.args = {x};
    spec.type = x->type;
  } else if (f == "LAG" || f == "LEAD") {
    WH_RETURN_IF_ERROR(arity(1, 3));
    if (w.order.empty()) return Error(e, f + " needs ORDER BY in its window");
    WH_ASSIGN_OR_RETURN(BExprPtr x, bind(*e.args[0]));
    if (e.args.size() >= 2) {
      WH_ASSIGN_OR_RETURN(spec.offset, ConstantInt(*e.args[1], "the offset of LAG/LEAD"));
    }
    BExprPtr def;
    if (e.args.size() == 3) {
      WH_ASSIGN_OR_RETURN(def, bind(*e.args[2]));
    }
    if (!def || IsUntypedNull(*def)) {
      def = MakeLiteral(Value::Null(IsUntypedNull(*x) ? DataType::Int32() : x->type));
    } else {
      std::vector<BExprPtr> both = {x, def};
      auto common = UnifiedType(both);
      if (!common.ok()) return Error(e, f + ": " + common.status().message());
      auto cx = Coerce(x, *common);
      if (!cx.ok()) return Error(e, f + ": " + cx.status().message());
      auto cd = Coerce(def, *common);
      if (!cd.ok()) return Error(e, f + ": " + cd.status().message());
      x = *cx;
      def = *cd;
    }
    if (IsUntypedNull(*x)) x = MakeLiteral(Value::Null(def->type));
    spec.fn = f;
    spec.args = {x, def};
    spec.type = x->type;
  } else if (f == "FIRST_VALUE" || f == "LAST_VALUE") {
    WH_RETURN_IF_ERROR(arity(1, 1));
    WH_ASSIGN_OR_RETURN(BExprPtr x, bind(*e.args[0]));
    if (IsUntypedNull(*x)) x = MakeLiteral(Value::Null(DataType::Int32()));
    spec.fn = f;
    spec.args = {x};
    spec.type = x->type;
  } else if (const AggregateFunction* def = FindAggregateFunction(f)) {
    std::string fn = f == "MEAN" ? "AVG" : f == "STDDEV" ? "STDDEV_SAMP" : f == "VARIANCE" ? "VAR_SAMP" : f;
    spec.fn = "AGGREGATE";
    if (e.agg) return Error(e, "FILTER and ORDER BY inside an aggregate are not supported in a window function");
    if (def->bind) {
      std::vector<BExprPtr> args;
      for (const auto& a : e.args) {
        WH_ASSIGN_OR_RETURN(BExprPtr x, bind(*a));
        args.push_back(x);
      }
      FunctionCall call(f, std::move(args), [&](int, const std::string& msg) { return Error(e, msg); });
      spec.agg.fn = def->name;
      WH_RETURN_IF_ERROR(def->bind(call, &spec.agg));
    } else if (fn == "COUNT" && (e.args.empty() || (e.args.size() == 1 && e.args[0]->kind == Expr::kStar))) {
      spec.agg.fn = "COUNT_STAR";
      spec.agg.type = DataType::Int64();
    } else {
      WH_RETURN_IF_ERROR(arity(1, 1));
      WH_ASSIGN_OR_RETURN(BExprPtr x, bind(*e.args[0]));
      WH_RETURN_IF_ERROR(TypeAggregate(e, fn, x, &spec.agg));
    }
    if (e.distinct) {
      if (!spec.agg.arg) return Error(e, "COUNT(DISTINCT *) has no meaning; COUNT(DISTINCT x) counts values");
      spec.agg.distinct = true;  // computed by frames of its GROUP BY state, which keeps the values seen
    }
    spec.type = spec.agg.type;
  } else {
    return Error(e, "unknown window function " + f +
                        " (expected ROW_NUMBER, RANK, DENSE_RANK, PERCENT_RANK, CUME_DIST, NTILE, LAG, LEAD, "
                        "FIRST_VALUE, LAST_VALUE, NTH_VALUE, or an aggregate: SHOW FUNCTIONS lists them)");
  }
  spec.output_id = NewId(Upper(f));
  spec.agg.output_id = spec.output_id;
  windows_->ids.insert(spec.output_id);
  windows_->specs.push_back(spec);
  const bool nullable = !(f == "ROW_NUMBER" || f == "RANK" || f == "DENSE_RANK" || f == "PERCENT_RANK" ||
                          f == "CUME_DIST" || f == "NTILE" || spec.agg.fn == "COUNT_STAR" ||
                          spec.agg.fn == "COUNT" || spec.agg.fn == "COUNT_IF");
  return MakeColumnRef(spec.output_id, spec.type, nullable);
}

Result<BExprPtr> Binder::BindSubquery(const Expr& e, const Scope& scope, AggContext* agg) {
  BExprPtr x;
  if (e.kind == Expr::kIn) {
    WH_ASSIGN_OR_RETURN(x, BindExpr(*e.args[0], scope, agg));
  }
  SubqueryFrame frame{&scope, {}};
  auto plan = BindInFrame(&frame, [&] { return BindQuery(*e.subquery); });
  if (!plan.ok()) return plan.status();
  auto info = std::make_shared<SubqueryInfo>();
  info->plan = *plan;
  info->correlated.assign(frame.correlated.begin(), frame.correlated.end());
  info->pos = e.subquery->pos;
  const size_t ncols = info->plan->out.size();
  if (e.kind != Expr::kExists && ncols != 1)
    return Error(e.subquery->pos, std::string(e.kind == Expr::kIn ? "the subquery of IN" : "a subquery used as a value") +
                                      " must return one column; this one returns " + std::to_string(ncols));
  DataType type = DataType::Boolean();
  std::vector<BExprPtr> args;
  if (e.kind == Expr::kExists) {
    info->kind = SubqueryInfo::kExists;
  } else if (e.kind == Expr::kSubquery) {
    info->kind = SubqueryInfo::kScalar;
    type = info->plan->out[0].type;
  } else {
    info->kind = SubqueryInfo::kIn;
    const DataType y = info->plan->out[0].type;
    DataType t = y;
    if (!IsUntypedNull(*x)) {
      auto u = UnifyTypes(*x, *MakeLiteral(Value::Null(y)));
      if (!u.ok()) return Error(e, "IN compares " + x->type.ToString() + " with the subquery's " + y.ToString());
      t = *u;
    }
    auto cx = Coerce(x, t);
    if (!cx.ok()) return Error(e, cx.status().message());
    if (!CanCast(y, t)) return Error(e, "IN compares " + t.ToString() + " with the subquery's " + y.ToString());
    info->key_type = t;
    args.push_back(*cx);
  }
  auto n = MakeNode(BExpr::kSubquery, type, std::move(args));
  n->op = e.kind == Expr::kExists ? "EXISTS" : e.kind == Expr::kIn ? "IN" : "SCALAR";
  n->negated = e.kind == Expr::kIn && e.negated;
  n->nullable = true;
  n->subquery = info;
  return BExprPtr(n);
}

Result<BExprPtr> Binder::PlanValueSubqueries(const BExprPtr& e, PlanPtr* plan, const std::map<int, int>& remap) {
  if (!HasSubquery(*e)) return e;
  auto c = std::make_shared<BExpr>(*e);
  for (auto& a : c->args) {
    WH_ASSIGN_OR_RETURN(a, PlanValueSubqueries(a, plan, remap));
  }
  if (c->kind != BExpr::kSubquery) return BExprPtr(c);
  auto r = JoinSubquery(*c, c->negated, SubqueryUse::kValue, plan, [this](const std::string& n) { return NewId(n); },
                        remap);
  if (!r.ok()) return Error(c->subquery->pos, r.status().message());
  return *r;
}

Result<BExprPtr> Binder::PlanFilterSubqueries(const BExprPtr& pred, PlanPtr* plan, const std::map<int, int>& remap) {
  if (!HasSubquery(*pred)) return pred;
  std::vector<BExprPtr> conj, rest;
  SplitConjuncts(pred, &conj);
  for (const auto& c : conj) {
    const BExpr* s = c.get();
    bool negated = false;
    if (s->kind == BExpr::kNot && s->args[0]->kind == BExpr::kSubquery) {
      s = s->args[0].get();
      negated = true;
    }
    if (s->kind == BExpr::kSubquery && s->subquery->kind != SubqueryInfo::kScalar) {
      BExprPtr x;
      if (!s->args.empty()) {
        WH_ASSIGN_OR_RETURN(x, PlanValueSubqueries(s->args[0], plan, remap));
      }
      auto node = std::make_shared<BExpr>(*s);
      if (x) node->args[0] = x;
      auto r = JoinSubquery(*node, negated != s->negated, SubqueryUse::kFilter, plan,
                            [this](const std::string& n) { return NewId(n); }, remap);
      if (!r.ok()) return Error(s->subquery->pos, r.status().message());
      const BExpr& kept = **r;  // TRUE when the join filters; else a condition still to test
      if (!(kept.kind == BExpr::kLiteral && !kept.value.null && kept.value.i != 0)) rest.push_back(*r);
      continue;
    }
    WH_ASSIGN_OR_RETURN(BExprPtr v, PlanValueSubqueries(c, plan, remap));
    rest.push_back(v);
  }
  if (rest.empty()) return MakeLiteral(Value::Int(DataType::Boolean(), 1));
  return MakeAnd(rest);
}

Result<BExprPtr> Binder::BindFunction(const Expr& e, const Scope& scope, AggContext* agg) {
  const std::string& f = e.name;
  if (e.over || IsAggregateName(f)) {  // no UNNEST inside: it comes after both
    UnnestContext* unnests = unnests_;
    unnests_ = nullptr;
    auto bound = e.over ? BindWindow(e, scope, agg) : BindAggregate(e, scope, agg);
    unnests_ = unnests;
    return bound;
  }
  if (f == "GROUPING" || f == "GROUPING_ID") {
    // Which of its arguments the row's grouping set leaves out (1 bits; the first argument
    // the most significant): a constant of each set, made when the sets are planned.
    if (!agg || !agg->group_keys || agg->group_keys->empty())
      return Error(e, f + " is only allowed in a query with GROUP BY");
    if (e.args.empty() || e.args.size() > 62) return Error(e, f + " takes 1 to 62 arguments");
    std::vector<size_t> positions;
    for (const auto& x : e.args) {
      WH_ASSIGN_OR_RETURN(BExprPtr b, BindExpr(*x, scope, nullptr));
      const std::string key = Fold(b)->ToString();
      auto it = std::find(agg->group_keys->begin(), agg->group_keys->end(), key);
      if (it == agg->group_keys->end()) return Error(*x, f + "'s arguments must be GROUP BY expressions");
      positions.push_back(static_cast<size_t>(it - agg->group_keys->begin()));
    }
    const int id = NewId(f);
    agg->ids.insert(id);
    agg->groupings.emplace_back(positions, id);
    return MakeColumnRef(id, DataType::Int64(), false);
  }
  if (f == "UNNEST" || f == "EXPLODE") {
    if (!unnests_)
      return Error(e, f + " is allowed in the select list (not inside an aggregate, a window function or a "
                          "subquery), or in FROM: FROM t, unnest(t.tags) AS u(tag)");
    if (e.args.size() != 1 || e.args[0]->kind == Expr::kStar) return Error(e, f + " takes one list");
    UnnestContext* unnests = unnests_;
    unnests_ = nullptr;  // not inside its own argument
    auto bound = BindExpr(*e.args[0], scope, agg);
    unnests_ = unnests;
    if (!bound.ok()) return bound.status();
    BExprPtr x = Fold(*bound);
    if (IsUntypedNull(*x)) x = MakeLiteral(Value::Null(DataType::List(DataType::Int32())));
    if (!x->type.is_list()) return Error(*e.args[0], f + " takes a list, not " + x->type.ToString());
    const int id = NewId(ToLower(f));
    unnests->lists.push_back(x);
    unnests->ids.push_back(id);
    unnests->at.push_back(&e);
    return MakeColumnRef(id, x->type.element(), true);
  }
  const ScalarFunction* fn = FindScalarFunction(f);
  if (fn && fn->hidden) fn = nullptr;  // an operator's implementation, not callable by name
  if (!fn) {
    return Error(e, "unknown function " + f + "()" + DidYouMean(NearestFunctionNames(f), "()"));
  }
  if (e.distinct) return Error(e, "DISTINCT is only allowed in aggregate functions");
  std::vector<BExprPtr> a;
  for (const auto& x : e.args) {
    if (x->kind == Expr::kStar) return Error(*x, "* is not an argument of " + f);
    WH_ASSIGN_OR_RETURN(BExprPtr b, BindExpr(*x, scope, agg));
    a.push_back(b);
  }
  FunctionCall call(f, std::move(a), [&](int arg, const std::string& msg) {
    const bool at_arg = arg >= 0 && static_cast<size_t>(arg) < e.args.size();
    return Error(at_arg ? *e.args[static_cast<size_t>(arg)] : e, msg);
  });
  return fn->bind(call, *fn);
}

}  // namespace wh
