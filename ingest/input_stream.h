// Byte sources for ingest: a file, standard input ("-"), or a .gz / .zst file decompressed on
// the fly through Boost.Iostreams. Tracks the bytes read and their XXH64.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "format/status.h"

namespace wh {

class InputStream {
 public:
  virtual ~InputStream() = default;
  // Reads up to n bytes; returns 0 at the end of the input.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
  // The name used in error messages ("<stdin>" for "-").
  virtual const std::string& name() const = 0;
  // Size of the input on disk if known (for progress), else 0.
  virtual uint64_t size_hint() const = 0;
  // Bytes delivered so far and their XXH64 (seed 0).
  virtual uint64_t bytes_read() const = 0;
  virtual uint64_t content_hash() const = 0;
};

// Opens `path` ("-" for standard input). Files ending in .gz or .zst are decompressed.
Result<std::unique_ptr<InputStream>> OpenInput(const std::string& path);
// An in-memory input, for tests.
std::unique_ptr<InputStream> StringInput(std::string data, std::string name = "<string>");

}  // namespace wh
