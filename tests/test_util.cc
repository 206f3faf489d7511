#include "tests/test_util.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

namespace wh::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/wh_test_XXXXXX";
  char* p = mkdtemp(tmpl.data());
  if (!p) std::abort();
  path_ = p;
}

TempDir::~TempDir() { (void)DefaultFileSystem()->RemoveTree(path_); }

namespace {
class FaultyWritable : public WritableFile {
 public:
  FaultyWritable(FaultInjectionFileSystem* fs, std::unique_ptr<WritableFile> f, std::string path)
      : fs_(fs), f_(std::move(f)), path_(std::move(path)) {}
  Status Append(std::string_view d) override {
    WH_RETURN_IF_ERROR(fs_->Tick("write", path_));
    return f_->Append(d);
  }
  Status Sync() override {
    WH_RETURN_IF_ERROR(fs_->Tick("fsync", path_));
    return f_->Sync();
  }
  Status Close() override {
    Status t = fs_->Tick("close", path_);
    Status c = f_->Close();
    return t.ok() ? c : t;
  }
  uint64_t Size() const override { return f_->Size(); }

 private:
  FaultInjectionFileSystem* fs_;
  std::unique_ptr<WritableFile> f_;
  std::string path_;
};
}  // namespace

Status FaultInjectionFileSystem::Tick(const char* what, const std::string& path) {
  ++calls_;
  if (failed_ || (fail_at_ > 0 && calls_ == fail_at_)) {
    failed_ = true;
    return Status::IOError(std::string("injected fault: ") + what + " '" + path + "'");
  }
  return Status::OK();
}

Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::NewWritableFile(const std::string& p) {
  WH_RETURN_IF_ERROR(Tick("create", p));
  WH_ASSIGN_OR_RETURN(auto f, base_->NewWritableFile(p));
  return std::unique_ptr<WritableFile>(new FaultyWritable(this, std::move(f), p));
}
Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::NewAppendableFile(const std::string& p) {
  WH_RETURN_IF_ERROR(Tick("open for append", p));
  WH_ASSIGN_OR_RETURN(auto f, base_->NewAppendableFile(p));
  return std::unique_ptr<WritableFile>(new FaultyWritable(this, std::move(f), p));
}
Status FaultInjectionFileSystem::Rename(const std::string& from, const std::string& to) {
  WH_RETURN_IF_ERROR(Tick("rename", from));
  return base_->Rename(from, to);
}
Status FaultInjectionFileSystem::RemoveFile(const std::string& p) {
  WH_RETURN_IF_ERROR(Tick("remove", p));
  return base_->RemoveFile(p);
}
Status FaultInjectionFileSystem::CreateDir(const std::string& p) {
  WH_RETURN_IF_ERROR(Tick("mkdir", p));
  return base_->CreateDir(p);
}
Status FaultInjectionFileSystem::RemoveDir(const std::string& p) {
  WH_RETURN_IF_ERROR(Tick("rmdir", p));
  return base_->RemoveDir(p);
}
Status FaultInjectionFileSystem::SyncDir(const std::string& p) {
  WH_RETURN_IF_ERROR(Tick("fsync dir", p));
  return base_->SyncDir(p);
}
Status FaultInjectionFileSystem::Truncate(const std::string& p, uint64_t n) {
  WH_RETURN_IF_ERROR(Tick("truncate", p));
  return base_->Truncate(p, n);
}
Result<std::unique_ptr<FileLock>> FaultInjectionFileSystem::LockFile(const std::string& p) {
  WH_RETURN_IF_ERROR(Tick("lock", p));
  return base_->LockFile(p);
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << "cannot read " << path;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary);
  f << data;
}

std::string TestData(const std::string& rel) { return std::string(WH_SOURCE_DIR) + "/tests/data/" + rel; }

}  // namespace wh::testing
