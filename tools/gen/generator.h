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

// The seed-002 note-taking app engagement workload (no sample ships; this defines it):
// interactions.csv (user_id like u000123, timestamp, action_type, page_id, duration_ms,
// app_version) and users.csv (user_id, join_date, country, device_type, subscription_type).
// Scale factor 1 = 100,000 users and 10,000,000 interactions, 2022-12-01 .. 2024-01-31 (so a
// question about 2023 has rows on both sides to leave out). Each user's interactions come in
// sessions: runs of actions 1 s .. 10 min apart, with sessions starting at random times of
// the period (two can fall within 30 minutes and then read as one). About 1% of durations are
// negative and 1% longer than two hours (clock and tracking glitches to filter out). Rows are
// grouped by user, in time order within a user.
struct EngagementResult {
  uint64_t users = 0, interactions = 0;
  uint64_t bytes = 0;
};
Result<EngagementResult> GenerateEngagement(const GenOptions& options);

}  // namespace wh
