// `wh export`: a table as Parquet files or an Iceberg table.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "query/export.h"
#include "tools/wh/cli.h"

namespace wh {
namespace {

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

}  // namespace

const Command kExportCommand = {
    "export", "TABLE DIR --format parquet|iceberg [OPTIONS]",
    "write a table as Hive-layout Parquet files or as an Apache Iceberg table",
    "parquet: DIR/event_date=YYYY-MM-DD/part-...parquet, one file per Spark bucket (Spark's own\n"
    "bucket function), with etl_date; DIR appears whole or not at all. iceberg: an Iceberg v2\n"
    "table (Parquet data, identity(event_date), bucket[N](key)); again into the same DIR, a new\n"
    "snapshot of the commits since (README \"Moving to a cluster\").",
    {
        {.name = "--format", .value = "F", .help = "parquet or iceberg", .text = &Args::format},
        {.name = "--where", .value = "'SQL'", .help = "only the rows of one SQL condition", .text = &Args::where},
        {.name = "--since-commit", .value = "N", .help = "only rows of commits after N (wh inspect lists them)",
         .text = &Args::since_commit},
    },
    CmdExport};

}  // namespace wh
