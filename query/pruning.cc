#include "query/pruning.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace wh {

namespace {

struct Tri {
  bool t = true, f = true, n = true;  // can be TRUE / FALSE / NULL
};

ValueRange Exact(const Value& v) {
  ValueRange r;
  if (v.null) {
    r.all_null = true;
    r.may_null = true;
    return r;
  }
  r.known = true;
  r.may_null = false;
  switch (v.type.physical()) {
    case PhysicalType::kDouble:
      r.kind = ValueRange::kDouble;
      r.dlo = r.dhi = v.d;
      break;
    case PhysicalType::kString:
      r.kind = ValueRange::kString;
      r.slo = r.shi = v.s;
      break;
    default:
      r.lo = r.hi = v.i;
  }
  return r;
}

int Scale(const DataType& t) { return t.id == TypeId::kDecimal ? t.scale : 0; }

bool IntegerLike(const DataType& t) {
  return t.id == TypeId::kBoolean || t.id == TypeId::kInt32 || t.id == TypeId::kInt64 ||
         t.id == TypeId::kDecimal;
}

ValueRange Range(const BExpr& e, const RangeEnv& env);

ValueRange CastRange(const BExpr& e, const RangeEnv& env) {
  ValueRange r = Range(*e.args[0], env);
  if (e.try_cast) r.may_null = true;
  if (!r.known) return r;
  const DataType& from = e.args[0]->type;
  const DataType& to = e.type;
  ValueRange out = r;
  if (from.id == TypeId::kDate && to.id == TypeId::kTimestamp) {
    out.lo = r.lo * kMicrosPerDay;
    out.hi = r.hi * kMicrosPerDay;
    return out;
  }
  if (from.id == TypeId::kTimestamp && to.id == TypeId::kDate) {
    out.lo = TimestampToDate(static_cast<int64_t>(r.lo));
    out.hi = TimestampToDate(static_cast<int64_t>(r.hi));
    return out;
  }
  if (IntegerLike(from) && IntegerLike(to) && from.id != TypeId::kBoolean && to.id != TypeId::kBoolean) {
    int fs = Scale(from), ts = Scale(to);
    if (ts >= fs) {
      out.lo = r.lo * Pow10(ts - fs);
      out.hi = r.hi * Pow10(ts - fs);
    } else {
      // Rounding is monotone: bounds round to bounds.
      int128 f = Pow10(fs - ts);
      auto round = [&](int128 v) {
        int128 q = v / f, rem = v % f;
        if ((rem < 0 ? -rem : rem) * 2 >= f) q += v < 0 ? -1 : 1;
        return q;
      };
      out.lo = round(r.lo);
      out.hi = round(r.hi);
    }
    return out;
  }
  if (IntegerLike(from) && from.id != TypeId::kBoolean && to.id == TypeId::kDouble) {
    out.kind = ValueRange::kDouble;
    long double p = 1;
    for (int i = 0; i < Scale(from); ++i) p *= 10;
    out.dlo = static_cast<double>(static_cast<long double>(r.lo) / p);
    out.dhi = static_cast<double>(static_cast<long double>(r.hi) / p);
    // Conversion can round; widen by one ulp each way to stay conservative.
    out.dlo = std::nextafter(out.dlo, -1e308);
    out.dhi = std::nextafter(out.dhi, 1e308);
    return out;
  }
  ValueRange unknown;
  unknown.may_null = r.may_null;
  return unknown;
}

ValueRange Range(const BExpr& e, const RangeEnv& env) {
  switch (e.kind) {
    case BExpr::kColumn: {
      auto it = env.find(e.column);
      if (it != env.end()) return it->second;
      return ValueRange{};
    }
    case BExpr::kLiteral: return Exact(e.value);
    case BExpr::kCast: return CastRange(e, env);
    case BExpr::kAddInterval: {
      ValueRange r = Range(*e.args[0], env);
      if (!r.known) return r;
      const bool from_date = e.args[0]->type.id == TypeId::kDate;
      auto shift = [&](int128 v) -> int128 {
        if (e.type.id == TypeId::kDate)
          return AddMonthsToDate(static_cast<int32_t>(v), e.months) + e.micros / kMicrosPerDay;
        int64_t t = from_date ? static_cast<int64_t>(v) * kMicrosPerDay : static_cast<int64_t>(v);
        return AddMonthsToTimestamp(t, e.months) + e.micros;
      };
      r.lo = shift(r.lo);
      r.hi = shift(r.hi);
      return r;
    }
    default: {
      ValueRange r;
      return r;
    }
  }
}

int CompareBound(const ValueRange& a, bool a_hi, const ValueRange& b, bool b_hi) {
  switch (a.kind) {
    case ValueRange::kInt: {
      int128 x = a_hi ? a.hi : a.lo, y = b_hi ? b.hi : b.lo;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case ValueRange::kDouble: {
      double x = a_hi ? a.dhi : a.dlo, y = b_hi ? b.dhi : b.dlo;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case ValueRange::kString: {
      int c = (a_hi ? a.shi : a.slo).compare(b_hi ? b.shi : b.slo);
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
  }
  return 0;
}

Tri Compare(const std::string& op, const ValueRange& a, const ValueRange& b) {
  Tri r;
  if (a.all_null || b.all_null) return Tri{false, false, true};
  r.n = a.may_null || b.may_null;
  if (!a.known || !b.known || a.kind != b.kind) return r;
  // lo/hi comparisons.
  const int alo_bhi = CompareBound(a, false, b, true);   // a.lo vs b.hi
  const int ahi_blo = CompareBound(a, true, b, false);   // a.hi vs b.lo
  const bool a_point = CompareBound(a, false, a, true) == 0;
  const bool b_point = CompareBound(b, false, b, true) == 0;
  const bool same_point = a_point && b_point && CompareBound(a, false, b, false) == 0;
  if (op == "=") {
    r.t = alo_bhi <= 0 && ahi_blo >= 0;
    r.f = !same_point;
  } else if (op == "<>") {
    r.t = !same_point;
    r.f = alo_bhi <= 0 && ahi_blo >= 0;
  } else if (op == "<") {
    r.t = alo_bhi < 0;
    r.f = ahi_blo >= 0;
  } else if (op == "<=") {
    r.t = alo_bhi <= 0;
    r.f = ahi_blo > 0;
  } else if (op == ">") {
    r.t = ahi_blo > 0;
    r.f = alo_bhi <= 0;
  } else if (op == ">=") {
    r.t = ahi_blo >= 0;
    r.f = alo_bhi < 0;
  }
  return r;
}

Tri Evaluate(const BExpr& e, const RangeEnv& env) {
  switch (e.kind) {
    case BExpr::kLiteral: {
      if (e.value.null) return Tri{false, false, true};
      return Tri{e.value.i != 0, e.value.i == 0, false};
    }
    case BExpr::kCompare:
      return Compare(e.op, Range(*e.args[0], env), Range(*e.args[1], env));
    case BExpr::kAnd: {
      Tri r{true, false, false};
      for (const auto& a : e.args) {
        Tri x = Evaluate(*a, env);
        r.t = r.t && x.t;
        r.f = r.f || x.f;
        r.n = r.n || x.n;
      }
      return r;
    }
    case BExpr::kOr: {
      Tri r{false, true, false};
      for (const auto& a : e.args) {
        Tri x = Evaluate(*a, env);
        r.t = r.t || x.t;
        r.f = r.f && x.f;
        r.n = r.n || x.n;
      }
      return r;
    }
    case BExpr::kNot: {
      Tri x = Evaluate(*e.args[0], env);
      return Tri{x.f, x.t, x.n};
    }
    case BExpr::kIsNull: {
      ValueRange x = Range(*e.args[0], env);
      Tri r{x.may_null, !x.all_null, false};
      if (e.negated) std::swap(r.t, r.f);
      return r;
    }
    case BExpr::kIn: {
      ValueRange x = Range(*e.args[0], env);
      if (e.in_set) {  // the sorted constants: is any of them within the range?
        const ConstantSet& set = *e.in_set;
        if (x.all_null) return Tri{false, false, true};
        Tri r{true, !set.has_null, x.may_null || set.has_null};
        if (x.known && x.kind == (set.strings ? ValueRange::kString : ValueRange::kInt)) {
          bool any = false, point = false;
          if (set.strings) {
            auto it = std::lower_bound(set.texts.begin(), set.texts.end(), x.slo);
            any = it != set.texts.end() && *it <= x.shi;
            point = any && x.slo == x.shi;
          } else {
            auto it = std::lower_bound(set.ints.begin(), set.ints.end(), x.lo);
            any = it != set.ints.end() && *it <= x.hi;
            point = any && x.lo == x.hi;
          }
          r.t = any;
          r.f = r.f && !point;
        }
        if (e.negated) std::swap(r.t, r.f);
        return r;
      }
      Tri r{false, true, false};
      for (size_t i = 1; i < e.args.size(); ++i) {
        Tri c = Compare("=", x, Range(*e.args[i], env));
        r.t = r.t || c.t;
        r.f = r.f && c.f;
        r.n = r.n || c.n;
      }
      if (e.negated) std::swap(r.t, r.f);
      return r;
    }
    default: return Tri{};
  }
}

// The storage range implied for the source column of the partition expression by a partition's
// day: CAST(ts AS DATE) = d  =>  ts in [d 00:00, d 23:59:59.999999].
void AddPartitionRanges(const PlanNode& scan, const std::optional<int32_t>& day, RangeEnv* env) {
  const TableSchema& schema = scan.table->schema;
  if (schema.partition_column.empty()) return;
  const PartitionExpr& pe = schema.partition_expr;
  int source = -1;
  bool cast = false;
  if (pe.kind == PartitionExpr::kColumn) {
    source = static_cast<int>(pe.column);
  } else if (pe.kind == PartitionExpr::kCastDate && pe.args.size() == 1 &&
             pe.args[0].kind == PartitionExpr::kColumn) {
    source = static_cast<int>(pe.args[0].column);
    cast = true;
  }
  for (size_t i = 0; i < scan.out.size(); ++i) {
    int sc = scan.storage_columns[i];
    ValueRange r;
    if (sc == -1) {  // the partition column itself
      if (day) {
        r = Exact(Value::Int(DataType::Date(), *day));
      } else {
        r.all_null = true;
      }
    } else if (sc == source) {
      if (!day) {
        r.all_null = true;
      } else {
        r.known = true;
        r.may_null = false;
        const bool ts = schema.columns[source].type.id == TypeId::kTimestamp;
        if (ts && cast) {
          r.lo = static_cast<int128>(*day) * kMicrosPerDay;
          r.hi = r.lo + kMicrosPerDay - 1;
        } else {
          r.lo = r.hi = *day;
        }
      }
    } else {
      continue;
    }
    (*env)[scan.out[i].id] = r;
  }
}

// Narrows env[id] by a zone-map range (both are bounds of the same values).
void Intersect(RangeEnv* env, int id, const ValueRange& z) {
  auto it = env->find(id);
  if (it == env->end()) {
    (*env)[id] = z;
    return;
  }
  ValueRange& r = it->second;
  if (z.all_null) {
    r = z;
    return;
  }
  r.may_null = r.may_null && z.may_null;
  if (!z.known) return;
  if (!r.known) {
    bool mn = r.may_null, an = r.all_null;
    r = z;
    r.may_null = mn && z.may_null;
    r.all_null = an;
    return;
  }
  if (r.kind != z.kind) return;
  if (r.kind == ValueRange::kInt) {
    r.lo = std::max(r.lo, z.lo);
    r.hi = std::min(r.hi, z.hi);
  } else if (r.kind == ValueRange::kDouble) {
    r.dlo = std::max(r.dlo, z.dlo);
    r.dhi = std::min(r.dhi, z.dhi);
  } else {
    r.slo = std::max(r.slo, z.slo);
    r.shi = std::min(r.shi, z.shi);
  }
}

bool AllMayBeTrue(const std::vector<BExprPtr>& filters, const RangeEnv& env) {
  for (const auto& f : filters)
    if (!MayBeTrue(*f, env)) return false;
  return true;
}

}  // namespace

bool MayBeTrue(const BExpr& pred, const RangeEnv& env) { return Evaluate(pred, env).t; }

uint64_t OpenConjuncts(const std::vector<BExprPtr>& filters, const RangeEnv& env) {
  const size_t nf = filters.size();
  if (nf >= 64) return AllConjuncts(nf);
  uint64_t open = 0;
  for (size_t f = 0; f < nf; ++f)
    if (!MustBeTrue(*filters[f], env)) open |= uint64_t{1} << f;
  return open;
}

bool MustBeTrue(const BExpr& pred, const RangeEnv& env) {
  Tri t = Evaluate(pred, env);
  return t.t && !t.f && !t.n;
}

ValueRange RangeFromZone(const ZoneMap& z, const DataType& type, uint64_t rows) {
  ValueRange r;
  r.may_null = z.null_count > 0;
  r.all_null = rows > 0 && z.null_count >= rows;
  if (!z.has_min_max) return r;
  r.known = true;
  switch (type.physical()) {
    case PhysicalType::kDouble:
      r.kind = ValueRange::kDouble;
      r.dlo = z.min_d;
      r.dhi = z.max_d;
      break;
    case PhysicalType::kString:
      r.kind = ValueRange::kString;
      r.slo = z.min_s;
      r.shi = z.max_s;
      break;
    default:
      r.lo = z.min_i;
      r.hi = z.max_i;
  }
  return r;
}

namespace {
bool Wanted(const std::vector<int>* ids, int id) {
  return !ids || std::find(ids->begin(), ids->end(), id) != ids->end();
}
}  // namespace

std::vector<int> FilterColumns(const PlanNode& scan) {
  std::vector<int> ids;
  for (const auto& f : scan.filters) CollectColumns(*f, &ids);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

RangeEnv SegmentEnv(const PlanNode& scan, const SegmentEntry& seg, const std::vector<int>* ids) {
  RangeEnv env;
  AddPartitionRanges(scan, seg.partition, &env);
  for (size_t i = 0; i < scan.out.size(); ++i) {
    int sc = scan.storage_columns[i];
    if (sc < 0 || static_cast<size_t>(sc) >= seg.zones.size() || !Wanted(ids, scan.out[i].id)) continue;
    Intersect(&env, scan.out[i].id, RangeFromZone(seg.zones[sc], scan.storage_types[sc], seg.rows));
  }
  return env;
}

RangeEnv BlockEnv(const PlanNode& scan, const RangeEnv& segment_env, const SegmentFooter& footer,
                  size_t g, const std::vector<int>* ids) {
  const RowGroupMeta& rg = footer.row_groups[g];
  RangeEnv env = segment_env;
  for (size_t i = 0; i < scan.out.size(); ++i) {
    int sc = scan.storage_columns[i];
    if (sc < 0 || static_cast<size_t>(sc) >= rg.blocks.size() || !Wanted(ids, scan.out[i].id)) continue;
    Intersect(&env, scan.out[i].id, RangeFromZone(footer.BlockZone(g, sc), scan.storage_types[sc], rg.rows));
  }
  return env;
}

void PlanScanPruning(PlanNode* scan, bool prune) {
  scan->prune = prune;
  ScanPruning& p = scan->pruning;
  p = ScanPruning{};
  const TableSnapshot& snap = *scan->table;
  const TableSchema& schema = snap.schema;
  std::set<std::optional<int32_t>> parts, kept_parts;
  for (const auto& seg : snap.segments) parts.insert(seg.partition);
  p.partitions_total = parts.size();
  p.segments_total = snap.segments.size();
  p.buckets_total = schema.bucket_count;
  p.bucket_kept.assign(schema.bucket_count, 1);

  // Buckets: key = constant, key IN (constants).
  int key_id = -1;
  if (schema.bucket_count) {
    int key_col = schema.bucket_column_index();
    for (size_t i = 0; i < scan->out.size(); ++i)
      if (scan->storage_columns[i] == key_col) key_id = scan->out[i].id;
  }
  if (prune && key_id >= 0) {
    for (const auto& f : scan->filters) {
      std::vector<Value> consts;
      const BExpr* col = nullptr;
      if (f->kind == BExpr::kCompare && f->op == "=") {
        for (int side = 0; side < 2; ++side)
          if (f->args[side]->kind == BExpr::kColumn && f->args[1 - side]->kind == BExpr::kLiteral) {
            col = f->args[side].get();
            consts.push_back(f->args[1 - side]->value);
          }
      } else if (f->kind == BExpr::kIn && !f->negated && f->args[0]->kind == BExpr::kColumn && f->in_set) {
        const ConstantSet& set = *f->in_set;
        for (size_t i = 0; i < set.size(); ++i) consts.push_back(set.At(i));
        col = f->args[0].get();
      } else if (f->kind == BExpr::kIn && !f->negated && f->args[0]->kind == BExpr::kColumn) {
        bool all_lit = true;
        for (size_t i = 1; i < f->args.size(); ++i) {
          all_lit = all_lit && f->args[i]->kind == BExpr::kLiteral;
          if (all_lit) consts.push_back(f->args[i]->value);
        }
        if (all_lit) col = f->args[0].get();
      }
      if (!col || col->column != key_id) continue;
      const DataType key_type = schema.columns[schema.bucket_column_index()].type;
      std::vector<uint8_t> kept(schema.bucket_count, 0);
      bool ok = true;
      for (const auto& v : consts) {
        if (v.null) continue;  // `key = NULL` matches nothing
        if (!(v.type == key_type)) {
          ok = false;
          break;
        }
        Column c = ConstantColumn(v, 1);
        uint32_t b = 0;
        ComputeBuckets(c, schema.bucket_count, &b);
        kept[b] = 1;
      }
      if (!ok) continue;
      for (size_t b = 0; b < kept.size(); ++b) p.bucket_kept[b] &= kept[b];
    }
  }
  for (uint8_t k : p.bucket_kept) p.buckets_kept += k;

  // Partitions, then segments (manifest zone maps; no file is opened).
  std::vector<std::string> names;
  for (const auto& c : scan->out) names.push_back(c.name);
  std::map<std::optional<int32_t>, bool> part_ok;
  for (size_t s = 0; s < snap.segments.size(); ++s) {
    const SegmentEntry& seg = snap.segments[s];
    if (!prune) {
      p.segments.push_back(s);
      kept_parts.insert(seg.partition);
      continue;
    }
    auto pit = part_ok.find(seg.partition);
    if (pit == part_ok.end()) {
      RangeEnv env;
      AddPartitionRanges(*scan, seg.partition, &env);
      pit = part_ok.emplace(seg.partition, AllMayBeTrue(scan->filters, env)).first;
    }
    if (!pit->second) continue;
    kept_parts.insert(seg.partition);
    bool any_bucket = seg.bucket_rows.empty();
    for (auto [b, n] : seg.bucket_rows)
      if (b < p.bucket_kept.size() ? p.bucket_kept[b] : true) any_bucket = true;
    if (!any_bucket) continue;
    const RangeEnv env = SegmentEnv(*scan, seg);
    if (!AllMayBeTrue(scan->filters, env)) continue;
    p.segments.push_back(s);
    p.segment_open.push_back(OpenConjuncts(scan->filters, env));
  }
  if (!prune) p.segment_open.assign(p.segments.size(), AllConjuncts(scan->filters.size()));
  for (const auto& seg : snap.segments) p.rows_total += seg.rows;
  for (size_t s : p.segments) {
    const SegmentEntry& seg = snap.segments[s];
    if (seg.bucket_rows.empty()) p.rows_kept += seg.rows;
    for (auto [b, n] : seg.bucket_rows)
      if (b >= p.bucket_kept.size() || p.bucket_kept[b]) p.rows_kept += n;
  }
  p.partitions_kept = kept_parts.size();
  p.segments_kept = p.segments.size();
  p.files_total = snap.files();
  std::set<std::string_view> kept_files;
  for (size_t s : p.segments) kept_files.insert(snap.segments[s].path);
  p.files_kept = kept_files.size();
}

namespace {
bool RangeComputable(const BExpr& e) {
  switch (e.kind) {
    case BExpr::kColumn:
    case BExpr::kLiteral: return true;
    case BExpr::kCast:
    case BExpr::kAddInterval: return RangeComputable(*e.args[0]);
    default: return false;
  }
}
}  // namespace

bool Prunable(const BExpr& e) {
  switch (e.kind) {
    case BExpr::kLiteral: return true;
    case BExpr::kCompare: return RangeComputable(*e.args[0]) && RangeComputable(*e.args[1]);
    case BExpr::kIsNull: return RangeComputable(*e.args[0]);
    case BExpr::kIn:
      for (const auto& a : e.args)
        if (!RangeComputable(*a)) return false;
      return true;
    case BExpr::kAnd:
      for (const auto& a : e.args)
        if (Prunable(*a)) return true;
      return false;
    case BExpr::kOr:
    case BExpr::kNot:
      for (const auto& a : e.args)
        if (!Prunable(*a)) return false;
      return true;
    default: return false;
  }
}

}  // namespace wh
