// Google Benchmark kernels of the format and ingest hot paths. Fixed seeds; results read as
// rows/s (items) and bytes/s.
#include <benchmark/benchmark.h>

#include <optional>
#include <random>

#include "format/format.h"
#include "ingest/ingest.h"

namespace wh {
namespace {

Column RandomTimestamps(size_t n) {
  std::mt19937_64 rng(42);
  Column c(DataType::Timestamp());
  for (size_t i = 0; i < n; ++i) c.Append<int64_t>(1646092800000000 + int64_t(rng() % 1440) * 60000000);
  return c;
}

void BM_DecodeForBitpack(benchmark::State& state) {
  Column c = RandomTimestamps(65536);
  std::string block;
  (void)EncodeBlock(c, 0, c.size(), EncodeOptions{false, 3, std::nullopt}, &block);
  for (auto _ : state) {
    auto d = DecodeBlock(c.type(), reinterpret_cast<const uint8_t*>(block.data()), block.size(), 65536);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations() * c.size());
  state.SetBytesProcessed(state.iterations() * c.size() * 8);
}
BENCHMARK(BM_DecodeForBitpack);

void BM_EncodeBlock(benchmark::State& state) {
  Column c = RandomTimestamps(65536);
  std::string block;
  for (auto _ : state) {
    block.clear();
    (void)EncodeBlock(c, 0, c.size(), {}, &block);
  }
  state.SetItemsProcessed(state.iterations() * c.size());
}
BENCHMARK(BM_EncodeBlock);

std::string EventsCsv() {
  std::string csv = "event,timestamp,user_id,platform,hashtag_count\n";
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i)
    csv += "suggested_hashtags_inserted,2021-11-07 09:56:00," + std::to_string(int64_t(rng())) + ",web,1.0\n";
  return csv;
}

// Arg 0: streamed through an InputStream (the first chunk of an input, and the serial path);
// 1: read in place from memory, as the parse workers read their chunks.
void BM_CsvParse(benchmark::State& state) {
  const std::string csv = EventsCsv();
  const std::string name = "bench.csv";
  for (auto _ : state) {
    std::unique_ptr<InputStream> in;
    std::optional<CsvReader> r;
    if (state.range(0) == 0) {
      in = StringInput(csv);
      r.emplace(in.get());
    } else {
      r.emplace(std::string_view(csv), name);
    }
    std::vector<CsvField> f;
    size_t rows = 0;
    while (r->Next(&f).value()) ++rows;
    benchmark::DoNotOptimize(rows);
  }
  state.SetBytesProcessed(state.iterations() * csv.size());
  state.SetItemsProcessed(state.iterations() * 100001);
}
BENCHMARK(BM_CsvParse)->Arg(0)->Arg(1);

void BM_BucketHash(benchmark::State& state) {
  Column c(DataType::Int64());
  std::mt19937_64 rng(3);
  for (int i = 0; i < 65536; ++i) c.Append<int64_t>(int64_t(rng()));
  std::vector<uint32_t> out(c.size());
  for (auto _ : state) {
    ComputeBuckets(c, 45, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * c.size());
}
BENCHMARK(BM_BucketHash);

}  // namespace
}  // namespace wh

BENCHMARK_MAIN();
