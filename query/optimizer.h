// Rewrites of a bound plan before execution: filters pushed down to the scans (through
// projections, aggregates on their group keys, joins and unions), columns nobody reads dropped,
// and each scan's pruning decided.
#pragma once

#include "query/plan.h"

namespace wh {

struct OptimizeOptions {
  bool prune = true;  // partition / bucket / segment / block pruning (tests turn it off)
  bool merge_joins = true;  // see PlanNode::merge_join (tests turn it off)
};

PlanPtr Optimize(PlanPtr root, const OptimizeOptions& options);

// Partitioning of a node's output by the bucket hash: rows with equal key values are in the
// same bucket, so the node can run bucket by bucket. `keys` are output column ids holding a
// bucket key (with NULLs in bucket 0); `buckets` is 0 when the node is not bucketed.
struct BucketPartitioning {
  uint32_t buckets = 0;
  std::vector<int> keys;
  DataType key_type;
};
BucketPartitioning PartitioningOf(const PlanNode& node);
// For a join that runs bucket by bucket with one side read whole in every bucket (a table that
// is not bucketed, joined to a bucketed one): that side, 0 or 1; otherwise -1.
int BroadcastSide(const PlanNode& join);

}  // namespace wh
