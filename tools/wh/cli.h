// What the `wh` commands share: exit codes, how an error is said, sizes in words.
#pragma once

#include <cstdint>
#include <string>

#include "format/status.h"

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

int ExitCodeFor(const Status& st);

// A request's own mistake (bad SQL, a missing name) is said plainly; other kinds of error
// (data, corruption, I/O, ...) keep their kind in front.
std::string ErrorText(const Status& st);

// "4.1 MiB"
std::string HumanBytes(uint64_t b);

}  // namespace wh
