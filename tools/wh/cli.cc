#include "tools/wh/cli.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace wh {

int ExitCodeFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists: return kExitError;
    case StatusCode::kDataError: return kExitData;
    case StatusCode::kCorruption: return kExitCorruption;
    case StatusCode::kIOError: return kExitIO;
    case StatusCode::kNotSupported: return kExitVersion;
    case StatusCode::kLocked: return kExitLocked;
    case StatusCode::kResourceExhausted: return kExitResources;
    case StatusCode::kInternal: return kExitInternal;
    case StatusCode::kCancelled: return kExitInterrupted;
  }
  return kExitInternal;
}

std::string ErrorText(const Status& st) {
  if (st.code() == StatusCode::kInvalidArgument) return st.message();
  if (st.code() == StatusCode::kCancelled) return "interrupted";
  return st.ToString();
}

int Fail(const Status& st) {
  std::cerr << "wh: error: " << ErrorText(st) << "\n";
  return ExitCodeFor(st);
}

int Usage(const std::string& msg) {
  std::cerr << "wh: " << msg << "\n(run `wh --help` for usage)\n";
  return kExitUsage;
}

uint64_t DefaultStatementBudget() {
  return static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGE_SIZE)) / 5 * 4;
}

std::string HumanBytes(uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", v, units[u]);
  return buf;
}

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

}  // namespace wh
