// Guessing the layout and column types of CSV and JSON files from a sample of their rows, as
// DuckDB's sniffer does, so that a file can be queried (read_csv, read_json) or made into a
// table (`wh ingest --create`, CREATE TABLE ... AS SELECT * FROM read_json(...)) without
// typing its schema.
//
// CSV: the delimiter (`,` `|` `;` or tab: the one that splits the sample into the most columns
// with every row alike), whether the first row is a header (it is when some column's type does
// not read its first field, or when every column is text and the first row's fields are
// distinct names while other rows' are not), and per column the first type of BOOLEAN, BIGINT,
// DOUBLE, DATE, TIMESTAMP, STRING that reads every non-empty field of the sample. DATE and
// TIMESTAMP are tried in ISO form and in the usual day/month orders (%d/%m/%Y, %m/%d/%Y,
// %Y/%m/%d, %d-%m-%Y, %m-%d-%Y, %d.%m.%Y, with %H:%M:%S for timestamps).
// JSON: one column per key (in order of first appearance, keys matched ignoring case), typed by
// the values: true/false BOOLEAN, integers BIGINT (DOUBLE if any has a fraction or exceeds
// BIGINT), strings DATE or TIMESTAMP when every one reads as an ISO date or timestamp, else
// STRING, nested objects and arrays STRING (their JSON text); a key with mixed kinds is STRING.
// A column with no value in the sample is STRING.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "ingest/ingest.h"

namespace wh {

struct SniffOptions {
  InputFormat format = InputFormat::kCsv;
  std::optional<char> delimiter;          // CSV: else guessed
  std::optional<bool> header;             // CSV: else guessed
  std::optional<std::string> date_format;       // %-pattern (value_parser.h) for every DATE
  std::optional<std::string> timestamp_format;  // for every TIMESTAMP
  bool all_varchar = false;               // every column STRING
  std::vector<std::string> null_strings;  // CSV fields read as NULL (ingest --null-string)
  size_t sample_rows = 20480;             // rows (objects) looked at, over the first files
                                          // (SIZE_MAX / 4 or more: every row of every file)
};

struct SniffResult {
  char delimiter = ',';
  bool header = true;
  // Names as found (a header field or JSON key; `column0`, `column1`, ... without a header);
  // one that is not an identifier has each other character replaced by `_` (and `_` put before
  // a leading digit), and repeats get `_1`, `_2`, ...
  std::vector<ColumnDef> columns;
  // How the DATE / TIMESTAMP columns are read: (column name, format), for IngestOptions.
  std::vector<std::pair<std::string, std::string>> time_formats;

  // Options that read the files as sniffed (CSV fields by position, the header row skipped).
  IngestOptions ReadOptions(InputFormat format) const;
};

// The name a sniffed column gets for a header field or JSON key that is not an identifier
// (each other character `_`, `_` before a leading digit); an identifier is kept as it is.
std::string SafeColumnName(const std::string& raw);
// A sniffed column's name for a header field or JSON key: SafeColumnName, and `etl_date` (the
// load-time column every table has) becomes `etl_date_1`.
std::string SniffedName(const std::string& raw);
// The names of a header's fields: SniffedName of each, an empty one `column<i>`, repeats (ignoring
// case) made distinct with `_1`, `_2`, ...
std::vector<std::string> SniffedColumnNames(const std::vector<std::string>& raw);

// Sniffs `paths` (already expanded; at least one). Errors name the file.
Result<SniffResult> SniffInputs(const std::vector<std::string>& paths, const SniffOptions& options);

}  // namespace wh
