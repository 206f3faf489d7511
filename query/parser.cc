#include "query/parser.h"

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
    const Token& t = Peek();
    if (t.kind != TokenKind::kIdent && t.kind != TokenKind::kQuotedIdent)
      return Expected(std::string(what));
    Advance();
    Status st = ValidateIdentifier(t.text, what);
    if (!st.ok()) return Error(t, st.message());
    return ToLower(t.text);
  }

  Result<Statement> ParseStatement() {
    const Token& first = Peek();
    Statement s;
    s.pos = first.pos;
    if (AcceptKeyword("CREATE")) {
      if (!AcceptKeyword("TABLE")) return Expected("TABLE after CREATE (views come with the query engine)");
      return CreateTable(std::move(s));
    }
    if (AcceptKeyword("DROP")) {
      WH_RETURN_IF_ERROR(ExpectKeyword("TABLE"));
      s.kind = Statement::kDropTable;
      if (AcceptKeyword("IF")) {
        WH_RETURN_IF_ERROR(ExpectKeyword("EXISTS"));
        s.if_exists = true;
      }
      s.table_pos = Peek().pos;
      WH_ASSIGN_OR_RETURN(s.table, Identifier("table name"));
      return s;
    }
    if (AcceptKeyword("SHOW")) {
      WH_RETURN_IF_ERROR(ExpectKeyword("TABLES"));
      s.kind = Statement::kShowTables;
      return s;
    }
    if (AcceptKeyword("DESCRIBE") || AcceptKeyword("DESC")) {
      AcceptKeyword("TABLE");
      s.kind = Statement::kDescribe;
      s.table_pos = Peek().pos;
      WH_ASSIGN_OR_RETURN(s.table, Identifier("table name"));
      return s;
    }
    if (AcceptKeyword("SELECT")) return Select(std::move(s));
    return Error(first, "expected a statement (CREATE TABLE, DROP TABLE, SHOW TABLES, DESCRIBE, "
                        "SELECT), found " + first.Describe());
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
    WH_RETURN_IF_ERROR(ExpectSymbol("("));
    do {
      ColumnDefAst c;
      c.pos = Peek().pos;
      WH_ASSIGN_OR_RETURN(c.def.name, Identifier("column name"));
      const Token& tt = Peek();
      if (tt.kind != TokenKind::kIdent) return Expected("a type for column '" + c.def.name + "'");
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
      auto type = ParseTypeName(tt.text, p, sc, args);
      if (!type.ok()) return Error(tt, type.status().message());
      c.def.type = *type;
      if (AcceptKeyword("NOT")) {
        WH_RETURN_IF_ERROR(ExpectKeyword("NULL"));
        c.def.not_null = true;
      } else {
        AcceptKeyword("NULL");
      }
      s.columns.push_back(std::move(c));
    } while (AcceptSymbol(","));
    WH_RETURN_IF_ERROR(ExpectSymbol(")"));
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

  Result<Statement> Select(Statement s) {
    s.kind = Statement::kSelect;
    do {
      SelectItem item;
      WH_ASSIGN_OR_RETURN(item.expr, Expression());
      if (AcceptKeyword("AS")) {
        WH_ASSIGN_OR_RETURN(item.alias, Identifier("column alias"));
      } else if (Peek().kind == TokenKind::kQuotedIdent ||
                 (Peek().kind == TokenKind::kIdent && !Peek().Is("FROM"))) {
        WH_ASSIGN_OR_RETURN(item.alias, Identifier("column alias"));
      }
      s.select.push_back(std::move(item));
    } while (AcceptSymbol(","));
    if (AcceptKeyword("FROM")) {
      s.table_pos = Peek().pos;
      WH_ASSIGN_OR_RETURN(s.table, Identifier("table name"));
    }
    if (AcceptKeyword("WHERE")) {
      WH_ASSIGN_OR_RETURN(s.where, Expression());
    }
    return s;
  }

  // Expressions, by precedence: OR < AND < NOT < comparison < + - || < * / % < unary < primary.
  Result<ExprPtr> Expression() { return Or(); }

  ExprPtr MakeBinary(const Token& op, std::string name, ExprPtr l, ExprPtr r) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::kBinary;
    e->pos = op.pos;
    e->name = std::move(name);
    e->args.push_back(std::move(l));
    e->args.push_back(std::move(r));
    return e;
  }

  Result<ExprPtr> Or() {
    WH_ASSIGN_OR_RETURN(ExprPtr l, And());
    while (Peek().Is("OR")) {
      const Token& op = Advance();
      WH_ASSIGN_OR_RETURN(ExprPtr r, And());
      l = MakeBinary(op, "OR", std::move(l), std::move(r));
    }
    return l;
  }
  Result<ExprPtr> And() {
    WH_ASSIGN_OR_RETURN(ExprPtr l, Not());
    while (Peek().Is("AND")) {
      const Token& op = Advance();
      WH_ASSIGN_OR_RETURN(ExprPtr r, Not());
      l = MakeBinary(op, "AND", std::move(l), std::move(r));
    }
    return l;
  }
  Result<ExprPtr> Not() {
    if (Peek().Is("NOT")) {
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
    WH_ASSIGN_OR_RETURN(ExprPtr l, Additive());
    static const char* kOps[] = {"=", "==", "<>", "!=", "<", "<=", ">", ">="};
    for (const char* op : kOps) {
      if (Peek().IsSymbol(op)) {
        const Token& t = Advance();
        WH_ASSIGN_OR_RETURN(ExprPtr r, Additive());
        std::string name = op;
        if (name == "==") name = "=";
        if (name == "!=") name = "<>";
        return MakeBinary(t, name, std::move(l), std::move(r));
      }
    }
    return l;
  }
  Result<ExprPtr> Additive() {
    WH_ASSIGN_OR_RETURN(ExprPtr l, Multiplicative());
    while (Peek().IsSymbol("+") || Peek().IsSymbol("-") || Peek().IsSymbol("||")) {
      const Token& op = Advance();
      WH_ASSIGN_OR_RETURN(ExprPtr r, Multiplicative());
      l = MakeBinary(op, op.text, std::move(l), std::move(r));
    }
    return l;
  }
  Result<ExprPtr> Multiplicative() {
    WH_ASSIGN_OR_RETURN(ExprPtr l, Unary());
    while (Peek().IsSymbol("*") || Peek().IsSymbol("/") || Peek().IsSymbol("%")) {
      const Token& op = Advance();
      WH_ASSIGN_OR_RETURN(ExprPtr r, Unary());
      l = MakeBinary(op, op.text, std::move(l), std::move(r));
    }
    return l;
  }
  Result<ExprPtr> Unary() {
    if (Peek().IsSymbol("-") || Peek().IsSymbol("+")) {
      const Token& op = Advance();
      WH_ASSIGN_OR_RETURN(ExprPtr x, Unary());
      auto e = std::make_unique<Expr>();
      e->kind = Expr::kUnary;
      e->pos = op.pos;
      e->name = op.text;
      e->args.push_back(std::move(x));
      return e;
    }
    return Primary();
  }
  Result<ExprPtr> Primary() {
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
      return e;
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
    if (t.Is("CAST") && Peek(1).IsSymbol("(")) {
      Advance();
      Advance();
      WH_ASSIGN_OR_RETURN(ExprPtr x, Expression());
      WH_RETURN_IF_ERROR(ExpectKeyword("AS"));
      const Token& tt = Peek();
      if (tt.kind != TokenKind::kIdent) return Expected("a type name");
      Advance();
      int p = 0, sc = 0;
      bool args = false;
      if (AcceptSymbol("(")) {
        args = true;
        WH_ASSIGN_OR_RETURN(p, Integer());
        if (AcceptSymbol(",")) { WH_ASSIGN_OR_RETURN(sc, Integer()); }
        WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      }
      auto type = ParseTypeName(tt.text, p, sc, args);
      if (!type.ok()) return Error(tt, type.status().message());
      WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      e->kind = Expr::kCast;
      e->type = *type;
      e->args.push_back(std::move(x));
      return e;
    }
    Advance();
    if (AcceptSymbol("(")) {
      e->kind = Expr::kFunction;
      e->name = t.text;
      for (auto& ch : e->name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (!AcceptSymbol(")")) {
        if (AcceptKeyword("DISTINCT")) e->distinct = true;
        do {
          WH_ASSIGN_OR_RETURN(ExprPtr a, Expression());
          e->args.push_back(std::move(a));
        } while (AcceptSymbol(","));
        WH_RETURN_IF_ERROR(ExpectSymbol(")"));
      }
      return e;
    }
    e->kind = Expr::kColumn;
    e->name = ToLower(t.text);
    if (AcceptSymbol(".")) {  // qualified name: table.column
      const Token& c = Peek();
      if (c.kind != TokenKind::kIdent && c.kind != TokenKind::kQuotedIdent) return Expected("a column name");
      Advance();
      e->name += "." + ToLower(c.text);
    }
    return e;
  }

  const std::string& sql_;
  std::vector<Token> t_;
  size_t p_ = 0;
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
        if (cols[i].name == e.name) {
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
      } else {
        return error("function " + e.name + " is not supported in a partition expression (use "
                     "CAST(x AS DATE), DATE(x), LEAST, GREATEST or COALESCE over DATE/TIMESTAMP "
                     "columns)");
      }
      if (e.args.empty()) return error(e.name + " needs arguments");
      break;
    default:
      return error("a partition expression is built from columns, CAST(x AS DATE), DATE(x), "
                   "LEAST, GREATEST and COALESCE");
  }
  for (const auto& a : e.args) {
    WH_ASSIGN_OR_RETURN(PartitionExpr pa, ToPartitionExpr(*a, cols, sql));
    out.args.push_back(std::move(pa));
  }
  return out;
}

}  // namespace wh
