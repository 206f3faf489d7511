// A minimal DuckDB driver for the wh-vs-DuckDB comparison: opens a database file, runs each
// statement of each SQL file given on the command line in order, and prints one line per
// statement with its wall time. Built by bench/compare/run.sh against the libduckdb.so that npm
// installs (DuckDB is a peer for benchmarks, never a dependency of wh).
//
//   duck_driver DB_FILE FILE.sql...      statements are separated by ';' at line ends
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "duckdb.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: duck_driver DB_FILE FILE.sql...\n");
    return 2;
  }
  duckdb_database db;
  duckdb_connection con;
  if (duckdb_open(argv[1], &db) == DuckDBError) {
    std::fprintf(stderr, "cannot open %s\n", argv[1]);
    return 1;
  }
  if (duckdb_connect(db, &con) == DuckDBError) return 1;
  for (int f = 2; f < argc; ++f) {
    std::ifstream in(argv[f]);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str(), stmt;
    std::vector<std::string> stmts;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("--", 0) == 0) continue;
      stmt += line + "\n";
      size_t end = line.find_last_not_of(" \t\r");
      if (end != std::string::npos && line[end] == ';') {
        stmts.push_back(stmt);
        stmt.clear();
      }
    }
    if (stmt.find_first_not_of(" \t\r\n") != std::string::npos) stmts.push_back(stmt);
    for (const auto& s : stmts) {
      duckdb_result res;
      auto t0 = std::chrono::steady_clock::now();
      duckdb_state st = duckdb_query(con, s.c_str(), &res);
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (st == DuckDBError) {
        std::fprintf(stderr, "duckdb error in %s: %s\n", argv[f], duckdb_result_error(&res));
        duckdb_destroy_result(&res);
        return 1;
      }
      std::string first = s.substr(0, s.find('\n'));
      std::printf("%.4f\t%s\n", secs, first.c_str());
      duckdb_destroy_result(&res);
    }
  }
  duckdb_disconnect(&con);
  duckdb_close(&db);
  return 0;
}
