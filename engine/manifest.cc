#include "engine/manifest.h"

#include <cstring>

#include "format/coding.h"

namespace wh {

std::string EncodeManifestHeader() {
  std::string h;
  ByteWriter w(&h);
  w.PutBytes(kManifestMagic, 8);
  w.PutU16(kManifestFormatVersion);
  w.PutU16(0);
  w.PutU32(0);  // incompatible features
  w.PutU64(Checksum64(h.data(), h.size()));
  return h;
}

std::string EncodeRecord(RecordType type, const std::string& payload) {
  std::string r;
  ByteWriter w(&r);
  w.PutU32(static_cast<uint32_t>(payload.size()));
  w.PutU8(static_cast<uint8_t>(type));
  w.PutBytes(payload.data(), payload.size());
  w.PutU64(Checksum64(r.data(), r.size()));
  return r;
}

void SerializeCommit(const CommitRecord& c, const std::vector<ColumnSpec>& cols, std::string* out) {
  ByteWriter w(out);
  w.PutU64(c.seq);
  w.PutI64(c.etl_micros);
  w.PutI64(c.committed_micros);
  w.PutU32(static_cast<uint32_t>(c.added.size()));
  for (const auto& s : c.added) {
    w.PutString(s.path);
    w.PutU8(s.partition ? 1 : 0);
    w.PutI32(s.partition.value_or(0));
    w.PutU64(s.rows);
    w.PutU64(s.bytes);
    w.PutU64(s.footer_checksum);
    w.PutU32(static_cast<uint32_t>(s.bucket_rows.size()));
    for (auto [b, n] : s.bucket_rows) {
      w.PutU32(b);
      w.PutU64(n);
    }
    w.PutU32(static_cast<uint32_t>(s.zones.size()));
    for (size_t i = 0; i < s.zones.size(); ++i) s.zones[i].Serialize(cols[i].type, out);
  }
  w.PutU32(static_cast<uint32_t>(c.removed.size()));
  for (const auto& p : c.removed) w.PutString(p);
  w.PutU32(static_cast<uint32_t>(c.sources.size()));
  for (const auto& s : c.sources) {
    w.PutString(s.path);
    w.PutU64(s.size);
    w.PutU64(s.content_hash);
  }
}

namespace {

Status ParseCommit(std::string_view payload, const std::vector<ColumnSpec>& cols, CommitRecord* c) {
  ByteReader r(payload);
  auto bad = [](const std::string& what) { return Status::Corruption("bad commit record: " + what); };
  c->seq = r.GetU64();
  c->etl_micros = r.GetI64();
  c->committed_micros = r.GetI64();
  uint32_t n = r.GetU32();
  if (!r.ok() || n > r.remaining()) return bad("segment count");
  c->added.resize(n);
  for (auto& s : c->added) {
    s.path = std::string(r.GetString());
    uint8_t has_part = r.GetU8();
    int32_t part = r.GetI32();
    if (has_part > 1) return bad("partition flag");
    if (has_part) s.partition = part;
    s.rows = r.GetU64();
    s.bytes = r.GetU64();
    s.footer_checksum = r.GetU64();
    uint32_t nb = r.GetU32();
    if (!r.ok() || nb > r.remaining()) return bad("bucket count");
    uint64_t total = 0;
    for (uint32_t i = 0; i < nb; ++i) {
      uint32_t b = r.GetU32();
      uint64_t rows = r.GetU64();
      if (!s.bucket_rows.empty() && s.bucket_rows.back().first >= b) return bad("bucket order");
      s.bucket_rows.emplace_back(b, rows);
      total += rows;
    }
    uint32_t nz = r.GetU32();
    if (!r.ok() || nz != cols.size()) return bad("zone map count");
    for (uint32_t i = 0; i < nz; ++i) s.zones.push_back(ZoneMap::Deserialize(cols[i].type, &r));
    if (!r.ok()) return bad("truncated segment entry");
    if (total != s.rows) return bad("bucket rows do not add up for '" + s.path + "'");
    s.commit_seq = c->seq;
  }
  uint32_t nr = r.GetU32();
  if (!r.ok() || nr > r.remaining()) return bad("removed count");
  for (uint32_t i = 0; i < nr; ++i) c->removed.emplace_back(r.GetString());
  uint32_t ns = r.GetU32();
  if (!r.ok() || ns > r.remaining()) return bad("source count");
  for (uint32_t i = 0; i < ns; ++i) {
    SourceFile f;
    f.path = std::string(r.GetString());
    f.size = r.GetU64();
    f.content_hash = r.GetU64();
    c->sources.push_back(std::move(f));
  }
  if (!r.AtEnd()) return bad("trailing bytes");
  return Status::OK();
}

}  // namespace

Status ParseManifest(std::string_view bytes, ManifestContents* out) {
  if (bytes.size() < kManifestHeaderSize || std::memcmp(bytes.data(), kManifestMagic, 8) != 0)
    return Status::Corruption("not a wh manifest (bad magic or too short)");
  ByteReader h(bytes.data(), kManifestHeaderSize);
  h.GetBytes(8);
  uint16_t version = h.GetU16();
  uint16_t reserved = h.GetU16();
  uint32_t incompat = h.GetU32();
  uint64_t sum = h.GetU64();
  if (sum != Checksum64(bytes.data(), 16)) return Status::Corruption("manifest header checksum mismatch");
  if (version == 0 || version > kManifestFormatVersion)
    return Status::NotSupported("manifest format version " + std::to_string(version) +
                                "; this build of wh reads version " +
                                std::to_string(kManifestFormatVersion));
  if (incompat != 0) return Status::NotSupported("manifest uses unknown incompatible features");
  if (reserved != 0) return Status::Corruption("manifest header reserved bytes are not zero");

  ManifestContents m;
  size_t pos = kManifestHeaderSize;
  bool have_schema = false;
  std::vector<ColumnSpec> cols;
  while (pos < bytes.size()) {
    size_t left = bytes.size() - pos;
    uint32_t len = 0;
    uint8_t type = 0;
    bool whole = left >= 13;
    if (whole) {
      std::memcpy(&len, bytes.data() + pos, 4);
      type = static_cast<uint8_t>(bytes[pos + 4]);
      whole = len <= kMaxManifestRecord && uint64_t{len} + 13 <= left;
    }
    uint64_t stored = 0;
    if (whole) {
      std::memcpy(&stored, bytes.data() + pos + 5 + len, 8);
      whole = stored == Checksum64(bytes.data() + pos, 5 + len);
    }
    if (!whole) {
      // A record that is cut short or fails its checksum is a torn append only if it is the
      // last thing in the file; anything whole after it means real damage.
      for (size_t p = pos + 1; p + 13 <= bytes.size(); ++p) {
        uint32_t l;
        std::memcpy(&l, bytes.data() + p, 4);
        if (uint64_t{l} + 13 > bytes.size() - p) continue;
        uint64_t s;
        std::memcpy(&s, bytes.data() + p + 5 + l, 8);
        if (s == Checksum64(bytes.data() + p, 5 + l))
          return Status::Corruption("manifest record at offset " + std::to_string(pos) +
                                    " is damaged and followed by a whole record at offset " +
                                    std::to_string(p));
      }
      // An append cut short by a crash ends the file early (the record does not fit) or leaves
      // a zero-filled tail (the file grew but its last page never reached the disk). A whole-
      // length record whose stored checksum is neither is a damaged commit: refuse it rather
      // than silently lose it.
      const bool fits = left >= 13 && len <= kMaxManifestRecord && uint64_t{len} + 13 <= left;
      if (!fits && left >= 13) {
        // A record that would be whole with another length is damaged, not torn: its length
        // field was hit.
        std::string probe(bytes.substr(pos, left));
        uint32_t true_len = static_cast<uint32_t>(left - 13);
        std::memcpy(probe.data(), &true_len, 4);
        uint64_t tail;
        std::memcpy(&tail, bytes.data() + bytes.size() - 8, 8);
        if (tail == Checksum64(probe.data(), 5 + true_len))
          return Status::Corruption("the last manifest record (offset " + std::to_string(pos) +
                                    ") has a damaged length field");
      }
      if (fits) {
        bool zero_tail = true;
        for (size_t k = bytes.size() - 8; k < bytes.size(); ++k) zero_tail = zero_tail && bytes[k] == 0;
        if (!zero_tail)
          return Status::Corruption("the last manifest record (offset " + std::to_string(pos) +
                                    ", " + std::to_string(len) + " bytes) fails its checksum: the commit "
                                    "it holds is damaged");
      }
      m.torn_tail = true;
      break;
    }
    std::string_view payload = bytes.substr(pos + 5, len);
    if (type == static_cast<uint8_t>(RecordType::kSchema)) {
      if (have_schema) return Status::Corruption("manifest has a second schema record");
      ByteReader r(payload);
      WH_RETURN_IF_ERROR(DeserializeSchema(&r, &m.schema));
      if (!r.AtEnd()) return Status::Corruption("bad schema record: trailing bytes");
      cols = m.schema.StorageColumns();
      have_schema = true;
    } else if (type == static_cast<uint8_t>(RecordType::kCommit)) {
      if (!have_schema) return Status::Corruption("manifest commit record before the schema");
      CommitRecord c;
      Status st = ParseCommit(payload, cols, &c);
      if (!st.ok()) return st.WithContext("manifest record at offset " + std::to_string(pos));
      uint64_t expect = m.commits.empty() ? 1 : m.commits.back().seq + 1;
      if (c.seq != expect)
        return Status::Corruption("manifest commit sequence " + std::to_string(c.seq) +
                                  " where " + std::to_string(expect) + " was expected");
      m.commits.push_back(std::move(c));
    } else {
      return Status::NotSupported("manifest record type " + std::to_string(type) +
                                  " at offset " + std::to_string(pos) + " is unknown to this build");
    }
    pos += 13 + len;
    m.valid_length = pos;
  }
  if (!have_schema) return Status::Corruption("manifest has no schema record");
  m.length = bytes.size();
  *out = std::move(m);
  return Status::OK();
}

Result<ManifestContents> ReadManifest(FileSystem* fs, const std::string& path) {
  WH_ASSIGN_OR_RETURN(std::string bytes, fs->ReadFile(path));
  ManifestContents m;
  Status st = ParseManifest(bytes, &m);
  if (!st.ok()) return st.WithContext(path);
  return m;
}

namespace {
constexpr char kHeadMagic[8] = {'W', 'H', 'H', 'E', 'A', 'D', '\r', '\n'};
constexpr size_t kHeadSize = 40;
}  // namespace

std::string EncodeHead(uint64_t last_seq, uint64_t manifest_length) {
  std::string out;
  ByteWriter w(&out);
  w.PutBytes(kHeadMagic, 8);
  w.PutU16(1);
  w.PutU16(0);
  w.PutU32(0);
  w.PutU64(last_seq);
  w.PutU64(manifest_length);
  w.PutU64(Checksum64(out.data(), out.size()));
  return out;
}

Result<Head> ReadHead(FileSystem* fs, const std::string& dir) {
  const std::string path = JoinPath(dir, kHeadFile);
  Head h;
  if (!fs->FileExists(path)) return h;
  WH_ASSIGN_OR_RETURN(std::string bytes, fs->ReadFile(path));
  if (bytes.size() != kHeadSize || bytes.compare(0, 8, std::string(kHeadMagic, 8)) != 0)
    return Status::Corruption(path + ": not a valid head file (" + std::to_string(bytes.size()) + " bytes)");
  ByteReader r(bytes);
  r.GetBytes(8);
  uint16_t version = r.GetU16();
  r.GetU16();
  r.GetU32();
  h.last_seq = r.GetU64();
  h.manifest_length = r.GetU64();
  uint64_t sum = r.GetU64();
  if (sum != Checksum64(bytes.data(), 32)) return Status::Corruption(path + ": checksum mismatch");
  if (version > 1) return Status::NotSupported(path + ": version " + std::to_string(version) + " is newer than this wh");
  return h;
}

Status CheckHead(const Head& head, const std::string& dir, const ManifestContents& m) {
  uint64_t have = m.commits.empty() ? 0 : m.commits.back().seq;
  if (head.last_seq > have || head.manifest_length > m.valid_length)
    return Status::Corruption(JoinPath(dir, "_manifest") + " has lost committed records: " + kHeadFile +
                              " says commit " + std::to_string(head.last_seq) + " (" +
                              std::to_string(head.manifest_length) + " bytes), the manifest holds " +
                              std::to_string(have) + " (" + std::to_string(m.valid_length) + " valid bytes)");
  return Status::OK();
}

bool HeadConfirms(const Head& head, const ManifestContents& m) {
  const uint64_t last_seq = m.commits.empty() ? 0 : m.commits.back().seq;
  return head.last_seq == last_seq && head.manifest_length == m.valid_length;
}

}  // namespace wh
