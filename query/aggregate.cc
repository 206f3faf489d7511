#include "query/aggregate.h"

#include "query/function/aggregate_catalog.h"

#include <cmath>
#include <cstring>

#include "query/hash_table.h"

namespace wh {

namespace {


Column Int64Result(const std::vector<int64_t>& v, size_t groups) {
  Column c(DataType::Int64());
  int64_t* o = reinterpret_cast<int64_t*>(c.ResizeFixed(groups));
  for (size_t g = 0; g < groups; ++g) o[g] = v[g];
  return c;
}

// COUNT_IF(c): rows where the BOOLEAN c is TRUE.
class CountIfState : public AggregateState {
 public:
  void Resize(size_t g) override {
    if (counts_.size() < g) counts_.resize(g, 0);
  }
  Status Update(const Column* arg, const uint32_t* gids, size_t n) override {
    const uint8_t* v = arg->values<uint8_t>();
    if (arg->has_nulls()) {
      const uint8_t* valid = arg->validity().data();
      for (size_t i = 0; i < n; ++i) counts_[gids[i]] += v[i] & valid[i];
    } else {
      for (size_t i = 0; i < n; ++i) counts_[gids[i]] += v[i];
    }
    return Status::OK();
  }
  Result<Column> Finish(size_t groups) override {
    Resize(groups);
    Column c(DataType::Int64());
    int64_t* o = reinterpret_cast<int64_t*>(c.ResizeFixed(groups));
    for (size_t g = 0; g < groups; ++g) o[g] = counts_[g];
    return c;
  }

 private:
  std::vector<int64_t> counts_;
};

class CountState : public AggregateState {
 public:
  explicit CountState(bool star) : star_(star) {}
  void Resize(size_t g) override {
    if (counts_.size() < g) counts_.resize(g, 0);
  }
  Status Update(const Column* arg, const uint32_t* gids, size_t n) override {
    if (star_ || !arg->has_nulls()) {
      for (size_t i = 0; i < n; ++i) counts_[gids[i]]++;
    } else {
      const uint8_t* valid = arg->validity().data();
      for (size_t i = 0; i < n; ++i) counts_[gids[i]] += valid[i];
    }
    return Status::OK();
  }
  Result<Column> Finish(size_t groups) override {
    Resize(groups);
    return Int64Result(counts_, groups);
  }

 private:
  bool star_;
  std::vector<int64_t> counts_;
};

// SUM and AVG over integer-like values (exact, 128-bit), SUM/AVG of DOUBLE.
class SumState : public AggregateState {
 public:
  SumState(const AggregateSpec& spec, bool avg) : spec_(spec), avg_(avg) {
    const PhysicalType p = spec_.arg->type.physical();
    narrow_ = p == PhysicalType::kInt64 || p == PhysicalType::kInt32;
  }
  void Resize(size_t g) override {
    if (narrow_) {
      if (acc_.size() < g) acc_.resize(g, Acc{0, 0});
      if (!sums_.empty() && sums_.size() < g) sums_.resize(g, 0);
      return;
    }
    if (counts_.size() < g) {
      counts_.resize(g, 0);
      if (is_double()) dsums_.resize(g, 0);
      else sums_.resize(g, 0);
    }
  }
  Status Update(const Column* arg, const uint32_t* gids, size_t n) override {
    const bool nulls = arg->has_nulls();
    const uint8_t* valid = nulls ? arg->validity().data() : nullptr;
    if (is_double()) {
      const double* v = arg->values<double>();
      for (size_t i = 0; i < n; ++i) {
        if (nulls && !valid[i]) continue;
        dsums_[gids[i]] += v[i];
        counts_[gids[i]]++;
      }
      return Status::OK();
    }
    bool overflow = false;
    const PhysicalType p = arg->type().physical();
    if (narrow_ && (p == PhysicalType::kInt64 || p == PhysicalType::kInt32)) {
      // A 64-bit sum and the count side by side (one cache line per row); a sum about to
      // overflow moves into the group's 128-bit spill first.
      // A NULL row adds 0 and counts 0 rather than being skipped: no branch on validity, which
      // a CASE WHEN argument makes a coin flip per row.
      Acc* acc = acc_.data();
      // (Forced inline: GCC otherwise may call it per row.)
      auto add = [&](uint32_t g, int64_t x, int64_t one) __attribute__((always_inline)) {
        int64_t r;
        if (__builtin_add_overflow(acc[g].sum, x, &r)) {
          if (sums_.size() < acc_.size()) sums_.resize(acc_.size(), 0);
          overflow |= __builtin_add_overflow(sums_[g], static_cast<int128>(acc[g].sum), &sums_[g]);
          r = x;
        }
        acc[g].sum = r;
        acc[g].count += one;
      };
      // (The value is masked, not picked: compilers turn valid[i] ? v[i] : 0 into a branch.)
      if (p == PhysicalType::kInt64) {
        const int64_t* v = arg->values<int64_t>();
        if (nulls) {
          for (size_t i = 0; i < n; ++i) add(gids[i], v[i] & -static_cast<int64_t>(valid[i]), valid[i]);
        } else {
          for (size_t i = 0; i < n; ++i) add(gids[i], v[i], 1);
        }
      } else {
        const int32_t* v = arg->values<int32_t>();
        if (nulls) {
          for (size_t i = 0; i < n; ++i) add(gids[i], v[i] & -static_cast<int64_t>(valid[i]), valid[i]);
        } else {
          for (size_t i = 0; i < n; ++i) add(gids[i], v[i], 1);
        }
      }
    } else if (narrow_) {  // (not expected: the argument's type is the spec's) into the spill
      if (sums_.size() < acc_.size()) sums_.resize(acc_.size(), 0);
      for (size_t i = 0; i < n; ++i) {
        if (nulls && !valid[i]) continue;
        overflow |= __builtin_add_overflow(sums_[gids[i]], IntegerAt(*arg, i), &sums_[gids[i]]);
        acc_[gids[i]].count++;
      }
    } else if (p == PhysicalType::kInt128) {  // DECIMAL(p > 18): no per-row type dispatch
      const int128* v = arg->values<int128>();
      if (nulls) {  // NULL rows add 0 and count 0, without a branch
        for (size_t i = 0; i < n; ++i) {
          overflow |= __builtin_add_overflow(sums_[gids[i]], v[i] & -static_cast<int128>(valid[i]), &sums_[gids[i]]);
          counts_[gids[i]] += valid[i];
        }
      } else {
        for (size_t i = 0; i < n; ++i) {
          overflow |= __builtin_add_overflow(sums_[gids[i]], v[i], &sums_[gids[i]]);
          counts_[gids[i]]++;
        }
      }
    } else {
      for (size_t i = 0; i < n; ++i) {
        if (nulls && !valid[i]) continue;
        overflow |= __builtin_add_overflow(sums_[gids[i]], IntegerAt(*arg, i), &sums_[gids[i]]);
        counts_[gids[i]]++;
      }
    }
    if (overflow) return Status::InvalidArgument(spec_.fn + " overflowed 128 bits");
    return Status::OK();
  }
  Result<Column> Finish(size_t groups) override {
    Resize(groups);
    Column c(spec_.type);
    uint8_t* base = c.ResizeFixed(groups);
    std::vector<uint8_t> valid(groups, 1);
    bool nulls = false;
    const int w = spec_.type.width();
    const SumWriter writer(spec_, avg_);
    const bool dbl = is_double();
    for (size_t g = 0; g < groups; ++g) {
      const int64_t count = narrow_ ? acc_[g].count : counts_[g];
      if (count == 0) {
        valid[g] = 0;
        nulls = true;
        continue;
      }
      int128 sum = 0;
      if (narrow_) {
        sum = acc_[g].sum;
        if (!sums_.empty() && __builtin_add_overflow(sum, sums_[g], &sum))
          return Status::InvalidArgument(spec_.fn + " overflowed 128 bits");
      } else if (!dbl) {
        sum = sums_[g];
      }
      WH_RETURN_IF_ERROR(writer.Write(sum, dbl ? dsums_[g] : 0, count, base + g * w));
    }
    if (nulls) c.SetValidity(std::move(valid));
    return c;
  }

 private:
  struct Acc {
    int64_t sum;
    int64_t count;
  };
  bool is_double() const { return spec_.arg->type.id == TypeId::kDouble; }
  AggregateSpec spec_;
  bool avg_;
  bool narrow_;  // 32/64-bit integer arguments: acc_, with sums_ as the spill
  std::vector<Acc> acc_;
  std::vector<int128> sums_;
  std::vector<double> dsums_;
  std::vector<int64_t> counts_;
};

// MIN, MAX, FIRST (the first row's value, NULL included), ANY_VALUE (the first non-NULL).
class PickState : public AggregateState {
 public:
  explicit PickState(const AggregateSpec& spec) : spec_(spec) {}
  void Resize(size_t g) override {
    if (set_.size() >= g) return;
    set_.resize(g, 0);
    valid_.resize(g, 0);
    if (spec_.type.physical() == PhysicalType::kString) strings_.resize(g);
    else raw_.resize(g * spec_.type.width(), 0);
  }
  Status Update(const Column* arg, const uint32_t* gids, size_t n) override {
    const std::string& fn = spec_.fn;
    for (size_t i = 0; i < n; ++i) {
      uint32_t g = gids[i];
      if (fn == "FIRST") {
        if (set_[g]) continue;
        set_[g] = 1;
        if (!arg->IsNull(i)) Store(g, *arg, i);
        continue;
      }
      if (arg->IsNull(i)) continue;
      if (!set_[g]) {
        set_[g] = 1;
        Store(g, *arg, i);
        continue;
      }
      if (fn == "ANY_VALUE") continue;
      int c = CompareTo(g, *arg, i);
      if (fn == "MIN" ? c > 0 : c < 0) Store(g, *arg, i);
    }
    return Status::OK();
  }
  Result<Column> Finish(size_t groups) override {
    Resize(groups);
    Column out(spec_.type);
    if (spec_.type.physical() == PhysicalType::kString) {
      out.Reserve(groups);
      for (size_t g = 0; g < groups; ++g) {
        if (valid_[g]) out.AppendString(strings_[g]);
        else out.AppendNull();
      }
      return out;
    }
    uint8_t* dst = out.ResizeFixed(groups);
    if (groups) std::memcpy(dst, raw_.data(), groups * spec_.type.width());
    bool all = true;
    for (size_t g = 0; g < groups; ++g) all = all && valid_[g];
    if (!all) out.SetValidity(std::vector<uint8_t>(valid_.begin(), valid_.begin() + groups));
    return out;
  }

 private:
  void Store(uint32_t g, const Column& arg, size_t i) {
    valid_[g] = 1;
    if (spec_.type.physical() == PhysicalType::kString) {
      strings_[g].assign(arg.GetString(i));
      return;
    }
    int w = spec_.type.width();
    std::memcpy(raw_.data() + static_cast<size_t>(g) * w, arg.values<uint8_t>() + i * w, w);
  }
  int128 Stored(uint32_t g) const {
    const uint8_t* p = raw_.data() + static_cast<size_t>(g) * spec_.type.width();
    switch (spec_.type.physical()) {
      case PhysicalType::kBool: return *p;
      case PhysicalType::kInt32: { int32_t v; std::memcpy(&v, p, 4); return v; }
      case PhysicalType::kInt64: { int64_t v; std::memcpy(&v, p, 8); return v; }
      case PhysicalType::kInt128: { int128 v; std::memcpy(&v, p, 16); return v; }
      default: return 0;
    }
  }
  // Sign of (stored value of g) - (arg row i).
  int CompareTo(uint32_t g, const Column& arg, size_t i) const {
    switch (spec_.type.physical()) {
      case PhysicalType::kString: return strings_[g].compare(arg.GetString(i)) < 0 ? -1 : strings_[g] == arg.GetString(i) ? 0 : 1;
      case PhysicalType::kDouble: {
        double a, b = arg.Get<double>(i);
        std::memcpy(&a, raw_.data() + static_cast<size_t>(g) * 8, 8);
        return a < b ? -1 : a > b ? 1 : 0;
      }
      default: {
        int128 a = Stored(g), b = IntegerAt(arg, i);
        return a < b ? -1 : a > b ? 1 : 0;
      }
    }
  }

  AggregateSpec spec_;
  std::vector<uint8_t> set_;
  std::vector<uint8_t> valid_;
  std::vector<uint8_t> raw_;  // fixed-width values per group
  std::vector<std::string> strings_;
};

// STDDEV / VARIANCE (sample and population) with Welford's algorithm.
class MomentState : public AggregateState {
 public:
  explicit MomentState(const AggregateSpec& spec) : spec_(spec) {}
  void Resize(size_t g) override {
    if (n_.size() < g) {
      n_.resize(g, 0);
      mean_.resize(g, 0);
      m2_.resize(g, 0);
    }
  }
  Status Update(const Column* arg, const uint32_t* gids, size_t n) override {
    const int scale = arg->type().id == TypeId::kDecimal ? arg->type().scale : 0;
    const double div = std::pow(10.0, scale);
    for (size_t i = 0; i < n; ++i) {
      if (arg->IsNull(i)) continue;
      double x = arg->type().id == TypeId::kDouble ? arg->Get<double>(i)
                                                   : static_cast<double>(IntegerAt(*arg, i)) / div;
      uint32_t g = gids[i];
      n_[g]++;
      double d = x - mean_[g];
      mean_[g] += d / static_cast<double>(n_[g]);
      m2_[g] += d * (x - mean_[g]);
    }
    return Status::OK();
  }
  Result<Column> Finish(size_t groups) override {
    Resize(groups);
    Column c(DataType::Double());
    double* o = reinterpret_cast<double*>(c.ResizeFixed(groups));
    std::vector<uint8_t> valid(groups, 1);
    bool nulls = false;
    for (size_t g = 0; g < groups; ++g) {
      o[g] = 0;
      if (!MomentValue(spec_.fn, n_[g], m2_[g], &o[g])) {
        valid[g] = 0;
        nulls = true;
      }
    }
    if (nulls) c.SetValidity(std::move(valid));
    return c;
  }

 private:
  AggregateSpec spec_;
  std::vector<int64_t> n_;
  std::vector<double> mean_, m2_;
};

// DISTINCT: only the first occurrence of each (group, value) reaches the inner state.
class DistinctState : public AggregateState {
 public:
  // Each value is numbered (values_). Which (group, value number) pairs were seen is kept as a
  // bitmap per group while groups x values stays small (per-bucket DAU: 365 days x a few
  // thousand users fits in L2), else as the keys of a hash table of the pair packed in a BIGINT.
  // count: the inner state is COUNT, which reads only whether each value is NULL.
  DistinctState(std::unique_ptr<AggregateState> inner, DataType type, bool count)
      : inner_(std::move(inner)), count_(count), values_({type}), seen_({DataType::Int64()}) {}
  void Resize(size_t g) override { inner_->Resize(g); }
  Status Update(const Column* arg, const uint32_t* gids, size_t n) override {
    std::vector<uint32_t> vids(n);
    values_.FindOrInsert({arg}, n, vids.data());
    std::vector<uint32_t> fresh;
    std::vector<uint32_t> fresh_gids;
    size_t i = 0;
    for (; i < n && bitmaps_; ++i) {
      if (gids[i] >= bits_.size()) bits_.resize(gids[i] + size_t{1});
      std::vector<uint64_t>& b = bits_[gids[i]];
      const size_t word = vids[i] >> 6;
      if (word >= b.size()) {
        const size_t old = b.size();
        b.resize(std::max(word + 1, old * 2));
        words_ += b.size() - old;
      }
      const uint64_t bit = uint64_t{1} << (vids[i] & 63);
      if (!(b[word] & bit)) {
        b[word] |= bit;
        fresh.push_back(static_cast<uint32_t>(i));
        fresh_gids.push_back(gids[i]);
      }
      if (words_ > kMaxBitmapWords) ToHashTable();  // the rest of the batch goes below
    }
    if (i < n) {
      const size_t m = n - i;
      Column packed = Packed(gids + i, vids.data() + i, m);
      std::vector<uint32_t> ids(m);
      size_t before = seen_.size();
      seen_.FindOrInsert({&packed}, m, ids.data());
      // A new (group, value) gets an id >= before; within this batch the first row with it wins.
      std::vector<uint8_t> taken(seen_.size() - before, 0);
      for (size_t k = 0; k < m; ++k) {
        if (ids[k] < before || taken[ids[k] - before]) continue;
        taken[ids[k] - before] = 1;
        fresh.push_back(static_cast<uint32_t>(i + k));
        fresh_gids.push_back(gids[i + k]);
      }
    }
    if (fresh.empty()) return Status::OK();
    if (count_) {
      // COUNT is given the first rows' NULLs only, not a copy of their values.
      Column nulls(DataType::Boolean());
      nulls.ResizeFixed(fresh.size());
      if (arg->has_nulls()) {
        std::vector<uint8_t> valid(fresh.size());
        for (size_t k = 0; k < fresh.size(); ++k) valid[k] = !arg->IsNull(fresh[k]);
        nulls.SetValidity(std::move(valid));
      }
      return inner_->Update(&nulls, fresh_gids.data(), fresh.size());
    }
    Column sub(arg->type());
    sub.AppendSelected(*arg, fresh.data(), fresh.size());
    return inner_->Update(&sub, fresh_gids.data(), fresh.size());
  }
  Result<Column> Finish(size_t groups) override { return inner_->Finish(groups); }

 private:
  static constexpr size_t kMaxBitmapWords = size_t{1} << 20;  // 8 MiB of bits

  static Column Packed(const uint32_t* gids, const uint32_t* vids, size_t n) {
    Column packed(DataType::Int64());
    int64_t* pv = reinterpret_cast<int64_t*>(packed.ResizeFixed(n));
    for (size_t i = 0; i < n; ++i) pv[i] = static_cast<int64_t>((uint64_t{gids[i]} << 32) | vids[i]);
    return packed;
  }

  // Too many groups x values for bitmaps: their pairs move to the hash table.
  void ToHashTable() {
    std::vector<uint32_t> g, v;
    for (size_t grp = 0; grp < bits_.size(); ++grp)
      for (size_t w = 0; w < bits_[grp].size(); ++w)
        for (uint64_t x = bits_[grp][w]; x; x &= x - 1) {
          g.push_back(static_cast<uint32_t>(grp));
          v.push_back(static_cast<uint32_t>(w * 64 + __builtin_ctzll(x)));
        }
    Column packed = Packed(g.data(), v.data(), g.size());
    std::vector<uint32_t> ids(g.size());
    seen_.FindOrInsert({&packed}, g.size(), ids.data());
    bits_.clear();
    bits_.shrink_to_fit();
    bitmaps_ = false;
  }

  std::unique_ptr<AggregateState> inner_;
  bool count_;
  KeyTable values_;
  bool bitmaps_ = true;
  std::vector<std::vector<uint64_t>> bits_;  // per group, bit v = value number v seen
  size_t words_ = 0;
  KeyTable seen_;
};

}  // namespace

SumWriter::SumWriter(const AggregateSpec& spec, bool avg)
    : spec_(&spec),
      avg_(avg),
      is_double_(spec.arg->type.id == TypeId::kDouble),
      scale_(spec.arg->type.id == TypeId::kDecimal ? spec.arg->type.scale : 0) {
  for (int i = 0; i < scale_; ++i) scale_factor_ *= 10;
  switch (spec.type.id) {
    case TypeId::kDouble: out_ = Out::kDouble; break;
    case TypeId::kInt64: out_ = Out::kBigint; break;
    default:  // DECIMAL(38, s)
      out_ = spec.type.physical() == PhysicalType::kInt128 ? Out::kDecimal128 : Out::kDecimal64;
      limit_ = Pow10(spec.type.precision);
  }
}

Status SumWriter::BigintOverflow(int128 sum) const {
  return Status::InvalidArgument("overflow: SUM(" + spec_->arg->ToString() + ") = " + FormatInt128(sum) +
                                 " does not fit in BIGINT (CAST the argument to DECIMAL(38,0))");
}

Status SumWriter::DecimalOverflow() const {
  return Status::InvalidArgument("overflow: SUM exceeds " + spec_->type.ToString());
}

bool MomentValue(const std::string& fn, int64_t n, double m2, double* out) {
  const bool sample = fn == "STDDEV_SAMP" || fn == "VAR_SAMP";
  int64_t dof = n - (sample ? 1 : 0);
  if (n == 0 || dof <= 0) return false;
  double var = m2 / static_cast<double>(dof);
  *out = fn.rfind("STDDEV", 0) == 0 ? std::sqrt(var) : var;
  return true;
}

std::unique_ptr<AggregateState> MakeAggregateState(const AggregateSpec& spec) {
  std::unique_ptr<AggregateState> s;
  const std::string& fn = spec.fn;
  if (fn == "COUNT_STAR") s = std::make_unique<CountState>(true);
  else if (fn == "COUNT") s = std::make_unique<CountState>(false);
  else if (fn == "COUNT_IF") s = std::make_unique<CountIfState>();
  else if (fn == "SUM") s = std::make_unique<SumState>(spec, false);
  else if (fn == "AVG") s = std::make_unique<SumState>(spec, true);
  else if (fn == "MIN" || fn == "MAX" || fn == "FIRST" || fn == "ANY_VALUE") s = std::make_unique<PickState>(spec);
  else if (const AggregateFunction* f = FindAggregateFunction(fn); f && f->make) s = f->make(spec);
  else s = std::make_unique<MomentState>(spec);
  if (spec.distinct && spec.arg) s = std::make_unique<DistinctState>(std::move(s), spec.arg->type, fn == "COUNT");
  return s;
}

CountEqualsState::CountEqualsState(std::vector<std::string> literals)
    : literals_(std::move(literals)), stride_(literals_.size() + 1) {}

void CountEqualsState::Resize(size_t groups) {
  if (counts_.size() < groups * stride_) counts_.resize(groups * stride_, 0);
}

uint32_t CountEqualsState::SlotOf(std::string_view v) const {
  for (size_t k = 0; k < literals_.size(); ++k)
    if (literals_[k] == v) return static_cast<uint32_t>(k);
  return static_cast<uint32_t>(literals_.size());
}

void CountEqualsState::Update(const Column& x, const uint32_t* gids, size_t n) {
  int64_t* counts = counts_.data();
  const uint8_t* valid = x.has_nulls() ? x.validity().data() : nullptr;
  const uint32_t other = static_cast<uint32_t>(literals_.size());
  if (x.is_dictionary()) {
    const Column& dict = x.dictionary();
    entry_slot_.resize(dict.size());
    for (size_t e = 0; e < dict.size(); ++e) entry_slot_[e] = SlotOf(dict.GetString(e));
    const uint32_t* codes = x.codes();
    const uint32_t* slot = entry_slot_.data();
    if (valid) {
      for (size_t i = 0; i < n; ++i) counts[gids[i] * stride_ + (valid[i] ? slot[codes[i]] : other)]++;
    } else {
      for (size_t i = 0; i < n; ++i) counts[gids[i] * stride_ + slot[codes[i]]]++;
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) counts[gids[i] * stride_ + (valid && !valid[i] ? other : SlotOf(x.GetString(i)))]++;
}

std::vector<Column> CountEqualsState::Finish(size_t groups) {
  Resize(groups);
  const size_t k = literals_.size();
  std::vector<Column> out(k, Column(DataType::Int64()));
  std::vector<int64_t*> o(k);
  for (size_t j = 0; j < k; ++j) o[j] = reinterpret_cast<int64_t*>(out[j].ResizeFixedForWrite(groups));
  for (size_t g = 0; g < groups; ++g)  // one pass over the groups' counters, front to back
    for (size_t j = 0; j < k; ++j) o[j][g] = counts_[g * stride_ + j];
  return out;
}

}  // namespace wh
