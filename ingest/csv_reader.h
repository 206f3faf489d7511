// A streaming CSV reader per RFC 4180: fields separated by commas, optionally quoted with '"',
// '""' inside quotes for a quote, newlines inside quotes, LF or CRLF line ends. Memory is
// bounded by the largest row (at most kMaxCsvRowBytes).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/input_stream.h"

namespace wh {

constexpr size_t kMaxCsvRowBytes = 64u << 20;

struct CsvField {
  std::string_view value;
  bool quoted = false;  // "" is an empty string, an empty unquoted field is NULL
};

class CsvReader {
 public:
  explicit CsvReader(InputStream* in, char delimiter = ',', uint64_t first_line = 1);
  // Reads rows of `text`, a whole input held in memory (kept alive by the caller), in place:
  // nothing is copied into a buffer of the reader's. `name` names it in errors.
  CsvReader(std::string_view text, const std::string& name, char delimiter = ',', uint64_t first_line = 1);

  // Reads the next non-empty row. Returns false at the end of the input. The fields stay valid
  // until the next call. Errors (unterminated quote, junk after a closing quote, a row too long)
  // name the input and line.
  Result<bool> Next(std::vector<CsvField>* fields);
  // Line (1-based) on which the last row returned started.
  uint64_t line() const { return row_line_; }
  uint64_t bytes_consumed() const { return consumed_; }
  // Bytes read from the input but not yet parsed (after a row), handed over to another reader.
  std::string TakeBuffered();
  // Line on which the next row starts.
  uint64_t next_line() const { return line_; }

 private:
  Result<bool> Fill();  // reads more input; false at the end

  InputStream* in_ = nullptr;  // null when reading text in memory
  const std::string* name_;
  char delim_;
  // Read into as input comes; not zero-filled first (reads fill what is used of it).
  std::unique_ptr<char[]> buf_;
  const char* data_;  // buf_'s bytes, or the text in memory
  // Reading text in memory: unquoted fields are views of the text itself (their span's offset
  // is into data_, marked by quoted_ 2), not copied into row_.
  bool direct_ = false;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  uint64_t line_ = 1;
  uint64_t row_line_ = 0;
  uint64_t consumed_ = 0;
  std::string row_;                              // unescaped bytes of the current row
  std::vector<std::pair<uint32_t, uint32_t>> spans_;  // (offset, length) in row_
  std::vector<uint8_t> quoted_;  // per field: 0 unquoted, 1 quoted, 2 unquoted and in data_
};

}  // namespace wh
