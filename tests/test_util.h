// Helpers shared by the test suites: temporary directories and a fault-injecting filesystem.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "format/file_system.h"

namespace wh::testing {

// A fresh empty directory under $TMPDIR, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return JoinPath(path_, name); }

 private:
  std::string path_;
};

// Wraps the real filesystem and fails the Nth mutating call (create, append, sync, close,
// rename, remove, mkdir, rmdir, sync dir, truncate, lock) with an I/O error. Counting starts at 1;
// fail_at 0 never fails. Once a call failed, every later mutating call fails too (a dead disk),
// so nothing can quietly "succeed on retry".
class FaultInjectionFileSystem : public FileSystem {
 public:
  explicit FaultInjectionFileSystem(FileSystem* base) : base_(base) {}
  void FailAt(int n) {
    fail_at_ = n;
    calls_ = 0;
    failed_ = false;
  }
  int calls() const { return calls_; }
  bool failed() const { return failed_; }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    return base_->NewRandomAccessFile(p);
  }
  Status Rename(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status CreateDir(const std::string& path) override;
  Status RemoveDir(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& p) override { return base_->ListDir(p); }
  bool FileExists(const std::string& p) override { return base_->FileExists(p); }
  bool IsDirectory(const std::string& p) override { return base_->IsDirectory(p); }
  Status SyncDir(const std::string& path) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Result<uint64_t> FileSize(const std::string& p) override { return base_->FileSize(p); }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;
  Result<std::unique_ptr<FileLock>> LockDirShared(const std::string& p) override { return base_->LockDirShared(p); }
  Result<std::unique_ptr<FileLock>> TryLockDirExclusive(const std::string& p) override {
    return base_->TryLockDirExclusive(p);
  }
  Result<std::unique_ptr<FileLock>> LockSnapshot(const std::string& p, uint64_t seq) override {
    WH_RETURN_IF_ERROR(Tick("lock snapshot", p));
    return base_->LockSnapshot(p, seq);
  }
  Result<bool> SnapshotsBelow(const std::string& p, uint64_t seq) override {
    WH_RETURN_IF_ERROR(Tick("test snapshot locks", p));
    return base_->SnapshotsBelow(p, seq);
  }

  // Counts a call; returns an error if this one must fail.
  Status Tick(const char* what, const std::string& path);

  // Simulates a power loss: what was not made durable is lost. Files written through this
  // filesystem are cut back to their size at their last successful fsync, and file or directory
  // creations and renames not followed by an fsync of their directory are undone (newest
  // first). Then the record starts afresh.
  void SimulateCrash();
  // Bookkeeping of the writable files (called by them).
  void NoteSynced(const std::string& path, uint64_t size) {
    std::lock_guard<std::mutex> l(mu_);
    synced_[path] = size;
  }

 private:
  struct DirOp {
    enum Kind { kCreate, kMkdir, kRename } kind;
    std::string dir;  // the directory whose fsync makes it durable
    std::string path, to;
    // A rename over an existing file: that file's bytes, which a crash before the directory's
    // fsync brings back.
    std::optional<std::string> replaced;
  };
  void Log(DirOp op) { ops_.push_back(std::move(op)); }  // with mu_ held

  // The engine calls a filesystem from several threads at once (segment flushes and merges):
  // the counters and the record are guarded.
  std::mutex mu_;
  FileSystem* base_;
  std::map<std::string, uint64_t> synced_;  // path -> size at the last fsync
  std::vector<DirOp> ops_;                  // not yet made durable by a directory fsync
  int fail_at_ = 0;
  int calls_ = 0;
  bool failed_ = false;
};

// Reads a whole file into a string (test helper; aborts the test on failure).
std::string ReadAll(const std::string& path);
void WriteAll(const std::string& path, const std::string& data);
// Path of a checked-in test data file.
std::string TestData(const std::string& rel);
// The type of the manifest record at byte `at` of `manifest`: for a compressed record (type 8),
// the type of the record it holds.
int ManifestRecordType(const std::string& manifest, size_t at);

}  // namespace wh::testing
