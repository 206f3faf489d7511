// `wh query`: SQL statements, results to stdout or a file.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "format/memory.h"
#include "query/query.h"
#include "tools/wh/cli.h"

namespace wh {
namespace {

int CmdQuery(const Args& a) {
  std::string sql;
  if (!a.file.empty()) {
    if (!a.positional.empty()) return Usage("query takes SQL text or -f FILE, not both");
    std::stringstream ss;
    if (a.file == "-") {  // the statements on standard input
      ss << std::cin.rdbuf();
    } else {
      std::ifstream f(a.file, std::ios::binary);
      if (!f) return Fail(Status::NotFound("cannot read SQL file '" + a.file + "'"));
      ss << f.rdbuf();
    }
    sql = ss.str();
  } else {
    if (a.positional.size() != 1) return Usage("query needs one SQL argument (quote it) or -f FILE");
    sql = a.positional[0];
  }
  std::vector<std::pair<std::string, std::string>> vars;
  for (const auto& v : a.vars) {
    const size_t eq = v.find('=');
    if (eq == std::string::npos || eq == 0) return Usage("--var needs NAME=VALUE, not '" + v + "'");
    vars.emplace_back(v.substr(0, eq), v.substr(eq + 1));
  }
  if (!vars.empty() || sql.find("${") != std::string::npos) {
    auto substituted = SubstituteVariables(sql, vars);
    if (!substituted.ok()) return Usage(substituted.status().message());
    sql = std::move(*substituted);
  }
  if (!a.output.empty()) {
    Status inside = RefuseInsideWarehouse(a.warehouse, a.output, "-o");
    if (!inside.ok()) return Fail(inside);
  }
  auto fmt = ChooseFormat(a);
  if (!fmt.ok()) return Usage(fmt.status().message());
  uint64_t budget = DefaultStatementBudget();  // or --memory-mb
  if (!a.memory.empty()) {
    auto mb = ParseInt64(a.memory, 16, 1 << 24);
    if (!mb.ok()) return Usage("--memory-mb must be an integer from 16 up");
    budget = static_cast<uint64_t>(*mb) << 20;
  }
  memory::SetBudget(budget);
  SessionOptions so;
  // CSV and TSV print the query's batches where they are (sorted ones as lines formatted while
  // the query runs); the other formats read whole columns.
  if (*fmt == OutputFormat::kCsv) so.csv_delimiter = ',';
  if (*fmt == OutputFormat::kTsv) so.csv_delimiter = '\t';
  if (!a.etl_date.empty()) {
    auto t = ParseTimestamp(a.etl_date);
    if (!t.ok()) return Usage("--etl-date '" + a.etl_date + "': " + t.status().message());
    so.etl_micros = *t;
  }
  // Results are written as they are produced (a big result is never held whole to be printed);
  // a file appears at -o only when every statement succeeded.
  std::unique_ptr<ResultWriter> writer;
  if (a.output.empty()) {
    writer = ResultWriter::ToStream(&std::cout, *fmt);
  } else {
    auto w = ResultWriter::ToFile(a.output, *fmt);
    if (!w.ok()) return Fail(w.status());
    writer = std::move(*w);
  }
  so.sink = writer.get();
  Session session(DefaultFileSystem(), a.warehouse, so);
  const auto start = std::chrono::steady_clock::now();
  auto results = session.Execute(sql);
  if (!results.ok()) {
    std::cout.flush();
    return Fail(results.status());
  }
  Status closed = writer->Close();
  if (a.timing) {
    std::cout.flush();
    std::fprintf(stderr, "Run Time: %.4f s\n",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return closed.ok() ? kExitOk : Fail(closed);
}

}  // namespace

const Command kQueryCommand = {
    "query", "\"SQL\" | -f FILE.sql|- [OPTIONS]",
    "run SQL statements; results to stdout or -o FILE",
    "Runs the statements in order, stopping at the first error: SELECT / WITH / VALUES,\n"
    "EXPLAIN [ANALYZE], CREATE TABLE [AS SELECT], INSERT INTO t SELECT | VALUES, CREATE [OR\n"
    "REPLACE] [TEMP] VIEW, DROP TABLE, DROP VIEW, SHOW TABLES, SHOW FUNCTIONS, DESCRIBE, COPY\n"
    "(README \"SQL\"). Results are written as they are produced; a file appears at -o only when\n"
    "every statement succeeded.",
    {
        {.name = "--file", .alias = "-f", .value = "FILE", .help = "the SQL of FILE (- : standard input)", .text = &Args::file},
        {.name = "--format", .value = "F",
         .help = "table, csv, tsv, json, jsonl, markdown or parquet (default: -o's extension, else table "
                 "on a terminal and csv otherwise)",
         .text = &Args::format},
        {.name = "--output", .alias = "-o", .value = "OUT", .help = "write the results to OUT", .text = &Args::output},
        {.name = "--var", .value = "NAME=VALUE",
         .help = "bind ${NAME} in the SQL to VALUE as one literal (a number, else a string), never SQL; repeatable",
         .list = &Args::vars},
        {.name = "--etl-date", .value = "D", .help = "the etl_date of rows INSERT and CREATE TABLE AS write (default now)",
         .text = &Args::etl_date},
        {.name = "--memory-mb", .value = "N",
         .help = "the most memory a statement may use (default 80% of RAM); past it, exit 8", .text = &Args::memory},
        {.name = "--timing", .help = "the run time on stderr", .flag = &Args::timing},
    },
    CmdQuery};

}  // namespace wh
