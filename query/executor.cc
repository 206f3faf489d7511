#include <map>
#include <set>

#include <chrono>
#include <cstdio>

#include "query/binder.h"
#include "query/exec.h"
#include "query/explain.h"
#include "query/optimizer.h"
#include "query/query.h"

namespace wh {

namespace {

Column StringColumn(const std::vector<std::string>& v) {
  Column c(DataType::String());
  for (const auto& s : v) c.AppendString(s);
  return c;
}

Status SqlError(const std::string& sql, const SourcePos& pos, const Status& st) {
  return Status(st.code(), SqlErrorMessage(sql, pos, st.message()));
}

}  // namespace

Result<Warehouse*> Session::GetWarehouse(bool create) {
  if (!wh_) {
    WH_ASSIGN_OR_RETURN(wh_, Warehouse::Open(fs_, root_, create));
  }
  return wh_.get();
}

Result<std::vector<ResultSet>> Session::Execute(const std::string& sql) {
  WH_ASSIGN_OR_RETURN(auto stmts, ParseSql(sql));
  std::vector<ResultSet> out;
  for (const auto& st : stmts) {
    WH_ASSIGN_OR_RETURN(auto rs, Run(st, sql));
    for (auto& r : rs) out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<ResultSet>> Session::Run(const Statement& st, const std::string& sql) {
  std::vector<ResultSet> out;
  switch (st.kind) {
    case Statement::kCreateTable: {
      TableSchema schema;
      schema.name = st.table;
      for (const auto& c : st.columns) {
        for (const auto& prev : schema.columns)
          if (prev.name == c.def.name)
            return SqlError(sql, c.pos, Status::InvalidArgument("column '" + c.def.name +
                                                                "' is declared twice"));
        if (c.def.name == kEtlDateColumn)
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
        schema.bucket_column = st.bucket_column;
        schema.bucket_count = st.bucket_count;
        if (schema.FindColumn(st.bucket_column) < 0)
          return SqlError(sql, st.bucket_pos,
                          Status::InvalidArgument("bucket column '" + st.bucket_column +
                                                  "' is not a column of the table"));
      }
      Status v = schema.Validate();
      if (!v.ok()) return SqlError(sql, st.table_pos, v);
      WH_ASSIGN_OR_RETURN(Warehouse * wh, GetWarehouse(true));
      Status s = wh->CreateTable(schema, st.if_not_exists);
      if (!s.ok()) return SqlError(sql, st.table_pos, s);
      return out;
    }
    case Statement::kDropTable: {
      auto wh = GetWarehouse(false);
      if (!wh.ok()) {
        if (st.if_exists && wh.status().code() == StatusCode::kNotFound) return out;
        return wh.status();
      }
      Status s = (*wh)->DropTable(st.table, st.if_exists);
      if (!s.ok()) return SqlError(sql, st.table_pos, s);
      return out;
    }
    case Statement::kShowTables: {
      auto wh = GetWarehouse(false);
      std::vector<std::string> names;
      if (wh.ok()) {
        WH_ASSIGN_OR_RETURN(names, (*wh)->ListTables());
      } else if (wh.status().code() != StatusCode::kNotFound) {
        return wh.status();
      }
      ResultSet rs;
      rs.AddColumn("table_name", StringColumn(names));
      out.push_back(std::move(rs));
      return out;
    }
    case Statement::kDescribe: {
      WH_ASSIGN_OR_RETURN(Warehouse * wh, GetWarehouse(false));
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
      ResultSet rs;
      rs.AddColumn("column_name", StringColumn(names));
      rs.AddColumn("data_type", StringColumn(types));
      rs.AddColumn("nullable", StringColumn(nulls));
      rs.AddColumn("comment", StringColumn(notes));
      out.push_back(std::move(rs));
      return out;
    }
    case Statement::kSelect:
    case Statement::kExplain: {
      const Statement& q = st.kind == Statement::kExplain ? *st.inner : st;
      WH_ASSIGN_OR_RETURN(Warehouse * wh, GetWarehouse(false));
      Binder binder(wh, [wh](const std::string& n) { return wh->GetView(n); });
      WH_ASSIGN_OR_RETURN(PlanPtr plan, binder.Bind(*q.query, sql));
      OptimizeOptions oo;
      oo.prune = options_.prune;
      plan = Optimize(plan, oo);
      ExecOptions eo;
      eo.threads = options_.threads;
      eo.analyze = st.kind == Statement::kExplain && st.analyze;
      ExecContext ctx(wh->fs(), eo);
      if (st.kind == Statement::kSelect) {
        WH_ASSIGN_OR_RETURN(ResultSet rs, ExecutePlan(plan, &ctx));
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
      WH_ASSIGN_OR_RETURN(auto lines, ExplainPlan(plan, binder.column_names(), &ctx, st.analyze));
      if (st.analyze) {
        char b[96];
        std::snprintf(b, sizeof b, "total: %zu rows in %.2f ms", rows, seconds * 1e3);
        lines.push_back(b);
      }
      ResultSet rs;
      rs.AddColumn("plan", StringColumn(lines));
      rs.plain_text = true;
      out.push_back(std::move(rs));
      return out;
    }
    case Statement::kCreateView: {
      WH_ASSIGN_OR_RETURN(Warehouse * wh, GetWarehouse(true));
      // The view must bind now (unknown tables and columns are errors at CREATE time).
      Binder binder(wh, [wh](const std::string& n) { return wh->GetView(n); });
      auto plan = binder.Bind(*st.query, sql);
      if (!plan.ok()) return plan.status();
      Status s = wh->CreateView(st.table, st.query_sql, st.or_replace, st.if_not_exists);
      if (!s.ok()) return SqlError(sql, st.table_pos, s);
      return out;
    }
    case Statement::kDropView: {
      auto wh = GetWarehouse(false);
      if (!wh.ok()) {
        if (st.if_exists && wh.status().code() == StatusCode::kNotFound) return out;
        return wh.status();
      }
      Status s = (*wh)->DropView(st.table, st.if_exists);
      if (!s.ok()) return SqlError(sql, st.table_pos, s);
      return out;
    }
    case Statement::kInsert:
      return SqlError(sql, st.pos, Status::NotSupported("INSERT INTO ... SELECT is not supported yet"));
  }
  return Status::Internal("unknown statement");
}

}  // namespace wh
