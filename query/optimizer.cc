#include "query/optimizer.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "query/binder.h"
#include "query/function/aggregate_catalog.h"
#include "query/pruning.h"

namespace wh {

namespace {

// A join that outputs the left side's columns only (and a mark): a subquery's.
bool KeepsLeftOnly(PlanNode::JoinType t) {
  return t == PlanNode::kSemi || t == PlanNode::kAnti || t == PlanNode::kMark;
}

std::set<int> Ids(const std::vector<PlanColumn>& cols) {
  std::set<int> s;
  for (const auto& c : cols) s.insert(c.id);
  return s;
}

std::vector<int> Refs(const BExpr& e) {
  std::vector<int> ids;
  CollectColumns(e, &ids);
  return ids;
}

bool Subset(const std::vector<int>& ids, const std::set<int>& of) {
  for (int id : ids)
    if (!of.count(id)) return false;
  return true;
}

PlanPtr WrapFilter(PlanPtr child, std::vector<BExprPtr> preds) {
  // TRUE conjuncts are dropped.
  std::vector<BExprPtr> keep;
  for (auto& p : preds)
    if (!(p->kind == BExpr::kLiteral && !p->value.null && p->value.i != 0)) keep.push_back(p);
  if (keep.empty()) return child;
  auto f = std::make_shared<PlanNode>();
  f->kind = PlanNode::kFilter;
  f->out = child->out;
  f->predicate = MakeAnd(std::move(keep));
  f->children.push_back(child);
  return f;
}

PlanPtr PushDown(PlanPtr node, std::vector<BExprPtr> preds) {
  switch (node->kind) {
    case PlanNode::kFilter:
      SplitConjuncts(node->predicate, &preds);
      return PushDown(node->children[0], std::move(preds));
    case PlanNode::kScan:
      node->filters = preds;
      return WrapFilter(node, std::move(preds));
    case PlanNode::kProject: {
      std::map<int, BExprPtr> map;
      for (size_t i = 0; i < node->out.size(); ++i) map[node->out[i].id] = node->exprs[i];
      std::vector<BExprPtr> below;
      for (const auto& p : preds) below.push_back(Substitute(p, map));
      node->children[0] = PushDown(node->children[0], std::move(below));
      return node;
    }
    case PlanNode::kAggregate: {
      std::map<int, BExprPtr> map;
      std::set<int> group_ids;
      for (size_t i = 0; i < node->groups.size(); ++i) {
        map[node->out[i].id] = node->groups[i];
        group_ids.insert(node->out[i].id);
      }
      std::vector<BExprPtr> below, above;
      for (const auto& p : preds) {
        if (Subset(Refs(*p), group_ids) && !node->groups.empty()) below.push_back(Substitute(p, map));
        else above.push_back(p);
      }
      node->children[0] = PushDown(node->children[0], std::move(below));
      return WrapFilter(node, std::move(above));
    }
    case PlanNode::kJoin: {
      std::set<int> lids = Ids(node->children[0]->out), rids = Ids(node->children[1]->out);
      std::vector<BExprPtr> left, right, above;
      const auto t = node->join_type;
      for (const auto& p : preds) {
        auto refs = Refs(*p);
        if (Subset(refs, lids) && (t == PlanNode::kInner || t == PlanNode::kLeft || KeepsLeftOnly(t))) {
          left.push_back(p);
        } else if (Subset(refs, rids) && (t == PlanNode::kInner || t == PlanNode::kRight)) {
          right.push_back(p);
        } else if (t == PlanNode::kInner && p->kind == BExpr::kCompare && p->op == "=" &&
                   ((Subset(Refs(*p->args[0]), lids) && Subset(Refs(*p->args[1]), rids)) ||
                    (Subset(Refs(*p->args[0]), rids) && Subset(Refs(*p->args[1]), lids)))) {
          bool l_first = Subset(Refs(*p->args[0]), lids);
          node->left_keys.push_back(p->args[l_first ? 0 : 1]);
          node->right_keys.push_back(p->args[l_first ? 1 : 0]);
        } else {
          above.push_back(p);
        }
      }
      // An inner join's residual condition can move above it (and on down where it can).
      if (t == PlanNode::kInner && node->residual) {
        SplitConjuncts(node->residual, &above);
        node->residual = nullptr;
        std::vector<BExprPtr> still;
        for (const auto& p : above) {
          auto refs = Refs(*p);
          if (Subset(refs, lids)) left.push_back(p);
          else if (Subset(refs, rids)) right.push_back(p);
          else still.push_back(p);
        }
        above = std::move(still);
      }
      node->children[0] = PushDown(node->children[0], std::move(left));
      node->children[1] = PushDown(node->children[1], std::move(right));
      return WrapFilter(node, std::move(above));
    }
    case PlanNode::kSort:
      node->children[0] = PushDown(node->children[0], std::move(preds));
      return node;
    case PlanNode::kUnion: {
      for (auto& child : node->children) {
        std::map<int, BExprPtr> map;
        for (size_t i = 0; i < node->out.size(); ++i)
          map[node->out[i].id] = MakeColumnRef(child->out[i].id, child->out[i].type, child->out[i].nullable);
        std::vector<BExprPtr> below;
        for (const auto& p : preds) below.push_back(Substitute(p, map));
        child = PushDown(child, std::move(below));
      }
      return node;
    }
    case PlanNode::kLimit:
      node->children[0] = PushDown(node->children[0], {});
      return WrapFilter(node, std::move(preds));
    case PlanNode::kValues:
    case PlanNode::kFile:
    case PlanNode::kWorkTable:
      return WrapFilter(node, std::move(preds));
    case PlanNode::kRecursive:
      // A condition on its rows cannot go into its terms: the next step reads the rows unfiltered.
      for (auto& child : node->children) child = PushDown(child, {});
      return WrapFilter(node, std::move(preds));
    case PlanNode::kUnnest: {
      // A condition on the rows' own columns (not the elements) can go below.
      std::set<int> below_ids;
      for (const auto& c : node->children[0]->out) below_ids.insert(c.id);
      std::vector<BExprPtr> below, above;
      for (const auto& p : preds) (Subset(Refs(*p), below_ids) ? below : above).push_back(p);
      node->children[0] = PushDown(node->children[0], std::move(below));
      return WrapFilter(node, std::move(above));
    }
    case PlanNode::kWindow: {
      // A condition on columns every window partitions by removes whole partitions: it can go
      // below. Anything else would change what the windows see.
      std::set<int> common;
      bool first = true;
      for (const auto& w : node->windows) {
        std::set<int> ids;
        for (const auto& p : w.partition)
          if (p->kind == BExpr::kColumn) ids.insert(p->column);
        if (first) common = ids;
        else {
          std::set<int> both;
          for (int id : ids)
            if (common.count(id)) both.insert(id);
          common = both;
        }
        first = false;
      }
      std::vector<BExprPtr> below, above;
      for (const auto& p : preds) (Subset(Refs(*p), common) ? below : above).push_back(p);
      node->children[0] = PushDown(node->children[0], std::move(below));
      return WrapFilter(node, std::move(above));
    }
  }
  return node;
}

void AddRefs(const BExprPtr& e, std::set<int>* s) {
  if (!e) return;
  for (int id : Refs(*e)) s->insert(id);
}

// Drops output columns nobody above reads.
void PruneColumns(PlanNode* node, const std::set<int>& required) {
  switch (node->kind) {
    case PlanNode::kScan: {
      std::vector<PlanColumn> out;
      std::vector<int> storage;
      for (size_t i = 0; i < node->out.size(); ++i) {
        if (!required.count(node->out[i].id)) continue;
        out.push_back(node->out[i]);
        storage.push_back(node->storage_columns[i]);
      }
      // Pushed-down filters always read columns some node above also reads (the Filter that
      // keeps them), so their columns stay.
      node->out = std::move(out);
      node->storage_columns = std::move(storage);
      return;
    }
    case PlanNode::kProject: {
      std::vector<PlanColumn> out;
      std::vector<BExprPtr> exprs;
      std::set<int> need;
      for (size_t i = 0; i < node->out.size(); ++i) {
        if (!required.count(node->out[i].id)) continue;
        out.push_back(node->out[i]);
        exprs.push_back(node->exprs[i]);
        AddRefs(node->exprs[i], &need);
      }
      node->out = std::move(out);
      node->exprs = std::move(exprs);
      PruneColumns(node->children[0].get(), need);
      return;
    }
    case PlanNode::kFilter:
    case PlanNode::kSort:
    case PlanNode::kLimit: {
      std::set<int> need = required;
      AddRefs(node->predicate, &need);
      for (const auto& k : node->sort_keys) AddRefs(k.expr, &need);
      PlanNode* child = node->children[0].get();
      PruneColumns(child, need);
      if (node->kind == PlanNode::kFilter && child->kind == PlanNode::kScan) {
        child->filter_only.assign(child->out.size(), 0);
        for (size_t i = 0; i < child->out.size(); ++i) child->filter_only[i] = !required.count(child->out[i].id);
      }
      node->out = child->out;
      return;
    }
    case PlanNode::kAggregate: {
      std::set<int> need;
      for (const auto& g : node->groups) AddRefs(g, &need);
      for (const auto& a : node->aggregates)
        for (const BExprPtr* e : a.Exprs()) AddRefs(*e, &need);
      PruneColumns(node->children[0].get(), need);
      return;
    }
    case PlanNode::kJoin: {
      std::set<int> need = required;
      for (const auto& k : node->left_keys) AddRefs(k, &need);
      for (const auto& k : node->right_keys) AddRefs(k, &need);
      AddRefs(node->residual, &need);
      PruneColumns(node->children[0].get(), need);
      PruneColumns(node->children[1].get(), need);
      const PlanColumn mark = node->join_type == PlanNode::kMark ? node->out.back() : PlanColumn{};
      node->out.clear();
      for (size_t side = 0; side < (KeepsLeftOnly(node->join_type) ? 1u : 2u); ++side)
        for (const auto& c : node->children[side]->out) {
          PlanColumn o = c;
          // Keep the outer join's nullability from the original output.
          o.nullable = true;
          node->out.push_back(o);
        }
      if (node->join_type == PlanNode::kMark) node->out.push_back(mark);
      return;
    }
    case PlanNode::kUnion: {
      for (auto& child : node->children) PruneColumns(child.get(), Ids(child->out));
      return;
    }
    case PlanNode::kValues:
    case PlanNode::kFile:
    case PlanNode::kWorkTable: return;
    case PlanNode::kRecursive:  // by position, every column (each step feeds the next)
      for (auto& child : node->children) PruneColumns(child.get(), Ids(child->out));
      return;
    case PlanNode::kUnnest: {
      std::set<int> need;
      for (const auto& c : node->children[0]->out)
        if (required.count(c.id)) need.insert(c.id);
      for (const auto& e : node->exprs) AddRefs(e, &need);
      PruneColumns(node->children[0].get(), need);
      std::vector<PlanColumn> out = node->children[0]->out;
      for (size_t i = node->out.size() - node->exprs.size(); i < node->out.size(); ++i) out.push_back(node->out[i]);
      node->out = std::move(out);
      return;
    }
    case PlanNode::kWindow: {
      std::set<int> need;
      for (const auto& c : node->children[0]->out)
        if (required.count(c.id)) need.insert(c.id);
      for (const auto& w : node->windows) {
        for (const auto& a : w.args) AddRefs(a, &need);
        AddRefs(w.agg.arg, &need);
        for (const auto& m : w.agg.more) AddRefs(m, &need);
        for (const auto& p : w.partition) AddRefs(p, &need);
        for (const auto& k : w.order) AddRefs(k.expr, &need);
      }
      PruneColumns(node->children[0].get(), need);
      std::vector<PlanColumn> out = node->children[0]->out;
      for (size_t i = node->out.size() - node->windows.size(); i < node->out.size(); ++i) out.push_back(node->out[i]);
      node->out = std::move(out);
      return;
    }
  }
}

void PlanPruning(PlanNode* node, bool prune) {
  if (node->kind == PlanNode::kScan) PlanScanPruning(node, prune);
  for (auto& c : node->children) PlanPruning(c.get(), prune);
}

bool HashCompatible(const DataType& a, const DataType& b) {
  auto cls = [](const DataType& t) {
    return t.id == TypeId::kInt32 || t.id == TypeId::kInt64 ? TypeId::kInt64 : t.id;
  };
  if (cls(a) != cls(b)) return false;
  return cls(a) == TypeId::kInt64 || a == b;
}

// The column id an expression passes through unchanged for hashing purposes (a column, or an
// INT -> BIGINT cast of one), or -1.
int PassThroughColumn(const BExpr& e) {
  if (e.kind == BExpr::kColumn) return e.column;
  if (e.kind == BExpr::kCast && e.type.id == TypeId::kInt64 && e.args[0]->kind == BExpr::kColumn &&
      (e.args[0]->type.id == TypeId::kInt32 || e.args[0]->type.id == TypeId::kInt64))
    return e.args[0]->column;
  return -1;
}

}  // namespace

// A join of a bucket-partitioned side with a side that reads no bucketed table (a small
// dimension table) runs bucket by bucket with the other side whole in every bucket - when that
// side's rows are never emitted unmatched (which every bucket would repeat): the broadcast side
// is the right one of INNER and LEFT joins, the left one of INNER and RIGHT joins.
bool ReadsBucketedTable(const PlanNode& node) {
  if (node.kind == PlanNode::kScan) return node.table->schema.bucket_count > 0;
  for (const auto& c : node.children)
    if (ReadsBucketedTable(*c)) return true;
  return false;
}

int BroadcastSide(const PlanNode& join, const BucketPartitioning& l, const BucketPartitioning& r) {
  if (join.kind != PlanNode::kJoin) return -1;
  const auto t = join.join_type;
  for (int side : {1, 0}) {
    const PlanNode& small = *join.children[side];
    bool allowed = t == PlanNode::kInner ||
                   (side == 1 ? t == PlanNode::kLeft || KeepsLeftOnly(t) : t == PlanNode::kRight);
    if (allowed && !ReadsBucketedTable(small) && (side == 1 ? l : r).buckets > 0) return side;
  }
  return -1;
}

BucketPartitioning PartitioningOf(const PlanNode& node) {
  BucketPartitioning none;
  switch (node.kind) {
    case PlanNode::kScan: {
      const TableSchema& s = node.table->schema;
      if (s.bucket_count == 0) return none;
      BucketPartitioning p;
      p.buckets = s.bucket_count;
      p.key_type = s.columns[s.bucket_column_index()].type;
      // The key's id, whether or not the scan outputs the column.
      for (size_t i = 0; i < node.out.size(); ++i)
        if (node.storage_columns[i] == s.bucket_column_index()) p.keys.push_back(node.out[i].id);
      return p;
    }
    case PlanNode::kFilter: return PartitioningOf(*node.children[0]);
    case PlanNode::kProject: {
      BucketPartitioning c = PartitioningOf(*node.children[0]);
      if (!c.buckets) return none;
      BucketPartitioning p = c;
      p.keys.clear();
      std::set<int> keys(c.keys.begin(), c.keys.end());
      for (size_t i = 0; i < node.exprs.size(); ++i) {
        const BExpr& e = *node.exprs[i];
        int id = PassThroughColumn(e);
        if (id >= 0 && keys.count(id)) {
          p.keys.push_back(node.out[i].id);
        } else if (id >= 0 && keys.count(-id - 2)) {
          p.keys.push_back(-node.out[i].id - 2);
        } else if (e.kind == BExpr::kCoalesce) {
          // COALESCE of a FULL join's two keys: both sides' keys of one bucket.
          bool all = !e.args.empty();
          for (const auto& a : e.args) {
            int aid = PassThroughColumn(*a);
            all = all && aid >= 0 && (keys.count(aid) || keys.count(-aid - 2));
          }
          if (all) p.keys.push_back(node.out[i].id);
        }
      }
      return p;
    }
    case PlanNode::kAggregate: {
      BucketPartitioning c = PartitioningOf(*node.children[0]);
      if (!c.buckets) return none;
      if (node.partial) {  // per bucket, keyed by nothing the parent can use
        c.keys.clear();
        return c;
      }
      std::set<int> keys(c.keys.begin(), c.keys.end());
      BucketPartitioning p = c;
      p.keys.clear();
      for (size_t i = 0; i < node.groups.size(); ++i) {
        int id = PassThroughColumn(*node.groups[i]);
        if (id >= 0 && keys.count(id)) p.keys.push_back(node.out[i].id);
      }
      if (p.keys.empty()) return none;
      return p;
    }
    case PlanNode::kJoin: {
      BucketPartitioning l = PartitioningOf(*node.children[0]);
      BucketPartitioning r = PartitioningOf(*node.children[1]);
      const int side = BroadcastSide(node, l, r);
      if (side >= 0) return side == 1 ? l : r;  // the partitioned side's keys go on
      // NOT IN's NULL rules look at the whole right side: never one bucket of it.
      if (node.null_aware) return none;
      if (!l.buckets || l.buckets != r.buckets || !HashCompatible(l.key_type, r.key_type)) return none;
      std::set<int> lk(l.keys.begin(), l.keys.end()), rk(r.keys.begin(), r.keys.end());
      bool joined_on_key = false;
      for (size_t i = 0; i < node.left_keys.size(); ++i) {
        int a = PassThroughColumn(*node.left_keys[i]), b = PassThroughColumn(*node.right_keys[i]);
        if (a >= 0 && b >= 0 && lk.count(a) && rk.count(b)) joined_on_key = true;
      }
      if (!joined_on_key) return none;
      BucketPartitioning p = l;
      p.keys.clear();
      // Keys of a side that the join pads with NULLs are no longer bucket keys (a padded NULL
      // is not in bucket 0); they are remembered as "-id-2" so that COALESCE(l.key, r.key)
      // above a FULL join is recognized.
      const auto t = node.join_type;
      if (KeepsLeftOnly(t)) {  // the right side's columns are not output
        p.keys = l.keys;
        return p;
      }
      for (int k : l.keys) p.keys.push_back(t == PlanNode::kInner || t == PlanNode::kLeft ? k : -k - 2);
      for (int k : r.keys) p.keys.push_back(t == PlanNode::kInner || t == PlanNode::kRight ? k : -k - 2);
      if (t == PlanNode::kInner || t == PlanNode::kLeft || t == PlanNode::kRight) {
        // Weak forms too, so COALESCE over any pair still works.
        for (int k : l.keys) p.keys.push_back(-k - 2);
        for (int k : r.keys) p.keys.push_back(-k - 2);
      }
      return p;
    }
    case PlanNode::kUnnest: return PartitioningOf(*node.children[0]);  // rows stay in their bucket
    case PlanNode::kWindow: {
      // Windows partitioned by the bucket key see whole partitions within one bucket.
      BucketPartitioning c = PartitioningOf(*node.children[0]);
      if (!c.buckets) return none;
      std::set<int> keys(c.keys.begin(), c.keys.end());
      for (const auto& w : node.windows) {
        bool by_key = false;
        for (const auto& p : w.partition) {
          int id = PassThroughColumn(*p);
          by_key = by_key || (id >= 0 && keys.count(id));
        }
        if (!by_key) return none;
      }
      return c;
    }
    default: return none;
  }
}

int BroadcastSide(const PlanNode& join) {
  if (join.kind != PlanNode::kJoin) return -1;
  return BroadcastSide(join, PartitioningOf(*join.children[0]), PartitioningOf(*join.children[1]));
}

// Over a scan of a table partitioned by CAST(c AS DATE), that cast of c is the partition
// column itself - constant per segment, never decoded. PartitionCasts rewrites such casts
// anywhere above the scan into references to the partition column, threading the column up
// through the projections in between (PruneColumns later drops what ends up unused).
//
// Returns, for `node`, the map from an output column id that holds some scan's c to the id of
// that scan's partition column in the same output.
std::map<int, int> PartitionCasts(PlanNode* node, int* next_id, bool may_extend);

BExprPtr RewriteCasts(const BExprPtr& e, const std::map<int, int>& casts, const std::vector<PlanColumn>& cols) {
  if (!e) return e;
  if (e->kind == BExpr::kCast && e->type.id == TypeId::kDate && e->args[0]->kind == BExpr::kColumn &&
      (e->args[0]->type.id == TypeId::kTimestamp || e->args[0]->type.id == TypeId::kDate)) {
    auto it = casts.find(e->args[0]->column);
    if (it != casts.end())
      for (const auto& c : cols)
        if (c.id == it->second) return MakeColumnRef(c.id, c.type, c.nullable);
  }
  // DATE_TRUNC / DATE_PART of a day or more read the same from the day as from the time.
  if (e->kind == BExpr::kFunction && (e->op == "DATE_TRUNC" || e->op == "DATE_PART") && e->args.size() == 2 &&
      e->args[0]->kind == BExpr::kLiteral && !e->args[0]->value.null && e->args[1]->kind == BExpr::kColumn &&
      e->args[1]->type.id == TypeId::kTimestamp && casts.count(e->args[1]->column)) {
    std::string unit = e->args[0]->value.s;
    for (auto& ch : unit) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (unit.size() > 1 && unit.back() == 's') unit.pop_back();
    static const char* kDayUnits[] = {"year", "quarter", "month", "week", "day", "dayofweek", "dow", "isodow",
                                      "dayofyear", "doy"};
    bool by_day = false;
    for (const char* u : kDayUnits) by_day = by_day || unit == u;
    if (by_day) {
      const int part = casts.at(e->args[1]->column);
      for (const auto& c : cols)
        if (c.id == part) {
          auto x = std::make_shared<BExpr>(*e);
          x->args[1] = MakeColumnRef(c.id, c.type, c.nullable);
          return x;
        }
    }
  }
  if (e->args.empty()) return e;
  std::shared_ptr<BExpr> c;
  for (size_t i = 0; i < e->args.size(); ++i) {
    BExprPtr x = RewriteCasts(e->args[i], casts, cols);
    if (x == e->args[i]) continue;
    if (!c) c = std::make_shared<BExpr>(*e);
    c->args[i] = x;
  }
  return c ? BExprPtr(c) : e;
}

// may_extend: the node's outputs may gain a column (not the root, whose columns are the result,
// nor a UNION's input, whose columns map by position).
std::map<int, int> PartitionCasts(PlanNode* node, int* next_id, bool may_extend) {
  std::vector<std::map<int, int>> child_maps;
  for (auto& c : node->children)
    child_maps.push_back(PartitionCasts(c.get(), next_id, node->kind != PlanNode::kUnion));
  std::map<int, int> in;  // ids visible to this node's expressions (its children's outputs)
  std::vector<PlanColumn> in_cols;
  for (size_t k = 0; k < node->children.size(); ++k) {
    in.insert(child_maps[k].begin(), child_maps[k].end());
    in_cols.insert(in_cols.end(), node->children[k]->out.begin(), node->children[k]->out.end());
  }
  if (!in.empty()) {
    auto fix = [&](BExprPtr& e) { e = RewriteCasts(e, in, in_cols); };
    fix(node->predicate);
    for (auto& e : node->exprs) fix(e);
    for (auto& e : node->groups) fix(e);
    for (auto& a : node->aggregates)
      for (BExprPtr* e : a.Exprs()) fix(*e);
    for (auto& e : node->left_keys) fix(e);
    for (auto& e : node->right_keys) fix(e);
    fix(node->residual);
    for (auto& k : node->sort_keys) fix(k.expr);
    for (auto& w : node->windows) {
      for (auto& e : w.args) fix(e);
      for (auto& e : w.partition) fix(e);
      for (auto& k : w.order) fix(k.expr);
      fix(w.agg.arg);
      for (auto& m : w.agg.more) fix(m);
    }
  }
  std::map<int, int> out;
  switch (node->kind) {
    case PlanNode::kScan: {
      const TableSchema& s = node->table->schema;
      const PartitionExpr& pe = s.partition_expr;
      if (s.partition_column.empty() || pe.kind != PartitionExpr::kCastDate || pe.args.size() != 1 ||
          pe.args[0].kind != PartitionExpr::kColumn)
        break;
      int src = -1, part = -1;
      for (size_t i = 0; i < node->out.size(); ++i) {
        if (node->storage_columns[i] == static_cast<int>(pe.args[0].column)) src = static_cast<int>(i);
        if (node->storage_columns[i] < 0) part = static_cast<int>(i);
      }
      if (src >= 0 && part >= 0) out[node->out[src].id] = node->out[part].id;
      break;
    }
    case PlanNode::kFilter:
    case PlanNode::kSort:
    case PlanNode::kLimit:
    case PlanNode::kWindow:
    case PlanNode::kUnnest:
    case PlanNode::kJoin:
      out = in;  // the children's columns pass through with their ids
      break;
    case PlanNode::kProject: {
      // A passed-through c keeps its partition column: passed through as well (added if need be).
      for (size_t i = 0; i < node->exprs.size(); ++i) {
        const BExpr& e = *node->exprs[i];
        if (e.kind != BExpr::kColumn) continue;
        auto it = in.find(e.column);
        if (it == in.end()) continue;
        int part = -1;
        for (size_t j = 0; j < node->exprs.size(); ++j)
          if (node->exprs[j]->kind == BExpr::kColumn && node->exprs[j]->column == it->second) part = node->out[j].id;
        if (part < 0 && may_extend) {
          for (const auto& c : in_cols) {
            if (c.id != it->second) continue;
            PlanColumn pc = c;
            pc.id = ++*next_id;
            pc.hidden = true;
            node->exprs.push_back(MakeColumnRef(c.id, c.type, c.nullable));
            node->out.push_back(pc);
            part = pc.id;
          }
        }
        if (part >= 0) out[node->out[i].id] = part;
      }
      break;
    }
    default: break;
  }
  return out;
}

int MaxId(const PlanNode& node) {
  int m = -1;
  for (const auto& c : node.out) m = std::max(m, c.id);
  for (const auto& c : node.children) m = std::max(m, MaxId(*c));
  return m;
}

// An aggregate over a bucket-partitioned input that does not group by the bucket key (say
// COUNT(DISTINCT user_id) per day over tables bucketed by user) runs in two phases: a partial
// aggregate per bucket, on all cores with small hash tables, then a final one combining the
// buckets' rows per group: COUNT and SUM add up, MIN and MAX take the extreme, and a
// COUNT(DISTINCT key) of the bucket key adds up too (a key value lives in one bucket only).
// Aggregates that do not combine this way (AVG, STDDEV, other DISTINCTs, FIRST) keep the plan.
void SplitAggregates(PlanNode* node, int* next_id) {
  for (auto& c : node->children) SplitAggregates(c.get(), next_id);
  if (node->kind != PlanNode::kAggregate || node->partial || node->groups.empty()) return;
  const BucketPartitioning in = PartitioningOf(*node->children[0]);
  if (in.buckets <= 1 || PartitioningOf(*node).buckets) return;
  std::set<int> keys(in.keys.begin(), in.keys.end());
  std::vector<std::string> final_fn;
  for (const auto& a : node->aggregates) {
    const std::string& f = a.fn;
    if (a.distinct) {
      int id = a.arg ? PassThroughColumn(*a.arg) : -1;
      if (f != "COUNT" || id < 0 || !keys.count(id)) return;
      final_fn.push_back("SUM");
    } else if (const AggregateFunction* def = FindAggregateFunction(f); def && !def->combine.empty()) {
      final_fn.push_back(def->combine);  // COUNT's per-bucket counts add up, MIN's minima ...
    } else {
      return;
    }
  }
  auto partial = std::make_shared<PlanNode>();
  partial->kind = PlanNode::kAggregate;
  partial->partial = true;
  partial->children = node->children;
  partial->groups = node->groups;
  partial->aggregates = node->aggregates;
  const size_t ng = node->groups.size();
  for (size_t i = 0; i < ng; ++i) partial->out.push_back(node->out[i]);
  std::vector<AggregateSpec> finals;
  for (size_t a = 0; a < node->aggregates.size(); ++a) {
    AggregateSpec& p = partial->aggregates[a];
    PlanColumn c = node->out[ng + a];
    c.id = ++*next_id;
    p.output_id = c.id;
    partial->out.push_back(c);
    AggregateSpec f;
    f.fn = final_fn[a];
    f.type = node->aggregates[a].type;
    f.arg = MakeColumnRef(c.id, c.type, true);
    f.output_id = node->aggregates[a].output_id;
    finals.push_back(f);
  }
  std::vector<BExprPtr> groups;
  for (size_t i = 0; i < ng; ++i) groups.push_back(MakeColumnRef(node->out[i].id, node->out[i].type, node->out[i].nullable));
  node->children = {partial};
  node->groups = std::move(groups);
  node->aggregates = std::move(finals);
}

namespace {

// Whether `node` can deliver its rows in ascending order of its output column `id`, NULLs last,
// as a merge join wants its inputs; with `apply`, arranges it. An aggregate can (it sorts its
// groups by that key, a cheap sort of one bucket's keys), and so can a merge join for its
// key, with projections and filters passing the order through.
bool DeliversOrder(PlanNode* node, int id, bool apply) {
  switch (node->kind) {
    case PlanNode::kFilter: return DeliversOrder(node->children[0].get(), id, apply);
    case PlanNode::kProject: {
      for (size_t k = 0; k < node->out.size(); ++k) {
        if (node->out[k].id != id) continue;
        const BExpr& e = *node->exprs[k];
        if (e.kind == BExpr::kColumn) return DeliversOrder(node->children[0].get(), e.column, apply);
        // A FULL merge join's rows come in the order of its merged key (USING's COALESCE).
        const PlanNode& j = *node->children[0];
        return e.kind == BExpr::kCoalesce && e.args.size() == 2 && j.kind == PlanNode::kJoin && j.merge_join &&
               j.join_type == PlanNode::kFull && e.args[0]->kind == BExpr::kColumn &&
               e.args[1]->kind == BExpr::kColumn && e.args[0]->column == j.left_keys[0]->column &&
               e.args[1]->column == j.right_keys[0]->column;
      }
      return false;
    }
    case PlanNode::kAggregate:
      for (size_t g = 0; g < node->groups.size(); ++g) {
        if (node->out[g].id != id) continue;
        if (node->order_group >= 0 && node->order_group != static_cast<int>(g)) return false;
        if (apply) node->order_group = static_cast<int>(g);
        return true;
      }
      return false;
    case PlanNode::kJoin: {
      if (!node->merge_join) return false;
      const auto t = node->join_type;
      return (node->left_keys[0]->column == id && (t == PlanNode::kInner || t == PlanNode::kLeft)) ||
             (node->right_keys[0]->column == id && (t == PlanNode::kInner || t == PlanNode::kRight));
    }
    default: return false;
  }
}

// A join that runs bucket by bucket on one integer key, both of whose inputs can come in key
// order (per-user aggregates joined on the user, as in a report of several per-user views),
// merges them instead of building and probing a hash table: one pass over each side, the
// outputs gathered in order, and its rows come out in key order - so an ORDER BY of the key
// above finds each bucket's rows sorted and formats them front to back.
void ChooseMergeJoins(PlanNode* node) {
  for (auto& c : node->children) ChooseMergeJoins(c.get());
  if (node->kind != PlanNode::kJoin || node->left_keys.size() != 1 || node->residual || KeepsLeftOnly(node->join_type) ||
      node->single_match)
    return;
  const BExpr& l = *node->left_keys[0];
  const BExpr& r = *node->right_keys[0];
  if (l.kind != BExpr::kColumn || r.kind != BExpr::kColumn || !(l.type == r.type)) return;
  const PhysicalType p = l.type.physical();
  if (p != PhysicalType::kInt32 && p != PhysicalType::kInt64) return;
  if (PartitioningOf(*node).buckets <= 1 || BroadcastSide(*node) >= 0) return;
  PlanNode* left = node->children[0].get();
  PlanNode* right = node->children[1].get();
  if (!DeliversOrder(left, l.column, false) || !DeliversOrder(right, r.column, false)) return;
  DeliversOrder(left, l.column, true);
  DeliversOrder(right, r.column, true);
  node->merge_join = true;
}

// A FULL merge join on one key column each side, nothing else to test.
bool FullMergeOnColumns(const PlanNode& j) {
  return j.kind == PlanNode::kJoin && j.merge_join && j.join_type == PlanNode::kFull && j.left_keys.size() == 1 &&
         !j.residual && j.left_keys[0]->kind == BExpr::kColumn && j.right_keys[0]->kind == BExpr::kColumn;
}

// Marks FULL merge joins whose left input is the USING projection of a FULL merge join below:
// the projection's key is COALESCE(the lower join's two keys), one type throughout.
void ChainMergeJoins(PlanNode* node) {
  for (auto& c : node->children) ChainMergeJoins(c.get());
  if (!FullMergeOnColumns(*node)) return;
  const PlanNode& project = *node->children[0];
  if (project.kind != PlanNode::kProject || !FullMergeOnColumns(*project.children[0])) return;
  const PlanNode& below = *project.children[0];
  const BExpr& key = *node->left_keys[0];
  for (size_t i = 0; i < project.out.size(); ++i) {
    if (project.out[i].id != key.column) continue;
    const BExpr& e = *project.exprs[i];
    if (e.kind != BExpr::kCoalesce || e.args.size() != 2 || e.args[0]->kind != BExpr::kColumn ||
        e.args[1]->kind != BExpr::kColumn || e.args[0]->column != below.left_keys[0]->column ||
        e.args[1]->column != below.right_keys[0]->column)
      return;
    node->merge_chain = key.type == below.left_keys[0]->type && e.type == key.type;
    return;
  }
}

}  // namespace

namespace {

// ORDER BY ... LIMIT: the sort under a limit needs only its first limit + offset rows.
void MarkTopN(PlanNode* node) {
  if (node->kind == PlanNode::kLimit && node->limit >= 0 && node->children[0]->kind == PlanNode::kSort &&
      node->limit <= INT64_MAX - node->offset)
    node->children[0]->top_n = node->limit + node->offset;
  for (auto& c : node->children) MarkTopN(c.get());
}

}  // namespace

PlanPtr Optimize(PlanPtr root, const OptimizeOptions& options) {
  int next_id = MaxId(*root);
  PartitionCasts(root.get(), &next_id, false);
  root = PushDown(root, {});
  PruneColumns(root.get(), Ids(root->out));
  SplitAggregates(root.get(), &next_id);
  if (options.merge_joins) {
    ChooseMergeJoins(root.get());
    ChainMergeJoins(root.get());
  }
  PlanPruning(root.get(), options.prune);
  MarkTopN(root.get());
  return root;
}

}  // namespace wh
