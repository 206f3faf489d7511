// Query results and how they are printed: table, csv, tsv, json, jsonl, markdown.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "format/format.h"

namespace wh {

namespace parquet {
class Writer;
}

// The rows of a result, one column per name. They are held either in `columns` (results built
// by hand, and any result after Flatten) or as the `chunks` (batches) a query produced: their rows
// in turn or, with `order_chunk` set, row i is row order_row[i] of chunk order_chunk[i] (a sorted
// result is printed from where its rows are, never copied into one piece).
struct ResultSet {
  std::vector<std::string> names;
  std::vector<Column> columns;
  std::vector<std::vector<Column>> chunks;
  std::vector<uint16_t> order_chunk;
  std::vector<uint32_t> order_row;
  // Text output (EXPLAIN): the one column's lines are printed as they are in the table, csv and
  // tsv formats.
  bool plain_text = false;
  // Set (',' or '\t') when the rows were formatted as CSV / TSV lines while the query ran: each
  // chunk's last column holds the lines (FormatCsvLines), which the printer copies; such a
  // result prints only as the format it was made for and cannot be flattened.
  char text_delimiter = 0;
  // The rows a result had when these are only its first ones (the shell's .maxrows): a table
  // says "N rows (M shown)". 0: these are all.
  uint64_t total_rows = 0;
  size_t rows() const;
  void AddColumn(std::string name, Column c) {
    names.push_back(std::move(name));
    columns.push_back(std::move(c));
  }
  // Moves the rows into `columns`, in order.
  void Flatten();
};

// kParquet: one result as an Apache Parquet file (parquet/writer.h), for files and pipes.
enum class OutputFormat { kTable, kCsv, kTsv, kJson, kJsonl, kMarkdown, kParquet };

Result<OutputFormat> ParseOutputFormat(const std::string& name);
// The format a file's name asks for: .csv, .tsv, .json (a JSON array), .jsonl / .ndjson,
// .md, .parquet; nullopt for any other ending.
std::optional<OutputFormat> OutputFormatOfPath(const std::string& path);

// Text of one value as CSV/table print it (no quoting); `null_text` for NULL.
std::string ValueToText(const Column& c, size_t row, const char* null_text);
// Row i as a JSON value: numbers as numbers (NaN and infinities as strings), lists as arrays,
// anything else as a string.
std::string JsonValue(const Column& c, size_t row);

void PrintResult(const ResultSet& rs, OutputFormat format, std::ostream& out);
// Writes results to a new file at `path` (replacing any) as PrintResult prints them, one after
// another; the blocks of CSV / TSV rows are written at their offsets by the threads that format
// them, so the copies into the page cache run on all cores.
Status WriteResultFile(const std::vector<ResultSet>& results, OutputFormat format, const std::string& path);

// Where a statement's results go as they are produced, instead of being held (streamed output):
// a query's rows batch by batch (Begin, Rows for each batch, End), or a result that was built
// whole (a sorted result, SHOW, DESCRIBE, EXPLAIN). Session::Execute with a sink hands every
// result to it, in statement order.
class ResultSink {
 public:
  virtual ~ResultSink() = default;
  virtual Status Whole(const ResultSet& rs) = 0;
  virtual Status Begin(const std::vector<std::string>& names, const std::vector<DataType>& types) = 0;
  virtual Status Rows(std::vector<Column> columns) = 0;  // one batch, the plan's types
  virtual Status End() = 0;
};

// Prints results in a format as PrintResult does, one after another, to a stream or a new file.
// Streamed rows are written as they come in CSV, TSV, JSON and JSON lines (a table or markdown
// needs every row for its widths, so those are printed at End). A file is written under a
// temporary name beside it and renamed over `path` by Close(): it appears whole or not at all
// (a path that is not a regular file - a FIFO, a device, /dev/stdout - is written through).
class ResultWriter : public ResultSink {
 public:
  static std::unique_ptr<ResultWriter> ToStream(std::ostream* out, OutputFormat format);
  static Result<std::unique_ptr<ResultWriter>> ToFile(const std::string& path, OutputFormat format);
  ~ResultWriter() override;

  Status Whole(const ResultSet& rs) override;
  Status Begin(const std::vector<std::string>& names, const std::vector<DataType>& types) override;
  Status Rows(std::vector<Column> columns) override;
  Status End() override;
  // Flushes; for a file, makes it visible at its path. Without Close the file is removed.
  Status Close();
  // CSV: the field separator and whether a header line comes first (COPY ... TO options).
  void SetCsv(char delimiter, bool header) {
    delim_ = delimiter;
    header_ = header;
  }
  uint64_t rows_written() const { return rows_written_; }

 private:
  ResultWriter() = default;
  Status Put(const char* data, size_t size);  // at the end, and moves the end
  Status PutAt(const char* data, size_t size, uint64_t at);  // a file's bytes at `at`
  Status PutCsv(const ResultSet& rs, char delim);
  Status BeginParquet(const std::vector<std::string>& names, const std::vector<DataType>& types);

  char Delim() const { return format_ == OutputFormat::kTsv ? '\t' : delim_; }
  OutputFormat format_ = OutputFormat::kCsv;
  char delim_ = ',';
  bool header_ = true;
  uint64_t rows_written_ = 0;
  std::ostream* out_ = nullptr;  // a stream, or:
  int fd_ = -1;                  // a file
  std::string path_, tmp_path_;  // tmp_path_ empty: written through
  uint64_t offset_ = 0;
  // The streamed result: its names, rows so far, and (table, markdown) its batches.
  ResultSet streamed_;
  std::vector<DataType> streamed_types_;
  uint64_t streamed_rows_ = 0;
  // CSV / TSV batches not yet written: formatted together once there are enough rows for the
  // threads to share (a batch can be a few rows), at most about kPendingRows or kPendingBytes.
  static constexpr size_t kPendingRows = size_t{1} << 17, kPendingBytes = size_t{16} << 20;
  ResultSet pending_;
  // Parquet: the file's writer, from the result's Begin; one result a file.
  std::unique_ptr<parquet::Writer> parquet_;
  size_t pending_rows_ = 0, pending_bytes_ = 0;
  Status FlushPending();
};

// The CSV (delim ',') or TSV lines, each with its newline, of n rows: row i is row rows[i] of
// parts[which[i]]. As STRING columns of at most about 1 GiB of text each, in order.
std::vector<Column> FormatCsvLines(const std::vector<const std::vector<Column>*>& parts, const uint16_t* which,
                                   const uint32_t* rows, size_t n, char delim);

// Columns from plain values, for results built by hand (SHOW, DESCRIBE, inspect, EXPLAIN).
// A STRING column of metadata (DESCRIBE, SHOW, inspect); "" stands for NULL.
Column StringColumn(const std::vector<std::string>& v);
Column Int64Column(const std::vector<int64_t>& v);

}  // namespace wh
