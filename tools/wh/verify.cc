// `wh verify`: every checksum, every row's partition and bucket.
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

}  // namespace

const Command kVerifyCommand = {
    "verify", "[TABLE]",
    "check every checksum and every row's partition and bucket; exit 4 on corruption",
    "Reads every file of every table (or of TABLE) and checks its checksums, its structure and\n"
    "that each row is in the partition and bucket its values give.",
    {},
    CmdVerify};

}  // namespace wh
