// libFuzzer target: the SQL lexer and parser over arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "query/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string sql(reinterpret_cast<const char*>(data), size);
  auto r = wh::ParseSql(sql);
  (void)r.ok();
  return 0;
}
