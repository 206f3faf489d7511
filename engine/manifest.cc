#include "engine/manifest.h"

#include <zstd.h>

#include <cstring>
#include <set>

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
  std::string packed;
  if (type != RecordType::kSchema && type != RecordType::kCompressed && payload.size() >= kCompressRecordBytes) {
    // u8 the record's own type, then its payload as one zstd frame (holding its size).
    packed.resize(1 + ZSTD_compressBound(payload.size()));
    packed[0] = static_cast<char>(type);
    const size_t n = ZSTD_compress(packed.data() + 1, packed.size() - 1, payload.data(), payload.size(), 3);
    if (!ZSTD_isError(n) && 1 + n < payload.size()) {
      packed.resize(1 + n);
      type = RecordType::kCompressed;
    } else {
      packed.clear();
    }
  }
  const std::string& body = type == RecordType::kCompressed ? packed : payload;
  std::string r;
  ByteWriter w(&r);
  w.PutU32(static_cast<uint32_t>(body.size()));
  w.PutU8(static_cast<uint8_t>(type));
  w.PutBytes(body.data(), body.size());
  w.PutU64(Checksum64(r.data(), r.size()));
  return r;
}

namespace {
// u32 count, then per source: string path, u64 bytes, u64 XXH64 (commit records, checkpoints).
void SerializeSources(const std::vector<SourceFile>& sources, ByteWriter* w) {
  w->PutU32(static_cast<uint32_t>(sources.size()));
  for (const auto& s : sources) {
    w->PutString(s.path);
    w->PutU64(s.size);
    w->PutU64(s.content_hash);
  }
}

bool ParseSources(ByteReader* r, std::vector<SourceFile>* out) {
  uint32_t n = r->GetU32();
  if (!r->ok() || n > r->remaining()) return false;
  for (uint32_t i = 0; i < n; ++i) {
    SourceFile f;
    f.path = std::string(r->GetString());
    f.size = r->GetU64();
    f.content_hash = r->GetU64();
    out->push_back(std::move(f));
  }
  return r->ok();
}
}  // namespace

void SerializeSegmentEntry(const SegmentEntry& s, const std::vector<ColumnSpec>& cols, std::string* out) {
  ByteWriter w(out);
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

void SerializeFileList(const std::vector<SegmentEntry>& entries, const std::vector<ColumnSpec>& cols,
                       bool with_commit, std::string* out) {
  ByteWriter w(out);
  std::vector<size_t> starts;  // the first entry of each file
  for (size_t i = 0; i < entries.size(); ++i)
    if (i == 0 || entries[i].path != entries[i - 1].path) starts.push_back(i);
  starts.push_back(entries.size());
  w.PutU32(static_cast<uint32_t>(starts.size() - 1));
  for (size_t f = 0; f + 1 < starts.size(); ++f) {
    const SegmentEntry& first = entries[starts[f]];
    if (with_commit) w.PutU64(first.commit_seq);
    w.PutString(first.path);
    w.PutU64(first.bytes);
    w.PutU64(first.footer_checksum);
    w.PutVarint(starts[f + 1] - starts[f]);
    for (size_t i = starts[f]; i < starts[f + 1]; ++i) {
      const SegmentEntry& s = entries[i];
      w.PutU8(s.partition ? 1 : 0);
      w.PutI32(s.partition.value_or(0));
      w.PutVarint(s.rows);
      w.PutVarint(s.bucket_rows.size());
      uint64_t next = 0;  // the least bucket the next pair may name
      for (auto [b, n] : s.bucket_rows) {
        w.PutVarint(b - next);
        w.PutVarint(n);
        next = uint64_t{b} + 1;
      }
      for (size_t c = 0; c < s.zones.size(); ++c) s.zones[c].Serialize(cols[c].type, out);
    }
  }
}

void SerializeCommit(const CommitRecord& c, const std::vector<ColumnSpec>& cols, std::string* out) {
  ByteWriter w(out);
  w.PutU64(c.seq);
  w.PutI64(c.etl_micros);
  w.PutI64(c.committed_micros);
  SerializeFileList(c.added, cols, false, out);
  w.PutU32(static_cast<uint32_t>(c.removed.size()));
  for (const auto& p : c.removed) w.PutString(p);
  SerializeSources(c.sources, &w);
  if (c.kind == CommitRecord::Kind::kOverwrite) {
    w.PutU32(static_cast<uint32_t>(c.replaced.size()));
    for (const auto& p : c.replaced) {
      w.PutU8(p ? 1 : 0);
      w.PutI32(p.value_or(0));
    }
  }
}

namespace {

Status ParseSegmentEntry(ByteReader* in, const std::vector<ColumnSpec>& cols, SegmentEntry* s) {
  ByteReader& r = *in;
  auto bad = [](const std::string& what) { return Status::Corruption("bad segment entry: " + what); };
  s->path = std::string(r.GetString());
  uint8_t has_part = r.GetU8();
  int32_t part = r.GetI32();
  if (has_part > 1) return bad("partition flag");
  if (has_part) s->partition = part;
  s->rows = r.GetU64();
  s->bytes = r.GetU64();
  s->footer_checksum = r.GetU64();
  uint32_t nb = r.GetU32();
  if (!r.ok() || nb > r.remaining()) return bad("bucket count");
  uint64_t total = 0;
  for (uint32_t i = 0; i < nb; ++i) {
    uint32_t b = r.GetU32();
    uint64_t rows = r.GetU64();
    if (!s->bucket_rows.empty() && s->bucket_rows.back().first >= b) return bad("bucket order");
    s->bucket_rows.emplace_back(b, rows);
    total += rows;
  }
  uint32_t nz = r.GetU32();
  if (!r.ok() || nz != cols.size()) return bad("zone map count");
  for (uint32_t i = 0; i < nz; ++i) s->zones.push_back(ZoneMap::Deserialize(cols[i].type, &r));
  if (!r.ok()) return bad("truncated");
  if (total != s->rows) return bad("bucket rows do not add up for '" + s->path + "'");
  return Status::OK();
}

// A file list (SerializeFileList) appended to *out. with_commit: each file's commit is read
// (and must be at most max_commit); otherwise every entry's commit is max_commit.
Status ParseFileList(ByteReader* in, const std::vector<ColumnSpec>& cols, bool with_commit, uint64_t max_commit,
                     std::vector<SegmentEntry>* out) {
  ByteReader& r = *in;
  auto bad = [](const std::string& what) { return Status::Corruption("bad file list: " + what); };
  const uint32_t files = r.GetU32();
  if (!r.ok() || files > r.remaining()) return bad("file count");
  std::set<std::string_view> paths;
  for (uint32_t f = 0; f < files; ++f) {
    SegmentEntry file;
    file.commit_seq = with_commit ? r.GetU64() : max_commit;
    if (file.commit_seq == 0 || file.commit_seq > max_commit) return bad("file commit");
    const std::string_view path = r.GetString();
    file.path = std::string(path);
    file.bytes = r.GetU64();
    file.footer_checksum = r.GetU64();
    const uint64_t parts = r.GetVarint();
    if (!r.ok() || parts == 0 || parts > r.remaining()) return bad("part count of '" + file.path + "'");
    if (!paths.insert(path).second) return bad("'" + file.path + "' listed twice");
    for (uint64_t p = 0; p < parts; ++p) {
      SegmentEntry s;
      s.commit_seq = file.commit_seq;
      s.path = file.path;
      s.bytes = file.bytes;
      s.footer_checksum = file.footer_checksum;
      const uint8_t has_part = r.GetU8();
      const int32_t day = r.GetI32();
      if (has_part > 1 || (!has_part && day != 0)) return bad("partition of '" + file.path + "'");
      if (has_part) s.partition = day;
      if (p > 0 && !(out->back().partition < s.partition)) return bad("parts of '" + file.path + "' out of order");
      s.rows = r.GetVarint();
      const uint64_t nb = r.GetVarint();
      if (!r.ok() || nb > r.remaining()) return bad("bucket count of '" + file.path + "'");
      uint64_t next = 0, total = 0;
      s.bucket_rows.reserve(nb);
      for (uint64_t i = 0; i < nb; ++i) {
        const uint64_t gap = r.GetVarint();
        const uint64_t rows = r.GetVarint();
        if (gap > UINT32_MAX || next + gap > UINT32_MAX || rows == 0) return bad("bucket rows of '" + file.path + "'");
        const uint64_t b = next + gap;
        s.bucket_rows.emplace_back(static_cast<uint32_t>(b), rows);
        total += rows;
        next = b + 1;
      }
      s.zones.reserve(cols.size());
      for (const auto& c : cols) s.zones.push_back(ZoneMap::Deserialize(c.type, &r));
      if (!r.ok()) return bad("truncated");
      if (total != s.rows || s.rows == 0) return bad("bucket rows do not add up for '" + s.path + "'");
      out->push_back(std::move(s));
    }
  }
  return Status::OK();
}

Status ParseCommit(std::string_view payload, const std::vector<ColumnSpec>& cols, RecordType type, CommitRecord* c) {
  const bool file_list = type != RecordType::kCommit;
  ByteReader r(payload);
  auto bad = [](const std::string& what) { return Status::Corruption("bad commit record: " + what); };
  c->seq = r.GetU64();
  c->etl_micros = r.GetI64();
  c->committed_micros = r.GetI64();
  if (!r.ok()) return bad("truncated");
  if (file_list) {
    if (c->seq == 0) return bad("sequence number 0");
    WH_RETURN_IF_ERROR(ParseFileList(&r, cols, false, c->seq, &c->added));
  } else {
    uint32_t n = r.GetU32();
    if (!r.ok() || n > r.remaining()) return bad("segment count");
    c->added.resize(n);
    for (auto& s : c->added) {
      WH_RETURN_IF_ERROR(ParseSegmentEntry(&r, cols, &s));
      s.commit_seq = c->seq;
    }
  }
  uint32_t nr = r.GetU32();
  if (!r.ok() || nr > r.remaining()) return bad("removed count");
  for (uint32_t i = 0; i < nr; ++i) c->removed.emplace_back(r.GetString());
  if (!ParseSources(&r, &c->sources)) return bad("sources");
  c->kind = FileCommitKind(*c);
  if (type == RecordType::kOverwrite) {
    c->kind = CommitRecord::Kind::kOverwrite;
    uint32_t n = r.GetU32();
    if (!r.ok() || n == 0 || n > r.remaining()) return bad("replaced partition count");
    for (uint32_t i = 0; i < n; ++i) {
      const uint8_t has = r.GetU8();
      const int32_t day = r.GetI32();
      if (!r.ok() || has > 1 || (!has && day != 0)) return bad("replaced partition");
      std::optional<int32_t> p;
      if (has) p = day;
      if (!c->replaced.empty() && !(c->replaced.back() < p)) return bad("replaced partitions out of order");
      c->replaced.push_back(p);
    }
  }
  if (!r.AtEnd()) return bad("trailing bytes");
  return Status::OK();
}

}  // namespace

CommitRecord::Kind FileCommitKind(const CommitRecord& c) {
  return !c.removed.empty() ? CommitRecord::Kind::kCompaction
         : !c.added.empty() ? CommitRecord::Kind::kIngest : CommitRecord::Kind::kUnknown;
}

void SerializeSchemaChange(const CommitRecord& c, const TableSchema& schema, std::string* out) {
  ByteWriter w(out);
  w.PutU64(c.seq);
  w.PutI64(c.etl_micros);
  w.PutI64(c.committed_micros);
  SerializeSchema(schema, out);
}

Status CheckSchemaChange(const TableSchema& from, const TableSchema& to) {
  auto bad = [](const std::string& what) { return Status::InvalidArgument(what); };
  if (from.name != to.name) return bad("the table's name changes");
  if (from.partition_column != to.partition_column || from.partition_sql != to.partition_sql)
    return bad("the table's partitioning changes");
  if (from.bucket_column != to.bucket_column || from.bucket_count != to.bucket_count)
    return bad("the table's bucketing changes");
  if (to.columns.size() < from.columns.size()) return bad("columns are dropped");
  {
    // Everything but the columns the same bytes (the partition expression too).
    TableSchema same = from;
    same.columns = to.columns;
    std::string x, y;
    SerializeSchema(same, &x);
    SerializeSchema(to, &y);
    if (x != y) return bad("the table's partition expression changes");
  }
  // Columns the partition expression or the bucket key read keep their type: rows are placed by
  // their values as the old type hashes and converts them.
  const std::vector<bool> placing = from.PlacingColumns();
  for (size_t c = 0; c < from.columns.size(); ++c) {
    const ColumnDef& a = from.columns[c];
    const ColumnDef& b = to.columns[c];
    if (a.name != b.name) return bad("column " + std::to_string(c + 1) + " '" + a.name + "' is renamed or moved");
    if (a.not_null != b.not_null) return bad("column '" + a.name + "' changes NOT NULL");
    if (a.type == b.type) continue;
    if (placing[c])
      return bad("column '" + a.name + "' places rows in their " +
                 (static_cast<int>(c) == from.bucket_column_index() ? std::string("buckets") : std::string("partitions")) +
                 ", so its type cannot change");
    if (!CanWiden(a.type, b.type))
      return bad("column '" + a.name + "' is " + a.type.ToString() + ", which does not widen to " + b.type.ToString() +
                 " (every value must stay exactly the same: INT to BIGINT or DOUBLE, INT or BIGINT to a DECIMAL with "
                 "room for its digits, a DECIMAL to one with at least its scale and integer digits, DATE to TIMESTAMP)");
  }
  for (size_t c = from.columns.size(); c < to.columns.size(); ++c)
    if (to.columns[c].not_null)
      return bad("column '" + to.columns[c].name + "' is added NOT NULL, but the rows already stored have no value for it");
  return to.Validate();
}

void ConformEntry(const std::vector<ColumnSpec>& from, const std::vector<ColumnSpec>& to, SegmentEntry* e) {
  std::vector<ZoneMap> zones(to.size());
  for (size_t c = 0; c < to.size(); ++c) {
    size_t f = 0;
    while (f < from.size() && ToLower(from[f].name) != ToLower(to[c].name)) ++f;
    if (f < from.size() && f < e->zones.size()) {
      zones[c] = WidenZone(e->zones[f], from[f].type, to[c].type);
    } else {
      zones[c].null_count = e->rows;
    }
  }
  e->zones = std::move(zones);
}

namespace {
// The table state of a base record (and, but for its live list, of a checkpoint): commits
// (without their lists), the live files, the retired ones.
// with_kinds: each commit's kind after its sources (a kBaseWithKinds record).
void SerializeState(const Checkpoint& c, bool with_kinds, std::string* out) {
  ByteWriter w(out);
  w.PutU32(static_cast<uint32_t>(c.commits.size()));
  for (const auto& cm : c.commits) {
    w.PutU64(cm.seq);
    w.PutI64(cm.etl_micros);
    w.PutI64(cm.committed_micros);
    SerializeSources(cm.sources, &w);
    if (with_kinds) w.PutU8(static_cast<uint8_t>(cm.kind));
  }
  SerializeFileList(c.live, c.schema.StorageColumns(), true, out);
  w.PutU32(static_cast<uint32_t>(c.retired.size()));
  for (const auto& r : c.retired) w.PutString(r);
}

// Reads what SerializeState wrote into c (whose seq and schema are set); version 1: with the
// live list of a checkpoint (a segment entry each) instead of a file list; version 3: with each
// commit's kind (a kBaseWithKinds record).
Status ParseState(ByteReader* in, int version, Checkpoint* c) {
  ByteReader& r = *in;
  auto bad = [](const std::string& what) { return Status::Corruption("bad table state: " + what); };
  uint32_t n = r.GetU32();
  if (!r.ok() || n > r.remaining()) return bad("commit count");
  for (uint32_t i = 0; i < n; ++i) {
    CommitRecord cm;
    cm.seq = r.GetU64();
    cm.etl_micros = r.GetI64();
    cm.committed_micros = r.GetI64();
    if (cm.seq != i + 1) return bad("commit sequence");
    if (!ParseSources(&r, &cm.sources)) return bad("sources");
    if (version >= 3) {
      const uint8_t kind = r.GetU8();
      if (!r.ok() || kind > static_cast<uint8_t>(CommitRecord::Kind::kOverwrite)) return bad("commit kind");
      cm.kind = static_cast<CommitRecord::Kind>(kind);
    }
    c->commits.push_back(std::move(cm));
  }
  if (n != c->seq) return bad("commit count differs from its sequence number");
  const auto cols = c->schema.StorageColumns();
  if (version >= 2) {
    WH_RETURN_IF_ERROR(ParseFileList(&r, cols, true, c->seq, &c->live));
  } else {
    n = r.GetU32();
    if (!r.ok() || n > r.remaining()) return bad("segment count");
    c->live.resize(n);
    for (auto& seg : c->live) {
      seg.commit_seq = r.GetU64();
      WH_RETURN_IF_ERROR(ParseSegmentEntry(&r, cols, &seg));
      if (seg.commit_seq == 0 || seg.commit_seq > c->seq) return bad("segment commit");
    }
  }
  n = r.GetU32();
  if (!r.ok() || n > r.remaining()) return bad("retired count");
  for (uint32_t i = 0; i < n; ++i) c->retired.emplace_back(r.GetString());
  if (!r.AtEnd()) return bad("trailing bytes");
  return Status::OK();
}
}  // namespace

namespace {
// Parses the records in `bytes`, the manifest from offset `base` to its end, into `m` (which
// holds the state before `base`: the schema, if read, and the commits).
Status ParseRecords(std::string_view bytes, uint64_t base, ManifestContents& m) {
  m.valid_length = base;
  size_t pos = 0;
  bool have_schema = m.has_schema;
  std::vector<ColumnSpec> cols;
  if (have_schema) cols = m.schema.StorageColumns();
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
          return Status::Corruption("manifest record at offset " + std::to_string(base + pos) +
                                    " is damaged and followed by a whole record at offset " +
                                    std::to_string(base + p));
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
          return Status::Corruption("the last manifest record (offset " + std::to_string(base + pos) +
                                    ") has a damaged length field");
      }
      if (fits) {
        bool zero_tail = true;
        for (size_t k = bytes.size() - 8; k < bytes.size(); ++k) zero_tail = zero_tail && bytes[k] == 0;
        if (!zero_tail)
          return Status::Corruption("the last manifest record (offset " + std::to_string(base + pos) +
                                    ", " + std::to_string(len) + " bytes) fails its checksum: the commit "
                                    "it holds is damaged");
      }
      m.torn_tail = true;
      break;
    }
    std::string_view payload = bytes.substr(pos + 5, len);
    std::string unpacked;
    if (type == static_cast<uint8_t>(RecordType::kCompressed)) {
      // u8 the record's type (2 to 7), then its payload as one zstd frame that records its size.
      const std::string at = "manifest record at offset " + std::to_string(base + pos) + " (compressed): ";
      if (payload.empty()) return Status::Corruption(at + "no type");
      type = static_cast<uint8_t>(payload[0]);
      if (type < static_cast<uint8_t>(RecordType::kCommit) || type > static_cast<uint8_t>(RecordType::kBaseWithKinds))
        return Status::Corruption(at + "it holds a record of type " + std::to_string(type));
      const std::string_view frame = payload.substr(1);
      const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
      if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxManifestRecord ||
          ZSTD_findFrameCompressedSize(frame.data(), frame.size()) != frame.size())
        return Status::Corruption(at + "not one zstd frame of a known size up to 256 MiB");
      unpacked.resize(size);
      const size_t n = ZSTD_decompress(unpacked.data(), unpacked.size(), frame.data(), frame.size());
      if (ZSTD_isError(n) || n != size) return Status::Corruption(at + "its zstd frame does not decode");
      payload = unpacked;
    }
    if (type == static_cast<uint8_t>(RecordType::kSchema)) {
      if (have_schema) return Status::Corruption("manifest has a second schema record");
      ByteReader r(payload);
      WH_RETURN_IF_ERROR(DeserializeSchema(&r, &m.schema));
      if (!r.AtEnd()) return Status::Corruption("bad schema record: trailing bytes");
      cols = m.schema.StorageColumns();
      have_schema = true;
    } else if (type == static_cast<uint8_t>(RecordType::kBase) || type == static_cast<uint8_t>(RecordType::kBaseWithKinds)) {
      // The state as of a commit, right after the schema of a rewritten manifest.
      if (!have_schema || !m.commits.empty() || m.has_base)
        return Status::Corruption("manifest base record at offset " + std::to_string(base + pos) +
                                  " does not follow the schema record");
      Checkpoint state;
      state.schema = m.schema;
      ByteReader r(payload);
      state.seq = r.GetU64();
      if (!r.ok() || state.seq == 0) return Status::Corruption("bad manifest base record: sequence number");
      Status st = ParseState(&r, type == static_cast<uint8_t>(RecordType::kBase) ? 2 : 3, &state);
      if (!st.ok()) return st.WithContext("manifest base record at offset " + std::to_string(base + pos));
      m.commits = std::move(state.commits);
      m.base_segments = std::move(state.live);
      m.base_retired = std::move(state.retired);
      m.base_retired_seq = state.seq;
      m.has_base = true;
      m.checkpoint_offset = base + pos + 13 + len;
      m.checkpoint_bytes = 13 + len;
      m.commit_ends.assign(m.commits.size(), 0);  // their records are gone
    } else if (type == static_cast<uint8_t>(RecordType::kSchemaChange)) {
      // ALTER TABLE: a commit of no files after which the table has this schema. The entries
      // read so far are made entries by its columns, as the commits after it write them.
      if (!have_schema) return Status::Corruption("manifest schema change before the schema");
      auto where = [&] { return "manifest schema change record at offset " + std::to_string(base + pos); };
      ByteReader r(payload);
      CommitRecord c;
      c.seq = r.GetU64();
      c.etl_micros = r.GetI64();
      c.committed_micros = r.GetI64();
      c.kind = CommitRecord::Kind::kSchemaChange;
      TableSchema next;
      Status st = r.ok() ? DeserializeSchema(&r, &next) : Status::Corruption("truncated");
      if (st.ok() && !r.AtEnd()) st = Status::Corruption("trailing bytes");
      if (st.ok()) {
        st = CheckSchemaChange(m.schema, next);
        if (!st.ok()) st = Status::Corruption("a schema that the table's cannot become: " + st.message());
      }
      if (!st.ok()) return st.WithContext(where());
      uint64_t expect = m.commits.empty() ? 1 : m.commits.back().seq + 1;
      if (c.seq != expect)
        return Status::Corruption("manifest commit sequence " + std::to_string(c.seq) + " where " +
                                  std::to_string(expect) + " was expected");
      const auto next_cols = next.StorageColumns();
      for (auto& e : m.base_segments) ConformEntry(cols, next_cols, &e);
      for (auto& cm : m.commits)
        for (auto& e : cm.added) ConformEntry(cols, next_cols, &e);
      m.schema = std::move(next);
      cols = next_cols;
      m.commits.push_back(std::move(c));
    } else if (type == static_cast<uint8_t>(RecordType::kCommit) || type == static_cast<uint8_t>(RecordType::kFileCommit) ||
               type == static_cast<uint8_t>(RecordType::kOverwrite)) {
      if (!have_schema) return Status::Corruption("manifest commit record before the schema");
      CommitRecord c;
      Status st = ParseCommit(payload, cols, static_cast<RecordType>(type), &c);
      if (!st.ok()) return st.WithContext("manifest record at offset " + std::to_string(base + pos));
      uint64_t expect = m.commits.empty() ? 1 : m.commits.back().seq + 1;
      if (c.seq != expect)
        return Status::Corruption("manifest commit sequence " + std::to_string(c.seq) +
                                  " where " + std::to_string(expect) + " was expected");
      m.commits.push_back(std::move(c));
    } else {
      return Status::NotSupported("manifest record type " + std::to_string(type) +
                                  " at offset " + std::to_string(base + pos) + " is unknown to this build");
    }
    pos += 13 + len;
    m.valid_length = base + pos;
    if (type == static_cast<uint8_t>(RecordType::kCommit) || type == static_cast<uint8_t>(RecordType::kFileCommit) ||
        type == static_cast<uint8_t>(RecordType::kSchemaChange) || type == static_cast<uint8_t>(RecordType::kOverwrite))
      m.commit_ends.push_back(m.valid_length);
  }
  if (!have_schema) return Status::Corruption("manifest has no schema record");
  m.has_schema = true;
  m.length = base + bytes.size();
  return Status::OK();
}

}  // namespace

namespace {
Status CheckManifestHeader(std::string_view bytes) {
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

  return Status::OK();
}
}  // namespace

Status ParseManifest(std::string_view bytes, ManifestContents* out) {
  WH_RETURN_IF_ERROR(CheckManifestHeader(bytes));
  ManifestContents m;
  m.valid_length = kManifestHeaderSize;
  WH_RETURN_IF_ERROR(ParseRecords(bytes.substr(kManifestHeaderSize), kManifestHeaderSize, m));
  *out = std::move(m);
  return Status::OK();
}

Result<ManifestContents> ReadManifest(FileSystem* fs, const std::string& path, const Checkpoint* ck) {
  if (!ck) {
    WH_ASSIGN_OR_RETURN(std::string bytes, fs->ReadFile(path));
    ManifestContents m;
    Status st = ParseManifest(bytes, &m);
    if (!st.ok()) return st.WithContext(path);
    return m;
  }
  // The header, then only the records after the checkpoint.
  WH_ASSIGN_OR_RETURN(auto file, fs->NewRandomAccessFile(path));
  const uint64_t size = file->Size();
  const uint64_t at = ck->manifest_offset;
  if (at < kManifestHeaderSize + 8 || size < at)
    return Status::Corruption(path + " holds " + std::to_string(size) + " bytes, fewer than its _checkpoint names (" +
                              std::to_string(at) + "): committed records were lost (see README 'Recovering from damage')");
  std::string header;
  WH_RETURN_IF_ERROR(file->Read(0, kManifestHeaderSize, &header));
  Status st = CheckManifestHeader(header);
  if (!st.ok()) return st.WithContext(path);
  std::string tail;
  WH_RETURN_IF_ERROR(file->Read(at - 8, size - at + 8, &tail));
  uint64_t sum;
  std::memcpy(&sum, tail.data(), 8);
  if (sum != ck->last_record_checksum)
    return Status::Corruption(path + " does not hold the commit its _checkpoint ends at (commit " +
                              std::to_string(ck->seq) + ", offset " + std::to_string(at) +
                              "): the manifest was damaged or replaced (see README 'Recovering from damage')");
  ManifestContents m;
  m.schema = ck->schema;
  m.has_schema = true;
  m.commits = ck->commits;
  m.base_segments = ck->live;
  m.base_retired = ck->retired;
  m.base_retired_seq = ck->seq;
  m.checkpoint_offset = at;
  m.checkpoint_bytes = ck->file_bytes;
  st = ParseRecords(std::string_view(tail).substr(8), at, m);
  if (!st.ok()) return st.WithContext(path);
  return m;
}

void ApplyCommit(uint64_t seq, const std::vector<std::string>& removed, std::vector<SegmentEntry> added,
                 std::vector<SegmentEntry>* live) {
  if (!removed.empty()) {
    std::set<std::string> gone(removed.begin(), removed.end());
    std::erase_if(*live, [&](const SegmentEntry& s) { return gone.count(s.path) > 0; });
  }
  for (auto& s : added) {
    s.commit_seq = seq;
    live->push_back(std::move(s));
  }
}

namespace {
constexpr char kCheckpointMagic[8] = {'W', 'H', 'C', 'K', 'P', 'T', '\r', '\n'};
constexpr size_t kCheckpointHeaderSize = 24;
}  // namespace


std::string EncodeBaseManifest(const Checkpoint& c) {
  std::string out = EncodeManifestHeader();
  std::string payload;
  SerializeSchema(c.schema, &payload);
  out += EncodeRecord(RecordType::kSchema, payload);
  payload.clear();
  ByteWriter w(&payload);
  w.PutU64(c.seq);
  bool kinds = false;
  for (const auto& cm : c.commits)
    kinds |= cm.kind == CommitRecord::Kind::kSchemaChange || cm.kind == CommitRecord::Kind::kOverwrite;
  SerializeState(c, kinds, &payload);
  out += EncodeRecord(kinds ? RecordType::kBaseWithKinds : RecordType::kBase, payload);
  return out;
}

Status ParseCheckpoint(std::string_view bytes, Checkpoint* out) {
  auto bad = [](const std::string& what) { return Status::Corruption("bad checkpoint: " + what); };
  if (bytes.size() < kCheckpointHeaderSize + 8 || std::memcmp(bytes.data(), kCheckpointMagic, 8) != 0)
    return bad("bad magic or too short");
  ByteReader h(bytes.data(), kCheckpointHeaderSize);
  h.GetBytes(8);
  const uint16_t version = h.GetU16();
  const uint16_t reserved = h.GetU16();
  const uint32_t incompat = h.GetU32();
  if (h.GetU64() != Checksum64(bytes.data(), 16)) return bad("header checksum mismatch");
  if (reserved != 0) return bad("reserved header bytes are not zero");
  if (version != 1)
    return Status::NotSupported("checkpoint format version " + std::to_string(version) + "; this build of wh reads version 1");
  if (incompat != 0) return Status::NotSupported("checkpoint uses unknown incompatible features");
  std::string_view body = bytes.substr(kCheckpointHeaderSize, bytes.size() - kCheckpointHeaderSize - 8);
  uint64_t sum;
  std::memcpy(&sum, bytes.data() + bytes.size() - 8, 8);
  if (sum != Checksum64(body.data(), body.size())) return bad("checksum mismatch");
  ByteReader r(body);
  Checkpoint c;
  c.seq = r.GetU64();
  c.manifest_offset = r.GetU64();
  c.last_record_checksum = r.GetU64();
  {
    std::string_view schema = r.GetString();
    if (!r.ok()) return bad("truncated schema");
    ByteReader sr(schema);
    WH_RETURN_IF_ERROR(DeserializeSchema(&sr, &c.schema));
    if (!sr.AtEnd()) return bad("schema: trailing bytes");
  }
  WH_RETURN_IF_ERROR(ParseState(&r, version, &c));
  c.file_bytes = bytes.size();
  *out = std::move(c);
  return Status::OK();
}

Result<std::optional<Checkpoint>> ReadCheckpoint(FileSystem* fs, const std::string& dir) {
  const std::string path = JoinPath(dir, kCheckpointFile);
  if (!fs->FileExists(path)) return std::optional<Checkpoint>();
  auto bytes = fs->ReadFile(path);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) return std::optional<Checkpoint>();  // just replaced
    return bytes.status();
  }
  Checkpoint c;
  Status st = ParseCheckpoint(*bytes, &c);
  if (!st.ok()) return st.WithContext(path);
  return std::optional<Checkpoint>(std::move(c));
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
