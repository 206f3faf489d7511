// `wh compact`: merging a table's files.
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
#include "tools/wh/cli.h"

namespace wh {
namespace {

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

}  // namespace

const Command kCompactCommand = {
    "compact", "[TABLE] [--partition P]",
    "merge each partition's files into as few as the target size allows (512 MiB)",
    "One commit per table. Ingest already merges by a policy after each commit (README\n"
    "\"Compaction\"), which ingest --no-compact turns off.",
    {
        {.name = "--partition", .value = "P", .help = "only partition P (YYYY-MM-DD, or NULL)", .text = &Args::partition},
    },
    CmdCompact};

}  // namespace wh
