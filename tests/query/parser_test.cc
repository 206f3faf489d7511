#include <gtest/gtest.h>

#include "query/query.h"
#include "query/lexer.h"

namespace wh {
namespace {

TEST(Parser, CreateTableWithPartitionAndBuckets) {
  auto s = ParseSql(
      "CREATE TABLE IF NOT EXISTS Posts (id BIGINT NOT NULL, posted_at TIMESTAMP NOT NULL,\n"
      "  scheduled_at TIMESTAMP, total DECIMAL(38, 18), user_id BIGINT NOT NULL)\n"
      "PARTITIONED BY (event_date = CAST(LEAST(posted_at, scheduled_at) AS DATE))\n"
      "CLUSTERED BY (user_id) INTO 45 BUCKETS;");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->size(), 1u);
  const Statement& st = (*s)[0];
  EXPECT_EQ(st.kind, Statement::kCreateTable);
  EXPECT_EQ(st.table, "posts");
  EXPECT_TRUE(st.if_not_exists);
  ASSERT_EQ(st.columns.size(), 5u);
  EXPECT_EQ(st.columns[3].def.type, DataType::Decimal(38, 18));
  EXPECT_TRUE(st.columns[0].def.not_null);
  EXPECT_EQ(st.partition_column, "event_date");
  EXPECT_EQ(st.partition_sql, "CAST(LEAST(posted_at, scheduled_at) AS DATE)");
  EXPECT_EQ(st.bucket_count, 45u);
  std::vector<ColumnDef> cols;
  for (const auto& c : st.columns) cols.push_back(c.def);
  auto pe = ToPartitionExpr(*st.partition_expr, cols, "");
  ASSERT_TRUE(pe.ok());
  EXPECT_EQ(PartitionExprToString(*pe, cols), "CAST(LEAST(posted_at, scheduled_at) AS DATE)");
}

TEST(Parser, ScriptsCommentsAndOtherStatements) {
  auto s = ParseSql("-- comment\nSHOW TABLES; /* block */ DESCRIBE events;\nDROP TABLE IF EXISTS x;"
                    "SELECT COUNT(*) AS n FROM events");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->size(), 4u);
  EXPECT_EQ((*s)[1].kind, Statement::kDescribe);
  EXPECT_TRUE((*s)[2].if_exists);
  EXPECT_EQ((*s)[3].query->select->items[0].alias, "n");
}

TEST(Parser, ErrorsPointIntoTheSql) {
  auto s = ParseSql("CREATE TABLE t (a BIGINT,\n  b FLOATY)");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("line 2, column 5"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("unknown type 'FLOATY'"), std::string::npos);
  EXPECT_NE(s.status().message().find("\n      ^"), std::string::npos) << s.status().message();

  auto u = ParseSql("SELECT 'unterminated");
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.status().message().find("unterminated string"), std::string::npos);

  auto t = ParseSql("CREATE TABLE ../etc (a INT)");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("expected table name"), std::string::npos) << t.status().message();

  auto p = ParseSql("CREATE TABLE t (a INT) PARTITIONED BY (d)");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("expected '='"), std::string::npos) << p.status().message();
}

}  // namespace
}  // namespace wh

namespace wh {
namespace {

// Found by the SQL fuzzer: nesting deep enough to exhaust the stack. It is refused with an
// error; long AND/OR chains (generated SQL) are not nesting and still parse.
TEST(Parser, DeepNestingIsRefusedButLongLogicalChainsParse) {
  std::string deep = "SELECT " + std::string(5000, '(') + "1" + std::string(5000, ')');
  auto d = ParseSql(deep);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("nests more than"), std::string::npos) << d.status().message();
  std::string nots = "SELECT ";
  for (int i = 0; i < 100000; ++i) nots += "NOT ";
  EXPECT_FALSE(ParseSql(nots + "TRUE").ok());
  // The limit counts what a reader counts: 398 parentheses in a select list parse (with the
  // query and the select item, 400 levels), 401 do not.
  EXPECT_TRUE(ParseSql("SELECT " + std::string(398, '(') + "1" + std::string(398, ')')).ok());
  auto over = ParseSql("SELECT " + std::string(401, '(') + "1" + std::string(401, ')'));
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.status().message().find("more than 400 levels"), std::string::npos) << over.status().message();
  std::string ors = "SELECT 1 WHERE a = 0";
  for (int i = 1; i < 20000; ++i) ors += " OR a = " + std::to_string(i);
  EXPECT_TRUE(ParseSql(ors).ok());
}

// The shell reads lines until a ';' that SQL's quoting leaves outside literals and comments.
TEST(StatementEnd, SemicolonsInsideLiteralsNamesAndCommentsDoNotEnd) {
  EXPECT_EQ(StatementEnd("SELECT 1;"), 9u);
  EXPECT_EQ(StatementEnd("SELECT 1; SELECT 2;"), 9u);
  EXPECT_EQ(StatementEnd("SELECT 'a;b'"), std::string::npos);
  EXPECT_EQ(StatementEnd("SELECT 'it''s;'"), std::string::npos);
  EXPECT_EQ(StatementEnd("SELECT 'it''s';"), 15u);
  EXPECT_EQ(StatementEnd("SELECT \"a;\" FROM t"), std::string::npos);
  EXPECT_EQ(StatementEnd("SELECT `a;`;"), 12u);
  EXPECT_EQ(StatementEnd("SELECT 1 -- the end;\n"), std::string::npos);
  EXPECT_EQ(StatementEnd("SELECT 1 -- the end;\n;"), 22u);
  EXPECT_EQ(StatementEnd("SELECT /* ; */ 1"), std::string::npos);
  EXPECT_EQ(StatementEnd("SELECT /* ; "), std::string::npos);  // the comment goes on
  EXPECT_EQ(StatementEnd("SELECT 'open; "), std::string::npos);
}

TEST(StatementEnd, BlankSql) {
  EXPECT_TRUE(IsBlankSql(""));
  EXPECT_TRUE(IsBlankSql("  \n\t"));
  EXPECT_TRUE(IsBlankSql("-- only a comment"));
  EXPECT_TRUE(IsBlankSql("/* a */ -- b\n  "));
  EXPECT_FALSE(IsBlankSql("/* still open"));
  EXPECT_FALSE(IsBlankSql(" x"));
  EXPECT_FALSE(IsBlankSql("''"));
}

}  // namespace
}  // namespace wh
