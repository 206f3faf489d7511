#include "query/exec.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <numeric>
#include <span>
#include <thread>
#include <unordered_set>

#include "query/aggregate.h"
#include "query/hash_table.h"
#include "query/list.h"
#include "query/binder.h"
#include "query/optimizer.h"
#include "query/pruning.h"

namespace wh {

namespace {

constexpr size_t kTargetBatchRows = 8192;

// Maps the column ids of a child's output to positions, and rebinds expressions with it.
std::vector<int> PositionMap(const std::vector<PlanColumn>& cols) {
  int max_id = -1;
  for (const auto& c : cols) max_id = std::max(max_id, c.id);
  std::vector<int> map(max_id + 1, -1);
  for (size_t i = 0; i < cols.size(); ++i) map[cols[i].id] = static_cast<int>(i);
  return map;
}

Result<BExprPtr> Resolve(const BExprPtr& e, const std::vector<PlanColumn>& input) {
  return Rebind(e, PositionMap(input));
}

Result<std::vector<BExprPtr>> ResolveAll(const std::vector<BExprPtr>& es,
                                         const std::vector<PlanColumn>& input) {
  std::vector<BExprPtr> out;
  auto map = PositionMap(input);
  for (const auto& e : es) {
    WH_ASSIGN_OR_RETURN(BExprPtr r, Rebind(e, map));
    out.push_back(r);
  }
  return out;
}

uint64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Counts rows and (with analyze) time of the wrapped operator.
class Instrumented : public Operator {
 public:
  Instrumented(std::unique_ptr<Operator> op, NodeStats* stats, bool timed)
      : op_(std::move(op)), stats_(stats), timed_(timed) {}
  Result<bool> Next(Batch* out) override {
    uint64_t t0 = timed_ ? NowNanos() : 0;
    auto r = op_->Next(out);
    if (timed_) stats_->nanos += NowNanos() - t0;
    if (r.ok() && *r) stats_->rows += out->rows;
    return r;
  }

 private:
  std::unique_ptr<Operator> op_;
  NodeStats* stats_;
  bool timed_;
};

// ---------------------------------------------------------------------------------------------

// Reads the row groups of the kept segments (of one bucket, or all), skipping those whose block
// zone maps rule the filters out, and applies the filter (a Filter directly above the scan is
// merged into it) except where the zone maps prove it TRUE for every row of the row group.
class ScanOp : public Operator {
 public:
  ScanOp(const PlanNode& node, BucketRange bucket, ExecContext* ctx, BExprPtr filter = nullptr)
      : node_(node), bucket_(bucket), ctx_(ctx), stats_(ctx->stats(&node)), filter_(std::move(filter)),
        filter_ids_(FilterColumns(node)) {}

  Result<bool> Next(Batch* out) override {
    WH_RETURN_IF_ERROR(CheckInterrupt());
    Batch acc;
    bool have = false;
    while (seg_ < node_.pruning.segments.size()) {
      if (!reader_) {
        WH_ASSIGN_OR_RETURN(bool opened, OpenRun());
        if (!opened) continue;
      }
      const auto& groups = reader_->footer().row_groups;
      while (visit_at_ < visit_.size()) {
        const size_t g = visit_[visit_at_++];
        const RowGroupMeta& rg = groups[g];
        bool filter_needed = filter_ != nullptr;
        // The rows of kept buckets of the run's parts: all of the row group, or ranges of it.
        for (size_t k : pruned_) part_read_[k] = 1;
        pruned_.clear();
        size_t rows = KeptRanges(reader_->footer(), g);
        if (rows == 0) continue;
        stats_.row_groups++;
        // Which pushed-down conjuncts the zone maps leave open (bit k: conjunct k must be
        // evaluated; per conjunct only when there are fewer than 64); the filter evaluated is
        // the AND of those.
        const size_t nf = node_.filters.size();
        const uint64_t all_open = nf < 64 ? (uint64_t{1} << nf) - 1 : ~uint64_t{0};
        uint64_t open = all_open;
        if (node_.prune && nf > 0) {
          // Per part with rows here (its segment's zone maps and the blocks'): a part they rule
          // out is not read; a conjunct is left open when it is for any part read.
          open = 0;
          bool must_all = true;
          for (size_t r = 0; r < range_parts_.size(); ++r) {
            const size_t k = range_parts_[r];
            if (r > 0 && range_parts_[r - 1] == k) continue;
            // Conjuncts the segment's ranges prove stay proven here; the others are asked of
            // the blocks' zone maps (none when the segment's prove them all).
            bool may = true, must = true;
            uint64_t part_open = run_[k].open;
            if (part_open != 0) {
              const RangeEnv env = BlockEnv(node_, run_[k].env, reader_->footer(), g, &filter_ids_);
              for (size_t f = 0; f < nf; ++f) {
                if (nf < 64 && !(part_open >> f & 1)) continue;
                const auto& conjunct = node_.filters[f];
                const bool proven = MustBeTrue(*conjunct, env);
                may = may && MayBeTrue(*conjunct, env);
                must = must && proven;
                if (proven && nf < 64) part_open &= ~(uint64_t{1} << f);
              }
            }
            if (!may) {
              part_read_[k] = 0;
              pruned_.push_back(k);
              continue;
            }
            open |= part_open;
            must_all = must_all && must;
          }
          if (!pruned_.empty()) rows = KeptRanges(reader_->footer(), g);
          if (rows == 0) {
            stats_.row_groups_skipped++;
            continue;
          }
          if (must_all) filter_needed = false;
        }
        const bool whole = rows == rg.rows;
        BExprPtr filter = filter_;
        if (filter_needed && open != all_open) {
          WH_ASSIGN_OR_RETURN(filter, OpenFilter(open));
        }
        Batch b;
        b.rows = rows;
        stats_.rows_read += rows;
        // Rows kept whole (no filter to apply) go straight into the batch being gathered: a
        // small row group, or a few buckets' rows of a shared one, is then copied once, not
        // into a batch of its own first.
        const bool direct = have && !filter_needed;
        auto put = [&](size_t i, Column&& c) {
          if (direct) acc.columns[i].AppendRange(c, 0, rows);
          else b.columns.push_back(std::move(c));
        };
        for (size_t i = 0; i < node_.out.size(); ++i) {
          int sc = node_.storage_columns[i];
          if (FilterOnly(i) && !(filter_needed && OpenReads(open, i))) {
            // Only the filter reads this column and the zone maps proved the filter: a
            // placeholder of the right length stands in; nothing above reads it.
            put(i, Placeholder(i, rows));
            continue;
          }
          if (sc < 0) {
            put(i, PartitionColumn(rows));
            continue;
          }
          if (!bucket_.all() && (rg.bucket < static_cast<uint32_t>(bucket_.lo) ||
                                 rg.last_bucket >= static_cast<uint32_t>(bucket_.hi))) {
            // A row group other units of work read too: decoded once for all of them, and this
            // unit's rows copied out.
            bool decoded = false;
            WH_ASSIGN_OR_RETURN(std::shared_ptr<const Column> c, ctx_->SharedBlock(reader_, g, sc, &decoded));
            if (decoded) {
              stats_.blocks_read++;
              stats_.bytes_read += rg.blocks[sc].length;
            }
            // Not appended from directly when it holds strings: appending a dictionary column
            // to one of another dictionary may turn the source plain (Column::AppendRange),
            // and this one other threads read at the same time; a copy of its rows adopts
            // the dictionary instead.
            if (direct && c->type().physical() != PhysicalType::kString) {
              for (const auto& [at, n] : ranges_) acc.columns[i].AppendRange(*c, at, n);
            } else {
              put(i, KeptRows(*c, rows));
            }
            continue;
          }
          WH_ASSIGN_OR_RETURN(Column c, reader_->ReadColumn(g, sc));
          stats_.blocks_read++;
          stats_.bytes_read += rg.blocks[sc].length;
          if (direct) {
            for (const auto& [at, n] : ranges_) acc.columns[i].AppendRange(c, at, n);
            continue;
          }
          if (!whole) c = KeptRows(c, rows);  // the row group holds buckets this scan does not read
          b.columns.push_back(std::move(c));
        }
        if (direct) {
          acc.rows += rows;
          if (acc.rows >= kTargetBatchRows) {
            *out = std::move(acc);
            return true;
          }
          continue;
        }
        if (filter_needed) {
          WH_ASSIGN_OR_RETURN(Column keep, Evaluate(*filter, b));
          std::vector<uint32_t> sel = SelectTrue(keep);
          if (sel.empty()) continue;
          if (sel.size() != b.rows) {
            // The kept rows, appended straight to the batch being gathered when there is one
            // (else to a batch of their own); columns only the filter reads, and the constant
            // partition column, are made anew instead of copied.
            const size_t n = sel.size();
            Batch kept;
            Batch* to = have ? &acc : &kept;
            if (!have) {
              kept.columns.reserve(b.columns.size());
              for (const Column& c : b.columns) kept.columns.emplace_back(c.type());
            }
            for (size_t i = 0; i < b.columns.size(); ++i) {
              Column& dst = to->columns[i];
              if (FilterOnly(i)) {
                dst.AppendRange(Placeholder(i, n), 0, n);
              } else if (node_.storage_columns[i] < 0 && one_partition_) {
                dst.AppendRange(PartitionColumn(n), 0, n);
              } else if (have && b.columns[i].is_dictionary()) {
                // Taken into a column of their own first, which adopts the block's dictionary,
                // so that appending merges it into the batch's (AppendRange) instead of turning
                // the batch's column and the whole block plain.
                Column kept_rows(b.columns[i].type());
                kept_rows.AppendSelected(b.columns[i], sel.data(), n);
                dst.AppendRange(kept_rows, 0, n);
              } else {
                dst.AppendSelected(b.columns[i], sel.data(), n);
              }
            }
            to->rows += n;
            if (have) {
              if (acc.rows >= kTargetBatchRows) {
                *out = std::move(acc);
                return true;
              }
              continue;
            }
            b = std::move(kept);
          }
        }
        if (!have && b.rows >= kTargetBatchRows / 8) {
          *out = std::move(b);  // big enough on its own: no copy
          return true;
        }
        if (!have) {
          acc = std::move(b);
          have = true;
          // Room for a whole batch up front: growing by doubling copied each batch about twice.
          for (auto& c : acc.columns) c.Reserve(kTargetBatchRows + acc.rows);
        } else {
          AppendBatch(&acc, b);
        }
        if (acc.rows >= kTargetBatchRows) {
          *out = std::move(acc);
          return true;
        }
      }
      reader_.reset();
      seg_ = run_end_;
    }
    if (have && acc.rows > 0) {
      *out = std::move(acc);
      return true;
    }
    return false;
  }

 private:
  bool Kept(uint32_t b) const {
    const auto& k = node_.pruning.bucket_kept;
    return bucket_.Contains(b) && (k.empty() || b >= k.size() || k[b]);
  }
  // True when the manifest's rows per bucket of `seg` name a bucket this run reads.
  bool SegmentHasKeptBucket(const SegmentEntry& seg) const {
    auto it = std::lower_bound(seg.bucket_rows.begin(), seg.bucket_rows.end(), static_cast<uint32_t>(bucket_.lo),
                               [](const std::pair<uint32_t, uint64_t>& e, uint32_t b) { return e.first < b; });
    for (; it != seg.bucket_rows.end() && static_cast<int64_t>(it->first) < bucket_.hi; ++it)
      if (Kept(it->first)) return true;
    return false;
  }
  // Opens the file of segment seg_ for the segments from it on that name the same file (a
  // file's parts, which may share row groups), and lists the row groups to visit: those of
  // their parts holding buckets of this scan. False when none of them has such a bucket (per
  // the manifest: the file is not opened).
  Result<bool> OpenRun() {
    const auto& kept_segments = node_.pruning.segments;
    const SegmentEntry& first = node_.table->segments[kept_segments[seg_]];
    run_end_ = seg_ + 1;
    while (run_end_ < kept_segments.size() && node_.table->segments[kept_segments[run_end_]].path == first.path)
      ++run_end_;
    run_.clear();
    for (size_t s = seg_; s < run_end_; ++s) {
      const SegmentEntry& seg = node_.table->segments[kept_segments[s]];
      // The manifest says it has no row of these buckets: not read.
      if (!bucket_.all() && !seg.bucket_rows.empty() && !SegmentHasKeptBucket(seg)) continue;
      const auto& open = node_.pruning.segment_open;
      // (Only when it lines up with the kept segments: else every conjunct is asked of the blocks.)
      run_.push_back(RunPart{&seg, 0, open.size() == kept_segments.size() ? open[s] : AllConjuncts(node_.filters.size()), {}});
    }
    if (run_.empty()) {
      seg_ = run_end_;
      return false;
    }
    WH_ASSIGN_OR_RETURN(reader_, ctx_->Reader(*node_.table, first));
    for (const RunPart& part : run_)
      if (reader_->footer_checksum() != part.seg->footer_checksum)
        return Status::Corruption(reader_->path() + ": footer differs from the one the manifest recorded");
    const SegmentFooter& footer = reader_->footer();
    visit_.clear();
    visit_at_ = 0;
    for (RunPart& part : run_) {
      WH_ASSIGN_OR_RETURN(part.index, reader_->PartNumber(part.seg->partition));
      if (node_.prune && part.open != 0) part.env = SegmentEnv(node_, *part.seg, &filter_ids_);
    }
    // The row groups to visit: of one part, those with rows of these buckets; of several (which
    // may share row groups: small partitions side by side), each row group of their ranges once
    // whose bucket bounds meet these buckets. One the run's parts have no rows of these buckets
    // in is visited for nothing (KeptRanges finds no rows there).
    if (run_.size() == 1 && !bucket_.all()) {
      footer.PartGroupsWithBuckets(run_[0].index, static_cast<uint32_t>(bucket_.lo),
                                   static_cast<uint32_t>(bucket_.hi), &visit_);
    } else {
      std::vector<std::pair<size_t, size_t>> spans;  // [first, end) row groups of each part
      for (const RunPart& part : run_) {
        const auto [first_group, count] = footer.PartRange(part.index);
        if (count > 0) spans.emplace_back(first_group, first_group + count);
      }
      std::sort(spans.begin(), spans.end());
      size_t next = 0;  // row groups before it are listed
      for (const auto& [first_group, end] : spans) {
        for (size_t g = std::max(first_group, next); g < end; ++g) {
          const RowGroupMeta& rg = footer.row_groups[g];
          if (bucket_.all() || (rg.last_bucket >= static_cast<uint32_t>(bucket_.lo) &&
                                rg.bucket < static_cast<uint32_t>(bucket_.hi)))
            visit_.push_back(g);
        }
        next = std::max(next, end);
      }
    }
    if (run_.size() > 1 && !std::is_sorted(run_.begin(), run_.end(), [](const RunPart& a, const RunPart& b) { return a.index < b.index; }))
      std::stable_sort(run_.begin(), run_.end(), [](const RunPart& a, const RunPart& b) { return a.index < b.index; });
    part_read_.assign(run_.size(), 1);
    pruned_.clear();
    return true;
  }

  // Sets ranges_ to the row ranges of row group g that hold kept buckets of the run's parts
  // read (part_read_; merged where adjacent), and range_parts_ to the part (run_ index) of
  // each; returns their rows.
  size_t KeptRanges(const SegmentFooter& footer, size_t g) {
    ranges_.clear();
    range_parts_.clear();
    size_t total = 0;
    one_partition_ = true;
    int64_t last_part = -1;
    // run_ is in part order: its parts held here are those from the first at or past the row
    // group's first part.
    const RowGroupMeta& rg = footer.row_groups[g];
    const auto from = std::lower_bound(run_.begin(), run_.end(), rg.first_part,
                                       [](const RunPart& p, uint32_t i) { return p.index < i; });
    auto add = [&](size_t k, size_t at, const BucketRun& run) {
      if (!Kept(run.bucket)) return;
      if (!ranges_.empty() && ranges_.back().first + ranges_.back().second == at &&
          last_part == static_cast<int64_t>(k)) {
        ranges_.back().second += run.rows;
      } else {
        ranges_.emplace_back(at, run.rows);
        range_parts_.push_back(k);
      }
      if (last_part >= 0 && last_part != static_cast<int64_t>(k) &&
          run_[last_part].seg->partition != run_[k].seg->partition)
        one_partition_ = false;
      last_part = static_cast<int64_t>(k);
      total += run.rows;
    };
    if (rg.first_part == rg.last_part) {
      for (size_t k = from - run_.begin(); k < run_.size() && run_[k].index <= rg.last_part; ++k) {
        if (!part_read_[k]) continue;
        const PartSlice slice = footer.Slice(g, run_[k].index);
        size_t at = slice.at;
        for (const BucketRun& run : slice.runs) {
          add(k, at, run);
          at += run.rows;
        }
      }
    } else {
      // The row group's bucket runs, in (part, bucket) order, each knowing its first row,
      // walked beside the run's parts (in part order): one pass, whatever the parts.
      size_t k = from - run_.begin();
      for (const BucketRun& run : footer.GroupBuckets(g)) {
        while (k < run_.size() && run_[k].index < run.part) ++k;
        if (k == run_.size()) break;
        if (run_[k].index == run.part && part_read_[k]) add(k, run.at, run);
      }
    }
    if (!range_parts_.empty()) partition_ = run_[range_parts_.front()].seg->partition;
    return total;
  }

  // The partition column of the rows of ranges_ (`rows` in all).
  Column PartitionColumn(size_t rows) const {
    auto value = [](const std::optional<int32_t>& p) {
      return p ? Value::Int(DataType::Date(), *p) : Value::Null(DataType::Date());
    };
    if (one_partition_) return ConstantColumn(value(partition_), rows);
    Column c(DataType::Date());
    c.Reserve(rows);
    for (size_t r = 0; r < ranges_.size(); ++r) {
      const Column part = ConstantColumn(value(run_[range_parts_[r]].seg->partition), ranges_[r].second);
      c.AppendRange(part, 0, ranges_[r].second);
    }
    return c;
  }

  // The rows of ranges_ (KeptRanges, `rows` in all) of a row group's column, copied.
  Column KeptRows(const Column& c, size_t rows) const {
    Column part(c.type());
    part.Reserve(rows);
    for (const auto& [at, n] : ranges_) part.AppendRange(c, at, n);
    return part;
  }

  bool FilterOnly(size_t i) const { return i < node_.filter_only.size() && node_.filter_only[i]; }
  // A stand-in of n rows for output column i, which nothing above the scan reads.
  Column Placeholder(size_t i, size_t n) const {
    Column c(node_.out[i].type);
    if (c.type().physical() == PhysicalType::kString) c.SetStrings(std::vector<uint32_t>(n + 1, 0), std::string());
    else c.ResizeFixedForWrite(n);  // never read: left as it is
    return c;
  }
  // The AND of the pushed-down conjuncts in `open` (bits), resolved against the scan's output;
  // made once per distinct set.
  Result<BExprPtr> OpenFilter(uint64_t open) {
    auto it = open_filters_.find(open);
    if (it != open_filters_.end()) return it->second;
    std::vector<BExprPtr> conj;
    for (size_t k = 0; k < node_.filters.size(); ++k)
      if (open >> k & 1) conj.push_back(node_.filters[k]);
    WH_ASSIGN_OR_RETURN(BExprPtr f, Resolve(MakeAnd(std::move(conj)), node_.out));
    open_filters_.emplace(open, f);
    return f;
  }
  // True when a conjunct in `open` reads output column i.
  bool OpenReads(uint64_t open, size_t i) {
    if (conjunct_reads_.empty()) {
      conjunct_reads_.resize(node_.filters.size());
      for (size_t k = 0; k < node_.filters.size(); ++k) {
        std::vector<int> ids;
        CollectColumns(*node_.filters[k], &ids);
        for (size_t c = 0; c < node_.out.size(); ++c)
          if (std::find(ids.begin(), ids.end(), node_.out[c].id) != ids.end()) conjunct_reads_[k].push_back(c);
      }
    }
    for (size_t k = 0; k < conjunct_reads_.size(); ++k) {
      if (conjunct_reads_.size() < 64 && !(open >> k & 1)) continue;
      if (std::find(conjunct_reads_[k].begin(), conjunct_reads_[k].end(), i) != conjunct_reads_[k].end()) return true;
    }
    return false;
  }

  const PlanNode& node_;
  BucketRange bucket_;
  std::vector<std::pair<size_t, size_t>> ranges_;  // KeptRanges: (first row, rows)
  ExecContext* ctx_;
  NodeStats& stats_;
  std::map<uint64_t, BExprPtr> open_filters_;
  std::vector<std::vector<size_t>> conjunct_reads_;
  // The kept segments [seg_, run_end_) name one file (reader_); run_ are those of them with
  // buckets this scan reads: each part's index in the file and its segment zone maps' ranges.
  size_t seg_ = 0, run_end_ = 0;
  struct RunPart {
    const SegmentEntry* seg;
    uint32_t index;
    uint64_t open;  // the filter conjuncts its segment's ranges leave open (ScanPruning::segment_open)
    RangeEnv env;   // those ranges, when some are open
  };
  std::vector<RunPart> run_;
  std::shared_ptr<SegmentReader> reader_;
  std::vector<size_t> visit_;  // row groups of the run to visit, in file order
  size_t visit_at_ = 0;
  std::vector<uint8_t> part_read_;   // per run_ part: read in the current row group
  std::vector<size_t> pruned_;       // the run_ parts the zone maps ruled out of it
  std::vector<size_t> range_parts_;  // per range of ranges_: its part (run_ index)
  bool one_partition_ = true;        // the ranges are all of partition_
  std::optional<int32_t> partition_;
  BExprPtr filter_;
  std::vector<int> filter_ids_;
};

class FilterOp : public Operator {
 public:
  FilterOp(std::unique_ptr<Operator> child, BExprPtr pred) : child_(std::move(child)), pred_(std::move(pred)) {}
  Result<bool> Next(Batch* out) override {
    Batch in;
    while (true) {
      WH_ASSIGN_OR_RETURN(bool more, child_->Next(&in));
      if (!more) return false;
      WH_ASSIGN_OR_RETURN(Column keep, Evaluate(*pred_, in));
      std::vector<uint32_t> sel = SelectTrue(keep);
      if (sel.empty()) continue;
      *out = sel.size() == in.rows ? std::move(in) : SelectRows(in, sel);
      return true;
    }
  }

 private:
  std::unique_ptr<Operator> child_;
  BExprPtr pred_;
};

// The columns of `exprs` (resolved against in's columns) over the rows of `in`.
Result<Batch> ProjectBatch(const std::vector<BExprPtr>& exprs, Batch in) {
  Batch b;
  b.rows = in.rows;
  // Column references move the input column (copied only when used twice); expressions are
  // evaluated first, while every input column is still in place.
  std::vector<int> uses(in.columns.size(), 0);
  for (const auto& e : exprs)
    if (e->kind == BExpr::kColumn) uses[e->column]++;
  b.columns.resize(exprs.size());
  for (size_t k = 0; k < exprs.size(); ++k) {
    if (exprs[k]->kind == BExpr::kColumn) continue;
    WH_ASSIGN_OR_RETURN(b.columns[k], Evaluate(*exprs[k], in));
  }
  for (size_t k = 0; k < exprs.size(); ++k) {
    if (exprs[k]->kind != BExpr::kColumn) continue;
    int c = exprs[k]->column;
    if (--uses[c] == 0) b.columns[k] = std::move(in.columns[c]);
    else b.columns[k] = in.columns[c];
  }
  return b;
}

class ProjectOp : public Operator {
 public:
  ProjectOp(std::unique_ptr<Operator> child, std::vector<BExprPtr> exprs)
      : child_(std::move(child)), exprs_(std::move(exprs)) {}
  // A wide projection (thousands of expressions) works on slices of its input batches, so that
  // an output batch holds about kMaxValues values: LIMIT 1 over 50,000 columns computes a few
  // rows, not every row of a batch.
  static constexpr size_t kMaxValues = size_t{1} << 22;

  Result<bool> Next(Batch* out) override {
    const size_t per = std::max<size_t>(1, kMaxValues / std::max<size_t>(1, exprs_.size()));
    while (pos_ >= in_.rows) {
      in_ = Batch{};
      pos_ = 0;
      WH_ASSIGN_OR_RETURN(bool more, child_->Next(&in_));
      if (!more) return false;
      if (in_.rows == 0) {  // a batch without rows still passes (as before)
        WH_ASSIGN_OR_RETURN(*out, ProjectBatch(exprs_, std::move(in_)));
        in_ = Batch{};
        return true;
      }
    }
    if (pos_ == 0 && in_.rows <= per) {
      pos_ = in_.rows;
      WH_ASSIGN_OR_RETURN(*out, ProjectBatch(exprs_, std::move(in_)));
      return true;
    }
    std::vector<uint32_t> sel(std::min(per, in_.rows - pos_));
    std::iota(sel.begin(), sel.end(), static_cast<uint32_t>(pos_));
    pos_ += sel.size();
    WH_ASSIGN_OR_RETURN(*out, ProjectBatch(exprs_, SelectRows(in_, sel)));
    return true;
  }

 private:
  std::unique_ptr<Operator> child_;
  std::vector<BExprPtr> exprs_;
  Batch in_;        // the input batch being projected slice by slice
  size_t pos_ = 0;  // its first row not projected yet
};

// Each input row as the rows of its lists' elements (PlanNode::kUnnest). A large expansion
// comes out in batches of about kMaxRows rows.
class UnnestOp : public Operator {
 public:
  UnnestOp(std::unique_ptr<Operator> child, std::vector<BExprPtr> lists, bool outer)
      : child_(std::move(child)), lists_(std::move(lists)), outer_(outer) {}
  static constexpr size_t kMaxRows = size_t{1} << 16;

  Result<bool> Next(Batch* out) override {
    while (pos_ >= in_.rows) {
      in_ = Batch{};
      pos_ = 0;
      WH_ASSIGN_OR_RETURN(bool more, child_->Next(&in_));
      if (!more) return false;
      elems_.clear();
      offsets_.clear();
      for (const auto& e : lists_) {
        WH_ASSIGN_OR_RETURN(ColumnHolder l, EvaluateView(*e, in_));
        offsets_.emplace_back();
        elems_.push_back(ListElements(l.get(), &offsets_.back()));
      }
    }
    // Input rows [pos_, end) and, per output row, its input row and element number.
    std::vector<uint32_t> rows, nth;
    size_t end = pos_;
    while (end < in_.rows && rows.size() < kMaxRows) {
      uint32_t n = 0;
      for (const auto& off : offsets_) n = std::max(n, off[end + 1] - off[end]);
      if (n == 0 && outer_) n = 1;
      for (uint32_t k = 0; k < n; ++k) {
        rows.push_back(static_cast<uint32_t>(end));
        nth.push_back(k);
      }
      ++end;
    }
    pos_ = end;
    *out = SelectRows(in_, rows);
    for (size_t l = 0; l < lists_.size(); ++l) {
      const Column& elems = elems_[l];
      const std::vector<uint32_t>& off = offsets_[l];
      Column c(elems.type());
      c.Reserve(rows.size());
      for (size_t i = 0; i < rows.size(); ++i) {
        const uint32_t at = off[rows[i]] + nth[i];
        if (at < off[rows[i] + 1]) c.AppendFrom(elems, at);
        else c.AppendNull();
      }
      out->columns.push_back(std::move(c));
    }
    out->rows = rows.size();
    return true;
  }

 private:
  std::unique_ptr<Operator> child_;
  std::vector<BExprPtr> lists_;
  bool outer_;
  Batch in_;
  size_t pos_ = 0;
  std::vector<Column> elems_;                  // per list: the elements of in_'s rows
  std::vector<std::vector<uint32_t>> offsets_;  // per list: row r's are [offsets[r], offsets[r + 1])
};

class ValuesOp : public Operator {
 public:
  Result<bool> Next(Batch* out) override {
    if (done_) return false;
    done_ = true;
    *out = Batch{};
    out->rows = 1;
    return true;
  }

 private:
  bool done_ = false;
};

}  // namespace

Result<std::shared_ptr<const std::vector<std::vector<Column>>>> FileSource::Rows() const {
  std::lock_guard<std::mutex> l(mu_);
  if (rows_) return rows_;
  std::vector<std::unique_ptr<InputStream>> owned;
  std::vector<InputStream*> inputs;
  for (const auto& p : paths) {
    WH_ASSIGN_OR_RETURN(auto in, OpenInput(p));
    inputs.push_back(in.get());
    owned.push_back(std::move(in));
  }
  auto rows = std::make_shared<std::vector<std::vector<Column>>>();
  Status read = ReadInputs(inputs, schema, options, [&](std::vector<std::vector<Column>> chunks) {
    for (auto& c : chunks)
      if (!c.empty() && c[0].size() > 0) rows->push_back(std::move(c));
    return Status::OK();
  });
  if (!read.ok() && read.code() == StatusCode::kDataError && read.message().find("cannot read") != std::string::npos)
    return Status::DataError(read.message() + " (the column types were guessed from the first rows: " + text +
                             " with all_varchar = true reads every column as text, a larger sample_size "
                             "looks further)");
  WH_RETURN_IF_ERROR(read);
  rows_ = std::move(rows);
  return rows_;
}

namespace {

using Chunks = std::vector<std::vector<Column>>;

// Hands out rows held in memory, a chunk at a time, each a copy (other operators may read the
// same rows); Load gives them on the first call.
class ChunksOp : public Operator {
 public:
  Result<bool> Next(Batch* out) override {
    WH_RETURN_IF_ERROR(CheckInterrupt());
    if (!rows_) {
      WH_ASSIGN_OR_RETURN(rows_, Load());
    }
    while (next_ < rows_->size()) {
      const std::vector<Column>& cols = (*rows_)[next_++];
      if (cols.empty() || cols[0].size() == 0) continue;
      *out = Batch{};
      out->rows = cols[0].size();
      out->columns = cols;
      return true;
    }
    return false;
  }

 protected:
  virtual Result<std::shared_ptr<const Chunks>> Load() = 0;

 private:
  std::shared_ptr<const Chunks> rows_;
  size_t next_ = 0;
};

// Files read in place: parsed on first use (on all cores, as ingest parses).
class FileScanOp : public ChunksOp {
 public:
  explicit FileScanOp(std::shared_ptr<const FileSource> file) : file_(std::move(file)) {}

 private:
  Result<std::shared_ptr<const Chunks>> Load() override { return file_->Rows(); }
  std::shared_ptr<const FileSource> file_;
};

// WITH RECURSIVE's rows reach the recursive term through its work table.
class WorkTableOp : public ChunksOp {
 public:
  explicit WorkTableOp(std::shared_ptr<WorkTable> work) : work_(std::move(work)) {}

 private:
  Result<std::shared_ptr<const Chunks>> Load() override {
    return std::shared_ptr<const Chunks>(work_, &work_->rows);  // shares the work table's life
  }
  std::shared_ptr<WorkTable> work_;
};

// The rows of a recursive WITH query: the first term's, then step after step the recursive
// term's over the rows the step before added, until a step adds none. UNION (not ALL) adds
// only rows not seen before, which also ends a recursion that comes back to where it was.
class RecursiveOp : public ChunksOp {
 public:
  static constexpr uint64_t kMaxSteps = 1000000;

  RecursiveOp(const PlanNode& node, ExecContext* ctx) : node_(node), ctx_(ctx) {}

 private:
  Result<std::shared_ptr<const Chunks>> Load() override { return Compute(); }

  // A row's values as bytes, for UNION's test of rows seen before.
  static std::string RowKey(const std::vector<Column>& cols, size_t i) {
    std::string k;
    for (const auto& c : cols) {
      Value v = ValueAt(c, i);
      if (v.null) {
        k += '\0';
        continue;
      }
      k += '\1';
      if (c.type().id == TypeId::kString) {
        const uint64_t n = v.s.size();
        k.append(reinterpret_cast<const char*>(&n), sizeof n);
        k += v.s;
      } else if (c.type().id == TypeId::kDouble) {
        double d = v.d == 0 ? 0.0 : v.d;  // -0.0 = 0.0
        k.append(reinterpret_cast<const char*>(&d), sizeof d);
      } else {
        k.append(reinterpret_cast<const char*>(&v.i), sizeof v.i);
      }
    }
    return k;
  }

  Result<std::shared_ptr<const std::vector<std::vector<Column>>>> Compute() {
    WorkTable& work = *node_.work;
    std::lock_guard<std::mutex> lock(work.mu);
    if (work.result) return work.result;
    auto result = std::make_shared<std::vector<std::vector<Column>>>();
    std::unordered_set<std::string> seen;
    // Runs one plan to its end; its new rows become the next work table and join the result.
    auto run = [&](const PlanPtr& plan) -> Result<uint64_t> {
      WH_ASSIGN_OR_RETURN(auto op, BuildOperator(plan, BucketRange{}, ctx_));
      std::vector<std::vector<Column>> fresh;
      uint64_t added = 0;
      Batch b;
      while (true) {
        WH_ASSIGN_OR_RETURN(bool more, op->Next(&b));
        if (!more) break;
        if (b.rows == 0) continue;
        std::vector<Column> cols = std::move(b.columns);
        if (!node_.recursive_all) {
          std::vector<uint32_t> keep;
          for (size_t i = 0; i < b.rows; ++i)
            if (seen.insert(RowKey(cols, i)).second) keep.push_back(static_cast<uint32_t>(i));
          if (keep.empty()) continue;
          if (keep.size() < b.rows) {
            std::vector<Column> kept;
            for (const auto& c : cols) {
              kept.emplace_back(c.type());
              kept.back().AppendSelected(c, keep.data(), keep.size());
            }
            cols = std::move(kept);
          }
        }
        added += cols[0].size();
        result->push_back(cols);
        fresh.push_back(std::move(cols));
      }
      work.rows = std::move(fresh);
      return added;
    };
    WH_ASSIGN_OR_RETURN(uint64_t added, run(node_.children[0]));
    for (uint64_t step = 1; added > 0; ++step) {
      WH_RETURN_IF_ERROR(CheckInterrupt());
      if (step > kMaxSteps)
        return Status::InvalidArgument("a recursive WITH query did not end after " + std::to_string(kMaxSteps) +
                                       " steps (does its recursive term stop adding rows? UNION instead of "
                                       "UNION ALL ends one that comes back to rows it had)");
      WH_ASSIGN_OR_RETURN(added, run(node_.children[1]));
    }
    work.rows.clear();
    work.result = std::move(result);
    return work.result;
  }

  const PlanNode& node_;
  ExecContext* ctx_;
};

std::vector<DataType> TypesOf(const std::vector<BExprPtr>& exprs) {
  std::vector<DataType> t;
  for (const auto& e : exprs) t.push_back(e->type);
  return t;
}

std::vector<DataType> TypesOf(const std::vector<PlanColumn>& columns) {
  std::vector<DataType> types;
  for (const auto& c : columns) types.push_back(c.type);
  return types;
}

class AggregateOp : public Operator {
 public:
  AggregateOp(std::unique_ptr<Operator> child, std::vector<BExprPtr> groups, std::vector<AggregateSpec> aggs,
              NodeStats* stats, int order_group = -1)
      : child_(std::move(child)), groups_(std::move(groups)), aggs_(std::move(aggs)), table_(TypesOf(groups_)),
        stats_(stats), order_group_(order_group) {
    for (const auto& a : aggs_) states_.push_back(MakeAggregateState(a));
    FuseCountEquals();
    // Buckets have about the same number of groups: size the table like the largest so far.
    if (!groups_.empty()) table_.Reserve(stats_->groups.load());
  }

  // An aggregate with FILTER (WHERE ...) and / or further columns: only the rows where the
  // filter is TRUE, with all of its columns.
  Status UpdateGeneral(size_t a, const Batch& in, const std::vector<uint32_t>& gids) {
    const AggregateSpec& spec = aggs_[a];
    std::vector<uint32_t> sel;
    const bool filtered = spec.filter != nullptr;
    if (filtered) {
      WH_ASSIGN_OR_RETURN(Column keep, Evaluate(*spec.filter, in));
      sel = SelectTrue(keep);
      if (sel.empty()) return Status::OK();
    }
    auto column = [&](const BExprPtr& e) -> Result<Column> {
      WH_ASSIGN_OR_RETURN(Column c, Evaluate(*e, in));
      if (!filtered || sel.size() == in.rows) return c;
      Column part(c.type());
      part.AppendSelected(c, sel.data(), sel.size());
      return part;
    };
    std::vector<uint32_t> g;
    if (filtered) {
      g.reserve(sel.size());
      for (uint32_t i : sel) g.push_back(gids[i]);
    }
    const uint32_t* gp = filtered ? g.data() : gids.data();
    const size_t n = filtered ? sel.size() : in.rows;
    Column arg;
    if (spec.arg) {
      WH_ASSIGN_OR_RETURN(arg, column(spec.arg));
    }
    std::vector<Column> more;
    for (const auto& m : spec.more) {
      WH_ASSIGN_OR_RETURN(Column c, column(m));
      more.push_back(std::move(c));
    }
    std::vector<const Column*> ptrs;
    for (const auto& c : more) ptrs.push_back(&c);
    return states_[a]->UpdateMore(spec.arg ? &arg : nullptr, ptrs, gp, n);
  }

  Result<bool> Next(Batch* out) override {
    if (done_) return false;
    done_ = true;
    Batch in;
    std::vector<uint32_t> gids;
    size_t groups = groups_.empty() ? 1 : 0;
    auto resize = [&](size_t g) {
      for (size_t a = 0; a < aggs_.size(); ++a)
        if (fused_of_[a] < 0) states_[a]->Resize(g);
      for (auto& f : fused_) f.state.Resize(g);
    };
    // States sized once for as many groups as the largest bucket so far had (like the table),
    // not grown - copied and zeroed again - batch after batch.
    resize(std::max<size_t>(groups, groups_.empty() ? 0 : stats_->groups.load()));
    while (true) {
      WH_ASSIGN_OR_RETURN(bool more, child_->Next(&in));
      if (!more) break;
      if (in.rows == 0) continue;
      gids.assign(in.rows, 0);
      if (!groups_.empty()) {
        std::vector<ColumnHolder> keys;
        for (const auto& g : groups_) {
          WH_ASSIGN_OR_RETURN(ColumnHolder c, EvaluateView(*g, in));
          keys.push_back(std::move(c));
        }
        std::vector<const Column*> ptrs;
        for (const auto& k : keys) ptrs.push_back(&k.get());
        table_.FindOrInsert(ptrs, in.rows, gids.data());
        groups = table_.size();
        resize(groups);
      }
      for (auto& f : fused_) {
        WH_ASSIGN_OR_RETURN(ColumnHolder x, EvaluateView(*f.x, in));
        f.state.Update(x.get(), gids.data(), in.rows);
      }
      for (size_t a = 0; a < aggs_.size(); ++a) {
        if (fused_of_[a] >= 0) continue;
        const AggregateSpec& spec = aggs_[a];
        if (spec.filter || !spec.more.empty()) {
          WH_RETURN_IF_ERROR(UpdateGeneral(a, in, gids));
          continue;
        }
        if (!spec.arg) {
          WH_RETURN_IF_ERROR(states_[a]->Update(nullptr, gids.data(), in.rows));
          continue;
        }
        WH_ASSIGN_OR_RETURN(ColumnHolder v, EvaluateView(*spec.arg, in));
        WH_RETURN_IF_ERROR(states_[a]->Update(&v.get(), gids.data(), in.rows));
      }
    }
    // The most groups a bucket had (another thread may raise it at the same time).
    uint64_t seen = stats_->groups.load();
    while (groups > seen && !stats_->groups.compare_exchange_weak(seen, groups)) {
    }
    Batch b;
    b.rows = groups;
    for (auto& k : table_.keys()) b.columns.push_back(std::move(k));
    std::vector<std::vector<Column>> counted;
    for (auto& f : fused_) counted.push_back(f.state.Finish(groups));
    for (size_t a = 0; a < aggs_.size(); ++a) {
      if (fused_of_[a] >= 0) {
        const size_t f = static_cast<size_t>(fused_of_[a]);
        const size_t k = fused_[f].slot_of.at(a);
        // The column moves to the last aggregate counting its literal (one may repeat).
        bool later = false;
        for (size_t a2 = a + 1; a2 < aggs_.size(); ++a2)
          later |= fused_of_[a2] == fused_of_[a] && fused_[f].slot_of.at(a2) == k;
        b.columns.push_back(later ? counted[f][k] : std::move(counted[f][k]));
        continue;
      }
      WH_ASSIGN_OR_RETURN(Column c, states_[a]->Finish(groups));
      b.columns.push_back(std::move(c));
    }
    if (b.rows == 0) return false;
    if (order_group_ >= 0) OrderBy(&b, static_cast<size_t>(order_group_));
    *out = std::move(b);
    return true;
  }

 private:
  // Puts the groups in ascending order of key column g, NULL last, equal keys as they were.
  static void OrderBy(Batch* b, size_t g) {
    std::vector<Column> key;
    key.push_back(std::move(b->columns[g]));
    const std::vector<uint32_t> perm = SortPermutation(key, {SortKey{}}, b->rows);
    b->columns[g] = std::move(key[0]);
    size_t i = 0;
    while (i < perm.size() && perm[i] == i) ++i;
    if (i == perm.size()) return;  // in order already
    for (auto& c : b->columns) {
      Column sorted(c.type());
      sorted.AppendSelected(c, perm.data(), perm.size());
      c = std::move(sorted);
    }
  }

  // COUNT_IF(x = 'literal') aggregates over one STRING column x, counted together when there
  // are several (CountEqualsState): the seven post types of the user report, say.
  struct Fused {
    BExprPtr x;
    CountEqualsState state;
    std::map<size_t, size_t> slot_of;  // aggregate -> counter
  };
  // The column and literal of COUNT_IF(column = 'literal') (either order), or false.
  static bool CountEquals(const AggregateSpec& a, int* column, BExprPtr* x, std::string* literal) {
    if (a.fn != "COUNT_IF" || a.distinct || a.filter || !a.arg || a.arg->kind != BExpr::kCompare || a.arg->op != "=")
      return false;
    for (int side : {0, 1}) {
      const BExprPtr& c = a.arg->args[side];
      const BExprPtr& l = a.arg->args[1 - side];
      if (c->kind == BExpr::kColumn && c->type.physical() == PhysicalType::kString && l->kind == BExpr::kLiteral &&
          !l->value.null && l->value.type.physical() == PhysicalType::kString) {
        *column = c->column;
        *x = c;
        *literal = l->value.s;
        return true;
      }
    }
    return false;
  }
  void FuseCountEquals() {
    fused_of_.assign(aggs_.size(), -1);
    struct Member {
      size_t agg;
      BExprPtr x;
      std::string literal;
    };
    std::map<int, std::vector<Member>> by_column;
    for (size_t a = 0; a < aggs_.size(); ++a) {
      int column;
      Member m{a, nullptr, {}};
      if (CountEquals(aggs_[a], &column, &m.x, &m.literal)) by_column[column].push_back(std::move(m));
    }
    for (const auto& [column, members] : by_column) {
      if (members.size() < 2) continue;
      std::vector<std::string> literals;
      std::map<size_t, size_t> slot_of;
      for (const Member& m : members) {
        auto it = std::find(literals.begin(), literals.end(), m.literal);
        slot_of[m.agg] = static_cast<size_t>(it - literals.begin());
        if (it == literals.end()) literals.push_back(m.literal);
        fused_of_[m.agg] = static_cast<int>(fused_.size());
      }
      fused_.push_back(Fused{members[0].x, CountEqualsState(std::move(literals)), std::move(slot_of)});
    }
  }

  std::unique_ptr<Operator> child_;
  std::vector<BExprPtr> groups_;
  std::vector<AggregateSpec> aggs_;
  std::vector<Fused> fused_;
  std::vector<int> fused_of_;  // per aggregate: its entry of fused_, or -1
  KeyTable table_;
  NodeStats* stats_;
  int order_group_;
  std::vector<std::unique_ptr<AggregateState>> states_;
  bool done_ = false;
};

// Rows `rows` of src, where UINT32_MAX stands for a NULL (an outer join's missing side).
template <typename T>
void GatherFixed(const T* in, const uint32_t* rows, size_t n, T* out) {
  // A missing row reads row 0 (there is one: some row is not missing) and is overwritten.
  for (size_t k = 0; k < n; ++k) {
    const uint32_t r = rows[k];
    const T v = in[r == UINT32_MAX ? 0 : r];
    out[k] = r == UINT32_MAX ? T{} : v;
  }
}

Column GatherOrNull(const Column& src, const std::vector<uint32_t>& rows) {
  const size_t n = rows.size();
  Column out(src.type());
  std::vector<uint8_t> valid(n);
  uint8_t all = 1;
  if (src.has_nulls()) {
    const uint8_t* v = src.validity().data();
    for (size_t k = 0; k < n; ++k) {
      const uint32_t r = rows[k];
      valid[k] = r != UINT32_MAX && v[r];
      all &= valid[k];
    }
  } else {
    for (size_t k = 0; k < n; ++k) {
      valid[k] = rows[k] != UINT32_MAX;
      all &= valid[k];
    }
  }
  if (src.type().physical() == PhysicalType::kString) {
    std::vector<uint32_t> offsets(n + 1, 0);
    std::string chars;
    for (size_t k = 0; k < n; ++k) {
      if (valid[k]) chars.append(src.GetString(rows[k]));
      offsets[k + 1] = static_cast<uint32_t>(chars.size());
    }
    out.SetStrings(std::move(offsets), std::move(chars));
  } else if (src.size() == 0) {
    out.ResizeFixed(n);  // every row missing: zeros
  } else {
    uint8_t* o = out.ResizeFixedForWrite(n);
    const uint8_t* in = src.values<uint8_t>();
    switch (src.type().width()) {
      case 1: GatherFixed(in, rows.data(), n, o); break;
      case 4:
        GatherFixed(reinterpret_cast<const uint32_t*>(in), rows.data(), n, reinterpret_cast<uint32_t*>(o));
        break;
      case 8:
        GatherFixed(reinterpret_cast<const uint64_t*>(in), rows.data(), n, reinterpret_cast<uint64_t*>(o));
        break;
      default:
        GatherFixed(reinterpret_cast<const uint128*>(in), rows.data(), n,
                    reinterpret_cast<uint128*>(o));
    }
  }
  if (!all) out.SetValidity(std::move(valid));
  return out;
}

// Reads op to the end into one batch (typed empty columns when it gives no rows): a join side
// that is read whole.
Status ReadAll(Operator* op, const std::vector<DataType>& types, Batch* all) {
  *all = Batch{};
  Batch b;
  bool first = true;
  while (true) {
    WH_ASSIGN_OR_RETURN(bool more, op->Next(&b));
    if (!more) break;
    if (b.rows == 0) continue;
    if (first) *all = std::move(b);
    else AppendBatch(all, b);
    first = false;
    b = Batch{};
  }
  if (first)
    for (const auto& t : types) all->columns.emplace_back(t);
  return Status::OK();
}

class HashJoinOp : public Operator {
 public:
  HashJoinOp(const PlanNode& node, std::unique_ptr<Operator> left, std::unique_ptr<Operator> right,
             std::vector<BExprPtr> lkeys, std::vector<BExprPtr> rkeys, BExprPtr residual)
      : type_(node.join_type), left_(std::move(left)), right_(std::move(right)),
        lkeys_(std::move(lkeys)), rkeys_(std::move(rkeys)), residual_(std::move(residual)) {
    for (const auto& c : node.children[0]->out) left_types_.push_back(c.type);
    for (const auto& c : node.children[1]->out) right_types_.push_back(c.type);
    std::vector<DataType> kt;
    for (const auto& k : rkeys_) kt.push_back(k->type);
    if (kt.empty()) kt.push_back(DataType::Int32());
    table_ = std::make_unique<KeyTable>(kt);
    null_aware_ = node.null_aware;
    single_match_ = node.single_match;
    if (null_aware_ && rkeys_.size() > 1) {
      kt.pop_back();
      corr_table_ = std::make_unique<KeyTable>(kt);
    }
  }

  Result<bool> Next(Batch* out) override {
    WH_RETURN_IF_ERROR(CheckInterrupt());
    if (!built_) {
      WH_RETURN_IF_ERROR(Build());
      built_ = true;
    }
    while (true) {
      if (big_.active) {
        WH_ASSIGN_OR_RETURN(bool produced, ProbeChunk(out));
        if (produced) return true;
        continue;
      }
      if (left_done_) break;
      Batch in;
      WH_ASSIGN_OR_RETURN(bool more, left_->Next(&in));
      if (!more) {
        left_done_ = true;
        break;
      }
      if (in.rows == 0) continue;
      if (type_ == PlanNode::kSemi || type_ == PlanNode::kAnti || type_ == PlanNode::kMark) {
        WH_ASSIGN_OR_RETURN(bool produced, ProbeExistence(in, out));
        if (produced) return true;
        continue;
      }
      WH_ASSIGN_OR_RETURN(bool produced, Probe(in, out));
      if (produced) return true;
    }
    // Unmatched build rows of a RIGHT / FULL join.
    if ((type_ == PlanNode::kRight || type_ == PlanNode::kFull) && !tail_done_) {
      tail_done_ = true;
      std::vector<uint32_t> sel;
      for (size_t r = 0; r < build_.rows; ++r)
        if (!matched_[r]) sel.push_back(static_cast<uint32_t>(r));
      if (sel.empty()) return false;
      Batch b;
      b.rows = sel.size();
      for (const auto& t : left_types_) b.columns.push_back(NullColumn(t, sel.size()));
      Batch r = SelectRows(build_, sel);
      for (auto& c : r.columns) b.columns.push_back(std::move(c));
      *out = std::move(b);
      return true;
    }
    return false;
  }

 private:
  Status Build() {
    WH_RETURN_IF_ERROR(ReadAll(right_.get(), right_types_, &build_));
    // An uncorrelated scalar subquery of two rows is an error whatever the outer rows (DuckDB).
    if (single_match_ && rkeys_.empty() && build_.rows > 1)
      return Status::InvalidArgument("more than one row returned by a subquery used as an expression");
    std::vector<uint32_t> ids(build_.rows);
    WH_ASSIGN_OR_RETURN(std::vector<ColumnHolder> keys, KeyColumns(rkeys_, build_));
    std::vector<const Column*> ptrs;
    for (const auto& k : keys) ptrs.push_back(&k.get());
    // Rows whose key has a NULL never match: leave them out of the table.
    std::vector<uint8_t> has_null(build_.rows, 0);
    for (const Column* k : ptrs)
      if (k->has_nulls())
        for (size_t i = 0; i < build_.rows; ++i) has_null[i] |= !k->validity()[i];
    table_->Reserve(build_.rows);
    table_->FindOrInsert(ptrs, build_.rows, ids.data());
    head_.assign(table_->size(), UINT32_MAX);
    next_.assign(build_.rows, UINT32_MAX);
    for (size_t i = build_.rows; i-- > 0;) {
      if (has_null[i]) continue;
      next_[i] = head_[ids[i]];
      head_[ids[i]] = static_cast<uint32_t>(i);
    }
    matched_.assign(build_.rows, 0);
    chain_.assign(table_->size(), 0);
    for (size_t i = 0; i < build_.rows; ++i)
      if (!has_null[i]) ++chain_[ids[i]];
    if (null_aware_) {
      // NOT IN's NULL rules per group of the other (correlation) keys: whether the group has
      // rows, and whether one of them has a NULL IN key. Rows with a NULL correlation key are
      // in no group (their condition is never TRUE).
      const Column& in_key = *ptrs.back();
      if (!corr_table_) {
        build_any_ = build_.rows > 0;
        for (size_t i = 0; i < build_.rows; ++i) build_null_ = build_null_ || in_key.IsNull(i);
      } else {
        std::vector<const Column*> corr(ptrs.begin(), ptrs.end() - 1);
        std::vector<uint8_t> corr_null(build_.rows, 0);
        for (const Column* k : corr)
          if (k->has_nulls())
            for (size_t i = 0; i < build_.rows; ++i) corr_null[i] |= !k->validity()[i];
        std::vector<uint32_t> g(build_.rows);
        corr_table_->FindOrInsert(corr, build_.rows, g.data());
        group_null_.assign(corr_table_->size(), 0);
        group_rows_.assign(corr_table_->size(), 0);
        for (size_t i = 0; i < build_.rows; ++i) {
          if (corr_null[i]) continue;
          group_rows_[g[i]] = 1;
          group_null_[g[i]] |= in_key.IsNull(i);
        }
      }
    }
    return Status::OK();
  }

  // SEMI, ANTI and MARK joins: which probe rows have a partner (for which the residual holds),
  // a chunk of pairs at a time; then the rows kept, or all of them with the mark.
  Result<bool> ProbeExistence(Batch& in, Batch* out) {
    WH_ASSIGN_OR_RETURN(std::vector<ColumnHolder> keys, KeyColumns(lkeys_, in));
    std::vector<const Column*> ptrs;
    for (const auto& k : keys) ptrs.push_back(&k.get());
    std::vector<uint32_t> ids(in.rows);
    table_->Find(ptrs, in.rows, ids.data());
    if (!residual_ && !null_aware_ && type_ != PlanNode::kMark) {
      // A partner is a key found: the rows kept are picked straight from the ids.
      // Without a branch per row: whether a key is found is as good as random.
      std::vector<uint32_t> sel(in.rows);
      const bool want = type_ == PlanNode::kSemi;
      size_t kept = 0;
      for (size_t i = 0; i < in.rows; ++i) {
        sel[kept] = static_cast<uint32_t>(i);
        kept += (ids[i] != KeyTable::kNone) == want;
      }
      sel.resize(kept);
      if (sel.empty()) return false;
      *out = sel.size() == in.rows ? std::move(in) : SelectRows(in, sel);
      return true;
    }
    std::vector<uint8_t> hit(in.rows, 0);
    if (!residual_) {
      for (size_t i = 0; i < in.rows; ++i) hit[i] = ids[i] != KeyTable::kNone;
    } else {
      // A row's partners are tested in rounds, 1, 2, 4, ... of them a round, so that a row
      // stops at its first partner for which the residual holds (EXISTS needs no more) while
      // long chains without one still take few rounds.
      const size_t limit = MaxPairs(in.rows);
      std::vector<uint32_t> cursor(in.rows, UINT32_MAX);
      for (size_t i = 0; i < in.rows; ++i)
        if (ids[i] != KeyTable::kNone) cursor[i] = head_[ids[i]];
      std::vector<uint32_t> lsel, rsel;
      auto flush = [&]() -> Status {
        WH_RETURN_IF_ERROR(FilterResidual(in, &lsel, &rsel));
        for (uint32_t l : lsel) hit[l] = 1;
        lsel.clear();
        rsel.clear();
        return Status::OK();
      };
      for (size_t per_row = 1;; per_row = std::min<size_t>(per_row * 2, size_t{1} << 16)) {
        bool any = false;
        for (size_t i = 0; i < in.rows; ++i) {
          if (hit[i]) continue;
          for (size_t k = 0; k < per_row && cursor[i] != UINT32_MAX; ++k) {
            lsel.push_back(static_cast<uint32_t>(i));
            rsel.push_back(cursor[i]);
            cursor[i] = next_[cursor[i]];
            any = true;
            if (lsel.size() >= limit) WH_RETURN_IF_ERROR(flush());
          }
        }
        WH_RETURN_IF_ERROR(flush());
        if (!any) break;
      }
    }
    // NOT IN / IN as a value: a row without a partner is NULL, not FALSE, when the right side
    // has rows for it and its key, or one of those rows' keys, is NULL.
    std::vector<uint8_t> unknown(in.rows, 0);
    if (null_aware_) {
      const Column& x = *ptrs.back();
      std::vector<uint32_t> g;
      if (corr_table_) {
        g.resize(in.rows);
        std::vector<const Column*> corr(ptrs.begin(), ptrs.end() - 1);
        corr_table_->Find(corr, in.rows, g.data());
      }
      for (size_t i = 0; i < in.rows; ++i) {
        if (hit[i]) continue;
        const bool any = corr_table_ ? g[i] != KeyTable::kNone && group_rows_[g[i]] : build_any_;
        const bool has_null = corr_table_ ? g[i] != KeyTable::kNone && group_null_[g[i]] : build_null_;
        unknown[i] = any && (x.IsNull(i) || has_null);
      }
    }
    if (type_ == PlanNode::kMark) {
      Column mark(DataType::Boolean());
      uint8_t* m = mark.ResizeFixed(in.rows);
      std::vector<uint8_t> valid;
      for (size_t i = 0; i < in.rows; ++i) m[i] = hit[i];
      if (null_aware_) {
        valid.assign(in.rows, 1);
        bool any = false;
        for (size_t i = 0; i < in.rows; ++i) {
          valid[i] = !unknown[i];
          any = any || unknown[i];
        }
        if (!any) valid.clear();
      }
      mark.SetValidity(std::move(valid));
      *out = std::move(in);
      out->columns.push_back(std::move(mark));
      return true;
    }
    std::vector<uint32_t> sel;
    const bool want = type_ == PlanNode::kSemi;
    for (size_t i = 0; i < in.rows; ++i)
      if (hit[i] == want && !unknown[i]) sel.push_back(static_cast<uint32_t>(i));
    if (sel.empty()) return false;
    *out = sel.size() == in.rows ? std::move(in) : SelectRows(in, sel);
    return true;
  }

  // A scalar subquery's LEFT join: an outer row with two partners is an error (pairs come in
  // probe order, one run per probe row).
  Status CheckSingle(const std::vector<uint32_t>& lsel) const {
    if (!single_match_) return Status::OK();
    for (size_t k = 1; k < lsel.size(); ++k)
      if (lsel[k] == lsel[k - 1])
        return Status::InvalidArgument("more than one row returned by a subquery used as an expression");
    return Status::OK();
  }

  // Keeps the pairs (lsel[k], rsel[k]) for which the residual condition is TRUE.
  Status FilterResidual(const Batch& in, std::vector<uint32_t>* lsel, std::vector<uint32_t>* rsel) {
    if (!residual_ || lsel->empty()) return Status::OK();
    Batch pairs;
    pairs.rows = lsel->size();
    {
      Batch l = SelectRows(in, *lsel);
      Batch r = SelectRows(build_, *rsel);
      for (auto& c : l.columns) pairs.columns.push_back(std::move(c));
      for (auto& c : r.columns) pairs.columns.push_back(std::move(c));
    }
    WH_ASSIGN_OR_RETURN(Column keep, Evaluate(*residual_, pairs));
    std::vector<uint32_t> sel = SelectTrue(keep);
    if (sel.size() != lsel->size()) {
      std::vector<uint32_t> l2, r2;
      for (uint32_t k : sel) {
        l2.push_back((*lsel)[k]);
        r2.push_back((*rsel)[k]);
      }
      *lsel = std::move(l2);
      *rsel = std::move(r2);
    }
    return Status::OK();
  }

  // A probe batch with more pairs than MaxPairs (a cross join, a key shared by many rows) is
  // joined a chunk of pairs at a time, so that memory follows the chunk, not the product; the
  // probe rows of a LEFT / FULL join that matched nothing come after its last chunk.
  size_t MaxPairs(size_t probe_rows) const { return std::max<size_t>(4 * probe_rows, size_t{1} << 18); }

  Result<bool> ProbeChunk(Batch* out) {
    Big& g = big_;
    const size_t limit = MaxPairs(g.in.rows);
    while (g.i < g.in.rows) {
      std::vector<uint32_t> lsel, rsel;
      while (g.i < g.in.rows && lsel.size() < limit) {
        const uint32_t id = g.ids[g.i];
        uint32_t r = id == KeyTable::kNone ? UINT32_MAX : g.in_chain ? g.r : head_[id];
        for (; r != UINT32_MAX && lsel.size() < limit; r = next_[r]) {
          lsel.push_back(static_cast<uint32_t>(g.i));
          rsel.push_back(r);
        }
        g.in_chain = r != UINT32_MAX;
        g.r = r;
        if (!g.in_chain) ++g.i;
      }
      WH_RETURN_IF_ERROR(FilterResidual(g.in, &lsel, &rsel));
      WH_RETURN_IF_ERROR(CheckSingle(lsel));
      for (size_t k = 0; k < lsel.size(); ++k) {
        if (single_match_ && g.hit[lsel[k]] && (k == 0 || lsel[k - 1] != lsel[k]))
          return Status::InvalidArgument("more than one row returned by a subquery used as an expression");
        matched_[rsel[k]] = 1;
        g.hit[lsel[k]] = 1;
      }
      if (lsel.empty()) continue;
      Batch joined;
      joined.rows = lsel.size();
      for (const auto& c : g.in.columns) {
        Column x(c.type());
        x.AppendSelected(c, lsel.data(), lsel.size());
        joined.columns.push_back(std::move(x));
      }
      for (const auto& c : build_.columns) joined.columns.push_back(GatherOrNull(c, rsel));
      *out = std::move(joined);
      return true;
    }
    g.active = false;
    if (type_ != PlanNode::kLeft && type_ != PlanNode::kFull) return false;
    std::vector<uint32_t> lsel, rsel;
    for (size_t i = 0; i < g.in.rows; ++i)
      if (!g.hit[i]) {
        lsel.push_back(static_cast<uint32_t>(i));
        rsel.push_back(UINT32_MAX);
      }
    if (lsel.empty()) return false;
    Batch joined = SelectRows(g.in, lsel);
    for (const auto& c : build_.columns) joined.columns.push_back(GatherOrNull(c, rsel));
    *out = std::move(joined);
    return true;
  }

  Result<std::vector<ColumnHolder>> KeyColumns(const std::vector<BExprPtr>& keys, const Batch& b) {
    std::vector<ColumnHolder> out;
    if (keys.empty()) {  // no equality: every row has the same key
      out.emplace_back(ConstantColumn(Value::Int(DataType::Int32(), 0), b.rows));
      return out;
    }
    for (const auto& k : keys) {
      WH_ASSIGN_OR_RETURN(ColumnHolder c, EvaluateView(*k, b));
      out.push_back(std::move(c));
    }
    return out;
  }

  Result<bool> Probe(Batch& in, Batch* out) {
    WH_ASSIGN_OR_RETURN(std::vector<ColumnHolder> keys, KeyColumns(lkeys_, in));
    std::vector<const Column*> ptrs;
    for (const auto& k : keys) ptrs.push_back(&k.get());
    std::vector<uint32_t> ids(in.rows);
    table_->Find(ptrs, in.rows, ids.data());
    size_t pairs = 0;
    for (size_t i = 0; i < in.rows; ++i)
      if (ids[i] != KeyTable::kNone) pairs += chain_[ids[i]];
    if (pairs > MaxPairs(in.rows)) {
      big_ = Big{};
      big_.in = std::move(in);
      big_.ids = std::move(ids);
      big_.hit.assign(big_.in.rows, 0);
      big_.active = true;
      return ProbeChunk(out);
    }
    std::vector<uint32_t> lsel, rsel;
    for (size_t i = 0; i < in.rows; ++i) {
      if (ids[i] == KeyTable::kNone) continue;
      for (uint32_t r = head_[ids[i]]; r != UINT32_MAX; r = next_[r]) {
        lsel.push_back(static_cast<uint32_t>(i));
        rsel.push_back(r);
      }
    }
    // Only pairs for which the residual condition is TRUE join.
    WH_RETURN_IF_ERROR(FilterResidual(in, &lsel, &rsel));
    WH_RETURN_IF_ERROR(CheckSingle(lsel));
    for (uint32_t r : rsel) matched_[r] = 1;
    if (type_ == PlanNode::kLeft || type_ == PlanNode::kFull) {
      // Probe rows without a match, with NULLs on the build side, in probe order: when every
      // probe row appears once, in order, the probe columns move instead of being copied.
      std::vector<uint32_t> l2, r2;
      l2.reserve(std::max(lsel.size(), in.rows));
      r2.reserve(l2.capacity());
      size_t k = 0;
      for (uint32_t i = 0; i < in.rows; ++i) {
        if (k < lsel.size() && lsel[k] == i) {
          for (; k < lsel.size() && lsel[k] == i; ++k) {
            l2.push_back(i);
            r2.push_back(rsel[k]);
          }
        } else {
          l2.push_back(i);
          r2.push_back(UINT32_MAX);
        }
      }
      lsel = std::move(l2);
      rsel = std::move(r2);
    }
    if (lsel.empty()) return false;
    Batch joined;
    joined.rows = lsel.size();
    bool identity = lsel.size() == in.rows;
    for (size_t k = 0; identity && k < lsel.size(); ++k) identity = lsel[k] == k;
    if (identity) {  // every probe row once, in order
      for (auto& c : in.columns) joined.columns.push_back(std::move(c));
    } else {
      for (const auto& c : in.columns) {
        Column g(c.type());
        g.AppendSelected(c, lsel.data(), lsel.size());
        joined.columns.push_back(std::move(g));
      }
    }
    for (const auto& c : build_.columns) joined.columns.push_back(GatherOrNull(c, rsel));
    *out = std::move(joined);
    return true;
  }

  PlanNode::JoinType type_;
  std::unique_ptr<Operator> left_, right_;
  std::vector<BExprPtr> lkeys_, rkeys_;
  BExprPtr residual_;
  std::vector<DataType> left_types_, right_types_;
  std::unique_ptr<KeyTable> table_;
  Batch build_;
  std::vector<uint32_t> head_, next_;
  std::vector<uint32_t> chain_;  // per key: how many build rows have it
  std::vector<uint8_t> matched_;
  // The probe batch being joined chunk by chunk (ProbeChunk): the next probe row i and, when
  // in_chain, the next build row r of its chain; which probe rows found a partner.
  struct Big {
    bool active = false;
    Batch in;
    std::vector<uint32_t> ids;
    std::vector<uint8_t> hit;
    size_t i = 0;
    bool in_chain = false;
    uint32_t r = UINT32_MAX;
  } big_;
  bool built_ = false, left_done_ = false, tail_done_ = false;
  bool null_aware_ = false, single_match_ = false;
  // NOT IN's NULL rules (null_aware_): over the whole right side (no other keys), or per group
  // of the other keys (corr_table_): whether there are rows, and a NULL IN key among them.
  bool build_any_ = false, build_null_ = false;
  std::unique_ptr<KeyTable> corr_table_;
  std::vector<uint8_t> group_rows_, group_null_;
};

// Joins on one integer key whose inputs arrive in ascending key order, NULLs last (the
// optimizer arranges it: see PlanNode::merge_join): inputs[0] JOIN inputs[1], and for a chain
// (PlanNode::merge_chain) that result, through the USING projection projects[0], FULL JOIN
// inputs[2], and so on. Every input is read whole - one bucket's rows - and all are walked once
// in step; the output is in key order as well. For each key, in ascending order: the
// combinations of the inputs' rows with that key, inputs[0] outermost (left-major, as the hash
// join pairs); an input without the key gives one NULL row where its join keeps rows without a
// partner (FULL; the kept side of LEFT and RIGHT) and drops the key otherwise. Then each
// input's rows with a NULL key, which match nothing, in input order where kept. That is what
// the joins one after another give, without materializing the rows in between: each input's
// columns are gathered once, into the final rows. An input found out of order is ordered here
// first, so the result never depends on the plan's promise.
class MergeJoinOp : public Operator {
 public:
  // `type` is the join's for two inputs; a chain is FULL throughout. keys[i]: input i's key,
  // resolved against its columns; projects[j]: the USING projection over the columns of the
  // first j + 2 inputs' join, resolved against them.
  MergeJoinOp(PlanNode::JoinType type, std::vector<std::unique_ptr<Operator>> inputs,
              std::vector<std::vector<DataType>> types, std::vector<BExprPtr> keys,
              std::vector<std::vector<BExprPtr>> projects)
      : inputs_(std::move(inputs)), types_(std::move(types)), keys_(std::move(keys)), projects_(std::move(projects)) {
    const size_t k = inputs_.size();
    // required[i]: a key must have input i's rows (INNER both, LEFT the left, RIGHT the right);
    // kept[i]: input i's rows without a partner stay (FULL both, LEFT the left, RIGHT the right).
    required_.assign(k, 0);
    kept_.assign(k, 1);
    if (k == 2) {
      required_[0] = type == PlanNode::kInner || type == PlanNode::kLeft;
      required_[1] = type == PlanNode::kInner || type == PlanNode::kRight;
      kept_[0] = type == PlanNode::kFull || type == PlanNode::kLeft;
      kept_[1] = type == PlanNode::kFull || type == PlanNode::kRight;
    }
  }

  Result<bool> Next(Batch* out) override {
    if (!merged_) {
      WH_RETURN_IF_ERROR(Merge());
      merged_ = true;
    }
    if (emitted_ >= sel_[0].size()) return false;
    // Batches of up to kOutputRows rows, so a join that multiplies rows stays bounded per batch.
    constexpr size_t kOutputRows = 65536;
    const size_t begin = emitted_, n = std::min(kOutputRows, sel_[0].size() - begin);
    emitted_ += n;
    Batch b;
    b.rows = n;
    Side(0, begin, n, &b);
    for (size_t i = 1; i < inputs_.size(); ++i) {
      Side(i, begin, n, &b);
      if (i + 1 < inputs_.size()) {
        WH_ASSIGN_OR_RETURN(b, ProjectBatch(projects_[i - 1], std::move(b)));
      }
    }
    *out = std::move(b);
    return true;
  }

 private:
  // An input read whole; its key as int64 values and NULL flags; the order to walk its rows in
  // (empty: as stored, which is key order).
  struct Input {
    Batch all;
    std::vector<int64_t> key;
    std::vector<uint8_t> null;
    std::vector<uint32_t> order;
    uint32_t Row(size_t i) const { return order.empty() ? static_cast<uint32_t>(i) : order[i]; }
    bool NullAt(size_t i) const { return null[Row(i)]; }
    int64_t KeyAt(size_t i) const { return key[Row(i)]; }
  };
  static Status ReadSide(Operator* op, const std::vector<DataType>& types, const BExprPtr& key, Input* in) {
    WH_RETURN_IF_ERROR(ReadAll(op, types, &in->all));
    WH_ASSIGN_OR_RETURN(ColumnHolder k, EvaluateView(*key, in->all));
    const Column& c = k.get();
    const size_t n = in->all.rows;
    in->key.resize(n);
    if (c.type().physical() == PhysicalType::kInt32)
      for (size_t i = 0; i < n; ++i) in->key[i] = c.Get<int32_t>(i);
    else if (n)
      std::memcpy(in->key.data(), c.values<int64_t>(), n * 8);
    in->null.assign(n, 0);
    if (c.has_nulls())
      for (size_t i = 0; i < n; ++i) in->null[i] = !c.validity()[i];
    bool sorted = true;
    for (size_t i = 1; sorted && i < n; ++i)
      sorted = in->null[i] ? true : !in->null[i - 1] && in->key[i - 1] <= in->key[i];
    if (!sorted) {
      std::vector<Column> cols;
      cols.push_back(c);
      in->order = SortPermutation(cols, {SortKey{}}, n);
    }
    return Status::OK();
  }

  Status Merge() {
    const size_t k = inputs_.size();
    in_.resize(k);
    for (size_t i = 0; i < k; ++i) WH_RETURN_IF_ERROR(ReadSide(inputs_[i].get(), types_[i], keys_[i], &in_[i]));
    sel_.assign(k, {});
    size_t most = 0;
    for (const Input& in : in_) most = std::max(most, static_cast<size_t>(in.all.rows));
    for (auto& s : sel_) s.reserve(most);
    std::vector<size_t> at(k, 0), end(k);  // each input's next row; the end of its run of one key
    auto live = [&](size_t i) { return at[i] < in_[i].all.rows && !in_[i].NullAt(at[i]); };
    while (true) {
      // The smallest key any input has next; its run in each input.
      bool any = false;
      int64_t x = 0;
      for (size_t i = 0; i < k; ++i)
        if (live(i) && (!any || in_[i].KeyAt(at[i]) < x)) {
          x = in_[i].KeyAt(at[i]);
          any = true;
        }
      if (!any) break;
      bool emit = true, single = true;
      for (size_t i = 0; i < k; ++i) {
        end[i] = at[i];
        while (end[i] < in_[i].all.rows && !in_[i].NullAt(end[i]) && in_[i].KeyAt(end[i]) == x) ++end[i];
        if (end[i] == at[i] && required_[i]) emit = false;
        single = single && end[i] - at[i] <= 1;
      }
      if (emit && single) {  // (the common case: a key once per input at most)
        for (size_t i = 0; i < k; ++i) sel_[i].push_back(end[i] > at[i] ? in_[i].Row(at[i]) : UINT32_MAX);
      } else if (emit) {
        Combine(at, end);
      }
      at.swap(end);
    }
    // The rows with a NULL key (all that is left of each input), input by input.
    for (size_t i = 0; i < k; ++i) {
      if (!kept_[i]) continue;
      for (size_t r = at[i]; r < in_[i].all.rows; ++r)
        for (size_t j = 0; j < k; ++j) sel_[j].push_back(j == i ? in_[i].Row(r) : UINT32_MAX);
    }
    return Status::OK();
  }

  // Every combination of the inputs' rows [at[i], end[i]), inputs[0] outermost; an empty range
  // gives one NULL row.
  void Combine(const std::vector<size_t>& at, const std::vector<size_t>& end) {
    const size_t k = at.size();
    std::vector<size_t> pos(at);
    while (true) {
      for (size_t i = 0; i < k; ++i) sel_[i].push_back(pos[i] < end[i] ? in_[i].Row(pos[i]) : UINT32_MAX);
      // Next combination: the last input turns fastest.
      size_t i = k;
      while (i > 0) {
        --i;
        if (pos[i] + 1 < end[i]) {
          ++pos[i];
          break;
        }
        pos[i] = at[i];
        if (i == 0) return;
      }
    }
  }

  // Rows sel_[i][begin, begin + n) of input i's columns appended to b (UINT32_MAX: NULLs); the
  // columns move when they are the input's rows exactly.
  void Side(size_t i, size_t begin, size_t n, Batch* b) {
    const std::vector<uint32_t>& sel = sel_[i];
    Batch& side = in_[i].all;
    bool identity = begin == 0 && n == side.rows && n == sel.size();
    for (size_t r = 0; identity && r < n; ++r) identity = sel[r] == r;
    const std::vector<uint32_t> part(sel.begin() + static_cast<std::ptrdiff_t>(begin),
                                     sel.begin() + static_cast<std::ptrdiff_t>(begin + n));
    for (auto& c : side.columns) b->columns.push_back(identity ? std::move(c) : GatherOrNull(c, part));
  }

  std::vector<std::unique_ptr<Operator>> inputs_;
  std::vector<std::vector<DataType>> types_;
  std::vector<BExprPtr> keys_;
  std::vector<std::vector<BExprPtr>> projects_;
  std::vector<uint8_t> required_, kept_;
  std::vector<Input> in_;
  std::vector<std::vector<uint32_t>> sel_;  // per input, the row of each output row
  size_t emitted_ = 0;
  bool merged_ = false;
};

}  // namespace

int CompareValues(const Column& c, size_t a, const Column& d, size_t b) {
  switch (c.type().physical()) {
    case PhysicalType::kBool: return int(c.Get<uint8_t>(a)) - int(d.Get<uint8_t>(b));
    case PhysicalType::kInt32: {
      auto x = c.Get<int32_t>(a), y = d.Get<int32_t>(b);
      return x < y ? -1 : x > y;
    }
    case PhysicalType::kInt64: {
      auto x = c.Get<int64_t>(a), y = d.Get<int64_t>(b);
      return x < y ? -1 : x > y;
    }
    case PhysicalType::kInt128: {
      auto x = c.Get<int128>(a), y = d.Get<int128>(b);
      return x < y ? -1 : x > y;
    }
    case PhysicalType::kDouble: {
      double x = c.Get<double>(a), y = d.Get<double>(b);
      // NaN sorts after every number, as in DuckDB and Spark.
      bool xn = x != x, yn = y != y;
      if (xn || yn) return int(xn) - int(yn);
      return x < y ? -1 : x > y;
    }
    case PhysicalType::kString: {
      int r = c.GetString(a).compare(d.GetString(b));
      return r < 0 ? -1 : r > 0;
    }
  }
  return 0;
}

namespace {

// Keys of integer-like types (up to 64 bits) compare as plain int64 arrays.
bool Int64Key(const Column& c) {
  PhysicalType p = c.type().physical();
  return p == PhysicalType::kBool || p == PhysicalType::kInt32 || p == PhysicalType::kInt64;
}

std::vector<int64_t> Int64Values(const Column& c) {
  std::vector<int64_t> v(c.size());
  switch (c.type().physical()) {
    case PhysicalType::kBool: for (size_t i = 0; i < v.size(); ++i) v[i] = c.Get<uint8_t>(i); break;
    case PhysicalType::kInt32: for (size_t i = 0; i < v.size(); ++i) v[i] = c.Get<int32_t>(i); break;
    default: std::memcpy(v.data(), c.values<int64_t>(), v.size() * 8);
  }
  return v;
}

}  // namespace

namespace {

// Sorts keys (carrying rows along) stably by least-significant-digit radix sort, a byte per
// pass, skipping the bytes every key shares (ids from one range, days of one year).
void RadixSort(std::vector<uint64_t>* keys, std::vector<uint32_t>* rows) {
  const size_t n = keys->size();
  if (n < 2) return;
  std::vector<std::array<uint32_t, 256>> count(8);
  for (auto& c : count) c.fill(0);
  for (uint64_t k : *keys)
    for (int b = 0; b < 8; ++b) count[b][(k >> (8 * b)) & 0xff]++;
  std::vector<uint64_t> k2(n);
  std::vector<uint32_t> r2(n);
  for (int b = 0; b < 8; ++b) {
    const uint64_t first = ((*keys)[0] >> (8 * b)) & 0xff;
    if (count[b][first] == n) continue;  // one value in this byte: the pass would change nothing
    std::array<uint32_t, 256> at;
    uint32_t sum = 0;
    for (int d = 0; d < 256; ++d) {
      at[d] = sum;
      sum += count[b][d];
    }
    const uint64_t* kin = keys->data();
    const uint32_t* rin = rows->data();
    for (size_t i = 0; i < n; ++i) {
      const uint32_t to = at[(kin[i] >> (8 * b)) & 0xff]++;
      k2[to] = kin[i];
      r2[to] = rin[i];
    }
    keys->swap(k2);
    rows->swap(r2);
  }
}

// Sorts keys (carrying rows along, which come in increasing order) stably: one pass spreads
// them over buckets by the high bits of key - min, about four keys a bucket, then each bucket
// is put in order on its own - by insertion, its few keys in cache. Keys bunched in a few
// buckets (many equal keys) are sorted there by (key, row), which keeps the sort stable.
// For a bucket's keys (22K user ids: 0.34 -> 0.20 ms); past ~100K keys the spreading pass
// misses cache on every key and RadixSort's byte passes win (1M: 33 vs 44 ms).
void SpreadSort(std::vector<uint64_t>* keys, std::vector<uint32_t>* rows) {
  const size_t n = keys->size();
  if (n < 2) return;
  const auto [min_it, max_it] = std::minmax_element(keys->begin(), keys->end());
  const uint64_t lo = *min_it, span = *max_it - lo;
  if (span == 0) return;  // one key: the rows are in order
  const int bits = std::clamp(static_cast<int>(std::bit_width(n)) - 2, 8, 16);  // ~n/4 buckets
  const int shift = std::max(0, static_cast<int>(std::bit_width(span)) - bits);
  const size_t buckets = static_cast<size_t>(span >> shift) + 1;
  std::vector<uint32_t> start(buckets + 1, 0);
  const uint64_t* k = keys->data();
  const uint32_t* r = rows->data();
  for (size_t i = 0; i < n; ++i) start[((k[i] - lo) >> shift) + 1]++;
  for (size_t b = 0; b < buckets; ++b) start[b + 1] += start[b];
  struct Pair {
    uint64_t key;
    uint32_t row;
  };
  std::vector<Pair> spread(n);
  {
    std::vector<uint32_t> at(start.begin(), start.end() - 1);
    for (size_t i = 0; i < n; ++i) spread[at[(k[i] - lo) >> shift]++] = {k[i], r[i]};
  }
  for (size_t b = 0; b < buckets; ++b) {
    Pair* first = spread.data() + start[b];
    Pair* last = spread.data() + start[b + 1];
    if (last - first <= 32) {
      for (Pair* p = first + 1; p < last; ++p) {  // stable: moves past larger keys only
        const Pair x = *p;
        Pair* q = p;
        for (; q > first && q[-1].key > x.key; --q) *q = q[-1];
        *q = x;
      }
    } else {
      std::sort(first, last, [](const Pair& x, const Pair& y) { return x.key < y.key || (x.key == y.key && x.row < y.row); });
    }
  }
  for (size_t i = 0; i < n; ++i) {
    (*keys)[i] = spread[i].key;
    (*rows)[i] = spread[i].row;
  }
}

}  // namespace

// The stable order of rows by the sort keys (NULLs placed per key).
std::vector<uint32_t> SortPermutation(const std::vector<Column>& cols, const std::vector<SortKey>& keys,
                                      size_t n) {
  std::vector<uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0u);
  // One integer key: sort (key, row) pairs, NULLs split off first.
  if (keys.size() == 1 && Int64Key(cols[0])) {
    const Column& c = cols[0];
    std::vector<uint64_t> sortable;
    std::vector<uint32_t> rows, nulls;
    // ~x reverses the order exactly; the flipped sign bit makes signed order unsigned order.
    const uint64_t flip = (keys[0].desc ? ~uint64_t{0} : 0) ^ (uint64_t{1} << 63);
    if (!c.has_nulls() && c.type().physical() == PhysicalType::kInt64) {  // straight from the column
      const int64_t* vals = c.values<int64_t>();
      sortable.resize(n);
      rows.resize(n);
      for (uint32_t i = 0; i < n; ++i) {
        sortable[i] = static_cast<uint64_t>(vals[i]) ^ flip;
        rows[i] = i;
      }
    } else {
      sortable.reserve(n);
      rows.reserve(n);
      const std::vector<int64_t> vals = Int64Values(c);
      for (uint32_t i = 0; i < n; ++i) {
        if (c.IsNull(i)) {
          nulls.push_back(i);
          continue;
        }
        sortable.push_back(static_cast<uint64_t>(vals[i]) ^ flip);
        rows.push_back(i);
      }
    }
    // Rows already in order (a merge join's output, say) need no sorting.
    if (!std::is_sorted(sortable.begin(), sortable.end())) {
      if (sortable.size() <= (size_t{1} << 17)) SpreadSort(&sortable, &rows);
      else RadixSort(&sortable, &rows);
    }
    size_t k = 0;
    if (keys[0].nulls_first) for (uint32_t r : nulls) perm[k++] = r;
    for (uint32_t r : rows) perm[k++] = r;
    if (!keys[0].nulls_first) for (uint32_t r : nulls) perm[k++] = r;
    return perm;
  }
  std::vector<std::vector<int64_t>> ints(cols.size());
  for (size_t k = 0; k < cols.size(); ++k)
    if (Int64Key(cols[k])) ints[k] = Int64Values(cols[k]);
  std::stable_sort(perm.begin(), perm.end(), [&](uint32_t a, uint32_t b) {
    for (size_t k = 0; k < keys.size(); ++k) {
      const Column& c = cols[k];
      bool an = c.IsNull(a), bn = c.IsNull(b);
      if (an || bn) {
        if (an == bn) continue;
        return an == keys[k].nulls_first;
      }
      int r;
      if (!ints[k].empty()) {
        int64_t x = ints[k][a], y = ints[k][b];
        r = x < y ? -1 : x > y;
      } else {
        r = CompareRows(c, a, b);
      }
      if (r != 0) return keys[k].desc ? r > 0 : r < 0;
    }
    return false;
  });
  return perm;
}

namespace {

// A sort's input in order: its batches as they came and, for output row i, the batch which[i]
// and the row rows[i] there.
struct SortedBatches {
  std::vector<Batch> batches;
  // Each batch is the sort key columns and then the rows' CSV / TSV lines (text_delimiter).
  bool lines = false;
  std::vector<uint16_t> which;
  std::vector<uint32_t> rows;
};

// The rows of `batches` (each already in key order) merged into one order; equal keys keep the
// batches' order, as a stable sort of their concatenation would.
SortedBatches MergeRuns(std::vector<Batch> batches, const std::vector<std::vector<Column>>& keys,
                        const std::vector<SortKey>& sort_keys) {
  SortedBatches s;
  s.batches = std::move(batches);
  size_t n = 0;
  for (const auto& b : s.batches) n += b.rows;
  s.which.reserve(n);
  s.rows.reserve(n);
  const size_t runs = s.batches.size();
  std::vector<uint32_t> pos(runs, 0);
  // One BIGINT-like key without NULLs: the heap compares plain integers.
  bool ints = sort_keys.size() == 1;
  for (size_t r = 0; ints && r < runs; ++r) ints = Int64Key(keys[r][0]) && !keys[r][0].has_nulls();
  if (ints) {
    // Each run's keys as int64 in merge order: BIGINT keys ascending are read where they are
    // (copying a million of them took 8 ms of this single-threaded step); others are widened,
    // and descending ones complemented (~x reverses the order exactly).
    std::vector<std::vector<int64_t>> owned(runs);
    std::vector<std::span<const int64_t>> v(runs);
    for (size_t r = 0; r < runs; ++r) {
      const Column& k = keys[r][0];
      if (!sort_keys[0].desc && k.type().physical() == PhysicalType::kInt64) {
        v[r] = std::span<const int64_t>(k.values<int64_t>(), k.size());
        continue;
      }
      owned[r] = Int64Values(k);
      if (sort_keys[0].desc)
        for (auto& x : owned[r]) x = ~x;
      v[r] = owned[r];
    }
    // Rows [lo[r], hi[r]) of each run r merged into s.which / s.rows from `at` on.
    s.which.resize(n);
    s.rows.resize(n);
    // A loser tree over the runs' heads: each row out replays one leaf-to-root path of
    // log2(runs) matches. A head is one 128-bit number - the key (sign flipped, so unsigned
    // order is signed order) above the run - so a match is one comparison and the replay has
    // no branches to mispredict on random keys; ties go to the lower run, and an exhausted
    // run's head (all ones above leaves + run) loses to every live one.
    auto merge = [&](const std::vector<uint32_t>& lo, const std::vector<uint32_t>& hi, size_t at) {
      uint32_t leaves = 1;
      while (leaves < runs) leaves *= 2;
      std::vector<uint32_t> next(lo.begin(), lo.end()), end(hi.begin(), hi.end());
      next.resize(leaves, 0);
      end.resize(leaves, 0);  // padding runs are empty
      std::vector<uint128> head(leaves);
      auto load = [&](uint32_t r) {  // (padding runs past `runs` are empty: v is not read)
        if (next[r] >= end[r]) {
          head[r] = (uint128{~uint64_t{0}} << 32) | (leaves + r);
          return;
        }
        // Each run is read front to back, one of dozens of streams (more than the hardware
        // prefetcher follows): fetch a few cache lines ahead of it.
        if (next[r] + 32 < end[r]) __builtin_prefetch(v[r].data() + next[r] + 32);
        head[r] = (uint128{static_cast<uint64_t>(v[r][next[r]]) ^ (uint64_t{1} << 63)} << 32) | r;
      };
      for (uint32_t r = 0; r < leaves; ++r) load(r);
      // tree[1..leaves-1]: the loser of the match at each node; the winner goes up.
      std::vector<uint32_t> tree(leaves, 0), up(2 * size_t{leaves});
      for (uint32_t r = 0; r < leaves; ++r) up[leaves + r] = r;
      for (uint32_t node = leaves - 1; node >= 1; --node) {
        const uint32_t a = up[2 * node], b = up[2 * node + 1];
        up[node] = head[a] < head[b] ? a : b;
        tree[node] = head[a] < head[b] ? b : a;
      }
      uint32_t winner = up[1];
      while (next[winner] < end[winner]) {
        s.which[at] = static_cast<uint16_t>(winner);
        s.rows[at++] = next[winner]++;
        load(winner);
        for (uint32_t node = (leaves + winner) / 2; node >= 1; node /= 2) {
          const uint32_t t = tree[node];
          const bool swap = head[t] < head[winner];
          tree[node] = swap ? winner : t;
          winner = swap ? t : winner;
        }
      }
    };
    std::vector<uint32_t> lo(runs, 0), hi(runs);
    for (size_t r = 0; r < runs; ++r) hi[r] = static_cast<uint32_t>(v[r].size());
    if (n < 100000 || std::thread::hardware_concurrency() < 2) {
      merge(lo, hi, 0);
      return s;
    }
    // Two halves merged at once: split every run at the median of the runs' middle keys (keys
    // equal to it all go to the upper half, so ties keep their run order).
    std::vector<int64_t> mids;
    for (size_t r = 0; r < runs; ++r)
      if (!v[r].empty()) mids.push_back(v[r][v[r].size() / 2]);
    std::nth_element(mids.begin(), mids.begin() + mids.size() / 2, mids.end());
    const int64_t split = mids[mids.size() / 2];
    std::vector<uint32_t> mid(runs);
    size_t lower = 0;
    for (size_t r = 0; r < runs; ++r) {
      mid[r] = static_cast<uint32_t>(std::lower_bound(v[r].begin(), v[r].end(), split) - v[r].begin());
      lower += mid[r];
    }
    Thread upper([&] { merge(mid, hi, lower); });
    merge(lo, mid, 0);
    upper.Join();
    return s;
  }
  // Any keys: compare (run, row) pairs key by key.
  auto less = [&](uint32_t ra, uint32_t rb) {  // row pos[ra] of run ra before row pos[rb] of rb?
    for (size_t k = 0; k < sort_keys.size(); ++k) {
      const Column& a = keys[ra][k];
      const Column& b = keys[rb][k];
      const size_t ia = pos[ra], ib = pos[rb];
      bool an = a.IsNull(ia), bn = b.IsNull(ib);
      if (an || bn) {
        if (an == bn) continue;
        return an == sort_keys[k].nulls_first;
      }
      int c = CompareValues(a, ia, b, ib);
      if (c != 0) return sort_keys[k].desc ? c > 0 : c < 0;
    }
    return ra < rb;
  };
  auto after = [&](uint32_t ra, uint32_t rb) { return less(rb, ra); };
  std::vector<uint32_t> heap;
  for (uint32_t r = 0; r < runs; ++r)
    if (s.batches[r].rows) heap.push_back(r);
  std::make_heap(heap.begin(), heap.end(), after);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), after);
    uint32_t r = heap.back();
    s.which.push_back(static_cast<uint16_t>(r));
    s.rows.push_back(pos[r]++);
    if (pos[r] < s.batches[r].rows) std::push_heap(heap.begin(), heap.end(), after);
    else heap.pop_back();
  }
  return s;
}

// Reads the child to the end and orders its rows; with `sorted_batches` each batch the child
// produces is in key order already and the batches are merged. With top_n >= 0 only the first
// top_n rows of the order are needed (ORDER BY ... LIMIT): whenever the rows held pass
// max(kTopNCompact, 2 x top_n) all but the first top_n are dropped, so memory follows the
// limit, not the input (a LIMIT 3 over 400M rows holds a batch and three rows).
Batch GatherSorted(const SortedBatches& s, bool threads);

constexpr size_t kTopNCompact = 65536;
constexpr int64_t kTopNMax = int64_t{1} << 20;  // larger limits sort everything

Result<SortedBatches> SortInput(Operator* child, const std::vector<SortKey>& keys, bool sorted_batches,
                                int64_t top_n = -1) {
  // The input batches stay as they came; only the key columns are concatenated (or, when each
  // batch is in order already, kept per batch for the merge).
  SortedBatches s;
  std::vector<size_t> start = {0};
  std::vector<Column> cols;
  std::vector<std::vector<Column>> run_keys;
  const bool capped = !sorted_batches && top_n >= 0 && top_n <= kTopNMax;
  const size_t cap = capped ? static_cast<size_t>(top_n) : 0;
  // Keeps the first `cap` rows in key order (in their input order, so that ties resolve as
  // sorting everything would) as one batch.
  auto keep_first = [&]() {
    const size_t n = start.back();
    std::vector<uint32_t> perm = SortPermutation(cols, keys, n);
    if (perm.size() > cap) perm.resize(cap);
    std::sort(perm.begin(), perm.end());
    SortedBatches held;
    held.batches = std::move(s.batches);
    held.which.resize(perm.size());
    held.rows.resize(perm.size());
    for (size_t i = 0, b = 0; i < perm.size(); ++i) {
      while (start[b + 1] <= perm[i]) ++b;
      held.which[i] = static_cast<uint16_t>(b);
      held.rows[i] = static_cast<uint32_t>(perm[i] - start[b]);
    }
    Batch kept = GatherSorted(held, false);
    std::vector<uint16_t> zeros(perm.size(), 0);
    for (auto& c : cols) {
      Column k(c.type());
      std::vector<const Column*> src = {&c};
      k.AppendGathered(src, zeros.data(), perm.data(), perm.size());
      c = std::move(k);
    }
    start = {0};
    s.batches.clear();
    if (kept.rows) {
      start.push_back(kept.rows);
      s.batches.push_back(std::move(kept));
    }
  };
  Batch in;
  while (true) {
    WH_ASSIGN_OR_RETURN(bool more, child->Next(&in));
    if (!more) break;
    if (in.rows == 0) continue;
    if (sorted_batches) run_keys.emplace_back();
    for (size_t k = 0; k < keys.size(); ++k) {
      WH_ASSIGN_OR_RETURN(ColumnHolder c, EvaluateView(*keys[k].expr, in));
      if (sorted_batches) {
        run_keys.back().push_back(c.get());
        continue;
      }
      if (cols.size() <= k) cols.emplace_back(c.get().type());
      cols[k].AppendRange(c.get(), 0, in.rows);
    }
    start.push_back(start.back() + in.rows);
    s.batches.push_back(std::move(in));
    in = Batch{};
    if (capped && (start.back() >= std::max(kTopNCompact, 2 * cap) || s.batches.size() >= 60000)) keep_first();
  }
  const size_t n = start.back();
  if (n == 0) return s;
  bool merge = sorted_batches && s.batches.size() <= 65535;  // batches are numbered in 16 bits
  for (size_t r = 1; merge && r < run_keys.size(); ++r)
    for (size_t k = 0; k < keys.size(); ++k)
      if (run_keys[r][k].type() != run_keys[0][k].type()) merge = false;
  if (merge) return MergeRuns(std::move(s.batches), run_keys, keys);
  if (sorted_batches || s.batches.size() > 65535) {  // fold the batches into one
    for (size_t b = 1; b < s.batches.size(); ++b) AppendBatch(&s.batches[0], s.batches[b]);
    s.batches.resize(1);
    start = {0, n};
    if (sorted_batches) {  // the keys were kept per batch: sort them all
      cols.clear();
      for (size_t k = 0; k < keys.size(); ++k) {
        WH_ASSIGN_OR_RETURN(ColumnHolder c, EvaluateView(*keys[k].expr, s.batches[0]));
        cols.push_back(c.get());
      }
    }
  }
  s.rows = SortPermutation(cols, keys, n);
  s.which.resize(n);
  std::vector<uint16_t> batch_of(n);
  for (size_t b = 0; b < s.batches.size(); ++b)
    std::fill(batch_of.begin() + start[b], batch_of.begin() + start[b + 1], static_cast<uint16_t>(b));
  for (size_t i = 0; i < n; ++i) {
    s.which[i] = batch_of[s.rows[i]];
    s.rows[i] -= static_cast<uint32_t>(start[s.which[i]]);
  }
  return s;
}

// The rows of s gathered in order into one batch (`threads`: columns on two threads).
Batch GatherSorted(const SortedBatches& s, bool threads) {
  Batch result;
  const size_t n = s.rows.size();
  result.rows = n;
  if (s.batches.empty()) return result;
  const size_t ncols = s.batches[0].columns.size();
  for (size_t c = 0; c < ncols; ++c) result.columns.emplace_back(s.batches[0].columns[c].type());
  std::atomic<size_t> next{0};
  auto gather = [&] {
    for (size_t c; (c = next++) < ncols;) {
      std::vector<const Column*> srcs;
      for (const auto& b : s.batches) srcs.push_back(&b.columns[c]);
      result.columns[c].AppendGathered(srcs, s.which.data(), s.rows.data(), n);
    }
  };
  RunOnThreads(threads && ncols > 1 && n >= 65536 && std::thread::hardware_concurrency() > 1 ? 2 : 1, gather);
  return result;
}

// Runs a sort node's input and orders it. With `lines` (only the root sort of a result that
// will be printed as CSV / TSV) a bucketed input comes back as keys and formatted lines.
Result<SortedBatches> RunSort(const PlanNode& n, BucketRange bucket, ExecContext* ctx, bool lines);

class SortOp : public Operator {
 public:
  SortOp(const PlanNode& node, ExecContext* ctx, BucketRange bucket) : node_(node), ctx_(ctx), bucket_(bucket) {}
  Result<bool> Next(Batch* out) override {
    if (done_) return false;
    done_ = true;
    WH_ASSIGN_OR_RETURN(SortedBatches s, RunSort(node_, bucket_, ctx_, false));
    if (s.rows.empty()) return false;
    *out = GatherSorted(s, true);
    return true;
  }

 private:
  const PlanNode& node_;
  ExecContext* ctx_;
  BucketRange bucket_;
  bool done_ = false;
};

class LimitOp : public Operator {
 public:
  LimitOp(std::unique_ptr<Operator> child, int64_t limit, int64_t offset)
      : child_(std::move(child)), limit_(limit), skip_(offset) {}
  Result<bool> Next(Batch* out) override {
    while (limit_ != 0) {
      Batch in;
      WH_ASSIGN_OR_RETURN(bool more, child_->Next(&in));
      if (!more) return false;
      size_t begin = 0;
      if (skip_ > 0) {
        size_t s = std::min<size_t>(skip_, in.rows);
        skip_ -= s;
        begin = s;
      }
      size_t end = in.rows;
      if (limit_ >= 0) end = std::min<size_t>(end, begin + limit_);
      if (end <= begin) continue;
      if (limit_ >= 0) limit_ -= end - begin;
      if (begin == 0 && end == in.rows) {
        *out = std::move(in);
      } else {
        std::vector<uint32_t> sel(end - begin);
        std::iota(sel.begin(), sel.end(), static_cast<uint32_t>(begin));
        *out = SelectRows(in, sel);
      }
      return true;
    }
    return false;
  }

 private:
  std::unique_ptr<Operator> child_;
  int64_t limit_;
  int64_t skip_;
};

class UnionOp : public Operator {
 public:
  explicit UnionOp(std::vector<std::unique_ptr<Operator>> children) : children_(std::move(children)) {}
  Result<bool> Next(Batch* out) override {
    while (current_ < children_.size()) {
      WH_ASSIGN_OR_RETURN(bool more, children_[current_]->Next(out));
      if (more) return true;
      ++current_;
    }
    return false;
  }

 private:
  std::vector<std::unique_ptr<Operator>> children_;
  size_t current_ = 0;
};

// Runs a bucket-partitioned subtree once per bucket on a pool of threads and returns the
// buckets' batches in bucket order (so results do not depend on thread timing). At most
// `threads + 1` buckets' output is held at a time.
class GatherOp : public Operator {
 public:
  // With `sort_keys`, each bucket's rows come as one batch in that order; with `lines` (and keys,
  // and ExecOptions::text_delimiter set), as batches of the keys and the rows' CSV / TSV lines
  // (SortedLines).
  GatherOp(PlanPtr node, uint32_t buckets, std::vector<uint8_t> kept, ExecContext* ctx,
           std::vector<SortKey> sort_keys = {}, bool lines = false, int64_t top_n = -1)
      : node_(std::move(node)), ctx_(ctx), sort_keys_(std::move(sort_keys)),
        lines_(lines), top_n_(top_n) {
    // Units of work: single buckets, or ranges of them where row groups are shared.
    const int level = UnitLevel(*node_, buckets, ctx_->options().shared_block_bytes);
    for (uint32_t u = 0; u < (1u << level); ++u) {
      const BucketRange r = UnitBuckets(buckets, level, u);
      bool any = false;
      for (int32_t b = r.lo; b < r.hi && !any; ++b) any = kept.empty() || (static_cast<size_t>(b) < kept.size() && kept[b]);
      if (any) order_.push_back(r);
    }
    results_.resize(order_.size());
  }
  ~GatherOp() override {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    workers_.clear();  // joins each (an exception of Work is its slot's status already)
  }

  Result<bool> Next(Batch* out) override {
    if (!started_) Start();
    while (true) {
      if (emit_ < results_.size()) {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [&] { return results_[emit_].done || !results_[emit_].batches.empty(); });
        Slot& s = results_[emit_];
        if (!s.batches.empty()) {  // batches come out as the bucket makes them
          *out = std::move(s.batches.front());
          s.batches.pop_front();
          s.held -= BatchBytes(*out);
          cv_.notify_all();
          return true;
        }
        if (!s.status.ok()) return first_error_.ok() ? s.status : first_error_;
        ++emit_;
        cv_.notify_all();
        continue;
      }
      return false;
    }
  }

 private:
  // A bucket's batches wait in its slot until they are taken; a slot holds at most about
  // kSlotBytes, and its worker waits for room (a join whose output is many times its input, a
  // big scan: memory follows the slots, not the buckets' whole outputs).
  static constexpr size_t kSlotBytes = size_t{16} << 20;
  struct Slot {
    bool done = false;
    Status status;
    std::deque<Batch> batches;
    size_t held = 0;  // bytes of `batches`
  };

  static size_t BatchBytes(const Batch& b) {
    size_t n = 0;
    for (const auto& c : b.columns) n += c.ByteSize();
    return n;
  }

  // Adds a batch of bucket slot k, waiting while the slot is full; Cancelled-like error when the
  // gather is being torn down (its reader is gone).
  Status Push(size_t k, Batch b) {
    const size_t bytes = BatchBytes(b);
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return stop_ || results_[k].held == 0 || results_[k].held + bytes <= kSlotBytes; });
    if (stop_) return Status::Internal("the gather was stopped");
    results_[k].held += bytes;
    results_[k].batches.push_back(std::move(b));
    cv_.notify_all();
    return Status::OK();
  }

  void Start() {
    started_ = true;
    int n = std::max(1, std::min<int>(ctx_->threads(), static_cast<int>(order_.size())));
    for (int i = 0; i < n; ++i) workers_.emplace_back([this] { Work(); });
  }

  void Work() {
    const size_t window = static_cast<size_t>(ctx_->threads()) + 1;
    while (true) {
      size_t k;
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [&] { return stop_ || claim_ >= order_.size() || claim_ < emit_ + window; });
        if (stop_ || claim_ >= order_.size()) return;
        k = claim_++;
      }
      bool stopped = false;  // Push gave up because another bucket failed (or the reader left)
      Status st = CatchAll([&] {
        return RunBucket(order_[k], [&](Batch b) {
          Status pushed = Push(k, std::move(b));
          stopped = !pushed.ok();
          return pushed;
        });
      });
      {
        std::lock_guard<std::mutex> l(mu_);
        results_[k].status = st;
        results_[k].done = true;
        if (!st.ok()) {
          if (!stopped && first_error_.ok()) first_error_ = st;
          stop_ = true;
        }
      }
      cv_.notify_all();
    }
  }

  Status RunBucket(BucketRange bucket, const std::function<Status(Batch)>& emit) {
    WH_ASSIGN_OR_RETURN(auto op, BuildOperator(node_, bucket, ctx_));
    if (!sort_keys_.empty()) {
      WH_ASSIGN_OR_RETURN(SortedBatches s, SortInput(op.get(), sort_keys_, false, top_n_));
      if (s.rows.empty()) return Status::OK();
      if (!lines_) return emit(GatherSorted(s, false));
      std::vector<Batch> out;
      WH_RETURN_IF_ERROR(SortedLines(std::move(s), &out));
      for (auto& b : out) WH_RETURN_IF_ERROR(emit(std::move(b)));
      return Status::OK();
    }
    while (true) {
      Batch b;
      WH_ASSIGN_OR_RETURN(bool more, op->Next(&b));
      if (!more) return Status::OK();
      if (b.rows) WH_RETURN_IF_ERROR(emit(std::move(b)));
    }
  }

  // The bucket's rows in order as batches of the sort keys and the rows' CSV / TSV lines: the
  // formatting runs here, where the rows are in cache, and the merge only copies lines.
  Status SortedLines(SortedBatches s, std::vector<Batch>* out) {
    const size_t n = s.rows.size();
    std::vector<const std::vector<Column>*> parts;
    std::vector<std::vector<Column>> keys(s.batches.size());
    for (size_t b = 0; b < s.batches.size(); ++b) {
      auto& cols = s.batches[b].columns;
      for (size_t c = 0; c < cols.size(); ++c)  // lines show the plan's types
        if (cols[c].type() != node_->out[c].type) {
          WH_ASSIGN_OR_RETURN(cols[c], CastColumn(cols[c], node_->out[c].type));
        }
      parts.push_back(&cols);
      for (const auto& k : sort_keys_) {
        WH_ASSIGN_OR_RETURN(ColumnHolder c, EvaluateView(*k.expr, s.batches[b]));
        keys[b].push_back(c.get());
      }
    }
    std::vector<Column> lines = FormatCsvLines(parts, s.which.data(), s.rows.data(), n, ctx_->options().text_delimiter);
    size_t begin = 0;
    for (auto& text : lines) {
      Batch b;
      b.rows = text.size();
      for (size_t k = 0; k < sort_keys_.size(); ++k) {
        std::vector<const Column*> srcs;
        for (const auto& kb : keys) srcs.push_back(&kb[k]);
        b.columns.emplace_back(keys[0][k].type());
        b.columns.back().AppendGathered(srcs, s.which.data() + begin, s.rows.data() + begin, b.rows);
      }
      b.columns.push_back(std::move(text));
      begin += b.rows;
      out->push_back(std::move(b));
    }
    return Status::OK();
  }

  PlanPtr node_;
  ExecContext* ctx_;
  std::vector<SortKey> sort_keys_;
  bool lines_ = false;
  int64_t top_n_ = -1;  // each bucket's sort keeps its first top_n_ rows (SortInput)
  std::vector<BucketRange> order_;
  std::vector<Slot> results_;
  Status first_error_;  // the first bucket that failed on its own (not stopped by another)
  std::vector<Thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  size_t claim_ = 0, emit_ = 0;
  bool started_ = false, stop_ = false;
};

Result<SortedBatches> RunSort(const PlanNode& n, BucketRange bucket, ExecContext* ctx, bool lines) {
  std::vector<SortKey> keys = n.sort_keys;
  for (auto& k : keys) {
    WH_ASSIGN_OR_RETURN(k.expr, Resolve(k.expr, n.children[0]->out));
  }
  const PlanPtr& child = n.children[0];
  if (bucket.all()) {
    BucketPartitioning p = PartitioningOf(*child);
    if (p.buckets > 1) {
      // Each bucket sorts its rows on the worker threads, in cache; here the runs are merged.
      std::vector<uint8_t> kept;
      KeptBuckets(*child, &kept);
      lines = lines && ctx->options().text_delimiter != 0;
      GatherOp buckets(child, p.buckets, std::move(kept), ctx, keys, lines, n.top_n);
      if (!lines) return SortInput(&buckets, keys, true);
      // The buckets' batches are the keys and the lines: merge on those columns.
      std::vector<SortKey> by_position = keys;
      for (size_t k = 0; k < keys.size(); ++k)
        by_position[k].expr = MakeColumnRef(static_cast<int>(k), keys[k].expr->type, true);
      WH_ASSIGN_OR_RETURN(SortedBatches s, SortInput(&buckets, by_position, true));
      s.lines = true;
      return s;
    }
  }
  WH_ASSIGN_OR_RETURN(auto op, BuildOperator(child, bucket, ctx));
  return SortInput(op.get(), keys, false, n.top_n);
}

}  // namespace

// Buckets any scan under a bucket-partitioned subtree may read (the intersection would be
// exact; the union is safe: a bucket no scan reads yields nothing).
void KeptBuckets(const PlanNode& node, std::vector<uint8_t>* kept) {
  if (node.kind == PlanNode::kScan) {
    const auto& k = node.pruning.bucket_kept;
    if (kept->empty()) {
      *kept = k;
    } else {
      for (size_t b = 0; b < kept->size() && b < k.size(); ++b) (*kept)[b] |= k[b];
    }
    return;
  }
  for (const auto& c : node.children) KeptBuckets(*c, kept);
}

BucketRange UnitBuckets(uint32_t n, int level, uint32_t unit) {
  return {static_cast<int32_t>((uint64_t{unit} * n) >> level), static_cast<int32_t>((uint64_t{unit + 1} * n) >> level)};
}

namespace {

// The unit holding bucket b at `level` (of n buckets): the last u whose range starts at or
// before b.
uint64_t UnitOf(uint64_t b, uint64_t n, int level) { return (((b + 1) << level) + n - 1) / n - 1; }

void CollectBucketedScans(const PlanNode& node, uint32_t n, std::vector<const PlanNode*>* out) {
  if (node.kind == PlanNode::kScan) {
    if (node.table->schema.bucket_count == n) out->push_back(&node);
    return;
  }
  for (const auto& c : node.children) CollectBucketedScans(*c, n, out);
}

}  // namespace

// Units of work holding at least this many rows on average are not made coarser to spare
// visits of shared row groups; nor does a scan this few rows in all go below as many units as
// cores (UnitLevel).
constexpr uint64_t kMinUnitRows = 1 << 16;

int UnitLevel(const PlanNode& node, uint32_t n, uint64_t shared_budget) {
  int finest = 0;
  while ((uint64_t{1} << finest) < n) ++finest;
  // Tables of more buckets than this have their estimate skipped (its cost grows with the
  // buckets, per segment): one bucket per unit.
  if (n > 4096) return finest;
  std::vector<const PlanNode*> scans;
  CollectBucketedScans(node, n, &scans);
  // Rows decoded once per unit they are read by, summed over the row groups of the kept
  // segments as the writer would have made them (the manifest's rows per bucket; no file is
  // opened), per level.
  std::vector<uint64_t> decoded(finest + 1, 0);
  uint64_t rows = 0;
  // Bytes the shared row groups' decoded columns may take: a row of the stored columns a scan
  // reads, each value its type's width (a string's, 8: its offset and a few bytes or a code).
  uint64_t shared_bytes = 0;
  std::vector<uint64_t> per_bucket(n);
  for (const PlanNode* scan : scans) {
    uint64_t row_bytes = 0;
    for (size_t i = 0; i < scan->out.size() && i < scan->storage_columns.size(); ++i)
      if (scan->storage_columns[i] >= 0) row_bytes += scan->out[i].type.width() ? scan->out[i].type.width() : 8;
    const auto& kept = scan->pruning.segments;
    for (size_t s = 0; s < kept.size();) {
      // A segment, or consecutive small ones of a file, which share row groups (up to
      // kSpanGroupRows rows; the writer's grouping, estimated from the kept ones).
      const SegmentEntry& seg = scan->table->segments[kept[s]];
      std::fill(per_bucket.begin(), per_bucket.end(), 0);
      uint64_t group_rows = 0;
      do {
        const SegmentEntry& e = scan->table->segments[kept[s]];
        for (const auto& [b, r] : e.bucket_rows)
          if (b < n) per_bucket[b] += r;
        group_rows += e.rows;
        ++s;
      } while (seg.rows < kSpanPartRows && s < kept.size() && scan->table->segments[kept[s]].path == seg.path &&
               scan->table->segments[kept[s]].rows < kSpanPartRows &&
               group_rows + scan->table->segments[kept[s]].rows <= kSpanGroupRows);
      const std::vector<uint32_t> share = ShareBuckets(per_bucket, kDefaultSharedGroupRows);
      for (uint32_t b = 0; b < n;) {
        const uint32_t end = std::max(share[b], b + 1);
        uint64_t range_rows = 0;
        for (uint32_t x = b; x < end; ++x) range_rows += per_bucket[x];
        rows += range_rows;
        if (end - b > 1) shared_bytes += range_rows * row_bytes;
        for (int k = 0; k <= finest; ++k) decoded[k] += range_rows * (UnitOf(end - 1, n, k) - UnitOf(b, n, k) + 1);
        b = end;
      }
    }
  }
  // Never fewer than 8 units (or the buckets, if fewer): below that, threads idle and hash
  // tables grow, which costs more than decoding small row groups again.
  int coarsest = std::min<int>(finest, kShareMinLevel);
  if ((rows >> coarsest) < kMinUnitRows) {
    // Unless the rows are too few for that many units of kMinUnitRows (one drop's rows), in
    // any layout: a unit's fixed costs - each kept part of each file looked at, its row groups
    // listed, its hash tables - then outweigh finer units' smaller hash tables (the etl_date
    // query of one 100K-row drop, 152 partitions of one file whose buckets have row groups of
    // their own across partitions: 45 units 6.8-7.8 ms, 2 units 5.4-5.6 ms). Coarser while
    // units hold fewer rows, but a unit per core at least (two at least; at most a bucket).
    int per_thread = 1;
    while ((1u << per_thread) < std::thread::hardware_concurrency()) ++per_thread;
    while (coarsest > per_thread && (rows >> coarsest) < kMinUnitRows) --coarsest;
    return std::min(finest, std::max(coarsest, per_thread));
  }
  // From the finest level, coarser while the re-visits of shared row groups exceed a quarter
  // of the rows, unless the units hold kMinUnitRows rows or more on average and the shared row
  // groups' decoded columns fit in the statement's cache of them: each is then decoded once for
  // all the units reading it (ExecContext::SharedBlock), each unit copying its buckets' rows
  // out, and the smaller hash tables of finer units win (the SF 1 user report, whose payments'
  // buckets share row groups: 45 units 0.825 s, 1.52 s of CPU and 431 MB at peak; 16 units
  // 0.880 s, 1.60 s and 481 MB; after 30 random drops at SF 1, where most rows are in shared
  // row groups, 88 MB of them decoded: 45 units 1.53 s of CPU and 578 MB, 8 units 1.73 s and
  // 649 MB). Past the cache, units decode the row groups they read.
  const bool cached = shared_bytes <= shared_budget;
  int level = finest;
  while (level > coarsest && !(cached && (rows >> level) >= kMinUnitRows) && decoded[level] > rows + rows / 4) --level;
  return level;
}

namespace {

// The inputs of a chain of FULL merge joins (PlanNode::merge_chain), their keys and the USING
// projections between the joins, each resolved against the columns it reads.
struct MergeChain {
  std::vector<PlanPtr> inputs;
  std::vector<BExprPtr> keys;
  std::vector<std::vector<BExprPtr>> projects;
};

Status FlattenMergeChain(const PlanNode& join, MergeChain* chain) {
  const PlanPtr& left = join.children[0];
  if (join.merge_chain) {  // left: the USING projection of the join below
    WH_RETURN_IF_ERROR(FlattenMergeChain(*left->children[0], chain));
    WH_ASSIGN_OR_RETURN(auto project, ResolveAll(left->exprs, left->children[0]->out));
    chain->projects.push_back(std::move(project));
  } else {
    WH_ASSIGN_OR_RETURN(auto key, Resolve(join.left_keys[0], left->out));
    chain->inputs.push_back(left);
    chain->keys.push_back(std::move(key));
  }
  WH_ASSIGN_OR_RETURN(auto key, Resolve(join.right_keys[0], join.children[1]->out));
  chain->inputs.push_back(join.children[1]);
  chain->keys.push_back(std::move(key));
  return Status::OK();
}

Result<std::unique_ptr<Operator>> BuildNode(const PlanPtr& node, BucketRange bucket, ExecContext* ctx) {
  const PlanNode& n = *node;
  std::unique_ptr<Operator> op;
  switch (n.kind) {
    case PlanNode::kScan: op = std::make_unique<ScanOp>(n, bucket, ctx); break;
    case PlanNode::kValues: op = std::make_unique<ValuesOp>(); break;
    case PlanNode::kFile: op = std::make_unique<FileScanOp>(n.file); break;
    case PlanNode::kRecursive: op = std::make_unique<RecursiveOp>(n, ctx); break;
    case PlanNode::kWorkTable: op = std::make_unique<WorkTableOp>(n.work); break;
    case PlanNode::kFilter: {
      if (n.children[0]->kind == PlanNode::kScan) {
        // The scan filters its own row groups (and skips the filter where zone maps prove it).
        WH_ASSIGN_OR_RETURN(BExprPtr p, Resolve(n.predicate, n.children[0]->out));
        const PlanNode& scan = *n.children[0];
        auto scan_op = std::make_unique<Instrumented>(std::make_unique<ScanOp>(scan, bucket, ctx, p),
                                                      &ctx->stats(&scan), ctx->options().analyze);
        op = std::move(scan_op);
        break;
      }
      WH_ASSIGN_OR_RETURN(auto child, BuildOperator(n.children[0], bucket, ctx));
      WH_ASSIGN_OR_RETURN(BExprPtr p, Resolve(n.predicate, n.children[0]->out));
      op = std::make_unique<FilterOp>(std::move(child), p);
      break;
    }
    case PlanNode::kProject: {
      WH_ASSIGN_OR_RETURN(auto child, BuildOperator(n.children[0], bucket, ctx));
      WH_ASSIGN_OR_RETURN(auto exprs, ResolveAll(n.exprs, n.children[0]->out));
      op = std::make_unique<ProjectOp>(std::move(child), std::move(exprs));
      break;
    }
    case PlanNode::kAggregate: {
      WH_ASSIGN_OR_RETURN(auto child, BuildOperator(n.children[0], bucket, ctx));
      WH_ASSIGN_OR_RETURN(auto groups, ResolveAll(n.groups, n.children[0]->out));
      std::vector<AggregateSpec> aggs = n.aggregates;
      for (auto& a : aggs)
        for (BExprPtr* e : a.Exprs())
          if (*e) {
            WH_ASSIGN_OR_RETURN(*e, Resolve(*e, n.children[0]->out));
          }
      op = std::make_unique<AggregateOp>(std::move(child), std::move(groups), std::move(aggs), &ctx->stats(&n),
                                         n.order_group);
      break;
    }
    case PlanNode::kJoin: {
      if (n.merge_chain) {  // the chain's joins as one merge of all their inputs
        MergeChain chain;
        WH_RETURN_IF_ERROR(FlattenMergeChain(n, &chain));
        std::vector<std::unique_ptr<Operator>> inputs;
        std::vector<std::vector<DataType>> types;
        for (const PlanPtr& in : chain.inputs) {
          WH_ASSIGN_OR_RETURN(auto input, BuildOperator(in, bucket, ctx));
          inputs.push_back(std::move(input));
          types.push_back(TypesOf(in->out));
        }
        op = std::make_unique<MergeJoinOp>(PlanNode::kFull, std::move(inputs), std::move(types), std::move(chain.keys),
                                           std::move(chain.projects));
        break;
      }
      // Within a bucket, a broadcast side is read whole (all its rows, every bucket).
      const int broadcast = !bucket.all() ? BroadcastSide(n) : -1;
      WH_ASSIGN_OR_RETURN(auto left, BuildOperator(n.children[0], broadcast == 0 ? BucketRange{} : bucket, ctx));
      WH_ASSIGN_OR_RETURN(auto right, BuildOperator(n.children[1], broadcast == 1 ? BucketRange{} : bucket, ctx));
      WH_ASSIGN_OR_RETURN(auto lk, ResolveAll(n.left_keys, n.children[0]->out));
      WH_ASSIGN_OR_RETURN(auto rk, ResolveAll(n.right_keys, n.children[1]->out));
      BExprPtr residual;
      if (n.residual) {
        std::vector<PlanColumn> both = n.children[0]->out;
        both.insert(both.end(), n.children[1]->out.begin(), n.children[1]->out.end());
        WH_ASSIGN_OR_RETURN(residual, Resolve(n.residual, both));
      }
      if (n.merge_join && lk.size() == 1 && !residual) {
        std::vector<std::unique_ptr<Operator>> inputs;
        inputs.push_back(std::move(left));
        inputs.push_back(std::move(right));
        op = std::make_unique<MergeJoinOp>(n.join_type, std::move(inputs), std::vector{TypesOf(n.children[0]->out), TypesOf(n.children[1]->out)},
                                           std::vector{lk[0], rk[0]}, std::vector<std::vector<BExprPtr>>{});
      } else
        op = std::make_unique<HashJoinOp>(n, std::move(left), std::move(right), std::move(lk), std::move(rk), residual);
      break;
    }
    case PlanNode::kSort: op = std::make_unique<SortOp>(n, ctx, bucket); break;
    case PlanNode::kUnnest: {
      WH_ASSIGN_OR_RETURN(auto child, BuildOperator(n.children[0], bucket, ctx));
      WH_ASSIGN_OR_RETURN(auto lists, ResolveAll(n.exprs, n.children[0]->out));
      op = std::make_unique<UnnestOp>(std::move(child), std::move(lists), n.unnest_outer);
      break;
    }
    case PlanNode::kWindow: {
      WH_ASSIGN_OR_RETURN(auto child, BuildOperator(n.children[0], bucket, ctx));
      std::vector<WindowSpec> specs = n.windows;
      const auto& in = n.children[0]->out;
      for (auto& w : specs) {
        WH_ASSIGN_OR_RETURN(w.args, ResolveAll(w.args, in));
        WH_ASSIGN_OR_RETURN(w.partition, ResolveAll(w.partition, in));
        for (auto& k : w.order) {
          WH_ASSIGN_OR_RETURN(k.expr, Resolve(k.expr, in));
        }
        if (w.agg.arg) {
          WH_ASSIGN_OR_RETURN(w.agg.arg, Resolve(w.agg.arg, in));
        }
        WH_ASSIGN_OR_RETURN(w.agg.more, ResolveAll(w.agg.more, in));
      }
      op = MakeWindowOp(std::move(child), std::move(specs));
      break;
    }
    case PlanNode::kLimit: {
      std::unique_ptr<Operator> child;
      BucketPartitioning p = PartitioningOf(*n.children[0]);
      if (bucket.all() && p.buckets > 1 && n.limit >= 0 && n.limit <= INT64_MAX - n.offset) {
        // Over buckets: each bucket stops after limit + offset rows (no bucket can contribute
        // more), and this limit takes the first of what they give.
        auto each = std::make_shared<PlanNode>(n);
        each->limit = n.limit + n.offset;
        each->offset = 0;
        std::vector<uint8_t> kept;
        KeptBuckets(*n.children[0], &kept);
        child = std::make_unique<GatherOp>(each, p.buckets, std::move(kept), ctx);
      } else {
        WH_ASSIGN_OR_RETURN(child, BuildOperator(n.children[0], bucket, ctx));
      }
      op = std::make_unique<LimitOp>(std::move(child), n.limit, n.offset);
      break;
    }
    case PlanNode::kUnion: {
      std::vector<std::unique_ptr<Operator>> children;
      for (const auto& c : n.children) {
        WH_ASSIGN_OR_RETURN(auto child, BuildOperator(c, bucket, ctx));
        children.push_back(std::move(child));
      }
      op = std::make_unique<UnionOp>(std::move(children));
      break;
    }
  }
  return std::unique_ptr<Operator>(
      std::make_unique<Instrumented>(std::move(op), &ctx->stats(&n), ctx->options().analyze));
}

}  // namespace

ExecContext::ExecContext(FileSystem* fs, ExecOptions options) : fs_(fs), options_(options) {
  threads_ = options.threads > 0 ? options.threads
                                 : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

NodeStats& ExecContext::stats(const PlanNode* node) {
  std::lock_guard<std::mutex> l(mu_);
  auto& s = stats_[node];
  if (!s) s = std::make_unique<NodeStats>();
  return *s;
}

Result<std::shared_ptr<SegmentReader>> ExecContext::Reader(const TableSnapshot& table, const SegmentEntry& seg) {
  const std::string path = table.SegmentPath(seg);
  // Threads scanning different buckets reach the same segments at about the same time: the
  // first opens the file, the others wait for it instead of opening it again.
  std::shared_ptr<PendingReader> entry;
  bool opener = false;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto& slot = readers_[path];
    if (!slot) {
      slot = std::make_shared<PendingReader>();
      opener = true;
    }
    entry = slot;
  }
  if (opener) {
    files_opened_++;
    // Whatever happens here (out of memory too), the waiters must be told.
    Result<std::unique_ptr<SegmentReader>> r = Status::Internal("not opened");
    Status opened = CatchAll([&] {
      r = SegmentReader::Open(fs_, path);
      if (r.ok()) {
        Status conformed = (*r)->Conform(table.schema.StorageColumns());
        if (!conformed.ok()) r = conformed;
      }
    });
    if (!opened.ok()) r = opened;
    std::lock_guard<std::mutex> l(entry->mu);
    if (r.ok()) entry->reader = std::shared_ptr<SegmentReader>(std::move(*r));
    else if (r.status().code() == StatusCode::kNotFound)  // the manifest names it: it was lost
      entry->status = MissingSegment(path);
    else entry->status = r.status();
    entry->done = true;
    entry->cv.notify_all();
  }
  std::unique_lock<std::mutex> l(entry->mu);
  entry->cv.wait(l, [&] { return entry->done; });
  if (!entry->status.ok()) return entry->status;
  return entry->reader;
}

Result<std::shared_ptr<const Column>> ExecContext::SharedBlock(const std::shared_ptr<SegmentReader>& reader, size_t g,
                                                               size_t c, bool* decoded) {
  const auto key = std::make_tuple(reader.get(), g, c);
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = shared_blocks_.find(key);
    if (it != shared_blocks_.end()) {
      *decoded = false;
      return it->second;
    }
  }
  // Decoded outside the lock; two units reaching it at once may both decode it (the first kept).
  WH_ASSIGN_OR_RETURN(Column col, reader->ReadColumn(g, c));
  // Shared between threads: only ever copied from (AppendRange into a new column reads a
  // dictionary column's codes and adopts its dictionary, never turning it plain).
  auto shared = std::make_shared<const Column>(std::move(col));
  *decoded = true;
  std::lock_guard<std::mutex> l(mu_);
  const size_t bytes = shared->MemoryUsage();
  if (shared_block_bytes_ + bytes <= options_.shared_block_bytes) {
    auto [it, fresh] = shared_blocks_.emplace(key, shared);
    if (fresh) {
      shared_block_bytes_ += bytes;
      if (shared_readers_.empty() || shared_readers_.back() != reader) shared_readers_.push_back(reader);
    }
    return it->second;
  }
  return shared;
}

Result<std::unique_ptr<Operator>> BuildOperator(const PlanPtr& node, BucketRange bucket, ExecContext* ctx) {
  if (bucket.all()) {
    BucketPartitioning p = PartitioningOf(*node);
    if (p.buckets > 1) {
      std::vector<uint8_t> kept;
      KeptBuckets(*node, &kept);
      return std::unique_ptr<Operator>(std::make_unique<GatherOp>(node, p.buckets, std::move(kept), ctx));
    }
  }
  return BuildNode(node, bucket, ctx);
}

namespace {

// A result's batches take the plan's declared output types, and strings their plain form
// (printers read them from several threads).
Status AsResultColumns(const std::vector<DataType>& types, Batch* b) {
  for (size_t c = 0; c < types.size(); ++c) {
    if (b->columns[c].type() != types[c]) {
      WH_ASSIGN_OR_RETURN(b->columns[c], CastColumn(b->columns[c], types[c]));
    }
    b->columns[c].Plain();
  }
  return Status::OK();
}

std::vector<DataType> OutputTypes(const PlanNode& plan, std::vector<std::string>* names) {
  std::vector<DataType> types;
  for (const auto& c : plan.out) {
    names->push_back(c.name);
    types.push_back(c.type);
  }
  return types;
}

}  // namespace

Result<ResultSet> ExecutePlan(const PlanPtr& plan, ExecContext* ctx) {
  ResultSet rs;
  const std::vector<DataType> types = OutputTypes(*plan, &rs.names);
  auto add_chunk = [&](Batch&& b) -> Status {
    WH_RETURN_IF_ERROR(AsResultColumns(types, &b));
    rs.chunks.push_back(std::move(b.columns));
    return Status::OK();
  };
  if (plan->kind == PlanNode::kSort) {
    // The sorted rows are printed from where they are: the sort orders, nothing is gathered.
    const uint64_t t0 = NowNanos();
    WH_ASSIGN_OR_RETURN(SortedBatches s, RunSort(*plan, BucketRange{}, ctx, true));
    if (s.lines) rs.text_delimiter = ctx->options().text_delimiter;
    for (auto& b : s.batches) {
      if (s.lines) rs.chunks.push_back(std::move(b.columns));  // keys and lines, as they are
      else WH_RETURN_IF_ERROR(add_chunk(std::move(b)));
    }
    rs.order_chunk = std::move(s.which);
    rs.order_row = std::move(s.rows);
    NodeStats& st = ctx->stats(plan.get());
    st.rows += rs.order_row.size();
    if (ctx->options().analyze) st.nanos += NowNanos() - t0;
  } else {
    WH_ASSIGN_OR_RETURN(auto op, BuildOperator(plan, BucketRange{}, ctx));
    Batch b;
    while (true) {
      WH_ASSIGN_OR_RETURN(bool more, op->Next(&b));
      if (!more) break;
      if (b.rows) WH_RETURN_IF_ERROR(add_chunk(std::move(b)));
      b = Batch{};
    }
  }
  if (rs.chunks.empty())  // no rows: typed empty columns
    for (const auto& t : types) rs.columns.emplace_back(t);
  return rs;
}

Status StreamPlan(const PlanPtr& plan, ExecContext* ctx, ResultSink* sink) {
  std::vector<std::string> names;
  const std::vector<DataType> types = OutputTypes(*plan, &names);
  WH_RETURN_IF_ERROR(sink->Begin(names, types));
  WH_ASSIGN_OR_RETURN(auto op, BuildOperator(plan, BucketRange{}, ctx));
  while (true) {
    Batch b;
    WH_ASSIGN_OR_RETURN(bool more, op->Next(&b));
    if (!more) break;
    if (!b.rows) continue;
    WH_RETURN_IF_ERROR(AsResultColumns(types, &b));
    WH_RETURN_IF_ERROR(sink->Rows(std::move(b.columns)));
  }
  return sink->End();
}

Status CountScanRowGroups(const PlanNode& scan, ExecContext* ctx, uint64_t* visited, uint64_t* skipped) {
  *visited = *skipped = 0;
  const auto& kept = scan.pruning.bucket_kept;
  const auto& segments = scan.pruning.segments;
  // A file's parts (consecutive entries) may share row groups: each is counted once, skipped
  // when the zone maps rule out every part read in it.
  for (size_t s = 0; s < segments.size();) {
    const SegmentEntry& first = scan.table->segments[segments[s]];
    size_t end = s + 1;
    while (end < segments.size() && scan.table->segments[segments[end]].path == first.path) ++end;
    WH_ASSIGN_OR_RETURN(auto reader, ctx->Reader(*scan.table, first));
    const SegmentFooter& footer = reader->footer();
    std::map<size_t, bool> groups;  // row group -> whether some part may have rows matching
    for (; s < end; ++s) {
      const SegmentEntry& seg = scan.table->segments[segments[s]];
      const RangeEnv segment_env = SegmentEnv(scan, seg);  // once per segment, not per row group
      WH_ASSIGN_OR_RETURN(const uint32_t part, reader->PartNumber(seg.partition));
      const auto [lo, count] = footer.PartRange(part);
      for (size_t g = lo; g < lo + count; ++g) {
        bool any = false;
        for (const BucketRun& run : footer.Slice(g, part).runs)
          any = any || kept.empty() || run.bucket >= kept.size() || kept[run.bucket];
        if (!any) continue;
        bool may = true;
        if (scan.prune && !scan.filters.empty()) {
          RangeEnv env = BlockEnv(scan, segment_env, footer, g);
          for (const auto& f : scan.filters) may = may && MayBeTrue(*f, env);
        }
        groups[g] |= may;
      }
    }
    for (const auto& [g, may] : groups) {
      ++*visited;
      *skipped += !may;
    }
  }
  return Status::OK();
}

}  // namespace wh
