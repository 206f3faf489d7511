#include "parquet/writer.h"

#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "format/thread.h"
#include "parquet/encoding.h"
#include "parquet/format.h"
#include "parquet/thrift.h"

namespace wh::parquet {

int DecimalBytes(int precision) {
  // 2^(8n - 1) > 10^p  <=>  8n - 1 > p * log2(10)
  int n = 1;
  while (static_cast<double>(8 * n - 1) <= precision * 3.321928094887362) ++n;
  return n;
}

PhysicalKind PhysicalOf(const DataType& t) {
  switch (t.id) {
    case TypeId::kBoolean: return PhysicalKind::kBoolean;
    case TypeId::kInt32:
    case TypeId::kDate: return PhysicalKind::kInt32;
    case TypeId::kInt64:
    case TypeId::kTimestamp: return PhysicalKind::kInt64;
    case TypeId::kDouble: return PhysicalKind::kDouble;
    case TypeId::kString:
    case TypeId::kList: return PhysicalKind::kByteArray;  // refused before (ParquetWriter)
    case TypeId::kDecimal:
      return t.precision <= 9 ? PhysicalKind::kInt32
             : t.precision <= 18 ? PhysicalKind::kInt64 : PhysicalKind::kFixedLenByteArray;
  }
  return PhysicalKind::kInt64;
}

namespace {

// The PLAIN bytes of one fixed-width value (strings excepted): little-endian INT32/INT64/DOUBLE,
// big-endian two's complement for a FIXED_LEN_BYTE_ARRAY decimal, one byte for a statistic's
// BOOLEAN.
// Writes them at `out` (4, 8 or flba bytes; BOOLEAN: 1).
void PutFixedAt(const Column& c, size_t row, PhysicalKind kind, int flba, char* out) {
  switch (kind) {
    case PhysicalKind::kBoolean: *out = static_cast<char>(c.Get<uint8_t>(row) ? 1 : 0); return;
    case PhysicalKind::kInt32: {
      const int32_t v = static_cast<int32_t>(IntegerAt(c, row));
      std::memcpy(out, &v, 4);
      return;
    }
    case PhysicalKind::kInt64: {
      const int64_t v = static_cast<int64_t>(IntegerAt(c, row));
      std::memcpy(out, &v, 8);
      return;
    }
    case PhysicalKind::kDouble: {
      const double v = c.Get<double>(row);
      std::memcpy(out, &v, 8);
      return;
    }
    case PhysicalKind::kFixedLenByteArray: {
      // The value's last flba bytes, big-endian (two's complement).
      const uint128 v = static_cast<uint128>(IntegerAt(c, row));
      for (int b = 0; b < flba; ++b) out[b] = static_cast<char>(static_cast<uint8_t>(v >> (8 * (flba - 1 - b))));
      return;
    }
    default: return;  // BYTE_ARRAY: the caller writes strings
  }
}

int FixedWidth(PhysicalKind kind, int flba) {
  switch (kind) {
    case PhysicalKind::kBoolean: return 1;
    case PhysicalKind::kInt32: return 4;
    case PhysicalKind::kInt64:
    case PhysicalKind::kDouble: return 8;
    case PhysicalKind::kFixedLenByteArray: return flba;
    default: return 0;
  }
}

void PutFixed(const Column& c, size_t row, PhysicalKind kind, int flba, std::string* out) {
  const size_t at = out->size();
  out->resize(at + static_cast<size_t>(FixedWidth(kind, flba)));
  PutFixedAt(c, row, kind, flba, out->data() + at);
}

// Codes for distinct byte strings in order of first appearance: open addressing over a
// power-of-two table of (code + 1), each code's hash and bytes kept beside it.
class DictionaryBuilder {
 public:
  DictionaryBuilder() : slots_(1024, 0) {}
  uint32_t Code(std::string_view v, bool* fresh) {
    const uint64_t h = XXH3_64bits(v.data(), v.size());
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const uint32_t s = slots_[i];
      if (s == 0) {
        const uint32_t code = static_cast<uint32_t>(values_.size());
        values_.push_back(v);
        hashes_.push_back(h);
        slots_[i] = code + 1;
        *fresh = true;
        if (values_.size() * 2 > slots_.size()) Grow();
        return code;
      }
      if (hashes_[s - 1] == h && values_[s - 1] == v) {
        *fresh = false;
        return s - 1;
      }
    }
  }
  size_t size() const { return values_.size(); }

 private:
  void Grow() {
    std::vector<uint32_t> bigger(slots_.size() * 2, 0);
    const size_t mask = bigger.size() - 1;
    for (uint32_t code = 0; code < values_.size(); ++code) {
      size_t i = hashes_[code] & mask;
      while (bigger[i]) i = (i + 1) & mask;
      bigger[i] = code + 1;
    }
    slots_ = std::move(bigger);
  }
  std::vector<uint32_t> slots_;
  std::vector<uint64_t> hashes_;
  std::vector<std::string_view> values_;
};

struct Stats {
  bool has_minmax = false;
  std::string min, max;
  int64_t nulls = 0;
};

// min_value / max_value over the non-NULL rows in the type's defined order: signed for
// integers and decimals, false < true, bytewise unsigned for strings; doubles ignore NaN, and a
// zero minimum is written -0.0 and a zero maximum +0.0 (the Parquet spec's rule for readers).
// A string bound longer than 256 bytes is left out (null_count stays).
Stats ComputeStats(const Column& c, size_t begin, size_t n, PhysicalKind kind, int flba) {
  Stats s;
  size_t lo = SIZE_MAX, hi = SIZE_MAX;
  if (kind == PhysicalKind::kByteArray) {
    std::string_view mn, mx;
    for (size_t i = begin; i < begin + n; ++i) {
      if (c.IsNull(i)) { ++s.nulls; continue; }
      const std::string_view v = c.GetString(i);
      if (lo == SIZE_MAX) { mn = mx = v; lo = hi = i; continue; }
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    if (lo != SIZE_MAX && mn.size() <= 256 && mx.size() <= 256) {
      s.has_minmax = true;
      s.min.assign(mn);
      s.max.assign(mx);
    }
    return s;
  }
  if (kind == PhysicalKind::kDouble) {
    double mn = 0, mx = 0;
    bool any = false;
    for (size_t i = begin; i < begin + n; ++i) {
      if (c.IsNull(i)) { ++s.nulls; continue; }
      const double v = c.Get<double>(i);
      if (std::isnan(v)) continue;
      if (!any) { mn = mx = v; any = true; continue; }
      mn = std::min(mn, v);
      mx = std::max(mx, v);
    }
    if (any) {
      if (mn == 0) mn = -0.0;
      if (mx == 0) mx = 0.0;
      s.has_minmax = true;
      s.min.assign(reinterpret_cast<const char*>(&mn), 8);
      s.max.assign(reinterpret_cast<const char*>(&mx), 8);
    }
    return s;
  }
  int128 mn = 0, mx = 0;
  for (size_t i = begin; i < begin + n; ++i) {
    if (c.IsNull(i)) { ++s.nulls; continue; }
    const int128 v = IntegerAt(c, i);
    if (lo == SIZE_MAX) { mn = mx = v; lo = hi = i; continue; }
    if (v < mn) { mn = v; lo = i; }
    if (v > mx) { mx = v; hi = i; }
  }
  if (lo != SIZE_MAX) {
    s.has_minmax = true;
    PutFixed(c, lo, kind, flba, &s.min);
    PutFixed(c, hi, kind, flba, &s.max);
  }
  return s;
}

void WriteStatistics(ThriftWriter* w, int16_t field, const Stats& s) {
  w->BeginStruct(field);
  w->I64(3, s.nulls);
  if (s.has_minmax) {
    w->Binary(5, s.max);
    w->Binary(6, s.min);
  }
  w->EndStruct();
}

// One column chunk, encoded: its pages (headers and compressed bodies) and what the footer says.
struct EncodedChunk {
  std::string bytes;
  int32_t codec = kCodecZstd;  // UNCOMPRESSED when zstd would not make the chunk smaller
  bool dictionary = false;
  size_t dictionary_page_size = 0;  // bytes of the dictionary page (header + body) at the start
  uint64_t uncompressed = 0;        // page headers + uncompressed bodies
  Stats stats;
};

class ChunkEncoder {
 public:
  ChunkEncoder(const ColumnSpec& spec, const WriterOptions& opt, ZSTD_CCtx* zstd)
      : spec_(spec), opt_(opt), zstd_(zstd), kind_(PhysicalOf(spec.type)),
        flba_(kind_ == PhysicalKind::kFixedLenByteArray ? DecimalBytes(spec.type.precision) : 0) {}

  Status Encode(const Column& c, size_t n, EncodedChunk* out) {
    out->stats = ComputeStats(c, 0, n, kind_, flba_);
    // The non-NULL values: PLAIN bytes of fixed-width ones, views of strings.
    const int width = FixedWidth(kind_, flba_);  // 0 for strings
    std::vector<std::string_view> strings;
    std::string fixed;
    std::vector<uint32_t> bools;
    const size_t valid = n - static_cast<size_t>(out->stats.nulls);
    if (kind_ == PhysicalKind::kByteArray) {
      strings.reserve(valid);
      for (size_t i = 0; i < n; ++i)
        if (!c.IsNull(i)) strings.push_back(c.GetString(i));
    } else if (kind_ == PhysicalKind::kBoolean) {
      bools.reserve(valid);
      for (size_t i = 0; i < n; ++i)
        if (!c.IsNull(i)) bools.push_back(c.Get<uint8_t>(i) ? 1 : 0);
    } else {
      fixed.resize(valid * static_cast<size_t>(width));
      char* to = fixed.data();
      for (size_t i = 0; i < n; ++i) {
        if (c.IsNull(i)) continue;
        PutFixedAt(c, i, kind_, flba_, to);
        to += width;
      }
    }
    auto value_at = [&](size_t k) {
      return kind_ == PhysicalKind::kByteArray ? strings[k] : std::string_view(fixed).substr(k * width, width);
    };
    // Dictionary: when the chunk's distinct values are at most half its values, at most 2^16
    // of them, and their PLAIN bytes at most 1 MiB; a chunk whose first 2,048 values are more
    // than half distinct is not tried further.
    std::vector<uint32_t> codes;
    std::string dict_plain;
    size_t distinct = 0;
    if (kind_ != PhysicalKind::kBoolean && valid >= 2) {
      DictionaryBuilder ids;
      codes.resize(valid);
      bool ok = true;
      for (size_t k = 0; k < valid && ok; ++k) {
        const std::string_view v = value_at(k);
        bool fresh = false;
        codes[k] = ids.Code(v, &fresh);
        if (fresh) {
          if (kind_ == PhysicalKind::kByteArray) {
            const uint32_t len = static_cast<uint32_t>(v.size());
            dict_plain.append(reinterpret_cast<const char*>(&len), 4);
          }
          dict_plain.append(v);
          ok = ids.size() <= 65536 && ids.size() <= valid / 2 && dict_plain.size() <= (size_t{1} << 20);
        }
        if (k == 2047 && ids.size() > 1024) ok = false;
      }
      if (ok) {
        distinct = ids.size();
        out->dictionary = true;
      } else {
        codes.clear();
        dict_plain.clear();
      }
    }
    if (out->dictionary) WH_RETURN_IF_ERROR(Page(PageKind::kDictionary, dict_plain, static_cast<int32_t>(distinct), out));
    // Data pages: up to page_rows rows and about page_bytes of values each.
    const int code_width = BitWidth(distinct ? distinct - 1 : 0);
    std::vector<uint32_t> levels;
    size_t row = 0, k = 0;  // first row and first non-NULL value of the page
    std::string body;
    while (row < n) {
      size_t end = row, kend = k, bytes = 0;
      while (end < n && end - row < opt_.page_rows && bytes < opt_.page_bytes) {
        if (!c.IsNull(end)) {
          bytes += out->dictionary ? 2 : kind_ == PhysicalKind::kByteArray ? 4 + strings[kend].size() : width ? width : 1;
          ++kend;
        }
        ++end;
      }
      body.clear();
      if (spec_.nullable) {
        levels.resize(end - row);
        for (size_t i = row; i < end; ++i) levels[i - row] = c.IsNull(i) ? 0 : 1;
        std::string rle;
        AppendRleHybrid(levels.data(), levels.size(), 1, &rle);
        const uint32_t len = static_cast<uint32_t>(rle.size());
        body.append(reinterpret_cast<const char*>(&len), 4);
        body += rle;
      }
      if (out->dictionary) {
        body.push_back(static_cast<char>(code_width));
        AppendRleHybrid(codes.data() + k, kend - k, code_width, &body);
      } else if (kind_ == PhysicalKind::kByteArray) {
        for (size_t j = k; j < kend; ++j) {
          const uint32_t len = static_cast<uint32_t>(strings[j].size());
          body.append(reinterpret_cast<const char*>(&len), 4);
          body.append(strings[j]);
        }
      } else if (kind_ == PhysicalKind::kBoolean) {
        AppendBitPacked(bools.data() + k, kend - k, 1, &body);
      } else {
        body.append(fixed, k * width, (kend - k) * width);
      }
      WH_RETURN_IF_ERROR(Page(PageKind::kData, body, static_cast<int32_t>(end - row), out));
      row = end;
      k = kend;
    }
    Finish(out);
    return Status::OK();
  }

 private:
  enum class PageKind { kData, kDictionary };

  // A page's body, compressed once here; the chunk's pages are laid out by Finish.
  Status Page(PageKind pk, const std::string& body, int32_t values, EncodedChunk* out) {
    if (body.size() > INT32_MAX) return Status::InvalidArgument("a Parquet page of more than 2 GiB");
    PendingPage p;
    p.kind = pk;
    p.values = values;
    p.dictionary = out->dictionary;
    p.raw = body;
    p.zstd.resize(ZSTD_compressBound(body.size()));
    const size_t z = ZSTD_compressCCtx(zstd_, p.zstd.data(), p.zstd.size(), body.data(), body.size(), opt_.zstd_level);
    if (ZSTD_isError(z)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(z));
    p.zstd.resize(z);
    pages_.push_back(std::move(p));
    return Status::OK();
  }

  // The pages, compressed with zstd unless that makes the chunk no smaller (small pages of
  // random ids or all NULLs: a zstd frame costs more than it saves).
  void Finish(EncodedChunk* out) {
    size_t raw = 0, zstd = 0;
    for (const auto& p : pages_) {
      raw += p.raw.size();
      zstd += p.zstd.size();
    }
    const bool compress = zstd < raw;
    out->codec = compress ? kCodecZstd : kCodecUncompressed;
    out->bytes.clear();
    out->uncompressed = 0;
    out->dictionary_page_size = 0;
    for (const auto& p : pages_) {
      const std::string& stored = compress ? p.zstd : p.raw;
      std::string header;
      ThriftWriter w(&header);
      w.I32(1, p.kind == PageKind::kData ? kPageData : kPageDictionary);
      w.I32(2, static_cast<int32_t>(p.raw.size()));
      w.I32(3, static_cast<int32_t>(stored.size()));
      if (p.kind == PageKind::kData) {
        w.BeginStruct(5);
        w.I32(1, p.values);
        w.I32(2, p.dictionary ? kEncodingRleDictionary : kEncodingPlain);
        w.I32(3, kEncodingRle);
        w.I32(4, kEncodingRle);
        w.EndStruct();
      } else {
        w.BeginStruct(7);
        w.I32(1, p.values);
        w.I32(2, kEncodingPlain);
        w.EndStruct();
      }
      w.End();
      out->bytes += header;
      out->bytes += stored;
      out->uncompressed += header.size() + p.raw.size();
      if (p.kind == PageKind::kDictionary) out->dictionary_page_size = out->bytes.size();
    }
    pages_.clear();
  }

 private:
  struct PendingPage {
    PageKind kind;
    int32_t values;
    bool dictionary;
    std::string raw, zstd;
  };
  std::vector<PendingPage> pages_;

  const ColumnSpec& spec_;
  const WriterOptions& opt_;
  ZSTD_CCtx* zstd_;
  PhysicalKind kind_;
  int flba_;
};

}  // namespace

struct Writer::ChunkMeta {
  int32_t codec = kCodecZstd;
  int64_t data_offset = 0, dictionary_offset = -1;
  uint64_t compressed = 0, uncompressed = 0;
  int64_t values = 0;
  bool dictionary = false;
  Stats stats;
};

struct Writer::RowGroupMeta {
  std::vector<ChunkMeta> chunks;
  int64_t rows = 0;
  int64_t offset = 0;
  uint64_t bytes = 0, compressed = 0;
};

Writer::Writer(std::vector<ColumnSpec> columns, WriterOptions options, ByteSink sink)
    : specs_(std::move(columns)), opt_(std::move(options)), sink_(std::move(sink)) {
  for (const auto& s : specs_) pending_.emplace_back(s.type);
}

Writer::~Writer() = default;

Status Writer::Put(std::string_view bytes) {
  WH_RETURN_IF_ERROR(sink_(bytes));
  offset_ += bytes.size();
  return Status::OK();
}

Status Writer::Write(const std::vector<Column>& columns) {
  if (finished_) return Status::Internal("Parquet writer: rows after Finish");
  if (columns.size() != specs_.size())
    return Status::Internal("Parquet writer: " + std::to_string(columns.size()) + " columns for " +
                            std::to_string(specs_.size()));
  const size_t n = columns.empty() ? 0 : columns[0].size();
  for (size_t c = 0; c < columns.size(); ++c) {
    if (!(columns[c].type() == specs_[c].type) || columns[c].size() != n)
      return Status::Internal("Parquet writer: column '" + specs_[c].name + "' does not match its spec");
    if (!specs_[c].nullable && columns[c].has_nulls() && columns[c].CountNulls() > 0)
      return Status::InvalidArgument("a NULL in column '" + specs_[c].name + "', which is NOT NULL");
  }
  if (offset_ == 0) WH_RETURN_IF_ERROR(Put("PAR1"));
  size_t at = 0;
  while (at < n) {
    const size_t take = std::min<uint64_t>(n - at, opt_.row_group_rows - pending_rows_);
    for (size_t c = 0; c < columns.size(); ++c) pending_[c].AppendRange(columns[c], at, take);
    pending_rows_ += take;
    at += take;
    size_t bytes = 0;
    for (const auto& c : pending_) bytes += c.ByteSize();
    if (pending_rows_ >= opt_.row_group_rows || bytes >= opt_.row_group_bytes) WH_RETURN_IF_ERROR(FlushRowGroup());
  }
  rows_ += n;
  return Status::OK();
}

Status Writer::FlushRowGroup() {
  if (pending_rows_ == 0) return Status::OK();
  RowGroupMeta rg;
  rg.rows = static_cast<int64_t>(pending_rows_);
  rg.offset = static_cast<int64_t>(offset_);
  // The column chunks are encoded side by side (opt_.threads), then written in order.
  for (const auto& c : pending_) c.Plain();
  std::vector<EncodedChunk> chunks(specs_.size());
  WH_RETURN_IF_ERROR(ParallelFor(specs_.size(), std::max(1, opt_.threads), [&](size_t c) -> Status {
    // One zstd context per thread, kept: making one costs more than compressing a small chunk.
    struct Context {
      ZSTD_CCtx* z = ZSTD_createCCtx();
      ~Context() { ZSTD_freeCCtx(z); }
    };
    thread_local Context ctx;
    if (!ctx.z) return Status::ResourceExhausted("zstd: out of memory");
    ChunkEncoder enc(specs_[c], opt_, ctx.z);
    return enc.Encode(pending_[c], pending_rows_, &chunks[c]);
  }));
  for (size_t c = 0; c < specs_.size(); ++c) {
    EncodedChunk& e = chunks[c];
    ChunkMeta m;
    m.codec = e.codec;
    m.values = static_cast<int64_t>(pending_rows_);
    m.dictionary = e.dictionary;
    if (e.dictionary) m.dictionary_offset = static_cast<int64_t>(offset_);
    m.data_offset = static_cast<int64_t>(offset_ + e.dictionary_page_size);
    m.compressed = e.bytes.size();
    m.uncompressed = e.uncompressed;
    m.stats = std::move(e.stats);
    WH_RETURN_IF_ERROR(Put(e.bytes));
    e.bytes = std::string();
    rg.bytes += m.uncompressed;
    rg.compressed += m.compressed;
    rg.chunks.push_back(std::move(m));
  }
  row_groups_.push_back(std::move(rg));
  for (size_t c = 0; c < specs_.size(); ++c) pending_[c] = Column(specs_[c].type);
  pending_rows_ = 0;
  return Status::OK();
}

std::string Writer::Footer() const {
  std::string out;
  ThriftWriter w(&out);
  w.I32(1, 2);  // version: 2 (logical types and TYPE_ORDER statistics)
  w.BeginList(2, ThriftType::kStruct, specs_.size() + 1);
  w.ListBeginStruct();  // the root
  w.Binary(4, "schema");
  w.I32(5, static_cast<int32_t>(specs_.size()));
  w.EndStruct();
  for (const auto& s : specs_) {
    const PhysicalKind kind = PhysicalOf(s.type);
    w.ListBeginStruct();
    w.I32(1, static_cast<int32_t>(kind));
    if (kind == PhysicalKind::kFixedLenByteArray) w.I32(2, DecimalBytes(s.type.precision));
    w.I32(3, s.nullable ? kOptional : kRequired);
    w.Binary(4, s.name);
    // converted_type (6), scale (7), precision (8), field_id (9), logicalType (10): in order.
    if (s.type.id == TypeId::kString) w.I32(6, kConvertedUtf8);
    if (s.type.id == TypeId::kDate) w.I32(6, kConvertedDate);
    if (s.type.id == TypeId::kDecimal) {
      w.I32(6, kConvertedDecimal);
      w.I32(7, s.type.scale);
      w.I32(8, s.type.precision);
    }
    if (s.field_id >= 0) w.I32(9, s.field_id);
    switch (s.type.id) {
      case TypeId::kString:
        w.BeginStruct(10);
        w.EmptyStruct(1);
        w.EndStruct();
        break;
      case TypeId::kDate:
        w.BeginStruct(10);
        w.EmptyStruct(6);
        w.EndStruct();
        break;
      case TypeId::kDecimal:
        w.BeginStruct(10);
        w.BeginStruct(5);
        w.I32(1, s.type.scale);
        w.I32(2, s.type.precision);
        w.EndStruct();
        w.EndStruct();
        break;
      case TypeId::kTimestamp:
        w.BeginStruct(10);
        w.BeginStruct(8);
        w.Bool(1, false);  // isAdjustedToUTC: wh's timestamps have no time zone
        w.BeginStruct(2);
        w.EmptyStruct(2);  // MICROS
        w.EndStruct();
        w.EndStruct();
        w.EndStruct();
        break;
      default: break;
    }
    w.EndStruct();
  }
  w.I64(3, static_cast<int64_t>(rows_));
  w.BeginList(4, ThriftType::kStruct, row_groups_.size());
  for (size_t g = 0; g < row_groups_.size(); ++g) {
    const RowGroupMeta& rg = row_groups_[g];
    w.ListBeginStruct();
    w.BeginList(1, ThriftType::kStruct, rg.chunks.size());
    for (size_t c = 0; c < rg.chunks.size(); ++c) {
      const ChunkMeta& m = rg.chunks[c];
      w.ListBeginStruct();  // ColumnChunk
      w.I64(2, m.dictionary_offset >= 0 ? m.dictionary_offset : m.data_offset);
      w.BeginStruct(3);  // ColumnMetaData
      w.I32(1, static_cast<int32_t>(PhysicalOf(specs_[c].type)));
      if (m.dictionary) {
        w.BeginList(2, ThriftType::kI32, 3);
        w.ListI32(kEncodingPlain);
        w.ListI32(kEncodingRle);
        w.ListI32(kEncodingRleDictionary);
      } else {
        w.BeginList(2, ThriftType::kI32, 2);
        w.ListI32(kEncodingPlain);
        w.ListI32(kEncodingRle);
      }
      w.BeginList(3, ThriftType::kBinary, 1);
      w.ListBinary(specs_[c].name);
      w.I32(4, m.codec);
      w.I64(5, m.values);
      w.I64(6, static_cast<int64_t>(m.uncompressed));
      w.I64(7, static_cast<int64_t>(m.compressed));
      w.I64(9, m.data_offset);
      if (m.dictionary) w.I64(11, m.dictionary_offset);
      WriteStatistics(&w, 12, m.stats);
      w.EndStruct();
      w.EndStruct();
    }
    w.I64(2, static_cast<int64_t>(rg.bytes));
    w.I64(3, rg.rows);
    w.I64(5, rg.offset);
    w.I64(6, static_cast<int64_t>(rg.compressed));
    w.I16(7, static_cast<int16_t>(std::min<size_t>(g, INT16_MAX)));
    w.EndStruct();
  }
  if (!opt_.metadata.empty()) {
    w.BeginList(5, ThriftType::kStruct, opt_.metadata.size());
    for (const auto& [k, v] : opt_.metadata) {
      w.ListBeginStruct();
      w.Binary(1, k);
      w.Binary(2, v);
      w.EndStruct();
    }
  }
  w.Binary(6, "wh version 0.1.0");
  w.BeginList(7, ThriftType::kStruct, specs_.size());
  for (size_t c = 0; c < specs_.size(); ++c) {
    w.ListBeginStruct();
    w.EmptyStruct(1);  // TYPE_ORDER
    w.EndStruct();
  }
  w.End();
  return out;
}

Status Writer::Finish() {
  if (finished_) return Status::OK();
  if (offset_ == 0) WH_RETURN_IF_ERROR(Put("PAR1"));
  WH_RETURN_IF_ERROR(FlushRowGroup());
  finished_ = true;
  const std::string footer = Footer();
  WH_RETURN_IF_ERROR(Put(footer));
  const uint32_t len = static_cast<uint32_t>(footer.size());
  WH_RETURN_IF_ERROR(Put(std::string_view(reinterpret_cast<const char*>(&len), 4)));
  return Put("PAR1");
}

}  // namespace wh::parquet
