// libFuzzer target: manifest bytes parsed (schema and commit records, torn tails).
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wh::ManifestContents m;
  (void)wh::ParseManifest(std::string_view(reinterpret_cast<const char*>(data), size), &m);
  return 0;
}
