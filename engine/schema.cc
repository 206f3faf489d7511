#include "engine/schema.h"

#include <algorithm>
#include <unordered_set>

#include "format/coding.h"

namespace wh {

std::string ToLower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Status ValidateIdentifier(const std::string& name, const char* what) {
  auto bad = [&] {
    std::string w = what;  // "table" or "table name": said once
    if (w.size() < 5 || w.compare(w.size() - 5, 5, " name") != 0) w += " name";
    return Status::InvalidArgument(w + " '" + name +
                                   "' is not an identifier (letters, digits and _, not starting "
                                   "with a digit, at most 128 characters)");
  };
  if (name.empty() || name.size() > 128) return bad();
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = name[i];
    bool ok = std::isalpha(c) || c == '_' || (i > 0 && std::isdigit(c));
    if (!ok || c > 127) return bad();
  }
  return Status::OK();
}

int TableSchema::FindColumn(const std::string& n) const {
  std::string l = ToLower(n);
  for (size_t i = 0; i < columns.size(); ++i)
    if (ToLower(columns[i].name) == l) return static_cast<int>(i);
  return -1;
}

std::vector<ColumnSpec> TableSchema::StorageColumns() const {
  std::vector<ColumnSpec> out;
  for (const auto& c : columns) out.push_back({c.name, c.type, !c.not_null});
  out.push_back({kEtlDateColumn, DataType::Timestamp(), false});
  return out;
}

Result<DataType> PartitionExprType(const PartitionExpr& e, const std::vector<ColumnDef>& cols) {
  switch (e.kind) {
    case PartitionExpr::kColumn: {
      if (e.column >= cols.size()) return Status::Corruption("partition expression column index");
      DataType t = cols[e.column].type;
      if (t.id != TypeId::kDate && t.id != TypeId::kTimestamp && t.id != TypeId::kInt32 && t.id != TypeId::kInt64)
        return Status::InvalidArgument("partition expression uses column '" + cols[e.column].name +
                                       "' of type " + t.ToString() +
                                       "; it must be DATE or TIMESTAMP (or an INT or BIGINT under EPOCH_MS, ...)");
      return t;
    }
    case PartitionExpr::kFromEpoch: {
      if (e.args.size() != 1 || e.unit > 2) return Status::InvalidArgument("EPOCH_MS and its kind take one argument");
      WH_ASSIGN_OR_RETURN(DataType t, PartitionExprType(e.args[0], cols));
      if (t.id != TypeId::kInt32 && t.id != TypeId::kInt64)
        return Status::InvalidArgument("EPOCH_MS, TIMESTAMP_SECONDS, ... in a partition expression take an INT or BIGINT, not " +
                                       t.ToString());
      return DataType::Timestamp();
    }
    case PartitionExpr::kDateTrunc: {
      if (e.args.size() != 1 || e.unit > 4) return Status::InvalidArgument("DATE_TRUNC takes a unit and one argument");
      WH_ASSIGN_OR_RETURN(DataType t, PartitionExprType(e.args[0], cols));
      if (t.id != TypeId::kDate && t.id != TypeId::kTimestamp)
        return Status::InvalidArgument("DATE_TRUNC in a partition expression takes a DATE or TIMESTAMP, not " + t.ToString());
      return DataType::Timestamp();
    }
    case PartitionExpr::kCastDate: {
      if (e.args.size() != 1) return Status::InvalidArgument("CAST takes one argument");
      WH_ASSIGN_OR_RETURN(DataType t, PartitionExprType(e.args[0], cols));
      if (t.id != TypeId::kDate && t.id != TypeId::kTimestamp)
        return Status::InvalidArgument("CAST(x AS DATE) in a partition expression takes a DATE or TIMESTAMP, not " +
                                       t.ToString() + " (an epoch number: CAST(EPOCH_MS(x) AS DATE))");
      return DataType::Date();
    }
    case PartitionExpr::kLeast:
    case PartitionExpr::kGreatest:
    case PartitionExpr::kCoalesce: {
      if (e.args.empty()) return Status::InvalidArgument("LEAST/GREATEST/COALESCE need arguments");
      bool all_date = true;
      for (const auto& a : e.args) {
        WH_ASSIGN_OR_RETURN(DataType t, PartitionExprType(a, cols));
        if (t.id != TypeId::kDate && t.id != TypeId::kTimestamp)
          return Status::InvalidArgument("LEAST/GREATEST/COALESCE in a partition expression take DATE or TIMESTAMP "
                                         "arguments, not " + t.ToString());
        all_date &= t.id == TypeId::kDate;
      }
      return all_date ? DataType::Date() : DataType::Timestamp();
    }
  }
  return Status::Corruption("unknown partition expression node " + std::to_string(e.kind));
}

namespace {

// Every node evaluates to microseconds (DATE values are midnight) plus validity.
struct Vals {
  std::vector<int64_t> v;
  std::vector<uint8_t> ok;
};

Vals Eval(const PartitionExpr& e, const std::vector<Column>& cols, size_t n) {
  Vals out;
  out.v.resize(n);
  out.ok.assign(n, 1);
  switch (e.kind) {
    case PartitionExpr::kColumn: {
      const Column& c = cols[e.column];
      if (c.type().id == TypeId::kDate) {
        for (size_t i = 0; i < n; ++i) out.v[i] = int64_t{c.Get<int32_t>(i)} * kMicrosPerDay;
      } else if (c.type().id == TypeId::kInt32) {  // a number, under kFromEpoch
        for (size_t i = 0; i < n; ++i) out.v[i] = c.Get<int32_t>(i);
      } else {
        for (size_t i = 0; i < n; ++i) out.v[i] = c.Get<int64_t>(i);
      }
      for (size_t i = 0; i < n; ++i) out.ok[i] = !c.IsNull(i);
      break;
    }
    case PartitionExpr::kFromEpoch: {
      out = Eval(e.args[0], cols, n);
      const int64_t unit = e.unit == 0 ? kMicrosPerSecond : e.unit == 1 ? 1000 : 1;
      // Years 1 to 9999, as a TIMESTAMP holds; a number past them is NULL (no partition).
      const int64_t lo = int64_t{-62135596800} * kMicrosPerSecond, hi = int64_t{253402300800} * kMicrosPerSecond;
      for (size_t i = 0; i < n; ++i) {
        if (!out.ok[i]) continue;
        int64_t us;
        if (__builtin_mul_overflow(out.v[i], unit, &us) || us < lo || us >= hi) {
          out.ok[i] = 0;
          continue;
        }
        out.v[i] = us;
      }
      break;
    }
    case PartitionExpr::kDateTrunc: {
      out = Eval(e.args[0], cols, n);
      for (size_t i = 0; i < n; ++i) {
        if (!out.ok[i]) continue;
        const int32_t d = TimestampToDate(out.v[i]);
        int64_t day = d;
        if (e.unit == 1) {
          day = d - (((int64_t{d} + 3) % 7 + 7) % 7);  // the Monday (1970-01-01 was a Thursday)
        } else if (e.unit >= 2) {
          int64_t y;
          unsigned m, dd;
          CivilFromDays(d, &y, &m, &dd);
          if (e.unit == 3) m = (m - 1) / 3 * 3 + 1;
          if (e.unit == 4) m = 1;
          day = DaysFromCivil(y, m, 1);
        }
        out.v[i] = day * kMicrosPerDay;
      }
      break;
    }
    case PartitionExpr::kCastDate: {
      out = Eval(e.args[0], cols, n);
      for (size_t i = 0; i < n; ++i) out.v[i] = int64_t{TimestampToDate(out.v[i])} * kMicrosPerDay;
      break;
    }
    case PartitionExpr::kLeast:
    case PartitionExpr::kGreatest:
    case PartitionExpr::kCoalesce: {
      out.ok.assign(n, 0);
      for (const auto& a : e.args) {
        Vals x = Eval(a, cols, n);
        for (size_t i = 0; i < n; ++i) {
          if (!x.ok[i]) continue;
          if (!out.ok[i]) {
            out.v[i] = x.v[i];
            out.ok[i] = 1;
          } else if (e.kind == PartitionExpr::kLeast) {
            out.v[i] = std::min(out.v[i], x.v[i]);
          } else if (e.kind == PartitionExpr::kGreatest) {
            out.v[i] = std::max(out.v[i], x.v[i]);
          }
        }
      }
      break;
    }
  }
  return out;
}

}  // namespace

void EvaluatePartition(const PartitionExpr& e, const std::vector<Column>& cols, size_t n,
                       std::vector<int32_t>* days, std::vector<uint8_t>* valid) {
  Vals v = Eval(e, cols, n);
  days->resize(n);
  for (size_t i = 0; i < n; ++i) (*days)[i] = TimestampToDate(v.v[i]);
  *valid = std::move(v.ok);
}

std::string PartitionExprToString(const PartitionExpr& e, const std::vector<ColumnDef>& cols) {
  switch (e.kind) {
    case PartitionExpr::kColumn: return e.column < cols.size() ? cols[e.column].name : "?";
    case PartitionExpr::kCastDate:
      return "CAST(" + PartitionExprToString(e.args[0], cols) + " AS DATE)";
    case PartitionExpr::kFromEpoch:
      return std::string(e.unit == 0 ? "TIMESTAMP_SECONDS(" : e.unit == 1 ? "EPOCH_MS(" : "TIMESTAMP_MICROS(") +
             PartitionExprToString(e.args[0], cols) + ")";
    case PartitionExpr::kDateTrunc: {
      static const char* kUnits[] = {"day", "week", "month", "quarter", "year"};
      return std::string("DATE_TRUNC('") + kUnits[e.unit < 5 ? e.unit : 0] + "', " + PartitionExprToString(e.args[0], cols) + ")";
    }
    default: {
      std::string f = e.kind == PartitionExpr::kLeast      ? "LEAST("
                      : e.kind == PartitionExpr::kGreatest ? "GREATEST("
                                                           : "COALESCE(";
      for (size_t i = 0; i < e.args.size(); ++i)
        f += (i ? ", " : "") + PartitionExprToString(e.args[i], cols);
      return f + ")";
    }
  }
}

std::vector<bool> TableSchema::PlacingColumns() const {
  std::vector<bool> placing(columns.size(), false);
  if (!partition_column.empty()) {
    std::vector<const PartitionExpr*> stack = {&partition_expr};
    while (!stack.empty()) {
      const PartitionExpr* e = stack.back();
      stack.pop_back();
      if (e->kind == PartitionExpr::kColumn && e->column < placing.size()) placing[e->column] = true;
      for (const auto& a : e->args) stack.push_back(&a);
    }
  }
  if (bucket_column_index() >= 0) placing[bucket_column_index()] = true;
  return placing;
}

Status TableSchema::Validate() const {
  WH_RETURN_IF_ERROR(ValidateIdentifier(name, "table"));
  if (columns.empty()) return Status::InvalidArgument("a table needs at least one column");
  std::unordered_set<std::string> seen;
  for (const auto& c : columns) {
    WH_RETURN_IF_ERROR(ValidateIdentifier(c.name, "column"));
    if (!seen.insert(ToLower(c.name)).second)
      return Status::InvalidArgument("column '" + c.name + "' is declared twice");
    if (ToLower(c.name) == kEtlDateColumn)
      return Status::InvalidArgument("column name 'etl_date' is reserved for the load time");
    if (c.type.is_list())
      return Status::InvalidArgument("column '" + c.name + "' is " + c.type.ToString() +
                                     ": a table cannot hold lists; store array_to_string(x, ',') or one row "
                                     "per element (UNNEST)");
  }
  if (!partition_column.empty()) {
    WH_RETURN_IF_ERROR(ValidateIdentifier(partition_column, "partition column"));
    if (seen.count(ToLower(partition_column)) || ToLower(partition_column) == kEtlDateColumn)
      return Status::InvalidArgument("partition column '" + partition_column +
                                     "' has the name of another column");
    WH_ASSIGN_OR_RETURN(DataType t, PartitionExprType(partition_expr, columns));
    if (t.id != TypeId::kDate)
      return Status::InvalidArgument("the partition expression of '" + partition_column +
                                     "' must produce a DATE (use CAST(... AS DATE))");
  }
  if (bucket_count > 0) {
    if (bucket_count > 65536)
      return Status::InvalidArgument("at most 65536 buckets, got " + std::to_string(bucket_count));
    if (FindColumn(bucket_column) < 0)
      return Status::InvalidArgument("bucket column '" + bucket_column + "' is not a column");
  }
  return Status::OK();
}

namespace {
void SerializeExpr(const PartitionExpr& e, ByteWriter* w) {
  w->PutU8(e.kind);
  if (e.kind == PartitionExpr::kColumn) {
    w->PutU32(e.column);
    return;
  }
  if (e.kind == PartitionExpr::kFromEpoch || e.kind == PartitionExpr::kDateTrunc) w->PutU8(e.unit);
  w->PutU32(static_cast<uint32_t>(e.args.size()));
  for (const auto& a : e.args) SerializeExpr(a, w);
}

bool DeserializeExpr(ByteReader* r, PartitionExpr* e, int depth) {
  if (depth > 32) return false;
  e->kind = static_cast<PartitionExpr::Kind>(r->GetU8());
  if (e->kind == PartitionExpr::kColumn) {
    e->column = r->GetU32();
    return r->ok();
  }
  if (e->kind < PartitionExpr::kCastDate || e->kind > PartitionExpr::kDateTrunc) return false;
  if (e->kind == PartitionExpr::kFromEpoch || e->kind == PartitionExpr::kDateTrunc) e->unit = r->GetU8();
  uint32_t n = r->GetU32();
  if (!r->ok() || n > 64) return false;
  e->args.resize(n);
  for (auto& a : e->args)
    if (!DeserializeExpr(r, &a, depth + 1)) return false;
  return true;
}
}  // namespace

void SerializeSchema(const TableSchema& s, std::string* out) {
  ByteWriter w(out);
  w.PutString(s.name);
  w.PutU32(static_cast<uint32_t>(s.columns.size()));
  for (const auto& c : s.columns) {
    w.PutString(c.name);
    w.PutU8(static_cast<uint8_t>(c.type.id));
    w.PutU8(c.type.precision);
    w.PutU8(c.type.scale);
    w.PutU8(c.not_null ? 1 : 0);
  }
  w.PutString(s.partition_column);
  if (!s.partition_column.empty()) {
    w.PutString(s.partition_sql);
    SerializeExpr(s.partition_expr, &w);
  }
  w.PutString(s.bucket_column);
  w.PutU32(s.bucket_count);
}

Status DeserializeSchema(ByteReader* r, TableSchema* s) {
  auto bad = [](const char* what) { return Status::Corruption(std::string("bad schema: ") + what); };
  s->name = std::string(r->GetString());
  uint32_t n = r->GetU32();
  if (!r->ok() || n > 4096) return bad("column count");
  s->columns.resize(n);
  for (auto& c : s->columns) {
    c.name = std::string(r->GetString());
    c.type.id = static_cast<TypeId>(r->GetU8());
    c.type.precision = r->GetU8();
    c.type.scale = r->GetU8();
    uint8_t flags = r->GetU8();
    if (!r->ok() || flags > 1) return bad("column");
    c.not_null = flags;
    WH_RETURN_IF_ERROR(ValidateType(c.type));
  }
  s->partition_column = std::string(r->GetString());
  if (!s->partition_column.empty()) {
    s->partition_sql = std::string(r->GetString());
    if (!DeserializeExpr(r, &s->partition_expr, 0)) return bad("partition expression");
  }
  s->bucket_column = std::string(r->GetString());
  s->bucket_count = r->GetU32();
  if (!r->ok()) return bad("truncated");
  Status st = s->Validate();
  if (!st.ok()) return Status::Corruption("bad schema: " + st.message());
  return Status::OK();
}

std::string PartitionDirName(const std::string& column, std::optional<int32_t> day) {
  return column + "=" + (day ? FormatDate(*day) : std::string("__HIVE_DEFAULT_PARTITION__"));
}

}  // namespace wh
