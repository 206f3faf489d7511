// libFuzzer target: a Parquet file of arbitrary bytes opened and every column of every row group
// read, as wh ingest and read_parquet would.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parquet/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto r = wh::parquet::Reader::Open(bytes, "fuzz.parquet");
  if (!r.ok()) return 0;
  // A footer may claim more rows than a fuzzer's input could hold: read only small ones.
  if ((*r)->rows() > (uint64_t{1} << 20)) return 0;
  for (size_t g = 0; g < (*r)->row_groups(); ++g) {
    for (size_t c = 0; c < (*r)->columns().size(); ++c) {
      const auto& col = (*r)->columns()[c];
      if (!col.refused.empty()) continue;
      wh::Column out(col.type);
      (void)(*r)->Read(g, c, &out);
    }
  }
  return 0;
}
