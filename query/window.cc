// Window functions. The operator collects its input, and for each window function orders the
// rows by (PARTITION BY, ORDER BY) - functions with the same window share one ordering - then
// walks each partition in that order. Ranking and offset functions are one pass. Aggregates
// over a frame take one of three paths: the whole partition (one pass of the GROUP BY state,
// the partition as the group), a frame anchored at the partition's start or end (running accumulators, forwards
// or backwards), or a sliding frame of bounded width (each row's frame rows fed to the same
// aggregate states GROUP BY uses, with the row as the group). Results go back to the input order.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <optional>

#include "format/thread.h"
#include "query/aggregate.h"
#include "query/function/aggregate_catalog.h"
#include "query/exec.h"
#include "query/hash_table.h"

namespace wh {

namespace {

constexpr uint32_t kNoRow = UINT32_MAX;

// Rows a and b hold equal values in every column (NULL equals NULL).
bool SameValues(const std::vector<Column>& cols, uint32_t a, uint32_t b) {
  for (const Column& c : cols) {
    bool an = c.IsNull(a), bn = c.IsNull(b);
    if (an != bn) return false;
    if (!an && CompareRows(c, a, b) != 0) return false;
  }
  return true;
}

// The rows in window order and, per sorted position, its partition and peer group bounds.
struct Ordering {
  std::vector<uint32_t> perm;                  // sorted position -> input row
  std::vector<uint32_t> part_start, part_end;  // per sorted position (end exclusive)
  std::vector<uint32_t> peer_start, peer_end;
  size_t partitions = 0;
  std::vector<uint32_t> part_index;  // per sorted position
  // While a function with a RANGE offset frame is computed: each sorted position's frame.
  mutable const std::vector<int64_t>* range_first = nullptr;
  mutable const std::vector<int64_t>* range_last = nullptr;
};

// An order-preserving unsigned image of an integer-like value (ascending), for flat sorts.
uint64_t Biased(int64_t v) { return static_cast<uint64_t>(v) ^ (uint64_t{1} << 63); }

bool IntegerLike(const Column& c) {
  PhysicalType p = c.type().physical();
  return p == PhysicalType::kBool || p == PhysicalType::kInt32 || p == PhysicalType::kInt64;
}

Result<Ordering> Order(const WindowSpec& spec, const Batch& in) {
  const size_t n = in.rows;
  Ordering ord;
  // Partitions are numbered by a hash table (only grouping matters, not their order), so the
  // sort compares small integers instead of the PARTITION BY values.
  std::vector<uint32_t> pid(n, 0);
  if (!spec.partition.empty()) {
    std::vector<Column> pcols;
    std::vector<DataType> types;
    for (const auto& p : spec.partition) {
      WH_ASSIGN_OR_RETURN(Column c, Evaluate(*p, in));
      types.push_back(c.type());
      pcols.push_back(std::move(c));
    }
    KeyTable table(types);
    std::vector<const Column*> ptrs;
    for (const auto& c : pcols) ptrs.push_back(&c);
    table.FindOrInsert(ptrs, n, pid.data());
  }
  std::vector<Column> ocols;
  for (const auto& o : spec.order) {
    WH_ASSIGN_OR_RETURN(Column c, Evaluate(*o.expr, in));
    ocols.push_back(std::move(c));
  }
  // Sorted position k's peer key, for the peer groups: equal keys (and partition) are peers.
  std::vector<std::pair<uint64_t, uint64_t>> peer_key;
  if (ocols.size() <= 1 && (ocols.empty() || IntegerLike(ocols[0]))) {
    // The common case - at most one integer-like ORDER BY key (a time, a date, a number): sort
    // flat (partition, NULL rank, value, row) records.
    struct Rec {
      uint32_t pid;
      uint32_t row;
      uint64_t nulls;  // 1 for a value; 0 or 2 for NULL (NULLS FIRST or LAST)
      uint64_t v;
    };
    std::vector<Rec> recs(n);
    const Column* oc = ocols.empty() ? nullptr : &ocols[0];
    const bool desc = !ocols.empty() && spec.order[0].desc;
    const bool nulls_first = !ocols.empty() && spec.order[0].nulls_first;
    for (uint32_t r = 0; r < n; ++r) {
      Rec& x = recs[r];
      x.pid = pid[r];
      x.row = r;
      x.nulls = 0;
      x.v = 0;
      if (!oc) continue;
      if (oc->IsNull(r)) {
        x.nulls = nulls_first ? 0 : 2;
        continue;
      }
      x.nulls = 1;
      uint64_t b = Biased(static_cast<int64_t>(IntegerAt(*oc, r)));
      x.v = desc ? ~b : b;
    }
    // Counting sort by partition number (dense), then each partition by its key - often
    // already in order, as rows of one user arrive in time order.
    const size_t parts = n == 0 ? 0 : *std::max_element(pid.begin(), pid.end()) + size_t{1};
    std::vector<uint32_t> start(parts + 1, 0);
    for (uint32_t p : pid) start[p + 1]++;
    for (size_t p = 0; p < parts; ++p) start[p + 1] += start[p];
    std::vector<Rec> sorted(n);
    {
      std::vector<uint32_t> next(start.begin(), start.end() - 1);
      for (const Rec& x : recs) sorted[next[x.pid]++] = x;  // rows ascending within a partition
    }
    recs.swap(sorted);
    auto less = [](const Rec& a, const Rec& b) {
      if (a.nulls != b.nulls) return a.nulls < b.nulls;
      if (a.v != b.v) return a.v < b.v;
      return a.row < b.row;
    };
    if (oc) {
      for (size_t p = 0; p < parts; ++p) {
        auto first = recs.begin() + start[p], last = recs.begin() + start[p + 1];
        if (!std::is_sorted(first, last, less)) std::sort(first, last, less);
      }
    }
    ord.perm.resize(n);
    for (size_t k = 0; k < n; ++k) ord.perm[k] = recs[k].row;
    for (size_t k = 0; k < n; ++k) pid[k] = recs[k].pid;  // from here on: by sorted position
    peer_key.resize(n);
    for (size_t k = 0; k < n; ++k) peer_key[k] = {recs[k].nulls, recs[k].v};
  } else {
    // General ORDER BY: a stable sort by (partition number, keys...).
    std::vector<Column> keys;
    std::vector<SortKey> sort;
    Column p(DataType::Int64());
    int64_t* pv = reinterpret_cast<int64_t*>(p.ResizeFixed(n));
    for (size_t r = 0; r < n; ++r) pv[r] = pid[r];
    keys.push_back(std::move(p));
    sort.push_back(SortKey{});
    for (size_t i = 0; i < ocols.size(); ++i) {
      keys.push_back(ocols[i]);
      sort.push_back(spec.order[i]);
    }
    ord.perm = SortPermutation(keys, sort, n);
    for (size_t k = 0; k < n; ++k) pid[k] = static_cast<uint32_t>(pv[ord.perm[k]]);  // by sorted position
  }
  ord.part_start.resize(n);
  ord.part_end.resize(n);
  ord.peer_start.resize(n);
  ord.peer_end.resize(n);
  ord.part_index.resize(n);
  uint32_t ps = 0, qs = 0;
  for (uint32_t k = 0; k <= n; ++k) {
    bool new_part = k == n || (k > 0 && pid[k - 1] != pid[k]);
    bool new_peer = new_part || (k > 0 && (peer_key.empty() ? !SameValues(ocols, ord.perm[k - 1], ord.perm[k])
                                                             : peer_key[k - 1] != peer_key[k]));
    if (k > 0 && new_peer) {
      for (uint32_t j = qs; j < k; ++j) ord.peer_end[j] = k;
      qs = k;
    }
    if (k > 0 && new_part) {
      for (uint32_t j = ps; j < k; ++j) {
        ord.part_end[j] = k;
        ord.part_index[j] = static_cast<uint32_t>(ord.partitions);
      }
      ord.partitions++;
      ps = k;
    }
    if (k < n) {
      ord.part_start[k] = ps;
      ord.peer_start[k] = qs;
    }
  }
  return ord;
}

std::string OrderingKey(const WindowSpec& spec) {
  std::string key;
  for (const auto& p : spec.partition) key += p->ToString() + ",";
  key += "|";
  for (const auto& o : spec.order)
    key += o.expr->ToString() + (o.desc ? " DESC" : "") + (o.nulls_first ? " NF," : ",");
  return key;
}

// The frame [first, last] of sorted position k (first > last: empty).
void Frame(const WindowSpec& spec, const Ordering& ord, size_t k, int64_t* first, int64_t* last) {
  if (ord.range_first) {
    *first = (*ord.range_first)[k];
    *last = (*ord.range_last)[k];
    return;
  }
  const int64_t ps = ord.part_start[k], pe = static_cast<int64_t>(ord.part_end[k]) - 1;
  const int64_t pos = static_cast<int64_t>(k);
  int64_t f, l;
  if (spec.frame_start == WindowSpec::kUnboundedPreceding) f = ps;
  else if (spec.frame_start == WindowSpec::kUnboundedFollowing) f = pe + 1;
  else if (spec.peers && spec.frame_start == 0) f = ord.peer_start[k];
  else f = pos + spec.frame_start;
  if (spec.frame_end == WindowSpec::kUnboundedFollowing) l = pe;
  else if (spec.frame_end == WindowSpec::kUnboundedPreceding) l = ps - 1;
  else if (spec.peers && spec.frame_end == 0) l = static_cast<int64_t>(ord.peer_end[k]) - 1;
  else l = pos + spec.frame_end;
  *first = std::max(f, ps);
  *last = std::min(l, pe);
}

// out row r = src row rows[r], or row r of `fallback` where rows[r] == kNoRow (NULL when there
// is no fallback).
Column GatherRows(const Column& src, const Column* fallback, const std::vector<uint32_t>& rows) {
  Column out(src.type());
  out.Reserve(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r] != kNoRow) out.AppendFrom(src, rows[r]);
    else if (fallback) out.AppendFrom(*fallback, r);
    else out.AppendNull();
  }
  return out;
}

Column Int64Values(std::vector<int64_t> v) {
  Column c(DataType::Int64());
  uint8_t* dst = c.ResizeFixed(v.size());
  if (!v.empty()) std::memcpy(dst, v.data(), v.size() * 8);
  return c;
}

// A running aggregate over rows added one at a time (frames anchored at one end of the
// partition), giving the same values as the GROUP BY states.
class Running {
 public:
  Running(const AggregateSpec& spec, const Column* arg) : spec_(spec), arg_(arg) {
    const std::string& fn = spec.fn;
    kind_ = fn == "COUNT_STAR" ? kCountStar
            : fn == "COUNT_IF" ? kCountIf
            : fn == "COUNT"    ? kCount
            : fn == "SUM"      ? kSum
            : fn == "AVG"      ? kAvg
            : fn == "MIN"      ? kMin
            : fn == "MAX"      ? kMax
                               : kMoment;
    if (kind_ == kSum || kind_ == kAvg) writer_.emplace(spec, kind_ == kAvg);
    dbl_ = arg && arg->type().physical() == PhysicalType::kDouble;
    scale_ = arg && arg->type().id == TypeId::kDecimal ? std::pow(10.0, arg->type().scale) : 1.0;
  }
  void Reset() {
    count_ = 0;
    sum_ = 0;
    dsum_ = 0;
    mean_ = m2_ = 0;
    best_ = kNoRow;
  }
  Status Add(uint32_t row) {
    if (kind_ == kCountStar) {
      ++count_;
      return Status::OK();
    }
    if (arg_->IsNull(row)) return Status::OK();
    switch (kind_) {
      case kCountIf: count_ += arg_->Get<uint8_t>(row) != 0; return Status::OK();
      case kCount: ++count_; return Status::OK();
      case kSum:
      case kAvg:
        ++count_;
        if (dbl_) dsum_ += arg_->Get<double>(row);
        else if (__builtin_add_overflow(sum_, IntegerAt(*arg_, row), &sum_))
          return Status::InvalidArgument(spec_.fn + " overflowed 128 bits");
        return Status::OK();
      case kMin:
      case kMax: {
        ++count_;
        if (best_ == kNoRow) {
          best_ = row;
        } else {
          int c = CompareRows(*arg_, row, best_);
          if (kind_ == kMin ? c < 0 : c > 0) best_ = row;
        }
        return Status::OK();
      }
      default: {  // STDDEV / VARIANCE: Welford, as MomentState.
        ++count_;
        double x = dbl_ ? arg_->Get<double>(row) : static_cast<double>(IntegerAt(*arg_, row)) / scale_;
        double d = x - mean_;
        mean_ += d / static_cast<double>(count_);
        m2_ += d * (x - mean_);
        return Status::OK();
      }
    }
  }
  // Appends the current value.
  Status Emit(Column* out) const {
    if (kind_ == kCountStar || kind_ == kCount || kind_ == kCountIf) {
      out->Append<int64_t>(count_);
      return Status::OK();
    }
    if (count_ == 0) {
      out->AppendNull();
      return Status::OK();
    }
    if (kind_ == kMin || kind_ == kMax) {
      out->AppendFrom(*arg_, best_);
      return Status::OK();
    }
    if (kind_ == kSum || kind_ == kAvg) {
      uint8_t slot[16];
      WH_RETURN_IF_ERROR(writer_->Write(sum_, dsum_, count_, slot));
      switch (spec_.type.physical()) {
        case PhysicalType::kInt128: { int128 v; std::memcpy(&v, slot, 16); out->Append<int128>(v); break; }
        case PhysicalType::kDouble: { double v; std::memcpy(&v, slot, 8); out->Append<double>(v); break; }
        default: { int64_t v; std::memcpy(&v, slot, 8); out->Append<int64_t>(v); break; }
      }
      return Status::OK();
    }
    double v;
    if (MomentValue(spec_.fn, count_, m2_, &v)) out->Append<double>(v);
    else out->AppendNull();
    return Status::OK();
  }

 private:
  enum Kind { kCountStar, kCountIf, kCount, kSum, kAvg, kMin, kMax, kMoment };
  const AggregateSpec& spec_;
  const Column* arg_;
  Kind kind_;
  std::optional<SumWriter> writer_;  // SUM, AVG
  bool dbl_;
  double scale_;
  int64_t count_ = 0;
  int128 sum_ = 0;
  double dsum_ = 0, mean_ = 0, m2_ = 0;
  uint32_t best_ = kNoRow;
};

// Whether the running accumulators compute `fn` (the aggregates the catalog marks windowable);
// any other aggregate is computed over each distinct frame by its GROUP BY state.
bool Runs(const std::string& fn) {
  if (fn == "COUNT_STAR") return true;
  const AggregateFunction* f = FindAggregateFunction(fn);
  return f && f->windowable;
}

// The most (row, frame) pairs an aggregate without a running form may feed its state: frames
// that grow with the partition (ORDER BY without ROWS) make that quadratic.
// (2^25 pairs take a few seconds with MEDIAN's sorts.)
constexpr uint64_t kMaxFramePairs = uint64_t{1} << 25;

// An aggregate over each row's frame; returns the values in sorted-position order. `more`:
// the aggregate's further columns (AggregateSpec::more), input order.
Result<Column> AggregateFrames(const WindowSpec& spec, const Ordering& ord, const Column* arg,
                               const std::vector<Column>& more) {
  const size_t n = ord.perm.size();
  const AggregateSpec& a = spec.agg;
  Column sorted(a.type);
  sorted.Reserve(n);
  std::vector<const Column*> more_ptrs;
  for (const auto& m : more) more_ptrs.push_back(&m);
  const bool from_start = spec.frame_start == WindowSpec::kUnboundedPreceding;
  const bool to_end = spec.frame_end == WindowSpec::kUnboundedFollowing;
  if (from_start && to_end) {
    // The whole partition: one value per partition.
    auto state = MakeAggregateState(a);
    state->Resize(ord.partitions);
    std::vector<uint32_t> gids(n);
    for (size_t k = 0; k < n; ++k) gids[ord.perm[k]] = ord.part_index[k];
    WH_RETURN_IF_ERROR(state->UpdateMore(arg, more_ptrs, gids.data(), n));
    WH_ASSIGN_OR_RETURN(Column per_part, state->Finish(ord.partitions));
    sorted.AppendSelected(per_part, ord.part_index.data(), n);
    return sorted;
  }
  if ((from_start || to_end) && Runs(a.fn) && !a.distinct) {
    // Anchored at one end: rows join the frame in order (forwards from the start, or backwards
    // from the end), so a running accumulator gives every row's value.
    Running run(a, arg);
    if (from_start) {
      int64_t added = -1;
      for (size_t k = 0; k < n; ++k) {
        if (k == ord.part_start[k]) {
          run.Reset();
          added = static_cast<int64_t>(k) - 1;
        }
        int64_t first, last;
        Frame(spec, ord, k, &first, &last);
        for (; added < last; ++added) WH_RETURN_IF_ERROR(run.Add(ord.perm[added + 1]));
        WH_RETURN_IF_ERROR(run.Emit(&sorted));
      }
      return sorted;
    }
    // Backwards: values come out last row first; reversed at the end.
    Column reversed(a.type);
    reversed.Reserve(n);
    int64_t added = static_cast<int64_t>(n);
    for (size_t i = n; i-- > 0;) {
      if (i + 1 == ord.part_end[i]) {
        run.Reset();
        added = static_cast<int64_t>(i) + 1;
      }
      int64_t first, last;
      Frame(spec, ord, i, &first, &last);
      for (; added > first; --added) WH_RETURN_IF_ERROR(run.Add(ord.perm[added - 1]));
      WH_RETURN_IF_ERROR(run.Emit(&reversed));
    }
    std::vector<uint32_t> back(n);
    for (size_t k = 0; k < n; ++k) back[k] = static_cast<uint32_t>(n - 1 - k);
    sorted.AppendSelected(reversed, back.data(), n);
    return sorted;
  }
  // Otherwise each row's frame rows go to a state with the frame as the group, a chunk of rows
  // at a time: a sliding frame of bounded width, or (for an aggregate without a running form) a
  // frame that grows or shrinks with the row, where rows with the same frame (peers) share one
  // group.
  // A chunk ends after 4,096 rows or 2^20 frame rows, whichever comes first.
  constexpr size_t kChunk = 4096, kChunkPairs = size_t{1} << 20;
  uint64_t pairs = 0;  // (bounded only for aggregates without a running form)
  for (size_t k0 = 0, k1; k0 < n; k0 = k1) {
    WH_RETURN_IF_ERROR(CheckInterrupt());
    std::vector<uint32_t> rows, gids, group_of;
    uint32_t groups = 0;
    int64_t prev_first = -1, prev_last = -2;
    for (k1 = k0; k1 < n && k1 - k0 < kChunk && rows.size() < kChunkPairs; ++k1) {
      const size_t k = k1;
      group_of.push_back(0);
      int64_t first, last;
      Frame(spec, ord, k, &first, &last);
      if (groups > 0 && first == prev_first && last == prev_last) {
        group_of[k - k0] = groups - 1;
        continue;
      }
      prev_first = first;
      prev_last = last;
      group_of[k - k0] = groups;
      if (last >= first) pairs += static_cast<uint64_t>(last - first + 1);
      if (pairs > kMaxFramePairs && (!Runs(a.fn) || a.distinct))
        return Status::ResourceExhausted(a.fn + " over these window frames would read " + std::to_string(pairs) +
                                         "+ rows (each frame's rows again): more than " +
                                         std::to_string(kMaxFramePairs) +
                                         "; a frame of bounded width (ROWS BETWEEN n PRECEDING AND ...) or the whole "
                                         "partition (no ORDER BY) computes it");
      for (int64_t j = first; j <= last; ++j) {
        rows.push_back(ord.perm[j]);
        gids.push_back(groups);
      }
      ++groups;
    }
    auto state = MakeAggregateState(a);
    state->Resize(groups);
    std::vector<Column> frame_more;
    std::vector<const Column*> frame_more_ptrs;
    frame_more.reserve(more.size());
    for (const auto& m : more) {
      frame_more.emplace_back(m.type());
      frame_more.back().AppendSelected(m, rows.data(), rows.size());
      frame_more_ptrs.push_back(&frame_more.back());
    }
    if (a.fn == "COUNT_STAR") {
      WH_RETURN_IF_ERROR(state->UpdateMore(nullptr, frame_more_ptrs, gids.data(), gids.size()));
    } else {
      Column frame_args(arg->type());
      frame_args.AppendSelected(*arg, rows.data(), rows.size());
      WH_RETURN_IF_ERROR(state->UpdateMore(&frame_args, frame_more_ptrs, gids.data(), gids.size()));
    }
    WH_ASSIGN_OR_RETURN(Column part, state->Finish(groups));
    sorted.AppendSelected(part, group_of.data(), k1 - k0);
  }
  return sorted;
}

// The frames of a RANGE window with an offset, per sorted position: the partition's rows whose
// ORDER BY value lies between the current row's moved by the offsets (binary searches over the
// partition's sorted non-NULL values).
Status RangeFrames(const WindowSpec& spec, const Ordering& ord, const Batch& in, std::vector<int64_t>* first,
                   std::vector<int64_t>* last) {
  const size_t n = ord.perm.size();
  WH_ASSIGN_OR_RETURN(Column key, Evaluate(*spec.order[0].expr, in));
  const bool temporal = key.type().id == TypeId::kDate || key.type().id == TypeId::kTimestamp;
  const long double dir = spec.order[0].desc ? -1 : 1;
  // Per sorted position: the value in the sort's direction (ascending), NULL marked.
  std::vector<long double> t(n);
  std::vector<int64_t> micros(n);
  std::vector<uint8_t> null(n);
  for (size_t k = 0; k < n; ++k) {
    const uint32_t r = ord.perm[k];
    // NaN sorts after every number (before, descending) and is equal to NaN: its rows frame
    // their NaN peers, as NULL's do, and are in no number's frame.
    null[k] = key.IsNull(r) || (key.type().id == TypeId::kDouble && std::isnan(key.Get<double>(r)));
    if (null[k]) continue;
    long double v;
    if (key.type().id == TypeId::kDate) {
      micros[k] = static_cast<int64_t>(key.Get<int32_t>(r)) * kMicrosPerDay;
      v = micros[k];
    } else if (key.type().id == TypeId::kTimestamp) {
      micros[k] = key.Get<int64_t>(r);
      v = micros[k];
    } else if (key.type().id == TypeId::kDouble) {
      v = key.Get<double>(r);
    } else {
      v = static_cast<long double>(IntegerAt(key, r));
      for (int s = 0; key.type().id == TypeId::kDecimal && s < key.type().scale; ++s) v /= 10;
    }
    t[k] = dir * v;
  }
  // The bound's value in t's terms: the current value moved by the offset, `along` the order
  // (+1) or against it (-1).
  auto target = [&](size_t k, const WindowSpec::RangeOffset& o) -> long double {
    const int along = o.side;
    if (!temporal) return t[k] + along * o.number;
    const int64_t sign = static_cast<int64_t>(dir) * along;
    const int64_t moved = AddMonthsToTimestamp(micros[k], sign * o.months) + sign * o.micros;
    return dir * static_cast<long double>(moved);
  };
  first->assign(n, 0);
  last->assign(n, -1);
  for (size_t k = 0; k < n;) {
    const size_t ps = ord.part_start[k], pe = ord.part_end[k];
    // The partition's non-NULL values: [lo, hi) (NULLs sort all first or all last).
    size_t lo = ps, hi = pe;
    while (lo < hi && null[lo]) ++lo;
    while (hi > lo && null[hi - 1]) --hi;
    for (; k < pe; ++k) {
      int64_t f, l;
      if (spec.range_start.side == 0) {
        f = spec.frame_start == WindowSpec::kUnboundedPreceding ? static_cast<int64_t>(ps) : ord.peer_start[k];
      } else if (null[k]) {
        f = ord.peer_start[k];
      } else {
        const long double want = target(k, spec.range_start);
        f = std::partition_point(t.begin() + lo, t.begin() + hi, [&](long double x) { return x < want; }) - t.begin();
      }
      if (spec.range_end.side == 0) {
        l = spec.frame_end == WindowSpec::kUnboundedFollowing ? static_cast<int64_t>(pe) - 1
                                                               : static_cast<int64_t>(ord.peer_end[k]) - 1;
      } else if (null[k]) {
        l = static_cast<int64_t>(ord.peer_end[k]) - 1;
      } else {
        const long double want = target(k, spec.range_end);
        l = (std::partition_point(t.begin() + lo, t.begin() + hi, [&](long double x) { return x <= want; }) - t.begin()) - 1;
      }
      (*first)[k] = f;
      (*last)[k] = l;
    }
  }
  return Status::OK();
}

Result<Column> ComputeOver(const WindowSpec& spec, const Ordering& ord, const Batch& in);

Result<Column> Compute(const WindowSpec& spec, const Ordering& ord, const Batch& in) {
  if (!spec.range()) return ComputeOver(spec, ord, in);
  std::vector<int64_t> first, last;
  WH_RETURN_IF_ERROR(RangeFrames(spec, ord, in, &first, &last));
  ord.range_first = &first;
  ord.range_last = &last;
  auto c = ComputeOver(spec, ord, in);
  ord.range_first = ord.range_last = nullptr;
  return c;
}

Result<Column> ComputeOver(const WindowSpec& spec, const Ordering& ord, const Batch& in) {
  const size_t n = in.rows;
  const std::string& fn = spec.fn;
  if (fn == "ROW_NUMBER" || fn == "RANK" || fn == "DENSE_RANK") {
    std::vector<int64_t> v(n);
    int64_t dense = 0;
    for (size_t k = 0; k < n; ++k) {
      if (k == ord.part_start[k]) dense = 0;
      if (k == ord.peer_start[k]) ++dense;
      int64_t value = fn == "ROW_NUMBER" ? static_cast<int64_t>(k - ord.part_start[k]) + 1
                      : fn == "RANK"     ? static_cast<int64_t>(ord.peer_start[k] - ord.part_start[k]) + 1
                                         : dense;
      v[ord.perm[k]] = value;
    }
    return Int64Values(std::move(v));
  }
  if (fn == "PERCENT_RANK" || fn == "CUME_DIST") {
    // (rank - 1) / (rows - 1), 0 for one row; rows up to the last peer / rows.
    Column out(DataType::Double());
    double* o = reinterpret_cast<double*>(out.ResizeFixed(n));
    for (size_t k = 0; k < n; ++k) {
      const double rows = static_cast<double>(ord.part_end[k] - ord.part_start[k]);
      o[ord.perm[k]] = fn == "CUME_DIST" ? static_cast<double>(ord.peer_end[k] - ord.part_start[k]) / rows
                       : rows <= 1     ? 0.0
                                       : static_cast<double>(ord.peer_start[k] - ord.part_start[k]) / (rows - 1);
    }
    return out;
  }
  if (fn == "NTILE") {
    // Groups as even as can be, the first (rows % groups) one row larger.
    std::vector<int64_t> v(n);
    for (size_t k = 0; k < n; ++k) {
      const int64_t rows = static_cast<int64_t>(ord.part_end[k] - ord.part_start[k]);
      const int64_t i = static_cast<int64_t>(k - ord.part_start[k]);
      const int64_t q = rows / spec.offset, r = rows % spec.offset;
      v[ord.perm[k]] = q == 0 ? i + 1 : i < r * (q + 1) ? i / (q + 1) + 1 : (i - r * (q + 1)) / q + r + 1;
    }
    return Int64Values(std::move(v));
  }
  if (fn == "LAG" || fn == "LEAD" || fn == "FIRST_VALUE" || fn == "LAST_VALUE" || fn == "NTH_VALUE") {
    WH_ASSIGN_OR_RETURN(Column x, Evaluate(*spec.args[0], in));
    std::vector<uint32_t> src(n, kNoRow);
    for (size_t k = 0; k < n; ++k) {
      int64_t j;
      if (fn == "LAG" || fn == "LEAD") {
        j = static_cast<int64_t>(k) + (fn == "LAG" ? -spec.offset : spec.offset);
        if (j < static_cast<int64_t>(ord.part_start[k]) || j >= static_cast<int64_t>(ord.part_end[k])) continue;
      } else {
        int64_t first, last;
        Frame(spec, ord, k, &first, &last);
        if (first > last) continue;
        if (fn == "NTH_VALUE" && spec.offset - 1 > last - first) continue;  // past the frame's end: NULL
        j = fn == "FIRST_VALUE" ? first : fn == "LAST_VALUE" ? last : first + spec.offset - 1;
      }
      src[ord.perm[k]] = ord.perm[j];
    }
    if (fn == "LAG" || fn == "LEAD") {
      WH_ASSIGN_OR_RETURN(Column def, Evaluate(*spec.args[1], in));
      return GatherRows(x, &def, src);
    }
    return GatherRows(x, nullptr, src);
  }
  // An aggregate over the frame.
  Column arg;
  if (spec.agg.arg) {
    WH_ASSIGN_OR_RETURN(arg, Evaluate(*spec.agg.arg, in));
  }
  std::vector<Column> more;
  for (const auto& m : spec.agg.more) {
    WH_ASSIGN_OR_RETURN(Column c, Evaluate(*m, in));
    more.push_back(std::move(c));
  }
  WH_ASSIGN_OR_RETURN(Column sorted, AggregateFrames(spec, ord, spec.agg.arg ? &arg : nullptr, more));
  std::vector<uint32_t> inv(n);
  for (size_t k = 0; k < n; ++k) inv[ord.perm[k]] = static_cast<uint32_t>(k);
  Column out(sorted.type());
  out.AppendSelected(sorted, inv.data(), n);
  return out;
}

class WindowOp : public Operator {
 public:
  WindowOp(std::unique_ptr<Operator> child, std::vector<WindowSpec> specs)
      : child_(std::move(child)), specs_(std::move(specs)) {}

  Result<bool> Next(Batch* out) override {
    if (done_) return false;
    done_ = true;
    Batch all, in;
    bool any = false;
    while (true) {
      WH_ASSIGN_OR_RETURN(bool more, child_->Next(&in));
      if (!more) break;
      if (in.rows == 0) continue;
      if (!any) all = std::move(in);
      else AppendBatch(&all, in);
      any = true;
    }
    if (!any) return false;
    std::map<std::string, Ordering> orderings;  // functions over the same window share one
    std::vector<Column> results;
    for (const auto& spec : specs_) {
      std::string key = OrderingKey(spec);
      auto it = orderings.find(key);
      if (it == orderings.end()) {
        WH_ASSIGN_OR_RETURN(Ordering o, Order(spec, all));
        it = orderings.emplace(key, std::move(o)).first;
      }
      WH_ASSIGN_OR_RETURN(Column c, Compute(spec, it->second, all));
      results.push_back(std::move(c));
    }
    for (auto& c : results) all.columns.push_back(std::move(c));
    *out = std::move(all);
    return true;
  }

 private:
  std::unique_ptr<Operator> child_;
  std::vector<WindowSpec> specs_;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<Operator> MakeWindowOp(std::unique_ptr<Operator> child, std::vector<WindowSpec> specs) {
  return std::make_unique<WindowOp>(std::move(child), std::move(specs));
}

}  // namespace wh
