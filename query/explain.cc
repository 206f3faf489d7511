// EXPLAIN and EXPLAIN ANALYZE: the plan as an indented tree, where it runs bucket by bucket, and
// for every scan the pruning funnel (partitions, buckets, segments, row groups skipped by zone
// maps) and why a filter could not prune.
#include "query/explain.h"

#include <cstdio>

#include "query/optimizer.h"
#include "query/pruning.h"

namespace wh {

namespace {

std::string Names(const std::vector<PlanColumn>& cols) {
  std::string s;
  for (size_t i = 0; i < cols.size(); ++i) s += (i ? ", " : "") + cols[i].name;
  return s;
}

std::string Ms(uint64_t nanos) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f ms", nanos / 1e6);
  return b;
}

std::string Bytes(uint64_t n) {
  char b[32];
  if (n < 1024) std::snprintf(b, sizeof b, "%llu B", static_cast<unsigned long long>(n));
  else if (n < (1u << 20)) std::snprintf(b, sizeof b, "%.1f KiB", n / 1024.0);
  else std::snprintf(b, sizeof b, "%.1f MiB", n / 1048576.0);
  return b;
}

class Explainer {
 public:
  Explainer(const std::vector<std::string>& names, ExecContext* ctx, bool analyze)
      : names_(names), ctx_(ctx), analyze_(analyze) {}

  std::string WindowText(const WindowSpec& w) {
    std::string t = w.fn == "AGGREGATE" ? w.agg.fn + "(" + (w.agg.arg ? w.agg.arg->ToString(&names_) : "*") + ")"
                                        : w.fn + "(";
    if (w.fn != "AGGREGATE") {
      for (size_t i = 0; i < w.args.size() && (i == 0 || w.fn == "LAG" || w.fn == "LEAD"); ++i)
        t += (i ? ", " : "") + w.args[i]->ToString(&names_);
      if (w.fn == "LAG" || w.fn == "LEAD") t += " offset " + std::to_string(w.offset);
      t += ")";
    }
    t += " OVER (";
    for (size_t i = 0; i < w.partition.size(); ++i)
      t += (i ? ", " : "PARTITION BY ") + w.partition[i]->ToString(&names_);
    for (size_t i = 0; i < w.order.size(); ++i)
      t += (i ? ", " : w.partition.empty() ? "ORDER BY " : " ORDER BY ") + w.order[i].expr->ToString(&names_) +
           (w.order[i].desc ? " DESC" : "");
    auto bound = [](int64_t b, bool peers) -> std::string {
      if (b == WindowSpec::kUnboundedPreceding) return "UNBOUNDED PRECEDING";
      if (b == WindowSpec::kUnboundedFollowing) return "UNBOUNDED FOLLOWING";
      if (b == 0) return peers ? "CURRENT ROW (and peers)" : "CURRENT ROW";
      return std::to_string(b < 0 ? -b : b) + (b < 0 ? " PRECEDING" : " FOLLOWING");
    };
    t += std::string(w.partition.empty() && w.order.empty() ? "" : " ") + (w.peers ? "RANGE" : "ROWS") +
         " BETWEEN " + bound(w.frame_start, w.peers) + " AND " + bound(w.frame_end, w.peers) + ")";
    return t;
  }

  // `fused`: the node runs inside the merge join chain above it (PlanNode::merge_chain), with no
  // operator and no figures of its own.
  Status Node(const PlanNode& n, int depth, bool in_bucket, bool fused = false) {
    std::string pad(depth * 2, ' ');
    if (!in_bucket) {
      BucketPartitioning p = PartitioningOf(n);
      if (p.buckets > 1) {
        std::vector<uint8_t> kept;
        KeptBuckets(n, &kept);
        size_t k = 0;
        for (uint8_t b : kept) k += b;
        const int level = UnitLevel(n, p.buckets, ctx_->options().shared_block_bytes);
        std::string units;
        if ((uint64_t{1} << level) < p.buckets)  // coarser than one bucket per unit
          units = " in " + std::to_string(1u << level) + " units of work (ranges of buckets)";
        Line(pad + "BucketByBucket: " + std::to_string(k) + " of " + std::to_string(p.buckets) + " buckets" + units +
             ", " + std::to_string(ctx_->threads()) + " threads, one small hash table per " +
             (units.empty() ? "bucket" : "unit"));
        return Node(n, depth + 1, true, fused);
      }
    }
    std::string head;
    switch (n.kind) {
      case PlanNode::kScan: head = "Scan " + n.table->schema.name + (n.alias != n.table->schema.name ? " AS " + n.alias : ""); break;
      case PlanNode::kFilter: head = "Filter " + n.predicate->ToString(&names_); break;
      case PlanNode::kProject: head = "Project " + Names(n.out); break;
      case PlanNode::kAggregate: {
        head = std::string(n.groups.empty() ? "Aggregate" : "HashAggregate") + (n.partial ? " (partial, per bucket)" : "") +
               (n.groups.empty() ? "" : " by ");
        for (size_t i = 0; i < n.groups.size(); ++i) head += (i ? ", " : "") + n.groups[i]->ToString(&names_);
        std::string aggs;
        for (const auto& a : n.aggregates)
          aggs += (aggs.empty() ? "" : ", ") + a.fn + "(" + (a.distinct ? "DISTINCT " : "") +
                  (a.arg ? a.arg->ToString(&names_) : "*") + ")";
        if (!aggs.empty()) head += (n.groups.empty() ? " " : ": ") + aggs;
        if (n.order_group >= 0) head += " (groups in " + n.groups[n.order_group]->ToString(&names_) + " order)";
        break;
      }
      case PlanNode::kJoin: {
        static const char* kTypes[] = {"INNER", "LEFT", "RIGHT", "FULL", "SEMI", "ANTI", "MARK"};
        head = std::string(n.merge_join ? "MergeJoin " : "HashJoin ") + kTypes[n.join_type];
        for (size_t i = 0; i < n.left_keys.size(); ++i)
          head += (i ? " AND " : " ON ") + n.left_keys[i]->ToString(&names_) + " = " + n.right_keys[i]->ToString(&names_);
        if (n.left_keys.empty()) head += " (no equality: every pair is tested)";
        if (n.residual) head += " WHERE " + n.residual->ToString(&names_);
        if (n.merge_chain) head += " (one merge with the join below)";
        if (n.null_aware) head += " (NOT IN's NULL rules)";
        if (n.single_match) head += " (at most one match: a scalar subquery)";
        if (in_bucket && BroadcastSide(n) >= 0)
          head += BroadcastSide(n) == 1 ? " (broadcast: the right side is read whole in every bucket)"
                                        : " (broadcast: the left side is read whole in every bucket)";
        break;
      }
      case PlanNode::kSort: {
        head = "Sort ";
        for (size_t i = 0; i < n.sort_keys.size(); ++i)
          head += (i ? ", " : "") + n.sort_keys[i].expr->ToString(&names_) + (n.sort_keys[i].desc ? " DESC" : "");
        break;
      }
      case PlanNode::kLimit:
        head = "Limit " + (n.limit >= 0 ? std::to_string(n.limit) : std::string("ALL")) +
               (n.offset ? " OFFSET " + std::to_string(n.offset) : "");
        break;
      case PlanNode::kUnion: head = "UnionAll"; break;
      case PlanNode::kValues: head = "Values (one row)"; break;
      case PlanNode::kRecursive: head = n.recursive_all ? "RecursiveUnionAll" : "RecursiveUnion"; break;
      case PlanNode::kWorkTable: head = "WorkTable (the last step's rows)"; break;
      case PlanNode::kFile:
        head = "ReadFiles " + n.file->text + " (" + std::to_string(n.file->paths.size()) +
               (n.file->paths.size() == 1 ? " file)" : " files)");
        break;
      case PlanNode::kUnnest: {
        head = n.unnest_outer ? "Unnest (outer)" : "Unnest";
        for (size_t i = 0; i < n.exprs.size(); ++i)
          head += (i ? ", " : " ") + n.exprs[i]->ToString(&names_) + " AS " + n.out[n.out.size() - n.exprs.size() + i].name;
        break;
      }
      case PlanNode::kWindow: {
        head = "Window";
        for (size_t i = 0; i < n.windows.size(); ++i) head += (i ? "; " : " ") + WindowText(n.windows[i]);
        break;
      }
    }
    if (fused) {
      head += "  (in the merge above)";
    } else if (analyze_) {
      NodeStats& s = ctx_->stats(&n);
      head += "  [rows=" + std::to_string(s.rows.load()) + ", time=" + Ms(s.nanos.load()) + "]";
    }
    Line(pad + head);
    if (n.kind == PlanNode::kScan) WH_RETURN_IF_ERROR(ScanDetails(n, pad + "    "));
    for (size_t i = 0; i < n.children.size(); ++i) {
      // A chain's left input (the USING projection) and the join under it run in its merge.
      const bool child_fused = (n.merge_chain && i == 0) || (fused && n.kind == PlanNode::kProject);
      WH_RETURN_IF_ERROR(Node(*n.children[i], depth + 1, in_bucket, child_fused));
    }
    return Status::OK();
  }

  std::vector<std::string>& lines() { return lines_; }

 private:
  void Line(const std::string& s) { lines_.push_back(s); }

  Status ScanDetails(const PlanNode& n, const std::string& pad) {
    const ScanPruning& p = n.pruning;
    Line(pad + "columns: " + (n.out.empty() ? std::string("(none: row counts only)") : Names(n.out)));
    for (const auto& f : n.filters) {
      std::string why = Prunable(*f) ? "" : "  (cannot prune: not a comparison of columns with constants)";
      Line(pad + "filter: " + f->ToString(&names_) + why);
    }
    if (!n.prune) Line(pad + "pruning: off");
    if (!n.table->schema.partition_column.empty())
      Line(pad + "partitions: " + std::to_string(p.partitions_kept) + " of " + std::to_string(p.partitions_total) + " kept");
    if (p.buckets_total)
      Line(pad + "buckets: " + std::to_string(p.buckets_kept) + " of " + std::to_string(p.buckets_total) + " kept");
    Line(pad + "files: " + std::to_string(p.files_kept) + " of " + std::to_string(p.files_total) + " kept, " +
         std::to_string(p.segments_kept) + " of " + std::to_string(p.segments_total) +
         " parts (a file's rows of one partition; by partition values, buckets and zone maps, from the manifest: "
         "no file opened)");
    Line(pad + "rows: " + std::to_string(p.rows_kept) + " of " + std::to_string(p.rows_total) +
         " in kept parts and buckets");
    uint64_t visited = 0, skipped = 0;
    if (analyze_) {
      NodeStats& s = ctx_->stats(&n);
      visited = s.row_groups.load();
      skipped = s.row_groups_skipped.load();
      Line(pad + "row groups: " + std::to_string(visited) + " visited, " + std::to_string(skipped) +
           " skipped by block zone maps; " + std::to_string(s.blocks_read.load()) + " blocks, " +
           Bytes(s.bytes_read.load()) + " and " +
           std::to_string(s.rows_read.load()) + " rows read");
    } else {
      WH_RETURN_IF_ERROR(CountScanRowGroups(n, ctx_, &visited, &skipped));
      Line(pad + "row groups: " + std::to_string(visited) + " to visit, " + std::to_string(skipped) +
           " skipped by block zone maps");
    }
    return Status::OK();
  }

  const std::vector<std::string>& names_;
  ExecContext* ctx_;
  bool analyze_;
  std::vector<std::string> lines_;
};

}  // namespace

Result<std::vector<std::string>> ExplainPlan(const PlanPtr& plan, const std::vector<std::string>& names,
                                             ExecContext* ctx, bool analyze) {
  Explainer e(names, ctx, analyze);
  WH_RETURN_IF_ERROR(e.Node(*plan, 0, false));
  return std::move(e.lines());
}

}  // namespace wh
