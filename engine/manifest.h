// The table manifest `_manifest`: an append-only log of checksummed records. The first record is
// the table schema; each later record is one commit. Appending a commit record and syncing it is
// the commit point of an ingest. SPEC.md "Manifest" documents the bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/schema.h"
#include "format/format.h"

namespace wh {

constexpr const char* kManifestFile = "_manifest";
constexpr char kManifestMagic[8] = {'W', 'H', 'M', 'A', 'N', '\r', '\n', '\x1a'};
constexpr uint16_t kManifestFormatVersion = 1;
constexpr size_t kManifestHeaderSize = 24;
constexpr uint32_t kMaxManifestRecord = 256u << 20;

// kCommit: a commit whose segment entries each name a file of one partition (wh builds before
// 2026-12-07); kFileCommit: a commit that lists files, each with its parts (partitions) - a file
// may hold several (SPEC.md "Manifest"). wh writes kFileCommit.
// kBase: the table's state as of a commit (commit history, live files, retired files), right
// after the schema record of a manifest that a writer rewrote (SPEC.md "Manifest").
// kSchemaChange: a commit that changes the schema (ALTER TABLE): the table's whole new schema;
// the commits after it list their files' zone maps by its columns (SPEC.md "Schema changes").
// kOverwrite: a commit that replaces partitions (INSERT OVERWRITE, ingest --overwrite): a file
// commit plus the partitions it replaces (SPEC.md "Manifest").
// kBaseWithKinds: a base record whose commit history says what each commit was; written instead
// of kBase once the history holds a schema change or an overwrite (older builds, which would
// misread the table, refuse it).
// kCompressed: a record of another type (2 to 7) whose payload is a zstd frame; EncodeRecord
// writes one wherever that saves bytes (a commit's zone maps and rows per bucket compress ~4x).
enum class RecordType : uint8_t {
  kSchema = 1, kCommit = 2, kFileCommit = 3, kBase = 4, kSchemaChange = 5, kOverwrite = 6, kBaseWithKinds = 7,
  kCompressed = 8
};

// A segment as the manifest knows it: enough to plan a query without opening the file.
struct SegmentEntry {
  std::string path;                 // relative to the table directory
  std::optional<int32_t> partition;  // days; nullopt for the NULL partition (or unpartitioned)
  uint64_t rows = 0;
  uint64_t bytes = 0;            // file size
  uint64_t footer_checksum = 0;  // equals the file's trailer footer checksum
  std::vector<std::pair<uint32_t, uint64_t>> bucket_rows;  // (bucket, rows), ascending
  std::vector<ZoneMap> zones;    // one per storage column
  uint64_t commit_seq = 0;       // set when read back
};

struct SourceFile {
  std::string path;
  uint64_t size = 0;
  uint64_t content_hash = 0;  // XXH64 of the bytes as read (after decompression)
};

struct CommitRecord {
  uint64_t seq = 0;
  int64_t etl_micros = 0;
  int64_t committed_micros = 0;
  std::vector<SegmentEntry> added;
  std::vector<std::string> removed;  // paths of segments this commit retires
  std::vector<SourceFile> sources;
  // What the commit did, as a snapshot knows it (TableSnapshot::commits): added rows (an
  // ingest, INSERT or CREATE TABLE AS: each row's etl_date is etl_micros), merged files (a
  // compaction), or unknown (a commit a base record summarizes).
  // kSchemaChange: an ALTER TABLE (no files added or removed). kOverwrite: new rows replacing
  // the rows of `replaced` partitions (the files holding them retired, their other partitions'
  // rows written anew).
  enum class Kind : uint8_t { kUnknown = 0, kIngest = 1, kCompaction = 2, kSchemaChange = 3, kOverwrite = 4 };
  Kind kind = Kind::kUnknown;
  std::vector<std::optional<int32_t>> replaced;  // kOverwrite: ascending, NULL first
};

struct ManifestContents {
  TableSchema schema;
  bool has_schema = false;
  // Commits in order. When read from a checkpoint, those up to it carry no added / removed
  // lists: their net effect is `base_segments` and `base_retired`.
  std::vector<CommitRecord> commits;
  std::vector<SegmentEntry> base_segments;  // live at the checkpoint (commit_seq set)
  std::vector<std::string> base_retired;    // retired by then and perhaps still on disk
  uint64_t base_retired_seq = 0;            // the checkpoint's commit: they were retired by it or before
  // Manifest offset the checkpoint covers (0: none used), or right after the base record; and
  // the size of that checkpoint file, or of the base record.
  uint64_t checkpoint_offset = 0;
  uint64_t checkpoint_bytes = 0;
  bool has_base = false;  // the manifest starts with a base record
  bool checkpoint_damaged = false;  // a `_checkpoint` exists but could not be used
  // Manifest offset right after each commit record read here (not those a checkpoint covers).
  std::vector<uint64_t> commit_ends;
  uint64_t valid_length = 0;  // bytes up to the end of the last whole record
  uint64_t length = 0;        // bytes of the manifest (read, or skipped thanks to the checkpoint)
  bool torn_tail = false;     // bytes after valid_length that do not form a whole record
};

// `_checkpoint`: the table's state as of one commit - schema, commit history without segment
// lists, live segments, retired segments perhaps still on disk - and the manifest offset after
// that commit, so that opening a table reads the checkpoint and only the manifest records after
// it (SPEC.md "Checkpoint"). Written by builds before 2026-12-07 (wh now rewrites the manifest
// instead, and removes the checkpoint when it does); optional: a missing or damaged checkpoint
// only means reading the whole manifest.
constexpr const char* kCheckpointFile = "_checkpoint";
struct Checkpoint {
  uint64_t seq = 0;
  uint64_t manifest_offset = 0;      // the manifest's length after commit `seq`
  uint64_t last_record_checksum = 0;  // the last 8 bytes before manifest_offset
  TableSchema schema;
  std::vector<CommitRecord> commits;  // added / removed empty
  std::vector<SegmentEntry> live;
  std::vector<std::string> retired;
  uint64_t file_bytes = 0;  // set when read
};
// A manifest that starts anew from the state as of commit c.seq: header, schema record, base
// record (c's commits, live and retired lists; its manifest offset is not used).
std::string EncodeBaseManifest(const Checkpoint& c);
Status ParseCheckpoint(std::string_view bytes, Checkpoint* out);
// Reads `_checkpoint` of the table at `dir`: nullopt when absent; an error when damaged (readers
// then read the whole manifest; verify reports it).
Result<std::optional<Checkpoint>> ReadCheckpoint(FileSystem* fs, const std::string& dir);
// A segment entry as a kCommit record and a version-1 checkpoint hold it.
void SerializeSegmentEntry(const SegmentEntry& s, const std::vector<ColumnSpec>& cols, std::string* out);
// Segment entries as a file list (kFileCommit and kBase records): the entries of
// one file are consecutive, in increasing partition order, with the same bytes and footer
// checksum (and commit); with_commit: each file starts with its commit's sequence number.
void SerializeFileList(const std::vector<SegmentEntry>& entries, const std::vector<ColumnSpec>& cols,
                       bool with_commit, std::string* out);

// The live segments after commit `seq` (SPEC.md "Manifest"): the paths it removed taken out, the
// segments it added (moved in; their commit_seq set) appended.
void ApplyCommit(uint64_t seq, const std::vector<std::string>& removed, std::vector<SegmentEntry> added,
                 std::vector<SegmentEntry>* live);

// The payload of a kSchemaChange record: commit `c` (its seq, etl and commit times) making
// `schema` the table's.
void SerializeSchemaChange(const CommitRecord& c, const TableSchema& schema, std::string* out);
// Whether a table of schema `from` may become one of schema `to` without rewriting its files:
// the same name, partitioning and bucketing; every column of `from` in `to` under its name, of
// a type it widens to (CanWiden), the partition and bucket columns unchanged, NOT NULL as it
// was; columns `to` adds come after them and are nullable. The error says what differs.
Status CheckSchemaChange(const TableSchema& from, const TableSchema& to);
// A manifest entry whose zone maps are by storage columns `from`, made one by columns `to` (by
// name: a column `from` lacks gets an all-NULL zone map, a widened one its bounds widened).
void ConformEntry(const std::vector<ColumnSpec>& from, const std::vector<ColumnSpec>& to, SegmentEntry* e);

// Serialization, exposed for tests and fuzzing.
std::string EncodeManifestHeader();
// (A record of a type other than the schema's whose payload is at least kCompressRecordBytes
// is written compressed, as kCompressed, when that is smaller.)
std::string EncodeRecord(RecordType type, const std::string& payload);
constexpr size_t kCompressRecordBytes = 128;
// What a commit of type 2 or 3 was, from its lists: a compaction (it removes files), an ingest
// (it adds files only), or kUnknown (neither). SPEC.md "Manifest", the kinds of commit.
CommitRecord::Kind FileCommitKind(const CommitRecord& c);

// The payload of a kFileCommit record, or of a kOverwrite record when c.kind is kOverwrite.
void SerializeCommit(const CommitRecord& c, const std::vector<ColumnSpec>& cols, std::string* out);
Status ParseManifest(std::string_view bytes, ManifestContents* out);

// Reads a whole manifest. A torn last record is reported (torn_tail), not an error; a bad record
// followed by more bytes that parse is Corruption. With a checkpoint, reads its header and the
// records after the checkpoint only; Corruption when the manifest does not hold the record the
// checkpoint ends at (it lost records, or was replaced).
Result<ManifestContents> ReadManifest(FileSystem* fs, const std::string& path, const Checkpoint* checkpoint = nullptr);

// `_head`: the last commit the table has made durable and the manifest length after it,
// replaced atomically after each commit. A manifest that ends before it has lost committed
// records (truncation), which would otherwise read as an older, valid state.
constexpr const char* kHeadFile = "_head";
// Readers' snapshot locks (SPEC.md "Retired segments and readers"): an empty file whose byte s a
// reader of snapshot s holds a shared lock on.
constexpr const char* kReadersFile = "_readers";
std::string EncodeHead(uint64_t last_seq, uint64_t manifest_length);
struct Head {
  uint64_t last_seq = 0;
  uint64_t manifest_length = 0;
};
// Reads `_head` (all zero when absent; Corruption when damaged). Read it BEFORE the manifest:
// the manifest only grows and `_head` never names more than it, so a manifest read after the
// head that holds less has lost records, while one read before could just be older.
Result<Head> ReadHead(FileSystem* fs, const std::string& table_dir);
// Corruption when the manifest holds less than the head (read earlier) names.
Status CheckHead(const Head& head, const std::string& table_dir, const ManifestContents& m);
// Whether the head names exactly the manifest's last whole commit and valid length (SPEC.md
// "Head"): then bytes after them and segments no commit names are an interrupted commit's.
bool HeadConfirms(const Head& head, const ManifestContents& m);

}  // namespace wh
