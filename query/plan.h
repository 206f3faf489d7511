// Logical plans: trees of relational operators over columns identified by query-wide ids. The
// binder builds them, the optimizer pushes filters down and prunes, the executor runs them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "query/expr.h"

namespace wh {

// An output column of a plan node.
struct PlanColumn {
  int id = -1;
  std::string name;
  std::string table;  // qualifier it can be referenced by (alias), may be empty
  DataType type;
  bool nullable = true;
  bool hidden = false;  // not part of SELECT *, resolvable only qualified (the sides' USING keys)
  bool system = false;  // not part of SELECT *, resolvable by name (etl_date)
};

struct AggregateSpec {
  std::string fn;  // COUNT_STAR, COUNT, SUM, AVG, MIN, MAX, FIRST, ANY_VALUE, STDDEV_SAMP,
                   // STDDEV_POP, VAR_SAMP, VAR_POP
  BExprPtr arg;    // null for COUNT_STAR
  bool distinct = false;
  DataType type;   // result type
  int output_id = -1;
};

struct SortKey {
  BExprPtr expr;
  bool desc = false;
  bool nulls_first = false;
};

// What the scan of one table will read, decided by pruning before execution.
struct ScanPruning {
  size_t partitions_total = 0, partitions_kept = 0;
  size_t buckets_total = 0, buckets_kept = 0;
  size_t segments_total = 0, segments_kept = 0;
  std::vector<size_t> segments;      // indices into the snapshot's segments
  std::vector<uint8_t> bucket_kept;  // per bucket (empty: table not bucketed)
};

struct PlanNode;
using PlanPtr = std::shared_ptr<PlanNode>;

struct PlanNode {
  enum Kind { kScan, kFilter, kProject, kAggregate, kJoin, kSort, kLimit, kUnion, kValues };
  Kind kind;
  std::vector<PlanColumn> out;
  std::vector<PlanPtr> children;

  // kScan: the table and, per output column, its storage column index (-1: the partition
  // column). `filters` are the conjuncts pushed down for pruning (the rows are still filtered
  // by a kFilter above).
  std::shared_ptr<TableSnapshot> table;
  std::string alias;
  std::vector<int> storage_columns;
  std::vector<DataType> storage_types;  // type of each storage column of the table
  std::vector<BExprPtr> filters;
  ScanPruning pruning;
  bool prune = true;

  // kFilter: predicate. kProject: one expression per output column.
  BExprPtr predicate;
  std::vector<BExprPtr> exprs;

  // kAggregate: group keys (output columns first, in order) then aggregates.
  std::vector<BExprPtr> groups;
  std::vector<AggregateSpec> aggregates;

  // kJoin: type, equi-join keys (left[i] = right[i]) and a residual condition.
  enum JoinType { kInner, kLeft, kRight, kFull };
  JoinType join_type = kInner;
  std::vector<BExprPtr> left_keys, right_keys;
  BExprPtr residual;

  // kSort
  std::vector<SortKey> sort_keys;
  // kLimit
  int64_t limit = -1;
  int64_t offset = 0;
  // kUnion: children's columns map positionally to out (UNION ALL).
  // kValues: one row of constants (SELECT without FROM).
  std::vector<Value> values;
};

}  // namespace wh
