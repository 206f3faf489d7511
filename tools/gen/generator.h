// A deterministic data generator for the seed-000 social-media workload: events, payments and
// posts CSVs with the sample's exact headers, value formats and distributions, at any scale.
// Scale factor 1 = 1,000,000 users, 10,000,000 events, 2,000,000 payments and 5,000,000 posts
// over 2021-10-01 .. 2022-03-01. The same seed and scale always give the same bytes, whatever
// the number of threads.
#pragma once

#include <cstdint>
#include <string>

#include "format/status.h"

namespace wh {

struct GenOptions {
  double scale = 1.0;
  uint64_t seed = 0;
  std::string out_dir;
  int threads = 0;  // 0: one per core
};

struct GenResult {
  uint64_t users = 0, events = 0, payments = 0, posts = 0;
  uint64_t bytes = 0;
};

// Writes out_dir/events.csv, payments_data.csv and posts.csv (the directory is created).
Result<GenResult> GenerateSocial(const GenOptions& options);

}  // namespace wh
