#include "query/subquery.h"

#include <set>

#include "query/binder.h"
#include "query/function/aggregate_catalog.h"

namespace wh {

namespace {

bool RefersTo(const BExpr& e, const std::set<int>& ids) {
  std::vector<int> cols;
  CollectColumns(e, &cols);
  for (int c : cols)
    if (ids.count(c)) return true;
  if (e.kind == BExpr::kSubquery)
    for (int c : e.subquery->correlated)
      if (ids.count(c)) return true;
  return false;
}

bool OnlyRefersTo(const BExpr& e, const std::set<int>& ids) {
  std::vector<int> cols;
  CollectColumns(e, &cols);
  for (int c : cols)
    if (!ids.count(c)) return false;
  return true;
}

// True when an expression anywhere in the plan refers to one of `ids`.
bool PlanRefersTo(const PlanNode& n, const std::set<int>& ids) {
  auto any = [&](const BExprPtr& e) { return e && RefersTo(*e, ids); };
  if (any(n.predicate) || any(n.residual)) return true;
  for (const auto& v : {&n.exprs, &n.groups, &n.left_keys, &n.right_keys, &n.filters})
    for (const auto& e : *v)
      if (any(e)) return true;
  for (const auto& a : n.aggregates)
    for (const BExprPtr* e : a.Exprs())
      if (any(*e)) return true;
  for (const auto& k : n.sort_keys)
    if (any(k.expr)) return true;
  for (const auto& w : n.windows) {
    for (const auto& e : w.args)
      if (any(e)) return true;
    for (const auto& e : w.partition)
      if (any(e)) return true;
    for (const auto& k : w.order)
      if (any(k.expr)) return true;
    if (any(w.agg.arg)) return true;
    for (const auto& m : w.agg.more)
      if (any(m)) return true;
  }
  for (const auto& c : n.children)
    if (PlanRefersTo(*c, ids)) return true;
  return false;
}

// A condition of the subquery that refers to the outer query, pulled up: an equality
// inner = outer (inner over the subquery's columns at the current level), or any other
// condition (residual) over both.
struct Pulled {
  BExprPtr inner, outer, residual;
};

struct Decorrelation {
  std::set<int> outer;  // the outer query's column ids the subquery refers to
  const NewIdFn* new_id = nullptr;
  std::vector<Pulled> pulled;
  // Values of output columns of an aggregate without GROUP BY over no rows (COUNT: 0), where a
  // correlated GROUP BY would give no row at all.
  std::map<int, BExprPtr> empty_values;
  // The subquery has an aggregate without GROUP BY: exactly one row for every outer row.
  bool single_row = false;
};

Status Unsupported(const std::string& what) {
  return Status::InvalidArgument("this correlated subquery is not supported: " + what +
                                 " (rewrite it as a JOIN, or correlate only in its WHERE)");
}

// The subquery plan `node` without its conditions on the outer query (collected in d), and
// with the inner columns those conditions read among its outputs.
Result<PlanPtr> Pull(const PlanPtr& node, Decorrelation* d) {
  if (!PlanRefersTo(*node, d->outer)) return node;
  auto copy = std::make_shared<PlanNode>(*node);
  switch (node->kind) {
    case PlanNode::kFilter: {
      if (PlanRefersTo(*node->children[0], d->outer))
        return Unsupported("it refers to the outer query below its WHERE (in a join or a subquery of its FROM)");
      std::vector<BExprPtr> conj, kept;
      SplitConjuncts(node->predicate, &conj);
      for (const auto& c : conj) {
        if (!RefersTo(*c, d->outer)) {
          kept.push_back(c);
          continue;
        }
        if (c->kind == BExpr::kSubquery) return Unsupported("a subquery inside it refers to the outer query");
        Pulled p;
        if (c->kind == BExpr::kCompare && c->op == "=") {
          for (int side = 0; side < 2 && !p.inner; ++side) {
            const BExprPtr& a = c->args[side];
            const BExprPtr& b = c->args[1 - side];
            if (OnlyRefersTo(*b, d->outer) && !RefersTo(*a, d->outer)) {
              p.inner = a;
              p.outer = b;
            }
          }
        }
        if (!p.inner) p.residual = c;
        d->pulled.push_back(p);
      }
      if (kept.empty()) return node->children[0];
      copy->predicate = MakeAnd(kept);
      return PlanPtr(copy);
    }
    case PlanNode::kProject: {
      for (const auto& e : node->exprs)
        if (RefersTo(*e, d->outer))
          return Unsupported("it refers to the outer query in its select list or ORDER BY (only its WHERE may)");
      const size_t before = d->pulled.size();
      WH_ASSIGN_OR_RETURN(copy->children[0], Pull(node->children[0], d));
      // The inner columns the pulled conditions read are passed through.
      std::map<int, BExprPtr> map;
      for (size_t i = before; i < d->pulled.size(); ++i) {
        Pulled& p = d->pulled[i];
        std::vector<int> cols;
        if (p.inner) CollectColumns(*p.inner, &cols);
        if (p.residual) CollectColumns(*p.residual, &cols);
        for (int id : cols) {
          if (d->outer.count(id) || map.count(id)) continue;
          const PlanColumn* src = nullptr;
          for (const auto& c : copy->children[0]->out)
            if (c.id == id) src = &c;
          if (!src) return Status::Internal("a correlated condition's column is not below it");
          PlanColumn o = *src;
          o.id = (*d->new_id)(src->name);
          o.hidden = true;
          copy->exprs.push_back(MakeColumnRef(src->id, src->type, src->nullable));
          copy->out.push_back(o);
          map[id] = MakeColumnRef(o.id, o.type, o.nullable);
        }
      }
      for (size_t i = before; i < d->pulled.size(); ++i) {
        Pulled& p = d->pulled[i];
        if (p.inner) p.inner = Substitute(p.inner, map);
        if (p.residual) p.residual = Substitute(p.residual, map);
      }
      // Empty values pass through plain column references.
      for (size_t i = 0; i < copy->exprs.size() && i < node->out.size(); ++i) {
        const BExpr& e = *copy->exprs[i];
        if (e.kind == BExpr::kColumn && d->empty_values.count(e.column))
          d->empty_values[node->out[i].id] = d->empty_values[e.column];
      }
      // Over an aggregate without GROUP BY: each output's value for no rows.
      const PlanNode& child = *copy->children[0];
      if (child.kind == PlanNode::kAggregate && node->children[0]->groups.empty()) {
        std::map<int, BExprPtr> zero;
        for (const auto& a : child.aggregates) {
          const AggregateFunction* def = FindAggregateFunction(a.fn);
          const bool count = def && def->zero_on_empty;
          zero[a.output_id] = MakeLiteral(count ? Value::Int(a.type, 0) : Value::Null(a.type));
        }
        for (size_t i = 0; i < node->exprs.size(); ++i) {
          BExprPtr v = Fold(Substitute(node->exprs[i], zero));
          if (v->kind == BExpr::kLiteral && !v->value.null) d->empty_values[node->out[i].id] = v;
        }
      }
      return PlanPtr(copy);
    }
    case PlanNode::kSort: {
      WH_ASSIGN_OR_RETURN(copy->children[0], Pull(node->children[0], d));
      copy->out = copy->children[0]->out;
      return PlanPtr(copy);
    }
    case PlanNode::kAggregate: {
      for (const auto& g : node->groups)
        if (RefersTo(*g, d->outer)) return Unsupported("its GROUP BY refers to the outer query");
      for (const auto& a : node->aggregates)
        for (const BExprPtr* e : a.Exprs())
          if (*e && RefersTo(**e, d->outer)) return Unsupported("an aggregate of it reads the outer query");
      const size_t before = d->pulled.size();
      WH_ASSIGN_OR_RETURN(copy->children[0], Pull(node->children[0], d));
      if (node->groups.empty() && d->pulled.size() > before) d->single_row = true;
      // A DISTINCT (an aggregate of its input's columns) passes their values for no rows on.
      for (size_t i = 0; i < node->groups.size(); ++i) {
        const BExpr& g = *node->groups[i];
        if (g.kind == BExpr::kColumn && d->empty_values.count(g.column))
          d->empty_values[node->out[i].id] = d->empty_values[g.column];
      }
      // Grouped by the inner side of each equality too: one group per outer key.
      for (size_t i = before; i < d->pulled.size(); ++i) {
        Pulled& p = d->pulled[i];
        if (p.residual)
          return Unsupported("a condition other than = on the outer query under an aggregate");
        PlanColumn c;
        c.id = (*d->new_id)("correlated key");
        c.name = "correlated key";
        c.type = p.inner->type;
        c.nullable = p.inner->nullable;
        c.hidden = true;
        copy->groups.push_back(p.inner);
        copy->out.insert(copy->out.begin() + static_cast<std::ptrdiff_t>(copy->groups.size() - 1), c);
        copy->order_group = -1;
        p.inner = MakeColumnRef(c.id, c.type, c.nullable);
      }
      return PlanPtr(copy);
    }
    case PlanNode::kLimit: {
      // The first rows per outer row (ORDER BY ... LIMIT n inside a correlated subquery, the
      // top-n-per-group of LATERAL): ROW_NUMBER over the inner side of each equality, in the
      // sort's order, keeps rows offset + 1 .. offset + n of each outer key.
      const size_t before = d->pulled.size();
      const PlanNode& below = *node->children[0];
      const bool sorted = below.kind == PlanNode::kSort;
      WH_ASSIGN_OR_RETURN(PlanPtr input, Pull(sorted ? below.children[0] : node->children[0], d));
      if (d->single_row) return Unsupported("LIMIT over an aggregate without GROUP BY");
      WindowSpec w;
      w.fn = "ROW_NUMBER";
      w.type = DataType::Int64();
      for (size_t i = before; i < d->pulled.size(); ++i) {
        if (d->pulled[i].residual)
          return Unsupported("LIMIT with a condition other than = on the outer query");
        w.partition.push_back(d->pulled[i].inner);
      }
      if (sorted) w.order = below.sort_keys;
      PlanColumn rn;
      rn.name = "row_number";
      rn.id = (*d->new_id)(rn.name);
      rn.type = DataType::Int64();
      rn.nullable = false;
      rn.hidden = true;
      w.output_id = rn.id;
      auto win = std::make_shared<PlanNode>();
      win->kind = PlanNode::kWindow;
      win->children = {input};
      win->windows = {w};
      win->out = input->out;
      win->out.push_back(rn);
      BExprPtr r = MakeColumnRef(rn.id, rn.type, false);
      std::vector<BExprPtr> keep;
      auto bound = [&](const char* op, int64_t v) -> Status {
        WH_ASSIGN_OR_RETURN(BExprPtr c, CompareExpr(op, r, MakeLiteral(Value::Int(DataType::Int64(), v))));
        keep.push_back(c);
        return Status::OK();
      };
      if (node->offset > 0) WH_RETURN_IF_ERROR(bound(">", node->offset));
      if (node->limit >= 0) WH_RETURN_IF_ERROR(bound("<=", node->offset + node->limit));
      auto filter = std::make_shared<PlanNode>();
      filter->kind = PlanNode::kFilter;
      filter->children = {win};
      filter->predicate = keep.empty() ? MakeLiteral(Value::Int(DataType::Boolean(), 1)) : MakeAnd(keep);
      filter->out = win->out;
      auto proj = std::make_shared<PlanNode>();
      proj->kind = PlanNode::kProject;
      proj->children = {filter};
      for (const auto& c : input->out) {
        proj->exprs.push_back(MakeColumnRef(c.id, c.type, c.nullable));
        proj->out.push_back(c);
      }
      return PlanPtr(proj);
    }
    case PlanNode::kWindow: return Unsupported("a window function");
    case PlanNode::kUnnest: return Unsupported("UNNEST");
    default: return Unsupported("it refers to the outer query inside a join, UNION or subquery of its FROM");
  }
}

// e with the outer query's ids mapped by `remap` (ids of `outer` stay).
Result<BExprPtr> RemapOuter(const BExprPtr& e, const std::set<int>& outer_ids, const std::map<int, int>& remap,
                            const PlanNode& outer) {
  std::vector<int> cols;
  CollectColumns(*e, &cols);
  std::map<int, BExprPtr> map;
  for (int id : cols) {
    if (!outer_ids.count(id)) continue;
    auto it = remap.find(id);
    const int to = it == remap.end() ? id : it->second;
    const PlanColumn* c = nullptr;
    for (const auto& o : outer.out)
      if (o.id == to) c = &o;
    if (!c)
      return Status::InvalidArgument(
          "a subquery refers to an outer column that is not available there (after GROUP BY, only grouped "
          "columns are)");
    map[id] = MakeColumnRef(c->id, c->type, c->nullable);
  }
  return Substitute(e, map);
}

}  // namespace

Result<PlanPtr> JoinLateral(PlanPtr left, PlanPtr sub, const std::set<int>& correlated, bool left_join,
                            BExprPtr on, const NewIdFn& new_id) {
  Decorrelation d;
  d.outer = correlated;
  d.new_id = &new_id;
  const std::vector<PlanColumn> visible = sub->out;
  WH_ASSIGN_OR_RETURN(sub, Pull(sub, &d));
  if (PlanRefersTo(*sub, d.outer)) return Unsupported("it refers to the query before it outside its WHERE");
  auto j = std::make_shared<PlanNode>();
  j->kind = PlanNode::kJoin;
  j->children = {left, sub};
  // An aggregate without GROUP BY has a row for every left row, also for those with no group.
  j->join_type = left_join || d.single_row ? PlanNode::kLeft : PlanNode::kInner;
  std::vector<BExprPtr> residual;
  for (auto& p : d.pulled) {
    if (p.residual) {
      residual.push_back(p.residual);
      continue;
    }
    auto t = CommonType(p.outer->type, p.inner->type);
    if (!t) return Status::InvalidArgument("LATERAL compares " + p.inner->type.ToString() + " with " + p.outer->type.ToString());
    j->left_keys.push_back(p.outer->type == *t ? p.outer : MakeCast(p.outer, *t));
    j->right_keys.push_back(p.inner->type == *t ? p.inner : MakeCast(p.inner, *t));
  }
  // ON is a condition of the pairs; over an aggregate without GROUP BY it must see the
  // aggregate of no rows (COUNT 0) of a left row without a group, so it comes after that.
  const bool on_after = on && d.single_row;
  if (on && !on_after && j->join_type == PlanNode::kLeft) residual.push_back(on);
  if (!residual.empty()) j->residual = MakeAnd(residual);
  std::set<int> shown;
  for (const auto& c : visible) shown.insert(c.id);
  for (const auto& c : left->out) j->out.push_back(c);
  for (auto c : sub->out) {
    if (!shown.count(c.id)) c.hidden = true;  // a key Pull passed up
    c.nullable = c.nullable || j->join_type == PlanNode::kLeft;
    j->out.push_back(c);
  }
  PlanPtr plan = j;
  if (on && !on_after && j->join_type == PlanNode::kInner) {
    auto f = std::make_shared<PlanNode>();
    f->kind = PlanNode::kFilter;
    f->children = {plan};
    f->predicate = on;
    f->out = plan->out;
    plan = f;
  }
  std::map<int, BExprPtr> fixed;  // the ids the aggregate-of-no-rows projection replaced
  if (d.single_row && !d.empty_values.empty() && !j->right_keys.empty()) {
    // No group for a left row: the aggregate of no rows (COUNT is 0, not NULL); same ids.
    auto proj = std::make_shared<PlanNode>();
    proj->kind = PlanNode::kProject;
    proj->children = {plan};
    auto missing = MakeNode(BExpr::kIsNull, DataType::Boolean(), {j->right_keys[0]});
    for (auto c : plan->out) {
      BExprPtr e = MakeColumnRef(c.id, c.type, c.nullable);
      auto it = d.empty_values.find(c.id);
      if (it != d.empty_values.end()) {
        auto k = MakeNode(BExpr::kCase, c.type, {missing, it->second, e});
        k->has_else = true;
        k->nullable = true;
        e = k;
        const int old_id = c.id;
        c.id = new_id(c.name);
        fixed[old_id] = MakeColumnRef(c.id, c.type, true);
      }
      proj->exprs.push_back(e);
      proj->out.push_back(c);
    }
    plan = proj;
  }
  if (on_after) {
    const BExprPtr cond = Substitute(on, fixed);
    if (!left_join) {  // JOIN ... ON: the rows where it holds
      auto f = std::make_shared<PlanNode>();
      f->kind = PlanNode::kFilter;
      f->children = {plan};
      f->predicate = cond;
      f->out = plan->out;
      return PlanPtr(f);
    }
    // LEFT JOIN ... ON: a left row whose aggregate row fails it keeps NULLs on the right.
    std::set<int> left_ids;
    for (const auto& c : left->out) left_ids.insert(c.id);
    auto p = std::make_shared<PlanNode>();
    p->kind = PlanNode::kProject;
    p->children = {plan};
    for (auto c : plan->out) {
      BExprPtr e = MakeColumnRef(c.id, c.type, c.nullable);
      if (!left_ids.count(c.id)) {
        auto k = MakeNode(BExpr::kCase, c.type, {cond, e, MakeLiteral(Value::Null(c.type))});
        k->has_else = true;
        k->nullable = true;
        e = k;
        c.id = new_id(c.name);
        c.nullable = true;
      }
      p->exprs.push_back(e);
      p->out.push_back(c);
    }
    return PlanPtr(p);
  }
  return plan;
}

bool HasSubquery(const BExpr& e) {
  if (e.kind == BExpr::kSubquery) return true;
  for (const auto& a : e.args)
    if (HasSubquery(*a)) return true;
  return false;
}

Result<BExprPtr> JoinSubquery(const BExpr& e, bool negated, SubqueryUse use, PlanPtr* outer,
                              const NewIdFn& new_id, const std::map<int, int>& remap) {
  const SubqueryInfo& info = *e.subquery;
  Decorrelation d;
  d.outer.insert(info.correlated.begin(), info.correlated.end());
  d.new_id = &new_id;
  PlanPtr sub = info.plan;
  if (!d.outer.empty()) {
    WH_ASSIGN_OR_RETURN(sub, Pull(sub, &d));
    if (PlanRefersTo(*sub, d.outer)) return Unsupported("it refers to the outer query outside its WHERE");
  }
  // An aggregate without GROUP BY has one row for every outer row: EXISTS is TRUE without
  // looking, and IN compares with that one value (its value over no rows where the outer row
  // has none: COUNT's 0), as `x = (SELECT ...)`.
  if (d.single_row && info.kind == SubqueryInfo::kExists)
    return MakeLiteral(Value::Int(DataType::Boolean(), negated ? 0 : 1));
  const bool in_as_scalar = d.single_row && info.kind == SubqueryInfo::kIn;
  auto j = std::make_shared<PlanNode>();
  j->kind = PlanNode::kJoin;
  j->children = {*outer, sub};
  std::vector<BExprPtr> residual;
  for (auto& p : d.pulled) {
    if (p.residual) {
      WH_ASSIGN_OR_RETURN(BExprPtr r, RemapOuter(p.residual, d.outer, remap, **outer));
      residual.push_back(r);
      continue;
    }
    WH_ASSIGN_OR_RETURN(BExprPtr o, RemapOuter(p.outer, d.outer, remap, **outer));
    auto t = CommonType(o->type, p.inner->type);
    if (!t) return Status::InvalidArgument("a subquery compares " + p.inner->type.ToString() + " with " + o->type.ToString());
    j->left_keys.push_back(o->type == *t ? o : MakeCast(o, *t));
    j->right_keys.push_back(p.inner->type == *t ? p.inner : MakeCast(p.inner, *t));
  }
  if (!residual.empty()) j->residual = MakeAnd(residual);
  const PlanColumn& value = info.plan->out[0];
  for (const auto& c : (*outer)->out) j->out.push_back(c);
  BExprPtr result = MakeLiteral(Value::Int(DataType::Boolean(), 1));
  auto mark = [&](bool nullable) {
    j->join_type = PlanNode::kMark;
    PlanColumn m;
    m.name = info.kind == SubqueryInfo::kExists ? "exists" : "in";
    m.id = new_id(m.name);
    m.type = DataType::Boolean();
    m.nullable = nullable;
    m.hidden = true;
    j->out.push_back(m);
    BExprPtr r = MakeColumnRef(m.id, m.type, m.nullable);
    return negated ? MakeNode(BExpr::kNot, DataType::Boolean(), {r}) : r;
  };
  switch (in_as_scalar ? SubqueryInfo::kScalar : info.kind) {
    case SubqueryInfo::kScalar: {
      j->join_type = PlanNode::kLeft;
      j->single_match = true;
      for (auto c : sub->out) {
        c.nullable = true;
        c.hidden = true;
        j->out.push_back(c);
      }
      result = MakeColumnRef(value.id, value.type, true);
      auto it = d.empty_values.find(value.id);
      if (it != d.empty_values.end() && !j->right_keys.empty()) {
        // No group for this outer row: the aggregate of no rows (COUNT(*) is 0, not NULL).
        auto missing = MakeNode(BExpr::kIsNull, DataType::Boolean(), {j->right_keys[0]});
        auto c = MakeNode(BExpr::kCase, value.type, {missing, it->second, result});
        c->has_else = true;
        c->nullable = true;
        result = c;
      }
      if (in_as_scalar) {
        BExprPtr y = result->type == info.key_type ? result : MakeCast(result, info.key_type);
        WH_ASSIGN_OR_RETURN(result, CompareExpr("=", e.args[0], y));
        if (negated) result = MakeNode(BExpr::kNot, DataType::Boolean(), {result});
      }
      break;
    }
    case SubqueryInfo::kExists:
      if (use == SubqueryUse::kFilter) j->join_type = negated ? PlanNode::kAnti : PlanNode::kSemi;
      else result = mark(false);
      break;
    case SubqueryInfo::kIn: {
      BExprPtr y = MakeColumnRef(value.id, value.type, value.nullable);
      if (!(y->type == info.key_type)) y = MakeCast(y, info.key_type);
      j->left_keys.push_back(e.args[0]);
      j->right_keys.push_back(y);
      if (use == SubqueryUse::kFilter && !negated) {
        j->join_type = PlanNode::kSemi;
        break;
      }
      if (j->residual)
        return Unsupported("NOT IN (or IN used as a value) with a condition other than = on the outer query; "
                           "use NOT EXISTS");
      j->null_aware = true;
      if (use == SubqueryUse::kFilter) j->join_type = PlanNode::kAnti;
      else result = mark(true);
      break;
    }
  }
  *outer = j;
  return result;
}

}  // namespace wh
