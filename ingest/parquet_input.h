// Parquet input (parquet/reader.h) for ingest and for files queried in place: a file's columns
// matched to a table's by name (ignoring case; as the sniffer names them for files read in
// place), converted to the table's types exactly or refused with the file, row group and column.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "ingest/ingest.h"

namespace wh {

// Loads one input (read whole: a Parquet file is read from its footer) and hands its rows to
// `add` a row group at a time, one column per table column. A column the table has and the file
// lacks is an error (NULLs with allow_missing_columns when nullable); the file's other columns
// are ignored (an export's etl_date among them). A value that does not fit the table's type
// (a NULL in a NOT NULL column, a number past a DECIMAL, text that does not read as the type) is
// an error naming where it is.
Status ParseParquetInput(InputStream* in, const TableSchema& schema, const IngestOptions& opt,
                         const std::function<Status(std::vector<Column>)>& add, uint64_t* rows);

// The columns of a Parquet file as a table would have them (names as the sniffer gives them,
// every column nullable): for read_parquet and `wh ingest --create`. A column wh cannot read
// (a LIST, a MAP, a TIME) is an error that names it.
Result<std::vector<ColumnDef>> ParquetColumns(const std::string& path);

}  // namespace wh
