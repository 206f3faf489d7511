// Pruning: deciding from metadata alone which partitions, buckets, segments and blocks a scan
// can skip. A predicate is evaluated over value ranges (the partition's day, zone maps) to ask
// "can it be TRUE for any row here?"; only a definite "no" skips. Missing statistics never prune.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "format/segment.h"
#include "query/plan.h"

namespace wh {

// The values a column can take somewhere (a partition, a segment, a block).
struct ValueRange {
  bool known = false;  // lo/hi are valid bounds of the non-NULL values
  enum Kind { kInt, kDouble, kString } kind = kInt;
  int128 lo = 0, hi = 0;
  double dlo = 0, dhi = 0;
  std::string slo, shi;
  bool may_null = true;
  bool all_null = false;
};

using RangeEnv = std::map<int, ValueRange>;  // column id -> range

// Whether a predicate can be TRUE for some row whose columns lie in the ranges of env.
bool MayBeTrue(const BExpr& pred, const RangeEnv& env);
// Whether it is TRUE for every such row (then a scan need not evaluate it).
bool MustBeTrue(const BExpr& pred, const RangeEnv& env);

// All of nf conjuncts, as a bit set (every bit when nf >= 64).
inline uint64_t AllConjuncts(size_t nf) { return nf < 64 ? (uint64_t{1} << nf) - 1 : ~uint64_t{0}; }
// The conjuncts of `filters` not proven TRUE for every row whose columns lie in env's ranges
// (bit k: filters[k]; all bits with 64 conjuncts or more).
uint64_t OpenConjuncts(const std::vector<BExprPtr>& filters, const RangeEnv& env);

// A ValueRange from a zone map of a column of `type` over `rows` rows.
ValueRange RangeFromZone(const ZoneMap& z, const DataType& type, uint64_t rows);

// Fills scan->pruning: partitions and segments kept (by the pushed-down filters over partition
// values and the manifest's per-segment zone maps) and buckets kept (by `key = c` and
// `key IN (...)`). With prune false everything is kept.
void PlanScanPruning(PlanNode* scan, bool prune);

// The range env of one segment (partition + segment zone maps) for the scan's columns (only
// those in `ids` when given).
RangeEnv SegmentEnv(const PlanNode& scan, const SegmentEntry& seg, const std::vector<int>* ids = nullptr);
// A segment env narrowed by the block zone maps of row group g of a segment's footer.
RangeEnv BlockEnv(const PlanNode& scan, const RangeEnv& segment_env, const SegmentFooter& footer,
                  size_t g, const std::vector<int>* ids = nullptr);
// Column ids the scan's filters read.
std::vector<int> FilterColumns(const PlanNode& scan);

}  // namespace wh

namespace wh {
// Whether pruning can use a predicate at all (a comparison, IN, IS NULL, or AND/OR of them over
// columns and constants); EXPLAIN says so for the ones it cannot.
bool Prunable(const BExpr& pred);
}  // namespace wh
