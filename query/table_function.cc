// Table functions in FROM: files queried in place. read_csv / read_json (and their _auto,
// read_ndjson spellings), read_parquet and a quoted path (`FROM 'events.csv'`) sniff the files' layout and
// column types (ingest/sniff.h) when the statement is bound, and read them when it runs.
#include <filesystem>

#include "ingest/sniff.h"
#include "query/binder.h"

namespace wh {

namespace {

std::string Lower(std::string s) { return ToLower(std::move(s)); }

}  // namespace

Result<PlanPtr> Binder::BindTableFunction(const TableRef& t) {
  const std::string fn = t.name;
  if (fn == "UNNEST" || fn == "EXPLODE") {  // FROM unnest([1, 2, 3]) AS u(x): the elements as rows
    auto one = std::make_shared<PlanNode>();
    one->kind = PlanNode::kValues;
    return BindUnnestRef(t, one, false);
  }
  std::optional<InputFormat> format;
  if (fn == "READ_CSV" || fn == "READ_CSV_AUTO") format = InputFormat::kCsv;
  else if (fn == "READ_JSON" || fn == "READ_JSON_AUTO" || fn == "READ_NDJSON" || fn == "READ_NDJSON_AUTO")
    format = InputFormat::kJson;
  else if (fn == "READ_PARQUET" || fn == "PARQUET_SCAN")
    format = InputFormat::kParquet;
  else if (!fn.empty())
    return Error(t.pos, "no table function " + Lower(fn) + "(...); files are read with read_csv(path, ...), "
                        "read_json(path, ...), read_parquet(path) or FROM 'path'");
  const std::string what = fn.empty() ? "FROM '...'" : Lower(fn) + "(...)";
  if (t.args.empty() || !t.arg_names[0].empty())
    return Error(t.pos, what + " needs the path of the files first (a pattern such as 'logs/*.json' reads every match)");

  // Every argument is a constant.
  auto constant = [&](size_t i) -> Result<Value> {
    Scope none;
    WH_ASSIGN_OR_RETURN(BExprPtr b, BindExpr(*t.args[i], none, nullptr));
    b = Fold(b);
    if (b->kind != BExpr::kLiteral) return Error(*t.args[i], "the arguments of " + what + " are constants");
    return b->value;
  };
  auto text = [&](size_t i) -> Result<std::string> {
    WH_ASSIGN_OR_RETURN(Value v, constant(i));
    if (v.null || v.type.id != TypeId::kString)
      return Error(*t.args[i], (t.arg_names[i].empty() ? std::string("the path") : "'" + t.arg_names[i] + "'") +
                                   " of " + what + " is a string");
    return v.s;
  };
  auto boolean = [&](size_t i) -> Result<bool> {
    WH_ASSIGN_OR_RETURN(Value v, constant(i));
    if (v.null || v.type.id != TypeId::kBoolean)
      return Error(*t.args[i], "'" + t.arg_names[i] + "' of " + what + " is true or false");
    return v.i != 0;
  };

  WH_ASSIGN_OR_RETURN(std::string pattern, text(0));
  const std::string ext = InputExtension(pattern);
  if (!format) {
    format = FormatOfExtension(ext);
    if (!format)
      return Error(*t.args[0], "cannot tell the format of '" + pattern +
                                   "' from its name (.csv, .tsv, .json, .jsonl, .ndjson, maybe .gz or .zst, .parquet); "
                                   "use read_csv('...'), read_json('...') or read_parquet('...')");
  }
  SniffOptions opt;
  opt.format = *format;
  if (ext == "tsv") opt.delimiter = '\t';
  for (size_t i = 1; i < t.args.size(); ++i) {
    const std::string& name = t.arg_names[i];
    if (name.empty()) return Error(*t.args[i], "after the path, the arguments of " + what + " are named (delim = ';')");
    const bool csv = *format == InputFormat::kCsv;
    if (*format == InputFormat::kParquet && name != "binary_as_string" && name != "hive_partitioning")
      return Error(*t.args[i], "unknown parameter '" + name + "' of " + what +
                                   " (a Parquet file's columns and types are its own)");
    if (*format == InputFormat::kParquet) {
      // DuckDB's flags: binary columns are STRING here anyway; hive partitions are not read yet.
      WH_ASSIGN_OR_RETURN(bool on, boolean(i));
      if (name == "hive_partitioning" && on)
        return Error(*t.args[i], "hive_partitioning is not supported yet: the partition value is in the directory, "
                                 "not the files");
      continue;
    }
    if (csv && (name == "delim" || name == "sep" || name == "delimiter")) {
      auto given = text(i);
      if (!given.ok()) return given.status();
      const std::string d = *given == "\\t" ? std::string("\t") : *given;
      if (d.size() != 1 || d[0] == '"' || d[0] == '\n' || d[0] == '\r')
        return Error(*t.args[i], "the delimiter is one character other than a quote or a line end, not '" + d + "'");
      opt.delimiter = d[0];
    } else if (csv && name == "header") {
      WH_ASSIGN_OR_RETURN(bool h, boolean(i));
      opt.header = h;
    } else if (name == "dateformat" || name == "date_format") {
      WH_ASSIGN_OR_RETURN(std::string f, text(i));
      if (auto ok = ParseTimeFormat(f, DataType::Date()); !ok.ok()) return Error(*t.args[i], ok.status().message());
      opt.date_format = f;
    } else if (name == "timestampformat" || name == "timestamp_format") {
      WH_ASSIGN_OR_RETURN(std::string f, text(i));
      if (auto ok = ParseTimeFormat(f, DataType::Timestamp()); !ok.ok()) return Error(*t.args[i], ok.status().message());
      opt.timestamp_format = f;
    } else if (name == "all_varchar") {
      WH_ASSIGN_OR_RETURN(opt.all_varchar, boolean(i));
    } else if (name == "sample_size") {
      WH_ASSIGN_OR_RETURN(Value v, constant(i));
      if (v.null || (v.type.id != TypeId::kInt64 && v.type.id != TypeId::kInt32) || (v.i < 1 && v.i != -1))
        return Error(*t.args[i], "sample_size is a positive number of rows, or -1 for every row");
      opt.sample_rows = v.i == -1 ? SIZE_MAX / 4 : static_cast<size_t>(std::min<int128>(v.i, int128{1} << 40));
    } else if (name == "auto_detect" || name == "format" || name == "records") {
      // DuckDB's defaults, accepted: detection is always on, JSON is objects one after another.
      WH_RETURN_IF_ERROR(constant(i).status());
    } else {
      return Error(*t.args[i], "unknown parameter '" + name + "' of " + what + " (known: " +
                                   (csv ? "delim, header, dateformat, timestampformat, all_varchar, sample_size"
                                        : "dateformat, timestampformat, all_varchar, sample_size") + ")");
    }
  }
  if (pattern == "-") return Error(*t.args[0], "standard input cannot be read in place; name a file");
  auto paths = ExpandInputPaths({pattern});
  if (!paths.ok()) return Error(*t.args[0], paths.status().message());
  auto sniffed = SniffInputs(*paths, opt);
  if (!sniffed.ok()) return Error(*t.args[0], sniffed.status().message());

  auto source = std::make_shared<FileSource>();
  source->text = fn.empty() ? "'" + pattern + "'" : Lower(fn) + "('" + pattern + "')";
  source->paths = *paths;
  source->schema.name = std::filesystem::path(pattern).stem().string();
  source->schema.columns = sniffed->columns;
  source->options = sniffed->ReadOptions(*format);
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanNode::kFile;
  node->file = source;
  // Named by its alias, else (as DuckDB does) the file's name without extension.
  std::string alias = t.alias;
  if (alias.empty()) {
    alias = fn.empty() ? source->schema.name : Lower(fn);
    const size_t dot = alias.find('.');
    if (dot != std::string::npos) alias.resize(dot);
    alias = Lower(alias);
  }
  for (const auto& c : sniffed->columns) {
    PlanColumn col;
    col.id = NewId(c.name);
    col.name = c.name;
    col.table = alias;
    col.type = c.type;
    col.nullable = true;
    node->out.push_back(col);
  }
  return PlanPtr(node);
}

}  // namespace wh
