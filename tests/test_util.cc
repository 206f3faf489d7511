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
    WH_RETURN_IF_ERROR(f_->Sync());
    fs_->NoteSynced(path_, f_->Size());
    return Status::OK();
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
  std::lock_guard<std::mutex> l(mu_);
  ++calls_;
  if (failed_ || (fail_at_ > 0 && calls_ == fail_at_)) {
    failed_ = true;
    return Status::IOError(std::string("injected fault: ") + what + " '" + path + "'");
  }
  return Status::OK();
}

std::string ParentDir(const std::string& p) {
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? std::string(".") : p.substr(0, slash);
}

void FaultInjectionFileSystem::SimulateCrash() {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& [path, size] : synced_) {
    auto now = base_->FileSize(path);
    if (now.ok() && *now > size) (void)base_->Truncate(path, size);
  }
  for (auto it = ops_.rbegin(); it != ops_.rend(); ++it) {
    switch (it->kind) {
      case DirOp::kCreate: (void)base_->RemoveFile(it->path); break;
      case DirOp::kMkdir: (void)base_->RemoveTree(it->path); break;
      case DirOp::kRename:
        if (base_->FileExists(it->to)) (void)base_->Rename(it->to, it->path);
        if (it->replaced) (void)base_->WriteFileAtomic(it->to, *it->replaced);
        break;
    }
  }
  synced_.clear();
  ops_.clear();
}

Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::NewWritableFile(const std::string& p) {
  WH_RETURN_IF_ERROR(Tick("create", p));
  WH_ASSIGN_OR_RETURN(auto f, base_->NewWritableFile(p));
  std::lock_guard<std::mutex> l(mu_);
  synced_[p] = 0;
  Log({DirOp::kCreate, ParentDir(p), p, "", std::nullopt});
  return std::unique_ptr<WritableFile>(new FaultyWritable(this, std::move(f), p));
}
Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::NewAppendableFile(const std::string& p) {
  WH_RETURN_IF_ERROR(Tick("open for append", p));
  WH_ASSIGN_OR_RETURN(auto f, base_->NewAppendableFile(p));
  std::lock_guard<std::mutex> l(mu_);
  if (!synced_.count(p)) synced_[p] = f->Size();  // what is there already is durable
  return std::unique_ptr<WritableFile>(new FaultyWritable(this, std::move(f), p));
}
Status FaultInjectionFileSystem::Rename(const std::string& from, const std::string& to) {
  WH_RETURN_IF_ERROR(Tick("rename", from));
  std::optional<std::string> replaced;
  if (base_->FileExists(to) && !base_->IsDirectory(to)) {
    auto bytes = base_->ReadFile(to);
    if (bytes.ok()) replaced = std::move(bytes).value();
  }
  WH_RETURN_IF_ERROR(base_->Rename(from, to));
  std::lock_guard<std::mutex> l(mu_);
  if (synced_.count(from)) {
    synced_[to] = synced_[from];
    synced_.erase(from);
  }
  Log({DirOp::kRename, ParentDir(to), from, to, std::move(replaced)});
  return Status::OK();
}
Status FaultInjectionFileSystem::RemoveFile(const std::string& p) {
  WH_RETURN_IF_ERROR(Tick("remove", p));
  {
    std::lock_guard<std::mutex> l(mu_);
    synced_.erase(p);
  }
  return base_->RemoveFile(p);
}
Status FaultInjectionFileSystem::CreateDir(const std::string& p) {
  WH_RETURN_IF_ERROR(Tick("mkdir", p));
  WH_RETURN_IF_ERROR(base_->CreateDir(p));
  std::lock_guard<std::mutex> l(mu_);
  Log({DirOp::kMkdir, ParentDir(p), p, "", std::nullopt});
  return Status::OK();
}
Status FaultInjectionFileSystem::RemoveDir(const std::string& p) {
  WH_RETURN_IF_ERROR(Tick("rmdir", p));
  return base_->RemoveDir(p);
}
Status FaultInjectionFileSystem::SyncDir(const std::string& p) {
  WH_RETURN_IF_ERROR(Tick("fsync dir", p));
  WH_RETURN_IF_ERROR(base_->SyncDir(p));
  std::lock_guard<std::mutex> l(mu_);
  // Creations and renames in this directory are durable now.
  std::vector<DirOp> kept;
  for (auto& op : ops_)
    if (op.dir != p) kept.push_back(std::move(op));
  ops_ = std::move(kept);
  return Status::OK();
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

int ManifestRecordType(const std::string& manifest, size_t at) {
  if (at + 5 > manifest.size()) return -1;
  const int type = static_cast<uint8_t>(manifest[at + 4]);
  if (type != 8) return type;
  return at + 6 <= manifest.size() ? static_cast<uint8_t>(manifest[at + 5]) : -1;
}

void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary);
  f << data;
}

std::string TestData(const std::string& rel) { return std::string(WH_SOURCE_DIR) + "/tests/data/" + rel; }

}  // namespace wh::testing
