// `wh inspect`: tables, partitions, files, zone maps, blocks.
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
#include "query/query.h"
#include "tools/wh/cli.h"

namespace wh {
namespace {

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

}  // namespace

const Command kInspectCommand = {
    "inspect", "[TABLE [PARTITION|FILE]] [--format F]",
    "tables; a table's partitions, files, buckets, zone maps; or every block of a partition",
    "Without TABLE: the tables. With TABLE: its partitions, segments, buckets and zone maps. With\n"
    "a partition (event_date=YYYY-MM-DD) or a segment file: every block, its encoding, sizes and\n"
    "zone map.",
    {
        {.name = "--format", .value = "F", .help = "table, csv, tsv, json, jsonl or markdown", .text = &Args::format},
    },
    CmdInspect};

}  // namespace wh
