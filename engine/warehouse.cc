#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>

#include "engine/engine.h"
#include "format/coding.h"

namespace wh {

namespace {

constexpr char kWarehouseMagic[8] = {'W', 'H', 'H', 'O', 'U', 'S', 'E', '\x1a'};
constexpr uint16_t kWarehouseFormatVersion = 1;
constexpr const char* kMarkerFile = "_warehouse";
constexpr const char* kLockFile = "_lock";

std::string MarkerBytes() {
  std::string h;
  ByteWriter w(&h);
  w.PutBytes(kWarehouseMagic, 8);
  w.PutU16(kWarehouseFormatVersion);
  w.PutU16(0);
  w.PutU32(0);
  w.PutU64(Checksum64(h.data(), h.size()));
  return h;
}

Status CheckMarker(const std::string& bytes, const std::string& path) {
  if (bytes.size() != 24 || std::memcmp(bytes.data(), kWarehouseMagic, 8) != 0)
    return Status::Corruption(path + ": not a wh warehouse marker");
  uint64_t sum;
  std::memcpy(&sum, bytes.data() + 16, 8);
  if (sum != Checksum64(bytes.data(), 16)) return Status::Corruption(path + ": checksum mismatch");
  uint16_t version;
  std::memcpy(&version, bytes.data() + 8, 2);
  if (version == 0 || version > kWarehouseFormatVersion)
    return Status::NotSupported(path + ": warehouse format version " + std::to_string(version) +
                                "; this build of wh reads version " +
                                std::to_string(kWarehouseFormatVersion));
  return Status::OK();
}

}  // namespace

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t TableSnapshot::rows() const {
  uint64_t n = 0;
  for (const auto& s : segments) n += s.rows;
  return n;
}

uint64_t TableSnapshot::bytes() const {
  // A file of several partitions has an entry per partition, each with the file's size.
  uint64_t n = 0;
  std::set<std::string_view> seen;
  for (const auto& s : segments)
    if (seen.insert(s.path).second) n += s.bytes;
  return n;
}

size_t TableSnapshot::files() const {
  std::set<std::string_view> seen;
  for (const auto& s : segments) seen.insert(s.path);
  return seen.size();
}

Result<std::unique_ptr<Warehouse>> Warehouse::Open(FileSystem* fs, const std::string& root,
                                                   bool create) {
  std::string marker = JoinPath(root, kMarkerFile);
  if (!fs->IsDirectory(root)) {
    if (fs->FileExists(root)) return Status::InvalidArgument("'" + root + "' is not a directory");
    if (!create)
      return Status::NotFound("no warehouse at '" + root +
                              "' (create a table with `wh query \"CREATE TABLE ...\"` first, or "
                              "pick one with -w DIR or $WH_WAREHOUSE)");
    Status st = fs->CreateDir(root);
    if (!st.ok() && st.code() != StatusCode::kAlreadyExists) return st;
  }
  if (!fs->FileExists(marker)) {
    WH_ASSIGN_OR_RETURN(auto names, fs->ListDir(root));
    if (!names.empty())
      return Status::InvalidArgument("'" + root + "' is not a wh warehouse (it has no " +
                                     kMarkerFile + " file and is not empty)");
    if (!create) return Status::NotFound("no warehouse at '" + root + "' (the directory is empty)");
    WH_RETURN_IF_ERROR(fs->WriteFileAtomic(marker, MarkerBytes()));
    WH_RETURN_IF_ERROR(fs->SyncDir(root));
  } else {
    WH_ASSIGN_OR_RETURN(std::string bytes, fs->ReadFile(marker));
    WH_RETURN_IF_ERROR(CheckMarker(bytes, marker));
  }
  return std::unique_ptr<Warehouse>(new Warehouse(fs, root));
}

Status RefuseInsideWarehouse(const std::string& root, const std::string& path, const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path r = fs::canonical(root, ec);
  if (ec) return Status::OK();  // no warehouse there yet: nothing to overwrite
  const fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) return Status::OK();  // writing it will report the problem
  auto rit = r.begin();
  auto pit = p.begin();
  for (; rit != r.end(); ++rit, ++pit)
    if (pit == p.end() || *pit != *rit) return Status::OK();
  return Status::InvalidArgument(what + " '" + path + "' is inside the warehouse '" + root +
                                 "'; writing there could destroy a table. Choose a path outside it");
}

Result<std::string> Warehouse::TableDir(const std::string& name) {
  WH_RETURN_IF_ERROR(ValidateIdentifier(name, "table"));
  return JoinPath(root_, ToLower(name));
}

Result<std::vector<std::string>> Warehouse::ListTables() {
  WH_ASSIGN_OR_RETURN(auto names, fs_->ListDir(root_));
  std::vector<std::string> out;
  for (const auto& n : names) {
    if (!ValidateIdentifier(n, "table").ok() || n != ToLower(n)) continue;
    if (fs_->FileExists(JoinPath(JoinPath(root_, n), kManifestFile))) out.push_back(n);
  }
  return out;
}

bool Warehouse::TableExists(const std::string& name) {
  auto dir = TableDir(name);
  return dir.ok() && fs_->FileExists(JoinPath(*dir, kManifestFile));
}

Status Warehouse::CleanRoot() {
  // Leftovers of an interrupted CREATE or DROP.
  WH_ASSIGN_OR_RETURN(auto names, fs_->ListDir(root_));
  for (const auto& n : names) {
    if (n.rfind(".creating-", 0) == 0 || n.rfind(".dropping-", 0) == 0 || n == "_views.tmp")
      WH_RETURN_IF_ERROR(fs_->RemoveTree(JoinPath(root_, n)));
  }
  return Status::OK();
}

Status Warehouse::PrepareTableDir(const TableSchema& schema, const std::string& tmp) {
  WH_RETURN_IF_ERROR(schema.Validate());
  if (schema.name[0] == '_')
    return Status::InvalidArgument("table name '" + schema.name + "': names beginning with '_' are "
                                   "reserved for the warehouse's own files (_warehouse, _lock, _views)");
  WH_ASSIGN_OR_RETURN(std::string dir, TableDir(schema.name));
  if (fs_->FileExists(dir)) {
    if (!fs_->FileExists(JoinPath(dir, kManifestFile)))
      return Status::AlreadyExists("'" + dir + "' is the directory of a damaged table '" + schema.name +
                                   "' (it has no _manifest); DROP TABLE " + schema.name + " removes it");
    return Status::AlreadyExists("table '" + schema.name + "' already exists");
  }
  {
    WH_ASSIGN_OR_RETURN(auto views, ListViews());
    if (views.count(schema.name))
      return Status::AlreadyExists("'" + schema.name + "' is a view; a table needs another name");
  }
  WH_RETURN_IF_ERROR(fs_->CreateDir(tmp));
  std::string payload;
  SerializeSchema(schema, &payload);
  std::string bytes = EncodeManifestHeader() + EncodeRecord(RecordType::kSchema, payload);
  Status st = [&]() -> Status {
    WH_ASSIGN_OR_RETURN(auto f, fs_->NewWritableFile(JoinPath(tmp, kManifestFile)));
    WH_RETURN_IF_ERROR(f->Append(bytes));
    WH_RETURN_IF_ERROR(f->Sync());
    WH_RETURN_IF_ERROR(f->Close());
    // The head from the start: a first commit that a crash interrupts is then known for one.
    WH_RETURN_IF_ERROR(fs_->WriteFileAtomic(JoinPath(tmp, kHeadFile), EncodeHead(0, bytes.size())));
    WH_ASSIGN_OR_RETURN(auto r, fs_->NewWritableFile(JoinPath(tmp, kReadersFile)));
    WH_RETURN_IF_ERROR(r->Close());
    return fs_->SyncDir(tmp);
  }();
  if (!st.ok()) (void)fs_->RemoveTree(tmp);
  return st;
}

Status Warehouse::CreateTable(const TableSchema& input, bool if_not_exists) {
  TableSchema schema = input;
  schema.name = ToLower(schema.name);
  WH_RETURN_IF_ERROR(schema.Validate());
  WH_ASSIGN_OR_RETURN(auto lock, fs_->LockFile(JoinPath(root_, kLockFile)));
  WH_RETURN_IF_ERROR(CleanRoot());
  if (if_not_exists && TableExists(schema.name)) return Status::OK();
  // The directory is made whole under a hidden name and renamed into place: the table appears
  // whole or not at all (a leftover .creating- directory is removed by the next CREATE / DROP).
  std::string tmp = JoinPath(root_, ".creating-" + schema.name);
  WH_RETURN_IF_ERROR(PrepareTableDir(schema, tmp));
  WH_ASSIGN_OR_RETURN(std::string dir, TableDir(schema.name));
  Status st = fs_->Rename(tmp, dir);
  if (st.ok()) st = fs_->SyncDir(root_);
  if (!st.ok()) (void)fs_->RemoveTree(tmp);
  return st;
}

Status Warehouse::CreateTableAs(const TableSchema& input, const std::function<Status(TableWriter*)>& fill) {
  TableSchema schema = input;
  schema.name = ToLower(schema.name);
  WH_RETURN_IF_ERROR(schema.Validate());
  WH_ASSIGN_OR_RETURN(auto lock, fs_->LockFile(JoinPath(root_, kLockFile)));
  WH_RETURN_IF_ERROR(CleanRoot());
  std::string tmp = JoinPath(root_, ".creating-" + schema.name);
  WH_RETURN_IF_ERROR(PrepareTableDir(schema, tmp));
  WH_ASSIGN_OR_RETURN(std::string dir, TableDir(schema.name));
  Status st = [&]() -> Status {
    {
      WH_ASSIGN_OR_RETURN(auto writer, OpenWriterAt(schema.name, tmp));
      WH_RETURN_IF_ERROR(fill(writer.get()));
    }
    WH_RETURN_IF_ERROR(fs_->Rename(tmp, dir));
    return fs_->SyncDir(root_);
  }();
  if (!st.ok()) (void)fs_->RemoveTree(tmp);
  return st;
}

Status Warehouse::DropTable(const std::string& name, bool if_exists) {
  WH_ASSIGN_OR_RETURN(std::string dir, TableDir(name));
  WH_ASSIGN_OR_RETURN(auto lock, fs_->LockFile(JoinPath(root_, kLockFile)));
  WH_RETURN_IF_ERROR(CleanRoot());
  // A directory without a manifest is a table that lost it: dropping removes what is left.
  if (!fs_->FileExists(JoinPath(dir, kManifestFile)) && !fs_->IsDirectory(dir)) {
    if (if_exists) return Status::OK();
    return Status::NotFound("table '" + ToLower(name) + "' does not exist");
  }
  // Wait for no writer: take the table lock, then rename the directory away (the atomic step)
  // and delete it.
  WH_ASSIGN_OR_RETURN(auto table_lock, fs_->LockFile(JoinPath(dir, kLockFile)));
  std::string gone = JoinPath(root_, ".dropping-" + ToLower(name));
  WH_RETURN_IF_ERROR(fs_->Rename(dir, gone));
  WH_RETURN_IF_ERROR(fs_->SyncDir(root_));
  table_lock.reset();
  return fs_->RemoveTree(gone);
}

namespace {
TableSnapshot BuildSnapshot(ManifestContents m, const std::string& dir) {
  TableSnapshot snap;
  snap.schema = std::move(m.schema);
  snap.dir = dir;
  snap.segments = std::move(m.base_segments);  // live at the checkpoint, if one was read
  snap.retired = std::move(m.base_retired);
  snap.retired_seq = m.base_retired_seq;
  snap.manifest_length = m.valid_length;
  snap.checkpoint_offset = m.checkpoint_offset;
  snap.checkpoint_bytes = m.checkpoint_bytes;
  snap.checkpoint_damaged = m.checkpoint_damaged;
  for (auto& c : m.commits) {
    ApplyCommit(c.seq, c.removed, std::move(c.added), &snap.segments);
    c.added.clear();
    snap.last_seq = c.seq;
    snap.commits.push_back(std::move(c));
  }
  return snap;
}

// The manifest as of now, through the checkpoint when there is a usable one. A damaged
// checkpoint is passed over (the manifest is the record; verify reports the checkpoint).
Result<ManifestContents> ReadTableState(FileSystem* fs, const std::string& dir) {
  const std::string mpath = JoinPath(dir, kManifestFile);
  auto ck = ReadCheckpoint(fs, dir);
  if (ck.ok() && ck->has_value()) return ReadManifest(fs, mpath, &**ck);
  WH_ASSIGN_OR_RETURN(ManifestContents m, ReadManifest(fs, mpath));
  m.checkpoint_damaged = !ck.ok();
  return m;
}
}  // namespace

Result<TableSnapshot> Warehouse::GetSnapshot(const std::string& name) {
  WH_ASSIGN_OR_RETURN(std::string dir, TableDir(name));
  std::string mpath = JoinPath(dir, kManifestFile);
  if (!fs_->FileExists(mpath)) {
    if (fs_->IsDirectory(dir))
      return Status::Corruption("table '" + ToLower(name) + "' has lost its _manifest (" + mpath +
                                " is missing); see README 'Recovering from damage'");
    return Status::NotFound("table '" + ToLower(name) + "' does not exist");
  }
  // The readers' lock first: while it is held, no writer deletes a segment this snapshot names
  // (SPEC.md "Retired segments").
  // A filesystem that cannot lock directories (some network filesystems) reads unlocked: then
  // a compaction's deletion may pull a file from under a running query (reported as missing).
  std::unique_ptr<FileLock> read_lock;
  if (auto l = fs_->LockDirShared(dir); l.ok()) read_lock = std::move(l).value();
  Head head;
  ManifestContents m;
  for (int attempt = 0;; ++attempt) {
    auto read = [&]() -> Status {
      WH_ASSIGN_OR_RETURN(head, ReadHead(fs_, dir));  // first: see ReadHead
      WH_ASSIGN_OR_RETURN(m, ReadTableState(fs_, dir));
      return CheckHead(head, dir, m);
    };
    Status st = read();
    if (st.ok()) break;
    // Unlocked, a writer may have rewritten the manifest between our reads of `_head` and of it
    // (SPEC.md "Rewriting the manifest"): read again once before calling it damage.
    if (read_lock || attempt > 0 || st.code() != StatusCode::kCorruption) return st;
  }
  const uint64_t torn = m.length - m.valid_length;
  const bool confirms = HeadConfirms(head, m);
  TableSnapshot snap = BuildSnapshot(std::move(m), dir);
  // The snapshot's own lock, then the directory's released: a writer that retires files later
  // deletes them as soon as no reader of an older snapshot is left, however many readers of
  // newer ones come and go (with the directory lock held for the whole statement, a table
  // queried without a pause never let it). Tables without `_readers` keep the directory lock.
  if (read_lock) {
    auto held = fs_->LockSnapshot(JoinPath(dir, kReadersFile), snap.last_seq);
    if (held.ok()) read_lock = std::move(held).value();
  }
  snap.read_lock = std::move(read_lock);
  snap.torn_bytes = torn;
  snap.head_confirms = confirms;
  return snap;
}

Status MissingSegment(const std::string& path) {
  return Status::Corruption("segment " + path + ", which the table's manifest names, is missing "
                            "(see README 'Recovering from damage')");
}

uint64_t VerifyWarehouse(Warehouse* wh, const std::function<void(const std::string&)>& report) {
  uint64_t problems = 0;
  auto problem = [&](const std::string& msg) {
    ++problems;
    report(msg);
  };
  auto views = wh->ListViews();
  if (!views.ok()) problem("_views: " + views.status().ToString() + " (see README 'Recovering from damage')");
  auto names = wh->fs()->ListDir(wh->root());
  if (!names.ok()) {
    problem(names.status().ToString());
    return problems;
  }
  for (const auto& n : *names) {
    const std::string path = JoinPath(wh->root(), n);
    if (!ValidateIdentifier(n, "table").ok() || n != ToLower(n) || n[0] == '_') continue;
    if (wh->fs()->IsDirectory(path) && !wh->fs()->FileExists(JoinPath(path, kManifestFile)))
      problem(path + ": a table directory without a _manifest: the table is lost to queries (DROP TABLE " + n +
              " removes it; see README 'Recovering from damage')");
  }
  return problems;
}

Result<std::unique_ptr<TableWriter>> Warehouse::OpenWriter(const std::string& name) {
  WH_ASSIGN_OR_RETURN(std::string dir, TableDir(name));
  return OpenWriterAt(name, dir);
}

Result<std::unique_ptr<TableWriter>> Warehouse::OpenWriterAt(const std::string& name, const std::string& dir) {
  std::string mpath = JoinPath(dir, kManifestFile);
  if (!fs_->FileExists(mpath)) return Status::NotFound("table '" + ToLower(name) + "' does not exist");
  std::unique_ptr<TableWriter> w(new TableWriter());
  w->fs_ = fs_;
  auto lock = fs_->LockFile(JoinPath(dir, kLockFile));
  if (!lock.ok()) {
    if (lock.status().code() == StatusCode::kLocked)
      return Status::Locked("table '" + ToLower(name) + "' is " + lock.status().message() +
                            "; wait for that process to finish");
    return lock.status();
  }
  w->lock_ = std::move(lock).value();
  // Read the manifest under the lock: this is the state the batch builds on.
  WH_ASSIGN_OR_RETURN(Head head, ReadHead(fs_, dir));
  WH_ASSIGN_OR_RETURN(ManifestContents m, ReadTableState(fs_, dir));
  WH_RETURN_IF_ERROR(CheckHead(head, dir, m));
  uint64_t valid_length = m.valid_length;
  bool torn = m.torn_tail;
  // `_head` names the last commit made durable. When it names the manifest's last whole record,
  // anything after it, and any segment no commit names, is an interrupted commit's and goes.
  // When it does not (it is missing or lags: a crash right after a commit, or damage), a torn
  // record may have been a whole commit: its bytes and its segments are set aside in _orphaned/.
  const bool head_confirms = HeadConfirms(head, m);
  w->base_ = BuildSnapshot(std::move(m), dir);
  const uint64_t last_seq = w->base_.last_seq;
  w->manifest_path_ = mpath;
  w->manifest_length_ = valid_length;
  // Tables made by older builds get their `_readers` from their next writer (best effort:
  // without it readers hold the directory lock instead).
  if (!fs_->FileExists(JoinPath(dir, kReadersFile))) {
    (void)CatchAll([&] {
      auto f = fs_->NewWritableFile(JoinPath(dir, kReadersFile));
      if (f.ok()) (void)(*f)->Close();
    });
  }
  WH_RETURN_IF_ERROR(w->CleanOrphans(valid_length, torn, !head_confirms));
  if (!head_confirms) {
    // The manifest's whole records are durable once synced: the head can name them.
    WH_ASSIGN_OR_RETURN(auto f, fs_->NewAppendableFile(mpath));
    WH_RETURN_IF_ERROR(f->Sync());
    WH_RETURN_IF_ERROR(f->Close());
    WH_RETURN_IF_ERROR(fs_->WriteFileAtomic(JoinPath(dir, kHeadFile), EncodeHead(last_seq, valid_length)));
    WH_RETURN_IF_ERROR(fs_->SyncDir(dir));
  }
  char tok[16];
  std::snprintf(tok, sizeof tok, "%08x",
                static_cast<unsigned>(Checksum64(&valid_length, 8) ^ NowMicros() ^ ::getpid()));
  w->token_ = tok;
  w->etl_micros_ = NowMicros();
  return w;
}

}  // namespace wh
