#include <map>
#include <set>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>

#include "query/binder.h"
#include "query/exec.h"
#include "query/explain.h"
#include "query/optimizer.h"
#include "query/query.h"

#include "query/function/aggregate_catalog.h"
#include "query/function/function.h"

namespace wh {

namespace {

ResultSet DescribeResult(const std::vector<std::string>& names, const std::vector<std::string>& types,
                         const std::vector<std::string>& nulls, const std::vector<std::string>& notes) {
  ResultSet rs;
  rs.AddColumn("column_name", StringColumn(names));
  rs.AddColumn("data_type", StringColumn(types));
  rs.AddColumn("nullable", StringColumn(nulls));
  rs.AddColumn("comment", StringColumn(notes));
  return rs;
}

// DESCRIBE of a query's columns; `note` (a view's text) on the first.
ResultSet DescribePlan(const PlanNode& plan, const std::string& note) {
  std::vector<std::string> names, types, nulls, notes;
  for (const auto& c : plan.out) {
    names.push_back(c.name);
    types.push_back(c.type.ToString());
    nulls.push_back(c.nullable ? "YES" : "NO");
    notes.push_back("");
  }
  if (!notes.empty()) notes[0] = note;
  return DescribeResult(names, types, nulls, notes);
}

// A one-row result: how many rows a statement wrote.
ResultSet CountResult(const char* name, uint64_t rows) {
  ResultSet rs;
  Column n(DataType::Int64());
  n.Append<int64_t>(static_cast<int64_t>(rows));
  rs.AddColumn(name, std::move(n));
  return rs;
}

// View lookups for one binding: the catalog file is read once, not once per table reference.
Binder::ViewLookup CachedViews(Warehouse* wh) {
  auto cache = std::make_shared<std::optional<std::map<std::string, std::string>>>();
  return [wh, cache](const std::string& name) -> Result<std::optional<std::string>> {
    if (!wh) return std::optional<std::string>();  // no warehouse: no views
    if (!*cache) {
      WH_ASSIGN_OR_RETURN(auto views, wh->ListViews());
      *cache = std::move(views);
    }
    auto it = (*cache)->find(ToLower(name));
    if (it == (*cache)->end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  };
}

Status SqlError(const std::string& sql, const SourcePos& pos, const Status& st) {
  return Status(st.code(), SqlErrorMessage(sql, pos, st.message()));
}

// The views that read `name` (a table or another view), directly or through other views: a
// DROP that would break them is refused. Views that no longer bind are not counted.
Result<std::vector<std::string>> ViewsUsing(Warehouse* wh, const std::string& name) {
  WH_ASSIGN_OR_RETURN(auto views, wh->ListViews());
  std::vector<std::string> users;
  const std::string target = ToLower(name);
  for (const auto& [view, text] : views) {
    if (view == target) continue;
    auto parsed = ParseSql(text);
    if (!parsed.ok() || parsed->size() != 1 || !(*parsed)[0].query) continue;
    Binder binder(wh, CachedViews(wh));
    if (!binder.Bind(*(*parsed)[0].query, text).ok()) continue;
    if (binder.referenced().count(target)) users.push_back(view);
  }
  return users;
}

}  // namespace

namespace {

// A number as the lexer reads one ([+-] digits [. digits] [e [+-] digits]), so that a value
// bound outside quotes stays a number.
bool IsNumberText(const std::string& v) {
  size_t i = 0;
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
  size_t digits = 0;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i, ++digits;
  if (i < v.size() && v[i] == '.') {
    ++i;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    ++i;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    size_t exp = 0;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == v.size();
}

std::string Doubled(const std::string& v, char quote) {
  std::string out;
  for (char ch : v) {
    if (ch == quote) out += quote;
    out += ch;
  }
  return out;
}

}  // namespace

Result<std::string> SubstituteVariables(const std::string& sql,
                                        const std::vector<std::pair<std::string, std::string>>& vars) {
  std::vector<uint8_t> used(vars.size(), 0);
  std::string out;
  size_t line = 1, col = 1;
  // Where the scan is, as the lexer would see it: each kind of place binds a value differently.
  enum { kCode, kString, kQuoted, kLineComment, kBlockComment } where = kCode;
  char quote = 0;  // the quote of a quoted identifier
  auto advance = [&](size_t n, size_t* i) {
    for (size_t k = 0; k < n; ++k) {
      if (sql[*i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
      out += sql[(*i)++];
    }
  };
  for (size_t i = 0; i < sql.size();) {
    if (sql.compare(i, 2, "${") == 0) {
      size_t end = sql.find('}', i + 2);
      std::string name = end == std::string::npos ? "" : sql.substr(i + 2, end - i - 2);
      bool ok = !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
      for (char ch : name) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_');
      const std::string at = "line " + std::to_string(line) + ", column " + std::to_string(col) + ": ";
      if (!ok) return Status::InvalidArgument(at + "'${' starts a variable: ${name} with letters, digits and _");
      size_t k = 0;
      while (k < vars.size() && vars[k].first != name) ++k;
      if (k == vars.size())
        return Status::InvalidArgument(at + "${" + name + "} has no value (pass --var " + name + "=VALUE)");
      used[k] = 1;
      const std::string& v = vars[k].second;
      // A value is data, never SQL: it becomes exactly one literal (or stays inside the one it
      // is written in), as a prepared statement's parameter would.
      switch (where) {
        case kCode:
          // A number stays a number (a signed one parenthesized, so that its sign cannot join
          // what precedes it); anything else is one string literal.
          if (IsNumberText(v)) out += v[0] == '-' || v[0] == '+' ? "(" + v + ")" : v;
          else out += "'" + Doubled(v, '\'') + "'";
          break;
        case kString:
          out += Doubled(v, '\'');
          break;
        case kQuoted:
          if (v.find('\n') != std::string::npos)
            return Status::InvalidArgument(at + "${" + name + "} is inside a quoted name, which cannot hold a line break");
          out += Doubled(v, quote);
          break;
        case kLineComment:
        case kBlockComment:
          // Comments show the value, but it cannot end the comment: no line break, no */ in it
          // or with the text around it (spaces on both sides).
          if (where == kBlockComment) out += ' ';
          for (size_t c = 0; c < v.size(); ++c) {
            char ch = v[c];
            if (ch == '\n' || ch == '\r') ch = ' ';
            if (ch == '/' && c > 0 && v[c - 1] == '*') out += ' ';
            out += ch;
          }
          if (where == kBlockComment) out += ' ';
          break;
      }
      col += end + 1 - i;
      i = end + 1;
      continue;
    }
    const char ch = sql[i];
    switch (where) {
      case kCode:
        if (ch == '\'') {
          where = kString;
        } else if (ch == '"' || ch == '`') {
          where = kQuoted;
          quote = ch;
        } else if (sql.compare(i, 2, "--") == 0) {
          where = kLineComment;
          advance(2, &i);
          continue;
        } else if (sql.compare(i, 2, "/*") == 0) {
          where = kBlockComment;
          advance(2, &i);
          continue;
        }
        break;
      case kString:
      case kQuoted: {
        const char q = where == kString ? '\'' : quote;
        if (ch == q) {
          if (i + 1 < sql.size() && sql[i + 1] == q) {
            advance(2, &i);
            continue;
          }
          where = kCode;
        }
        break;
      }
      case kLineComment:
        if (ch == '\n') where = kCode;
        break;
      case kBlockComment:
        if (sql.compare(i, 2, "*/") == 0) {
          where = kCode;
          advance(2, &i);
          continue;
        }
        break;
    }
    advance(1, &i);
  }
  for (size_t k = 0; k < vars.size(); ++k)
    if (!used[k]) return Status::InvalidArgument("--var " + vars[k].first + ": the SQL has no ${" + vars[k].first + "}");
  return out;
}

Result<Warehouse*> Session::GetWarehouse(bool create) {
  if (!wh_) {
    WH_ASSIGN_OR_RETURN(wh_, Warehouse::Open(fs_, root_, create));
  }
  return wh_.get();
}

Result<std::vector<ResultSet>> Session::Explain(const std::string& sql) {
  WH_ASSIGN_OR_RETURN(auto stmts, ParseSql(sql));
  if (stmts.size() != 1)
    return Status::InvalidArgument("explain takes one query, not " + std::to_string(stmts.size()) + " statements");
  Statement st = std::move(stmts[0]);
  if (st.kind == Statement::kSelect) {
    Statement outer;
    outer.kind = Statement::kExplain;
    outer.pos = st.pos;
    outer.inner = std::make_unique<Statement>(std::move(st));
    st = std::move(outer);
  }
  if (st.kind != Statement::kExplain)
    return Status::InvalidArgument(SqlErrorMessage(sql, st.pos, "EXPLAIN works on a query (SELECT or WITH ...)"));
  std::vector<ResultSet> rs;
  WH_RETURN_IF_ERROR(CatchAll([&]() -> Status {
    WH_ASSIGN_OR_RETURN(rs, Run(st, sql));
    return Status::OK();
  }));
  return rs;
}

Result<std::vector<ResultSet>> Session::Execute(const std::string& sql) {
  WH_ASSIGN_OR_RETURN(auto stmts, ParseSql(sql));
  std::vector<ResultSet> out;
  for (const auto& st : stmts) {
    // Out of memory in a statement is its error (ResourceExhausted); what it was writing is
    // abandoned as any failed write is.
    std::vector<ResultSet> rs;
    Status ran = CatchAll([&]() -> Status {
      WH_ASSIGN_OR_RETURN(rs, Run(st, sql));
      return Status::OK();
    });
    WH_RETURN_IF_ERROR(ran);
    for (auto& r : rs) {
      if (options_.sink) WH_RETURN_IF_ERROR(CatchAll([&] { return options_.sink->Whole(r); }));
      else out.push_back(std::move(r));
    }
  }
  return out;
}

Result<PlanPtr> Session::Plan(Warehouse* wh, const QueryAst& q, const std::string& sql,
                              std::vector<std::string>* names, const std::vector<DataType>* insert_types,
                              const std::string& no_warehouse) {
  Binder binder(wh, Views(wh));
  for (const auto& [table, snap] : pinned_) binder.PinSnapshot(table, snap);
  binder.set_insert_types(insert_types);
  binder.set_no_warehouse(no_warehouse);
  binder.set_statement_runner([this, &sql](const Statement& st) -> Result<ResultSet> {
    WH_ASSIGN_OR_RETURN(std::vector<ResultSet> rs, Run(st, sql));
    if (rs.empty()) return Status::Internal("the statement gave no rows");
    return std::move(rs.back());
  });
  WH_ASSIGN_OR_RETURN(PlanPtr plan, binder.Bind(q, sql));
  OptimizeOptions oo;
  oo.prune = options_.prune;
  oo.merge_joins = options_.merge_joins;
  *names = binder.column_names();
  return Optimize(plan, oo);
}

Result<ResultSet> Session::InsertPlan(Warehouse* wh, TableWriter* writer, const std::string& table,
                                      const PlanPtr& plan, const std::string& sql, const SourcePos& pos,
                                      CommitRecord* committed,
                                      const std::optional<std::optional<PartitionSet>>& overwrite) {
  const TableSchema schema = writer->base().schema;
  // A query may give the partition column after the others (Spark's habit: `SELECT * FROM t`
  // lists it): each row's value must then be the one its columns derive.
  const bool with_partition = !schema.partition_column.empty() && plan->out.size() == schema.columns.size() + 1 &&
                              ToLower(plan->out.back().name) == ToLower(schema.partition_column) &&
                              CanCast(plan->out.back().type, DataType::Date());
  if (plan->out.size() != schema.columns.size() && !with_partition)
    return SqlError(sql, pos, Status::InvalidArgument(
        "table '" + table + "' has " + std::to_string(schema.columns.size()) +
        " columns (its partition column and etl_date are derived), the query gives " +
        std::to_string(plan->out.size())));
  for (size_t c = 0; c < schema.columns.size(); ++c)
    if (!CanCast(plan->out[c].type, schema.columns[c].type))
      return SqlError(sql, pos, Status::InvalidArgument(
          "query column " + std::to_string(c + 1) + " is " + plan->out[c].type.ToString() +
          "; column '" + schema.columns[c].name + "' of '" + table + "' is " + schema.columns[c].type.ToString()));
  writer->set_etl_micros(options_.etl_micros ? options_.etl_micros : NowMicros());
  ExecOptions eo;
  eo.threads = options_.threads;
  ExecContext ctx(wh->fs(), eo);
  WH_ASSIGN_OR_RETURN(auto op, BuildOperator(plan, BucketRange{}, &ctx));
  std::vector<Column> acc;
  for (const auto& c : schema.columns) acc.emplace_back(c.type);
  uint64_t rows = 0;
  size_t buffered = 0;
  Batch b;
  while (true) {
    WH_ASSIGN_OR_RETURN(bool more, op->Next(&b));
    if (!more) break;
    std::vector<uint32_t> all(b.rows);
    for (size_t i = 0; i < b.rows; ++i) all[i] = static_cast<uint32_t>(i);
    std::vector<Column> cast;
    for (size_t c = 0; c < schema.columns.size(); ++c) {
      WH_ASSIGN_OR_RETURN(Column v, CastColumn(b.columns[c], schema.columns[c].type));
      if (schema.columns[c].not_null && v.has_nulls())
        return Status::InvalidArgument("a NULL for column '" + schema.columns[c].name + "' of '" +
                                       table + "', which is NOT NULL; nothing was written");
      cast.push_back(std::move(v));
    }
    if (with_partition) {
      WH_ASSIGN_OR_RETURN(Column given, CastColumn(b.columns.back(), DataType::Date()));
      std::vector<int32_t> days;
      std::vector<uint8_t> valid;
      EvaluatePartition(schema.partition_expr, cast, b.rows, &days, &valid);
      for (size_t i = 0; i < b.rows; ++i) {
        const bool null = given.IsNull(i);
        if (null == !valid[i] && (null || given.Get<int32_t>(i) == days[i])) continue;
        return SqlError(sql, pos, Status::InvalidArgument(
            "a row gives " + schema.partition_column + " = " + (null ? std::string("NULL") : FormatDate(given.Get<int32_t>(i))) +
            " where its columns make it " + (valid[i] ? FormatDate(days[i]) : std::string("NULL")) + " (" +
            schema.partition_sql + "); the partition column is derived: leave it out of the query"));
      }
    }
    for (size_t c = 0; c < schema.columns.size(); ++c) acc[c].AppendSelected(cast[c], all.data(), all.size());
    rows += b.rows;
    buffered += b.rows;
    size_t mem = 0;
    for (const auto& c : acc) mem += c.MemoryUsage();
    if (mem > (256u << 20)) {
      WH_RETURN_IF_ERROR(writer->WriteRows(acc));
      for (size_t c = 0; c < acc.size(); ++c) acc[c] = Column(schema.columns[c].type);
      buffered = 0;
    }
  }
  if (buffered) WH_RETURN_IF_ERROR(writer->WriteRows(acc));
  if (overwrite) {
    Status st = writer->Overwrite(*overwrite);
    if (!st.ok()) return st.code() == StatusCode::kInvalidArgument ? SqlError(sql, pos, st) : st;
  }
  WH_ASSIGN_OR_RETURN(CommitRecord rec, writer->Commit({}));
  if (committed) *committed = std::move(rec);
  return CountResult("rows_inserted", rows);
}

// COPY ... TO writes a query's rows to a file as `wh query -o` does (under a temporary name,
// in place when complete); COPY t FROM loads files as `wh ingest` does.
Result<std::vector<ResultSet>> Session::Copy(const Statement& st, const std::string& sql) {
  auto option_error = [&](size_t i, const std::string& msg) {
    return SqlError(sql, st.option_pos[i], Status::InvalidArgument(msg));
  };
  std::string format;
  std::optional<bool> header;
  std::optional<char> delim;
  bool array = false;
  bool force = false;  // COPY FROM a file the table already committed
  bool overwrite = false;  // COPY FROM replacing the partitions its rows fall in
  for (size_t i = 0; i < st.options.size(); ++i) {
    const std::string& name = st.options[i].first;  // not a structured binding: clang 14 cannot capture one
    const std::string& value = st.options[i].second;
    auto flag = [&]() -> Result<bool> {
      if (value.empty() || value == "true" || value == "1" || value == "on") return true;
      if (value == "false" || value == "0" || value == "off") return false;
      return option_error(i, "option " + name + " is true or false, not '" + value + "'");
    };
    if (name == "format") {
      format = ToLower(value);
      if (format != "csv" && format != "tsv" && format != "json" && format != "jsonl" && format != "ndjson" &&
          format != "parquet")
        return option_error(i, "FORMAT is csv, tsv, json or parquet, not '" + value + "'");
    } else if (name == "header") {
      WH_ASSIGN_OR_RETURN(bool h, flag());
      header = h;
    } else if (name == "delimiter" || name == "delim" || name == "sep") {
      std::string d = value == "\\t" ? std::string("\t") : value;
      if (d.size() != 1 || d[0] == '"' || d[0] == '\n' || d[0] == '\r')
        return option_error(i, "the delimiter is one character other than a quote or a line end, not '" + value + "'");
      delim = d[0];
    } else if (name == "array") {
      WH_ASSIGN_OR_RETURN(array, flag());
    } else if (name == "force") {
      WH_ASSIGN_OR_RETURN(force, flag());
    } else if (name == "overwrite") {
      WH_ASSIGN_OR_RETURN(overwrite, flag());
    } else {
      return option_error(i, "unknown COPY option '" + name + "' (known: FORMAT csv|tsv|json, HEADER, DELIMITER, ARRAY, FORCE, OVERWRITE)");
    }
  }
  if (format.empty()) {
    const std::string ext = InputExtension(st.path);
    format = ext == "parquet" ? "parquet" : FormatOfExtension(ext) == InputFormat::kJson ? "json" : ext == "tsv" ? "tsv" : "csv";
  }
  const bool json = format == "json" || format == "jsonl" || format == "ndjson";
  const bool parquet = format == "parquet";
  if ((json || parquet) && (header || delim))
    return SqlError(sql, st.pos, Status::InvalidArgument("HEADER and DELIMITER are CSV options"));
  if (!json && array) return SqlError(sql, st.pos, Status::InvalidArgument("ARRAY is an option of JSON output"));
  std::vector<ResultSet> out;
  if (st.copy_from) {
    if (array) return SqlError(sql, st.pos, Status::InvalidArgument("ARRAY is an option of COPY ... TO"));
    WH_ASSIGN_OR_RETURN(Warehouse * wh, GetWarehouse(false));
    if (!wh->TableExists(st.table))
      return SqlError(sql, st.table_pos, Status::NotFound("no table named '" + st.table + "'"));
    auto paths = ExpandInputPaths({st.path});
    if (!paths.ok()) return SqlError(sql, st.path_pos, paths.status());
    IngestOptions opt;
    opt.format = json ? InputFormat::kJson : parquet ? InputFormat::kParquet : InputFormat::kCsv;
    opt.delimiter = format == "tsv" ? '\t' : delim.value_or(',');
    opt.header = header.value_or(true);
    opt.etl_micros = options_.etl_micros;
    opt.force = force;
    opt.overwrite = overwrite;
    opt.force_hint = "Add (FORCE true) to load it again.";
    WH_ASSIGN_OR_RETURN(IngestResult r, IngestCsv(wh, st.table, *paths, opt));
    out.push_back(CountResult("rows_inserted", r.rows));
    return out;
  }
  if (force) return SqlError(sql, st.pos, Status::InvalidArgument("FORCE is an option of COPY ... FROM"));
  if (overwrite)
    return SqlError(sql, st.pos, Status::InvalidArgument("OVERWRITE is an option of COPY ... FROM (a file written TO is "
                                                         "always replaced whole)"));
  WH_RETURN_IF_ERROR(RefuseInsideWarehouse(root_, st.path, "COPY TO"));
  auto opened = GetWarehouse(false);
  if (!opened.ok() && opened.status().code() != StatusCode::kNotFound) return opened.status();
  Warehouse* wh = opened.ok() ? *opened : nullptr;
  PlanPtr plan;
  std::vector<std::string> names;
  const std::string why = opened.ok() ? std::string() : opened.status().message();
  if (st.query) {
    WH_ASSIGN_OR_RETURN(plan, Plan(wh, *st.query, sql, &names, nullptr, why));
  } else {
    const std::string text = "SELECT * FROM " + st.table;
    WH_ASSIGN_OR_RETURN(auto parsed, ParseSql(text));
    auto p = Plan(wh, *parsed[0].query, text, &names, nullptr, why);
    if (!p.ok()) return SqlError(sql, st.table_pos, Status::NotFound("no table or view named '" + st.table + "'"));
    plan = *p;
  }
  const OutputFormat f = json ? (array ? OutputFormat::kJson : OutputFormat::kJsonl)
                         : parquet ? OutputFormat::kParquet
                         : format == "tsv" ? OutputFormat::kTsv : OutputFormat::kCsv;
  WH_ASSIGN_OR_RETURN(auto writer, ResultWriter::ToFile(st.path, f));
  writer->SetCsv(delim.value_or(','), header.value_or(true));
  ExecOptions eo;
  eo.threads = options_.threads;
  eo.text_delimiter = f == OutputFormat::kTsv ? '\t' : f == OutputFormat::kCsv ? delim.value_or(',') : 0;
  ExecContext ctx(fs_, eo);
  if (plan->kind != PlanNode::kSort) {
    WH_RETURN_IF_ERROR(StreamPlan(plan, &ctx, writer.get()));
  } else {
    WH_ASSIGN_OR_RETURN(ResultSet rs, ExecutePlan(plan, &ctx));
    if (!eo.text_delimiter) rs.Flatten();
    WH_RETURN_IF_ERROR(writer->Whole(rs));
  }
  WH_RETURN_IF_ERROR(writer->Close());
  out.push_back(CountResult("rows_copied", writer->rows_written()));
  return out;
}

Binder::ViewLookup Session::Views(Warehouse* wh) {
  Binder::ViewLookup stored = CachedViews(wh);
  return [this, stored](const std::string& name) -> Result<std::optional<std::string>> {
    auto it = temp_views_.find(ToLower(name));
    if (it != temp_views_.end()) return std::optional<std::string>(it->second);
    return stored(name);
  };
}

Result<std::vector<ResultSet>> Session::DescribeView(Warehouse* wh, const std::string& name, const std::string& text,
                                                     const char* kind) {
  auto parsed = ParseSql(text);
  if (!parsed.ok() || parsed->size() != 1 || !(*parsed)[0].query)
    return Status::Corruption("view '" + name + "' does not hold a query");
  std::vector<std::string> ids;
  WH_ASSIGN_OR_RETURN(PlanPtr plan, Plan(wh, *(*parsed)[0].query, text, &ids, nullptr,
                                         "there is no warehouse here"));
  std::vector<ResultSet> out;
  out.push_back(DescribePlan(*plan, std::string(kind) + ": " + text));
  return out;
}

Result<std::vector<ResultSet>> Session::Run(const Statement& st, const std::string& sql) {
  std::vector<ResultSet> out;
  switch (st.kind) {
    case Statement::kCreateTable: {
      std::vector<ColumnDefAst> cols = st.columns;
      PlanPtr plan;
      std::vector<std::string> names;
      if (st.query) {
        // CREATE TABLE ... AS SELECT: the columns are the query's.
        WH_ASSIGN_OR_RETURN(Warehouse * wh, GetWarehouse(true));
        if (!st.if_not_exists || !wh->TableExists(st.table)) {
          WH_ASSIGN_OR_RETURN(plan, Plan(wh, *st.query, sql, &names));
          if (!cols.empty() && cols.size() != plan->out.size())
            return SqlError(sql, st.table_pos, Status::InvalidArgument(
                "the column list has " + std::to_string(cols.size()) + " columns, the query " +
                std::to_string(plan->out.size())));
          if (cols.empty()) {
            for (const auto& c : plan->out) {
              ColumnDefAst d;
              d.def.name = c.name;
              d.def.type = c.type;
              d.pos = st.query->pos;
              Status v = ValidateIdentifier(d.def.name, "column");
              if (!v.ok())
                return SqlError(sql, st.query->pos, Status::InvalidArgument(
                    "query column '" + c.name + "' is not a valid column name; give it an alias (AS name)"));
              cols.push_back(d);
            }
          }
        }
      }
      TableSchema schema;
      schema.name = st.table;
      for (const auto& c : cols) {
        for (const auto& prev : schema.columns)
          if (ToLower(prev.name) == ToLower(c.def.name))
            return SqlError(sql, c.pos, Status::InvalidArgument("column '" + c.def.name +
                                                                "' is declared twice"));
        if (ToLower(c.def.name) == kEtlDateColumn)
          return SqlError(sql, c.pos, Status::InvalidArgument(
                                          "'etl_date' is a system column every table has (the "
                                          "load time of the batch); choose another name"));
        schema.columns.push_back(c.def);
      }
      if (!st.partition_column.empty()) {
        schema.partition_column = st.partition_column;
        WH_ASSIGN_OR_RETURN(schema.partition_expr,
                            ToPartitionExpr(*st.partition_expr, schema.columns, sql));
        schema.partition_sql = st.partition_sql;
        auto type = PartitionExprType(schema.partition_expr, schema.columns);
        if (!type.ok()) return SqlError(sql, st.partition_expr->pos, type.status());
        if (type->id != TypeId::kDate)
          return SqlError(sql, st.partition_expr->pos,
                          Status::InvalidArgument("the partition expression must produce a DATE; "
                                                  "wrap it in CAST(... AS DATE)"));
      }
      if (st.bucket_count) {
        schema.bucket_count = st.bucket_count;
        const int b = schema.FindColumn(st.bucket_column);
        if (b < 0)
          return SqlError(sql, st.bucket_pos,
                          Status::InvalidArgument("bucket column '" + st.bucket_column +
                                                  "' is not a column of the table"));
        schema.bucket_column = schema.columns[b].name;  // as declared
      }
      Status v = schema.Validate();
      if (!v.ok()) return SqlError(sql, st.table_pos, v);
      WH_ASSIGN_OR_RETURN(Warehouse * wh, GetWarehouse(true));
      if (plan && wh->TableExists(schema.name)) {
        if (st.if_not_exists) return out;
        return SqlError(sql, st.table_pos, Status::AlreadyExists("table '" + schema.name + "' already exists"));
      }
      if (!plan) {
        Status s = wh->CreateTable(schema, st.if_not_exists);
        if (!s.ok()) return SqlError(sql, st.table_pos, s);
        return out;
      }
      // The table appears with its rows or not at all, whatever happens (an error, a kill).
      std::optional<Result<ResultSet>> inserted;
      Status s = wh->CreateTableAs(schema, [&](TableWriter* writer) -> Status {
        inserted = InsertPlan(wh, writer, schema.name, plan, sql, st.pos);
        return inserted->status();
      });
      if (inserted && !inserted->ok()) return inserted->status();
      if (!s.ok()) return SqlError(sql, st.table_pos, s);
      out.push_back(std::move(**inserted));
      return out;
    }
    case Statement::kAlterTable: {
      auto wh = GetWarehouse(false);
      if (!wh.ok()) {
        if (st.if_exists && wh.status().code() == StatusCode::kNotFound) return out;
        return wh.status();
      }
      if (!(*wh)->TableExists(st.table)) {
        if (st.if_exists) return out;
        auto view = (*wh)->GetView(st.table);
        const bool is_view = temp_views_.count(ToLower(st.table)) || (view.ok() && view->has_value());
        return SqlError(sql, st.table_pos, Status::NotFound("no table '" + ToLower(st.table) + "'" +
                                                            (is_view ? " (it is a view: CREATE OR REPLACE VIEW changes one)" : "")));
      }
      // Under the table's writer lock, so no load commits between reading the schema and
      // committing the new one.
      auto writer = (*wh)->OpenWriter(st.table);
      if (!writer.ok()) return SqlError(sql, st.table_pos, writer.status());
      const TableSchema& now = (*writer)->base().schema;
      TableSchema next = now;
      bool changed = false;  // ADD COLUMN IF NOT EXISTS of a column it has, a type it has: nothing to commit
      for (const ColumnDefAst& c : st.columns) {
        const std::string name = ToLower(c.def.name);
        const int at = next.FindColumn(c.def.name);
        if (st.alter == Statement::kAlterType) {
          if (at < 0) {
            const bool derived = name == ToLower(next.partition_column) || name == kEtlDateColumn;
            return SqlError(sql, c.pos, Status::NotFound("table '" + now.name + "' has no column '" + c.def.name + "'" +
                                                         (derived ? " that ALTER can change (it is derived from the others)" : "")));
          }
          changed |= !(next.columns[at].type == c.def.type);
          next.columns[at].type = c.def.type;
          Status ok = CheckSchemaChange(now, next);
          if (!ok.ok()) return SqlError(sql, c.pos, ok);
          continue;
        }
        if (at >= static_cast<int>(now.columns.size()))
          return SqlError(sql, c.pos, Status::InvalidArgument("column '" + c.def.name + "' is named twice"));
        if (at >= 0 || name == ToLower(next.partition_column) || name == kEtlDateColumn) {
          if (st.if_not_exists) continue;
          return SqlError(sql, c.pos, Status::AlreadyExists("table '" + now.name + "' already has a column '" +
                                                            c.def.name + "'"));
        }
        next.columns.push_back(c.def);
        changed = true;
        // Checked column by column, so that an error points at its column.
        Status ok = CheckSchemaChange(now, next);
        if (!ok.ok()) return SqlError(sql, c.pos, ok);
      }
      if (!changed) return out;
      auto rec = (*writer)->CommitSchema(next);
      if (!rec.ok()) return SqlError(sql, st.table_pos, rec.status());
      return out;
    }
    case Statement::kDropTable:
    case Statement::kDropView: {
      if (st.kind == Statement::kDropView && temp_views_.erase(ToLower(st.table))) return out;
      auto wh = GetWarehouse(false);
      if (!wh.ok()) {
        if (st.if_exists && wh.status().code() == StatusCode::kNotFound) return out;
        return wh.status();
      }
      WH_ASSIGN_OR_RETURN(auto users, ViewsUsing(*wh, st.table));
      if (!users.empty()) {
        std::string list;
        for (size_t i = 0; i < users.size(); ++i) list += (i ? ", '" : "'") + users[i] + "'";
        const bool is_table = st.kind == Statement::kDropTable;
        auto view = (*wh)->GetView(st.table);
        if (is_table ? (*wh)->TableExists(st.table) : (view.ok() && view->has_value()))
          return SqlError(sql, st.table_pos, Status::InvalidArgument(
              std::string("cannot drop ") + (is_table ? "table" : "view") + " '" + ToLower(st.table) +
              "': view" + (users.size() > 1 ? "s " : " ") + list + (users.size() > 1 ? " use" : " uses") +
              " it; drop or replace " + (users.size() > 1 ? "them" : "it") + " first"));
      }
      Status s = st.kind == Statement::kDropTable ? (*wh)->DropTable(st.table, st.if_exists)
                                                  : (*wh)->DropView(st.table, st.if_exists);
      if (!s.ok()) return SqlError(sql, st.table_pos, s);
      return out;
    }
    case Statement::kShowFunctions: {
      // The catalogs: scalar functions, then aggregates, each by name.
      std::vector<std::string> names, kinds, aliases, signatures, descriptions;
      auto add = [&](const std::string& name, const char* kind, const std::vector<std::string>& al,
                     const std::string& sig, const std::string& desc) {
        names.push_back(name);
        kinds.push_back(kind);
        std::string a;
        for (const auto& x : al) a += (a.empty() ? "" : ", ") + x;
        aliases.push_back(a);
        signatures.push_back(sig);
        descriptions.push_back(desc);
      };
      for (const ScalarFunction* f : ScalarFunctions()) add(f->name, "scalar", f->aliases, f->signature, f->description);
      for (const AggregateFunction* f : AggregateFunctions())
        add(f->name, "aggregate", f->aliases, f->signature, f->description);
      ResultSet rs;
      rs.AddColumn("function_name", StringColumn(names));
      rs.AddColumn("kind", StringColumn(kinds));
      rs.AddColumn("aliases", StringColumn(aliases));
      rs.AddColumn("signature", StringColumn(signatures));
      rs.AddColumn("description", StringColumn(descriptions));
      out.push_back(std::move(rs));
      return out;
    }
    case Statement::kShowTables: {
      auto wh = GetWarehouse(false);
      std::vector<std::string> names, kinds;
      if (wh.ok()) {
        WH_ASSIGN_OR_RETURN(names, (*wh)->ListTables());
        kinds.assign(names.size(), "table");
        WH_ASSIGN_OR_RETURN(auto views, (*wh)->ListViews());
        for (const auto& [v, text] : views) {
          names.push_back(v);
          kinds.push_back("view");
        }
      } else if (wh.status().code() != StatusCode::kNotFound) {
        return wh.status();
      }
      for (const auto& [v, text] : temp_views_) {
        names.push_back(v);
        kinds.push_back("temporary view");
      }
      ResultSet rs;
      rs.AddColumn("table_name", StringColumn(names));
      rs.AddColumn("kind", StringColumn(kinds));
      out.push_back(std::move(rs));
      return out;
    }
    case Statement::kDescribe: {
      if (st.query) {  // DESCRIBE SELECT ... / DESCRIBE 'f.csv': the columns of the query
        auto opened = GetWarehouse(false);
        if (!opened.ok() && opened.status().code() != StatusCode::kNotFound) return opened.status();
        std::vector<std::string> ids;
        WH_ASSIGN_OR_RETURN(PlanPtr plan, Plan(opened.ok() ? *opened : nullptr, *st.query, sql, &ids, nullptr,
                                               opened.ok() ? std::string() : opened.status().message()));
        out.push_back(DescribePlan(*plan, ""));
        return out;
      }
      if (auto t = temp_views_.find(ToLower(st.table)); t != temp_views_.end()) {
        auto opened = GetWarehouse(false);
        return DescribeView(opened.ok() ? *opened : nullptr, st.table, t->second, "temporary view");
      }
      WH_ASSIGN_OR_RETURN(Warehouse * wh, GetWarehouse(false));
      WH_ASSIGN_OR_RETURN(auto view, wh->GetView(st.table));
      if (view) return DescribeView(wh, st.table, *view, "view");  // the columns of its query
      auto snap = wh->GetSnapshot(st.table);
      if (!snap.ok()) return SqlError(sql, st.table_pos, snap.status());
      const TableSchema& s = snap->schema;
      std::vector<std::string> names, types, nulls, notes;
      for (const auto& c : s.columns) {
        names.push_back(c.name);
        types.push_back(c.type.ToString());
        nulls.push_back(c.not_null ? "NO" : "YES");
        notes.push_back(c.name == s.bucket_column && s.bucket_count
                            ? "bucket key (" + std::to_string(s.bucket_count) + " buckets)"
                            : "");
      }
      if (!s.partition_column.empty()) {
        names.push_back(s.partition_column);
        types.push_back("DATE");
        nulls.push_back("YES");
        notes.push_back("partition column = " + PartitionExprToString(s.partition_expr, s.columns));
      }
      names.push_back(kEtlDateColumn);
      types.push_back("TIMESTAMP");
      nulls.push_back("NO");
      notes.push_back("system column: load time of the batch");
      out.push_back(DescribeResult(names, types, nulls, notes));
      return out;
    }
    case Statement::kSelect:
    case Statement::kExplain: {
      const Statement& q = st.kind == Statement::kExplain ? *st.inner : st;
      // A query of files alone (read_csv, FROM 'f.csv') or of no table needs no warehouse.
      auto opened = GetWarehouse(false);
      if (!opened.ok() && opened.status().code() != StatusCode::kNotFound) return opened.status();
      Warehouse* wh = opened.ok() ? *opened : nullptr;
      std::vector<std::string> names;
      WH_ASSIGN_OR_RETURN(PlanPtr plan, Plan(wh, *q.query, sql, &names, nullptr,
                                             opened.ok() ? std::string() : opened.status().message()));
      ExecOptions eo;
      eo.threads = options_.threads;
      eo.analyze = st.kind == Statement::kExplain && st.analyze;
      if (st.kind == Statement::kSelect) eo.text_delimiter = options_.csv_delimiter;
      ExecContext ctx(fs_, eo);
      if (st.kind == Statement::kSelect) {
        if (options_.sink && plan->kind != PlanNode::kSort) {
          WH_RETURN_IF_ERROR(StreamPlan(plan, &ctx, options_.sink));
          return out;
        }
        WH_ASSIGN_OR_RETURN(ResultSet rs, ExecutePlan(plan, &ctx));
        if (!options_.csv_delimiter && options_.flatten) rs.Flatten();
        out.push_back(std::move(rs));
        return out;
      }
      double seconds = 0;
      size_t rows = 0;
      if (st.analyze) {
        auto t0 = std::chrono::steady_clock::now();
        WH_ASSIGN_OR_RETURN(ResultSet rs, ExecutePlan(plan, &ctx));
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        rows = rs.rows();
      }
      WH_ASSIGN_OR_RETURN(auto lines, ExplainPlan(plan, names, &ctx, st.analyze));
      if (st.analyze) {
        char b[128];
        std::snprintf(b, sizeof b, "total: %zu rows in %.2f ms; %llu segment files opened", rows, seconds * 1e3,
                      static_cast<unsigned long long>(ctx.files_opened()));
        lines.push_back(b);
      }
      ResultSet rs;
      rs.AddColumn("plan", StringColumn(lines));
      rs.plain_text = true;
      out.push_back(std::move(rs));
      return out;
    }
    case Statement::kCreateView: {
      if (st.temporary) {
        // The session's own: seen by its later statements (first among views), never stored,
        // needing no warehouse (a view of files).
        const std::string self = ToLower(st.table);
        if (temp_views_.count(self) && !st.or_replace) {
          if (st.if_not_exists) return out;
          return SqlError(sql, st.table_pos, Status::AlreadyExists("temporary view '" + self + "' already exists (CREATE OR REPLACE TEMP VIEW replaces it)"));
        }
        auto opened = GetWarehouse(false);
        if (!opened.ok() && opened.status().code() != StatusCode::kNotFound) return opened.status();
        Warehouse* wh = opened.ok() ? *opened : nullptr;
        Binder::ViewLookup views = Views(wh);
        const std::string text = st.query_sql;
        Binder binder(wh, [views, self, text](const std::string& name) -> Result<std::optional<std::string>> {
          if (ToLower(name) == self) return std::optional<std::string>(text);
          return views(name);
        });
        binder.set_no_warehouse(opened.ok() ? std::string() : opened.status().message());
        auto plan = binder.BindView(self, *st.query, sql);
        if (!plan.ok()) return plan.status();
        temp_views_[self] = text;
        return out;
      }
      WH_ASSIGN_OR_RETURN(Warehouse * wh, GetWarehouse(true));
      // The view must bind now (unknown tables and columns are errors at CREATE time), as it
      // will be used: with its new text, so that a cycle through other views is found now.
      Binder::ViewLookup cached = CachedViews(wh);
      const std::string self = ToLower(st.table);
      const std::string text = st.query_sql;
      Binder binder(wh, [this, cached, self, text](const std::string& name) -> Result<std::optional<std::string>> {
        if (ToLower(name) == self) return std::optional<std::string>(text);
        auto found = cached(name);
        if (found.ok() && !*found && temp_views_.count(ToLower(name)))
          return Status::InvalidArgument("view '" + self + "' would use '" + ToLower(name) +
                                         "', a temporary view: a stored view can only use tables and stored views");
        return found;
      });
      auto plan = binder.BindView(self, *st.query, sql);
      if (!plan.ok()) return plan.status();
      Status s = wh->CreateView(st.table, st.query_sql, st.or_replace, st.if_not_exists);
      if (!s.ok()) return SqlError(sql, st.table_pos, s);
      return out;
    }
    case Statement::kCopy: return Copy(st, sql);
    case Statement::kInsert: {
      WH_ASSIGN_OR_RETURN(Warehouse * wh, GetWarehouse(false));
      if (!wh->TableExists(st.table))
        return SqlError(sql, st.table_pos, Status::NotFound("no table named '" + st.table + "'"));
      std::vector<std::string> names;
      WH_ASSIGN_OR_RETURN(auto writer, wh->OpenWriter(st.table));
      std::vector<DataType> types;
      for (const auto& c : writer->base().schema.columns) types.push_back(c.type);
      WH_ASSIGN_OR_RETURN(PlanPtr plan, Plan(wh, *st.query, sql, &names, &types));
      // INSERT OVERWRITE: the partitions its rows fall in (nullopt), or the one it names.
      std::optional<std::optional<PartitionSet>> overwrite;
      if (st.overwrite) {
        overwrite.emplace();
        const TableSchema& schema = writer->base().schema;
        if (st.static_partition) {
          if (schema.partition_column.empty())
            return SqlError(sql, st.partition_pos, Status::InvalidArgument(
                "table '" + schema.name + "' is not partitioned: INSERT OVERWRITE " + schema.name +
                " (without PARTITION) replaces all of it"));
          if (ToLower(st.partition_column) != ToLower(schema.partition_column))
            return SqlError(sql, st.partition_pos, Status::InvalidArgument(
                "the partition column of '" + schema.name + "' is " + schema.partition_column + ", not " +
                st.partition_column));
          std::optional<int32_t> day;
          if (st.partition_value) {
            auto d = ParseDate(*st.partition_value);
            if (!d.ok())
              return SqlError(sql, st.partition_value_pos, Status::InvalidArgument(
                  "'" + *st.partition_value + "' is not a date (YYYY-MM-DD)"));
            day = *d;
          }
          overwrite->emplace(PartitionSet{day});
        }
      }
      CommitRecord rec;
      WH_ASSIGN_OR_RETURN(ResultSet rs, InsertPlan(wh, writer.get(), st.table, plan, sql, st.pos, &rec, overwrite));
      writer.reset();
      // Merges as ingest does (README "Compaction"). The rows are committed: a failure here (or
      // a writer that came first) leaves the table as the INSERT made it.
      (void)CompactAfterCommit(wh, st.table, rec, CompactOptions{});
      out.push_back(std::move(rs));
      return out;
    }
  }
  return Status::Internal("unknown statement");
}

}  // namespace wh
