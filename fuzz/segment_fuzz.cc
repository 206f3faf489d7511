// libFuzzer target: a segment file of arbitrary bytes opened, every block read and verified.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "format/format.h"

namespace {
// A RandomAccessFile over the fuzzer's bytes (no disk).
class MemoryFile final : public wh::RandomAccessFile {
 public:
  explicit MemoryFile(std::string data) : data_(std::move(data)) {}
  wh::Status Read(uint64_t offset, size_t n, std::string* out) const override {
    if (offset > data_.size() || n > data_.size() - offset) return wh::Status::Corruption("read past the end");
    out->assign(data_, offset, n);
    return wh::Status::OK();
  }
  uint64_t Size() const override { return data_.size(); }
  const std::string& path() const override { return path_; }

 private:
  std::string data_;
  std::string path_ = "fuzz.whs";
};

class MemoryFs final : public wh::FileSystem {
 public:
  explicit MemoryFs(std::string data) : data_(std::move(data)) {}
  wh::Result<std::unique_ptr<wh::RandomAccessFile>> NewRandomAccessFile(const std::string&) override {
    return std::unique_ptr<wh::RandomAccessFile>(new MemoryFile(data_));
  }
  wh::Result<std::unique_ptr<wh::WritableFile>> NewWritableFile(const std::string&) override { return wh::Status::NotSupported("no"); }
  wh::Result<std::unique_ptr<wh::WritableFile>> NewAppendableFile(const std::string&) override { return wh::Status::NotSupported("no"); }
  wh::Status Rename(const std::string&, const std::string&) override { return wh::Status::NotSupported("no"); }
  wh::Status RemoveFile(const std::string&) override { return wh::Status::NotSupported("no"); }
  wh::Status CreateDir(const std::string&) override { return wh::Status::NotSupported("no"); }
  wh::Status RemoveDir(const std::string&) override { return wh::Status::NotSupported("no"); }
  wh::Result<std::vector<std::string>> ListDir(const std::string&) override { return std::vector<std::string>{}; }
  bool FileExists(const std::string&) override { return true; }
  bool IsDirectory(const std::string&) override { return false; }
  wh::Status SyncDir(const std::string&) override { return wh::Status::OK(); }
  wh::Status Truncate(const std::string&, uint64_t) override { return wh::Status::NotSupported("no"); }
  wh::Result<uint64_t> FileSize(const std::string&) override { return static_cast<uint64_t>(data_.size()); }
  wh::Result<std::unique_ptr<wh::FileLock>> LockFile(const std::string&) override { return wh::Status::NotSupported("no"); }
  wh::Result<std::unique_ptr<wh::FileLock>> LockDirShared(const std::string&) override {
    return wh::Status::NotSupported("no");
  }
  wh::Result<std::unique_ptr<wh::FileLock>> TryLockDirExclusive(const std::string&) override {
    return wh::Status::NotSupported("no");
  }
  wh::Result<std::unique_ptr<wh::FileLock>> LockSnapshot(const std::string&, uint64_t) override {
    return wh::Status::NotSupported("no");
  }
  wh::Result<bool> SnapshotsBelow(const std::string&, uint64_t) override { return wh::Status::NotSupported("no"); }

 private:
  std::string data_;
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  MemoryFs fs(std::string(reinterpret_cast<const char*>(data), size));
  auto r = wh::SegmentReader::Open(&fs, "fuzz.whs");
  if (!r.ok()) return 0;
  (*r)->VerifyBlocks([](const wh::Status&) {});
  // What scans, merges and verify ask of a parsed footer: each part's rows, slices of its row
  // groups, row groups of bucket ranges, zone maps (a parsed footer must answer them all
  // without reading out of bounds).
  const wh::SegmentFooter& f = (*r)->footer();
  const size_t parts = std::max<size_t>(f.parts.size(), 1);
  std::vector<size_t> groups;
  for (uint32_t p = 0; p < parts; ++p) {
    (void)f.PartRows(p);
    const auto [first, count] = f.PartRange(p);
    for (size_t g = first; g < first + count && g < f.row_groups.size(); ++g) (void)f.Slice(g, p);
    groups.clear();
    f.PartGroupsWithBuckets(p, 0, 1, &groups);
    f.PartGroupsWithBuckets(p, 3, 40, &groups);
  }
  (void)(*r)->PartZoneMaps();
  return 0;
}
