#include "query/function/aggregate_catalog.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_set>

#include "query/typing.h"
#include "query/function/kernel.h"
#include "query/list.h"

namespace wh {

namespace {

// Order of two non-NULL values of one type (strings bytewise, DOUBLE NaN last).
int CompareValues(const Value& a, const Value& b) {
  switch (a.type.physical()) {
    case PhysicalType::kString: return a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
    case PhysicalType::kDouble: {
      const bool na = std::isnan(a.d), nb = std::isnan(b.d);
      if (na || nb) return na == nb ? 0 : na ? 1 : -1;
      return a.d < b.d ? -1 : a.d > b.d ? 1 : 0;
    }
    default: return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
  }
}

// Writes v (of `type`) as row `row` of a fixed-width column being filled.
void StoreValue(Column* c, uint8_t* base, size_t row, const Value& v) {
  if (c->type().physical() == PhysicalType::kDouble) reinterpret_cast<double*>(base)[row] = v.d;
  else StoreInt(c, base, row, v.i);
}

// Builds a column of `type` from per-group values (nullopt = NULL).
Column ValuesColumn(const DataType& type, const std::vector<std::optional<Value>>& vals) {
  Column out(type);
  const size_t n = vals.size();
  if (type.physical() == PhysicalType::kString) {
    out.Reserve(n);
    for (const auto& v : vals) {
      if (v) out.AppendString(v->s);
      else out.AppendNull();
    }
    return out;
  }
  uint8_t* base = out.ResizeFixed(n);
  std::vector<uint8_t> valid(n, 1);
  bool nulls = false;
  for (size_t g = 0; g < n; ++g) {
    if (vals[g]) StoreValue(&out, base, g, *vals[g]);
    else valid[g] = 0, nulls = true;
  }
  if (nulls) out.SetValidity(std::move(valid));
  return out;
}

// BOOL_AND / BOOL_OR over a BOOLEAN (NULLs ignored; no value: NULL).
class BoolState : public AggregateState {
 public:
  explicit BoolState(bool all) : all_(all) {}
  void Resize(size_t g) override {
    if (v_.size() < g) v_.resize(g, -1);
  }
  Status Update(const Column* arg, const uint32_t* gids, size_t n) override {
    const uint8_t* x = arg->values<uint8_t>();
    for (size_t i = 0; i < n; ++i) {
      if (arg->IsNull(i)) continue;
      int8_t& s = v_[gids[i]];
      const int8_t b = x[i] ? 1 : 0;
      s = s < 0 ? b : all_ ? (s & b) : (s | b);
    }
    return Status::OK();
  }
  Result<Column> Finish(size_t groups) override {
    Resize(groups);
    Column out(DataType::Boolean());
    uint8_t* o = out.ResizeFixed(groups);
    std::vector<uint8_t> valid(groups, 1);
    bool nulls = false;
    for (size_t g = 0; g < groups; ++g) {
      o[g] = v_[g] > 0;
      if (v_[g] < 0) valid[g] = 0, nulls = true;
    }
    if (nulls) out.SetValidity(std::move(valid));
    return out;
  }

 private:
  bool all_;
  std::vector<int8_t> v_;
};

// ARG_MAX(x, key) / ARG_MIN: x of the row with the largest / smallest key (rows with a NULL key
// are ignored; the first such row wins a tie).
class ArgState : public AggregateState {
 public:
  explicit ArgState(const AggregateSpec& spec) : spec_(spec), max_(spec.fn == "ARG_MAX") {}
  void Resize(size_t g) override {
    if (key_.size() < g) {
      key_.resize(g);
      val_.resize(g);
    }
  }
  Status Update(const Column* arg, const uint32_t* gids, size_t n) override { return UpdateMore(arg, {}, gids, n); }
  Status UpdateMore(const Column* arg, const std::vector<const Column*>& more, const uint32_t* gids, size_t n) override {
    const Column& k = *more[0];
    for (size_t i = 0; i < n; ++i) {
      if (k.IsNull(i)) continue;
      Value kv = ValueAt(k, i);
      auto& best = key_[gids[i]];
      if (best && (max_ ? CompareValues(kv, *best) <= 0 : CompareValues(kv, *best) >= 0)) continue;
      best = std::move(kv);
      val_[gids[i]] = arg->IsNull(i) ? std::nullopt : std::optional<Value>(ValueAt(*arg, i));
    }
    return Status::OK();
  }
  Result<Column> Finish(size_t groups) override {
    Resize(groups);
    val_.resize(groups);
    return ValuesColumn(spec_.type, val_);
  }

 private:
  const AggregateSpec& spec_;
  bool max_;
  std::vector<std::optional<Value>> key_, val_;
};

// STRING_AGG(x [, separator] [ORDER BY ...]): the non-NULL values joined, in the ORDER BY's
// order (else as they come); no value: NULL. The list aggregates are the same with each value
// an element (query/list.h) and no separator: LIST(x) (ARRAY_AGG) keeps NULLs, as DuckDB's;
// COLLECT_LIST (Spark's) leaves them out, and COLLECT_SET keeps the first of equal values too.
class StringAggState : public AggregateState {
 public:
  explicit StringAggState(const AggregateSpec& spec) : spec_(spec) {
    null_sep_ = !spec.params.empty() && spec.params[0].null;  // STRING_AGG(x, NULL) is NULL (DuckDB)
    sep_ = spec.params.empty() || null_sep_ ? "," : spec.params[0].s;
    list_ = spec.type.is_list();
    if (list_) sep_.clear();
    keep_nulls_ = spec.fn == "LIST";
    set_ = spec.fn == "COLLECT_SET";
  }
  void Resize(size_t g) override {
    if (rows_.size() < g) rows_.resize(g);
  }
  Status Update(const Column* arg, const uint32_t* gids, size_t n) override { return UpdateMore(arg, {}, gids, n); }
  Status UpdateMore(const Column* arg, const std::vector<const Column*>& more, const uint32_t* gids, size_t n) override {
    for (size_t i = 0; i < n; ++i) {
      if (arg->IsNull(i) && !keep_nulls_) continue;
      Entry e;
      if (list_) AppendListElement(*arg, i, &e.text);
      else e.text = std::string(arg->GetString(i));
      for (const Column* k : more) e.keys.push_back(ValueAt(*k, i));
      e.seq = seq_++;
      rows_[gids[i]].push_back(std::move(e));
    }
    return Status::OK();
  }
  Result<Column> Finish(size_t groups) override {
    Resize(groups);
    Column out(spec_.type);
    out.Reserve(groups);
    for (size_t g = 0; g < groups; ++g) {
      auto& rows = rows_[g];
      if (rows.empty() || null_sep_) {
        out.AppendNull();
        continue;
      }
      if (!spec_.order.empty() && rows[0].keys.size() == spec_.order.size()) {
        std::stable_sort(rows.begin(), rows.end(), [&](const Entry& a, const Entry& b) {
          for (size_t k = 0; k < spec_.order.size(); ++k) {
            const Value &x = a.keys[k], &y = b.keys[k];
            const SortKey& o = spec_.order[k];
            if (x.null != y.null) return x.null ? o.nulls_first : !o.nulls_first;
            if (x.null) continue;
            const int c = CompareValues(x, y);
            if (c != 0) return o.desc ? c > 0 : c < 0;
          }
          return false;
        });
      }
      std::string s;
      std::set<std::string_view> seen;  // COLLECT_SET
      for (size_t k = 0; k < rows.size(); ++k) {
        if (set_ && !seen.insert(rows[k].text).second) continue;
        if (k) s += sep_;
        s += rows[k].text;
      }
      total_ += s.size();
      if (total_ > UINT32_MAX)  // a column's strings are addressed by 32-bit offsets
        return Status::ResourceExhausted(spec_.fn + ": the results of the groups pass 4 GiB");
      out.AppendString(s);
    }
    return out;
  }

 private:
  struct Entry {
    std::vector<Value> keys;
    std::string text;
    uint64_t seq;
  };
  const AggregateSpec& spec_;
  bool null_sep_ = false;
  bool list_ = false, keep_nulls_ = false, set_ = false;
  uint64_t total_ = 0;  // bytes of the results so far
  std::string sep_;
  std::vector<std::vector<Entry>> rows_;
  uint64_t seq_ = 0;
};

// QUANTILE_CONT(x, q) (MEDIAN = q 0.5; PERCENTILE_CONT(q) WITHIN GROUP (ORDER BY x)): the value
// at position (n - 1) * q of the sorted non-NULL values, interpolated between its neighbours;
// QUANTILE_DISC: the value at floor((n - 1) * q)... as DuckDB: the smallest value whose
// position reaches q.
class QuantileState : public AggregateState {
 public:
  explicit QuantileState(const AggregateSpec& spec) : spec_(spec), disc_(spec.fn == "QUANTILE_DISC") {
    q_ = spec.params.empty() ? 0.5 : spec.params[0].d;
    desc_ = spec.params.size() > 1 && spec.params[1].i != 0;
    in_type_ = spec.arg->type;
  }
  void Resize(size_t g) override {
    if (vals_.size() < g) vals_.resize(g);
  }
  Status Update(const Column* arg, const uint32_t* gids, size_t n) override {
    for (size_t i = 0; i < n; ++i)
      if (!arg->IsNull(i)) vals_[gids[i]].push_back(ValueAt(*arg, i));
    return Status::OK();
  }
  Result<Column> Finish(size_t groups) override {
    Resize(groups);
    std::vector<std::optional<Value>> out(groups);
    for (size_t g = 0; g < groups; ++g) {
      auto& v = vals_[g];
      if (v.empty()) continue;
      std::sort(v.begin(), v.end(), [&](const Value& a, const Value& b) {
        return desc_ ? CompareValues(a, b) > 0 : CompareValues(a, b) < 0;
      });
      const double pos = static_cast<double>(v.size() - 1) * q_;
      if (disc_ || in_type_.id == TypeId::kString || in_type_.id == TypeId::kBoolean) {
        // As DuckDB: the value at max(1, n - floor(n - n * q)) - 1.
        const double n = static_cast<double>(v.size());
        const double k = std::max(1.0, n - std::floor(n - n * q_)) - 1;
        Value r = v[static_cast<size_t>(k)];
        r.type = spec_.type;
        out[g] = r;
        continue;
      }
      const size_t lo = static_cast<size_t>(std::floor(pos)), hi = static_cast<size_t>(std::ceil(pos));
      const double frac = pos - static_cast<double>(lo);
      Value r = Value::Null(spec_.type);
      r.null = false;
      if (spec_.type.id == TypeId::kDouble) {
        auto d = [&](const Value& x) {
          return in_type_.id == TypeId::kDouble ? x.d : static_cast<double>(x.i);
        };
        r.d = lo == hi ? d(v[lo]) : d(v[lo]) + frac * (d(v[hi]) - d(v[lo]));
      } else {
        // DECIMAL: exact ends, the fraction rounded half away from zero; DATE/TIMESTAMP: in
        // microseconds.
        int128 a = v[lo].i, b = v[hi].i;
        if (in_type_.id == TypeId::kDate) {
          a *= kMicrosPerDay;
          b *= kMicrosPerDay;
        }
        // As DuckDB interpolates: a DECIMAL's step truncated toward zero, a time's rounded.
        const long double step = static_cast<long double>(b - a) * frac;
        r.i = a + (in_type_.id == TypeId::kDecimal ? static_cast<int128>(step) : static_cast<int128>(std::llround(step)));
      }
      out[g] = r;
    }
    return ValuesColumn(spec_.type, out);
  }

 private:
  const AggregateSpec& spec_;
  bool disc_, desc_ = false;
  double q_;
  DataType in_type_;
  std::vector<std::vector<Value>> vals_;
};

// CORR, COVAR_POP, COVAR_SAMP, REGR_SLOPE, REGR_INTERCEPT, REGR_R2, REGR_COUNT over the rows where
// both arguments are non-NULL (y first for REGR_*, as in SQL), by Welford's updates.
class PairState : public AggregateState {
 public:
  explicit PairState(const AggregateSpec& spec) : spec_(spec) {}
  void Resize(size_t g) override {
    if (s_.size() < g) s_.resize(g);
  }
  Status Update(const Column* arg, const uint32_t* gids, size_t n) override { return UpdateMore(arg, {}, gids, n); }
  Status UpdateMore(const Column* arg, const std::vector<const Column*>& more, const uint32_t* gids, size_t n) override {
    const Column& y = *arg;
    const Column& x = *more[0];
    for (size_t i = 0; i < n; ++i) {
      if (y.IsNull(i) || x.IsNull(i)) continue;
      Moments& m = s_[gids[i]];
      const double a = y.Get<double>(i), b = x.Get<double>(i);
      m.n += 1;
      const double da = a - m.ma, db = b - m.mb;
      m.ma += da / m.n;
      m.mb += db / m.n;
      m.caa += da * (a - m.ma);
      m.cbb += db * (b - m.mb);
      m.cab += da * (b - m.mb);
    }
    return Status::OK();
  }
  Result<Column> Finish(size_t groups) override {
    Resize(groups);
    const std::string& f = spec_.fn;
    if (f == "REGR_COUNT") {
      Column out(DataType::Int64());
      int64_t* o = reinterpret_cast<int64_t*>(out.ResizeFixed(groups));
      for (size_t g = 0; g < groups; ++g) o[g] = static_cast<int64_t>(s_[g].n);
      return out;
    }
    std::vector<std::optional<Value>> out(groups);
    for (size_t g = 0; g < groups; ++g) {
      const Moments& m = s_[g];
      double v;
      if (m.n == 0) continue;
      if (f == "COVAR_POP") {
        v = m.cab / m.n;
      } else if (f == "COVAR_SAMP") {
        if (m.n < 2) continue;
        v = m.cab / (m.n - 1);
      } else if (f == "CORR") {
        v = m.cab / std::sqrt(m.caa * m.cbb);  // no variance: 0 / 0, NaN (as DuckDB)
      } else if (f == "REGR_SLOPE" || f == "REGR_INTERCEPT") {
        if (m.cbb == 0) continue;
        const double slope = m.cab / m.cbb;
        v = f == "REGR_SLOPE" ? slope : m.ma - slope * m.mb;
      } else {  // REGR_R2
        if (m.cbb == 0) continue;
        if (m.caa == 0) {
          v = 1;
        } else {
          const double r = m.cab / std::sqrt(m.caa * m.cbb);
          v = r * r;
        }
      }
      out[g] = Value::Double(v);
    }
    return ValuesColumn(DataType::Double(), out);
  }

 private:
  struct Moments {
    double n = 0, ma = 0, mb = 0, caa = 0, cbb = 0, cab = 0;
  };
  const AggregateSpec& spec_;
  std::vector<Moments> s_;
};

// APPROX_COUNT_DISTINCT: exact up to 256 distinct values a group, then a HyperLogLog of 2^12
// registers (about 1.6% standard error) over XXH64 of the value.
class ApproxDistinctState : public AggregateState {
 public:
  void Resize(size_t g) override {
    if (groups_.size() < g) groups_.resize(g);
  }
  Status Update(const Column* arg, const uint32_t* gids, size_t n) override {
    for (size_t i = 0; i < n; ++i) {
      if (arg->IsNull(i)) continue;
      uint64_t h;
      if (arg->type().physical() == PhysicalType::kString) {
        std::string_view s = arg->GetString(i);
        h = XXH64(s.data(), s.size(), 0x5eed);
      } else if (arg->type().physical() == PhysicalType::kDouble) {
        double d = arg->Get<double>(i);
        if (d == 0) d = 0;  // -0.0 and 0.0 are one value
        h = XXH64(&d, sizeof d, 0x5eed);
      } else {
        const int128 v = IntegerAt(*arg, i);
        h = XXH64(&v, sizeof v, 0x5eed);
      }
      Group& g = groups_[gids[i]];
      if (g.registers.empty()) {
        g.exact.insert(h);
        if (g.exact.size() > 256) {
          g.registers.assign(kRegisters, 0);
          for (uint64_t x : g.exact) Add(&g, x);
          g.exact.clear();
        }
      } else {
        Add(&g, h);
      }
    }
    return Status::OK();
  }
  Result<Column> Finish(size_t groups) override {
    Resize(groups);
    Column out(DataType::Int64());
    int64_t* o = reinterpret_cast<int64_t*>(out.ResizeFixed(groups));
    for (size_t g = 0; g < groups; ++g) o[g] = Estimate(groups_[g]);
    return out;
  }

 private:
  static constexpr int kBits = 12;
  static constexpr size_t kRegisters = size_t{1} << kBits;
  struct Group {
    std::unordered_set<uint64_t> exact;
    std::vector<uint8_t> registers;
  };
  static void Add(Group* g, uint64_t h) {
    const size_t r = h >> (64 - kBits);
    const uint64_t rest = (h << kBits) | (uint64_t{1} << (kBits - 1));
    const uint8_t rank = static_cast<uint8_t>(__builtin_clzll(rest) + 1);
    g->registers[r] = std::max(g->registers[r], rank);
  }
  static int64_t Estimate(const Group& g) {
    if (g.registers.empty()) return static_cast<int64_t>(g.exact.size());
    const double m = static_cast<double>(kRegisters);
    double sum = 0;
    size_t zeros = 0;
    for (uint8_t r : g.registers) {
      sum += std::ldexp(1.0, -r);
      zeros += r == 0;
    }
    double e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / static_cast<double>(zeros));  // linear counting
    return static_cast<int64_t>(std::llround(e));
  }
  std::vector<Group> groups_;
};

// A numeric argument converted to DOUBLE (the moments).
Status DoubleArgs(FunctionCall& c, size_t n) {
  for (size_t i = 0; i < n; ++i) WH_RETURN_IF_ERROR(c.ToDouble(i));
  return Status::OK();
}

// A constant quantile in [0, 1] (argument i).
Result<double> QuantileArg(FunctionCall& c, size_t i) {
  WH_ASSIGN_OR_RETURN(Value v, c.Constant(i, "quantile between 0 and 1"));
  double q;
  if (v.null) return c.ErrorAt(i, c.name() + " needs a quantile between 0 and 1, not NULL");
  if (v.type.id == TypeId::kDouble) q = v.d;
  else if (v.type.id == TypeId::kDecimal) q = static_cast<double>(v.i) / std::pow(10.0, v.type.scale);
  else if (IsIntegral(v.type)) q = static_cast<double>(v.i);
  else return c.ErrorAt(i, c.name() + " needs a quantile between 0 and 1");
  if (!(q >= 0 && q <= 1)) return c.ErrorAt(i, c.name() + " needs a quantile between 0 and 1");
  return q;
}

Status BindQuantile(FunctionCall& c, AggregateSpec* spec, bool disc, bool median) {
  WH_RETURN_IF_ERROR(c.Arity(median ? 1 : 2, median ? 1 : 2));
  double q = 0.5;
  if (!median) {
    WH_ASSIGN_OR_RETURN(q, QuantileArg(c, 1));
  }
  const DataType t = c.IsNull(0) ? DataType::Int32() : c.type(0);
  if (c.IsNull(0)) c.args[0] = MakeLiteral(Value::Null(t));
  spec->fn = disc || t.id == TypeId::kString || t.id == TypeId::kBoolean ? "QUANTILE_DISC" : "QUANTILE_CONT";
  if (spec->fn == "QUANTILE_DISC") {
    spec->type = t;
  } else if (IsIntegral(t) || t.id == TypeId::kDouble) {
    spec->type = DataType::Double();
  } else if (t.id == TypeId::kDecimal) {
    spec->type = t;
  } else if (IsTemporal(t)) {
    spec->type = DataType::Timestamp();
  } else {
    return c.ErrorAt(0, c.name() + " needs a number, date or timestamp, not " + t.ToString());
  }
  spec->arg = c.args[0];
  spec->params = {Value::Double(q)};
  return Status::OK();
}

std::vector<AggregateFunction> MakeCatalog() {
  std::vector<AggregateFunction> r;
  auto add = [&](std::string name, std::vector<std::string> aliases, std::string sig, std::string desc,
                 AggregateFunction::Bind bind, AggregateFunction::Make make, std::string combine = "",
                 bool ordered = false) {
    AggregateFunction f;
    f.name = std::move(name);
    f.aliases = std::move(aliases);
    f.signature = std::move(sig);
    f.description = std::move(desc);
    f.bind = std::move(bind);
    f.make = std::move(make);
    f.combine = std::move(combine);
    f.ordered = ordered;
    r.push_back(std::move(f));
  };
  // The aggregates the binder types and query/aggregate.cc computes.
  auto builtin = [&](std::string name, std::vector<std::string> aliases, std::string sig, std::string desc,
                     std::string combine, bool zero, bool windowable) {
    add(std::move(name), std::move(aliases), std::move(sig), std::move(desc), nullptr, nullptr, std::move(combine));
    r.back().zero_on_empty = zero;
    r.back().windowable = windowable;
  };
  builtin("COUNT", {}, "(*) | ([DISTINCT] x) -> BIGINT", "the number of rows, or of non-NULL values of x", "SUM",
          true, true);
  builtin("COUNT_STAR", {}, "", "", "SUM", true, true);
  builtin("SUM", {}, "([DISTINCT] x number) -> BIGINT | DECIMAL(38, s) | DOUBLE", "the sum, exact for integers and "
          "DECIMALs (an error on overflow)", "SUM", false, true);
  builtin("AVG", {"MEAN"}, "(x number) -> DOUBLE", "the mean", "", false, true);
  builtin("MIN", {}, "(x) -> type of x", "the smallest value", "MIN", false, true);
  builtin("MAX", {}, "(x) -> type of x", "the largest value", "MAX", false, true);
  builtin("FIRST", {"FIRST_VALUE"}, "(x) -> type of x", "the value of the first row (NULL or not)", "", false, false);
  builtin("ANY_VALUE", {"ARBITRARY"}, "(x) -> type of x", "some non-NULL value", "", false, false);
  builtin("STDDEV_SAMP", {"STDDEV"}, "(x number) -> DOUBLE", "the sample standard deviation", "", false, true);
  builtin("STDDEV_POP", {}, "(x number) -> DOUBLE", "the population standard deviation", "", false, true);
  builtin("VAR_SAMP", {"VARIANCE"}, "(x number) -> DOUBLE", "the sample variance", "", false, true);
  builtin("VAR_POP", {}, "(x number) -> DOUBLE", "the population variance", "", false, true);
  builtin("COUNT_IF", {}, "(condition BOOLEAN) -> BIGINT", "the number of rows where the condition is TRUE", "SUM",
          true, true);
  r.back().bind = [](FunctionCall& c, AggregateSpec* spec) -> Status {
    WH_RETURN_IF_ERROR(c.Arity(1, 1));
    if (c.IsNull(0)) c.args[0] = MakeLiteral(Value::Null(DataType::Boolean()));
    if (c.type(0).id != TypeId::kBoolean) return c.ErrorAt(0, "COUNT_IF needs a BOOLEAN condition, not " + c.type(0).ToString());
    // DuckDB's COUNT_IF is NULL over no rows (also when a FILTER keeps none): the SUM of 1 for
    // each TRUE row, 0 for the others. (COUNT(CASE WHEN c THEN 1 END), 0 over no rows, is the
    // planner's own COUNT_IF.)
    auto when = MakeNode(BExpr::kCase, DataType::Int64(),
                         {c.args[0], MakeLiteral(Value::Int(DataType::Int64(), 1)), MakeLiteral(Value::Int(DataType::Int64(), 0))});
    when->has_else = true;
    when->nullable = false;
    spec->fn = "SUM";
    spec->arg = when;
    spec->type = DataType::Int64();
    return Status::OK();
  };

  for (const char* name : {"BOOL_AND", "BOOL_OR"}) {
    const bool all = std::string(name) == "BOOL_AND";
    add(name, all ? std::vector<std::string>{"EVERY"} : std::vector<std::string>{"BOOL_OR_AGG"},
        "(x BOOLEAN) -> BOOLEAN", all ? "TRUE when every non-NULL x is TRUE" : "TRUE when some x is TRUE",
        [](FunctionCall& c, AggregateSpec* spec) -> Status {
          WH_RETURN_IF_ERROR(c.Arity(1, 1));
          if (c.IsNull(0)) c.args[0] = MakeLiteral(Value::Null(DataType::Boolean()));
          if (c.type(0).id != TypeId::kBoolean) return c.ErrorAt(0, c.name() + " needs a BOOLEAN, not " + c.type(0).ToString());
          spec->arg = c.args[0];
          spec->type = DataType::Boolean();
          return Status::OK();
        },
        [all](const AggregateSpec&) { return std::make_unique<BoolState>(all); }, name);
  }
  for (const char* name : {"ARG_MAX", "ARG_MIN"}) {
    const bool max = std::string(name) == "ARG_MAX";
    add(name, max ? std::vector<std::string>{"MAX_BY", "ARGMAX"} : std::vector<std::string>{"MIN_BY", "ARGMIN"},
        "(x, key) -> type of x", max ? "x of the row with the largest key" : "x of the row with the smallest key",
        [](FunctionCall& c, AggregateSpec* spec) -> Status {
          WH_RETURN_IF_ERROR(c.Arity(2, 2));
          for (size_t i = 0; i < 2; ++i)
            if (c.IsNull(i)) c.args[i] = MakeLiteral(Value::Null(DataType::Int32()));
          spec->arg = c.args[0];
          spec->more = {c.args[1]};
          spec->type = c.type(0);
          return Status::OK();
        },
        [](const AggregateSpec& s) { return std::make_unique<ArgState>(s); });
  }
  add("STRING_AGG", {"LISTAGG", "GROUP_CONCAT"}, "(x STRING [, separator STRING constant] [ORDER BY ...]) -> STRING",
      "the non-NULL values joined by the separator (default ','), in the ORDER BY's order",
      [](FunctionCall& c, AggregateSpec* spec) -> Status {
        WH_RETURN_IF_ERROR(c.Arity(1, 2));
        WH_RETURN_IF_ERROR(c.ToString(0));
        spec->arg = c.args[0];
        if (c.size() > 1) {
          WH_RETURN_IF_ERROR(c.ToString(1));
          WH_ASSIGN_OR_RETURN(Value sep, c.Constant(1, "separator"));
          spec->params = {sep};
        }
        spec->type = DataType::String();
        return Status::OK();
      },
      [](const AggregateSpec& s) { return std::make_unique<StringAggState>(s); }, "", true);
  for (const char* name : {"LIST", "COLLECT_LIST", "COLLECT_SET"}) {
    const std::string n = name;
    add(name, n == "LIST" ? std::vector<std::string>{"ARRAY_AGG"} : std::vector<std::string>{},
        "(x [ORDER BY ...]) -> list",
        n == "LIST" ? "the values of x as a list, NULLs included, in the ORDER BY's order"
        : n == "COLLECT_LIST" ? "the non-NULL values of x as a list (Spark's), in the ORDER BY's order"
                              : "the distinct non-NULL values of x as a list (Spark's)",
        [](FunctionCall& c, AggregateSpec* spec) -> Status {
          WH_RETURN_IF_ERROR(c.Arity(1, 1));
          if (c.IsNull(0)) c.args[0] = MakeLiteral(Value::Null(DataType::Int32()));
          if (c.type(0).is_list()) return c.ErrorAt(0, c.name() + ": lists do not nest (x is " + c.type(0).ToString() + ")");
          spec->arg = c.args[0];
          spec->type = DataType::List(c.type(0));
          return Status::OK();
        },
        [](const AggregateSpec& s) { return std::make_unique<StringAggState>(s); }, "", true);
  }
  add("MEDIAN", {}, "(x) -> DOUBLE | DECIMAL | TIMESTAMP (strings: a value of x)",
      "QUANTILE_CONT(x, 0.5): the middle value, or the mean of the two middle ones",
      [](FunctionCall& c, AggregateSpec* spec) { return BindQuantile(c, spec, false, true); },
      [](const AggregateSpec& s) { return std::make_unique<QuantileState>(s); });
  add("QUANTILE_CONT", {"PERCENTILE_CONT"}, "(x, q constant) -> DOUBLE | DECIMAL | TIMESTAMP",
      "the q-quantile, interpolated between the two nearest values; also PERCENTILE_CONT(q) WITHIN GROUP (ORDER BY x)",
      [](FunctionCall& c, AggregateSpec* spec) { return BindQuantile(c, spec, false, false); },
      [](const AggregateSpec& s) { return std::make_unique<QuantileState>(s); });
  add("QUANTILE_DISC", {"PERCENTILE_DISC", "QUANTILE"}, "(x, q constant) -> type of x",
      "the q-quantile: a value of x; also PERCENTILE_DISC(q) WITHIN GROUP (ORDER BY x)",
      [](FunctionCall& c, AggregateSpec* spec) { return BindQuantile(c, spec, true, false); },
      [](const AggregateSpec& s) { return std::make_unique<QuantileState>(s); });
  for (const char* name : {"CORR", "COVAR_POP", "COVAR_SAMP", "REGR_SLOPE", "REGR_INTERCEPT", "REGR_R2", "REGR_COUNT"}) {
    const std::string n = name;
    add(n, {}, n == "REGR_COUNT" ? "(y, x number) -> BIGINT" : "(y, x number) -> DOUBLE",
        n == "CORR"         ? "the correlation coefficient of the pairs where both are non-NULL"
        : n == "COVAR_POP"  ? "the population covariance"
        : n == "COVAR_SAMP" ? "the sample covariance"
        : n == "REGR_SLOPE" ? "the slope of the least-squares line of y on x"
        : n == "REGR_INTERCEPT" ? "the intercept of the least-squares line of y on x"
        : n == "REGR_R2"    ? "the coefficient of determination of the line"
                            : "the number of pairs where both are non-NULL",
        [n](FunctionCall& c, AggregateSpec* spec) -> Status {
          WH_RETURN_IF_ERROR(c.Arity(2, 2));
          WH_RETURN_IF_ERROR(DoubleArgs(c, 2));
          spec->arg = c.args[0];
          spec->more = {c.args[1]};
          spec->type = n == "REGR_COUNT" ? DataType::Int64() : DataType::Double();
          return Status::OK();
        },
        [](const AggregateSpec& s) { return std::make_unique<PairState>(s); });
    if (n == "REGR_COUNT") r.back().zero_on_empty = true;
  }
  add("APPROX_COUNT_DISTINCT", {}, "(x) -> BIGINT",
      "about the number of distinct non-NULL values: exact up to 256 a group, then HyperLogLog (~1.6% error)",
      [](FunctionCall& c, AggregateSpec* spec) -> Status {
        WH_RETURN_IF_ERROR(c.Arity(1, 1));
        if (c.IsNull(0)) c.args[0] = MakeLiteral(Value::Null(DataType::Int32()));
        spec->arg = c.args[0];
        spec->type = DataType::Int64();
        return Status::OK();
      },
      [](const AggregateSpec&) { return std::make_unique<ApproxDistinctState>(); });
  r.back().zero_on_empty = true;
  return r;
}

struct Catalog {
  std::vector<AggregateFunction> functions;
  std::map<std::string, const AggregateFunction*> by_name;
};

const Catalog& TheCatalog() {
  static const Catalog* c = [] {
    auto* cat = new Catalog;
    cat->functions = MakeCatalog();
    for (const auto& f : cat->functions) {
      cat->by_name.emplace(f.name, &f);
      for (const auto& a : f.aliases) cat->by_name.emplace(a, &f);
    }
    return cat;
  }();
  return *c;
}

}  // namespace

const AggregateFunction* FindAggregateFunction(const std::string& upper_name) {
  const auto& c = TheCatalog();
  auto it = c.by_name.find(upper_name);
  return it == c.by_name.end() ? nullptr : it->second;
}

std::vector<const AggregateFunction*> AggregateFunctions() {
  std::vector<const AggregateFunction*> out;
  for (const auto& f : TheCatalog().functions)
    if (!f.signature.empty()) out.push_back(&f);
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) { return a->name < b->name; });
  return out;
}

}  // namespace wh
