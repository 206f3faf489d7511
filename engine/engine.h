// The public header of the engine module: warehouses, tables, snapshots and the commit protocol.
//
// On disk (SPEC.md "Directory layout"):
//   <warehouse>/_warehouse                 marker: this directory is a wh warehouse
//   <warehouse>/_lock                      DDL lock (CREATE / DROP)
//   <warehouse>/<table>/_manifest          schema + commit log; the commit point
//   <warehouse>/<table>/_lock              writer lock of the table
//   <warehouse>/<table>/data/<segment>.whs   segment files (of several partitions each)
//   <warehouse>/<table>/<col>=<value>/<segment>.whs   of older builds: one partition per file
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/manifest.h"
#include "engine/schema.h"
#include "format/format.h"

namespace wh {

// A consistent view of a table: the schema and the live segments as of one commit.
struct TableSnapshot {
  TableSchema schema;
  std::string dir;                     // the table directory
  std::vector<SegmentEntry> segments;  // live segments, in commit order
  std::vector<CommitRecord> commits;   // the commit history (segments cleared)
  uint64_t last_seq = 0;
  // Segments retired by commits the checkpoint covers that may still be on disk (the commits
  // after it carry their own removed lists).
  std::vector<std::string> retired;
  uint64_t retired_seq = 0;  // the commit that retired them, or a later one
  uint64_t manifest_length = 0;    // valid bytes of the manifest
  uint64_t checkpoint_offset = 0;  // where the checkpoint read ends in the manifest (0: none)
  uint64_t checkpoint_bytes = 0;
  bool checkpoint_damaged = false;  // the next writer replaces it whatever the gap
  // Bytes at the manifest's end that do not form a whole record (an interrupted commit, or a
  // damaged last one): readers ignore them; the next writer sets them aside (see OpenWriter).
  uint64_t torn_bytes = 0;
  bool head_confirms = false;  // `_head` names this state exactly (HeadConfirms)
  // The reader's hold, kept while any copy of the snapshot lives: its lock on byte last_seq of
  // `_readers` (or, for a table without that file, the readers' lock on the table directory).
  // The segments the snapshot names are not deleted meanwhile, even when a compaction retires
  // them.
  std::shared_ptr<FileLock> read_lock;

  uint64_t rows() const;
  uint64_t bytes() const;  // of the live files
  size_t files() const;     // live files (an entry per partition a file holds)
  std::string SegmentPath(const SegmentEntry& s) const { return JoinPath(dir, s.path); }
};

class TableWriter;

class Warehouse {
 public:
  // Opens the warehouse at `root`. With create, makes the directory (and its marker) when missing
  // or empty. Fails with NotFound when it does not exist, InvalidArgument when `root` is a
  // non-empty directory that is not a warehouse.
  static Result<std::unique_ptr<Warehouse>> Open(FileSystem* fs, const std::string& root,
                                                 bool create);

  FileSystem* fs() const { return fs_; }
  const std::string& root() const { return root_; }

  // Table names in the warehouse, sorted.
  Result<std::vector<std::string>> ListTables();
  bool TableExists(const std::string& name);
  // Creates a table atomically (its directory appears whole or not at all).
  Status CreateTable(const TableSchema& schema, bool if_not_exists);
  // Creates a table with its first rows atomically (CREATE TABLE ... AS SELECT): `fill` writes
  // and commits them through a writer of the new table while it is still hidden; the table
  // appears with them, or - on an error or a crash at any moment - not at all.
  Status CreateTableAs(const TableSchema& schema, const std::function<Status(TableWriter*)>& fill);
  // Removes a table and all its data.
  Status DropTable(const std::string& name, bool if_exists);
  // Views: name -> SQL text of the query (the catalog file `_views`).
  Result<std::map<std::string, std::string>> ListViews();
  Result<std::optional<std::string>> GetView(const std::string& name);
  Status CreateView(const std::string& name, const std::string& sql, bool or_replace, bool if_not_exists);
  Status DropView(const std::string& name, bool if_exists);
  // Reads the table's manifest: the last committed state. Takes no lock.
  Result<TableSnapshot> GetSnapshot(const std::string& name);
  // Takes the table's writer lock (Locked error naming the holder's pid when taken), repairs a
  // torn manifest tail and removes files no commit names.
  Result<std::unique_ptr<TableWriter>> OpenWriter(const std::string& name);

 private:
  Warehouse(FileSystem* fs, std::string root) : fs_(fs), root_(std::move(root)) {}
  Result<std::string> TableDir(const std::string& name);
  Status CleanRoot();
  // Checks that `schema` may be created (name, no table or view of that name) and writes a new
  // table directory for it at `tmp` (under the DDL lock, which the caller holds).
  Status PrepareTableDir(const TableSchema& schema, const std::string& tmp);
  // A writer of the table whose directory is `dir` (OpenWriter, or a table being created).
  Result<std::unique_ptr<TableWriter>> OpenWriterAt(const std::string& name, const std::string& dir);

  FileSystem* fs_;
  std::string root_;
};

// A set of partitions by day (nullopt: the NULL partition, or an unpartitioned table's one).
using PartitionSet = std::set<std::optional<int32_t>>;

// Files a merge writes are cut near this size; files this large are not merged again.
constexpr uint64_t kTargetFileBytes = 512ull << 20;
// A batch or merge of fewer rows writes one file; more are written as several files of
// partition ranges side by side (one per core).
constexpr uint64_t kParallelWriteRows = 1u << 18;

// What compaction merges (README "Compaction", SPEC.md "Compaction"). Compaction merges whole
// files: the files one commit added form a *run* (they hold disjoint partitions, or a bucket
// range each of one), and a merge rewrites runs into one new run.
struct CompactOptions {
  // false: the automatic policy (after each commit): the newest run, extended to older ones
  // while each holds at most `ratio` times the rows of the newer ones together.
  // true (`wh compact`): every stretch of two or more consecutive runs under the target.
  bool full = false;
  double ratio = 2.0;
  // Runs this large are never merged again; merged output is cut into files near this size.
  uint64_t target_bytes = kTargetFileBytes;
  // Only runs holding rows of one of these partitions are merged (nullopt = the NULL partition;
  // empty list: every run).
  std::vector<std::optional<int32_t>> partitions;
};

struct CompactStats {
  uint64_t partitions = 0;  // partitions whose rows were rewritten
  uint64_t files_in = 0, files_out = 0;
  uint64_t rows = 0;
  uint64_t bytes_in = 0, bytes_out = 0;
  uint64_t commit_seq = 0;  // of the compaction's commit (0: nothing to merge)
};

// The stretches [first, last) of a table's runs (their rows and bytes, oldest first) that
// `options` merges. Exposed for tests.
std::vector<std::pair<size_t, size_t>> PlanMerges(const std::vector<uint64_t>& rows, const std::vector<uint64_t>& bytes,
                                                  const CompactOptions& options);

// Merges segments of a table as `options` says, in one commit (none when there is nothing to
// merge). Takes the table's writer lock (Locked when an ingest holds it).
Result<CompactStats> CompactTable(Warehouse* wh, const std::string& name, const CompactOptions& options);

// The automatic compaction after commit `rec` of `table` (ingest, INSERT): the policy of
// `options` (not full), when that commit added files.
Result<CompactStats> CompactAfterCommit(Warehouse* wh, const std::string& table, const CommitRecord& rec,
                                        const CompactOptions& options);

struct WriteStats {
  uint64_t segments = 0;
  uint64_t bytes = 0;
  uint64_t rows = 0;
  uint64_t partitions_created = 0;
};

// One batch of writes to one table. Segments are written under temporary names; Commit() makes
// them visible atomically; anything else (Abort(), destruction, a failure) removes them and
// leaves the table as it was. Not thread-safe.
class TableWriter {
 public:
  ~TableWriter();

  const TableSnapshot& base() const { return base_; }
  // The etl_date of every row this batch writes (microseconds). Set before writing.
  void set_etl_micros(int64_t micros) { etl_micros_ = micros; }
  int64_t etl_micros() const { return etl_micros_; }
  void set_encode_options(const EncodeOptions& o) { encode_options_ = o; }
  // Manifest growth since its base record (or the last checkpoint) after which a commit rewrites
  // it (256 KiB, or the base's size when larger; see MaybeCheckpoint). 0: after every commit (tests).
  void set_checkpoint_gap(uint64_t bytes) { checkpoint_gap_ = bytes; }

  // Writes one segment with `columns` (user columns, schema order, equal lengths) whose rows all
  // belong to `partition`; buckets[i] is the bucket of row i (all 0 when not bucketed).
  Status WriteSegment(std::optional<int32_t> partition, const std::vector<Column>& columns,
                      const std::vector<uint32_t>& buckets);
  // Routes rows (user columns, schema order) to their partitions (the partition expression of
  // each row) and buckets (the hash of the key) and writes them as one file (one per core when large).
  Status WriteRows(const std::vector<Column>& columns) { return WriteRows(std::vector<const std::vector<Column>*>{&columns}); }
  // The same for rows held in several column sets (chunks parsed apart), in this order.
  // The chunks must be distinct (their columns are read side by side, and a dictionary column
  // read may turn plain).
  Status WriteRows(const std::vector<const std::vector<Column>*>& chunks) { return RouteRows(chunks, nullptr); }
  // The same, taking the chunks: each of their columns is freed as soon as its rows are routed,
  // so that a batch and its routed copy are not held whole at once (ingest's peak memory).
  Status ConsumeRows(std::vector<std::vector<Column>> chunks);
  // Distinct partitions written so far by this batch.
  size_t partitions_written() const { return partitions_.size(); }
  // Writes merged copies of the segments `options` picks (see CompactTable) and marks the
  // originals retired by this batch's commit. Call on a writer that has written nothing else.
  Status Compact(const CompactOptions& options, CompactStats* stats);
  // Makes the batch visible: rename, sync directories, append the commit record and sync it.
  // On failure the batch is aborted; the error is never retried.
  Result<CommitRecord> Commit(std::vector<SourceFile> sources);
  void Abort();
  // Makes this batch's commit replace partitions (INSERT OVERWRITE, ingest --overwrite): the
  // rows of `partitions` - or, when nullopt, of the partitions this batch wrote (every row of an
  // unpartitioned table) - give way to the batch's. Call after the batch's rows are written, once,
  // before Commit: it writes the rows the retired files hold in other partitions anew (they keep
  // their etl_date). InvalidArgument when the batch wrote a row outside `partitions`.
  Status Overwrite(const std::optional<PartitionSet>& partitions);
  struct OverwriteStats {
    uint64_t partitions = 0;     // replaced
    uint64_t rows_replaced = 0;  // the rows they held
    uint64_t rows_carried = 0;   // rows of other partitions written anew
  };
  const OverwriteStats& overwrite_stats() const { return overwrite_stats_; }
  // ALTER TABLE: commits `schema` as the table's (CheckSchemaChange), on a writer that has
  // written nothing. Files already written are read by it as they are (SPEC.md "Schema changes").
  Result<CommitRecord> CommitSchema(const TableSchema& schema);

  const WriteStats& stats() const { return stats_; }

 private:
  // WriteRows; with `owned` (the chunks behind `chunks`), their columns are freed once routed.
  Status RouteRows(const std::vector<const std::vector<Column>*>& chunks, std::vector<std::vector<Column>>* owned);
  friend class Warehouse;
  TableWriter() = default;

  struct Pending {
    std::string tmp_path;    // absolute
    std::string final_path;  // absolute
    bool renamed = false;
    // The file's manifest entries: one per part (partition), in partition order.
    std::vector<SegmentEntry> parts;
    uint64_t rows = 0, bytes = 0;
  };
  // A file of this batch being written: its pending entry and writer (BeginFile / FinishFile).
  struct OpenFile;
  // A segment file to merge: its reader and its parts as the manifest (or the writer) lists
  // them: partition -> row groups [first, first + count).
  struct MergeInput {
    const SegmentReader* reader = nullptr;
    std::map<std::optional<int32_t>, uint32_t> parts;  // partition -> its part in the file
  };
  // Merges the files this batch wrote when a partition is in more than one (a batch larger than
  // the memory budget writes files per flush), so that row groups hold a bucket's rows of the
  // whole batch. Runs at commit time; the originals are uncommitted temporary files.
  Status MergePendingFiles();
  // Removes what an interrupted commit left (a torn manifest tail, temporary files, segments no
  // commit names); with set_aside, keeps the tail and such segments in kOrphanDir instead.
  Status CleanOrphans(uint64_t manifest_valid_length, bool torn, bool set_aside);
  // Writes one file holding partitions parts[first, last) of `sorted` (user columns then
  // etl_date): the rows of partition p and bucket b are [bounds[p * nb + b], bounds[p * nb + b + 1]).
  // `threads`: the threads that encode the file's row groups (the cores a file written alone
  // has to itself; see BeginFile).
  Status WriteSortedParts(const std::vector<std::optional<int32_t>>& parts, size_t first, size_t last,
                          const std::vector<Column>& sorted, const std::vector<uint32_t>& bounds, uint32_t nb,
                          unsigned threads);
  // As WriteSortedParts, the rows of slot s (partition s / nb, bucket s % nb) being the runs
  // runs[run_first[s], run_first[s + 1]) of the columns of `grouped` (a run's src: the group),
  // with etl_date added.
  Status WriteGroupedParts(const std::vector<std::optional<int32_t>>& parts, size_t first, size_t last,
                           const std::vector<std::vector<Column>>& grouped, const std::vector<Column::Run>& runs,
                           const std::vector<uint32_t>& run_first, const std::vector<uint32_t>& bounds, uint32_t nb,
                           unsigned threads);
  void RemovePending();
  // Appends `record` (of commit `seq`) to the manifest and syncs it - the commit point - then
  // points `_head` at it (best effort). On failure the writer is done and the manifest cut back
  // to its length before; *cut tells whether that worked (else the record may be on disk).
  Status AppendRecord(const std::string& record, uint64_t seq, bool* cut);
  // Merges `inputs` (in commit order) into new files: every partition any of them holds, each
  // partition's rows bucket by bucket (rows of a bucket keep their order), in files cut near
  // target_bytes; files written side by side for partition ranges when the rows are many.
  Status MergeFiles(const std::vector<MergeInput>& inputs, uint64_t target_bytes);
  // One file sequence of MergeFiles: partitions `parts` (ascending) of `inputs`.
  Status MergeInto(const std::vector<MergeInput>& inputs, const std::vector<std::optional<int32_t>>& parts,
                   uint64_t target_bytes, unsigned threads);
  // MergeInto's way for a partition of at most kDefaultRowGroupRows rows: part_of, next and end
  // are each input's part and its row groups; decoded holds row groups shared with later parts.
  Status MergeSmallPart(const std::vector<MergeInput>& inputs, std::optional<int32_t> partition,
                        const std::vector<uint32_t>& part_of, const std::vector<size_t>& next,
                        const std::vector<size_t>& end, const std::vector<uint64_t>& rows_per_bucket,
                        std::vector<std::map<size_t, std::vector<Column>>>* decoded,
                        std::unique_ptr<OpenFile>* out, unsigned threads);
  // A new file of this batch, whose row groups `threads` threads encode (SegmentWriter::
  // set_threads): the cores divided among the files being written at once.
  Result<std::unique_ptr<OpenFile>> BeginFile(unsigned threads);
  // Starts the rows of `partition` in the file; rows_per_bucket: the rows the part will hold per
  // bucket, which decides the buckets that share row groups.
  Status BeginPart(OpenFile* out, std::optional<int32_t> partition, const std::vector<uint64_t>& rows_per_bucket);
  Status AddRows(OpenFile* out, uint32_t bucket, const std::vector<const Column*>& cols, size_t begin, size_t end);
  // Counts n rows of `bucket` in the entry of out's current part.
  void CountRows(OpenFile* out, uint32_t bucket, uint64_t n);
  // The part's rows of all buckets at once (SegmentWriter::AddBuckets).
  Status AddBuckets(OpenFile* out, const std::vector<const Column*>& cols, size_t begin,
                    const std::vector<uint64_t>& rows_per_bucket);
  Status FinishFile(OpenFile* out);
  // After commit `rec` (its record appended): rewrites the manifest to start from the state as
  // of `rec` (a base record) when it has grown past the last base record or checkpoint by more
  // than that one's size and 256 KiB, so that a reader reads at most about twice the live state
  // and the manifest's bytes follow the live files, not the number of commits. Best effort.
  void MaybeCheckpoint(const CommitRecord& rec);
  // Deletes the files commits have retired, when no reader holds the table (SPEC.md "Retired
  // segments"); else leaves them for a later writer. `retired`: paths relative to the table.
  Status DeleteRetired(const std::vector<std::string>& retired, uint64_t retired_by);
  // True when no reader can need a file retired by commit `retired_by`: none holds a snapshot
  // older than it. REQUIRES: the table directory's exclusive lock (no reader is between reading
  // the state and locking its snapshot).
  bool NoReaderBefore(uint64_t retired_by);

  FileSystem* fs_ = nullptr;
  std::unique_ptr<FileLock> lock_;
  TableSnapshot base_;
  std::string manifest_path_;
  uint64_t manifest_length_ = 0;
  int64_t etl_micros_ = 0;
  PartitionSet partitions_;
  EncodeOptions encode_options_;
  std::string token_;
  std::deque<Pending> pending_;  // a deque: references stay valid while others are added
  std::mutex mu_;                // pending_, created_dirs_, stats_ while partitions are written in parallel
  std::vector<std::string> created_dirs_;
  std::vector<std::string> removed_;  // segments this batch's commit retires (compaction, overwrite)
  bool overwrite_ = false;            // the commit replaces partitions `replaced_`
  std::vector<std::optional<int32_t>> replaced_;
  OverwriteStats overwrite_stats_;
  uint64_t checkpoint_gap_ = 256 << 10;
  bool done_ = false;
  WriteStats stats_;
};

// `wh verify`: reads every file of a table and checks every checksum and structure. Each problem
// goes to `report`; returns the number of problems.
struct VerifyStats {
  uint64_t segments = 0;
  uint64_t blocks = 0;
  uint64_t bytes = 0;
  uint64_t problems = 0;
};
VerifyStats VerifyTable(Warehouse* wh, const std::string& name,
                        const std::function<void(const std::string&)>& report);

// `wh verify` of what is not a table: the warehouse marker, the view catalog `_views`, and
// table directories without a `_manifest` (a table that lost its manifest is invisible to
// queries). Returns the number of problems.
uint64_t VerifyWarehouse(Warehouse* wh, const std::function<void(const std::string&)>& report);

// Where a writer sets aside segment files that no commit names (a crash between renaming them
// into place and appending the commit, or a damaged last commit record): never deleted by wh,
// reported by verify; README "Recovering from damage" says what to do with them.
constexpr const char* kOrphanDir = "_orphaned";

// Threads a writer uses to write (and fsync) files side by side, whatever the cores: an fsync
// waits on the disk, and the filesystem's journal commits the syncs of waiting threads at once
// (a drop of 33,000 rows into 152 partitions: 0.09 -> 0.06 s).
constexpr unsigned kIoThreads = 8;

// The error for a segment file the manifest names that is not there (the table lost it).
Status MissingSegment(const std::string& path);

// Current wall-clock time in microseconds since the epoch (UTC).
int64_t NowMicros();

// An error when `path` (a file wh is asked to write: a query's output, a rejects list, generated
// data) lies inside the warehouse at `root`, after symlinks are resolved: writing there could
// overwrite a manifest or a segment and lose a table. `what` names the option in the message.
Status RefuseInsideWarehouse(const std::string& root, const std::string& path, const std::string& what);

}  // namespace wh
