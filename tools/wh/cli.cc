#include "tools/wh/cli.h"

#include <cstdio>

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

}  // namespace wh
