// wh: the command line. Parses arguments and calls the library; stdout carries results only,
// progress and errors go to stderr.
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "format/memory.h"
#include "ingest/ingest.h"
#include "ingest/sniff.h"
#include "query/export.h"
#include "query/query.h"
#include "tools/gen/generator.h"
#include "tools/wh/cli.h"
#include "tools/wh/shell.h"

#ifndef WH_VERSION
#define WH_VERSION "dev"
#endif

namespace wh {
namespace {

const char* kUsage = R"(wh: an embedded analytical warehouse for event data

usage: wh [-w DIR] COMMAND [ARGS]
       wh [-w DIR]                         the SQL shell at a terminal (.help lists its
                                           dot-commands); with standard input not a terminal,
                                           runs its statements in order, stopping at the first
                                           error (its exit code)

commands:
  shell                                    the SQL shell (prompt, history in ~/.wh_history or
                                           $WH_HISTORY, tab completion, Ctrl-C stops a statement)
  query "SQL" | -f FILE.sql|- [--format F] [-o OUT] [--var NAME=VALUE]... [--memory-mb N] [--timing]
                                           run SQL: SELECT / WITH / VALUES, EXPLAIN [ANALYZE],
                                           CREATE TABLE [AS SELECT], INSERT INTO t SELECT |
                                           VALUES (rows get --etl-date), CREATE [OR REPLACE]
                                           VIEW, DROP TABLE, DROP VIEW, SHOW TABLES, SHOW
                                           FUNCTIONS, DESCRIBE (README "SQL"); ${NAME} in
                                           the SQL is bound to --var NAME's VALUE as one
                                           literal (a number, else a string), never SQL;
                                           --memory-mb: the most memory a statement may use
                                           (default 80% of RAM; past it, exit 8); -f -: the
                                           SQL on standard input; --timing: the run time on
                                           stderr
  ingest TABLE FILE... [--format csv|json|parquet] [--etl-date D] [--memory-mb N (1024)]
         [--force] [--max-errors N [--rejects FILE]] [--time-format [COL=]FMT]...
         [--allow-missing-columns] [--no-compact]
         [--create [--partition-by 'NAME = EXPR'] [--clustered-by COLUMN:BUCKETS]]
                                           load CSV files with a header, JSON objects (JSON
                                           lines or whole-object files; by default when every
                                           name ends in .json/.jsonl/.ndjson) or Parquet files
                                           (columns by name; .parquet), as one atomic
                                           batch; FILE may be a directory (all files below
                                           it) or a pattern (*, ?, [..], ** for any depth);
                                           "-" = stdin; .gz/.zst decompressed;
                                           D = YYYY-MM-DD[ HH:MM:SS], default now; a file
                                           already committed (same path and content) is
                                           refused unless --force; with
                                           --max-errors, up to N bad rows are skipped (and
                                           listed in FILE) instead of failing the load;
                                           a CSV header must name every column, unless
                                           --allow-missing-columns (then NULLs);
                                           --time-format reads DATE/TIMESTAMP text of COL
                                           (or all) as FMT: iso, a pattern like %d/%m/%Y
                                           (%Y %m %d %H %M %S %f), epoch_s, epoch_ms, epoch_us;
                                           --create makes TABLE first, with the columns and
                                           types guessed from the files (as read_csv /
                                           read_json do; a --time-format column is a
                                           TIMESTAMP), partitioned and bucketed as given
  inspect [TABLE [PART|SEG]] [--format F]  tables; a table's partitions, segments, zone maps;
                                           or every block of a partition/segment
  compact [TABLE] [--partition P]          merge each partition's files into as few as the
                                           target size allows (512 MiB), in one commit per
                                           table; ingest already merges by a policy after each
                                           commit (README "Compaction"), which --no-compact
                                           turns off
  verify [TABLE]                           check every checksum; exit 4 on corruption
  export TABLE DIR --format parquet [--where 'SQL'] [--since-commit N]
                                           write the table as Parquet files in a Hive layout
                                           (DIR/event_date=YYYY-MM-DD/part-...parquet), one
                                           file per Spark bucket (Spark's own bucket function),
                                           with etl_date; DIR appears whole or not at all;
                                           --since-commit: only rows of commits after N
  export TABLE DIR --format iceberg [--where 'SQL']
                                           an Apache Iceberg v2 table (Parquet data,
                                           identity(event_date), bucket[N](key)); again into
                                           the same DIR: a new snapshot of the commits since
  gen [--workload W] [--scale SF] [--seed N] DIR
                                           write generated CSVs: social (the default; seed-000
                                           events/payments/posts, SF 1 = 1M users, 10M events,
                                           2M payments, 5M posts) or engagement (seed-002
                                           interactions/users, SF 1 = 100K users, 10M
                                           interactions)
  version                                  print the version

options:
  -w, --warehouse DIR   the warehouse directory (default: $WH_WAREHOUSE, else ./warehouse)
  --format F            query output: table, csv, tsv, json, jsonl, markdown, parquet (default:
                        -o's extension, else table on a terminal, csv otherwise); ingest input:
                        csv, json or parquet; export: parquet

exit codes: 0 ok, 1 error in the request (SQL, names), 2 usage, 3 input data rejected,
            4 corruption, 5 I/O error, 6 unsupported format version, 7 locked, 8 out of
            memory, 70 internal
)";

int Fail(const Status& st) {
  std::cerr << "wh: error: " << ErrorText(st) << "\n";
  return ExitCodeFor(st);
}

int Usage(const std::string& msg) {
  std::cerr << "wh: " << msg << "\n(run `wh --help` for usage)\n";
  return kExitUsage;
}

struct Args {
  std::string warehouse;
  std::string command;
  std::vector<std::string> positional;
  std::string format;
  std::string file;
  std::string etl_date;
  std::string scale;
  std::string seed;
  std::string output;
  std::string memory;
  bool force = false;
  bool timing = false;  // query --timing
  bool create = false;
  std::string partition_by;  // ingest --create: PARTITIONED BY (...)
  std::string clustered_by;  // ingest --create: CLUSTERED BY (col) INTO n BUCKETS, as "col:n"
  bool allow_missing_columns = false;
  bool no_compact = false;
  std::string partition;
  std::string max_errors;
  std::string rejects;
  std::vector<std::string> time_formats;  // [COLUMN=]FORMAT
  std::vector<std::pair<std::string, std::string>> vars;  // --var NAME=VALUE
  std::string workload;
  std::string where;  // export --where
  std::string since_commit;  // export --since-commit
};

Result<OutputFormat> ChooseFormat(const Args& a) {
  if (!a.format.empty()) return ParseOutputFormat(a.format);
  if (!a.output.empty()) {
    if (auto f = OutputFormatOfPath(a.output)) return *f;
    struct stat st;
    if (::stat(a.output.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) return OutputFormat::kCsv;  // a pipe, a device
    return Status::InvalidArgument("-o '" + a.output + "': the format follows the file's extension (.csv, .tsv, "
                                   ".json, .jsonl, .md, .parquet); give --format for another name");
  }
  return isatty(STDOUT_FILENO) ? OutputFormat::kTable : OutputFormat::kCsv;
}

int CmdGen(const Args& a) {
  if (a.positional.size() != 1) return Usage("usage: wh gen [--workload social|engagement] [--scale SF] [--seed N] OUT_DIR");
  GenOptions opt;
  opt.out_dir = a.positional[0];
  Status inside = RefuseInsideWarehouse(a.warehouse, opt.out_dir, "the output directory");
  if (!inside.ok()) return Fail(inside);
  if (!a.scale.empty()) {
    char* end = nullptr;
    opt.scale = std::strtod(a.scale.c_str(), &end);
    if (*end || !(opt.scale > 0) || opt.scale > 1000) return Usage("--scale must be a number in (0, 1000]");
  }
  if (!a.seed.empty()) {
    auto s = ParseInt64(a.seed, 0, INT64_MAX);
    if (!s.ok()) return Usage("--seed must be a non-negative integer");
    opt.seed = static_cast<uint64_t>(*s);
  }
  auto t0 = std::chrono::steady_clock::now();
  if (a.workload == "engagement") {
    auto e = GenerateEngagement(opt);
    if (!e.ok()) return Fail(e.status());
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "generated %llu users, %llu interactions; %s in %.1f s\n",
                 static_cast<unsigned long long>(e->users), static_cast<unsigned long long>(e->interactions),
                 HumanBytes(e->bytes).c_str(), secs);
    return kExitOk;
  }
  if (!a.workload.empty() && a.workload != "social")
    return Usage("--workload '" + a.workload + "': expected social (the default) or engagement");
  auto r = GenerateSocial(opt);
  if (!r.ok()) return Fail(r.status());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "generated %llu users: %llu events, %llu payments, %llu posts; %s in %.1f s\n",
               static_cast<unsigned long long>(r->users), static_cast<unsigned long long>(r->events),
               static_cast<unsigned long long>(r->payments), static_cast<unsigned long long>(r->posts),
               HumanBytes(r->bytes).c_str(), secs);
  return kExitOk;
}

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
  if (!a.vars.empty() || sql.find("${") != std::string::npos) {
    auto substituted = SubstituteVariables(sql, a.vars);
    if (!substituted.ok()) return Usage(substituted.status().message());
    sql = std::move(*substituted);
  }
  if (!a.output.empty()) {
    Status inside = RefuseInsideWarehouse(a.warehouse, a.output, "-o");
    if (!inside.ok()) return Fail(inside);
  }
  auto fmt = ChooseFormat(a);
  if (!fmt.ok()) return Usage(fmt.status().message());
  // The statement's memory: --memory-mb, else 80% of the machine's, so that a query too big
  // for it ends in an error (exit 8) rather than swapping or being killed.
  uint64_t budget = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGE_SIZE)) / 5 * 4;
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
    std::fprintf(stderr, "Run Time: %.3f s\n",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return closed.ok() ? kExitOk : Fail(closed);
}

// "merged 30 files into 1 in 1 partition (4.1 MiB read, 1.2 MiB written[, 0.8x the bytes ingested])"
std::string DescribeCompaction(const CompactStats& c, uint64_t ingested) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "merged %llu files into %llu in %llu partition%s (%llu rows; %s read, %s written",
                static_cast<unsigned long long>(c.files_in), static_cast<unsigned long long>(c.files_out),
                static_cast<unsigned long long>(c.partitions), c.partitions == 1 ? "" : "s",
                static_cast<unsigned long long>(c.rows), HumanBytes(c.bytes_in).c_str(),
                HumanBytes(c.bytes_out).c_str());
  std::string s = buf;
  if (ingested > 0) {
    std::snprintf(buf, sizeof buf, ", %.2fx the bytes ingested", static_cast<double>(c.bytes_out) / ingested);
    s += buf;
  }
  return s + ")";
}

// ingest --create: a table with the columns the files' sniffed layout gives (a column named by
// --time-format COL=FMT is a TIMESTAMP, or a DATE for a format without a time of day), made
// by CREATE TABLE in the warehouse (created if need be); `opt` then reads the files as sniffed.
// Returns the CREATE TABLE statement.
Result<std::string> CreateFromFiles(const Args& a, const std::vector<std::string>& files, IngestOptions* opt) {
  const std::string table = a.positional[0];
  {
    Session probe(DefaultFileSystem(), a.warehouse);
    auto wh = probe.GetWarehouse(false);
    if (wh.ok() && (*wh)->TableExists(table))
      return Status::AlreadyExists("table '" + ToLower(table) + "' already exists; --create makes a new one (leave it out to load into it)");
  }
  SniffOptions so;
  so.format = opt->format;
  WH_ASSIGN_OR_RETURN(SniffResult sniffed, SniffInputs(files, so));
  std::vector<std::pair<std::string, std::string>> formats = sniffed.time_formats;
  std::string sql = "CREATE TABLE " + table + " (";
  for (size_t i = 0; i < sniffed.columns.size(); ++i) {
    ColumnDef& c = sniffed.columns[i];
    for (const auto& [col, fmt] : opt->time_formats) {
      if (col.empty() || ToLower(col) != ToLower(c.name)) continue;
      const bool has_time = fmt.rfind("epoch", 0) == 0 || fmt.find("%H") != std::string::npos || fmt == "iso";
      c.type = has_time ? DataType::Timestamp() : DataType::Date();
      std::erase_if(formats, [&](const auto& f) { return ToLower(f.first) == ToLower(c.name); });
    }
    sql += (i ? ", " : "") + c.name + " " + c.type.ToString();
  }
  sql += ")";
  if (!a.partition_by.empty()) sql += " PARTITIONED BY (" + a.partition_by + ")";
  if (!a.clustered_by.empty()) {
    const size_t colon = a.clustered_by.rfind(':');
    sql += " CLUSTERED BY (" + a.clustered_by.substr(0, colon) + ") INTO " + a.clustered_by.substr(colon + 1) + " BUCKETS";
  }
  Session session(DefaultFileSystem(), a.warehouse);
  auto made = session.Execute(sql);
  if (!made.ok()) return Status(made.status().code(), "--create: " + made.status().message());
  IngestOptions read = sniffed.ReadOptions(opt->format);
  opt->delimiter = read.delimiter;
  opt->header = read.header;
  opt->sniffed_names = true;
  for (const auto& f : formats) opt->time_formats.push_back(f);
  return sql;
}

int CmdIngest(const Args& a) {
  if (a.positional.size() < 2) return Usage("usage: wh ingest TABLE FILE... [--etl-date DATE]");
  IngestOptions opt;
  opt.force = a.force;
  opt.allow_missing_columns = a.allow_missing_columns;
  opt.compact = !a.no_compact;
  if (!a.max_errors.empty()) {
    auto m = ParseInt64(a.max_errors, 0, INT64_MAX);
    if (!m.ok()) return Usage("--max-errors must be a non-negative integer");
    opt.max_errors = static_cast<uint64_t>(*m);
  }
  if (!a.rejects.empty() && opt.max_errors == 0) return Usage("--rejects needs --max-errors N (N > 0)");
  if (!a.rejects.empty()) {
    Status inside = RefuseInsideWarehouse(a.warehouse, a.rejects, "--rejects");
    if (!inside.ok()) return Fail(inside);
  }
  for (const auto& tf : a.time_formats) {
    // COLUMN=FORMAT, or FORMAT for every DATE/TIMESTAMP column (a format never holds '=').
    size_t eq = tf.find('=');
    if (eq == std::string::npos) opt.time_formats.emplace_back("", tf);
    else opt.time_formats.emplace_back(ToLower(tf.substr(0, eq)), tf.substr(eq + 1));
  }
  if (!a.etl_date.empty()) {
    auto t = ParseTimestamp(a.etl_date);
    if (!t.ok()) return Usage("--etl-date '" + a.etl_date + "': " + t.status().message());
    opt.etl_micros = *t;
  }
  if (!a.memory.empty()) {
    auto mb = ParseInt64(a.memory, 16, 1 << 20);
    if (!mb.ok()) return Usage("--memory-mb must be an integer from 16 up");
    opt.batch_bytes = static_cast<size_t>(*mb) << 20;
  }
  if (!a.create && (!a.partition_by.empty() || !a.clustered_by.empty()))
    return Usage("--partition-by and --clustered-by go with --create (a table's layout is set when it is made)");
  auto wh = Warehouse::Open(DefaultFileSystem(), a.warehouse, a.create);
  if (!wh.ok()) return Fail(wh.status());
  const bool tty = isatty(STDERR_FILENO);
  auto start = std::chrono::steady_clock::now();
  bool shown = false;
  if (tty) {
    opt.on_progress = [&](const IngestProgress& p) {
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (secs < 1.0) return;
      shown = true;
      std::string pct;
      if (p.input_size) {
        char b[16];
        std::snprintf(b, sizeof b, " %3.0f%%", 100.0 * p.input_bytes / p.input_size);
        pct = b;
      }
      std::fprintf(stderr, "\r\033[Kingest %s:%s %s, %llu rows, %.0f rows/s", p.input.c_str(),
                   pct.c_str(), HumanBytes(p.input_bytes).c_str(),
                   static_cast<unsigned long long>(p.rows), p.rows / secs);
    };
  }
  auto files = ExpandInputPaths(std::vector<std::string>(a.positional.begin() + 1, a.positional.end()));
  if (!files.ok()) return Fail(files.status());
  if (a.format.empty()) {
    auto f = FormatFromNames(*files);
    if (!f.ok()) return Usage(f.status().message());
    opt.format = *f;
  } else if (a.format == "csv") {
    opt.format = InputFormat::kCsv;
  } else if (a.format == "json" || a.format == "jsonl" || a.format == "ndjson") {
    opt.format = InputFormat::kJson;
  } else if (a.format == "parquet") {
    opt.format = InputFormat::kParquet;
  } else {
    return Usage("ingest --format '" + a.format + "': expected csv, json (also jsonl, ndjson) or parquet");
  }
  if (opt.format == InputFormat::kParquet && (opt.max_errors > 0 || !opt.time_formats.empty()))
    return Usage("--max-errors and --time-format are for CSV and JSON; a Parquet file's values are typed");
  std::string created;  // the CREATE TABLE of --create
  if (a.create) {
    auto sql = CreateFromFiles(a, *files, &opt);
    if (!sql.ok()) return Fail(sql.status());
    created = *sql;
    wh->reset();  // reopened: the table is new
    wh = Warehouse::Open(DefaultFileSystem(), a.warehouse, false);
    if (!wh.ok()) return Fail(wh.status());
  }
  auto res = IngestCsv(wh->get(), a.positional[0], *files, opt);
  if (shown) std::fprintf(stderr, "\r\033[K");
  if (!res.ok() && a.create) {
    // Nothing is left behind: the table --create made goes again.
    Session undo(DefaultFileSystem(), a.warehouse);
    Status dropped = undo.Execute("DROP TABLE " + ToLower(a.positional[0])).status();
    std::cerr << "wh: error: " << res.status().ToString() << "\n"
              << (dropped.ok() ? "wh: nothing was committed; table '" + ToLower(a.positional[0]) +
                                     "' was not created (its columns would have been: " + created + ")\n"
                               : "wh: the table was created but not loaded, and dropping it failed: " +
                                     dropped.ToString() + "\n");
    return ExitCodeFor(res.status());
  }
  if (!created.empty()) std::fprintf(stderr, "created: %s\n", created.c_str());
  if (!res.ok()) {
    std::cerr << "wh: error: " << res.status().ToString() << "\n"
              << "wh: nothing was committed; table '" << ToLower(a.positional[0])
              << "' is unchanged\n";
    return ExitCodeFor(res.status());
  }
  const IngestResult& r = *res;
  if (!r.rejects.empty()) {
    std::fprintf(stderr, "read %llu rows: %llu committed, %zu rejected (at most %llu allowed)%s\n",
                 static_cast<unsigned long long>(r.rows + r.rejects.size()),
                 static_cast<unsigned long long>(r.rows), r.rejects.size(),
                 static_cast<unsigned long long>(opt.max_errors),
                 a.rejects.empty() ? "; the first: " : ("; listed in " + a.rejects).c_str());
    if (a.rejects.empty()) std::fprintf(stderr, "  %s\n", r.rejects[0].reason.c_str());
    if (!a.rejects.empty()) {
      // input,line,error,row: the rejected rows, each with where and why.
      std::ofstream out(a.rejects, std::ios::binary | std::ios::trunc);
      auto q = [](const std::string& v) {
        std::string o = "\"";
        for (char ch : v) {
          if (ch == '"') o += '"';
          o += ch;
        }
        return o + "\"";
      };
      out << "input,line,error,row\n";
      for (const auto& rj : r.rejects)
        out << q(rj.input) << "," << rj.line << "," << q(rj.reason) << "," << q(rj.fields) << "\n";
      if (!out) return Fail(Status::IOError("cannot write '" + a.rejects + "'"));
    }
  }
  std::fprintf(stderr,
               "ingested %llu rows into %s (commit %llu): %llu partition%s, %llu file%s, %s written "
               "(from %s of input), %.2f s, %.0f rows/s\n",
               static_cast<unsigned long long>(r.rows), ToLower(a.positional[0]).c_str(),
               static_cast<unsigned long long>(r.commit_seq),
               static_cast<unsigned long long>(r.partitions), r.partitions == 1 ? "" : "s",
               static_cast<unsigned long long>(r.segments), r.segments == 1 ? "" : "s", HumanBytes(r.bytes).c_str(),
               HumanBytes(r.input_bytes).c_str(), r.seconds,
               r.seconds > 0 ? r.rows / r.seconds : 0.0);
  if (r.compaction.files_in > 0)
    std::fprintf(stderr, "compacted (commit %llu): %s, %.2f s\n", static_cast<unsigned long long>(r.compaction.commit_seq),
                 DescribeCompaction(r.compaction, r.bytes).c_str(), r.compaction_seconds);
  if (!r.compaction_error.empty())
    std::fprintf(stderr, "wh: warning: the rows are committed, but compacting after them failed: %s\n"
                 "wh: the table is as the ingest left it; `wh compact %s` tries again\n",
                 r.compaction_error.c_str(), ToLower(a.positional[0]).c_str());
  return kExitOk;
}

int CmdCompact(const Args& a) {
  if (a.positional.size() > 1) return Usage("usage: wh compact [TABLE] [--partition YYYY-MM-DD|NULL]");
  if (!a.partition.empty() && a.positional.empty()) return Usage("--partition needs a TABLE");
  CompactOptions opt;
  opt.full = true;
  if (!a.partition.empty()) {
    std::string p = a.partition;
    if (size_t eq = p.find('='); eq != std::string::npos) p = p.substr(eq + 1);  // event_date=YYYY-MM-DD
    if (p == "NULL" || p == "null" || p == "__HIVE_DEFAULT_PARTITION__") {
      opt.partitions.push_back(std::nullopt);
    } else {
      auto d = ParseDate(p);
      if (!d.ok()) return Usage("--partition '" + a.partition + "': expected YYYY-MM-DD or NULL");
      opt.partitions.push_back(*d);
    }
  }
  auto wh = Warehouse::Open(DefaultFileSystem(), a.warehouse, false);
  if (!wh.ok()) return Fail(wh.status());
  std::vector<std::string> tables;
  if (a.positional.empty()) {
    auto t = (*wh)->ListTables();
    if (!t.ok()) return Fail(t.status());
    tables = *t;
  } else {
    tables.push_back(ToLower(a.positional[0]));
  }
  for (const auto& t : tables) {
    auto start = std::chrono::steady_clock::now();
    auto r = CompactTable(wh->get(), t, opt);
    if (!r.ok()) {
      std::cerr << "wh: error: compacting " << t << ": " << r.status().ToString() << "\n"
                << "wh: table '" << t << "' is unchanged\n";
      return ExitCodeFor(r.status());
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (r->files_in == 0)
      std::fprintf(stderr, "%s: nothing to compact\n", t.c_str());
    else
      std::fprintf(stderr, "compacted %s (commit %llu): %s, %.2f s\n", t.c_str(),
                   static_cast<unsigned long long>(r->commit_seq), DescribeCompaction(*r, 0).c_str(), secs);
  }
  return kExitOk;
}

int CmdInspect(const Args& a) {
  if (a.positional.size() > 2) return Usage("usage: wh inspect [TABLE [PARTITION|SEGMENT]]");
  auto fmt = ChooseFormat(a);
  if (!fmt.ok()) return Usage(fmt.status().message());
  auto wh = Warehouse::Open(DefaultFileSystem(), a.warehouse, false);
  if (!wh.ok()) return Fail(wh.status());
  auto sections = Inspect(wh->get(), a.positional.empty() ? "" : a.positional[0],
                          a.positional.size() > 1 ? a.positional[1] : "");
  if (!sections.ok()) return Fail(sections.status());
  bool first = true;
  for (const auto& [title, rs] : *sections) {
    if (*fmt == OutputFormat::kTable || *fmt == OutputFormat::kMarkdown) {
      std::cout << (first ? "" : "\n") << title << ":\n";
    } else if (*fmt == OutputFormat::kCsv || *fmt == OutputFormat::kTsv) {
      std::cout << (first ? "" : "\n") << "# " << title << "\n";
    }
    first = false;
    PrintResult(rs, *fmt, std::cout);
  }
  return kExitOk;
}

int CmdVerify(const Args& a) {
  if (a.positional.size() > 1) return Usage("usage: wh verify [TABLE]");
  auto wh = Warehouse::Open(DefaultFileSystem(), a.warehouse, false);
  if (!wh.ok()) return Fail(wh.status());
  std::vector<std::string> tables;
  if (a.positional.empty()) {
    auto names = (*wh)->ListTables();
    if (!names.ok()) return Fail(names.status());
    tables = *names;
  } else {
    if (!(*wh)->TableExists(a.positional[0]))
      return Fail(Status::NotFound("table '" + ToLower(a.positional[0]) + "' does not exist"));
    tables.push_back(ToLower(a.positional[0]));
  }
  uint64_t problems = 0;
  if (a.positional.empty()) {
    problems += VerifyWarehouse(wh->get(), [&](const std::string& msg) { std::cout << "CORRUPT " << msg << "\n"; });
  }
  for (const auto& t : tables) {
    VerifyStats s = VerifyTable(wh->get(), t, [&](const std::string& msg) {
      std::cout << "CORRUPT " << t << ": " << msg << "\n";
    });
    problems += s.problems;
    std::cout << (s.problems ? "FAILED " : "ok ") << t << ": " << s.segments << " files, "
              << s.blocks << " blocks, " << HumanBytes(s.bytes) << " checked";
    if (s.problems) std::cout << ", " << s.problems << " problems";
    std::cout << "\n";
  }
  std::cout.flush();
  if (problems) {
    std::cerr << "wh: verify found " << problems << " problems\n";
    return kExitCorruption;
  }
  return kExitOk;
}

int CmdExport(const Args& a) {
  if (a.positional.size() != 2)
    return Usage("usage: wh export TABLE DIR --format parquet|iceberg [--where 'SQL predicate'] [--since-commit N]");
  if (a.format.empty()) return Usage("wh export needs --format parquet or --format iceberg");
  if (a.format != "parquet" && a.format != "iceberg")
    return Usage("wh export --format '" + a.format + "': expected parquet or iceberg");
  ExportOptions opt;
  opt.where = a.where;
  if (!a.since_commit.empty()) {
    auto n = ParseInt64(a.since_commit, 0, INT64_MAX);
    if (!n.ok()) return Usage("--since-commit needs a commit number (wh inspect lists them), not '" + a.since_commit + "'");
    opt.since_commit = static_cast<uint64_t>(*n);
  }
  auto start = std::chrono::steady_clock::now();
  auto r = a.format == "iceberg"
               ? ExportIceberg(DefaultFileSystem(), a.warehouse, ToLower(a.positional[0]), a.positional[1], opt)
               : ExportParquet(DefaultFileSystem(), a.warehouse, ToLower(a.positional[0]), a.positional[1], opt);
  if (!r.ok()) {
    std::cerr << "wh: error: exporting " << a.positional[0] << ": " << r.status().ToString() << "\n"
              << "wh: nothing was written to '" << a.positional[1] << "'\n";
    return ExitCodeFor(r.status());
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (a.format == "iceberg" && r->files == 0) {
    std::fprintf(stderr, "%s: nothing new since the last export to %s (commit %llu); no snapshot added\n",
                 ToLower(a.positional[0]).c_str(), a.positional[1].c_str(), static_cast<unsigned long long>(r->commit_seq));
    return kExitOk;
  }
  std::fprintf(stderr, "exported %s (commit %llu) to %s: %llu rows, %llu partitions, %llu Parquet files, %s, %.2f s\n",
               ToLower(a.positional[0]).c_str(), static_cast<unsigned long long>(r->commit_seq), a.positional[1].c_str(),
               static_cast<unsigned long long>(r->rows), static_cast<unsigned long long>(r->partitions),
               static_cast<unsigned long long>(r->files), HumanBytes(r->bytes).c_str(), secs);
  return kExitOk;
}

int Main(int argc, char** argv) {
  Args a;
  const char* env = std::getenv("WH_WAREHOUSE");
  a.warehouse = env && *env ? env : "warehouse";
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& s = args[i];
    auto value = [&](const char* name) -> Result<std::string> {
      if (i + 1 >= args.size()) return Status::InvalidArgument(std::string(name) + " needs a value");
      // An empty value is a mistake (an unset shell variable), never "the default".
      if (args[i + 1].empty()) return Status::InvalidArgument(std::string(name) + " needs a value, not an empty string");
      return args[++i];
    };
    Result<std::string> v = std::string();
    if (s == "-h" || s == "--help" || (a.command.empty() && s == "help")) {
      std::cout << kUsage;
      return kExitOk;
    } else if (s == "--version" || (a.command.empty() && s == "version")) {
      std::cout << "wh " << WH_VERSION << "\n";
      return kExitOk;
    } else if (s == "-w" || s == "--warehouse") {
      v = value("-w");
      if (v.ok()) a.warehouse = *v;
    } else if (s == "--format") {
      v = value("--format");
      if (v.ok()) a.format = *v;
    } else if (s == "-f" || s == "--file") {
      v = value("-f");
      if (v.ok()) a.file = *v;
    } else if (s == "-o" || s == "--output") {
      v = value("-o");
      if (v.ok()) a.output = *v;
    } else if (s == "--max-errors") {
      v = value("--max-errors");
      if (v.ok()) a.max_errors = *v;
    } else if (s == "--rejects") {
      v = value("--rejects");
      if (v.ok()) a.rejects = *v;
    } else if (s == "--var") {
      v = value("--var");
      if (v.ok()) {
        size_t eq = v->find('=');
        if (eq == std::string::npos || eq == 0) return Usage("--var needs NAME=VALUE, not '" + *v + "'");
        a.vars.emplace_back(v->substr(0, eq), v->substr(eq + 1));
      }
    } else if (s == "--time-format") {
      v = value("--time-format");
      if (v.ok()) a.time_formats.push_back(*v);
    } else if (s == "--timing") {
      a.timing = true;
    } else if (s == "--force") {
      a.force = true;
    } else if (s == "--create") {
      a.create = true;
    } else if (s == "--partition-by") {
      v = value("--partition-by");
      if (v.ok()) a.partition_by = *v;
    } else if (s == "--clustered-by") {
      // COLUMN:BUCKETS
      v = value("--clustered-by");
      if (v.ok()) {
        const size_t colon = v->rfind(':');
        if (colon == std::string::npos || colon == 0 || !ParseInt64(v->substr(colon + 1), 1, 65536).ok())
          return Usage("--clustered-by needs COLUMN:BUCKETS (e.g. user_id:16), not '" + *v + "'");
        a.clustered_by = *v;
      }
    } else if (s == "--allow-missing-columns") {
      a.allow_missing_columns = true;
    } else if (s == "--no-compact") {
      a.no_compact = true;
    } else if (s == "--partition") {
      v = value("--partition");
      if (v.ok()) a.partition = *v;
    } else if (s == "--memory-mb") {
      v = value("--memory-mb");
      if (v.ok()) a.memory = *v;
    } else if (s == "--scale") {
      v = value("--scale");
      if (v.ok()) a.scale = *v;
    } else if (s == "--workload") {
      v = value("--workload");
      if (v.ok()) a.workload = *v;
    } else if (s == "--seed") {
      v = value("--seed");
      if (v.ok()) a.seed = *v;
    } else if (s == "--since-commit") {
      v = value("--since-commit");
      if (v.ok()) a.since_commit = *v;
    } else if (s == "--where") {
      v = value("--where");
      if (v.ok()) a.where = *v;
    } else if (s == "--etl-date") {
      v = value("--etl-date");
      if (v.ok()) a.etl_date = *v;
    } else if (s.size() > 1 && s[0] == '-' && s != "-" &&
               !(s.rfind("--", 0) == 0 && s.find_first_of(" \t\r\n") != std::string::npos)) {
      // (SQL that begins with a -- comment is SQL: no option has a space in it.)
      return Usage("unknown option '" + s + "'");
    } else if (a.command.empty()) {
      a.command = s;
    } else {
      a.positional.push_back(s);
    }
    if (!v.ok()) return Usage(v.status().message());
  }
  // No command: the shell, at a terminal; a script of statements from standard input otherwise.
  if (a.command.empty()) {
    if (!a.positional.empty() || a.file.size()) return Usage("options without a command");
    return RunShell(a.warehouse, isatty(STDIN_FILENO), a.format);
  }
  if (a.command == "shell") {
    if (!a.positional.empty()) return Usage("usage: wh [-w DIR] shell");
    return RunShell(a.warehouse, isatty(STDIN_FILENO), a.format);
  }
  if (a.command == "query") return CmdQuery(a);
  if (a.command == "ingest") return CmdIngest(a);
  if (a.command == "inspect") return CmdInspect(a);
  if (a.command == "verify") return CmdVerify(a);
  if (a.command == "compact") return CmdCompact(a);
  if (a.command == "gen") return CmdGen(a);
  if (a.command == "export") return CmdExport(a);
  return Usage("unknown command '" + a.command + "'");
}

}  // namespace
}  // namespace wh

int main(int argc, char** argv) {
  // wh allocates and frees column buffers of a few KiB to tens of MiB at a high rate on every
  // thread. glibc's defaults return them to the kernel (fresh mmaps above 128 KiB or so, trims)
  // and grow each thread's heap in small steps, so the same pages are faulted in and zeroed over
  // and over: keep buffers up to 32 MiB in the heap, trim only past 1 GiB free, grow by 64 MiB.
  // (Peak RSS does not change; SF 1 report 0.92 -> 0.87 s, DAU 0.248 -> 0.242 s.)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
  int code = 0;
  wh::Status st = wh::CatchAll([&] { code = wh::Main(argc, argv); });
  if (!st.ok()) {
    std::cerr << "wh: error: " << st.ToString() << "\n";
    return wh::ExitCodeFor(st);
  }
  return code;
}
