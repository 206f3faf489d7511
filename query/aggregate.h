// Aggregate function states, one slot per group, updated a batch at a time from (group id,
// value) arrays. NULL inputs are ignored (COUNT(*) counts rows); an empty group gives NULL
// (COUNT gives 0). Sums are exact: BIGINT sums accumulate in 128 bits, DECIMAL sums in 128 bits
// checked against 38 digits, and overflow is an error, never a wrapped value.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "query/plan.h"

namespace wh {

class AggregateState {
 public:
  virtual ~AggregateState() = default;
  // Makes room for `groups` groups (never shrinks).
  virtual void Resize(size_t groups) = 0;
  // Adds rows: arg (null for COUNT(*)) row i belongs to group gids[i].
  virtual Status Update(const Column* arg, const uint32_t* gids, size_t n) = 0;
  // The same with the aggregate's further columns (AggregateSpec::more), for those that read them.
  virtual Status UpdateMore(const Column* arg, const std::vector<const Column*>& more, const uint32_t* gids,
                            size_t n) {
    (void)more;
    return Update(arg, gids, n);
  }
  // The result per group.
  virtual Result<Column> Finish(size_t groups) = 0;
};

// SUM or AVG (avg) results of groups from their exact sums (integer and DECIMAL arguments) or
// DOUBLE sums and their counts (> 0), written as values of spec.type; overflow is an error. The
// decisions that depend only on the types are made once, not per group (a per-user report
// finishes millions of groups).
class SumWriter {
 public:
  SumWriter(const AggregateSpec& spec, bool avg);
  Status Write(int128 sum, double dsum, int64_t count, uint8_t* slot) const {
    if (avg_) {
      double v;
      if (is_double_) {
        v = dsum / static_cast<double>(count);
      } else if (scale_ == 0 && sum < (static_cast<int128>(1) << 53) && sum > -(static_cast<int128>(1) << 53)) {
        v = static_cast<double>(sum) / static_cast<double>(count);  // both exact: one rounding
      } else {
        v = static_cast<double>(static_cast<long double>(sum) / scale_factor_ / static_cast<long double>(count));
      }
      std::memcpy(slot, &v, 8);
      return Status::OK();
    }
    switch (out_) {
      case Out::kDouble: std::memcpy(slot, &dsum, 8); return Status::OK();
      case Out::kBigint: {
        if (sum > INT64_MAX || sum < INT64_MIN) return BigintOverflow(sum);
        const int64_t v = static_cast<int64_t>(sum);
        std::memcpy(slot, &v, 8);
        return Status::OK();
      }
      case Out::kDecimal64:
      case Out::kDecimal128: {
        if (sum >= limit_ || sum <= -limit_) return DecimalOverflow();
        if (out_ == Out::kDecimal128) {
          std::memcpy(slot, &sum, 16);
        } else {
          const int64_t v = static_cast<int64_t>(sum);
          std::memcpy(slot, &v, 8);
        }
        return Status::OK();
      }
    }
    return Status::OK();
  }

 private:
  enum class Out { kDouble, kBigint, kDecimal64, kDecimal128 };
  Status BigintOverflow(int128 sum) const;
  Status DecimalOverflow() const;
  const AggregateSpec* spec_;
  bool avg_, is_double_;
  int scale_;
  long double scale_factor_ = 1;  // 10^scale of the argument
  Out out_;
  int128 limit_ = 0;  // 10^precision of a DECIMAL result
};

// One group's STDDEV_* / VAR_* from Welford's count and sum of squared deviations; false when
// the result is NULL (no rows, or one row for the sample forms).
bool MomentValue(const std::string& fn, int64_t n, double m2, double* out);

// A state for an aggregate (DISTINCT handled inside).
std::unique_ptr<AggregateState> MakeAggregateState(const AggregateSpec& spec);

// COUNT_IF(x = 'a'), COUNT_IF(x = 'b'), ... over one STRING value x, counted together (a report
// counting posts per type): each row finds which literal its value equals - once per distinct
// string of a dictionary column - and bumps one counter of its group, the group's counters side
// by side. One pass and one cache line per row, where separate aggregates would make a
// comparison column and scatter an update per literal. NULL matches nothing.
class CountEqualsState {
 public:
  // Distinct literals; counter k counts the rows equal to literals[k].
  explicit CountEqualsState(std::vector<std::string> literals);
  void Resize(size_t groups);
  void Update(const Column& x, const uint32_t* gids, size_t n);
  // Per literal, its counter of every group as COUNT_IF's BIGINT column.
  std::vector<Column> Finish(size_t groups);

 private:
  uint32_t SlotOf(std::string_view v) const;

  std::vector<std::string> literals_;
  size_t stride_;  // one counter per literal, then one for every other value (and NULL)
  std::vector<int64_t> counts_;
  std::vector<uint32_t> entry_slot_;  // scratch: a dictionary entry's counter
};

}  // namespace wh
