// Runs SQL statements in DuckDB and prints each one's answer as one JSON line, every value as
// DuckDB's own text (its cast to VARCHAR) or null: the peer side of tests/diff/run.py. Built by
// that script against the libduckdb.so that npm installs (DuckDB is a peer for tests, never a
// dependency of wh).
//
//   duck_query DB_FILE < statements      one statement per line of input ('\n' inside one is
//                                        written as the two characters \n); an empty DB_FILE
//                                        argument ("") is an in-memory database
// Output per statement: {"columns":[...],"types":[...],"rows":[[...],...]} or {"error":"..."}.
// A LIST column's values are its cast to VARCHAR ([1, NULL, 3]): the statement runs again as
// SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (statement), which the C API can print.
#include <cstdio>
#include <iostream>
#include <string>

#include "duckdb.h"

namespace {

void PutJsonString(const char* s, std::string* out) {
  out->push_back('"');
  for (const unsigned char* p = reinterpret_cast<const unsigned char*>(s); *p; ++p) {
    switch (*p) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (*p < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", *p);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(*p));
        }
    }
  }
  out->push_back('"');
}

std::string Unescape(const std::string& line) {
  std::string s;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == 'n') {
      s.push_back('\n');
      ++i;
    } else {
      s.push_back(line[i]);
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: duck_query DB_FILE < statements\n");
    return 2;
  }
  duckdb_database db;
  duckdb_connection con;
  if (duckdb_open(argv[1][0] ? argv[1] : nullptr, &db) == DuckDBError) {
    std::fprintf(stderr, "cannot open %s\n", argv[1]);
    return 1;
  }
  if (duckdb_connect(db, &con) == DuckDBError) return 1;
  for (std::string line; std::getline(std::cin, line);) {
    const std::string sql = Unescape(line);
    duckdb_result res;
    std::string out;
    if (duckdb_query(con, sql.c_str(), &res) == DuckDBError) {
      out = "{\"error\":";
      PutJsonString(duckdb_result_error(&res), &out);
      out += "}";
    } else {
      const idx_t cols = duckdb_column_count(&res), rows = duckdb_row_count(&res);
      bool lists = false;
      for (idx_t c = 0; c < cols; ++c) lists = lists || duckdb_column_type(&res, c) == DUCKDB_TYPE_LIST;
      duckdb_result text;
      const bool as_text =
          lists && duckdb_query(con, ("SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (" + sql + ")").c_str(), &text) != DuckDBError;
      duckdb_result& values = as_text ? text : res;
      out = "{\"columns\":[";
      for (idx_t c = 0; c < cols; ++c) {
        if (c) out += ",";
        PutJsonString(duckdb_column_name(&res, c), &out);
      }
      out += "],\"types\":[";
      for (idx_t c = 0; c < cols; ++c) {
        if (c) out += ",";
        duckdb_logical_type t = duckdb_column_logical_type(&res, c);
        char* name = duckdb_logical_type_get_alias(t);
        out += "\"" + std::to_string(duckdb_column_type(&res, c)) + "\"";
        if (name) duckdb_free(name);
        duckdb_destroy_logical_type(&t);
      }
      out += "],\"rows\":[";
      for (idx_t r = 0; r < rows; ++r) {
        out += r ? ",[" : "[";
        for (idx_t c = 0; c < cols; ++c) {
          if (c) out += ",";
          if (duckdb_value_is_null(&values, c, r)) {
            out += "null";
          } else if (lists && !as_text) {
            out += "\"(a list DuckDB could not print)\"";
          } else {
            char* v = duckdb_value_varchar(&values, c, r);
            PutJsonString(v, &out);
            duckdb_free(v);
          }
        }
        out += "]";
      }
      out += "]}";
      if (as_text) duckdb_destroy_result(&text);
    }
    duckdb_destroy_result(&res);
    std::printf("%s\n", out.c_str());
    std::fflush(stdout);
  }
  duckdb_disconnect(&con);
  duckdb_close(&db);
  return 0;
}
