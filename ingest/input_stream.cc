#include "ingest/input_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <boost/iostreams/device/file_descriptor.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filter/zstd.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

namespace wh {

namespace io = boost::iostreams;

namespace {

bool EndsWith(const std::string& s, const char* suf) {
  size_t n = std::strlen(suf);
  return s.size() >= n && s.compare(s.size() - n, n, suf) == 0;
}

class HashingInput : public InputStream {
 public:
  explicit HashingInput(std::string name, uint64_t size_hint)
      : name_(std::move(name)), size_hint_(size_hint) {
    state_ = XXH64_createState();
    XXH64_reset(state_, 0);
  }
  ~HashingInput() override { XXH64_freeState(state_); }
  const std::string& name() const override { return name_; }
  uint64_t size_hint() const override { return size_hint_; }
  uint64_t bytes_read() const override { return bytes_; }
  uint64_t content_hash() const override { return XXH64_digest(state_); }

 protected:
  void Account(const char* buf, size_t n) {
    XXH64_update(state_, buf, n);
    bytes_ += n;
  }

 private:
  std::string name_;
  uint64_t size_hint_;
  uint64_t bytes_ = 0;
  XXH64_state_t* state_;
};

class BoostInput final : public HashingInput {
 public:
  BoostInput(std::string name, uint64_t size_hint, std::unique_ptr<std::istream> raw,
             int compression)
      : HashingInput(std::move(name), size_hint), raw_(std::move(raw)) {
    if (compression == 1) in_.push(io::gzip_decompressor());
    if (compression == 2) in_.push(io::zstd_decompressor());
    in_.push(*raw_);
  }
  Result<size_t> Read(char* buf, size_t n) override {
    try {
      in_.read(buf, static_cast<std::streamsize>(n));
      size_t got = static_cast<size_t>(in_.gcount());
      if (got == 0 && in_.bad())
        return Status::IOError("read error in '" + name() + "'");
      Account(buf, got);
      return got;
    } catch (const std::exception& e) {
      return Status::DataError("cannot decompress '" + name() + "': " + e.what());
    }
  }

 private:
  std::unique_ptr<std::istream> raw_;
  io::filtering_istream in_;
};

// An uncompressed file: read() straight into the caller's buffer.
class FileInput final : public HashingInput {
 public:
  FileInput(std::string name, uint64_t size, int fd) : HashingInput(std::move(name), size), fd_(fd) {}
  ~FileInput() override { ::close(fd_); }
  Result<size_t> Read(char* buf, size_t n) override {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::read(fd_, buf + got, n - got);
      if (r < 0) {
        if (errno == EINTR) continue;
        return Status::IOError("read error in '" + name() + "': " + std::strerror(errno));
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    Account(buf, got);
    return got;
  }

 private:
  int fd_;
};

class StringInputImpl final : public HashingInput {
 public:
  StringInputImpl(std::string data, std::string name)
      : HashingInput(std::move(name), data.size()), data_(std::move(data)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    size_t k = std::min(n, data_.size() - pos_);
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    Account(buf, k);
    return k;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

class StdinProxy : public std::istream {
 public:
  StdinProxy() : std::istream(std::cin.rdbuf()) {}
};

}  // namespace

Result<std::unique_ptr<InputStream>> OpenInput(const std::string& path) {
  int compression = EndsWith(path, ".gz") ? 1 : EndsWith(path, ".zst") ? 2 : 0;
  if (path == "-") {
    std::ios::sync_with_stdio(false);
    return std::unique_ptr<InputStream>(
        new BoostInput("<stdin>", 0, std::make_unique<StdinProxy>(), 0));
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return Status::NotFound("cannot open input '" + path + "': " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return Status::InvalidArgument("input '" + path + "' is a directory");
  if (compression == 0) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IOError("cannot open input '" + path + "': " + std::strerror(errno));
    return std::unique_ptr<InputStream>(new FileInput(path, static_cast<uint64_t>(st.st_size), fd));
  }
  auto f = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!f->is_open())
    return Status::IOError("cannot open input '" + path + "': " + std::strerror(errno));
  return std::unique_ptr<InputStream>(
      new BoostInput(path, static_cast<uint64_t>(st.st_size), std::move(f), compression));
}

std::unique_ptr<InputStream> StringInput(std::string data, std::string name) {
  return std::make_unique<StringInputImpl>(std::move(data), std::move(name));
}

}  // namespace wh
