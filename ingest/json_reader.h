// JSON input: a stream of JSON objects separated by whitespace - JSON lines (one object per line,
// the usual log format) or files holding one (possibly pretty-printed) object each. Keys name
// table columns (matched case-insensitively, keys of no column are ignored); nested objects
// and arrays are kept as their JSON text in STRING columns and refused elsewhere. Values are
// read exactly: numbers from their JSON text, strings through the same parser as CSV fields
// (so "39" fills a BIGINT, "" is NULL for non-STRING columns, time formats apply).
// simdjson (On Demand) does the parsing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "ingest/input_stream.h"
#include "ingest/value_parser.h"

namespace wh {

struct RejectedRow;

// A file holding one JSON array of objects ([{...}, {...}], as DuckDB's COPY ... (ARRAY true)
// and many exports write) reads as the objects one after another: a streaming pass over the
// input turns the array's own brackets and the commas between its elements into spaces. The
// mode is decided by the input's first byte that is not whitespace (or a UTF-8 byte order mark).
class JsonArrayUnwrapper {
 public:
  // Rewrites text (the input's next bytes) in place.
  void Feed(char* text, size_t n);
  // After the whole input: true when an array was opened and never closed (a cut file).
  bool Unclosed() const { return mode_ == 1 && depth_ > 0; }

 private:
  int mode_ = -1;  // -1 undecided, 0 objects, 1 one array
  int depth_ = 0;
  bool in_string_ = false, escaped_ = false;
};

class JsonReader {
 public:
  // `time`: per table column, how DATE/TIMESTAMP strings are read.
  // `sniffed_names`: keys match columns as the sniffer named them too (ingest/sniff.h:
  // "first name" fills first_name), for files read as they were sniffed.
  JsonReader(InputStream* in, const TableSchema& schema, std::vector<TimeFormat> time, bool sniffed_names = false);
  ~JsonReader();

  // Parses the next few MiB of input: appends their objects' rows to `cols` (one per table
  // column, in table order). False at the end of the input. Without `rejects` a bad value
  // fails with file:line, key and reason; with it, the object is skipped and recorded there.
  // Malformed JSON always fails.
  Result<bool> Next(std::vector<Column>* cols, std::vector<RejectedRow>* rejects);

  uint64_t rows() const { return rows_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint64_t rows_ = 0;
};

}  // namespace wh
