// Execution of optimized plans: pull-based operators that pass column batches. Subtrees that are
// partitioned by the bucket hash (scans of bucketed tables, joins of co-bucketed tables on the
// key, aggregations grouped by the key) run bucket by bucket on a pool of threads, each bucket
// with its own small hash tables.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
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
};

class ExecContext {
 public:
  ExecContext(FileSystem* fs, ExecOptions options);
  FileSystem* fs() const { return fs_; }
  const ExecOptions& options() const { return options_; }
  int threads() const { return threads_; }
  NodeStats& stats(const PlanNode* node);
  // Opens (once per query) a segment file.
  Result<std::shared_ptr<SegmentReader>> Reader(const std::string& path);
  // Segment files opened so far (each once).
  uint64_t files_opened() const { return files_opened_.load(); }

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

// Builds the operator tree of a plan; `bucket` restricts scans to one bucket (-1: all).
Result<std::unique_ptr<Operator>> BuildOperator(const PlanPtr& node, int bucket, ExecContext* ctx);

// Buckets that scans under `node` may read (empty: no bucketed scan).
void KeptBuckets(const PlanNode& node, std::vector<uint8_t>* kept);

// For EXPLAIN: the row groups a scan would visit and how many its block zone maps skip, without
// reading any block.
Status CountScanRowGroups(const PlanNode& scan, ExecContext* ctx, uint64_t* visited, uint64_t* skipped);

}  // namespace wh
