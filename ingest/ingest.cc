#include "ingest/ingest.h"

#include <chrono>
#include <map>
#include <set>

namespace wh {

namespace {

// Buffers typed rows and flushes them as segments, one per partition, when the budget is hit.
class BatchBuilder {
 public:
  BatchBuilder(TableWriter* writer, const IngestOptions& opt)
      : writer_(writer), schema_(writer->base().schema), opt_(opt) {
    Reset();
  }

  std::vector<Column>& columns() { return cols_; }
  size_t rows() const { return cols_.empty() ? 0 : cols_[0].size(); }

  Status MaybeFlush() {
    if ((rows() & 4095) != 0) return Status::OK();
    size_t mem = 0;
    for (const auto& c : cols_) mem += c.MemoryUsage();
    if (mem < opt_.batch_bytes) return Status::OK();
    return Flush();
  }

  Status Flush() {
    if (rows() == 0) return Status::OK();
    std::vector<Column> cols = std::move(cols_);
    Reset();  // the writer routes from `cols`; the builder starts afresh
    return writer_->WriteRows(cols);
  }

  size_t partitions() const { return writer_->partitions_written(); }

 private:
  void Reset() {
    cols_.clear();
    for (const auto& c : schema_.columns) cols_.emplace_back(c.type);
  }

  TableWriter* writer_;
  const TableSchema& schema_;
  const IngestOptions& opt_;
  std::vector<Column> cols_;
};

std::string Quote(std::string_view v) {
  std::string s(v.substr(0, 80));
  if (v.size() > 80) s += "...";
  return "'" + s + "'";
}

Status IngestOne(InputStream* in, const TableSchema& schema, BatchBuilder* batch,
                 const IngestOptions& opt, uint64_t* total_rows) {
  CsvReader csv(in);
  std::vector<CsvField> fields;
  WH_ASSIGN_OR_RETURN(bool has_header, csv.Next(&fields));
  if (!has_header)
    return Status::DataError(in->name() + ": the input is empty (a header row naming the columns "
                                          "is required)");
  // Map header names to table columns.
  const size_t ncols = schema.columns.size();
  std::vector<int> target(fields.size(), -1);
  std::vector<int> source(ncols, -1);
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string name(fields[i].value);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.erase(0, 1);
    if (i == 0 && name.rfind("\xEF\xBB\xBF", 0) == 0) name.erase(0, 3);  // UTF-8 BOM
    int c = schema.FindColumn(name);
    if (c < 0) {
      std::string known;
      for (const auto& col : schema.columns) known += (known.empty() ? "" : ", ") + col.name;
      return Status::DataError(in->name() + ":1: column " + Quote(name) + " (field " +
                               std::to_string(i + 1) + " of the header) is not a column of table '" +
                               schema.name + "' (its columns: " + known + ")");
    }
    if (source[c] >= 0)
      return Status::DataError(in->name() + ":1: column " + Quote(name) +
                               " appears twice in the header (fields " +
                               std::to_string(source[c] + 1) + " and " + std::to_string(i + 1) + ")");
    source[c] = static_cast<int>(i);
    target[i] = c;
  }
  for (size_t c = 0; c < ncols; ++c) {
    if (source[c] < 0 && schema.columns[c].not_null)
      return Status::DataError(in->name() + ":1: the header has no column '" +
                               schema.columns[c].name + "', which is NOT NULL");
  }
  const size_t nfields = fields.size();
  std::vector<Column>* cols = &batch->columns();
  uint64_t rows = 0;
  while (true) {
    WH_ASSIGN_OR_RETURN(bool more, csv.Next(&fields));
    if (!more) break;
    if (fields.size() != nfields)
      return Status::DataError(in->name() + ":" + std::to_string(csv.line()) + ": row has " +
                               std::to_string(fields.size()) + " fields, the header has " +
                               std::to_string(nfields));
    cols = &batch->columns();
    for (size_t c = 0; c < ncols; ++c) {
      Column& col = (*cols)[c];
      int f = source[c];
      if (f < 0) {
        col.AppendNull();
        continue;
      }
      const CsvField& field = fields[f];
      const ColumnDef& def = schema.columns[c];
      if (def.not_null && FieldIsNull(def.type, field.value, field.quoted))
        return Status::DataError(in->name() + ":" + std::to_string(csv.line()) + ": column '" +
                                 def.name + "' (field " + std::to_string(f + 1) +
                                 ") is empty, but the column is NOT NULL");
      Status st = AppendField(&col, field.value, field.quoted);
      if (!st.ok())
        return Status::DataError(in->name() + ":" + std::to_string(csv.line()) + ": column '" +
                                 def.name + "' (field " + std::to_string(f + 1) + "): cannot read " +
                                 Quote(field.value) + " as " + def.type.ToString() + ": " +
                                 st.message());
    }
    ++rows;
    ++*total_rows;
    if (opt.on_progress && (*total_rows & 0xFFFF) == 0)
      opt.on_progress({in->name(), in->bytes_read(), in->size_hint(), *total_rows});
    WH_RETURN_IF_ERROR(batch->MaybeFlush());
  }
  return Status::OK();
}

}  // namespace

Result<IngestResult> IngestCsvStreams(Warehouse* wh, const std::string& table,
                                      const std::vector<InputStream*>& inputs,
                                      const IngestOptions& options) {
  auto start = std::chrono::steady_clock::now();
  WH_ASSIGN_OR_RETURN(auto writer, wh->OpenWriter(table));
  writer->set_etl_micros(options.etl_micros ? options.etl_micros : NowMicros());
  writer->set_encode_options(options.encode);
  BatchBuilder batch(writer.get(), options);
  IngestResult res;
  std::vector<SourceFile> sources;
  for (InputStream* in : inputs) {
    Status st = IngestOne(in, writer->base().schema, &batch, options, &res.rows);
    if (!st.ok()) return st;  // the writer's destructor aborts the batch
    sources.push_back({in->name(), in->bytes_read(), in->content_hash()});
    res.input_bytes += in->bytes_read();
  }
  WH_RETURN_IF_ERROR(batch.Flush());
  WH_ASSIGN_OR_RETURN(CommitRecord rec, writer->Commit(std::move(sources)));
  res.partitions = batch.partitions();
  res.segments = writer->stats().segments;
  res.bytes = writer->stats().bytes;
  res.commit_seq = rec.seq;
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return res;
}

Result<IngestResult> IngestCsv(Warehouse* wh, const std::string& table,
                               const std::vector<std::string>& paths,
                               const IngestOptions& options) {
  if (paths.empty()) return Status::InvalidArgument("no input files given");
  if (!wh->TableExists(table)) return Status::NotFound("table '" + ToLower(table) + "' does not exist");
  std::vector<std::unique_ptr<InputStream>> owned;
  std::vector<InputStream*> ptrs;
  for (const auto& p : paths) {
    WH_ASSIGN_OR_RETURN(auto in, OpenInput(p));
    ptrs.push_back(in.get());
    owned.push_back(std::move(in));
  }
  return IngestCsvStreams(wh, table, ptrs, options);
}

}  // namespace wh
