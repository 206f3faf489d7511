// The view catalog `_views`: every view's name and SQL text in one small checksummed file,
// replaced atomically (write a temporary file, fsync, rename, fsync the directory) under the
// warehouse's DDL lock. SPEC.md "View catalog" documents the bytes.
#include "engine/engine.h"
#include "format/coding.h"

#include <cstring>
#include <map>

namespace wh {

namespace {

constexpr const char* kViewsFile = "_views";
constexpr const char* kLockFile = "_lock";
constexpr char kViewsMagic[8] = {'W', 'H', 'V', 'I', 'E', 'W', 'S', '\x1a'};
constexpr uint16_t kViewsVersion = 1;

std::string EncodeViews(const std::map<std::string, std::string>& views) {
  std::string out;
  ByteWriter w(&out);
  w.PutBytes(kViewsMagic, 8);
  w.PutU16(kViewsVersion);
  w.PutU16(0);
  w.PutU32(0);
  w.PutU64(Checksum64(out.data(), 16));
  size_t body = out.size();
  w.PutU32(static_cast<uint32_t>(views.size()));
  for (const auto& [name, sql] : views) {
    w.PutString(name);
    w.PutString(sql);
  }
  w.PutU64(Checksum64(out.data() + body, out.size() - body));
  return out;
}

Result<std::map<std::string, std::string>> DecodeViews(const std::string& bytes, const std::string& path) {
  auto bad = [&](const std::string& why) { return Status::Corruption(path + ": " + why); };
  if (bytes.size() < 24 + 4 + 8) return bad("file is too short to be a view catalog");
  if (bytes.compare(0, 8, std::string(kViewsMagic, 8)) != 0) return bad("bad magic");
  ByteReader h(bytes.data(), 24);
  h.GetBytes(8);
  uint16_t version = h.GetU16();
  h.GetU16();
  uint32_t incompat = h.GetU32();
  uint64_t sum = h.GetU64();
  if (sum != Checksum64(bytes.data(), 16)) return bad("header checksum mismatch");
  if (version > kViewsVersion)
    return Status::NotSupported(path + ": view catalog version " + std::to_string(version) +
                                " is newer than this wh supports (" + std::to_string(kViewsVersion) + ")");
  if (incompat) return Status::NotSupported(path + ": unknown incompatible feature bits");
  uint64_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
  if (stored != Checksum64(bytes.data() + 24, bytes.size() - 24 - 8))
    return bad("checksum mismatch: expected " + std::to_string(stored) + ", computed " +
               std::to_string(Checksum64(bytes.data() + 24, bytes.size() - 24 - 8)));
  ByteReader r(bytes.data() + 24, bytes.size() - 24 - 8);
  uint32_t n = r.GetU32();
  std::map<std::string, std::string> out;
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    std::string name(r.GetString());
    std::string sql(r.GetString());
    if (!r.ok()) break;
    out[name] = sql;
  }
  if (!r.AtEnd()) return bad("malformed view list");
  return out;
}

}  // namespace

Result<std::map<std::string, std::string>> Warehouse::ListViews() {
  std::string path = JoinPath(root_, kViewsFile);
  if (!fs_->FileExists(path)) return std::map<std::string, std::string>{};
  WH_ASSIGN_OR_RETURN(std::string bytes, fs_->ReadFile(path));
  return DecodeViews(bytes, path);
}

Result<std::optional<std::string>> Warehouse::GetView(const std::string& name) {
  WH_ASSIGN_OR_RETURN(auto views, ListViews());
  auto it = views.find(ToLower(name));
  if (it == views.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status Warehouse::CreateView(const std::string& name, const std::string& sql, bool or_replace,
                             bool if_not_exists) {
  WH_RETURN_IF_ERROR(ValidateIdentifier(name, "view"));
  const std::string lower = ToLower(name);
  WH_ASSIGN_OR_RETURN(auto lock, fs_->LockFile(JoinPath(root_, kLockFile)));
  if (TableExists(lower)) return Status::AlreadyExists("'" + lower + "' is a table; a view needs another name");
  WH_ASSIGN_OR_RETURN(auto views, ListViews());
  if (views.count(lower)) {
    if (if_not_exists) return Status::OK();
    if (!or_replace) return Status::AlreadyExists("view '" + lower + "' already exists (use CREATE OR REPLACE VIEW)");
  }
  views[lower] = sql;
  WH_RETURN_IF_ERROR(fs_->WriteFileAtomic(JoinPath(root_, kViewsFile), EncodeViews(views)));
  return fs_->SyncDir(root_);
}

Status Warehouse::DropView(const std::string& name, bool if_exists) {
  WH_RETURN_IF_ERROR(ValidateIdentifier(name, "view"));
  const std::string lower = ToLower(name);
  WH_ASSIGN_OR_RETURN(auto lock, fs_->LockFile(JoinPath(root_, kLockFile)));
  WH_ASSIGN_OR_RETURN(auto views, ListViews());
  if (!views.erase(lower)) {
    if (if_exists) return Status::OK();
    return Status::NotFound("view '" + lower + "' does not exist");
  }
  WH_RETURN_IF_ERROR(fs_->WriteFileAtomic(JoinPath(root_, kViewsFile), EncodeViews(views)));
  return fs_->SyncDir(root_);
}

}  // namespace wh
