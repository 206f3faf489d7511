#include "ingest/parquet_input.h"

#include <algorithm>
#include <thread>

#include "format/thread.h"
#include "format/value_text.h"
#include "ingest/sniff.h"
#include "ingest/value_parser.h"
#include "parquet/reader.h"

namespace wh {

namespace {

Result<std::string> ReadWhole(InputStream* in) {
  std::string data;
  if (in->size_hint()) data.reserve(in->size_hint());
  char buf[1 << 16];
  while (true) {
    WH_ASSIGN_OR_RETURN(size_t n, in->Read(buf, sizeof buf));
    if (n == 0) return data;
    data.append(buf, n);
  }
}

// A value's text as wh prints it, for conversions between types.
std::string ValueText(const Column& c, size_t i) {
  switch (c.type().id) {
    case TypeId::kBoolean: return c.Get<uint8_t>(i) ? "true" : "false";
    case TypeId::kInt32: return std::to_string(c.Get<int32_t>(i));
    case TypeId::kInt64: return std::to_string(c.Get<int64_t>(i));
    case TypeId::kDouble: return FormatDouble(c.Get<double>(i));
    case TypeId::kDecimal: return FormatDecimal(IntegerAt(c, i), c.type().scale);
    case TypeId::kString:
    case TypeId::kList: return std::string(c.GetString(i));  // (no table holds a list)
    case TypeId::kDate: return FormatDate(c.Get<int32_t>(i));
    case TypeId::kTimestamp: return FormatTimestamp(c.Get<int64_t>(i));
  }
  return "";
}

// src (the file's type) as `to`: the same column, widened integers and dates, or each value's
// text read as `to` (as a CSV field would be).
Status Convert(Column src, const DataType& to, const std::string& where, Column* out) {
  if (src.type() == to) {
    *out = std::move(src);
    return Status::OK();
  }
  Column dst(to);
  dst.Reserve(src.size());
  const TypeId from = src.type().id;
  for (size_t i = 0; i < src.size(); ++i) {
    if (src.IsNull(i)) {
      dst.AppendNull();
      continue;
    }
    if (from == TypeId::kInt32 && to.id == TypeId::kInt64) {
      dst.Append<int64_t>(src.Get<int32_t>(i));
      continue;
    }
    if (from == TypeId::kDate && to.id == TypeId::kTimestamp) {
      dst.Append<int64_t>(static_cast<int64_t>(src.Get<int32_t>(i)) * kMicrosPerDay);
      continue;
    }
    const std::string text = ValueText(src, i);
    if (text.empty() && to.id != TypeId::kString) {
      dst.AppendNull();  // '' is NULL for other types, as in CSV
      continue;
    }
    Status st = AppendField(&dst, text, true);
    if (!st.ok())
      return Status::DataError(where + ", row " + std::to_string(i) + ": cannot read " + QuoteField(text) + " as " +
                               to.ToString() + ": " + st.message() + " (the file's column is " +
                               src.type().ToString() + ")");
  }
  *out = std::move(dst);
  return Status::OK();
}

}  // namespace

Status ParseParquetInput(InputStream* in, const TableSchema& schema, const IngestOptions& opt,
                         const std::function<Status(std::vector<Column>)>& add, uint64_t* rows) {
  WH_ASSIGN_OR_RETURN(std::string data, ReadWhole(in));
  WH_ASSIGN_OR_RETURN(auto reader, parquet::Reader::Open(data, in->name()));
  const auto& fcols = reader->columns();
  // Each table column's file column, by name.
  std::vector<int> source(schema.columns.size(), -1);
  for (size_t f = 0; f < fcols.size(); ++f) {
    const std::string name = opt.sniffed_names ? SniffedName(fcols[f].name) : fcols[f].name;
    const int c = schema.FindColumn(name);
    if (c < 0 && opt.sniffed_names) {
      const int plain = schema.FindColumn(fcols[f].name);
      if (plain >= 0 && source[static_cast<size_t>(plain)] < 0) source[static_cast<size_t>(plain)] = static_cast<int>(f);
      continue;
    }
    if (c < 0) continue;
    if (source[static_cast<size_t>(c)] >= 0)
      return Status::DataError(in->name() + ": columns '" + fcols[static_cast<size_t>(source[static_cast<size_t>(c)])].name +
                               "' and '" + fcols[f].name + "' both name column '" + schema.columns[static_cast<size_t>(c)].name + "'");
    source[static_cast<size_t>(c)] = static_cast<int>(f);
  }
  std::string missing;
  for (size_t c = 0; c < schema.columns.size(); ++c) {
    if (source[c] >= 0) continue;
    const auto& def = schema.columns[c];
    if (def.not_null) return Status::DataError(in->name() + ": the input has no column '" + def.name + "', which is NOT NULL");
    missing += (missing.empty() ? "'" : ", '") + def.name + "'";
  }
  if (!missing.empty() && !opt.allow_missing_columns) {
    std::string have;
    for (const auto& f : fcols) have += (have.empty() ? "" : ", ") + f.name;
    return Status::DataError(in->name() + ": the input has no column " + missing + " of table '" + schema.name +
                             "' (its columns: " + have + "); " + opt.allow_missing_hint + " loads them as NULL");
  }
  // Row groups are decoded a few at a time, each (row group, column) on its own core, and
  // handed on in order.
  const size_t threads = std::max(1u, std::thread::hardware_concurrency());
  const size_t ncols = schema.columns.size();
  if (ncols == 0) return Status::OK();
  for (size_t first = 0; first < reader->row_groups(); first += threads) {
    const size_t groups = std::min(threads, reader->row_groups() - first);
    std::vector<std::vector<Column>> out(groups, std::vector<Column>(ncols));
    WH_RETURN_IF_ERROR(ParallelFor(groups * ncols, threads, [&](size_t task) -> Status {
      const size_t g = first + task / ncols, c = task % ncols;
      const size_t n = reader->row_group_rows(g);
      const auto& def = schema.columns[c];
      Column& dst = out[task / ncols][c];
      if (source[c] < 0) {
        dst = Column(def.type);
        for (size_t i = 0; i < n; ++i) dst.AppendNull();
        return Status::OK();
      }
      const auto& fc = fcols[static_cast<size_t>(source[c])];
      const std::string where = in->name() + ": row group " + std::to_string(g) + ", column '" + fc.name + "'";
      if (!fc.refused.empty()) return Status::NotSupported(where + ": " + fc.refused);
      Column raw(fc.type);
      WH_RETURN_IF_ERROR(reader->Read(g, static_cast<size_t>(source[c]), &raw));
      WH_RETURN_IF_ERROR(Convert(std::move(raw), def.type, where, &dst));
      if (def.not_null && dst.has_nulls()) {
        for (size_t i = 0; i < dst.size(); ++i)
          if (dst.IsNull(i))
            return Status::DataError(where + ", row " + std::to_string(i) + ": a NULL in column '" + def.name +
                                     "', which is NOT NULL");
      }
      return Status::OK();
    }));
    for (size_t k = 0; k < groups; ++k) {
      *rows += reader->row_group_rows(first + k);
      WH_RETURN_IF_ERROR(add(std::move(out[k])));
    }
  }
  return Status::OK();
}

Result<std::vector<ColumnDef>> ParquetColumns(const std::string& path) {
  WH_ASSIGN_OR_RETURN(auto in, OpenInput(path));
  WH_ASSIGN_OR_RETURN(std::string data, ReadWhole(in.get()));
  WH_ASSIGN_OR_RETURN(auto reader, parquet::Reader::Open(data, in->name()));
  std::vector<std::string> raw;
  for (const auto& c : reader->columns()) {
    if (!c.refused.empty())
      return Status::NotSupported(in->name() + ": column '" + c.name + "' is " + c.refused);
    raw.push_back(c.name);
  }
  const std::vector<std::string> names = SniffedColumnNames(raw);
  std::vector<ColumnDef> out;
  for (size_t i = 0; i < names.size(); ++i) out.push_back({names[i], reader->columns()[i].type, false});
  return out;
}

}  // namespace wh
