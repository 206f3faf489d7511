// The public header of the query module: SQL text -> statements -> results.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "query/ast.h"
#include "query/parser.h"
#include "query/plan.h"
#include "query/result.h"

namespace wh {

// Runs SQL against the warehouse at a directory. The warehouse is opened on first use and
// created by the first CREATE TABLE.
struct SessionOptions {
  bool prune = true;  // partition / bucket / segment / block pruning (tests compare on and off)
  bool merge_joins = true;  // co-bucketed joins of ordered inputs merged (tests compare on and off)
  int threads = 0;    // 0: one per core
  int64_t etl_micros = 0;  // etl_date of rows written by INSERT / CREATE TABLE AS (0: now)
  // ',' or '\t': SELECT results will be printed as CSV / TSV, so they keep the batches the
  // query produced (ResultSet::chunks, printed in place) and an ORDER BY over buckets may format
  // its rows while it runs (ResultSet::text_delimiter). 0: results are flattened into one column
  // each (ResultSet::columns).
  char csv_delimiter = 0;
  // false: a SELECT's result keeps the batches the query produced (ResultSet::chunks, and
  // order_* when sorted) instead of being copied into one column each (the Python module
  // copies them once, straight into its arrays).
  bool flatten = true;
  // Where results go: with a sink, Execute hands it every result in statement order (a query's
  // rows as they are produced, unless they must all be held to be sorted) and returns none.
  ResultSink* sink = nullptr;
};

// Binds each ${name} in `sql` to its value (`wh query --var name=value`) as data, never as SQL:
// in code the value becomes one literal (a number if it reads as one, else a string literal,
// quotes doubled); inside a string literal or a quoted name it joins that literal (its quotes
// doubled); in a comment it is shown but cannot end the comment. A ${name} without a value, or a
// value nobody uses, is an error.
Result<std::string> SubstituteVariables(const std::string& sql,
                                        const std::vector<std::pair<std::string, std::string>>& vars);

class Session {
 public:
  Session(FileSystem* fs, std::string root, SessionOptions options = {})
      : fs_(fs), root_(std::move(root)), options_(options) {}

  // Executes every statement of `sql` in order, stopping at the first error. Returns one result
  // per statement that produces rows (SELECT, SHOW TABLES, DESCRIBE).
  Result<std::vector<ResultSet>> Execute(const std::string& sql);

  // EXPLAIN of one query (SELECT, WITH, VALUES; or an EXPLAIN statement), its errors placed in
  // `sql` as given: the plan's lines.
  Result<std::vector<ResultSet>> Explain(const std::string& sql);

  // Opens (or with create, creates) the warehouse.
  Result<Warehouse*> GetWarehouse(bool create);
  // The options of the statements to come (the shell changes the output format between them).
  SessionOptions& options() { return options_; }
  // The session's temporary views: lower-case name -> SQL of the query.
  const std::map<std::string, std::string>& temp_views() const { return temp_views_; }

  // Every later statement reads `table` as of `snapshot` (an export's statements, one per
  // partition, see one state of the table however many commits land meanwhile).
  void PinSnapshot(const std::string& table, std::shared_ptr<TableSnapshot> snapshot) {
    pinned_[ToLower(table)] = std::move(snapshot);
  }

 private:
  Result<std::vector<ResultSet>> Run(const Statement& st, const std::string& sql);
  Result<std::vector<ResultSet>> Copy(const Statement& st, const std::string& sql);
  // `insert_types`: the column types of the table an INSERT writes (a VALUES list takes them).
  // `wh` null: there is no warehouse (why: `no_warehouse`), so only files and constants.
  Result<PlanPtr> Plan(Warehouse* wh, const QueryAst& q, const std::string& sql,
                       std::vector<std::string>* names, const std::vector<DataType>* insert_types = nullptr,
                       const std::string& no_warehouse = "");
  // Runs a plan and commits its rows to `table` as one batch (INSERT, CREATE TABLE AS).
  // Writes the plan's rows through `writer` and commits them. With `overwrite`, the commit
  // replaces partitions (TableWriter::Overwrite of *overwrite).
  Result<ResultSet> InsertPlan(Warehouse* wh, TableWriter* writer, const std::string& table, const PlanPtr& plan,
                               const std::string& sql, const SourcePos& pos, CommitRecord* committed = nullptr,
                               const std::optional<std::optional<PartitionSet>>& overwrite = {});

  // The views a query of this session sees: its temporary views, then the warehouse's.
  std::function<Result<std::optional<std::string>>(const std::string&)> Views(Warehouse* wh);
  // DESCRIBE of a view's text.
  Result<std::vector<ResultSet>> DescribeView(Warehouse* wh, const std::string& name, const std::string& text,
                                              const char* kind);

  FileSystem* fs_;
  std::string root_;
  SessionOptions options_;
  std::unique_ptr<Warehouse> wh_;
  std::map<std::string, std::string> temp_views_;  // CREATE TEMP VIEW: lower-case name -> SQL
  std::map<std::string, std::shared_ptr<TableSnapshot>> pinned_;  // PinSnapshot
};

// `wh inspect`: tables (no name); one table's partitions, segments, buckets and zone maps; or,
// with `blocks_of` (a partition directory or segment path), every block of those segments with
// its encoding, sizes and zone map.
Result<std::vector<std::pair<std::string, ResultSet>>> Inspect(Warehouse* wh,
                                                               const std::string& table,
                                                               const std::string& blocks_of = "");

}  // namespace wh
