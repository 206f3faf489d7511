// libFuzzer target: the CSV reader over arbitrary bytes (rows, quotes, line ends, lengths),
// streamed and read in place (as parse workers read their chunks): both must give the same
// rows, line numbers and errors.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ingest/csv_reader.h"

namespace {

// Every field (with its quoted flag) and row line, then the error, as one text.
std::string Transcript(wh::CsvReader* r) {
  std::string out;
  std::vector<wh::CsvField> fields;
  for (int rows = 0; rows < 100000; ++rows) {
    auto more = r->Next(&fields);
    if (!more.ok()) return out + "error: " + more.status().ToString();
    if (!*more) break;
    out += std::to_string(r->line()) + ":";
    for (const auto& f : fields) {
      out += f.quoted ? "q" : "u";
      out += std::to_string(f.value.size()) + "=";
      out.append(f.value);
    }
    out += "\n";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto in = wh::StringInput(text, "fuzz.csv");
  wh::CsvReader streamed(in.get());
  const std::string name = "fuzz.csv";
  wh::CsvReader in_place(text, name);
  if (Transcript(&streamed) != Transcript(&in_place)) __builtin_trap();
  return 0;
}
