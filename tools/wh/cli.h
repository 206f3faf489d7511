// What the `wh` commands share: their parsed command line, the tables of options that parse it
// and print each command's usage, exit codes, how an error is said, sizes in words.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "format/status.h"
#include "query/result.h"

namespace wh {

// Exit codes (documented in README.md).
constexpr int kExitOk = 0;
constexpr int kExitError = 1;        // bad SQL, unknown table, ...
constexpr int kExitUsage = 2;        // bad command line
constexpr int kExitData = 3;         // input data rejected
constexpr int kExitCorruption = 4;   // corruption found
constexpr int kExitIO = 5;           // I/O error
constexpr int kExitVersion = 6;      // file of an unsupported format version
constexpr int kExitLocked = 7;       // another process holds the lock
constexpr int kExitResources = 8;    // out of memory (or another resource limit)
constexpr int kExitInternal = 70;    // a bug
constexpr int kExitInterrupted = 130;  // Ctrl-C (128 + SIGINT, as shells report it)

// A command line as parsed by its command's option table. Each option fills one member; an
// option the command's table lacks is refused before the command runs.
struct Args {
  std::string warehouse;
  std::string command;
  std::vector<std::string> positional;
  std::string format, file, output, etl_date, memory, scale, seed, workload;
  std::string partition, partition_by, clustered_by, max_errors, rejects, where, since_commit;
  std::vector<std::string> time_formats;  // [COLUMN=]FORMAT
  std::vector<std::string> vars;          // NAME=VALUE
  std::vector<std::string> null_strings;
  bool force = false, timing = false, create = false, allow_missing_columns = false,
       ignore_extra_columns = false, empty_as_null = false, no_compact = false, overwrite = false;
};

// One option of a command: `name` (and `alias`) followed by a value named `value`, or a flag
// when `value` is null. It sets one member of Args: `text`, `list` (repeatable) or `flag`.
struct Option {
  const char* name;
  const char* alias = nullptr;
  const char* value = nullptr;
  const char* help = "";
  std::string Args::*text = nullptr;
  std::vector<std::string> Args::*list = nullptr;
  bool Args::*flag = nullptr;
};

struct Command {
  const char* name;
  const char* synopsis;  // the arguments, after "wh [-w DIR] NAME"
  const char* summary;   // what it does, in the list of commands
  const char* help;      // more, for `wh NAME --help`
  std::vector<Option> options;
  int (*run)(const Args&);
};

// The commands, one file each (tools/wh/<name>.cc).
extern const Command kQueryCommand, kIngestCommand, kInspectCommand, kCompactCommand, kVerifyCommand,
    kExportCommand, kGenCommand, kShellCommand;

int ExitCodeFor(const Status& st);

// A request's own mistake (bad SQL, a missing name) is said plainly; other kinds of error
// (data, corruption, I/O, ...) keep their kind in front.
std::string ErrorText(const Status& st);
// "wh: error: ..." on stderr; returns the exit code of the status.
int Fail(const Status& st);
// A bad command line: the message and where to read the usage; returns kExitUsage.
int Usage(const std::string& msg);

// "4.1 MiB"
std::string HumanBytes(uint64_t b);

// The memory a statement may use unless --memory-mb says otherwise: 80% of the machine's, so
// that a statement too big for it ends in an error (exit 8) rather than swapping or being killed.
uint64_t DefaultStatementBudget();

// "merged 30 files into 1 in 1 partition (...)": what a compaction did.
std::string DescribeCompaction(const CompactStats& c, uint64_t ingested);

// The output format of query and inspect: --format, else -o's extension, else table on a
// terminal and CSV otherwise.
Result<OutputFormat> ChooseFormat(const Args& a);

}  // namespace wh
