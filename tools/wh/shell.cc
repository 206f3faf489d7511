// The SQL shell. Line editing, history and completion come from libedit (BSD-licensed, so wh
// stays free to embed anywhere; GNU readline would make the binary GPL), through its
// readline-compatible interface.
#include "tools/wh/shell.h"

#include <editline/readline.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "format/memory.h"
#include "format/thread.h"
#include "query/lexer.h"
#include "query/query.h"
#include "tools/wh/cli.h"

#ifndef WH_VERSION
#define WH_VERSION "dev"
#endif

namespace wh {
namespace {

const char* kShellHelp = R"(Statements end with ';' and may span lines. Dot-commands, on a line of their own:
  .tables [PATTERN]     tables and views (PATTERN: a LIKE pattern, e.g. pay%)
  .schema [NAME]        the CREATE statement of a table or view (all of them without NAME)
  .mode [MODE]          how results are shown: table, csv, tsv, json, jsonl, markdown
  .headers on|off       a header line in csv and tsv (on)
  .maxrows N            table and markdown show at most N rows (0: all; 40 at a terminal)
  .timer on|off         the run time of each statement
  .output [FILE]        results into FILE (replaced), or back to the screen without FILE
                        (a name with spaces in quotes: .output 'my results.csv')
  .read FILE            run the statements and dot-commands of FILE; its first error stops it
  .open DIR             use the warehouse at DIR (a new session)
  .help                 this text
  .quit, .exit [CODE]   leave (Ctrl-D too)
Ctrl-C stops a running statement (nothing it would have written is kept) or clears the line.
)";

const char* const kDotCommands[] = {".tables", ".schema", ".mode",   ".headers", ".maxrows", ".timer",
                                    ".output", ".read",   ".open",   ".help",    ".quit",    ".exit"};

// Words the completion offers besides names (upper case; typed in lower case, completed so).
const char* const kKeywords[] = {
    "SELECT",   "FROM",      "WHERE",     "GROUP",    "BY",        "ORDER",     "HAVING",   "LIMIT",
    "OFFSET",   "WITH",      "RECURSIVE", "AS",       "JOIN",      "LEFT",      "RIGHT",    "FULL",
    "INNER",    "OUTER",     "CROSS",     "ON",       "USING",     "UNION",     "ALL",      "DISTINCT",
    "EXCEPT",   "INTERSECT", "INSERT",    "INTO",     "VALUES",    "CREATE",    "TABLE",    "VIEW",
    "TEMP",     "DROP",      "IF",        "EXISTS",   "NOT",       "NULL",      "AND",      "OR",
    "IN",       "IS",        "LIKE",      "ILIKE",    "BETWEEN",   "CASE",      "WHEN",     "THEN",
    "ELSE",     "END",       "CAST",      "TRUE",     "FALSE",     "ASC",       "DESC",     "NULLS",
    "FIRST",    "LAST",      "OVER",      "PARTITION", "PARTITIONED", "CLUSTERED", "BUCKETS", "WINDOW",
    "ROWS",     "RANGE",     "PRECEDING", "FOLLOWING", "UNBOUNDED", "CURRENT",  "ROW",      "QUALIFY",
    "EXPLAIN",  "ANALYZE",   "DESCRIBE",  "SHOW",     "TABLES",    "FUNCTIONS", "COPY",     "TO",
    "REPLACE",  "EXCLUDE",   "INTERVAL",  "DATE",     "TIMESTAMP", "INT",       "BIGINT",   "DOUBLE",
    "DECIMAL",  "STRING",    "VARCHAR",   "BOOLEAN",  "FILTER",    "WITHIN",    "LATERAL",  "ROLLUP",
    "CUBE",     "GROUPING",  "SETS",      "FORMAT",   "HEADER",    "DELIMITER", "OVERWRITE", "ALTER",
    "ADD",      "COLUMN",    "COLUMNS",   "TYPE"};

// Forwards a statement's results to its writer; in table and markdown mode (which print a
// result when it is whole anyway) it keeps only the first max_rows rows of each result, and the
// table's footer says how many there were.
class ShellSink : public ResultSink {
 public:
  void Reset(ResultSink* target, size_t max_rows) {
    target_ = target;
    max_rows_ = max_rows;
  }

  Status Whole(const ResultSet& rs) override {
    const size_t n = rs.rows();
    if (max_rows_ == 0 || rs.plain_text || n <= max_rows_) return target_->Whole(rs);
    ResultSet head;
    head.names = rs.names;
    for (size_t c = 0; c < rs.names.size(); ++c) {
      // The first rows only, from where they are (a sorted result's rows by its order).
      if (!rs.columns.empty()) {
        head.columns.emplace_back(rs.columns[c].type());
        head.columns.back().AppendRange(rs.columns[c], 0, max_rows_);
      } else if (!rs.order_chunk.empty()) {
        std::vector<const Column*> srcs;
        for (const auto& chunk : rs.chunks) srcs.push_back(&chunk[c]);
        head.columns.emplace_back(rs.chunks[0][c].type());
        head.columns.back().AppendGathered(srcs, rs.order_chunk.data(), rs.order_row.data(), max_rows_);
      } else {
        head.columns.emplace_back(rs.chunks[0][c].type());
        for (const auto& chunk : rs.chunks) {
          const size_t have = head.columns.back().size();
          if (have >= max_rows_) break;
          head.columns.back().AppendRange(chunk[c], 0, std::min(chunk[c].size(), max_rows_ - have));
        }
      }
    }
    head.total_rows = n;
    return target_->Whole(head);
  }
  Status Begin(const std::vector<std::string>& names, const std::vector<DataType>& types) override {
    if (max_rows_ == 0) return target_->Begin(names, types);
    head_ = ResultSet();
    head_.names = names;
    for (const auto& t : types) head_.columns.emplace_back(t);
    rows_ = 0;
    return Status::OK();
  }
  Status Rows(std::vector<Column> columns) override {
    if (max_rows_ == 0) return target_->Rows(std::move(columns));
    const uint64_t n = columns.empty() ? 0 : columns[0].size();
    const size_t have = head_.columns.empty() ? 0 : head_.columns[0].size();
    for (size_t c = 0; c < columns.size() && have < max_rows_; ++c)
      head_.columns[c].AppendRange(columns[c], 0, std::min<size_t>(n, max_rows_ - have));
    rows_ += n;
    return Status::OK();
  }
  Status End() override {
    if (max_rows_ == 0) return target_->End();
    if (rows_ > max_rows_) head_.total_rows = rows_;
    Status st = target_->Whole(head_);
    head_ = ResultSet();
    return st;
  }

 private:
  ResultSink* target_ = nullptr;
  size_t max_rows_ = 0;
  ResultSet head_;  // table and markdown with max_rows: the rows kept
  uint64_t rows_ = 0;
};

std::string Trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

// A dot-command's words, split at white space; a word in quotes ('my file.sql' or "...") keeps
// its spaces, and a doubled quote inside it is one quote.
std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
      continue;
    }
    std::string w;
    if (s[i] == '\'' || s[i] == '"') {
      const char q = s[i++];
      for (; i < s.size(); ++i) {
        if (s[i] == q && i + 1 < s.size() && s[i + 1] == q) {
          w += q;
          ++i;
        } else if (s[i] == q) {
          ++i;
          break;
        } else {
          w += s[i];
        }
      }
    } else {
      while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) w += s[i++];
    }
    out.push_back(std::move(w));
  }
  return out;
}

// A name as SQL reads it: bare when it is an identifier, else double-quoted.
std::string QuoteName(const std::string& name) {
  bool bare = !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) bare = bare && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (bare) return name;
  std::string q = "\"";
  for (char c : name) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// SQL LIKE with % and _ (for .tables PATTERN), case-insensitive.
bool Like(const char* s, const char* p) {
  for (; *p; ++p, ++s) {
    if (*p == '%') {
      for (const char* t = s;; ++t) {
        if (Like(t, p + 1)) return true;
        if (!*t) return false;
      }
    }
    if (!*s || (*p != '_' && std::tolower(static_cast<unsigned char>(*p)) != std::tolower(static_cast<unsigned char>(*s))))
      return false;
  }
  return !*s;
}

std::string CreateTableText(const TableSchema& t) {
  std::string sql = "CREATE TABLE " + QuoteName(t.name) + " (";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const ColumnDef& c = t.columns[i];
    sql += (i ? ",\n  " : "\n  ") + QuoteName(c.name) + " " + c.type.ToString() + (c.not_null ? " NOT NULL" : "");
  }
  sql += "\n)";
  if (!t.partition_column.empty()) sql += " PARTITIONED BY (" + QuoteName(t.partition_column) + " = " + t.partition_sql + ")";
  if (t.bucket_count)
    sql += " CLUSTERED BY (" + QuoteName(t.bucket_column) + ") INTO " + std::to_string(t.bucket_count) + " BUCKETS";
  return sql + ";";
}

class Shell;
Shell* g_shell = nullptr;  // the one the completion callbacks ask

void OnInterrupt(int) { g_interrupted.store(true); }

// readline's characters: a read that Ctrl-C interrupts ends the line (the shell then drops it).
int ReadChar(FILE* f) {
  unsigned char c;
  for (;;) {
    const ssize_t n = ::read(fileno(f), &c, 1);
    if (n == 1) return c;
    if (n < 0 && errno == EINTR) {
      if (Interrupted()) return EOF;
      continue;
    }
    return EOF;
  }
}

class Shell {
 public:
  Shell(std::string warehouse, bool interactive) : interactive_(interactive) {
    mode_ = interactive || isatty(STDOUT_FILENO) ? OutputFormat::kTable : OutputFormat::kCsv;
    max_rows_ = interactive ? 40 : 0;
    Open(std::move(warehouse));
  }

  int Interactive();
  // Runs the lines of `in` (named `source` in errors; empty: standard input); its first error
  // stops it and is the exit code.
  int Script(std::istream& in, const std::string& source);

  // Completion: the words that may follow, for the text typed so far.
  std::vector<std::string> Candidates(const std::string& line, const std::string& word, bool at_start);

 private:
  struct Input {
    std::string source;  // a file's name, "" for standard input or the terminal
    bool stop_on_error;
  };
  void Open(std::string warehouse) {
    warehouse_ = std::move(warehouse);
    SessionOptions so;
    so.sink = &sink_;
    session_ = std::make_unique<Session>(DefaultFileSystem(), warehouse_, so);
    names_loaded_ = false;
  }
  // One line of input. Returns an exit code when the input should stop (an error where errors
  // stop, .quit), else -1.
  int Line(const std::string& line, int lineno, const Input& in);
  int Statement(const std::string& sql, int line, int column, const Input& in);
  int Dot(const std::string& line, const Input& in);
  int Error(const Status& st, const Input& in) {
    std::cout.flush();
    if (out_ != &std::cout) out_->flush();
    const std::string where = in.source.empty() ? "" : in.source + ": ";
    if (interactive_ && in.source.empty())  // (after a ^C the terminal echoed, a line of its own)
      std::cerr << (st.code() == StatusCode::kCancelled ? "\n" : "") << "Error: " << ErrorText(st) << "\n";
    else
      std::cerr << "wh: error: " << where << ErrorText(st) << "\n";
    return ExitCodeFor(st);
  }
  int DotError(const std::string& msg, const Input& in) { return Error(Status::InvalidArgument(msg), in); }
  void LoadNames();

  bool interactive_;
  std::string warehouse_;
  ShellSink sink_;
  std::unique_ptr<Session> session_;
  OutputFormat mode_;
  bool headers_ = true;
  bool timer_ = false;
  size_t max_rows_ = 0;
  std::ostream* out_ = &std::cout;
  std::unique_ptr<std::ofstream> file_;
  std::string output_path_;
  int read_depth_ = 0;
  bool quit_ = false;
  int quit_code_ = 0;
  // The statement being typed, and where it began.
  std::string pending_;
  int pending_line_ = 1, pending_column_ = 1;
  // Completion names, loaded when first needed after each statement.
  bool names_loaded_ = false;
  std::vector<std::string> tables_, columns_, functions_;
};

int Shell::Statement(const std::string& sql, int line, int column, const Input& in) {
  SessionOptions& so = session_->options();
  so.csv_delimiter = mode_ == OutputFormat::kCsv ? ',' : mode_ == OutputFormat::kTsv ? '\t' : 0;
  auto writer = ResultWriter::ToStream(out_, mode_);
  if (mode_ == OutputFormat::kCsv) writer->SetCsv(',', headers_);
  if (mode_ == OutputFormat::kTsv) writer->SetCsv('\t', headers_);
  const bool table = mode_ == OutputFormat::kTable || mode_ == OutputFormat::kMarkdown;
  sink_.Reset(writer.get(), table ? max_rows_ : 0);
  const auto start = std::chrono::steady_clock::now();
  auto r = session_->Execute(sql);
  Status st = r.ok() ? writer->Close() : r.status();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  names_loaded_ = false;  // a statement may have made or dropped a table
  if (!out_->good()) out_->clear();  // an interrupted write to the terminal
  out_->flush();
  int code = 0;
  if (!st.ok()) {
    // A script's error is placed in the script: "line L, column C" of the statement is moved by
    // where the statement starts (its first line's columns by where it starts on that line).
    int l = 0, c = 0, used = 0;
    const bool typed = interactive_ && in.source.empty();
    if (!typed && (line > 1 || column > 1) &&
        std::sscanf(st.message().c_str(), "line %d, column %d: %n", &l, &c, &used) == 2 && used > 0) {
      const int at_line = l + line - 1, at_column = l == 1 ? c + column - 1 : c;
      st = Status(st.code(), "line " + std::to_string(at_line) + ", column " + std::to_string(at_column) + ": " +
                                 st.message().substr(static_cast<size_t>(used)));
    }
    code = Error(st, in);
  }
  if (timer_) std::fprintf(stderr, "Run Time: %.4f s\n", secs);
  return code;
}

int Shell::Line(const std::string& line, int lineno, const Input& in) {
  if (IsBlankSql(pending_)) {
    pending_.clear();
    const std::string t = Trim(line);
    if (!t.empty() && t[0] == '.') {
      int code = Dot(t, in);
      if (quit_) return quit_code_;
      return code != 0 && in.stop_on_error ? code : -1;
    }
    pending_line_ = lineno;
    pending_column_ = 1;
  }
  pending_ += line;
  pending_ += '\n';
  // Statements are cut at each ';' from where the last one ended; what is left waits for more.
  size_t pos = 0;
  int code = -1;
  for (size_t end; (end = StatementEnd(pending_, pos)) != std::string::npos;) {
    const std::string_view sql(pending_.data() + pos, end - pos);
    const int line0 = pending_line_, col0 = pending_column_;
    const size_t nl = sql.rfind('\n');
    pending_line_ += static_cast<int>(std::count(sql.begin(), sql.end(), '\n'));
    pending_column_ = nl == std::string::npos ? pending_column_ + static_cast<int>(sql.size())
                                              : static_cast<int>(sql.size() - nl);
    pos = end;
    if (IsBlankSql(std::string(sql.substr(0, sql.size() - 1)))) continue;  // ';' alone
    const int c = Statement(std::string(sql), line0, col0, in);
    if (c != 0 && in.stop_on_error) {
      code = c;
      break;
    }
    if (Interrupted()) {  // Ctrl-C: the statements after it on the line (or in a .read) do not run
      const int stopped = c != 0 ? c : Error(Status::Cancelled("interrupted"), in);
      pending_.clear();
      return in.stop_on_error ? stopped : -1;
    }
  }
  if (code >= 0) {
    pending_.clear();
    return code;
  }
  pending_.erase(0, pos);
  if (IsBlankSql(pending_)) pending_.clear();
  return -1;
}

int Shell::Script(std::istream& input, const std::string& source) {
  Input in{source, true};
  std::string saved = std::move(pending_);
  const int saved_line = pending_line_, saved_col = pending_column_;
  pending_.clear();
  int lineno = 0, code = 0;
  for (std::string line; std::getline(input, line);) {
    if (Interrupted()) {  // Ctrl-C between two statements of a .read
      code = Error(Status::Cancelled("interrupted"), in);
      break;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const int c = Line(line, ++lineno, in);
    if (c >= 0) {
      code = c;
      break;
    }
  }
  if (code == 0 && !quit_ && !IsBlankSql(pending_)) {
    // A last statement without its ';' runs too.
    std::string sql = std::move(pending_);
    code = Statement(sql, pending_line_, pending_column_, in);
  }
  pending_ = std::move(saved);
  pending_line_ = saved_line;
  pending_column_ = saved_col;
  return code;
}

int Shell::Dot(const std::string& line, const Input& in) {
  std::vector<std::string> w = Words(line);
  const std::string cmd = w[0];
  auto on_off = [&](bool* flag) -> int {
    if (w.size() != 2 || (w[1] != "on" && w[1] != "off")) return DotError(cmd + " on|off", in);
    *flag = w[1] == "on";
    return 0;
  };
  if (cmd == ".help") {
    std::cout << kShellHelp;
    return 0;
  }
  if (cmd == ".quit" || cmd == ".exit") {
    int code = 0;
    if (w.size() > 2) return DotError(cmd + " [CODE]", in);
    if (w.size() == 2) {
      auto c = ParseInt64(w[1], 0, 255);
      if (!c.ok()) return DotError(cmd + " [CODE]: CODE is 0 to 255", in);
      code = static_cast<int>(*c);
    }
    quit_ = true;
    quit_code_ = code;
    return 0;
  }
  if (cmd == ".mode") {
    if (w.size() == 1) {
      static const char* names[] = {"table", "csv", "tsv", "json", "jsonl", "markdown", "parquet"};
      std::cout << "mode: " << names[static_cast<int>(mode_)] << "\n";
      return 0;
    }
    std::string m = w.size() == 2 ? ToLower(w[1]) : "";
    if (m == "box" || m == "duckbox") m = "table";
    if (m == "ndjson") m = "jsonl";
    if (m == "parquet") return DotError(".mode parquet: write Parquet with COPY (SELECT ...) TO 'file.parquet'", in);
    auto f = ParseOutputFormat(m);
    if (!f.ok()) return DotError(".mode MODE: table, csv, tsv, json, jsonl or markdown", in);
    mode_ = *f;
    return 0;
  }
  if (cmd == ".headers" || cmd == ".header") return on_off(&headers_);
  if (cmd == ".timer") return on_off(&timer_);
  if (cmd == ".maxrows") {
    auto n = w.size() == 2 ? ParseInt64(w[1], 0, INT64_MAX) : Result<int64_t>(Status::InvalidArgument(""));
    if (!n.ok()) return DotError(".maxrows N: a number of rows, 0 for all", in);
    max_rows_ = static_cast<size_t>(*n);
    return 0;
  }
  if (cmd == ".output") {
    if (w.size() > 2) return DotError(".output [FILE]", in);
    if (w.size() == 1) {
      file_.reset();
      out_ = &std::cout;
      return 0;
    }
    Status inside = RefuseInsideWarehouse(warehouse_, w[1], ".output");
    if (!inside.ok()) return Error(inside, in);
    auto f = std::make_unique<std::ofstream>(w[1], std::ios::binary | std::ios::trunc);
    if (!*f) return Error(Status::IOError("cannot write '" + w[1] + "': " + std::strerror(errno)), in);
    file_ = std::move(f);
    out_ = file_.get();
    return 0;
  }
  if (cmd == ".read") {
    if (w.size() != 2) return DotError(".read FILE", in);
    if (read_depth_ >= 16) return DotError(".read: files read each other more than 16 deep", in);
    struct stat st;
    if (::stat(w[1].c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      return Error(Status::InvalidArgument(".read '" + w[1] + "': a directory, not a file of statements"), in);
    std::ifstream f(w[1], std::ios::binary);
    if (!f) return Error(Status::NotFound("cannot read '" + w[1] + "'"), in);
    ++read_depth_;
    const int code = Script(f, w[1]);
    --read_depth_;
    return code;
  }
  if (cmd == ".open") {
    if (w.size() != 2) return DotError(".open DIR", in);
    Open(w[1]);
    return 0;
  }
  if (cmd == ".tables" || cmd == ".schema") {
    if (w.size() > 2) return DotError(cmd + (cmd == ".tables" ? " [PATTERN]" : " [NAME]"), in);
    auto wh = session_->GetWarehouse(false);
    if (!wh.ok()) {
      if (wh.status().code() != StatusCode::kNotFound) return Error(wh.status(), in);
      if (w.size() == 2 && cmd == ".schema") return DotError("no table or view named '" + w[1] + "'", in);
      return 0;  // no warehouse yet: no tables
    }
    auto tables = (*wh)->ListTables();
    if (!tables.ok()) return Error(tables.status(), in);
    auto views = (*wh)->ListViews();
    if (!views.ok()) return Error(views.status(), in);
    if (cmd == ".tables") {
      std::vector<std::string> names = *tables;
      for (const auto& [v, text] : *views) names.push_back(v);
      for (const auto& [v, text] : session_->temp_views()) names.push_back(v);
      std::sort(names.begin(), names.end());
      for (const auto& n : names)
        if (w.size() == 1 || Like(n.c_str(), w[1].c_str())) *out_ << n << "\n";
      out_->flush();
      return 0;
    }
    bool found = false;
    for (const auto& t : *tables) {
      if (w.size() == 2 && ToLower(w[1]) != t) continue;
      auto snap = (*wh)->GetSnapshot(t);
      if (!snap.ok()) return Error(snap.status(), in);
      *out_ << CreateTableText(snap->schema) << "\n";
      found = true;
    }
    for (const auto& [v, text] : *views) {
      if (w.size() == 2 && ToLower(w[1]) != v) continue;
      *out_ << "CREATE VIEW " << QuoteName(v) << " AS " << text << ";\n";
      found = true;
    }
    for (const auto& [v, text] : session_->temp_views()) {
      if (w.size() == 2 && ToLower(w[1]) != v) continue;
      *out_ << "CREATE TEMP VIEW " << QuoteName(v) << " AS " << text << ";\n";
      found = true;
    }
    out_->flush();
    if (!found && w.size() == 2) return DotError("no table or view named '" + w[1] + "'", in);
    return 0;
  }
  return DotError("unknown command '" + cmd + "' (.help lists them)", in);
}

void Shell::LoadNames() {
  if (names_loaded_) return;
  names_loaded_ = true;
  tables_.clear();
  columns_.clear();
  if (functions_.empty()) {
    Session meta(DefaultFileSystem(), warehouse_);
    auto fs = meta.Execute("SHOW FUNCTIONS");
    if (fs.ok() && !fs->empty()) {
      ResultSet& rs = (*fs)[0];
      rs.Flatten();
      for (size_t i = 0; i < rs.rows(); ++i) functions_.emplace_back(rs.columns[0].GetString(i));
    }
  }
  auto wh = session_->GetWarehouse(false);
  if (!wh.ok()) return;
  auto tables = (*wh)->ListTables();
  if (tables.ok()) {
    for (const auto& t : *tables) {
      tables_.push_back(t);
      auto snap = (*wh)->GetSnapshot(t);
      if (!snap.ok()) continue;
      for (const auto& c : snap->schema.columns) columns_.push_back(c.name);
    }
    columns_.push_back("etl_date");
  }
  if (auto views = (*wh)->ListViews(); views.ok())
    for (const auto& [v, text] : *views) tables_.push_back(v);
  std::sort(columns_.begin(), columns_.end());
  columns_.erase(std::unique(columns_.begin(), columns_.end()), columns_.end());
}

std::vector<std::string> Shell::Candidates(const std::string& line, const std::string& word, bool at_start) {
  std::vector<std::string> out;
  auto starts = [&](const std::string& name) {
    if (name.size() < word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(name[i])) != std::tolower(static_cast<unsigned char>(word[i]))) return false;
    return true;
  };
  const std::string t = Trim(line);
  if (IsBlankSql(pending_) && !t.empty() && t[0] == '.') {
    if (at_start) {
      for (const char* d : kDotCommands)
        if (starts(d)) out.emplace_back(d);
      return out;
    }
    // .schema NAME, .tables: table names; .mode: the modes; else (.read, .output, .open) files.
    const std::string cmd = Words(t)[0];
    if (cmd == ".schema" || cmd == ".tables") {
      LoadNames();
      for (const auto& n : tables_)
        if (starts(n)) out.push_back(n);
    } else if (cmd == ".mode") {
      for (const char* m : {"table", "csv", "tsv", "json", "jsonl", "markdown"})
        if (starts(m)) out.emplace_back(m);
    } else if (cmd == ".timer" || cmd == ".headers") {
      for (const char* m : {"on", "off"})
        if (starts(m)) out.emplace_back(m);
    } else {
      out.emplace_back("\x01files");  // the caller offers file names
    }
    return out;
  }
  LoadNames();
  // Typed in lower case: keywords completed in lower case too.
  const bool lower = !word.empty() && std::islower(static_cast<unsigned char>(word[0]));
  auto add = [&](const std::string& s, bool upper_word) {
    if (!starts(s)) return;
    out.push_back(upper_word && lower ? ToLower(s) : s);
  };
  for (const auto& n : tables_) add(n, false);
  for (const auto& n : columns_) add(n, false);
  for (const char* k : kKeywords) add(k, true);
  for (const auto& f : functions_) add(f, true);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> g_matches;
size_t g_match_next = 0;

char* NextMatch(const char*, int state) {
  if (state == 0) g_match_next = 0;
  if (g_match_next >= g_matches.size()) return nullptr;
  return ::strdup(g_matches[g_match_next++].c_str());
}

char** Complete(const char* text, int start, int end) {
  (void)end;
  const std::string line(rl_line_buffer, static_cast<size_t>(start));
  g_matches = g_shell->Candidates(std::string(rl_line_buffer), text, Trim(line).empty());
  if (g_matches.size() == 1 && g_matches[0] == "\x01files") {
    rl_attempted_completion_over = 0;  // libedit's own file name completion
    return nullptr;
  }
  rl_attempted_completion_over = 1;
  if (g_matches.empty()) return nullptr;
  return rl_completion_matches(text, NextMatch);
}

std::string HistoryPath() {
  if (const char* h = std::getenv("WH_HISTORY")) return h;  // "" turns history off
  const char* home = std::getenv("HOME");
  return home && *home ? std::string(home) + "/.wh_history" : "";
}

int Shell::Interactive() {
  g_shell = this;
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a read at the prompt returns, and the line is dropped
  sigaction(SIGINT, &sa, nullptr);
  rl_readline_name = "wh";
  rl_getc_function = ReadChar;
  rl_attempted_completion_function = Complete;
  rl_basic_word_break_characters = " \t\n\"'`(),;=<>+-*/%|";
  const std::string history = HistoryPath();
  using_history();
  stifle_history(5000);
  if (!history.empty()) read_history(history.c_str());
  {
    std::string tables;
    auto wh = session_->GetWarehouse(false);
    if (wh.ok()) {
      auto t = (*wh)->ListTables();
      if (t.ok()) tables = std::to_string(t->size()) + (t->size() == 1 ? " table" : " tables");
    }
    std::cout << "wh " << WH_VERSION << ", warehouse " << warehouse_
              << (tables.empty() ? " (none yet: CREATE TABLE makes it)" : " (" + tables + ")")
              << ". Enter \".help\" for help; end each statement with ';'.\n";
  }
  Input in{"", false};
  std::string entry;  // the lines of the statement being typed, for the history
  int lineno = 0;
  for (;;) {
    g_interrupted.store(false);
    char* raw = readline(IsBlankSql(pending_) ? "wh> " : "  > ");
    if (Interrupted()) {  // Ctrl-C at the prompt: the statement being typed is dropped
      std::free(raw);
      std::cout << "^C\n";
      pending_.clear();
      entry.clear();
      continue;
    }
    if (!raw) {  // Ctrl-D
      std::cout << "\n";
      break;
    }
    std::string line = raw;
    std::free(raw);
    // Lines joined as typed (a -- comment ends at its line).
    if (!Trim(line).empty()) entry += (entry.empty() ? "" : "\n") + line;
    const int code = Line(line, ++lineno, in);
    if (IsBlankSql(pending_) && !entry.empty()) {
      add_history(entry.c_str());
      if (!history.empty()) write_history(history.c_str());
      entry.clear();
    }
    if (code >= 0 || quit_) return quit_ ? quit_code_ : code;
  }
  return kExitOk;
}

}  // namespace

namespace {

int CmdShell(const Args& a) {
  if (!a.positional.empty()) return Usage("usage: wh [-w DIR] shell [--format F]");
  return RunShell(a.warehouse, isatty(STDIN_FILENO), a.format);
}

}  // namespace

const Command kShellCommand = {
    "shell", "[--format F]",
    "the SQL shell (what `wh` alone opens at a terminal)",
    "A prompt with line editing, history (~/.wh_history or $WH_HISTORY) and tab completion;\n"
    "statements end with ';'; .help lists the dot-commands; Ctrl-C stops a statement, Ctrl-D\n"
    "leaves. With standard input not a terminal: runs its statements in order, stopping at the\n"
    "first error (its exit code).",
    {
        {.name = "--format", .value = "F", .help = "the output mode to start with: table, csv, tsv, json, jsonl, markdown",
         .text = &Args::format},
    },
    CmdShell};

int RunShell(const std::string& warehouse, bool interactive, const std::string& mode) {
  memory::SetBudget(DefaultStatementBudget());  // as wh query's
  Shell shell(warehouse, interactive);
  if (!mode.empty()) {
    std::istringstream dot(".mode " + mode + "\n");
    if (int code = shell.Script(dot, "--format"); code != 0) return kExitUsage;
  }
  if (interactive) return shell.Interactive();
  return shell.Script(std::cin, "");
}

}  // namespace wh
