#include <map>
#include <set>

#include "query/query.h"

namespace wh {

namespace {

Column StringColumn(const std::vector<std::string>& v) {
  Column c(DataType::String());
  for (const auto& s : v) c.AppendString(s);
  return c;
}

Column Int64Column(const std::vector<int64_t>& v) {
  Column c(DataType::Int64());
  for (auto x : v) c.Append<int64_t>(x);
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
    case Statement::kSelect: {
      // The full query engine is the next milestone; today: SELECT COUNT(*) FROM t.
      bool count_star = st.select.size() == 1 && st.select[0].expr->kind == Expr::kFunction &&
                        st.select[0].expr->name == "COUNT" && st.select[0].expr->args.size() == 1 &&
                        st.select[0].expr->args[0]->kind == Expr::kStar &&
                        !st.select[0].expr->distinct && !st.table.empty() && !st.where;
      if (!count_star)
        return SqlError(sql, st.pos,
                        Status::NotSupported("this build of wh answers only SELECT COUNT(*) FROM "
                                             "<table>; the full SQL engine is not built yet"));
      WH_ASSIGN_OR_RETURN(Warehouse * wh, GetWarehouse(false));
      auto snap = wh->GetSnapshot(st.table);
      if (!snap.ok()) return SqlError(sql, st.table_pos, snap.status());
      ResultSet rs;
      rs.AddColumn(st.select[0].alias.empty() ? "count_star()" : st.select[0].alias,
                   Int64Column({static_cast<int64_t>(snap->rows())}));
      out.push_back(std::move(rs));
      return out;
    }
  }
  return Status::Internal("unknown statement");
}

Result<std::vector<std::pair<std::string, ResultSet>>> Inspect(Warehouse* wh,
                                                               const std::string& table) {
  std::vector<std::pair<std::string, ResultSet>> out;
  if (table.empty()) {
    WH_ASSIGN_OR_RETURN(auto names, wh->ListTables());
    std::vector<int64_t> parts, segs, rows, bytes, buckets, commits;
    for (const auto& n : names) {
      WH_ASSIGN_OR_RETURN(TableSnapshot s, wh->GetSnapshot(n));
      std::map<std::string, int> p;
      for (const auto& seg : s.segments) p[seg.path.substr(0, seg.path.find('/'))]++;
      parts.push_back(static_cast<int64_t>(p.size()));
      segs.push_back(static_cast<int64_t>(s.segments.size()));
      rows.push_back(static_cast<int64_t>(s.rows()));
      bytes.push_back(static_cast<int64_t>(s.bytes()));
      buckets.push_back(s.schema.bucket_count);
      commits.push_back(static_cast<int64_t>(s.last_seq));
    }
    ResultSet rs;
    rs.AddColumn("table", StringColumn(names));
    rs.AddColumn("buckets", Int64Column(buckets));
    rs.AddColumn("partitions", Int64Column(parts));
    rs.AddColumn("segments", Int64Column(segs));
    rs.AddColumn("rows", Int64Column(rows));
    rs.AddColumn("bytes", Int64Column(bytes));
    rs.AddColumn("commits", Int64Column(commits));
    out.emplace_back("tables", std::move(rs));
    return out;
  }
  WH_ASSIGN_OR_RETURN(TableSnapshot s, wh->GetSnapshot(table));
  auto cols = s.schema.StorageColumns();
  // Partitions.
  struct Part { int64_t segs = 0, rows = 0, bytes = 0; std::set<uint32_t> buckets; };
  std::map<std::string, Part> parts;
  for (const auto& seg : s.segments) {
    Part& p = parts[seg.path.substr(0, seg.path.find('/'))];
    p.segs++;
    p.rows += seg.rows;
    p.bytes += seg.bytes;
    for (auto [b, n] : seg.bucket_rows) p.buckets.insert(b);
  }
  {
    std::vector<std::string> names;
    std::vector<int64_t> segs, rows, bytes, buckets;
    for (const auto& [n, p] : parts) {
      names.push_back(n);
      segs.push_back(p.segs);
      rows.push_back(p.rows);
      bytes.push_back(p.bytes);
      buckets.push_back(static_cast<int64_t>(p.buckets.size()));
    }
    ResultSet rs;
    rs.AddColumn("partition", StringColumn(names));
    rs.AddColumn("segments", Int64Column(segs));
    rs.AddColumn("buckets", Int64Column(buckets));
    rs.AddColumn("rows", Int64Column(rows));
    rs.AddColumn("bytes", Int64Column(bytes));
    out.emplace_back("partitions of " + s.schema.name, std::move(rs));
  }
  // Segments with their etl_date.
  {
    std::vector<std::string> paths, etl;
    std::vector<int64_t> commit, rows, bytes, buckets;
    for (const auto& seg : s.segments) {
      paths.push_back(seg.path);
      commit.push_back(static_cast<int64_t>(seg.commit_seq));
      rows.push_back(static_cast<int64_t>(seg.rows));
      bytes.push_back(static_cast<int64_t>(seg.bytes));
      buckets.push_back(static_cast<int64_t>(seg.bucket_rows.size()));
      etl.push_back(seg.zones.back().MinString(cols.back().type));
    }
    ResultSet rs;
    rs.AddColumn("segment", StringColumn(paths));
    rs.AddColumn("commit", Int64Column(commit));
    rs.AddColumn("etl_date", StringColumn(etl));
    rs.AddColumn("buckets", Int64Column(buckets));
    rs.AddColumn("rows", Int64Column(rows));
    rs.AddColumn("bytes", Int64Column(bytes));
    out.emplace_back("segments of " + s.schema.name, std::move(rs));
  }
  // Zone maps of the whole table per column (merged over segments).
  {
    std::vector<std::string> names, types, mins, maxs;
    std::vector<int64_t> nulls;
    for (size_t c = 0; c < cols.size(); ++c) {
      ZoneMap z;
      bool all_stats = true;
      for (const auto& seg : s.segments) {
        const ZoneMap& sz = seg.zones[c];
        if (!sz.has_min_max && sz.null_count < seg.rows) all_stats = false;
        z.Merge(sz, cols[c].type);
      }
      names.push_back(cols[c].name);
      types.push_back(cols[c].type.ToString());
      mins.push_back(all_stats ? z.MinString(cols[c].type) : "(no stats)");
      maxs.push_back(all_stats ? z.MaxString(cols[c].type) : "(no stats)");
      nulls.push_back(static_cast<int64_t>(z.null_count));
    }
    ResultSet rs;
    rs.AddColumn("column", StringColumn(names));
    rs.AddColumn("type", StringColumn(types));
    rs.AddColumn("min", StringColumn(mins));
    rs.AddColumn("max", StringColumn(maxs));
    rs.AddColumn("nulls", Int64Column(nulls));
    out.emplace_back("zone maps of " + s.schema.name, std::move(rs));
  }
  return out;
}

}  // namespace wh
