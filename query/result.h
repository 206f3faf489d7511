// Query results and how they are printed: table, csv, tsv, json, jsonl, markdown.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "format/format.h"

namespace wh {

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
  size_t rows() const;
  void AddColumn(std::string name, Column c) {
    names.push_back(std::move(name));
    columns.push_back(std::move(c));
  }
  // Moves the rows into `columns`, in order.
  void Flatten();
};

enum class OutputFormat { kTable, kCsv, kTsv, kJson, kJsonl, kMarkdown };

Result<OutputFormat> ParseOutputFormat(const std::string& name);

// Text of one value as CSV/table print it (no quoting); `null_text` for NULL.
std::string ValueToText(const Column& c, size_t row, const char* null_text);

void PrintResult(const ResultSet& rs, OutputFormat format, std::ostream& out);
// Writes results to a new file at `path` (replacing any) as PrintResult prints them, one after
// another; the blocks of CSV / TSV rows are written at their offsets by the threads that format
// them, so the copies into the page cache run on all cores.
Status WriteResultFile(const std::vector<ResultSet>& results, OutputFormat format, const std::string& path);

// The CSV (delim ',') or TSV lines, each with its newline, of n rows: row i is row rows[i] of
// parts[which[i]]. As STRING columns of at most about 1 GiB of text each, in order.
std::vector<Column> FormatCsvLines(const std::vector<const std::vector<Column>*>& parts, const uint16_t* which,
                                   const uint32_t* rows, size_t n, char delim);

// Columns from plain values, for results built by hand (SHOW, DESCRIBE, inspect, EXPLAIN).
Column StringColumn(const std::vector<std::string>& v);
Column Int64Column(const std::vector<int64_t>& v);

}  // namespace wh
