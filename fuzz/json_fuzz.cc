// libFuzzer target: the JSON reader over arbitrary bytes, into a table with a column of every
// type (time formats included), in tolerant mode so that value errors do not end the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ingest/ingest.h"
#include "ingest/json_reader.h"

namespace {

const wh::TableSchema& Schema() {
  static const wh::TableSchema s = [] {
    wh::TableSchema t;
    t.name = "fuzz";
    t.columns = {{"id", wh::DataType::Int64(), true},      {"n", wh::DataType::Int32(), false},
                 {"s", wh::DataType::String(), false},     {"d", wh::DataType::Decimal(20, 6), false},
                 {"x", wh::DataType::Double(), false},     {"b", wh::DataType::Boolean(), false},
                 {"ts", wh::DataType::Timestamp(), false}, {"day", wh::DataType::Date(), false},
                 {"t2", wh::DataType::Timestamp(), false}};
    return t;
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto in = wh::StringInput(std::string(reinterpret_cast<const char*>(data), size), "fuzz.json");
  wh::IngestOptions opt;
  opt.time_formats = {{"ts", "epoch_ms"}, {"day", "%d/%m/%Y"}, {"t2", "%Y-%m-%d %H:%M:%S.%f"}};
  auto formats = wh::ColumnTimeFormats(Schema(), opt);
  if (!formats.ok()) __builtin_trap();
  wh::JsonReader reader(in.get(), Schema(), *formats);
  std::vector<wh::RejectedRow> rejects;
  for (int chunks = 0; chunks < 1000; ++chunks) {
    std::vector<wh::Column> cols;
    for (const auto& c : Schema().columns) cols.emplace_back(c.type);
    auto more = reader.Next(&cols, &rejects);
    if (!more.ok() || !*more) break;
    for (const auto& c : cols)
      if (c.size() != cols[0].size()) __builtin_trap();  // every column gets every row
  }
  return 0;
}
