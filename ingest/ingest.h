// The public header of the ingest module: CSV files -> typed column batches -> routed to
// partition and bucket -> one atomic commit per call.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "ingest/csv_reader.h"
#include "ingest/input_stream.h"
#include "ingest/value_parser.h"

namespace wh {

struct IngestProgress {
  std::string input;
  uint64_t input_bytes = 0;   // read of the current input
  uint64_t input_size = 0;    // its size on disk if known, else 0
  uint64_t rows = 0;          // rows read so far, all inputs
};

enum class InputFormat { kCsv, kJson, kParquet };

struct IngestOptions {
  // CSV with a header row, or JSON objects (JSON lines, or files of whole objects).
  InputFormat format = InputFormat::kCsv;
  // CSV: the field separator, and whether the first row names the columns (else the fields are
  // the table's columns in order).
  char delimiter = ',';
  bool header = true;
  // Header fields and JSON keys name columns as the sniffer names them (ingest/sniff.h:
  // `first name` is first_name): files read in place, and `wh ingest --create`.
  bool sniffed_names = false;
  int64_t etl_micros = 0;                 // etl_date of every row
  // Memory budget of buffered rows before a flush (--memory-mb). A batch larger than this writes
  // one segment per flush and partition; the commit merges them into one per partition.
  size_t batch_bytes = size_t{1} << 30;
  EncodeOptions encode;
  // Load files even if the table already committed the same path with the same content.
  bool force = false;
  // How the refusal of such a file says to force it (the caller's spelling of `force`).
  std::string force_hint = "Use --force to load it again.";
  // A CSV header without some nullable column of the table fills it with NULLs instead of
  // failing (a header without a NOT NULL column always fails).
  bool allow_missing_columns = false;
  // How an error says to allow them (the caller's spelling of allow_missing_columns).
  std::string allow_missing_hint = "--allow-missing-columns";
  // A CSV header may name columns the table does not have: their fields are skipped (JSON keys
  // and Parquet columns the table lacks are always skipped).
  bool ignore_extra_columns = false;
  // CSV fields that stand for NULL besides the empty unquoted field (DuckDB's nullstr, Spark's
  // nullValue): a field equal to one of them, quoted or not, is NULL.
  std::vector<std::string> null_strings;
  // Tolerant mode: up to max_errors rows with bad values (or the wrong number of fields) are
  // skipped instead of failing the batch; each is reported in IngestResult::rejects.
  uint64_t max_errors = 0;
  // How DATE / TIMESTAMP text is read (see TimeFormat in value_parser.h): pairs of column name
  // ("" = every DATE and TIMESTAMP column without a format of its own) and format.
  std::vector<std::pair<std::string, std::string>> time_formats;
  // After the commit, merge the segments of the partitions it wrote by the automatic policy
  // (CompactOptions, README "Compaction"); `wh ingest --no-compact` turns it off.
  bool compact = true;
  CompactOptions compaction;
  // The commit replaces the partitions its rows fall in (every row of an unpartitioned table):
  // a day delivered again (`wh ingest --overwrite`, TableWriter::Overwrite).
  bool overwrite = false;
  // Called about every 64K rows, from the ingesting thread.
  std::function<void(const IngestProgress&)> on_progress;
};

struct RejectedRow {
  std::string input;
  uint64_t line = 0;
  std::string reason;
  std::string fields;  // the row's fields as CSV
};

struct IngestResult {
  uint64_t rows = 0;
  uint64_t partitions = 0;  // distinct partitions written
  uint64_t segments = 0;
  uint64_t bytes = 0;       // bytes of segment files written
  uint64_t input_bytes = 0;
  double seconds = 0;
  uint64_t commit_seq = 0;
  // With IngestOptions::overwrite: the partitions replaced and the rows they held.
  uint64_t partitions_replaced = 0, rows_replaced = 0;
  std::vector<RejectedRow> rejects;  // rows read = rows + rejects.size()
  // The compaction that followed the commit. It cannot undo the ingest: when it fails (or
  // another writer holds the table) the rows stay committed and the reason is here.
  CompactStats compaction;
  std::string compaction_error;
  double compaction_seconds = 0;  // not in `seconds` (the ingest up to its commit)
};


// Ingests CSV inputs (paths, "-" for stdin, .gz/.zst decompressed) into `table` as one batch:
// every row of every input commits together, or (on any error) nothing does. Errors name the
// input, line, column and value.
// Input paths as given on a command line, expanded: a directory stands for every regular file
// below it (recursively; hidden ones and files whose name starts with `_`, such as Hadoop's
// _SUCCESS, skipped), a pattern with * ? [...] for the files it
// matches (** matches any number of directories), "-" for stdin; sorted within each argument.
// An argument that matches nothing is an error.
Result<std::vector<std::string>> ExpandInputPaths(const std::vector<std::string>& args);

// A file name's extension, lower case, without the dot and past a compression suffix
// (.gz, .zst, .bz2): "events.JSONL.gz" -> "jsonl"; "" when there is none.
std::string InputExtension(const std::string& path);
// The format an extension names: json, jsonl, ndjson -> JSON; csv, tsv, txt, tbl, psv -> CSV;
// otherwise none.
std::optional<InputFormat> FormatOfExtension(const std::string& ext);
// The format the names of these files suggest: JSON when every one ends in .json, .jsonl or
// .ndjson (before a .gz/.zst/.bz2), CSV when none does; an error when they are mixed.
Result<InputFormat> FormatFromNames(const std::vector<std::string>& paths);

// The time format of each table column (ISO where none is given); errors name the column.
Result<std::vector<TimeFormat>> ColumnTimeFormats(const TableSchema& schema, const IngestOptions& opt);

Result<IngestResult> IngestCsv(Warehouse* wh, const std::string& table,
                               const std::vector<std::string>& inputs,
                               const IngestOptions& options);

// Same, from already opened inputs (tests); sources are recorded under the inputs' names.
Result<IngestResult> IngestCsvStreams(Warehouse* wh, const std::string& table,
                                      const std::vector<InputStream*>& inputs,
                                      const IngestOptions& options);

// Same, recording each input under source_names[i] (absolute paths) when given.
Result<IngestResult> IngestStreams(Warehouse* wh, const std::string& table,
                                   const std::vector<InputStream*>& inputs, const IngestOptions& options,
                                   const std::vector<std::string>& source_names);
std::string AbsolutePath(const std::string& path);

// Where parsed rows go: chunks of columns (one per schema column, in order), in input order.
using RowSink = std::function<Status(std::vector<std::vector<Column>>)>;
// Parses inputs into typed columns of `schema` without writing anything (a query reading files
// in place: read_csv, read_json): what IngestStreams would load, handed to `sink` a budget
// (options.batch_bytes) at a time. An input without rows is no error here.
Status ReadInputs(const std::vector<InputStream*>& inputs, const TableSchema& schema,
                  const IngestOptions& options, const RowSink& sink);

}  // namespace wh
