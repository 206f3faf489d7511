// `wh ingest`: CSV, JSON and Parquet files into a table, as one commit.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "ingest/ingest.h"
#include "ingest/sniff.h"
#include "query/query.h"
#include "tools/wh/cli.h"

namespace wh {
namespace {

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
  so.null_strings = opt->null_strings;  // NA in a column of numbers is NULL, not text
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
  opt.ignore_extra_columns = a.ignore_extra_columns;
  opt.null_strings = a.null_strings;
  if (a.empty_as_null) opt.null_strings.emplace_back();  // "" quoted or not
  if (!a.clustered_by.empty()) {  // COLUMN:BUCKETS
    const size_t colon = a.clustered_by.rfind(':');
    if (colon == std::string::npos || colon == 0 || !ParseInt64(a.clustered_by.substr(colon + 1), 1, 65536).ok())
      return Usage("--clustered-by needs COLUMN:BUCKETS (e.g. user_id:16), not '" + a.clustered_by + "'");
  }
  opt.compact = !a.no_compact;
  opt.overwrite = a.overwrite;
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
  if (opt.format != InputFormat::kCsv && (!opt.null_strings.empty() || opt.ignore_extra_columns))
    return Usage("--null-string, --empty-as-null and --ignore-extra-columns are for CSV (JSON keys and Parquet columns the table "
                 "lacks are always skipped)");
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
  if (a.overwrite)
    std::fprintf(stderr, "replaced %llu partition%s that held %llu rows\n",
                 static_cast<unsigned long long>(r.partitions_replaced), r.partitions_replaced == 1 ? "" : "s",
                 static_cast<unsigned long long>(r.rows_replaced));
  if (r.compaction.files_in > 0)
    std::fprintf(stderr, "compacted (commit %llu): %s, %.2f s\n", static_cast<unsigned long long>(r.compaction.commit_seq),
                 DescribeCompaction(r.compaction, r.bytes).c_str(), r.compaction_seconds);
  if (!r.compaction_error.empty())
    std::fprintf(stderr, "wh: warning: the rows are committed, but compacting after them failed: %s\n"
                 "wh: the table is as the ingest left it; `wh compact %s` tries again\n",
                 r.compaction_error.c_str(), ToLower(a.positional[0]).c_str());
  return kExitOk;
}

}  // namespace

const Command kIngestCommand = {
    "ingest", "TABLE FILE... [OPTIONS]",
    "load CSV, JSON or Parquet files into a table as one atomic commit",
    "CSV files have a header naming the columns; JSON is JSON lines or whole-object files (the\n"
    "default when every name ends in .json/.jsonl/.ndjson); Parquet columns match by name\n"
    "(.parquet). FILE may be a directory (all files below it), a pattern (*, ?, [..], ** for any\n"
    "depth) or - (standard input); .gz and .zst are decompressed. Every file commits together or\n"
    "none does. A file already committed (same path and content) is refused unless --force. A\n"
    "CSV header must name every column of the table.",
    {
        {.name = "--format", .value = "F", .help = "csv, json (also jsonl, ndjson) or parquet (default: from the names)",
         .text = &Args::format},
        {.name = "--etl-date", .value = "D", .help = "YYYY-MM-DD[ HH:MM:SS], the rows' etl_date (default now)",
         .text = &Args::etl_date},
        {.name = "--force", .help = "load files the table already committed", .flag = &Args::force},
        {.name = "--max-errors", .value = "N", .help = "skip up to N bad rows instead of failing the load",
         .text = &Args::max_errors},
        {.name = "--rejects", .value = "FILE", .help = "list the skipped rows in FILE (CSV, with where and why)",
         .text = &Args::rejects},
        {.name = "--time-format", .value = "[COL=]FMT",
         .help = "read DATE/TIMESTAMP text of COL (or all) as FMT: iso, a pattern like %d/%m/%Y (%Y %m %d %H %M %S "
                 "%f), epoch_s, epoch_ms, epoch_us; repeatable",
         .list = &Args::time_formats},
        {.name = "--null-string", .value = "S",
         .help = "a CSV field equal to S is NULL, quoted or not (besides the empty field); repeatable",
         .list = &Args::null_strings},
        {.name = "--empty-as-null", .help = "an empty field is NULL even when quoted (\"\" is otherwise an empty string)",
         .flag = &Args::empty_as_null},
        {.name = "--allow-missing-columns", .help = "load columns a CSV header or Parquet file lacks as NULL",
         .flag = &Args::allow_missing_columns},
        {.name = "--ignore-extra-columns", .help = "skip the fields of CSV header columns the table lacks",
         .flag = &Args::ignore_extra_columns},
        {.name = "--memory-mb", .value = "N", .help = "rows buffered before they are written (default 1024)",
         .text = &Args::memory},
        {.name = "--overwrite",
         .help = "replace the partitions the rows fall in (every row of an unpartitioned table): a day delivered again",
         .flag = &Args::overwrite},
        {.name = "--no-compact", .help = "do not merge files after the commit (README \"Compaction\")",
         .flag = &Args::no_compact},
        {.name = "--create", .help = "make TABLE first, with the columns and types guessed from the files",
         .flag = &Args::create},
        {.name = "--partition-by", .value = "'NAME = EXPR'", .help = "with --create: PARTITIONED BY (NAME = EXPR)",
         .text = &Args::partition_by},
        {.name = "--clustered-by", .value = "COLUMN:BUCKETS",
         .help = "with --create: CLUSTERED BY (COLUMN) INTO BUCKETS BUCKETS", .text = &Args::clustered_by},
    },
    CmdIngest};

}  // namespace wh
