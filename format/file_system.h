// The one small filesystem interface all warehouse file I/O goes through (LevelDB's Env), so
// tests can substitute a fault-injecting implementation.
//
// Durability errors are sticky: callers never retry a failed Sync(); they abort the batch.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "format/status.h"

namespace wh {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Flushes data to stable storage (fsync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  virtual uint64_t Size() const = 0;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads exactly n bytes at offset into *out, or fails (a short file is Corruption).
  virtual Status Read(uint64_t offset, size_t n, std::string* out) const = 0;
  virtual uint64_t Size() const = 0;
  virtual const std::string& path() const = 0;
  // The whole file in memory (a read-only mapping) when the implementation has one, else
  // nullptr. Readers use it to decode blocks without a copy or a system call per block.
  virtual const uint8_t* Data() const { return nullptr; }
};

// An exclusive advisory lock, released when the object is destroyed or the process dies.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates (or truncates) a file for writing.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens an existing file for appending at its end.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  // Atomically replaces `to` with `from` (rename(2)).
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Creates a directory; AlreadyExists if it exists.
  virtual Status CreateDir(const std::string& path) = 0;
  virtual Status RemoveDir(const std::string& path) = 0;
  // Names in a directory, without "." and "..", sorted.
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  virtual bool IsDirectory(const std::string& path) = 0;
  // fsync of a directory, making renames and creations in it durable.
  virtual Status SyncDir(const std::string& path) = 0;
  virtual Status Truncate(const std::string& path, uint64_t size) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  // Takes an exclusive lock on `path` (created if missing) without waiting. When another
  // process holds it, fails with Locked and a message naming that process's pid, which the
  // holder writes into the file.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;
  // Readers' lock on a directory (flock LOCK_SH on the directory itself: no file is created, so
  // read-only users can take it). Waits while an exclusive holder works.
  virtual Result<std::unique_ptr<FileLock>> LockDirShared(const std::string& path) = 0;
  // The exclusive lock on a directory, without waiting: nullptr (not an error) while anyone
  // else, in this process or another, holds it shared or exclusive.
  virtual Result<std::unique_ptr<FileLock>> TryLockDirExclusive(const std::string& path) = 0;
  // A reader's hold on snapshot `seq`: a shared lock on byte `seq` of the existing file `path`
  // (fcntl open-file-description locks: each hold is its own, also among threads of one
  // process). NotFound when the file does not exist; NotSupported where such locks are not.
  virtual Result<std::unique_ptr<FileLock>> LockSnapshot(const std::string& path, uint64_t seq) = 0;
  // True while anyone holds a snapshot lock on a byte below `seq` of `path` (false when the file
  // does not exist). An error means: unknown (treat as held).
  virtual Result<bool> SnapshotsBelow(const std::string& path, uint64_t seq) = 0;

  // Reads a whole file.
  Result<std::string> ReadFile(const std::string& path);
  // Writes a whole file under a temporary name, syncs it and renames it into place.
  Status WriteFileAtomic(const std::string& path, std::string_view data);
  // Removes a directory and everything under it.
  Status RemoveTree(const std::string& path);
};

// The real filesystem (POSIX). Never null; lives for the process.
FileSystem* DefaultFileSystem();

std::string JoinPath(std::string_view a, std::string_view b);

}  // namespace wh
