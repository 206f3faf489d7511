#include "format/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace wh {

namespace {

Status Errno(const std::string& what, const std::string& path, int err) {
  std::string msg = what + " '" + path + "': " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(msg);
  if (err == EEXIST) return Status::AlreadyExists(msg);
  if (err == ENOMEM) return Status::ResourceExhausted(msg);  // the kernel's memory, not the disk
  return Status::IOError(msg);
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  static constexpr size_t kBufferBytes = 1u << 20;
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  // Small appends (a segment writes a block at a time) are gathered into 1 MiB writes.
  Status Append(std::string_view data) override {
    size_ += data.size();
    if (buf_.size() + data.size() <= kBufferBytes) {
      buf_.append(data);
      return Status::OK();
    }
    WH_RETURN_IF_ERROR(Flush());
    if (data.size() >= kBufferBytes) return WriteAll(data.data(), data.size());
    buf_.append(data);
    return Status::OK();
  }
  Status Sync() override {
    WH_RETURN_IF_ERROR(Flush());
    if (::fdatasync(fd_) != 0) return Errno("fsync", path_, errno);
    return Status::OK();
  }
  Status Close() override {
    Status st = Flush();
    int fd = fd_;
    fd_ = -1;
    if (fd >= 0 && ::close(fd) != 0 && st.ok()) return Errno("close", path_, errno);
    return st;
  }
  uint64_t Size() const override { return size_; }

 private:
  Status WriteAll(const char* p, size_t left) {
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Errno("write", path_, errno);
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    return Status::OK();
  }
  Status Flush() {
    if (buf_.empty()) return Status::OK();
    Status st = WriteAll(buf_.data(), buf_.size());
    buf_.clear();
    return st;
  }
  std::string buf_;

  std::string path_;
  int fd_;
  uint64_t size_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {
    // Files wh reads are immutable once written; a mapping saves a copy and a pread per block.
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
      if (p != MAP_FAILED) map_ = static_cast<const uint8_t*>(p);
    }
  }
  ~PosixRandomAccessFile() override {
    if (map_) ::munmap(const_cast<uint8_t*>(map_), size_);
    ::close(fd_);
  }
  const uint8_t* Data() const override { return map_; }
  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    if (offset > size_ || n > size_ - offset)
      return Status::Corruption("read of " + std::to_string(n) + " bytes at offset " +
                                std::to_string(offset) + " past the end of '" + path_ + "' (" +
                                std::to_string(size_) + " bytes)");
    if (map_) {
      out->assign(reinterpret_cast<const char*>(map_) + offset, n);
      return Status::OK();
    }
    out->resize(n);
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, out->data() + done, n - done, offset + done);
      if (r < 0) {
        if (errno == EINTR) continue;
        return Errno("read", path_, errno);
      }
      if (r == 0) return Status::Corruption("unexpected end of file '" + path_ + "'");
      done += r;
    }
    return Status::OK();
  }
  uint64_t Size() const override { return size_; }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
  const uint8_t* map_ = nullptr;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  int fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Errno("create", path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd, 0));
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return Errno("open for append", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int e = errno;
      ::close(fd);
      return Errno("stat", path, e);
    }
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd, st.st_size));
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Errno("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int e = errno;
      ::close(fd);
      return Errno("stat", path, e);
    }
    return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(path, fd, st.st_size));
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return Errno("rename to '" + to + "'", from, errno);
    return Status::OK();
  }
  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return Errno("remove", path, errno);
    return Status::OK();
  }
  Status CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) != 0) return Errno("create directory", path, errno);
    return Status::OK();
  }
  Status RemoveDir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) return Errno("remove directory", path, errno);
    return Status::OK();
  }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    DIR* d = ::opendir(path.c_str());
    if (!d) return Errno("list directory", path, errno);
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(std::move(n));
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
  }
  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }
  bool IsDirectory(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }
  Status SyncDir(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Errno("open directory", path, errno);
    int r = ::fsync(fd);
    int e = errno;
    ::close(fd);
    if (r != 0) return Errno("fsync directory", path, e);
    return Status::OK();
  }
  Status Truncate(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) return Errno("truncate", path, errno);
    return Status::OK();
  }
  Result<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Errno("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Errno("open lock file", path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int e = errno;
      std::string holder(32, '\0');
      ssize_t n = ::pread(fd, holder.data(), holder.size(), 0);
      holder.resize(n > 0 ? n : 0);
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
      ::close(fd);
      if (e == EWOULDBLOCK)
        return Status::Locked((holder.empty() ? std::string("locked by another process (its pid is not recorded)")
                                              : "locked by pid " + holder) +
                              " (lock file '" + path + "')");
      return Errno("lock", path, e);
    }
    // The lock is ours; a stale pid from a dead holder is simply overwritten. The pid only
    // informs whoever finds the lock taken: on a full disk the lock holds without it (DROP TABLE
    // must work there, to free space).
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
      int e = errno;
      if (e != ENOSPC && e != EDQUOT) {
        ::close(fd);
        return Errno("write lock file", path, e);
      }
    }
    return std::unique_ptr<FileLock>(new PosixFileLock(fd));
  }
  Result<std::unique_ptr<FileLock>> LockDirShared(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Errno("open directory", path, errno);
    int rc;
    while ((rc = ::flock(fd, LOCK_SH)) != 0 && errno == EINTR) {
    }
    if (rc != 0) {
      int e = errno;
      ::close(fd);
      return Errno("lock (shared)", path, e);
    }
    return std::unique_ptr<FileLock>(new PosixFileLock(fd));
  }
  Result<std::unique_ptr<FileLock>> LockSnapshot(const std::string& path, uint64_t seq) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Errno("open", path, errno);
    struct flock l {};
    l.l_type = F_RDLCK;
    l.l_whence = SEEK_SET;
    l.l_start = static_cast<off_t>(std::min<uint64_t>(seq, INT64_MAX - 1));
    l.l_len = 1;
    int rc;
    while ((rc = ::fcntl(fd, F_OFD_SETLKW, &l)) != 0 && errno == EINTR) {
    }
    if (rc != 0) {
      int e = errno;
      ::close(fd);
      if (e == EINVAL) return Status::NotSupported("snapshot locks on " + path);
      return Errno("lock snapshot", path, e);
    }
    return std::unique_ptr<FileLock>(new PosixFileLock(fd));
  }
  Result<bool> SnapshotsBelow(const std::string& path, uint64_t seq) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return false;
      return Errno("open", path, errno);
    }
    if (seq == 0) {
      ::close(fd);
      return false;
    }
    struct flock l {};
    l.l_type = F_WRLCK;
    l.l_whence = SEEK_SET;
    l.l_start = 0;
    l.l_len = static_cast<off_t>(std::min<uint64_t>(seq, INT64_MAX));
    const int rc = ::fcntl(fd, F_OFD_GETLK, &l);
    const int e = errno;
    ::close(fd);
    // Without open-file-description locks (EINVAL: an old kernel) no reader could take one:
    // each holds the directory's lock instead, which the caller's exclusive lock rules out.
    if (rc != 0 && e == EINVAL) return false;
    if (rc != 0) return Errno("test snapshot locks", path, e);
    return l.l_type != F_UNLCK;
  }
  Result<std::unique_ptr<FileLock>> TryLockDirExclusive(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Errno("open directory", path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int e = errno;
      ::close(fd);
      if (e == EWOULDBLOCK) return std::unique_ptr<FileLock>();
      return Errno("lock (exclusive)", path, e);
    }
    return std::unique_ptr<FileLock>(new PosixFileLock(fd));
  }
};

}  // namespace

Result<std::string> FileSystem::ReadFile(const std::string& path) {
  WH_ASSIGN_OR_RETURN(auto f, NewRandomAccessFile(path));
  std::string data;
  WH_RETURN_IF_ERROR(f->Read(0, f->Size(), &data));
  return data;
}

Status FileSystem::WriteFileAtomic(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp";
  {
    WH_ASSIGN_OR_RETURN(auto f, NewWritableFile(tmp));
    Status st = f->Append(data);
    if (st.ok()) st = f->Sync();
    Status cl = f->Close();
    if (st.ok()) st = cl;
    if (!st.ok()) {
      (void)RemoveFile(tmp);
      return st;
    }
  }
  Status st = Rename(tmp, path);
  if (!st.ok()) (void)RemoveFile(tmp);
  return st;
}

Status FileSystem::RemoveTree(const std::string& path) {
  if (!IsDirectory(path)) return RemoveFile(path);
  WH_ASSIGN_OR_RETURN(auto names, ListDir(path));
  for (const auto& n : names) WH_RETURN_IF_ERROR(RemoveTree(JoinPath(path, n)));
  return RemoveDir(path);
}

FileSystem* DefaultFileSystem() {
  static PosixFileSystem fs;
  return &fs;
}

std::string JoinPath(std::string_view a, std::string_view b) {
  std::string out(a);
  if (!out.empty() && out.back() != '/') out += '/';
  out += b;
  return out;
}

}  // namespace wh
