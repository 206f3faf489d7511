// Google Benchmark kernels of the query hot paths, sized like one bucket of the SF 1 report
// (~130K events of ~22K users): decoding each encoding, a filter, the per-bucket hash
// aggregation, the co-bucketed join probe, typed CSV field parsing and CSV line formatting.
// Fixed seeds; results read as rows/s (items) and bytes/s.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>

#include "format/format.h"
#include "ingest/ingest.h"
#include "query/aggregate.h"
#include "query/exec.h"
#include "query/expr.h"
#include "query/hash_table.h"
#include "query/result.h"

namespace wh {
namespace {

constexpr size_t kRows = 131072;
constexpr size_t kUsers = 22000;

Column UserIds(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> users(kUsers);
  for (auto& u : users) u = static_cast<int64_t>(rng());
  Column c(DataType::Int64());
  for (size_t i = 0; i < n; ++i) c.Append<int64_t>(users[rng() % kUsers]);
  return c;
}

Column EventNames(size_t n) {
  std::mt19937_64 rng(5);
  Column c(DataType::String());
  for (size_t i = 0; i < n; ++i) c.AppendString(rng() % 2 ? "suggested_hashtags_inserted" : "scheduled_at_best_time");
  return c;
}

void Decode(benchmark::State& state, const Column& c, Encoding enc) {
  std::string block;
  EncodeOptions o;
  o.allow_zstd = false;
  o.force_encoding = enc;
  (void)EncodeBlock(c, 0, c.size(), o, &block);
  for (auto _ : state) {
    auto d = DecodeBlock(c.type(), reinterpret_cast<const uint8_t*>(block.data()), block.size(),
                         static_cast<uint32_t>(c.size()));
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations() * c.size());
  state.SetBytesProcessed(state.iterations() * block.size());
}

void BM_DecodePlainInt64(benchmark::State& state) { Decode(state, UserIds(kRows, 1), Encoding::kPlain); }
BENCHMARK(BM_DecodePlainInt64);

void BM_DecodeDictionaryString(benchmark::State& state) { Decode(state, EventNames(kRows), Encoding::kDictionary); }
BENCHMARK(BM_DecodeDictionaryString);

void BM_DecodeRleTimestamp(benchmark::State& state) {
  Column c(DataType::Timestamp());
  for (size_t i = 0; i < kRows; ++i) c.Append<int64_t>(1646092800000000);
  Decode(state, c, Encoding::kRle);
}
BENCHMARK(BM_DecodeRleTimestamp);

void BM_DecodeForDecimal(benchmark::State& state) {
  std::mt19937_64 rng(9);
  Column c(DataType::Decimal(10, 0));
  for (size_t i = 0; i < kRows; ++i) c.Append<int64_t>(static_cast<int64_t>(rng() % 31));
  Decode(state, c, Encoding::kForBitpack);
}
BENCHMARK(BM_DecodeForDecimal);

// DECIMAL(38,18) amounts as the payments' totals come: mostly cents, some with a float's
// artefact in the last digits (5.8100000000000005): the common factor is small, so the offsets
// take ~60 bits.
void BM_DecodeForWideDecimal(benchmark::State& state) {
  std::mt19937_64 rng(10);
  Column c(DataType::Decimal(38, 18));
  const int128 cent = static_cast<int128>(10000000000000000);  // 10^16: 0.01 at scale 18
  for (size_t i = 0; i < kRows; ++i) c.Append<int128>(static_cast<int128>(rng() % 10000) * cent + (i % 50 == 0 ? 500 : 0));
  Decode(state, c, Encoding::kForBitpack);
}
BENCHMARK(BM_DecodeForWideDecimal);

// event = 'suggested_hashtags_inserted' over a batch.
void BM_FilterStringEquals(benchmark::State& state) {
  Batch b;
  b.rows = kRows;
  b.columns.push_back(EventNames(kRows));
  auto e = std::make_shared<BExpr>();
  e->kind = BExpr::kCompare;
  e->type = DataType::Boolean();
  e->op = "=";
  e->args = {MakeColumnRef(0, DataType::String(), false), MakeLiteral(Value::String("suggested_hashtags_inserted"))};
  for (auto _ : state) {
    auto r = Evaluate(*e, b);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_FilterStringEquals);

// GROUP BY user_id with COUNT(*) and SUM over one bucket: the per-bucket hash table.
void BM_BucketAggregation(benchmark::State& state) {
  Column users = UserIds(kRows, 1);
  Column amounts(DataType::Int64());
  std::mt19937_64 rng(3);
  for (size_t i = 0; i < kRows; ++i) {
    // 2: half the amounts NULL at random, as SUM(CASE WHEN event = '...' THEN n END) sees them
    if (state.range(0) == 2 && rng() % 2) amounts.AppendNull();
    else amounts.Append<int64_t>(static_cast<int64_t>(i % 1000));
  }
  AggregateSpec count, sum;
  count.fn = "COUNT_STAR";
  count.type = DataType::Int64();
  count.output_id = 0;
  sum.fn = "SUM";
  sum.arg = MakeColumnRef(0, DataType::Int64(), false);
  sum.type = DataType::Int64();
  sum.output_id = 1;
  std::vector<uint32_t> gids(kRows);
  for (auto _ : state) {
    KeyTable table({DataType::Int64()});
    if (state.range(0) >= 1) table.Reserve(kUsers);
    auto c = MakeAggregateState(count);
    auto s = MakeAggregateState(sum);
    table.FindOrInsert({&users}, kRows, gids.data());
    c->Resize(table.size());
    s->Resize(table.size());
    (void)c->Update(nullptr, gids.data(), kRows);
    (void)s->Update(&amounts, gids.data(), kRows);
    auto r = s->Finish(table.size());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_BucketAggregation)->Arg(0)->Arg(1)->Arg(2);  // 1: the table sized for the groups up front; 2: and half the SUM's inputs NULL

// Group ids of one bucket's rows as the report's aggregation numbers them: 131K events of 22K
// users in batches of one row group (~1,460 rows: one day of one bucket), the table sized up
// front like the later buckets' tables.
void BM_BucketGroupIds(benchmark::State& state) {
  Column users = UserIds(kRows, 1);
  constexpr size_t kBatch = 1460;
  std::vector<Column> batches;
  for (size_t at = 0; at < kRows; at += kBatch) {
    batches.emplace_back(DataType::Int64());
    batches.back().AppendRange(users, at, std::min(kRows, at + kBatch) - at);
  }
  std::vector<uint32_t> gids(kBatch);
  for (auto _ : state) {
    KeyTable table({DataType::Int64()});
    table.Reserve(kUsers);
    for (const Column& b : batches) table.FindOrInsert({&b}, b.size(), gids.data());
    benchmark::DoNotOptimize(gids.data());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_BucketGroupIds);

// Probe of a co-bucketed join: one bucket's per-user rows (build) against another's.
void BM_BucketJoinProbe(benchmark::State& state) {
  Column build = UserIds(kUsers, 1);
  Column probe = UserIds(kUsers, 2);
  KeyTable table({DataType::Int64()});
  std::vector<uint32_t> ids(kUsers);
  table.FindOrInsert({&build}, build.size(), ids.data());
  for (auto _ : state) {
    table.Find({&probe}, probe.size(), ids.data());
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetItemsProcessed(state.iterations() * kUsers);
}
BENCHMARK(BM_BucketJoinProbe);

// Typed CSV field parsing: BIGINT, TIMESTAMP and DECIMAL(38,18) text to columns.
void BM_ParseFields(benchmark::State& state) {
  std::mt19937_64 rng(11);
  std::vector<std::string> ids, times, money;
  for (int i = 0; i < 10000; ++i) {
    ids.push_back(std::to_string(static_cast<int64_t>(rng())));
    times.push_back("2022-01-" + std::to_string(10 + i % 18) + " 10:" + std::to_string(10 + i % 50) + ":00");
    money.push_back(std::to_string(i % 100) + ".8100000000000005");
  }
  size_t bytes = 0;
  for (int i = 0; i < 10000; ++i) bytes += ids[i].size() + times[i].size() + money[i].size();
  for (auto _ : state) {
    Column a(DataType::Int64()), t(DataType::Timestamp()), m(DataType::Decimal(38, 18));
    for (int i = 0; i < 10000; ++i) {
      (void)AppendField(&a, ids[i], false);
      (void)AppendField(&t, times[i], false);
      (void)AppendField(&m, money[i], false);
    }
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations() * 30000);
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_ParseFields);

// One bucket's report rows (user_id, DECIMAL(8,2), currency, a DOUBLE average and ten counts)
// formatted as CSV lines in sorted order: what each worker does under ORDER BY over buckets.
void BM_FormatCsvLines(benchmark::State& state) {
  std::mt19937_64 rng(7);
  std::vector<Column> cols;
  cols.push_back(UserIds(kUsers, 3));
  cols.emplace_back(DataType::Decimal(8, 2));
  cols.emplace_back(DataType::String());
  cols.emplace_back(DataType::Double());
  for (size_t i = 0; i < kUsers; ++i) {
    cols[1].Append<int64_t>(static_cast<int64_t>(rng() % 100000));
    cols[2].AppendString("usd");
    cols[3].Append<double>(static_cast<double>(rng() % 1000000) / 3.0);
  }
  for (int k = 0; k < 10; ++k) {
    cols.emplace_back(DataType::Int64());
    for (size_t i = 0; i < kUsers; ++i) cols.back().Append<int64_t>(static_cast<int64_t>(rng() % 20));
  }
  std::vector<uint32_t> order(kUsers);
  for (uint32_t i = 0; i < kUsers; ++i) order[i] = i;
  if (state.range(0)) std::shuffle(order.begin(), order.end(), rng);
  std::vector<uint16_t> which(kUsers, 0);
  size_t bytes = 0;
  for (auto _ : state) {
    auto lines = FormatCsvLines({&cols}, which.data(), order.data(), kUsers, ',');
    bytes = lines[0].chars().size();
    benchmark::DoNotOptimize(lines);
  }
  state.SetItemsProcessed(state.iterations() * kUsers);
  state.SetBytesProcessed(state.iterations() * bytes);
}
// ORDER BY one BIGINT key: one bucket's 22K user ids, and a 1M-row result.
void BM_SortInt64Keys(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::vector<Column> cols;
  cols.push_back(UserIds(n, 9));
  std::vector<SortKey> keys(1);
  for (auto _ : state) {
    auto perm = SortPermutation(cols, keys, n);
    benchmark::DoNotOptimize(perm);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_SortInt64Keys)->Arg(22000)->Arg(1000000);

BENCHMARK(BM_FormatCsvLines)->Arg(0)->Arg(1);  // rows in stored order / shuffled

}  // namespace
}  // namespace wh
