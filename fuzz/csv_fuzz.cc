// libFuzzer target: the CSV reader over arbitrary bytes (rows, quotes, line ends, lengths).
#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/csv_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto in = wh::StringInput(std::string(reinterpret_cast<const char*>(data), size), "fuzz.csv");
  wh::CsvReader r(in.get());
  std::vector<wh::CsvField> fields;
  for (int rows = 0; rows < 100000; ++rows) {
    auto more = r.Next(&fields);
    if (!more.ok() || !*more) break;
    for (const auto& f : fields) (void)f.value.size();
  }
  return 0;
}
