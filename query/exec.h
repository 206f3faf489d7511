// Execution of optimized plans: pull-based operators that pass column batches. Subtrees that are
// partitioned by the bucket hash (scans of bucketed tables, joins of co-bucketed tables on the
// key, aggregations grouped by the key) run bucket by bucket on a pool of threads, each bucket
// with its own small hash tables.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <tuple>
#include <memory>
#include <mutex>
#include <string>

#include "query/plan.h"
#include "query/result.h"

namespace wh {

// Per plan node counters (summed over buckets and threads).
struct NodeStats {
  std::atomic<uint64_t> rows{0};
  std::atomic<uint64_t> nanos{0};
  // Scans only:
  std::atomic<uint64_t> row_groups{0};          // row groups of kept segments in kept buckets
  std::atomic<uint64_t> row_groups_skipped{0};  // ... skipped by block zone maps
  std::atomic<uint64_t> blocks_read{0};
  std::atomic<uint64_t> bytes_read{0};
  std::atomic<uint64_t> rows_read{0};           // rows of the row groups read
  // Grouping: the most groups one run (bucket) of the node has had, which sizes the next
  // bucket's hash table up front.
  std::atomic<uint64_t> groups{0};
};

struct ExecOptions {
  int threads = 0;      // 0: one per core
  bool analyze = false;  // time every operator (EXPLAIN ANALYZE)
  // ',' or '\t': a root ORDER BY over buckets formats each bucket's sorted rows as CSV / TSV
  // lines on the worker threads (ResultSet::text_delimiter); 0: rows stay columns.
  char text_delimiter = 0;
  // Decoded blocks of shared row groups kept for the statement (ExecContext::SharedBlock).
  size_t shared_block_bytes = size_t{256} << 20;
};

class ExecContext {
 public:
  ExecContext(FileSystem* fs, ExecOptions options);
  FileSystem* fs() const { return fs_; }
  const ExecOptions& options() const { return options_; }
  int threads() const { return threads_; }
  NodeStats& stats(const PlanNode* node);
  // Opens (once per query) a segment file of `table`, conformed to the table's columns.
  Result<std::shared_ptr<SegmentReader>> Reader(const TableSnapshot& table, const SegmentEntry& seg);
  // Segment files opened so far (each once).
  uint64_t files_opened() const { return files_opened_.load(); }
  // Block (g, c) of `reader` decoded, for row groups that several units of work read (each
  // takes its buckets' rows): decoded once and kept for the statement while the kept blocks
  // total at most ExecOptions::shared_block_bytes, decoded again past that. *decoded: whether
  // this call decoded it. The column is shared: read it, never change it.
  Result<std::shared_ptr<const Column>> SharedBlock(const std::shared_ptr<SegmentReader>& reader, size_t g, size_t c,
                                                    bool* decoded);

 private:
  FileSystem* fs_;
  ExecOptions options_;
  int threads_;
  std::mutex mu_;
  std::map<const PlanNode*, std::unique_ptr<NodeStats>> stats_;
  struct PendingReader {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    Status status;
    std::shared_ptr<SegmentReader> reader;
  };
  std::map<std::string, std::shared_ptr<PendingReader>> readers_;
  std::atomic<uint64_t> files_opened_{0};
  std::map<std::tuple<const SegmentReader*, size_t, size_t>, std::shared_ptr<const Column>> shared_blocks_;
  size_t shared_block_bytes_ = 0;
  // The readers whose blocks shared_blocks_ holds, kept open as long as their keys are used.
  std::vector<std::shared_ptr<SegmentReader>> shared_readers_;
};

// Runs a plan to completion and collects its rows as the batches it produced (ResultSet::chunks;
// a sorted plan's rows are ordered by ResultSet::order_*, not copied into place).
Result<ResultSet> ExecutePlan(const PlanPtr& plan, ExecContext* ctx);
// Runs a plan (not a sort: its rows would all be held anyway) and hands its batches to the sink
// as they are produced, in the plan's types, strings plain.
Status StreamPlan(const PlanPtr& plan, ExecContext* ctx, ResultSink* sink);

// Pull-based operator interface.
class Operator {
 public:
  virtual ~Operator() = default;
  // Produces the next batch; false at the end.
  virtual Result<bool> Next(Batch* out) = 0;
};

// A window operator: the child's columns, then one column per window function.
std::unique_ptr<Operator> MakeWindowOp(std::unique_ptr<Operator> child, std::vector<WindowSpec> specs);

// The stable order of n rows by sort keys; cols[k] holds the values of keys[k].
std::vector<uint32_t> SortPermutation(const std::vector<Column>& cols, const std::vector<SortKey>& keys, size_t n);
// Sign of row a of c - row b of d (same type, both non-NULL; NaN after every number).
int CompareValues(const Column& c, size_t a, const Column& d, size_t b);
inline int CompareRows(const Column& c, size_t a, size_t b) { return CompareValues(c, a, c, b); }

// The buckets one run of a bucket-partitioned subtree reads: [lo, hi), or all of them.
struct BucketRange {
  int32_t lo = -1, hi = -1;
  bool all() const { return lo < 0; }
  bool Contains(uint32_t b) const { return all() || (static_cast<int64_t>(b) >= lo && static_cast<int64_t>(b) < hi); }
};

// Builds the operator tree of a plan; `bucket` restricts bucketed scans to those buckets.
Result<std::unique_ptr<Operator>> BuildOperator(const PlanPtr& node, BucketRange bucket, ExecContext* ctx);

// The units of work of a bucket-partitioned subtree over tables of n buckets: at level K, unit u
// of 2^K reads buckets [u * n >> K, (u + 1) * n >> K) (empty for some u when 2^K > n). The
// finest level (one bucket or none per unit), unless row groups that several buckets share
// would be visited by several units each: then levels coarser one by one until those visits
// add at most a quarter of the rows, or the 2^K units hold 64K rows or more on average while
// the shared row groups' decoded columns (estimated by their types' widths, a string 8 bytes)
// fit in shared_budget bytes (ExecOptions::shared_block_bytes).
int UnitLevel(const PlanNode& node, uint32_t n, uint64_t shared_budget);
BucketRange UnitBuckets(uint32_t n, int level, uint32_t unit);

// Buckets that scans under `node` may read (empty: no bucketed scan).
void KeptBuckets(const PlanNode& node, std::vector<uint8_t>* kept);

// For EXPLAIN: the row groups a scan would visit and how many its block zone maps skip, without
// reading any block.
Status CountScanRowGroups(const PlanNode& scan, ExecContext* ctx, uint64_t* visited, uint64_t* skipped);

}  // namespace wh
