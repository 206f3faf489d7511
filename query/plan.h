// Logical plans: trees of relational operators over columns identified by query-wide ids. The
// binder builds them, the optimizer pushes filters down and prunes, the executor runs them.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "ingest/ingest.h"
#include "query/ast.h"
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

struct SortKey {
  BExprPtr expr;
  bool desc = false;
  bool nulls_first = false;
};

struct AggregateSpec {
  std::string fn;  // an aggregate of the catalog (query/function/aggregate.h); COUNT(*) is COUNT_STAR
  BExprPtr arg;    // null for COUNT_STAR
  bool distinct = false;
  DataType type;   // result type
  int output_id = -1;
  // Further columns it reads (arg_max's key, corr's second argument, then the keys of an
  // ORDER BY inside the call, whose directions `order` gives), its constant arguments (a
  // quantile, a separator), and FILTER (WHERE ...): only rows where that is TRUE count.
  std::vector<BExprPtr> more;
  std::vector<SortKey> order;  // expr unused: the keys are the last order.size() of `more`
  std::vector<Value> params;
  BExprPtr filter;
  // Every expression it reads, to visit or rewrite (arg and filter may be null).
  std::vector<BExprPtr*> Exprs() {
    std::vector<BExprPtr*> out = {&arg, &filter};
    for (auto& m : more) out.push_back(&m);
    return out;
  }
  std::vector<const BExprPtr*> Exprs() const {
    std::vector<const BExprPtr*> out = {&arg, &filter};
    for (const auto& m : more) out.push_back(&m);
    return out;
  }
};

// A window function: computed per row over the rows of its partition (PARTITION BY), in the
// ORDER BY order, over a frame of rows around the current one.
struct WindowSpec {
  // ROW_NUMBER, RANK, DENSE_RANK, LAG, LEAD, FIRST_VALUE, LAST_VALUE, or "AGGREGATE" (agg).
  std::string fn;
  std::vector<BExprPtr> args;  // LAG/LEAD: value, default (NULL literal when absent)
  int64_t offset = 1;          // LAG / LEAD
  AggregateSpec agg;           // fn == "AGGREGATE": the aggregate over the frame
  std::vector<BExprPtr> partition;
  std::vector<SortKey> order;
  // Frame bounds relative to the current row (negative = preceding); kUnbounded* for UNBOUNDED.
  // peers: a CURRENT ROW bound is the current row's first (start) / last (end) peer - the
  // rows with equal ORDER BY values - as in RANGE frames, the default with ORDER BY.
  static constexpr int64_t kUnboundedPreceding = INT64_MIN, kUnboundedFollowing = INT64_MAX;
  int64_t frame_start = kUnboundedPreceding, frame_end = kUnboundedFollowing;
  bool peers = false;
  // RANGE frames with an offset (RANGE BETWEEN INTERVAL 7 DAY PRECEDING AND CURRENT ROW): a
  // bound with an offset is where the single ORDER BY value is the current row's moved by it
  // (against the order for PRECEDING, along it for FOLLOWING); rows with a NULL value frame
  // their NULL peers. A side without an offset keeps frame_start / frame_end.
  struct RangeOffset {
    int side = 0;  // 0: none, -1 PRECEDING, +1 FOLLOWING
    long double number = 0;            // a numeric ORDER BY value
    int64_t months = 0, micros = 0;    // a DATE / TIMESTAMP one (an INTERVAL)
  };
  RangeOffset range_start, range_end;
  bool range() const { return range_start.side != 0 || range_end.side != 0; }
  DataType type;
  int output_id = -1;
};

// What the scan of one table will read, decided by pruning before execution.
struct ScanPruning {
  size_t partitions_total = 0, partitions_kept = 0;
  size_t buckets_total = 0, buckets_kept = 0;
  size_t files_total = 0, files_kept = 0;
  size_t segments_total = 0, segments_kept = 0;  // manifest entries: a file's rows of one partition
  uint64_t rows_total = 0, rows_kept = 0;  // of the table; in kept segments and kept buckets
  std::vector<size_t> segments;      // indices into the snapshot's segments
  // Per kept segment: bit k set when filter conjunct k may be other than TRUE for one of its
  // rows by the segment's ranges (partition value, manifest zone maps); all bits set with 64
  // conjuncts or more. 0: the filters hold for every row, and a scan need not look at its
  // blocks' zone maps nor evaluate them (the etl_date of a drop, a partition range).
  std::vector<uint64_t> segment_open;
  std::vector<uint8_t> bucket_kept;  // per bucket (empty: table not bucketed)
};

struct PlanNode;
using PlanPtr = std::shared_ptr<PlanNode>;

// A subquery inside an expression (BExpr::kSubquery), as bound: its plan, whose expressions
// refer to the columns of the query around it by their ids (`correlated`), the type an IN
// compares in, and where it was written (for errors).
struct SubqueryInfo {
  enum Kind { kScalar, kExists, kIn };
  Kind kind = kScalar;
  PlanPtr plan;
  std::vector<int> correlated;
  DataType key_type;  // kIn: the type both sides compare in
  SourcePos pos;      // of the subquery in the SQL text
};

// Files read in place (read_csv, read_json, FROM 'f.csv'): what was sniffed at bind time.
struct FileSource {
  std::string text;                // e.g. read_csv('drops/*.csv', delim = ';'), for EXPLAIN
  std::vector<std::string> paths;  // the files, expanded
  TableSchema schema;              // their columns
  IngestOptions options;           // how they are read

  // The rows, parsed once per statement however many operators read them (a file joined to a
  // bucketed table is read by every bucket's run).
  Result<std::shared_ptr<const std::vector<std::vector<Column>>>> Rows() const;

 private:
  mutable std::mutex mu_;
  mutable std::shared_ptr<const std::vector<std::vector<Column>>> rows_;
};

// The rows of a recursive WITH query's last step, which its next step reads (kWorkTable).
struct WorkTable {
  std::vector<std::vector<Column>> rows;
  // The whole result, computed once per statement however many operators read it (a CTE
  // joined to a bucketed table is read by every bucket's run); guarded by mu.
  std::mutex mu;
  std::shared_ptr<const std::vector<std::vector<Column>>> result;
};

struct PlanNode {
  enum Kind { kScan, kFilter, kProject, kAggregate, kJoin, kSort, kLimit, kUnion, kValues, kWindow, kFile,
              kRecursive, kWorkTable, kUnnest };
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
  // Per output column: read only to evaluate the pushed-down filter (nothing above uses it),
  // so a row group whose zone maps prove the filter TRUE need not decode it.
  std::vector<uint8_t> filter_only;

  // kFilter: predicate. kProject: one expression per output column. kUnnest: the lists it
  // unnests (out = the child's columns, then one column per list): each row of the child
  // becomes as many rows as its longest list has elements, the child's columns repeated and
  // each list's elements side by side (NULL past a shorter one's end); a row whose lists are
  // all NULL or empty gives none, or with `unnest_outer` one row of NULL elements (Spark's
  // LATERAL VIEW OUTER).
  BExprPtr predicate;
  std::vector<BExprPtr> exprs;
  bool unnest_outer = false;

  // kAggregate: group keys (output columns first, in order) then aggregates. `partial`: the
  // first phase of a two-phase aggregation, computed bucket by bucket (its rows are per bucket;
  // a final aggregate above combines them).
  std::vector<BExprPtr> groups;
  std::vector<AggregateSpec> aggregates;
  bool partial = false;
  // kAggregate: >= 0 when the groups come out in ascending order of group key `order_group`
  // (NULL last, groups with equal keys in order of first appearance), for a merge join above.
  int order_group = -1;

  // kJoin: type, equi-join keys (left[i] = right[i]) and a residual condition. The joins that
  // subqueries become output the left side's columns only: kSemi its rows with a partner,
  // kAnti those without, kMark every row and one BOOLEAN column more (the last of `out`):
  // whether it has a partner.
  enum JoinType { kInner, kLeft, kRight, kFull, kSemi, kAnti, kMark };
  JoinType join_type = kInner;
  // kAnti / kMark of [NOT] IN (subquery): the last key is the IN's, with SQL's NULL rules (a
  // row whose key is NULL, or without a partner where the right side's rows of its other keys
  // include a NULL key, is NULL, not FALSE; no such rows at all: FALSE). No residual.
  bool null_aware = false;
  // kLeft of a scalar subquery: a left row with two partners is an error.
  bool single_match = false;
  std::vector<BExprPtr> left_keys, right_keys;
  BExprPtr residual;
  // kJoin: both sides arrive in ascending order of their one integer key (NULLs last) and are
  // merged; the output comes in key order too. Chosen for co-bucketed joins (see optimizer).
  bool merge_join = false;
  // kJoin, a FULL merge join whose left input is the USING projection of another FULL merge
  // join on the same key (a FULL JOIN b USING (k) FULL JOIN c USING (k)): the joins run as one
  // merge of all their inputs, each input's columns gathered once into the final rows, where
  // one join after the other gathered the lower join's columns twice. The lower join and the
  // projection have no operators of their own.
  bool merge_chain = false;

  // kSort
  std::vector<SortKey> sort_keys;
  // kSort under a LIMIT (ORDER BY ... LIMIT n OFFSET m): only the first top_n = n + m rows are
  // needed, so the sort keeps at most about that many while it reads (-1: all).
  int64_t top_n = -1;
  // kWindow: out = the child's columns, then one column per window function.
  std::vector<WindowSpec> windows;
  // kLimit
  int64_t limit = -1;
  int64_t offset = 0;
  // kUnion: children's columns map positionally to out (UNION ALL).
  // kValues: one row of constants (SELECT without FROM).
  std::vector<Value> values;
  // kFile: every row of the files, all of the source's columns in order.
  std::shared_ptr<const FileSource> file;
  // kRecursive: WITH RECURSIVE's rows: children[0] (the first term) once, then children[1]
  // (the recursive term, reading `work` through its kWorkTable leaf) over the last step's new
  // rows until a step adds none; columns by position. `recursive_all` false (UNION): rows
  // already produced are not added again. kWorkTable: the rows of `work`.
  std::shared_ptr<WorkTable> work;
  bool recursive_all = true;
};

}  // namespace wh
