#include "tools/gen/generator.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "format/file_system.h"
#include "format/thread.h"
#include "format/value_text.h"

namespace wh {

namespace {

// SplitMix64: a small, fast, well-mixed generator; each chunk of rows gets its own stream so
// that the output does not depend on how chunks are spread over threads.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64); }
  double Unit() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }
  bool Chance(double p) { return Unit() < p; }

 private:
  uint64_t s_;
};

uint64_t StreamSeed(uint64_t seed, uint64_t table, uint64_t chunk) {
  Rng r(seed * 0x100000001b3ULL ^ (table << 56) ^ chunk);
  r.Next();
  return r.Next();
}

constexpr size_t kChunkRows = 1 << 16;
const int32_t kFirstDay = DaysFromCivil(2021, 10, 1);
const int32_t kLastDay = DaysFromCivil(2022, 3, 1);
// Event times: 2021-10-01 00:00 .. 2022-03-01 05:00, whole minutes.
const int64_t kFirstMinute = static_cast<int64_t>(kFirstDay) * 1440;
const int64_t kMinutes = static_cast<int64_t>(kLastDay - kFirstDay) * 1440 + 5 * 60;

// Appends text to a string without allocation churn.
class Out {
 public:
  explicit Out(std::string* s) : s_(s) {}
  void Str(std::string_view v) { s_->append(v); }
  void Char(char c) { s_->push_back(c); }
  void Int(int64_t v) {
    char b[24];
    auto r = std::to_chars(b, b + sizeof b, v);
    s_->append(b, r.ptr - b);
  }
  void Two(int v) {
    char b[2] = {static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
    s_->append(b, 2);
  }
  // Days since the epoch as `YYYY-MM-DD`.
  void Date(int64_t day) {
    int64_t y;
    unsigned m, d;
    CivilFromDays(day, &y, &m, &d);
    Int(y);
    Char('-');
    Two(static_cast<int>(m));
    Char('-');
    Two(static_cast<int>(d));
  }
  // Seconds since the epoch as `YYYY-MM-DD HH:MM:SS`.
  void Time(int64_t seconds) {
    int64_t day = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
    int64_t in_day = seconds - day * 86400;
    Date(day);
    Char(' ');
    Two(static_cast<int>(in_day / 3600));
    Char(':');
    Two(static_cast<int>(in_day / 60 % 60));
    Char(':');
    Two(static_cast<int>(in_day % 60));
  }
  // A double as Python's repr() writes it (shortest round trip, `.0` on whole numbers), the
  // way the sample's money columns look (`5.8100000000000005`, `55.71`, `0.0`).
  void PyFloat(double v) {
    char b[32];
    auto r = std::to_chars(b, b + sizeof b, v);
    std::string_view t(b, r.ptr - b);
    s_->append(t);
    if (t.find_first_of(".e") == std::string_view::npos) s_->append(".0");
  }
  void Alnum(Rng* rng, int n) {
    static const char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < n; ++i) Char(kChars[rng->Below(62)]);
  }

 private:
  std::string* s_;
};

struct Population {
  std::vector<int64_t> user_ids;
  std::vector<int64_t> subscription_ids;  // one per user, as in the sample
};

int64_t RandomId(Rng* r) { return static_cast<int64_t>(r->Next()); }

void EventsChunk(const Population& pop, uint64_t seed, size_t chunk, size_t rows, std::string* s) {
  Rng r(StreamSeed(seed, 1, chunk));
  Out o(s);
  s->reserve(rows * 72);
  for (size_t i = 0; i < rows; ++i) {
    bool tags = r.Chance(0.5);
    o.Str(tags ? "suggested_hashtags_inserted," : "scheduled_at_best_time,");
    o.Time((kFirstMinute + static_cast<int64_t>(r.Below(kMinutes))) * 60);
    o.Char(',');
    o.Int(pop.user_ids[r.Below(pop.user_ids.size())]);
    o.Char(',');
    if (r.Chance(0.172)) o.Str("web");
    o.Char(',');
    if (tags) {
      int k = 1 + static_cast<int>(-std::log(1.0 - r.Unit()) / 0.22);
      o.Int(std::min(k, 31));
      o.Str(".0");
    }
    o.Char('\n');
  }
}

void PaymentsChunk(const Population& pop, uint64_t seed, size_t chunk, size_t rows, std::string* s) {
  Rng r(StreamSeed(seed, 2, chunk));
  Out o(s);
  s->reserve(rows * 200);
  static const double kCents[] = {0, 0.25, 0.5, 0.71, 0.75, 0.81, 0.99, 0.1, 0.2, 0.3};
  static const char* kNames[] = {"JAYLA2020", "STEPHANIE21", "LCP75", "WELCOME10", "SPRING22"};
  for (size_t i = 0; i < rows; ++i) {
    size_t u = r.Below(pop.user_ids.size());
    double total = static_cast<double>(r.Below(99)) + kCents[r.Below(10)];
    std::string money;
    {
      Out m(&money);
      m.PyFloat(total);
    }
    uint64_t a = r.Below(1000);
    int attempts = a < 333 ? 0 : a < 922 ? 1 : a < 945 ? 2 : a < 968 ? 4 : a < 990 ? 3 : 5;
    int64_t when = (kFirstMinute + static_cast<int64_t>(r.Below(kMinutes))) * 60;
    o.Str(money);                                   // amount_due
    o.Char(',');
    o.Int(attempts);                                // attempt_count
    o.Str(",True,");                                // attempted
    if (attempts > 0) {                             // charge_id
      o.Str("ch_");
      o.Alnum(&r, 24);
    }
    o.Str(r.Chance(0.46) ? ",True" : ",False");     // closed
    o.Str(",usd,");                                 // currency
    o.Int(pop.user_ids[u]);                         // user_id
    o.Char(',');
    o.Time(when);                                   // date
    o.Str(",,");                                    // description
    if (r.Chance(0.025)) {                          // discount_id
      o.Str("cus_");
      o.Alnum(&r, 14);
      o.Char('_');
      o.Str(kNames[r.Below(5)]);
    }
    o.Char(',');
    if (!r.Chance(0.3)) {                           // ending_balance
      if (r.Chance(0.9)) o.Str("0.0");
      else o.PyFloat(-static_cast<double>(r.Below(1022)));
    }
    o.Str(",False,in_");                            // forgiven, id
    o.Alnum(&r, 24);
    o.Str(",,True,");                               // line_ids, paid
    if (r.Chance(0.4)) {                            // receipt_number
      o.Int(2000 + static_cast<int64_t>(r.Below(1000)));
      o.Char('-');
      o.Int(1000 + static_cast<int64_t>(r.Below(9000)));
    }
    o.Char(',');
    o.Time(when);                                   // received_at
    o.Char(',');
    o.Int(r.Chance(0.9) ? 0 : static_cast<int64_t>(r.Below(143)) - 100);  // starting_balance
    o.Char(',');
    o.Int(pop.subscription_ids[u]);                 // subscription_id
    o.Char(',');
    o.Str(money);                                   // subtotal
    bool tax = r.Chance(0.0003);
    o.Str(tax ? ",0.0,0.0," : ",,,");               // tax, tax_percent
    o.Str(money);                                   // total
    o.Str(",\n");                                   // webhooks_delivered_at
  }
}

void PostsChunk(const Population& pop, uint64_t seed, size_t chunk, size_t rows, size_t total_posts,
                std::string* s) {
  Rng r(StreamSeed(seed, 3, chunk));
  Out o(s);
  s->reserve(rows * 170);
  const uint64_t media_items = std::max<uint64_t>(1, total_posts * 37 / 100);
  for (size_t i = 0; i < rows; ++i) {
    o.Int(RandomId(&r));                              // id
    o.Str(r.Chance(0.995) ? ",True" : ",False");      // active
    o.Str(r.Chance(0.95) ? ",True," : ",False,");     // delivered
    o.Int(RandomId(&r));                              // media_id
    o.Char(',');
    o.Int(static_cast<int64_t>(StreamSeed(seed, 4, r.Below(media_items))));  // media_item_id
    o.Char(',');
    int64_t posted = (kFirstMinute + static_cast<int64_t>(r.Below(kMinutes))) * 60;
    o.Time(posted);                                   // posted_at
    o.Char(',');
    if (!r.Chance(0.3)) o.Time(posted - static_cast<int64_t>(r.Below(7 * 86400)));  // scheduled_at
    o.Char(',');
    o.Int(RandomId(&r));                              // social_profile_id
    o.Char(',');
    uint64_t t = r.Below(10000);
    o.Str(t < 6590 ? "InstagramPost" : t < 8744 ? "FacebookPost" : t < 9761 ? "PinterestPost"
          : t < 9890 ? "TwitterPost" : t < 9950 ? "InstagramStory" : t < 9980 ? "LinkedinPost"
                                                                    : "TikTokPost");
    o.Char(',');
    o.Int(pop.user_ids[r.Below(pop.user_ids.size())]);  // user_id
    o.Char('\n');
  }
}

// Generates `rows` rows in chunks on `threads` threads and writes them in chunk order.
template <typename Fn>
Result<uint64_t> WriteTable(const std::string& path, const char* header, size_t rows, int threads, Fn chunk_fn) {
  FileSystem* fs = DefaultFileSystem();
  WH_ASSIGN_OR_RETURN(auto file, fs->NewWritableFile(path));
  WH_RETURN_IF_ERROR(file->Append(header));
  uint64_t bytes = std::strlen(header);
  const size_t chunks = (rows + kChunkRows - 1) / kChunkRows;
  for (size_t first = 0; first < chunks; first += threads) {
    size_t n = std::min<size_t>(threads, chunks - first);
    std::vector<std::string> bufs(n);
    std::vector<Thread> pool;
    for (size_t k = 0; k < n; ++k) {
      size_t c = first + k;
      size_t count = std::min(kChunkRows, rows - c * kChunkRows);
      pool.emplace_back([&, c, count, k] { chunk_fn(c, count, &bufs[k]); });
    }
    for (auto& t : pool) t.Join();
    for (const auto& b : bufs) {
      WH_RETURN_IF_ERROR(file->Append(b));
      bytes += b.size();
    }
  }
  WH_RETURN_IF_ERROR(file->Close());
  return bytes;
}

// The output directory and any missing parents.
Status CreateDirs(const std::string& dir) {
  FileSystem* fs = DefaultFileSystem();
  if (dir.empty() || fs->IsDirectory(dir)) return Status::OK();
  size_t slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0) WH_RETURN_IF_ERROR(CreateDirs(dir.substr(0, slash)));
  return fs->CreateDir(dir);
}

// --- engagement (seed 002) ---

const int32_t kEngFirstDay = DaysFromCivil(2022, 12, 1);
const int32_t kEngDays = DaysFromCivil(2024, 2, 1) - kEngFirstDay;
const char* const kActions[] = {"open_note", "edit_note", "create_note", "search", "share_note", "view_page",
                                "delete_note", "comment"};
const double kActionWeights[] = {0.30, 0.25, 0.08, 0.10, 0.04, 0.18, 0.02, 0.03};
const char* const kVersions[] = {"3.8.2", "3.9.0", "3.9.1", "4.0.0", "4.0.1", "4.1.0"};
const char* const kCountries[] = {"US", "IN", "BR", "DE", "GB", "FR", "JP", "CA", "MX", "ES", "IT", "AU"};
const char* const kDevices[] = {"ios", "android", "web", "desktop"};
const char* const kPlans[] = {"free", "free", "free", "premium", "premium", "team"};

void UserId(Out* o, uint64_t u) {
  char b[32];
  int n = std::snprintf(b, sizeof b, "u%06llu", static_cast<unsigned long long>(u));
  o->Str(std::string_view(b, static_cast<size_t>(n)));
}

// The join day of user u (drawn from the user's own stream so both files agree).
int32_t JoinDay(uint64_t seed, uint64_t u) {
  Rng r(StreamSeed(seed, 9, u));
  return kEngFirstDay - 200 + static_cast<int32_t>(r.Below(static_cast<uint64_t>(kEngDays) + 150));
}

// Users [first, first + n): each with `per_user` interactions (+1 for the first `extra`).
void InteractionsChunk(uint64_t seed, uint64_t first, uint64_t n, uint64_t per_user, uint64_t extra, std::string* s) {
  Out o(s);
  s->reserve(n * (per_user + 1) * 64);
  std::vector<int64_t> starts;
  for (uint64_t u = first; u < first + n; ++u) {
    Rng r(StreamSeed(seed, 8, u));
    uint64_t count = per_user + (u < extra ? 1 : 0);
    const int32_t join = std::max(JoinDay(seed, u), kEngFirstDay);
    const int64_t lo = static_cast<int64_t>(join) * 86400;
    const int64_t span = static_cast<int64_t>(kEngFirstDay + kEngDays - join) * 86400;
    const char* version = kVersions[r.Below(6)];
    // Sessions of 1 + geometric(mean ~8) actions, each starting at a random second.
    starts.clear();
    std::vector<uint64_t> lengths;
    for (uint64_t left = count; left > 0;) {
      uint64_t len = 1 + static_cast<uint64_t>(-std::log(1.0 - r.Unit()) * 7.0);
      len = std::min(len, left);
      lengths.push_back(len);
      starts.push_back(lo + static_cast<int64_t>(r.Below(static_cast<uint64_t>(span))));
      left -= len;
    }
    std::vector<size_t> order(starts.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return starts[a] < starts[b]; });
    for (size_t k : order) {
      int64_t t = starts[k];
      uint64_t page = r.Below(5000);
      for (uint64_t a = 0; a < lengths[k]; ++a) {
        if (a > 0) t += 1 + static_cast<int64_t>(r.Below(600));
        if (r.Chance(0.3)) page = r.Below(5000);
        double w = r.Unit();
        size_t act = 0;
        while (act + 1 < 8 && w >= kActionWeights[act]) w -= kActionWeights[act++];
        int64_t duration;
        double glitch = r.Unit();
        if (glitch < 0.01) duration = -static_cast<int64_t>(1 + r.Below(5000));
        else if (glitch < 0.02) duration = 7200001 + static_cast<int64_t>(r.Below(50000000));
        else duration = 200 + static_cast<int64_t>(-std::log(1.0 - r.Unit()) * 45000.0);
        if (r.Chance(0.02)) version = kVersions[r.Below(6)];  // an upgrade now and then
        UserId(&o, u);
        o.Char(',');
        o.Time(t);
        o.Char(',');
        o.Str(kActions[act]);
        o.Str(",p");
        o.Int(static_cast<int64_t>(page));
        o.Char(',');
        o.Int(duration);
        o.Char(',');
        o.Str(version);
        o.Char('\n');
      }
    }
  }
}

void EngagementUsersChunk(uint64_t seed, uint64_t first, uint64_t n, std::string* s) {
  Out o(s);
  for (uint64_t u = first; u < first + n; ++u) {
    Rng r(StreamSeed(seed, 10, u));
    UserId(&o, u);
    o.Char(',');
    o.Date(JoinDay(seed, u));
    o.Char(',');
    o.Str(kCountries[r.Below(12)]);
    o.Char(',');
    o.Str(kDevices[r.Below(4)]);
    o.Char(',');
    o.Str(kPlans[r.Below(6)]);
    o.Char('\n');
  }
}

}  // namespace

Result<EngagementResult> GenerateEngagement(const GenOptions& opt) {
  if (!(opt.scale > 0)) return Status::InvalidArgument("the scale factor must be positive");
  WH_RETURN_IF_ERROR(CreateDirs(opt.out_dir));
  int threads = opt.threads > 0 ? opt.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  EngagementResult res;
  res.users = std::max<uint64_t>(1, std::llround(1e5 * opt.scale));
  res.interactions = std::max<uint64_t>(res.users, std::llround(1e7 * opt.scale));
  const uint64_t per_user = res.interactions / res.users, extra = res.interactions % res.users;
  const uint64_t users_per_chunk = std::max<uint64_t>(1, kChunkRows / per_user);
  const uint64_t seed = opt.seed;
  // WriteTable counts in chunks of kChunkRows "rows"; here a chunk is users_per_chunk users.
  const size_t user_chunks = (res.users + users_per_chunk - 1) / users_per_chunk;
  WH_ASSIGN_OR_RETURN(uint64_t b1, WriteTable(JoinPath(opt.out_dir, "interactions.csv"),
                                              "user_id,timestamp,action_type,page_id,duration_ms,app_version\n",
                                              user_chunks * kChunkRows, threads, [&](size_t c, size_t, std::string* s) {
                                                uint64_t first = c * users_per_chunk;
                                                uint64_t n = std::min(users_per_chunk, res.users - first);
                                                InteractionsChunk(seed, first, n, per_user, extra, s);
                                              }));
  WH_ASSIGN_OR_RETURN(uint64_t b2, WriteTable(JoinPath(opt.out_dir, "users.csv"),
                                              "user_id,join_date,country,device_type,subscription_type\n", res.users,
                                              threads, [&](size_t c, size_t n, std::string* s) {
                                                EngagementUsersChunk(seed, c * kChunkRows, n, s);
                                              }));
  res.bytes = b1 + b2;
  return res;
}

Result<GenResult> GenerateSocial(const GenOptions& opt) {
  if (!(opt.scale > 0)) return Status::InvalidArgument("the scale factor must be positive");
  WH_RETURN_IF_ERROR(CreateDirs(opt.out_dir));
  int threads = opt.threads > 0 ? opt.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  GenResult res;
  res.users = std::max<uint64_t>(1, std::llround(1e6 * opt.scale));
  res.events = std::llround(1e7 * opt.scale);
  res.payments = std::llround(2e6 * opt.scale);
  res.posts = std::llround(5e6 * opt.scale);
  Population pop;
  Rng r(StreamSeed(opt.seed, 0, 0));
  pop.user_ids.resize(res.users);
  pop.subscription_ids.resize(res.users);
  for (size_t i = 0; i < res.users; ++i) {
    pop.user_ids[i] = RandomId(&r);
    pop.subscription_ids[i] = RandomId(&r);
  }
  const uint64_t seed = opt.seed;
  WH_ASSIGN_OR_RETURN(uint64_t b1, WriteTable(JoinPath(opt.out_dir, "events.csv"),
                                              "event,timestamp,user_id,platform,hashtag_count\n", res.events, threads,
                                              [&](size_t c, size_t n, std::string* s) { EventsChunk(pop, seed, c, n, s); }));
  WH_ASSIGN_OR_RETURN(uint64_t b2, WriteTable(JoinPath(opt.out_dir, "payments_data.csv"),
                                              "amount_due,attempt_count,attempted,charge_id,closed,currency,user_id,date,"
                                              "description,discount_id,ending_balance,forgiven,id,line_ids,paid,"
                                              "receipt_number,received_at,starting_balance,subscription_id,subtotal,tax,"
                                              "tax_percent,total,webhooks_delivered_at\n",
                                              res.payments, threads,
                                              [&](size_t c, size_t n, std::string* s) { PaymentsChunk(pop, seed, c, n, s); }));
  const size_t posts = res.posts;
  WH_ASSIGN_OR_RETURN(uint64_t b3, WriteTable(JoinPath(opt.out_dir, "posts.csv"),
                                              "id,active,delivered,media_id,media_item_id,posted_at,scheduled_at,"
                                              "social_profile_id,type,user_id\n",
                                              res.posts, threads,
                                              [&](size_t c, size_t n, std::string* s) { PostsChunk(pop, seed, c, n, posts, s); }));
  res.bytes = b1 + b2 + b3;
  return res;
}

}  // namespace wh
