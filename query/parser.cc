#include "query/parser.h"

#include <charconv>

#include "query/lexer.h"

namespace wh {

namespace {

class Parser {
 public:
  Parser(const std::string& sql, std::vector<Token> toks) : sql_(sql), t_(std::move(toks)) {}

  Result<std::vector<Statement>> Script() {
    std::vector<Statement> out;
    while (true) {
      while (Peek().IsSymbol(";")) Advance();
      if (Peek().kind == TokenKind::kEnd) break;
      WH_ASSIGN_OR_RETURN(Statement s, ParseStatement());
      out.push_back(std::move(s));
      if (!Peek().IsSymbol(";") && Peek().kind != TokenKind::kEnd)
        return Error(Peek(), "expected ';' or the end of the input after the statement, found " +
                                 Peek().Describe());
    }
    if (out.empty()) return Error(Peek(), "no SQL statement given");
    return out;
  }

 private:
  const Token& Peek(size_t k = 0) const { return t_[std::min(p_ + k, t_.size() - 1)]; }
  const Token& Advance() { return t_[p_ < t_.size() - 1 ? p_++ : p_]; }
  Status Error(const Token& at, const std::string& msg) const {
    return Status::InvalidArgument(SqlErrorMessage(sql_, at.pos, msg));
  }
  Status Expected(const std::string& what) const {
    return Error(Peek(), "expected " + what + ", found " + Peek().Describe());
  }
  bool AcceptKeyword(const char* kw) {
    if (!Peek().Is(kw)) return false;
    Advance();
    return true;
  }
  bool AcceptSymbol(const char* s) {
    if (!Peek().IsSymbol(s)) return false;
    Advance();
    return true;
  }
  Status ExpectKeyword(const char* kw) {
    if (!AcceptKeyword(kw)) return Expected(std::string("'") + kw + "'");
    return Status::OK();
  }
  Status ExpectSymbol(const char* s) {
    if (!AcceptSymbol(s)) return Expected(std::string("'") + s + "'");
    return Status::OK();
  }
  Result<std::string> Identifier(const char* what) {
    WH_ASSIGN_OR_RETURN(std::string name, NameAsWritten(what));
    return ToLower(name);
  }
  // A name that keeps the case it was written with (column names, column aliases): wh matches
  // names ignoring case and shows them as declared.
  Result<std::string> NameAsWritten(const char* what) {
    const Token& t = Peek();
    if (t.kind != TokenKind::kIdent && t.kind != TokenKind::kQuotedIdent)
      return Expected(std::string(what));
    Advance();
    Status st = ValidateIdentifier(t.text, what);
    if (!st.ok()) return Error(t, st.message());
    return t.text;
  }

  Result<Statement> ParseStatement() {
    const Token& first = Peek();
    Statement s;
    s.pos = first.pos;
    if (AcceptKeyword("EXPLAIN")) {
      s.kind = Statement::kExplain;
      s.analyze = AcceptKeyword("ANALYZE");
      WH_ASSIGN_OR_RETURN(Statement inner, ParseStatement());
      if (inner.kind != Statement::kSelect)
        return Error(first, "EXPLAIN works on a query (SELECT or WITH ...)");
      s.inner = std::make_unique<Statement>(std::move(inner));
      return s;
    }
    if (AcceptKeyword("CREATE")) {
      if (AcceptKeyword("OR")) {
        WH_RETURN_IF_ERROR(ExpectKeyword("REPLACE"));
        s.or_replace = true;
        if (!Peek().Is("VIEW") && !Peek().Is("TEMP") && !Peek().Is("TEMPORARY"))
          return Expected("VIEW after CREATE OR REPLACE");
      }
      if (AcceptKeyword("TEMP") || AcceptKeyword("TEMPORARY")) {
        if (!Peek().Is("VIEW")) return Expected("VIEW after CREATE TEMP (temporary tables are not supported; a TEMP VIEW is)");
        s.temporary = true;
      }
      if (AcceptKeyword("VIEW")) {
        s.kind = Statement::kCreateView;
        if (AcceptKeyword("IF")) {
          WH_RETURN_IF_ERROR(ExpectKeyword("NOT"));
          WH_RETURN_IF_ERROR(ExpectKeyword("EXISTS"));
          s.if_not_exists = true;
        }
        s.table_pos = Peek().pos;
        WH_ASSIGN_OR_RETURN(s.table, Identifier("view name"));
        WH_RETURN_IF_ERROR(ExpectKeyword("AS"));
        WH_RETURN_IF_ERROR(QueryWithText(&s));
        return s;
      }
      if (!AcceptKeyword("TABLE")) return Expected("TABLE or VIEW after CREATE");
      return CreateTable(std::move(s));
    }
    if (AcceptKeyword("DROP")) {
      if (AcceptKeyword("VIEW")) {
        s.kind = Statement::kDropView;
      } else {
        WH_RETURN_IF_ERROR(ExpectKeyword("TABLE"));
        s.kind = Statement::kDropTable;
      }
      if (AcceptKeyword("IF")) {
        WH_RETURN_IF_ERROR(ExpectKeyword("EXISTS"));
        s.if_exists = true;
      }
      s.table_pos = Peek().pos;
      WH_ASSIGN_OR_RETURN(s.table, Identifier(s.kind == Statement::kDropView ? "view name" : "table name"));
      return s;
    }
    if (AcceptKeyword("COPY")) return Copy(std::move(s));
    if (AcceptKeyword("INSERT")) {
      // INSERT INTO [TABLE] t query | INSERT OVERWRITE [TABLE] t [PARTITION (p = value)] query
      s.overwrite = AcceptKeyword("OVERWRITE");
      if (!s.overwrite) WH_RETURN_IF_ERROR(ExpectKeyword("INTO"));
      s.kind = Statement::kInsert;
      AcceptKeyword("TABLE");
      s.table_pos = Peek().pos;
      WH_ASSIGN_OR_RETURN(s.table, Identifier("table name"));
      if (Peek().Is("PARTITION")) {
        if (!s.overwrite) return Error(Peek(), "PARTITION (...) goes with INSERT OVERWRITE (INSERT INTO places each row by its values)");
        Advance();
        WH_RETURN_IF_ERROR(ExpectSymbol("("));
        s.partition_pos = Peek().pos;
        WH_ASSIGN_OR_RETURN(s.partition_column, Identifier("partition column name"));
        WH_RETURN_IF_ERROR(ExpectSymbol("="));
        s.partition_value_pos = Peek().pos;
        AcceptKeyword("DATE");
        if (AcceptKeyword("NULL")) {
          s.partition_value.reset();
        } else if (Peek().kind == TokenKind::kString) {
          s.partition_value = Peek().text;
          Advance();
        } else {
          return Expected("the partition's value: a date string ('2024-01-31' or DATE '2024-01-31') or NULL");
        }
        if (AcceptSymbol(",")) return Error(Peek(), "a wh table has one partition column");
        WH_RETURN_IF_ERROR(ExpectSymbol(")"));
        s.static_partition = true;
      }
      WH_RETURN_IF_ERROR(QueryWithText(&s));
      return s;
    }
    if (AcceptKeyword("SHOW")) {
      if (AcceptKeyword("FUNCTIONS")) {
        s.kind = Statement::kShowFunctions;
        return s;
      }
      if (!Peek().Is("TABLES")) return Expected("TABLES or FUNCTIONS after SHOW");
      Advance();
      s.kind = Statement::kShowTables;
      return s;
    }
    if (AcceptKeyword("DESCRIBE") || AcceptKeyword("DESC")) {
      AcceptKeyword("TABLE");
      s.kind = Statement::kDescribe;
      s.table_pos = Peek().pos;
      if (Peek().Is("SELECT") || Peek().Is("WITH") || Peek().Is("VALUES") || Peek().Is("FROM") ||
          Peek().IsSymbol("(")) {  // the columns of a query
        WH_RETURN_IF_ERROR(QueryWithText(&s));
        return s;
      }
      if (Peek().kind == TokenKind::kString || (Peek().kind == TokenKind::kIdent && Peek(1).IsSymbol("("))) {
        // DESCRIBE 'f.csv', DESCRIBE read_json('...'): of SELECT * FROM it
        auto q = std::make_unique<QueryAst>();
        q->pos = Peek().pos;
        q->select = std::make_unique<SelectCore>();
        q->select->pos = Peek().pos;
        SelectItem star;
        star.expr = std::make_unique<Expr>();
        star.expr->kind = Expr::kStar;
        star.expr->pos = Peek().pos;
        star.text = "*";
        q->select->items.push_back(std::move(star));
        WH_ASSIGN_OR_RETURN(q->select->from, TablePrimary());
        s.query = std::move(q);
        return s;
      }
      WH_ASSIGN_OR_RETURN(s.table, Identifier("table or view name"));
      return s;
    }
    if (Peek().Is("SELECT") || Peek().Is("WITH") || Peek().Is("VALUES") || Peek().Is("FROM") ||
        Peek().IsSymbol("(")) {
      s.kind = Statement::kSelect;
      WH_RETURN_IF_ERROR(QueryWithText(&s));
      return s;
    }
    if (AcceptKeyword("ALTER")) return AlterTable(std::move(s));
    if (first.Is("UPDATE") || first.Is("DELETE") || first.Is("MERGE"))
      return Error(first, first.text + " is not supported yet: tables take new rows (INSERT, COPY FROM, wh ingest); "
                          "a changed table is made anew with CREATE TABLE ... AS SELECT");
    return Error(first, "expected a statement (SELECT, WITH, VALUES, CREATE TABLE, CREATE VIEW, INSERT "
                        "INTO, COPY, ALTER TABLE, DROP TABLE, DROP VIEW, SHOW TABLES, DESCRIBE, EXPLAIN), found " +
                            first.Describe());
  }

  // COPY (query) TO 'path' [options] | COPY table [(columns)] TO 'path' [options]
  // | COPY table FROM 'path' [options]; options: [WITH] (name [value], ...).
  Result<Statement> Copy(Statement s) {
    s.kind = Statement::kCopy;
    if (AcceptSymbol("(")) {
      WH_RETURN_IF_ERROR(QueryWithText(&s));
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      if (Peek().Is("FROM")) return Error(Peek(), "COPY (query) writes TO a file; COPY table FROM 'file' loads one");
    } else {
      s.table_pos = Peek().pos;
      WH_ASSIGN_OR_RETURN(s.table, Identifier("table name or (query)"));
    }
    if (AcceptKeyword("FROM")) {
      if (s.query) return Error(t_[p_ - 1], "COPY (query) writes TO a file; COPY table FROM 'file' loads one");
      s.copy_from = true;
    } else if (!AcceptKeyword("TO")) {
      return Expected("TO 'file' or FROM 'file'");
    }
    if (Peek().kind != TokenKind::kString) return Expected("the file's path as a string ('out.csv')");
    s.path_pos = Peek().pos;
    s.path = Advance().text;
    AcceptKeyword("WITH");
    if (AcceptSymbol("(")) {
      do {
        const Token& name = Peek();
        if (name.kind != TokenKind::kIdent) return Expected("an option name (FORMAT, HEADER, DELIMITER, ...)");
        Advance();
        std::string value;
        const Token& v = Peek();
        if (v.kind == TokenKind::kString || v.kind == TokenKind::kNumber ||
            (v.kind == TokenKind::kIdent && !v.IsSymbol(","))) {
          value = v.kind == TokenKind::kIdent ? ToLower(v.text) : v.text;
          Advance();
        } else if (!v.IsSymbol(",") && !v.IsSymbol(")")) {
          return Expected("the value of option " + name.text);
        }
        s.options.emplace_back(ToLower(name.text), value);
        s.option_pos.push_back(name.pos);
      } while (AcceptSymbol(","));
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
    }
    return s;
  }

  Status QueryWithText(Statement* s) {
    size_t start = Peek().pos.offset;
    WH_ASSIGN_OR_RETURN(s->query, Query());
    s->query_sql = Trimmed(start, Peek().pos.offset);
    return Status::OK();
  }

  std::string Trimmed(size_t start, size_t end) const {
    std::string t = sql_.substr(start, end - start);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
    return t;
  }

  Result<Statement> CreateTable(Statement s) {
    s.kind = Statement::kCreateTable;
    if (AcceptKeyword("IF")) {
      WH_RETURN_IF_ERROR(ExpectKeyword("NOT"));
      WH_RETURN_IF_ERROR(ExpectKeyword("EXISTS"));
      s.if_not_exists = true;
    }
    s.table_pos = Peek().pos;
    WH_ASSIGN_OR_RETURN(s.table, Identifier("table name"));
    if (!Peek().IsSymbol("(")) return CreateTableProperties(std::move(s));
    WH_RETURN_IF_ERROR(ColumnDefinitions(&s));
    return CreateTableProperties(std::move(s));
  }

  // (definition, ...) into s->columns
  Status ColumnDefinitions(Statement* s) {
    WH_RETURN_IF_ERROR(ExpectSymbol("("));
    do {
      WH_ASSIGN_OR_RETURN(ColumnDefAst c, ColumnDefinition());
      s->columns.push_back(std::move(c));
    } while (AcceptSymbol(","));
    return ExpectSymbol(")");
  }

  // name type [NOT NULL | NULL]
  Result<ColumnDefAst> ColumnDefinition() {
    ColumnDefAst c;
    c.pos = Peek().pos;
    WH_ASSIGN_OR_RETURN(c.def.name, NameAsWritten("column name"));
    if (Peek().kind != TokenKind::kIdent) return Expected("a type for column '" + c.def.name + "'");
    WH_ASSIGN_OR_RETURN(c.def.type, TypeName());
    if (AcceptKeyword("NOT")) {
      WH_RETURN_IF_ERROR(ExpectKeyword("NULL"));
      c.def.not_null = true;
    } else {
      AcceptKeyword("NULL");
    }
    if (Peek().Is("DEFAULT"))
      return Error(Peek(), "DEFAULT values are not supported: a column's value is given by each load (NULL when "
                           "it gives none)");
    return c;
  }

  // ALTER TABLE t ADD [COLUMN] [IF NOT EXISTS] def | ADD COLUMNS (def, ...)
  //             | ALTER [COLUMN] c [SET DATA] TYPE type | CHANGE [COLUMN] c c type (Spark)
  Result<Statement> AlterTable(Statement s) {
    s.kind = Statement::kAlterTable;
    WH_RETURN_IF_ERROR(ExpectKeyword("TABLE"));
    if (AcceptKeyword("IF")) {
      WH_RETURN_IF_ERROR(ExpectKeyword("EXISTS"));
      s.if_exists = true;
    }
    s.table_pos = Peek().pos;
    WH_ASSIGN_OR_RETURN(s.table, Identifier("table name"));
    if (AcceptKeyword("ADD")) {
      s.alter = Statement::kAddColumns;
      if (AcceptKeyword("COLUMNS")) {  // Spark: ADD COLUMNS (a INT, b STRING)
        WH_RETURN_IF_ERROR(ColumnDefinitions(&s));
        return s;
      }
      AcceptKeyword("COLUMN");
      if (AcceptKeyword("IF")) {
        WH_RETURN_IF_ERROR(ExpectKeyword("NOT"));
        WH_RETURN_IF_ERROR(ExpectKeyword("EXISTS"));
        s.if_not_exists = true;
      }
      WH_ASSIGN_OR_RETURN(ColumnDefAst c, ColumnDefinition());
      s.columns.push_back(std::move(c));
      return s;
    }
    const bool change = Peek().Is("CHANGE");
    if (AcceptKeyword("ALTER") || AcceptKeyword("CHANGE")) {
      s.alter = Statement::kAlterType;
      AcceptKeyword("COLUMN");
      ColumnDefAst c;
      c.pos = Peek().pos;
      WH_ASSIGN_OR_RETURN(c.def.name, NameAsWritten("column name"));
      if (change) {  // Spark: CHANGE COLUMN c c BIGINT (the same name: renaming is not supported)
        const Token& again = Peek();
        WH_ASSIGN_OR_RETURN(std::string same, NameAsWritten("column name"));
        if (ToLower(same) != ToLower(c.def.name))
          return Error(again, "renaming a column is not supported (files find their columns by name)");
      } else {
        if (AcceptKeyword("SET")) {
          if (Peek().Is("NOT") || Peek().Is("DEFAULT"))
            return Error(Peek(), "SET " + Peek().text + " is not supported: ALTER COLUMN changes a column's type");
          WH_RETURN_IF_ERROR(ExpectKeyword("DATA"));
        } else if (Peek().Is("DROP")) {
          return Error(Peek(), "DROP NOT NULL / DROP DEFAULT are not supported: ALTER COLUMN changes a column's type");
        }
        WH_RETURN_IF_ERROR(ExpectKeyword("TYPE"));
      }
      if (Peek().kind != TokenKind::kIdent) return Expected("a type for column '" + c.def.name + "'");
      WH_ASSIGN_OR_RETURN(c.def.type, TypeName());
      if (Peek().Is("USING"))
        return Error(Peek(), "USING is not supported: a column's type only widens, every value kept as it is");
      s.columns.push_back(std::move(c));
      return s;
    }
    if (Peek().Is("DROP") || Peek().Is("RENAME"))
      return Error(Peek(), "ALTER TABLE ... " + Peek().text + " is not supported: columns can be added (ADD COLUMN) "
                           "and widened (ALTER COLUMN c TYPE t); a table is renamed or narrowed by CREATE TABLE ... "
                           "AS SELECT and DROP TABLE");
    return Expected("ADD [COLUMN] or ALTER [COLUMN] after ALTER TABLE " + s.table);
  }

  Result<Statement> CreateTableProperties(Statement s) {
    while (true) {
      if (AcceptKeyword("PARTITIONED")) {
        WH_RETURN_IF_ERROR(ExpectKeyword("BY"));
        WH_RETURN_IF_ERROR(ExpectSymbol("("));
        WH_ASSIGN_OR_RETURN(s.partition_column, Identifier("partition column name"));
        if (!AcceptSymbol("=") && !AcceptKeyword("AS"))
          return Expected("'=' and the expression that derives the partition column, as in "
                          "PARTITIONED BY (event_date = CAST(ts AS DATE))");
        size_t start = Peek().pos.offset;
        WH_ASSIGN_OR_RETURN(s.partition_expr, Expression());
        size_t end = Peek().pos.offset;
        s.partition_sql = sql_.substr(start, end - start);
        while (!s.partition_sql.empty() && std::isspace(static_cast<unsigned char>(s.partition_sql.back())))
          s.partition_sql.pop_back();
        WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      } else if (AcceptKeyword("CLUSTERED")) {
        WH_RETURN_IF_ERROR(ExpectKeyword("BY"));
        WH_RETURN_IF_ERROR(ExpectSymbol("("));
        s.bucket_pos = Peek().pos;
        WH_ASSIGN_OR_RETURN(s.bucket_column, Identifier("bucket column name"));
        if (AcceptSymbol(",")) return Error(Peek(), "only one bucket column is supported");
        WH_RETURN_IF_ERROR(ExpectSymbol(")"));
        WH_RETURN_IF_ERROR(ExpectKeyword("INTO"));
        const Token& n = Peek();
        WH_ASSIGN_OR_RETURN(int count, Integer());
        if (count < 1 || count > 65536) return Error(n, "bucket count must be between 1 and 65536");
        s.bucket_count = static_cast<uint32_t>(count);
        WH_RETURN_IF_ERROR(ExpectKeyword("BUCKETS"));
      } else {
        break;
      }
    }
    if (AcceptKeyword("AS")) {
      WH_RETURN_IF_ERROR(QueryWithText(&s));
    } else if (s.columns.empty()) {
      return Expected("a column list '(' or AS SELECT ...");
    }
    return s;
  }

  Result<int> Integer() {
    const Token& t = Peek();
    if (t.kind != TokenKind::kNumber || t.text.find_first_not_of("0123456789") != std::string::npos ||
        t.text.size() > 9)
      return Expected("an integer");
    Advance();
    return std::stoi(t.text);
  }

  static bool IsReserved(const Token& t) {
    static const char* kWords[] = {
        "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNION", "JOIN", "ON",
        "USING", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "OUTER", "SELECT", "AS", "AND", "OR",
        "NOT", "WITH", "BY", "ASC", "DESC", "NULLS", "WHEN", "THEN", "ELSE", "END", "CASE", "IS",
        "IN", "BETWEEN", "LIKE", "ILIKE", "DISTINCT", "ALL", "EXCEPT", "INTERSECT", "WINDOW",
        "QUALIFY", "NATURAL", "LATERAL"};
    if (t.kind != TokenKind::kIdent) return false;
    for (const char* w : kWords)
      if (t.Is(w)) return true;
    return false;
  }

  Result<QueryPtr> Query() {
    DepthGuard g(&depth_);
    if (depth_ > kMaxDepth) return TooDeep();
    auto q = std::make_unique<QueryAst>();
    q->pos = Peek().pos;
    if (AcceptKeyword("WITH")) {
      const bool recursive = AcceptKeyword("RECURSIVE");
      do {
        CommonTable ct;
        ct.pos = Peek().pos;
        ct.recursive = recursive;
        WH_ASSIGN_OR_RETURN(ct.name, Identifier("name of the WITH query"));
        for (const auto& prev : q->ctes)
          if (prev.name == ct.name) return Error(t_[p_ - 1], "WITH query '" + ct.name + "' is defined twice");
        if (AcceptSymbol("(")) {
          do {
            WH_ASSIGN_OR_RETURN(std::string c, NameAsWritten("column name"));
            ct.columns.push_back(c);
          } while (AcceptSymbol(","));
          WH_RETURN_IF_ERROR(ExpectSymbol(")"));
        }
        WH_RETURN_IF_ERROR(ExpectKeyword("AS"));
        WH_RETURN_IF_ERROR(ExpectSymbol("("));
        WH_ASSIGN_OR_RETURN(ct.query, Query());
        WH_RETURN_IF_ERROR(ExpectSymbol(")"));
        q->ctes.push_back(std::move(ct));
      } while (AcceptSymbol(","));
    }
    // UNION and EXCEPT left to right; INTERSECT binds tighter (as in standard SQL and DuckDB).
    WH_ASSIGN_OR_RETURN(QueryPtr first, IntersectTerm());
    if (Peek().Is("UNION") || Peek().Is("EXCEPT")) {
      q->union_terms.push_back(std::move(first));
      while (Peek().Is("UNION") || Peek().Is("EXCEPT")) {
        q->set_ops.push_back(Advance().Is("UNION") ? QueryAst::kUnion : QueryAst::kExcept);
        bool all = AcceptKeyword("ALL");
        if (!all) AcceptKeyword("DISTINCT");
        q->union_all.push_back(all);
        WH_ASSIGN_OR_RETURN(QueryPtr t, IntersectTerm());
        q->union_terms.push_back(std::move(t));
      }
    } else if (first->select && first->ctes.empty() && first->order_by.empty() && !first->limit) {
      q->select = std::move(first->select);
    } else {
      q->union_terms.push_back(std::move(first));
    }
    if (AcceptKeyword("ORDER")) {
      WH_RETURN_IF_ERROR(ExpectKeyword("BY"));
      WH_RETURN_IF_ERROR(OrderItems(&q->order_by, true));
    }
    while (true) {
      if (!q->limit && AcceptKeyword("LIMIT")) {
        WH_ASSIGN_OR_RETURN(q->limit, Expression());
      } else if (!q->offset && AcceptKeyword("OFFSET")) {
        WH_ASSIGN_OR_RETURN(q->offset, Expression());
        AcceptKeyword("ROWS");
      } else {
        break;
      }
    }
    return q;
  }

  // Terms joined by INTERSECT [ALL] (one query of its own when there are several).
  Result<QueryPtr> IntersectTerm() {
    WH_ASSIGN_OR_RETURN(QueryPtr first, QueryTerm());
    if (!Peek().Is("INTERSECT")) return first;
    auto q = std::make_unique<QueryAst>();
    q->pos = first->pos;
    q->union_terms.push_back(std::move(first));
    while (AcceptKeyword("INTERSECT")) {
      q->set_ops.push_back(QueryAst::kIntersect);
      bool all = AcceptKeyword("ALL");
      if (!all) AcceptKeyword("DISTINCT");
      q->union_all.push_back(all);
      WH_ASSIGN_OR_RETURN(QueryPtr t, QueryTerm());
      q->union_terms.push_back(std::move(t));
    }
    return q;
  }

  // One term of a set operation: a SELECT or a parenthesized query.
  Result<QueryPtr> QueryTerm() {
    if (AcceptSymbol("(")) {
      WH_ASSIGN_OR_RETURN(QueryPtr q, Query());
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      return q;
    }
    auto q = std::make_unique<QueryAst>();
    q->pos = Peek().pos;
    if (Peek().Is("VALUES")) {
      WH_ASSIGN_OR_RETURN(q->select, Values());
      return q;
    }
    WH_ASSIGN_OR_RETURN(q->select, Select());
    return q;
  }

  // VALUES (e, ...), (e, ...), ...
  Result<std::unique_ptr<SelectCore>> Values() {
    auto s = std::make_unique<SelectCore>();
    s->pos = Peek().pos;
    WH_RETURN_IF_ERROR(ExpectKeyword("VALUES"));
    do {
      WH_RETURN_IF_ERROR(ExpectSymbol("("));
      std::vector<ExprPtr> row;
      do {
        WH_ASSIGN_OR_RETURN(ExprPtr e, Expression());
        row.push_back(std::move(e));
      } while (AcceptSymbol(","));
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      s->values.push_back(std::move(row));
    } while (AcceptSymbol(","));
    return s;
  }

  Result<std::unique_ptr<SelectCore>> Select() {
    auto s = std::make_unique<SelectCore>();
    s->pos = Peek().pos;
    if (Peek().Is("FROM")) {  // DuckDB's FROM-first: FROM t [SELECT items] ...; no SELECT: *
      SelectItem star;
      star.expr = std::make_unique<Expr>();
      star.expr->kind = Expr::kStar;
      star.expr->pos = Peek().pos;
      star.text = "*";
      Advance();
      WH_ASSIGN_OR_RETURN(s->from, FromClause());
      if (!AcceptKeyword("SELECT")) s->items.push_back(std::move(star));
    } else {
      WH_RETURN_IF_ERROR(ExpectKeyword("SELECT"));
    }
    if (AcceptKeyword("DISTINCT")) {
      s->distinct = true;
    } else {
      AcceptKeyword("ALL");
    }
    if (s->items.empty()) do {
      SelectItem item;
      size_t start = Peek().pos.offset;
      WH_ASSIGN_OR_RETURN(item.expr, Expression());
      item.text = Trimmed(start, Peek().pos.offset);
      if (item.expr->kind == Expr::kStar) {
        // * EXCLUDE (c, ...) / * EXCEPT (c, ...) / * REPLACE (e AS c, ...)
        if ((Peek().Is("EXCLUDE") || Peek().Is("EXCEPT")) && Peek(1).IsSymbol("(")) {
          Advance();
          Advance();
          do {
            WH_ASSIGN_OR_RETURN(std::string c, Identifier("column name"));
            item.exclude.push_back(c);
          } while (AcceptSymbol(","));
          WH_RETURN_IF_ERROR(ExpectSymbol(")"));
        }
        if (Peek().Is("REPLACE") && Peek(1).IsSymbol("(")) {
          Advance();
          Advance();
          do {
            WH_ASSIGN_OR_RETURN(ExprPtr e, Expression());
            WH_RETURN_IF_ERROR(ExpectKeyword("AS"));
            WH_ASSIGN_OR_RETURN(std::string c, NameAsWritten("column name"));
            item.replace.emplace_back(std::move(e), c);
          } while (AcceptSymbol(","));
          WH_RETURN_IF_ERROR(ExpectSymbol(")"));
        }
        s->items.push_back(std::move(item));
        continue;
      }
      if (AcceptKeyword("AS")) {
        WH_ASSIGN_OR_RETURN(item.alias, AliasName());
      } else if (Peek().kind == TokenKind::kQuotedIdent ||
                 (Peek().kind == TokenKind::kIdent && !IsReserved(Peek()))) {
        WH_ASSIGN_OR_RETURN(item.alias, AliasName());
      }
      s->items.push_back(std::move(item));
    } while (AcceptSymbol(","));
    if (!s->from && AcceptKeyword("FROM")) {
      WH_ASSIGN_OR_RETURN(s->from, FromClause());
    }
    if (AcceptKeyword("WHERE")) {
      WH_ASSIGN_OR_RETURN(s->where, Expression());
    }
    if (AcceptKeyword("GROUP")) {
      WH_RETURN_IF_ERROR(ExpectKeyword("BY"));
      if (AcceptKeyword("ALL")) {
        s->group_by_all = true;
      } else {
        // Each element gives grouping sets (a plain expression: one set of itself); the sets
        // of the GROUP BY are their cross product.
        std::vector<std::vector<size_t>> sets = {{}};
        bool special = false;
        auto expr = [&]() -> Result<size_t> {
          WH_ASSIGN_OR_RETURN(ExprPtr g, Expression());
          s->group_by.push_back(std::move(g));
          return s->group_by.size() - 1;
        };
        auto list = [&](std::vector<size_t>* out) -> Status {  // (e, ...) or e
          if (AcceptSymbol("(")) {
            if (AcceptSymbol(")")) return Status::OK();
            do {
              WH_ASSIGN_OR_RETURN(size_t i, expr());
              out->push_back(i);
            } while (AcceptSymbol(","));
            return ExpectSymbol(")");
          }
          WH_ASSIGN_OR_RETURN(size_t i, expr());
          out->push_back(i);
          return Status::OK();
        };
        do {
          std::vector<std::vector<size_t>> element;
          if ((Peek().Is("ROLLUP") || Peek().Is("CUBE")) && Peek(1).IsSymbol("(")) {
            const Token& kw = Advance();
            const bool cube = kw.Is("CUBE");
            Advance();
            std::vector<std::vector<size_t>> items;
            do {
              std::vector<size_t> item;
              WH_RETURN_IF_ERROR(list(&item));
              items.push_back(item);
            } while (AcceptSymbol(","));
            WH_RETURN_IF_ERROR(ExpectSymbol(")"));
            if (cube && items.size() > 12) return Error(kw, "CUBE of more than 12 expressions");
            if (cube) {  // every subset, the largest first
              for (size_t m = (size_t{1} << items.size()); m-- > 0;) {
                std::vector<size_t> set;
                for (size_t k = 0; k < items.size(); ++k)
                  if (m >> (items.size() - 1 - k) & 1) set.insert(set.end(), items[k].begin(), items[k].end());
                element.push_back(set);
              }
            } else {  // (a, b, c), (a, b), (a), ()
              for (size_t n = items.size() + 1; n-- > 0;) {
                std::vector<size_t> set;
                for (size_t k = 0; k < n; ++k) set.insert(set.end(), items[k].begin(), items[k].end());
                element.push_back(set);
              }
            }
            special = true;
          } else if (Peek().Is("GROUPING") && Peek(1).Is("SETS")) {
            Advance();
            Advance();
            WH_RETURN_IF_ERROR(ExpectSymbol("("));
            do {
              std::vector<size_t> set;
              WH_RETURN_IF_ERROR(list(&set));
              element.push_back(set);
            } while (AcceptSymbol(","));
            WH_RETURN_IF_ERROR(ExpectSymbol(")"));
            special = true;
          } else {
            WH_ASSIGN_OR_RETURN(size_t i, expr());
            element.push_back({i});
          }
          std::vector<std::vector<size_t>> product;
          for (const auto& a : sets)
            for (const auto& b : element) {
              std::vector<size_t> both = a;
              both.insert(both.end(), b.begin(), b.end());
              product.push_back(both);
            }
          if (product.size() > 4096) return Error(Peek(), "more than 4,096 grouping sets");
          sets = std::move(product);
        } while (AcceptSymbol(","));
        if (special) s->grouping_sets = std::move(sets);
      }
    }
    if (AcceptKeyword("HAVING")) {
      WH_ASSIGN_OR_RETURN(s->having, Expression());
    }
    if (AcceptKeyword("WINDOW")) {  // WINDOW w AS (...), v AS (...)
      do {
        const Token& name = Peek();
        WH_ASSIGN_OR_RETURN(std::string n, Identifier("window name"));
        for (const auto& [prev, def] : s->windows)
          if (prev == n) return Error(name, "window '" + n + "' is defined twice");
        WH_RETURN_IF_ERROR(ExpectKeyword("AS"));
        WH_ASSIGN_OR_RETURN(auto def, Window());
        s->windows.emplace_back(n, std::move(def));
      } while (AcceptSymbol(","));
    }
    if (AcceptKeyword("QUALIFY")) {
      WH_ASSIGN_OR_RETURN(s->qualify, Expression());
    }
    return s;
  }

  // Column aliases keep the case they are written with; they match ignoring case.
  Result<std::string> AliasName() {
    const Token& t = Peek();
    if (t.kind != TokenKind::kIdent && t.kind != TokenKind::kQuotedIdent)
      return Expected("an alias");
    Advance();
    return t.text;
  }

  Result<TableRefPtr> FromClause() {
    WH_ASSIGN_OR_RETURN(TableRefPtr left, TablePrimary());
    while (true) {
      const Token& at = Peek();
      TableRef::JoinType type;
      if (AcceptSymbol(",")) {
        type = TableRef::kCross;
      } else if (AcceptKeyword("CROSS")) {
        WH_RETURN_IF_ERROR(ExpectKeyword("JOIN"));
        type = TableRef::kCross;
      } else if (AcceptKeyword("JOIN")) {
        type = TableRef::kInner;
      } else if (AcceptKeyword("INNER")) {
        WH_RETURN_IF_ERROR(ExpectKeyword("JOIN"));
        type = TableRef::kInner;
      } else if (Peek().Is("LEFT") || Peek().Is("RIGHT") || Peek().Is("FULL")) {
        const Token& k = Advance();
        type = k.Is("LEFT") ? TableRef::kLeft : k.Is("RIGHT") ? TableRef::kRight : TableRef::kFull;
        AcceptKeyword("OUTER");
        WH_RETURN_IF_ERROR(ExpectKeyword("JOIN"));
      } else if (Peek().Is("NATURAL")) {
        return Error(Peek(), "NATURAL JOIN is not supported; name the columns with USING (...)");
      } else if (Peek().Is("LATERAL") && Peek(1).Is("VIEW")) {
        WH_ASSIGN_OR_RETURN(left, LateralView(std::move(left)));
        continue;
      } else {
        break;
      }
      auto j = std::make_unique<TableRef>();
      j->kind = TableRef::kJoin;
      j->pos = at.pos;
      j->join_type = type;
      j->left = std::move(left);
      WH_ASSIGN_OR_RETURN(j->right, TablePrimary());
      if (type != TableRef::kCross) {
        if (AcceptKeyword("ON")) {
          WH_ASSIGN_OR_RETURN(j->on, Expression());
        } else if (AcceptKeyword("USING")) {
          WH_RETURN_IF_ERROR(ExpectSymbol("("));
          do {
            j->using_pos.push_back(Peek().pos);
            WH_ASSIGN_OR_RETURN(std::string c, Identifier("column name"));
            j->using_columns.push_back(c);
          } while (AcceptSymbol(","));
          WH_RETURN_IF_ERROR(ExpectSymbol(")"));
        } else {
          return Expected("ON <condition> or USING (<columns>) after the joined table");
        }
      }
      left = std::move(j);
    }
    return left;
  }

  // Spark's `t LATERAL VIEW [OUTER] explode(x) [u] AS c`: a join of t with unnest(x) AS u(c)
  // (LEFT JOIN ... ON true when OUTER).
  __attribute__((noinline)) Result<TableRefPtr> LateralView(TableRefPtr left) {
    auto j = std::make_unique<TableRef>();
    j->kind = TableRef::kJoin;
    j->pos = Peek().pos;
    Advance();  // LATERAL
    Advance();  // VIEW
    j->join_type = AcceptKeyword("OUTER") ? TableRef::kLeft : TableRef::kCross;
    j->left = std::move(left);
    auto f = std::make_unique<TableRef>();
    f->pos = Peek().pos;
    const Token& name = Peek();
    if (Peek().kind != TokenKind::kIdent || !Peek(1).IsSymbol("(")) return Expected("explode(...) after LATERAL VIEW");
    WH_RETURN_IF_ERROR(TableFunction(f.get()));
    if (f->name != "EXPLODE" && f->name != "UNNEST")
      return Error(name, "LATERAL VIEW takes explode(...); " + ToLower(f->name) + "(...) is not supported");
    if (Peek().kind == TokenKind::kIdent && !Peek().Is("AS")) {
      WH_ASSIGN_OR_RETURN(f->alias, Identifier("table alias"));
    }
    if (AcceptKeyword("AS")) {
      do {
        WH_ASSIGN_OR_RETURN(std::string c, NameAsWritten("column alias"));
        f->column_aliases.push_back(c);
      } while (AcceptSymbol(","));
    }
    j->right = std::move(f);
    return TableRefPtr(std::move(j));
  }

  // name(arg, ..., param = value, ...) in FROM (also param := value).
  Status TableFunction(TableRef* t) {
    t->kind = TableRef::kFunction;
    t->name = Advance().text;
    for (auto& ch : t->name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    Advance();  // (
    if (AcceptSymbol(")")) return Status::OK();
    do {
      std::string name;
      if ((Peek().kind == TokenKind::kIdent || Peek().kind == TokenKind::kQuotedIdent) &&
          (Peek(1).IsSymbol("=") || Peek(1).IsSymbol(":="))) {
        name = ToLower(Advance().text);
        Advance();
      }
      WH_ASSIGN_OR_RETURN(ExprPtr e, Expression());
      t->args.push_back(std::move(e));
      t->arg_names.push_back(name);
    } while (AcceptSymbol(","));
    return ExpectSymbol(")");
  }

  Result<TableRefPtr> TablePrimary() {
    DepthGuard g(&depth_);
    if (depth_ > kMaxDepth) return TooDeep();
    auto t = std::make_unique<TableRef>();
    t->pos = Peek().pos;
    if (Peek().Is("LATERAL") && (Peek(1).Is("UNNEST") || Peek(1).Is("EXPLODE")) && Peek(2).IsSymbol("(")) {
      Advance();  // CROSS JOIN LATERAL unnest(t.x): unnest(...) reads the rows before it anyway
    } else if (AcceptKeyword("LATERAL")) {
      if (!Peek().IsSymbol("(") || !(Peek(1).Is("SELECT") || Peek(1).Is("WITH") || Peek(1).Is("VALUES") || Peek(1).Is("FROM")))
        return Expected("a subquery in parentheses after LATERAL");
      t->lateral = true;
    }
    if (AcceptSymbol("(")) {
      if (Peek().Is("SELECT") || Peek().Is("WITH") || Peek().Is("VALUES") || Peek().Is("FROM") || Peek().IsSymbol("(")) {
        t->kind = TableRef::kSubquery;
        WH_ASSIGN_OR_RETURN(t->subquery, Query());
        WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      } else if (!t->lateral && (Peek().Is("DESCRIBE") || Peek().Is("DESC") || Peek().Is("SHOW"))) {
        // (DESCRIBE t), (SHOW TABLES): their rows, as DuckDB reads them
        t->kind = TableRef::kStatement;
        WH_ASSIGN_OR_RETURN(Statement inner, ParseStatement());
        t->statement = std::make_shared<Statement>(std::move(inner));
        WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      } else {
        WH_ASSIGN_OR_RETURN(TableRefPtr inner, FromClause());
        WH_RETURN_IF_ERROR(ExpectSymbol(")"));
        return inner;
      }
    } else if (Peek().kind == TokenKind::kString) {  // FROM 'events.csv'
      t->kind = TableRef::kFunction;
      auto path = std::make_unique<Expr>();
      path->kind = Expr::kString;
      path->pos = Peek().pos;
      path->name = Advance().text;
      t->args.push_back(std::move(path));
      t->arg_names.emplace_back();
    } else if (Peek().kind == TokenKind::kIdent && Peek(1).IsSymbol("(") && !IsReserved(Peek())) {
      WH_RETURN_IF_ERROR(TableFunction(t.get()));
    } else {
      t->kind = TableRef::kTable;
      WH_ASSIGN_OR_RETURN(t->name, Identifier("table name"));
    }
    if (AcceptKeyword("AS")) {
      WH_ASSIGN_OR_RETURN(t->alias, Identifier("table alias"));
    } else if ((Peek().kind == TokenKind::kIdent && !IsReserved(Peek())) ||
               Peek().kind == TokenKind::kQuotedIdent) {
      WH_ASSIGN_OR_RETURN(t->alias, Identifier("table alias"));
    }
    if (!t->alias.empty() && AcceptSymbol("(")) {  // alias(c1, c2, ...)
      do {
        WH_ASSIGN_OR_RETURN(std::string c, NameAsWritten("column alias"));
        t->column_aliases.push_back(c);
      } while (AcceptSymbol(","));
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
    }
    if (t->kind == TableRef::kSubquery && t->alias.empty()) t->alias = "";
    return t;
  }

  // Expressions, by precedence: OR < AND < NOT < comparison < + - || < * / % < unary < primary.
  // Nesting is bounded so that no input can exhaust the stack (found by the SQL fuzzer).
  static constexpr int kMaxDepth = 400;
  struct DepthGuard {
    int* depth;
    explicit DepthGuard(int* d) : depth(d) { ++*depth; }
    ~DepthGuard() { --*depth; }
  };
  // A left-deep chain (a + b + c ...) is as deep as it is long: each operator counts.
  struct ChainDepth {
    int* depth;
    int added = 0;
    explicit ChainDepth(int* d) : depth(d) {}
    bool Grow() {
      ++*depth;
      ++added;
      return *depth <= kMaxDepth;
    }
    ~ChainDepth() { *depth -= added; }
  };
  // Levels: parentheses, subqueries, NOTs, signs and chained operators (a + b + c is three).
  Status TooDeep() const {
    return Error(Peek(), "the query nests more than " + std::to_string(kMaxDepth) +
                             " levels deep (parentheses, subqueries and chained operators)");
  }

  Result<ExprPtr> Expression() {
    DepthGuard g(&depth_);
    if (depth_ > kMaxDepth) return TooDeep();
    return Or();
  }

  ExprPtr MakeBinary(const Token& op, std::string name, ExprPtr l, ExprPtr r) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::kBinary;
    e->pos = op.pos;
    e->name = std::move(name);
    e->args.push_back(std::move(l));
    e->args.push_back(std::move(r));
    return e;
  }

  // AND and OR are associative (also in three-valued logic), so a long chain (generated SQL
  // with thousands of ORs) becomes a balanced tree: its depth grows with the log of its length.
  ExprPtr Balanced(std::vector<std::pair<Token, ExprPtr>>& items, size_t lo, size_t hi, const char* name) {
    if (hi - lo == 1) return std::move(items[lo].second);
    size_t mid = (lo + hi) / 2;
    ExprPtr l = Balanced(items, lo, mid, name);
    ExprPtr r = Balanced(items, mid, hi, name);
    return MakeBinary(items[mid].first, name, std::move(l), std::move(r));
  }
  template <typename Next>
  Result<ExprPtr> LogicalChain(const char* keyword, Next next) {
    std::vector<std::pair<Token, ExprPtr>> items;
    WH_ASSIGN_OR_RETURN(ExprPtr first, next());
    items.emplace_back(Token{}, std::move(first));
    while (Peek().Is(keyword)) {
      Token op = Advance();
      WH_ASSIGN_OR_RETURN(ExprPtr r, next());
      items.emplace_back(op, std::move(r));
    }
    return Balanced(items, 0, items.size(), keyword);
  }
  Result<ExprPtr> Or() { return LogicalChain("OR", [&] { return And(); }); }
  Result<ExprPtr> And() { return LogicalChain("AND", [&] { return Not(); }); }
  Result<ExprPtr> Not() {
    if (Peek().Is("NOT")) {
      DepthGuard g(&depth_);  // each NOT is a level; an operand without one is not
      if (depth_ > kMaxDepth) return TooDeep();
      const Token& op = Advance();
      WH_ASSIGN_OR_RETURN(ExprPtr x, Not());
      auto e = std::make_unique<Expr>();
      e->kind = Expr::kUnary;
      e->pos = op.pos;
      e->name = "NOT";
      e->args.push_back(std::move(x));
      return e;
    }
    return Comparison();
  }
  Result<ExprPtr> Comparison() {
    ChainDepth chain(&depth_);
    WH_ASSIGN_OR_RETURN(ExprPtr l, Additive());
    while (true) {
      bool more = false;
      WH_ASSIGN_OR_RETURN(l, ComparisonStep(std::move(l), &more));
      if (!more) return l;
      if (!chain.Grow()) return TooDeep();
    }
  }
  // One comparison or test (IS, IN, BETWEEN, LIKE, =, ...) applied to l; *more when one was.
  // Out of line, so that the frames of deeply nested expressions stay small.
  __attribute__((noinline)) Result<ExprPtr> ComparisonStep(ExprPtr l, bool* more) {
    const Token& at = Peek();
    if (AcceptKeyword("IS")) {
      const bool not_ = AcceptKeyword("NOT");
      if (AcceptKeyword("DISTINCT")) {  // x IS [NOT] DISTINCT FROM y: = with NULLs equal
        WH_RETURN_IF_ERROR(ExpectKeyword("FROM"));
        WH_ASSIGN_OR_RETURN(ExprPtr r, Additive());
        l = MakeBinary(at, not_ ? "IS NOT DISTINCT FROM" : "IS DISTINCT FROM", std::move(l), std::move(r));
        *more = true;
        return l;
      }
      if (Peek().Is("TRUE") || Peek().Is("FALSE")) {  // x IS [NOT] TRUE / FALSE: never NULL
        const bool truth = Advance().Is("TRUE");
        auto lit = NewExpr(Expr::kBool, at);
        lit->value = truth;
        l = MakeBinary(at, not_ ? "IS DISTINCT FROM" : "IS NOT DISTINCT FROM", std::move(l), std::move(lit));
        *more = true;
        return l;
      }
      auto e = NewExpr(Expr::kIsNull, at);
      e->negated = not_;
      WH_RETURN_IF_ERROR(ExpectKeyword("NULL"));
      e->args.push_back(std::move(l));
      l = std::move(e);
      *more = true;
      return l;
    }
    bool negated = false;
    if (Peek().Is("NOT") && (Peek(1).Is("IN") || Peek(1).Is("BETWEEN") || Peek(1).Is("LIKE") ||
                             Peek(1).Is("ILIKE") || Peek(1).Is("SIMILAR") || Peek(1).Is("RLIKE") ||
                             Peek(1).Is("REGEXP"))) {
      Advance();
      negated = true;
    }
    const Token& op = Peek();
    if (AcceptKeyword("IN")) {
      auto e = NewExpr(Expr::kIn, op);
      e->negated = negated;
      e->args.push_back(std::move(l));
      WH_RETURN_IF_ERROR(ExpectSymbol("("));
      if (Peek().Is("SELECT") || Peek().Is("WITH")) {
        WH_ASSIGN_OR_RETURN(e->subquery, Query());
        WH_RETURN_IF_ERROR(ExpectSymbol(")"));
        l = std::move(e);
        *more = true;
        return l;
      }
      do {
        WH_ASSIGN_OR_RETURN(ExprPtr x, Expression());
        e->args.push_back(std::move(x));
      } while (AcceptSymbol(","));
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      l = std::move(e);
      *more = true;
      return l;
    }
    if (AcceptKeyword("BETWEEN")) {
      auto e = NewExpr(Expr::kBetween, op);
      e->negated = negated;
      e->args.push_back(std::move(l));
      WH_ASSIGN_OR_RETURN(ExprPtr lo, Additive());
      WH_RETURN_IF_ERROR(ExpectKeyword("AND"));
      WH_ASSIGN_OR_RETURN(ExprPtr hi, Additive());
      e->args.push_back(std::move(lo));
      e->args.push_back(std::move(hi));
      l = std::move(e);
      *more = true;
      return l;
    }
    if (Peek().Is("LIKE") || Peek().Is("ILIKE")) {
      Advance();
      auto e = NewExpr(Expr::kLike, op);
      e->name = op.Is("LIKE") ? "LIKE" : "ILIKE";
      e->negated = negated;
      e->args.push_back(std::move(l));
      WH_ASSIGN_OR_RETURN(ExprPtr pat, Additive());
      e->args.push_back(std::move(pat));
      if (AcceptKeyword("ESCAPE")) {
        WH_ASSIGN_OR_RETURN(ExprPtr esc, Additive());
        e->args.push_back(std::move(esc));
      }
      l = std::move(e);
      *more = true;
      return l;
    }
    if (Peek().Is("SIMILAR") || Peek().Is("RLIKE") || Peek().Is("REGEXP")) {
      // x SIMILAR TO p: p matches the whole of x (DuckDB); x RLIKE p, x REGEXP p: p matches
      // somewhere in x (Spark). Both are regular expressions (RE2).
      const bool similar = Advance().Is("SIMILAR");
      if (similar) WH_RETURN_IF_ERROR(ExpectKeyword("TO"));
      auto e = NewExpr(Expr::kFunction, op);
      e->name = similar ? "REGEXP_FULL_MATCH" : "REGEXP_MATCHES";
      e->args.push_back(std::move(l));
      WH_ASSIGN_OR_RETURN(ExprPtr pat, Additive());
      e->args.push_back(std::move(pat));
      if (negated) {
        auto n = NewExpr(Expr::kUnary, op);
        n->name = "NOT";
        n->args.push_back(std::move(e));
        l = std::move(n);
      } else {
        l = std::move(e);
      }
      *more = true;
      return l;
    }
    if (Peek().IsSymbol("<=>")) {  // Spark's null-safe equality
      const Token& t = Advance();
      WH_ASSIGN_OR_RETURN(ExprPtr r, Additive());
      l = MakeBinary(t, "IS NOT DISTINCT FROM", std::move(l), std::move(r));
      *more = true;
      return l;
    }
    static const char* kOps[] = {"=", "==", "<>", "!=", "<", "<=", ">", ">="};
    bool matched = false;
    for (const char* o : kOps) {
      if (Peek().IsSymbol(o)) {
        const Token& t = Advance();
        WH_ASSIGN_OR_RETURN(ExprPtr r, Additive());
        std::string name = o;
        if (name == "==") name = "=";
        if (name == "!=") name = "<>";
        l = MakeBinary(t, name, std::move(l), std::move(r));
        matched = true;
        break;
      }
    }
    if (matched) *more = true;
    return l;
  }

  ExprPtr NewExpr(Expr::Kind kind, const Token& at) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->pos = at.pos;
    return e;
  }

  Result<DataType> TypeName() {
    const Token& tt = Peek();
    if (tt.kind != TokenKind::kIdent) return Expected("a type name");
    Advance();
    int p = 0, sc = 0;
    bool args = false;
    if (AcceptSymbol("(")) {
      args = true;
      WH_ASSIGN_OR_RETURN(p, Integer());
      if (AcceptSymbol(",")) {
        WH_ASSIGN_OR_RETURN(sc, Integer());
      }
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
    }
    if (!args && tt.Is("ARRAY") && AcceptSymbol("<")) {  // Spark: ARRAY<T>
      WH_ASSIGN_OR_RETURN(DataType element, TypeName());
      WH_RETURN_IF_ERROR(ExpectSymbol(">"));
      if (element.is_list()) return Error(tt, "lists do not nest");
      return DataType::List(element);
    }
    auto type = ParseTypeName(tt.text, p, sc, args);
    if (!type.ok()) return Error(tt, type.status().message());
    if (Peek().IsSymbol("[") && Peek(1).IsSymbol("]")) {  // T[]: a list of T
      Advance();
      Advance();
      if (Peek().IsSymbol("[")) return Error(Peek(), "lists do not nest");
      return DataType::List(*type);
    }
    return *type;
  }

  Result<ExprPtr> Additive() {
    ChainDepth chain(&depth_);
    WH_ASSIGN_OR_RETURN(ExprPtr l, Multiplicative());
    while (Peek().IsSymbol("+") || Peek().IsSymbol("-") || Peek().IsSymbol("||")) {
      const Token& op = Advance();
      if (!chain.Grow()) return TooDeep();
      WH_ASSIGN_OR_RETURN(ExprPtr r, Multiplicative());
      l = MakeBinary(op, op.text, std::move(l), std::move(r));
    }
    return l;
  }
  Result<ExprPtr> Multiplicative() {
    ChainDepth chain(&depth_);
    WH_ASSIGN_OR_RETURN(ExprPtr l, Unary());
    while (Peek().IsSymbol("*") || Peek().IsSymbol("/") || Peek().IsSymbol("%") || Peek().IsSymbol("//") ||
           Peek().IsSymbol("->") || Peek().IsSymbol("->>")) {
      const Token& op = Advance();
      if (!chain.Grow()) return TooDeep();
      WH_ASSIGN_OR_RETURN(ExprPtr r, Unary());
      if (op.text == "->" || op.text == "->>") {  // JSON: x -> path (JSON text), x ->> path (its string)
        l = JsonArrow(op, std::move(l), std::move(r));
        continue;
      }
      l = MakeBinary(op, op.text, std::move(l), std::move(r));
    }
    return l;
  }
  __attribute__((noinline)) ExprPtr JsonArrow(const Token& op, ExprPtr l, ExprPtr r) {
    auto f = NewExpr(Expr::kFunction, op);
    f->name = op.text == "->" ? "JSON_EXTRACT" : "JSON_EXTRACT_STRING";
    f->args.push_back(std::move(l));
    f->args.push_back(std::move(r));
    return f;
  }
  Result<ExprPtr> Unary() {
    if (Peek().IsSymbol("-") || Peek().IsSymbol("+")) {
      DepthGuard g(&depth_);  // each sign is a level
      if (depth_ > kMaxDepth) return TooDeep();
      const Token& op = Advance();
      WH_ASSIGN_OR_RETURN(ExprPtr x, Unary());
      auto e = std::make_unique<Expr>();
      e->kind = Expr::kUnary;
      e->pos = op.pos;
      e->name = op.text;
      e->args.push_back(std::move(x));
      return e;
    }
    WH_ASSIGN_OR_RETURN(ExprPtr x, Primary());
    while (Peek().IsSymbol("::") || Peek().IsSymbol("[")) {
      const Token& op = Advance();
      if (op.text == "[") {
        WH_ASSIGN_OR_RETURN(x, Subscript(op, std::move(x)));
        continue;
      }
      auto c = NewExpr(Expr::kCast, op);
      WH_ASSIGN_OR_RETURN(c->type, TypeName());
      c->args.push_back(std::move(x));
      x = std::move(c);
    }
    return x;
  }
  // x[i] (LIST_EXTRACT) or x[a:b] (LIST_SLICE; a bound left out is the first / last), after the [.
  __attribute__((noinline)) Result<ExprPtr> Subscript(const Token& open, ExprPtr x) {
    auto f = NewExpr(Expr::kFunction, open);
    f->args.push_back(std::move(x));
    auto bound = [&](const char* end, int64_t missing) -> Result<ExprPtr> {
      if (Peek().IsSymbol(end)) {
        auto n = NewExpr(Expr::kNumber, Peek());
        n->name = std::to_string(missing);
        return n;
      }
      return Expression();
    };
    WH_ASSIGN_OR_RETURN(ExprPtr first, bound(":", 1));
    f->args.push_back(std::move(first));
    if (AcceptSymbol(":")) {
      f->name = "LIST_SLICE";
      WH_ASSIGN_OR_RETURN(ExprPtr last, bound("]", -1));
      f->args.push_back(std::move(last));
    } else {
      f->name = "LIST_EXTRACT";
    }
    WH_RETURN_IF_ERROR(ExpectSymbol("]"));
    return f;
  }
  // [a, b, ...] (and ARRAY[a, b, ...]): LIST_VALUE(a, b, ...), after the [.
  __attribute__((noinline)) Result<ExprPtr> ListLiteral(const Token& open) {
    auto f = NewExpr(Expr::kFunction, open);
    f->name = "LIST_VALUE";
    if (!AcceptSymbol("]")) {
      do {
        WH_ASSIGN_OR_RETURN(ExprPtr e, Expression());
        f->args.push_back(std::move(e));
      } while (AcceptSymbol(","));
      WH_RETURN_IF_ERROR(ExpectSymbol("]"));
    }
    return f;
  }
  Result<ExprPtr> Primary() {
    // The path that nests (a parenthesized expression) in a small frame; the rest out of line.
    if (Peek().IsSymbol("(") && !Peek(1).Is("SELECT") && !Peek(1).Is("WITH")) {
      Advance();
      WH_ASSIGN_OR_RETURN(ExprPtr x, Expression());
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      return x;
    }
    return PrimaryRest();
  }
  __attribute__((noinline)) Result<ExprPtr> PrimaryRest() {
    const Token& t = Peek();
    auto e = std::make_unique<Expr>();
    e->pos = t.pos;
    if (t.kind == TokenKind::kNumber) {
      Advance();
      e->kind = Expr::kNumber;
      e->name = t.text;
      return e;
    }
    if (t.kind == TokenKind::kString) {
      Advance();
      e->kind = Expr::kString;
      e->name = t.text;
      return e;
    }
    if (t.IsSymbol("*")) {
      Advance();
      e->kind = Expr::kStar;
      return e;
    }
    if (t.IsSymbol("[") || (t.Is("ARRAY") && Peek(1).IsSymbol("["))) {
      if (t.Is("ARRAY")) Advance();
      return ListLiteral(Advance());
    }
    if (t.IsSymbol("(") && (Peek(1).Is("SELECT") || Peek(1).Is("WITH"))) {
      Advance();
      e->kind = Expr::kSubquery;
      WH_ASSIGN_OR_RETURN(e->subquery, Query());
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      return e;
    }
    if (t.Is("EXISTS") && Peek(1).IsSymbol("(")) {
      Advance();
      Advance();
      e->kind = Expr::kExists;
      if (!Peek().Is("SELECT") && !Peek().Is("WITH")) return Expected("a query (SELECT ...) after EXISTS (");
      WH_ASSIGN_OR_RETURN(e->subquery, Query());
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      return e;
    }
    if (t.IsSymbol("(")) {
      Advance();
      WH_ASSIGN_OR_RETURN(ExprPtr x, Expression());
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      return x;
    }
    if (t.kind == TokenKind::kQuotedIdent) {
      Advance();
      e->kind = Expr::kColumn;
      e->name = ToLower(t.text);
      // "x" (not `x`): if no column has that name, the error says that 'x' is a string.
      e->quoted = t.pos.offset < sql_.size() && sql_[t.pos.offset] == '"';
      return ColumnTail(std::move(e));
    }
    if (t.kind != TokenKind::kIdent) return Expected("an expression");
    if (t.Is("NULL")) { Advance(); e->kind = Expr::kNull; return e; }
    if (t.Is("TRUE") || t.Is("FALSE")) {
      Advance();
      e->kind = Expr::kBool;
      e->value = t.Is("TRUE");
      return e;
    }
    if ((t.Is("DATE") || t.Is("TIMESTAMP")) && Peek(1).kind == TokenKind::kString) {
      Advance();
      const Token& lit = Advance();
      e->kind = Expr::kTypedLiteral;
      e->type = t.Is("DATE") ? DataType::Date() : DataType::Timestamp();
      e->name = lit.text;
      return e;
    }
    if ((t.Is("CAST") || t.Is("TRY_CAST")) && Peek(1).IsSymbol("(")) {
      Advance();
      Advance();
      e->kind = Expr::kCast;
      e->try_cast = t.Is("TRY_CAST");
      WH_ASSIGN_OR_RETURN(ExprPtr x, Expression());
      WH_RETURN_IF_ERROR(ExpectKeyword("AS"));
      WH_ASSIGN_OR_RETURN(e->type, TypeName());
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      e->args.push_back(std::move(x));
      return e;
    }
    if (t.Is("CASE")) {
      Advance();
      e->kind = Expr::kCase;
      if (!Peek().Is("WHEN")) {
        e->has_operand = true;
        WH_ASSIGN_OR_RETURN(ExprPtr x, Expression());
        e->args.push_back(std::move(x));
      }
      if (!Peek().Is("WHEN")) return Expected("WHEN");
      while (AcceptKeyword("WHEN")) {
        WH_ASSIGN_OR_RETURN(ExprPtr w, Expression());
        WH_RETURN_IF_ERROR(ExpectKeyword("THEN"));
        WH_ASSIGN_OR_RETURN(ExprPtr th, Expression());
        e->args.push_back(std::move(w));
        e->args.push_back(std::move(th));
      }
      if (AcceptKeyword("ELSE")) {
        e->has_else = true;
        WH_ASSIGN_OR_RETURN(ExprPtr x, Expression());
        e->args.push_back(std::move(x));
      }
      WH_RETURN_IF_ERROR(ExpectKeyword("END"));
      return e;
    }
    if (t.Is("INTERVAL")) {
      Advance();
      e->kind = Expr::kInterval;
      ExprPtr n;
      if (Peek().kind == TokenKind::kString) {
        // INTERVAL '90 days' or INTERVAL '90' DAY
        const Token& lit = Advance();
        std::string text = lit.text;
        size_t sp = text.find_first_of(" \t");
        auto num = std::make_unique<Expr>();
        num->kind = Expr::kNumber;
        num->pos = lit.pos;
        num->name = text.substr(0, sp);
        size_t unit_at = sp == std::string::npos ? sp : text.find_first_not_of(" \t", sp);
        if (unit_at != std::string::npos) {  // (found by the SQL fuzzer: '90 ' threw)
          std::string unit = text.substr(unit_at);
          for (auto& ch : unit) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
          e->name = unit;
        }
        n = std::move(num);
      } else {
        WH_ASSIGN_OR_RETURN(n, Unary());
      }
      e->args.push_back(std::move(n));
      if (e->name.empty()) {
        const Token& u = Peek();
        if (u.kind != TokenKind::kIdent) return Expected("an interval unit (DAY, HOUR, MINUTE, SECOND, WEEK, MONTH, YEAR)");
        Advance();
        e->name = u.text;
        for (auto& ch : e->name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      }
      if (e->name.size() > 1 && e->name.back() == 'S') e->name.pop_back();
      static const char* kUnits[] = {"DAY", "HOUR", "MINUTE", "SECOND", "WEEK", "MONTH", "YEAR"};
      bool known = false;
      for (const char* u : kUnits) known = known || e->name == u;
      if (!known)
        return Error(t, "unknown interval unit '" + e->name +
                            "' (expected DAY, HOUR, MINUTE, SECOND, WEEK, MONTH or YEAR)");
      return e;
    }
    if (t.Is("POSITION") && Peek(1).IsSymbol("(")) {
      // POSITION(sub IN s) (standard SQL, DuckDB), or Spark's POSITION(sub, s [, from]).
      Advance();
      Advance();
      e->kind = Expr::kFunction;
      WH_ASSIGN_OR_RETURN(ExprPtr sub, Additive());
      if (AcceptKeyword("IN")) {
        WH_ASSIGN_OR_RETURN(ExprPtr str, Additive());
        e->name = "STRPOS";
        e->args.push_back(std::move(str));
        e->args.push_back(std::move(sub));
      } else {
        e->name = "LOCATE";
        e->args.push_back(std::move(sub));
        while (AcceptSymbol(",")) {
          WH_ASSIGN_OR_RETURN(ExprPtr a, Expression());
          e->args.push_back(std::move(a));
        }
      }
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      return e;
    }
    if (t.Is("EXTRACT") && Peek(1).IsSymbol("(")) {
      Advance();
      Advance();
      const Token& f = Peek();
      if (f.kind != TokenKind::kIdent) return Expected("a date part (YEAR, MONTH, DAY, HOUR, ...)");
      Advance();
      WH_RETURN_IF_ERROR(ExpectKeyword("FROM"));
      WH_ASSIGN_OR_RETURN(ExprPtr x, Expression());
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      e->kind = Expr::kFunction;
      e->name = "DATE_PART";
      auto part = std::make_unique<Expr>();
      part->kind = Expr::kString;
      part->pos = f.pos;
      part->name = ToLower(f.text);
      e->args.push_back(std::move(part));
      e->args.push_back(std::move(x));
      return e;
    }
    if ((t.Is("CURRENT_DATE") || t.Is("CURRENT_TIMESTAMP")) && !Peek(1).IsSymbol("(")) {
      Advance();
      e->kind = Expr::kFunction;
      e->name = t.Is("CURRENT_DATE") ? "CURRENT_DATE" : "CURRENT_TIMESTAMP";
      return e;
    }
    if (IsReserved(t) && !Peek(1).IsSymbol("(")) return Expected("an expression");
    Advance();
    if (AcceptSymbol("(")) {
      e->kind = Expr::kFunction;
      e->name = t.text;
      for (auto& ch : e->name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      WH_RETURN_IF_ERROR(FunctionCallTail(e.get()));
      return e;
    }
    e->kind = Expr::kColumn;
    e->name = ToLower(t.text);
    return ColumnTail(std::move(e));
  }

  // A function call after its "(": [DISTINCT] arguments, an ORDER BY inside, WITHIN GROUP,
  // FILTER and OVER. Out of line: nested calls keep small frames.
  __attribute__((noinline)) Status FunctionCallTail(Expr* e) {
    if (!AcceptSymbol(")")) {
      if (AcceptKeyword("DISTINCT")) {
        e->distinct = true;
      } else {
        AcceptKeyword("ALL");
      }
      do {
        WH_ASSIGN_OR_RETURN(ExprPtr a, Expression());
        e->args.push_back(std::move(a));
      } while (AcceptSymbol(","));
      if (AcceptKeyword("ORDER")) {  // string_agg(x, ',' ORDER BY y)
        WH_RETURN_IF_ERROR(ExpectKeyword("BY"));
        e->agg = std::make_shared<AggregateExtras>();
        WH_RETURN_IF_ERROR(OrderItems(&e->agg->order));
      }
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
    }
    if (Peek().Is("WITHIN") && Peek(1).Is("GROUP")) {  // percentile_cont(0.5) WITHIN GROUP (ORDER BY x)
      Advance();
      Advance();
      if (!e->agg) e->agg = std::make_shared<AggregateExtras>();
      if (!e->agg->order.empty()) return Error(Peek(), "ORDER BY both inside the call and in WITHIN GROUP");
      WH_RETURN_IF_ERROR(ExpectSymbol("("));
      WH_RETURN_IF_ERROR(ExpectKeyword("ORDER"));
      WH_RETURN_IF_ERROR(ExpectKeyword("BY"));
      WH_RETURN_IF_ERROR(OrderItems(&e->agg->order));
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      if (e->agg->order.size() != 1) return Error(Peek(), "WITHIN GROUP takes one ORDER BY expression");
      e->agg->within_group = true;
    }
    if (Peek().Is("FILTER") && Peek(1).IsSymbol("(")) {  // agg(...) FILTER (WHERE cond)
      Advance();
      Advance();
      if (!e->agg) e->agg = std::make_shared<AggregateExtras>();
      AcceptKeyword("WHERE");  // DuckDB allows FILTER (cond)
      WH_ASSIGN_OR_RETURN(e->agg->filter, Expression());
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
    }
    if (Peek().Is("OVER")) {
      Advance();
      WH_ASSIGN_OR_RETURN(e->over, Window());
    }
    return Status::OK();
  }

  // e [ASC|DESC] [NULLS FIRST|LAST], ...
  Status OrderItems(std::vector<OrderItem>* out, bool allow_all = false) {
    do {
      OrderItem it;
      if (allow_all && out->empty() && Peek().Is("ALL")) {
        Advance();
        it.all = true;
      } else {
        WH_ASSIGN_OR_RETURN(it.expr, Expression());
      }
      if (AcceptKeyword("DESC")) {
        it.desc = true;
      } else {
        AcceptKeyword("ASC");
      }
      if (AcceptKeyword("NULLS")) {
        if (AcceptKeyword("FIRST")) {
          it.nulls_first = 1;
        } else {
          WH_RETURN_IF_ERROR(ExpectKeyword("LAST"));
          it.nulls_first = 0;
        }
      }
      out->push_back(std::move(it));
    } while (AcceptSymbol(","));
    return Status::OK();
  }

  // The window after OVER: ( [PARTITION BY ...] [ORDER BY ...] [frame] ).
  Result<std::shared_ptr<WindowDef>> Window() {
    auto w = std::make_shared<WindowDef>();
    w->pos = Peek().pos;
    if (Peek().kind == TokenKind::kIdent && !Peek(1).IsSymbol("(")) {  // OVER w: a window of WINDOW w AS (...)
      w->ref = ToLower(Advance().text);
      return w;
    }
    WH_RETURN_IF_ERROR(ExpectSymbol("("));
    if ((Peek().kind == TokenKind::kIdent || Peek().kind == TokenKind::kQuotedIdent) && !Peek().Is("PARTITION") &&
        !Peek().Is("ORDER") && !Peek().Is("ROWS") && !Peek().Is("RANGE"))
      w->ref = ToLower(Advance().text);  // OVER (w ORDER BY ...): w's partitioning and more
    if (AcceptKeyword("PARTITION")) {
      WH_RETURN_IF_ERROR(ExpectKeyword("BY"));
      do {
        WH_ASSIGN_OR_RETURN(ExprPtr x, Expression());
        w->partition.push_back(std::move(x));
      } while (AcceptSymbol(","));
    }
    if (AcceptKeyword("ORDER")) {
      WH_RETURN_IF_ERROR(ExpectKeyword("BY"));
      WH_RETURN_IF_ERROR(OrderItems(&w->order));
    }
    if (Peek().Is("ROWS") || Peek().Is("RANGE")) {
      w->has_frame = true;
      w->rows = Peek().Is("ROWS");
      const Token& kw = Peek();
      Advance();
      if (AcceptKeyword("BETWEEN")) {
        WH_ASSIGN_OR_RETURN(w->start, Bound(w->rows));
        WH_RETURN_IF_ERROR(ExpectKeyword("AND"));
        WH_ASSIGN_OR_RETURN(w->end, Bound(w->rows));
      } else {  // ROWS n PRECEDING = BETWEEN n PRECEDING AND CURRENT ROW
        WH_ASSIGN_OR_RETURN(w->start, Bound(w->rows));
        w->end.kind = FrameBound::kCurrentRow;
      }
      auto rank = [](const FrameBound& b) {
        return b.kind == FrameBound::kPreceding ? -b.offset : b.kind == FrameBound::kFollowing ? b.offset : 0;
      };
      auto order = [](const FrameBound& b) { return static_cast<int>(b.kind); };
      if (w->start.kind == FrameBound::kUnboundedFollowing || w->end.kind == FrameBound::kUnboundedPreceding ||
          (w->start.kind != FrameBound::kUnboundedPreceding && w->end.kind != FrameBound::kUnboundedFollowing &&
           (w->rows ? rank(w->start) > rank(w->end) : order(w->start) > order(w->end))))
        return Error(kw, "the frame starts after it ends");
    }
    WH_RETURN_IF_ERROR(ExpectSymbol(")"));
    return w;
  }

  Result<FrameBound> Bound(bool rows) {
    FrameBound b;
    if (AcceptKeyword("UNBOUNDED")) {
      if (AcceptKeyword("PRECEDING")) {
        b.kind = FrameBound::kUnboundedPreceding;
      } else {
        WH_RETURN_IF_ERROR(ExpectKeyword("FOLLOWING"));
        b.kind = FrameBound::kUnboundedFollowing;
      }
      return b;
    }
    if (AcceptKeyword("CURRENT")) {
      WH_RETURN_IF_ERROR(ExpectKeyword("ROW"));
      b.kind = FrameBound::kCurrentRow;
      return b;
    }
    if (!rows) {  // RANGE: an offset of the ORDER BY value, a number or an INTERVAL
      WH_ASSIGN_OR_RETURN(ExprPtr v, Expression());
      b.value = std::shared_ptr<Expr>(std::move(v));
    } else {
      const Token& n = Peek();
      if (n.kind != TokenKind::kNumber || n.text.find_first_not_of("0123456789") != std::string::npos)
        return Expected("UNBOUNDED, CURRENT ROW or a row count");
      Advance();
      auto [ptr, ec] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), b.offset);
      if (ec != std::errc() || ptr != n.text.data() + n.text.size() || b.offset > 1000000000)
        return Error(n, "frame offset '" + n.text + "' is too large");
    }
    if (AcceptKeyword("PRECEDING")) {
      b.kind = FrameBound::kPreceding;
    } else {
      WH_RETURN_IF_ERROR(ExpectKeyword("FOLLOWING"));
      b.kind = FrameBound::kFollowing;
    }
    return b;
  }

  Result<ExprPtr> ColumnTail(ExprPtr e) {
    if (AcceptSymbol(".")) {  // qualified name: table.column or table.*
      if (AcceptSymbol("*")) {
        e->kind = Expr::kStar;
        e->qualifier = e->name;
        e->name.clear();
        return e;
      }
      const Token& c = Peek();
      if (c.kind != TokenKind::kIdent && c.kind != TokenKind::kQuotedIdent) return Expected("a column name");
      Advance();
      e->qualifier = e->name;
      e->name = ToLower(c.text);
      e->quoted = false;
    }
    return e;
  }

  const std::string& sql_;
  std::vector<Token> t_;
  size_t p_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<std::vector<Statement>> ParseSql(const std::string& sql) {
  WH_ASSIGN_OR_RETURN(auto toks, Tokenize(sql));
  Parser p(sql, std::move(toks));
  return p.Script();
}

Result<PartitionExpr> ToPartitionExpr(const Expr& e, const std::vector<ColumnDef>& cols,
                                      const std::string& sql) {
  auto error = [&](const std::string& msg) {
    return Status::InvalidArgument(SqlErrorMessage(sql, e.pos, msg));
  };
  PartitionExpr out;
  switch (e.kind) {
    case Expr::kColumn: {
      for (size_t i = 0; i < cols.size(); ++i) {
        if (ToLower(cols[i].name) == e.name) {
          out.kind = PartitionExpr::kColumn;
          out.column = static_cast<uint32_t>(i);
          return out;
        }
      }
      return error("no column '" + e.name + "' in the table");
    }
    case Expr::kCast:
      if (e.type.id != TypeId::kDate) return error("a partition expression can only CAST to DATE");
      out.kind = PartitionExpr::kCastDate;
      break;
    case Expr::kFunction:
      if (e.name == "DATE" || e.name == "TO_DATE") {
        out.kind = PartitionExpr::kCastDate;
        if (e.args.size() != 1) return error(e.name + " takes one argument");
      } else if (e.name == "LEAST") {
        out.kind = PartitionExpr::kLeast;
      } else if (e.name == "GREATEST") {
        out.kind = PartitionExpr::kGreatest;
      } else if (e.name == "COALESCE") {
        out.kind = PartitionExpr::kCoalesce;
      } else if (e.name == "EPOCH_MS" || e.name == "TIMESTAMP_MILLIS" || e.name == "TIMESTAMP_SECONDS" ||
                 e.name == "TO_TIMESTAMP" || e.name == "TIMESTAMP_MICROS") {
        out.kind = PartitionExpr::kFromEpoch;
        out.unit = e.name == "TIMESTAMP_SECONDS" || e.name == "TO_TIMESTAMP" ? 0 : e.name == "TIMESTAMP_MICROS" ? 2 : 1;
        if (e.args.size() != 1) return error(e.name + " takes one argument (a number of " +
                                             (out.unit == 0 ? "seconds" : out.unit == 1 ? "milliseconds" : "microseconds") + ")");
      } else if (e.name == "DATE_TRUNC") {
        out.kind = PartitionExpr::kDateTrunc;
        if (e.args.size() != 2 || e.args[0]->kind != Expr::kString)
          return error("DATE_TRUNC takes a unit ('day', 'week', 'month', 'quarter' or 'year') and a DATE or TIMESTAMP");
        const std::string u = ToLower(e.args[0]->name);
        static const char* kUnits[] = {"day", "week", "month", "quarter", "year"};
        int found = -1;
        for (int k = 0; k < 5; ++k)
          if (u == kUnits[k]) found = k;
        if (found < 0) return error("DATE_TRUNC's unit in a partition expression is 'day', 'week', 'month', 'quarter' or 'year', not '" + u + "'");
        out.unit = static_cast<uint8_t>(found);
        WH_ASSIGN_OR_RETURN(PartitionExpr pa, ToPartitionExpr(*e.args[1], cols, sql));
        out.args.push_back(std::move(pa));
        return out;
      } else {
        return error("function " + e.name + " is not supported in a partition expression (use "
                     "CAST(x AS DATE), DATE(x), LEAST, GREATEST, COALESCE, DATE_TRUNC over DATE/TIMESTAMP "
                     "columns, and EPOCH_MS, TIMESTAMP_SECONDS, TIMESTAMP_MICROS over INT/BIGINT ones)");
      }
      if (e.args.empty()) return error(e.name + " needs arguments");
      break;
    default:
      return error("a partition expression is built from columns, CAST(x AS DATE), DATE(x), "
                   "LEAST, GREATEST, COALESCE, DATE_TRUNC, EPOCH_MS, TIMESTAMP_SECONDS and TIMESTAMP_MICROS");
  }
  for (const auto& a : e.args) {
    WH_ASSIGN_OR_RETURN(PartitionExpr pa, ToPartitionExpr(*a, cols, sql));
    out.args.push_back(std::move(pa));
  }
  return out;
}

}  // namespace wh
