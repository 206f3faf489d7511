#include "parquet/reader.h"

#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cmath>
#include <functional>
#include <cstring>

#include "parquet/encoding.h"
#include "parquet/format.h"
#include "parquet/thrift.h"

namespace wh::parquet {

struct ChunkInfo {
  int32_t codec = 0;
  int64_t values = 0;
  int64_t start = 0, size = 0;  // bytes of its pages
};

struct Reader::RowGroup {
  uint64_t rows = 0;
  std::vector<ChunkInfo> chunks;  // by leaf
};

namespace {

// A schema element of the footer, as much of it as wh needs.
struct Element {
  std::string name;
  int32_t type = -1;  // -1: a group
  int32_t type_length = 0;
  int32_t repetition = kRequired;
  int32_t children = 0;
  int32_t converted = -1;
  int32_t scale = 0, precision = 0;
  // LogicalType: the union member's id (0: none) and its details.
  int logical = 0;
  int32_t l_scale = 0, l_precision = 0;
  int time_unit = 0;  // 1 millis, 2 micros, 3 nanos
  int int_bits = 0;
  bool int_signed = true;
};

const char* CodecName(int32_t c) {
  switch (c) {
    case kCodecUncompressed: return "UNCOMPRESSED";
    case kCodecSnappy: return "SNAPPY";
    case kCodecGzip: return "GZIP";
    case kCodecLzo: return "LZO";
    case kCodecBrotli: return "BROTLI";
    case kCodecLz4: return "LZ4 (the deprecated Hadoop framing)";
    case kCodecZstd: return "ZSTD";
    case kCodecLz4Raw: return "LZ4_RAW";
  }
  return "an unknown codec";
}

const char* EncodingName(int32_t e) {
  switch (e) {
    case kEncodingPlain: return "PLAIN";
    case kEncodingPlainDictionary: return "PLAIN_DICTIONARY";
    case kEncodingRle: return "RLE";
    case kEncodingBitPacked: return "BIT_PACKED";
    case kEncodingDeltaBinaryPacked: return "DELTA_BINARY_PACKED";
    case kEncodingDeltaLengthByteArray: return "DELTA_LENGTH_BYTE_ARRAY";
    case kEncodingDeltaByteArray: return "DELTA_BYTE_ARRAY";
    case kEncodingRleDictionary: return "RLE_DICTIONARY";
    case kEncodingByteStreamSplit: return "BYTE_STREAM_SPLIT";
  }
  return "an unknown encoding";
}

void ParseTimeUnit(ThriftReader* r, Element* e) {
  r->BeginStruct();
  int16_t id;
  ThriftType t;
  while (r->NextField(&id, &t)) {
    e->time_unit = id;
    r->Skip(t);
  }
}

void ParseLogical(ThriftReader* r, Element* e) {
  r->BeginStruct();
  int16_t id;
  ThriftType t;
  while (r->NextField(&id, &t)) {
    e->logical = id;
    if (t != ThriftType::kStruct) {
      r->Skip(t);
      continue;
    }
    r->BeginStruct();
    int16_t f;
    ThriftType ft;
    while (r->NextField(&f, &ft)) {
      if (id == 5 && f == 1) e->l_scale = static_cast<int32_t>(r->ReadInt());
      else if (id == 5 && f == 2) e->l_precision = static_cast<int32_t>(r->ReadInt());
      else if ((id == 8 || id == 7) && f == 2) ParseTimeUnit(r, e);
      else if (id == 10 && f == 1) e->int_bits = r->ReadByte();
      else if (id == 10 && f == 2) e->int_signed = r->ReadBool(ft);
      else r->Skip(ft);
    }
  }
}

Element ParseElement(ThriftReader* r) {
  Element e;
  r->BeginStruct();
  int16_t id;
  ThriftType t;
  while (r->NextField(&id, &t)) {
    switch (id) {
      case 1: e.type = static_cast<int32_t>(r->ReadInt()); break;
      case 2: e.type_length = static_cast<int32_t>(r->ReadInt()); break;
      case 3: e.repetition = static_cast<int32_t>(r->ReadInt()); break;
      case 4: e.name = std::string(r->ReadBinary()); break;
      case 5: e.children = static_cast<int32_t>(r->ReadInt()); break;
      case 6: e.converted = static_cast<int32_t>(r->ReadInt()); break;
      case 7: e.scale = static_cast<int32_t>(r->ReadInt()); break;
      case 8: e.precision = static_cast<int32_t>(r->ReadInt()); break;
      case 10:
        if (t == ThriftType::kStruct) ParseLogical(r, &e);
        else r->Skip(t);
        break;
      default: r->Skip(t);
    }
  }
  return e;
}

// The wh type of a top-level primitive column, or why there is none.
FileColumn MapColumn(const Element& e) {
  FileColumn c;
  c.name = e.name;
  c.nullable = e.repetition != kRequired;
  c.physical = e.type;
  c.type_length = e.type_length;
  auto refuse = [&](const std::string& why) {
    c.refused = why;
    return c;
  };
  const bool decimal = e.logical == 5 || e.converted == kConvertedDecimal;
  if (decimal) {
    const int p = e.logical == 5 ? e.l_precision : e.precision;
    const int s = e.logical == 5 ? e.l_scale : e.scale;
    if (p < 1 || p > kMaxDecimalPrecision || s < 0 || s > p)
      return refuse("a DECIMAL(" + std::to_string(p) + "," + std::to_string(s) + "), past DECIMAL(38)");
    if (e.type != static_cast<int32_t>(PhysicalKind::kInt32) && e.type != static_cast<int32_t>(PhysicalKind::kInt64) &&
        e.type != static_cast<int32_t>(PhysicalKind::kFixedLenByteArray) &&
        e.type != static_cast<int32_t>(PhysicalKind::kByteArray))
      return refuse("a DECIMAL on an unexpected physical type");
    c.type = DataType::Decimal(p, s);
    return c;
  }
  const bool time = e.logical == 7 || e.converted == kConvertedTimeMillis || e.converted == kConvertedTimeMicros;
  if (time) return refuse("a TIME (a time of day), which wh has no type for");
  switch (static_cast<PhysicalKind>(e.type)) {
    case PhysicalKind::kBoolean: c.type = DataType::Boolean(); return c;
    case PhysicalKind::kInt32:
      if (e.logical == 6 || e.converted == kConvertedDate) {
        c.type = DataType::Date();
      } else if ((e.logical == 10 && !e.int_signed && e.int_bits == 32) || e.converted == kConvertedUint32) {
        c.type = DataType::Int64();
        c.unsigned_int = true;
      } else {
        c.type = DataType::Int32();  // INT(8|16|32), UINT(8|16): within INT's range
      }
      return c;
    case PhysicalKind::kInt64:
      if (e.logical == 8 || e.converted == kConvertedTimestampMillis || e.converted == kConvertedTimestampMicros) {
        const int unit = e.logical == 8 ? e.time_unit : e.converted == kConvertedTimestampMillis ? 1 : 2;
        if (unit == 1) c.time_multiplier = 1000;
        else if (unit == 3) c.time_divisor = 1000;
        else if (unit != 2) return refuse("a TIMESTAMP of an unknown unit");
        c.type = DataType::Timestamp();
      } else if ((e.logical == 10 && !e.int_signed) || e.converted == kConvertedUint64) {
        c.type = DataType::Decimal(20, 0);
        c.unsigned_int = true;
      } else {
        c.type = DataType::Int64();
      }
      return c;
    case PhysicalKind::kInt96: c.type = DataType::Timestamp(); return c;
    case PhysicalKind::kFloat:
    case PhysicalKind::kDouble: c.type = DataType::Double(); return c;
    case PhysicalKind::kByteArray:
      if (e.logical == 11) c.null_type = true;
      c.type = DataType::String();
      return c;
    case PhysicalKind::kFixedLenByteArray:
      if (e.logical == 14 && e.type_length == 16) {
        c.uuid = true;
        c.type = DataType::String();
        return c;
      }
      if (e.logical == 15) return refuse("a FLOAT16, which wh has no type for");
      if (e.converted == 21) return refuse("an INTERVAL, which wh has no type for");
      return refuse("a FIXED_LEN_BYTE_ARRAY without a type wh knows (DECIMAL, UUID)");
  }
  return refuse("an unknown physical type " + std::to_string(e.type));
}

struct ColumnMeta {
  int32_t codec = 0;
  int64_t values = 0, compressed = 0, data_offset = -1, dictionary_offset = -1;
};

ColumnMeta ParseColumnMeta(ThriftReader* r) {
  ColumnMeta m;
  r->BeginStruct();
  int16_t id;
  ThriftType t;
  while (r->NextField(&id, &t)) {
    switch (id) {
      case 4: m.codec = static_cast<int32_t>(r->ReadInt()); break;
      case 5: m.values = r->ReadInt(); break;
      case 7: m.compressed = r->ReadInt(); break;
      case 9: m.data_offset = r->ReadInt(); break;
      case 11: m.dictionary_offset = r->ReadInt(); break;
      default: r->Skip(t);
    }
  }
  return m;
}

struct PageHeader {
  int32_t type = -1;
  int32_t uncompressed = 0, compressed = 0;
  int32_t values = 0, encoding = 0, def_encoding = kEncodingRle;
  // v2
  int32_t nulls = 0, def_bytes = 0, rep_bytes = 0;
  bool v2_compressed = true;
};

void ParseDataHeader(ThriftReader* r, PageHeader* h, bool v2) {
  r->BeginStruct();
  int16_t id;
  ThriftType t;
  while (r->NextField(&id, &t)) {
    if (id == 1) h->values = static_cast<int32_t>(r->ReadInt());
    else if (!v2 && id == 2) h->encoding = static_cast<int32_t>(r->ReadInt());
    else if (!v2 && id == 3) h->def_encoding = static_cast<int32_t>(r->ReadInt());
    else if (v2 && id == 2) h->nulls = static_cast<int32_t>(r->ReadInt());
    else if (v2 && id == 4) h->encoding = static_cast<int32_t>(r->ReadInt());
    else if (v2 && id == 5) h->def_bytes = static_cast<int32_t>(r->ReadInt());
    else if (v2 && id == 6) h->rep_bytes = static_cast<int32_t>(r->ReadInt());
    else if (v2 && id == 7) h->v2_compressed = r->ReadBool(t);
    else r->Skip(t);
  }
}

PageHeader ParsePageHeader(ThriftReader* r) {
  PageHeader h;
  int16_t id;
  ThriftType t;
  while (r->NextField(&id, &t)) {
    switch (id) {
      case 1: h.type = static_cast<int32_t>(r->ReadInt()); break;
      case 2: h.uncompressed = static_cast<int32_t>(r->ReadInt()); break;
      case 3: h.compressed = static_cast<int32_t>(r->ReadInt()); break;
      case 5: ParseDataHeader(r, &h, false); break;
      case 7: ParseDataHeader(r, &h, false); break;  // dictionary: num_values, encoding
      case 8: ParseDataHeader(r, &h, true); break;
      default: r->Skip(t);
    }
  }
  return h;
}

Status Decompress(int32_t codec, const uint8_t* src, size_t n, size_t raw, std::string* out) {
  // The sizes a page claims are checked before memory is taken for them.
  if (codec == kCodecZstd) {
    const unsigned long long size = ZSTD_getFrameContentSize(src, n);
    if (size != ZSTD_CONTENTSIZE_UNKNOWN && size != raw) return Status::DataError("a zstd page does not decompress to its size");
  } else if (codec == kCodecSnappy) {
    size_t len = 0;
    if (!snappy::GetUncompressedLength(reinterpret_cast<const char*>(src), n, &len) || len != raw)
      return Status::DataError("a snappy page does not decompress to its size");
  }
  if (codec == kCodecUncompressed && n != raw)
    return Status::DataError("an uncompressed page of " + std::to_string(n) + " bytes says " + std::to_string(raw));
  // Deflate expands at most ~1032 times, LZ4 ~255 times: a larger claim is a damaged header.
  if ((codec == kCodecGzip && raw > n * 1100 + 4096) || (codec == kCodecLz4Raw && raw > n * 256 + 4096))
    return Status::DataError("a page claims " + std::to_string(raw) + " bytes from " + std::to_string(n) + " compressed");
  out->resize(raw);
  switch (codec) {
    case kCodecUncompressed:
      if (n) std::memcpy(out->data(), src, n);
      return Status::OK();
    case kCodecZstd: {
      const size_t z = ZSTD_decompress(out->data(), raw, src, n);
      if (ZSTD_isError(z) || z != raw) return Status::DataError("a zstd page does not decompress to its size");
      return Status::OK();
    }
    case kCodecSnappy: {
      size_t len = 0;
      if (!snappy::GetUncompressedLength(reinterpret_cast<const char*>(src), n, &len) || len != raw ||
          !snappy::RawUncompress(reinterpret_cast<const char*>(src), n, out->data()))
        return Status::DataError("a snappy page does not decompress to its size");
      return Status::OK();
    }
    case kCodecGzip: {
      z_stream zs{};
      if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::Internal("zlib: inflateInit2 failed");
      zs.next_in = const_cast<Bytef*>(src);
      zs.avail_in = static_cast<uInt>(n);
      zs.next_out = reinterpret_cast<Bytef*>(out->data());
      zs.avail_out = static_cast<uInt>(raw);
      int rc = inflate(&zs, Z_FINISH);
      const size_t got = raw - zs.avail_out;
      inflateEnd(&zs);
      if (rc != Z_STREAM_END || got != raw) return Status::DataError("a gzip page does not decompress to its size");
      return Status::OK();
    }
    case kCodecLz4Raw: {
      const int got = LZ4_decompress_safe(reinterpret_cast<const char*>(src), out->data(), static_cast<int>(n),
                                          static_cast<int>(raw));
      if (got < 0 || static_cast<size_t>(got) != raw) return Status::DataError("an LZ4 page does not decompress to its size");
      return Status::OK();
    }
  }
  return Status::NotSupported(std::string("pages compressed with ") + CodecName(codec) +
                              " are not supported (UNCOMPRESSED, SNAPPY, GZIP, ZSTD and LZ4_RAW are)");
}

// A cursor over a page's bytes.
struct Bytes {
  const uint8_t* p;
  size_t n;
  size_t pos = 0;
  bool Need(size_t k) const { return k <= n - pos; }
  Result<uint64_t> Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= n) return Status::DataError("a number runs past the page");
      const uint8_t b = p[pos++];
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    return Status::DataError("a number longer than 10 bytes");
  }
  Result<int64_t> Zigzag() {
    WH_ASSIGN_OR_RETURN(uint64_t u, Varint());
    return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
  }
};

// A block of more values than any page holds: a damaged header (and a loop without end).
bool per_mini_check(uint64_t block, uint64_t mini) { return block > (uint64_t{1} << 20) || mini > block; }

// DELTA_BINARY_PACKED: `want` values (or all when want is SIZE_MAX) into out.
Status DecodeDeltaBinary(Bytes* b, size_t want, std::vector<int64_t>* out) {
  WH_ASSIGN_OR_RETURN(uint64_t block, b->Varint());
  WH_ASSIGN_OR_RETURN(uint64_t mini, b->Varint());
  WH_ASSIGN_OR_RETURN(uint64_t total, b->Varint());
  WH_ASSIGN_OR_RETURN(int64_t first, b->Zigzag());
  if (block == 0 || mini == 0 || block % 128 != 0 || (block / mini) % 32 != 0 || mini > block)
    return Status::DataError("a DELTA_BINARY_PACKED header with block size " + std::to_string(block) + " and " +
                             std::to_string(mini) + " miniblocks");
  if (want != SIZE_MAX && total != want)
    return Status::DataError("a DELTA_BINARY_PACKED run of " + std::to_string(total) + " values where the page has " +
                             std::to_string(want));
  if (per_mini_check(block, mini)) return Status::DataError("a DELTA_BINARY_PACKED block of too many values");
  const size_t count = want == SIZE_MAX ? static_cast<size_t>(total) : want;
  if (count > (size_t{1} << 31)) return Status::DataError("a DELTA_BINARY_PACKED run of too many values");
  const uint64_t per_mini = block / mini;
  out->clear();
  out->reserve(count);
  if (total == 0) return Status::OK();
  uint64_t v = static_cast<uint64_t>(first);
  out->push_back(first);
  uint64_t read = 1;  // values of the run consumed (out holds the first `count`)
  std::vector<uint8_t> widths(mini);
  while (read < total) {
    WH_ASSIGN_OR_RETURN(int64_t min_delta, b->Zigzag());
    if (!b->Need(mini)) return Status::DataError("DELTA_BINARY_PACKED bit widths run past the page");
    std::memcpy(widths.data(), b->p + b->pos, mini);
    b->pos += mini;
    for (uint64_t m = 0; m < mini && read < total; ++m) {
      const int w = widths[m];
      if (w > 64) return Status::DataError("a DELTA_BINARY_PACKED bit width of " + std::to_string(w));
      const size_t bytes = static_cast<size_t>(per_mini * static_cast<uint64_t>(w) / 8);
      if (!b->Need(bytes)) return Status::DataError("a DELTA_BINARY_PACKED miniblock runs past the page");
      const uint8_t* src = b->p + b->pos;
      for (uint64_t k = 0; k < per_mini && read < total; ++k) {
        uint64_t d = 0;
        if (w) {
          const uint64_t bit = k * static_cast<uint64_t>(w);
          for (int got = 0; got < w;) {
            const uint64_t byte = (bit + got) / 8, off = (bit + got) % 8;
            const int take = std::min<int>(w - got, static_cast<int>(8 - off));
            d |= static_cast<uint64_t>((src[byte] >> off) & ((1u << take) - 1)) << got;
            got += take;
          }
        }
        v += static_cast<uint64_t>(min_delta) + d;
        if (out->size() < count) out->push_back(static_cast<int64_t>(v));
        ++read;
      }
      b->pos += bytes;  // a miniblock is whole even when the run ends inside it
    }
  }
  if (out->size() < count) return Status::DataError("a DELTA_BINARY_PACKED run ends early");
  return Status::OK();
}

// A page's values, physical: integers (BOOLEAN, INT32, INT64), doubles (FLOAT, DOUBLE), or byte
// strings (BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY, INT96) viewing the page or dictionary buffers.
struct Values {
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<std::string_view> bytes;
  std::vector<std::string> owned;  // DELTA_BYTE_ARRAY's rebuilt strings
  size_t size(int32_t physical) const {
    switch (static_cast<PhysicalKind>(physical)) {
      case PhysicalKind::kBoolean:
      case PhysicalKind::kInt32:
      case PhysicalKind::kInt64: return ints.size();
      case PhysicalKind::kFloat:
      case PhysicalKind::kDouble: return doubles.size();
      default: return bytes.size();
    }
  }
};

Status DecodePlain(const FileColumn& c, Bytes* b, size_t n, Values* out) {
  switch (static_cast<PhysicalKind>(c.physical)) {
    case PhysicalKind::kBoolean: {
      if (!b->Need((n + 7) / 8)) return Status::DataError("PLAIN booleans run past the page");
      for (size_t i = 0; i < n; ++i) out->ints.push_back((b->p[b->pos + i / 8] >> (i % 8)) & 1);
      b->pos += (n + 7) / 8;
      return Status::OK();
    }
    case PhysicalKind::kInt32: {
      if (!b->Need(n * 4)) return Status::DataError("PLAIN INT32 values run past the page");
      for (size_t i = 0; i < n; ++i) {
        int32_t v;
        std::memcpy(&v, b->p + b->pos + 4 * i, 4);
        out->ints.push_back(c.unsigned_int ? static_cast<int64_t>(static_cast<uint32_t>(v)) : v);
      }
      b->pos += n * 4;
      return Status::OK();
    }
    case PhysicalKind::kInt64: {
      if (!b->Need(n * 8)) return Status::DataError("PLAIN INT64 values run past the page");
      const size_t at = out->ints.size();
      out->ints.resize(at + n);
      if (n) std::memcpy(out->ints.data() + at, b->p + b->pos, n * 8);
      b->pos += n * 8;
      return Status::OK();
    }
    case PhysicalKind::kFloat: {
      if (!b->Need(n * 4)) return Status::DataError("PLAIN FLOAT values run past the page");
      for (size_t i = 0; i < n; ++i) {
        float v;
        std::memcpy(&v, b->p + b->pos + 4 * i, 4);
        out->doubles.push_back(v);
      }
      b->pos += n * 4;
      return Status::OK();
    }
    case PhysicalKind::kDouble: {
      if (!b->Need(n * 8)) return Status::DataError("PLAIN DOUBLE values run past the page");
      const size_t at = out->doubles.size();
      out->doubles.resize(at + n);
      if (n) std::memcpy(out->doubles.data() + at, b->p + b->pos, n * 8);
      b->pos += n * 8;
      return Status::OK();
    }
    case PhysicalKind::kByteArray:
      for (size_t i = 0; i < n; ++i) {
        if (!b->Need(4)) return Status::DataError("a PLAIN string's length runs past the page");
        uint32_t len;
        std::memcpy(&len, b->p + b->pos, 4);
        b->pos += 4;
        if (!b->Need(len)) return Status::DataError("a PLAIN string runs past the page");
        out->bytes.emplace_back(reinterpret_cast<const char*>(b->p + b->pos), len);
        b->pos += len;
      }
      return Status::OK();
    case PhysicalKind::kFixedLenByteArray:
    case PhysicalKind::kInt96: {
      const size_t w = c.physical == static_cast<int32_t>(PhysicalKind::kInt96) ? 12 : static_cast<size_t>(c.type_length);
      if (w == 0 || !b->Need(n * w)) return Status::DataError("PLAIN fixed-length values run past the page");
      for (size_t i = 0; i < n; ++i) out->bytes.emplace_back(reinterpret_cast<const char*>(b->p + b->pos + i * w), w);
      b->pos += n * w;
      return Status::OK();
    }
  }
  return Status::DataError("an unknown physical type");
}

Status DecodeValues(const FileColumn& c, int32_t encoding, Bytes* b, size_t n, const Values* dict, Values* out) {
  const auto kind = static_cast<PhysicalKind>(c.physical);
  switch (encoding) {
    case kEncodingPlain: return DecodePlain(c, b, n, out);
    case kEncodingPlainDictionary:
    case kEncodingRleDictionary: {
      if (!dict) return Status::DataError("a dictionary-coded page without a dictionary page");
      if (n == 0) return Status::OK();
      if (!b->Need(1)) return Status::DataError("a dictionary page's bit width is missing");
      const int w = b->p[b->pos++];
      std::vector<uint32_t> idx(n);
      WH_RETURN_IF_ERROR(DecodeRleHybrid(b->p + b->pos, b->n - b->pos, w, n, idx.data()));
      b->pos = b->n;
      const size_t d = dict->size(c.physical);
      for (uint32_t i : idx)
        if (i >= d) return Status::DataError("a dictionary index " + std::to_string(i) + " past its " + std::to_string(d) + " entries");
      if (kind == PhysicalKind::kFloat || kind == PhysicalKind::kDouble) {
        for (uint32_t i : idx) out->doubles.push_back(dict->doubles[i]);
      } else if (kind == PhysicalKind::kInt32 || kind == PhysicalKind::kInt64 || kind == PhysicalKind::kBoolean) {
        for (uint32_t i : idx) out->ints.push_back(dict->ints[i]);
      } else {
        for (uint32_t i : idx) out->bytes.push_back(dict->bytes[i]);
      }
      return Status::OK();
    }
    case kEncodingRle: {
      if (kind != PhysicalKind::kBoolean) break;
      if (!b->Need(4)) return Status::DataError("RLE booleans without their length");
      uint32_t len;
      std::memcpy(&len, b->p + b->pos, 4);
      b->pos += 4;
      if (!b->Need(len)) return Status::DataError("RLE booleans run past the page");
      std::vector<uint32_t> v(n);
      WH_RETURN_IF_ERROR(DecodeRleHybrid(b->p + b->pos, len, 1, n, v.data()));
      b->pos += len;
      for (uint32_t x : v) out->ints.push_back(x);
      return Status::OK();
    }
    case kEncodingDeltaBinaryPacked: {
      if (kind != PhysicalKind::kInt32 && kind != PhysicalKind::kInt64) break;
      std::vector<int64_t> v;
      WH_RETURN_IF_ERROR(DecodeDeltaBinary(b, n, &v));
      for (int64_t x : v)
        out->ints.push_back(kind == PhysicalKind::kInt32 ? (c.unsigned_int ? static_cast<int64_t>(static_cast<uint32_t>(x))
                                                                             : static_cast<int32_t>(x))
                                                         : x);
      return Status::OK();
    }
    case kEncodingDeltaLengthByteArray: {
      if (kind != PhysicalKind::kByteArray) break;
      std::vector<int64_t> lens;
      WH_RETURN_IF_ERROR(DecodeDeltaBinary(b, n, &lens));
      for (int64_t len : lens) {
        if (len < 0 || !b->Need(static_cast<size_t>(len))) return Status::DataError("a DELTA_LENGTH_BYTE_ARRAY string runs past the page");
        out->bytes.emplace_back(reinterpret_cast<const char*>(b->p + b->pos), static_cast<size_t>(len));
        b->pos += static_cast<size_t>(len);
      }
      return Status::OK();
    }
    case kEncodingDeltaByteArray: {
      if (kind != PhysicalKind::kByteArray && kind != PhysicalKind::kFixedLenByteArray) break;
      std::vector<int64_t> prefix, suffix;
      WH_RETURN_IF_ERROR(DecodeDeltaBinary(b, n, &prefix));
      WH_RETURN_IF_ERROR(DecodeDeltaBinary(b, n, &suffix));
      std::string prev;
      const size_t first = out->owned.size();
      for (size_t i = 0; i < n; ++i) {
        if (prefix[i] < 0 || static_cast<size_t>(prefix[i]) > prev.size() || suffix[i] < 0 ||
            !b->Need(static_cast<size_t>(suffix[i])))
          return Status::DataError("a DELTA_BYTE_ARRAY value runs past the page or its predecessor");
        std::string v = prev.substr(0, static_cast<size_t>(prefix[i]));
        v.append(reinterpret_cast<const char*>(b->p + b->pos), static_cast<size_t>(suffix[i]));
        b->pos += static_cast<size_t>(suffix[i]);
        out->owned.push_back(v);
        prev = std::move(v);
      }
      for (size_t i = first; i < out->owned.size(); ++i) out->bytes.emplace_back(out->owned[i]);
      return Status::OK();
    }
    case kEncodingByteStreamSplit: {
      const size_t w = kind == PhysicalKind::kFloat || kind == PhysicalKind::kInt32 ? 4
                       : kind == PhysicalKind::kDouble || kind == PhysicalKind::kInt64 ? 8
                       : kind == PhysicalKind::kFixedLenByteArray ? static_cast<size_t>(c.type_length) : 0;
      if (w == 0) break;
      if (!b->Need(n * w)) return Status::DataError("BYTE_STREAM_SPLIT values run past the page");
      std::string joined(n * w, '\0');
      for (size_t i = 0; i < n; ++i)
        for (size_t k = 0; k < w; ++k) joined[i * w + k] = static_cast<char>(b->p[b->pos + k * n + i]);
      b->pos += n * w;
      out->owned.push_back(std::move(joined));
      Bytes plain{reinterpret_cast<const uint8_t*>(out->owned.back().data()), n * w};
      return DecodePlain(c, &plain, n, out);
    }
  }
  return Status::NotSupported(std::string("values encoded as ") + EncodingName(encoding) + " on this column's type are not supported");
}

// Appends values [0, n) of `v` to `out` under `valid` (one byte per row, or empty: all valid).
Status AppendValues(const FileColumn& c, const Values& v, const std::vector<uint8_t>& levels, size_t rows,
                    Column* out) {
  size_t k = 0;
  auto next_valid = [&](size_t r) { return levels.empty() || levels[r]; };
  for (size_t r = 0; r < rows; ++r) {
    if (!next_valid(r) || c.null_type) {
      out->AppendNull();
      if (next_valid(r)) ++k;
      continue;
    }
    switch (c.type.id) {
      case TypeId::kBoolean: out->Append<uint8_t>(v.ints[k] ? 1 : 0); break;
      case TypeId::kInt32:
      case TypeId::kDate: out->Append<int32_t>(static_cast<int32_t>(v.ints[k])); break;
      case TypeId::kInt64: out->Append<int64_t>(v.ints[k]); break;
      case TypeId::kDouble: out->Append<double>(v.doubles[k]); break;
      case TypeId::kTimestamp: {
        int64_t micros;
        if (c.physical == static_cast<int32_t>(PhysicalKind::kInt96)) {
          // 8 bytes of nanoseconds in the day, then 4 of the Julian day (2440588 = 1970-01-01).
          int64_t nanos;
          int32_t julian;
          std::memcpy(&nanos, v.bytes[k].data(), 8);
          std::memcpy(&julian, v.bytes[k].data() + 8, 4);
          if (nanos % 1000 != 0)
            return Status::DataError("an INT96 timestamp with nanoseconds (" + std::to_string(nanos) +
                                     " in the day) that are not whole microseconds");
          micros = (static_cast<int64_t>(julian) - 2440588) * 86400000000ll + nanos / 1000;
        } else {
          const int64_t x = v.ints[k];
          if (c.time_divisor > 1) {
            if (x % c.time_divisor != 0)
              return Status::DataError("the nanosecond timestamp " + std::to_string(x) +
                                       " is not a whole number of microseconds (wh keeps microseconds)");
            micros = x / c.time_divisor;
          } else if (__builtin_mul_overflow(x, c.time_multiplier, &micros)) {
            return Status::DataError("the millisecond timestamp " + std::to_string(x) + " is past wh's range");
          }
        }
        out->Append<int64_t>(micros);
        break;
      }
      case TypeId::kDecimal: {
        int128 x = 0;
        if (c.physical == static_cast<int32_t>(PhysicalKind::kInt32) || c.physical == static_cast<int32_t>(PhysicalKind::kInt64)) {
          x = c.unsigned_int ? static_cast<int128>(static_cast<uint64_t>(v.ints[k])) : static_cast<int128>(v.ints[k]);
        } else {
          // Big-endian two's complement of any length: leading sign bytes may pad past 16.
          const std::string_view s = v.bytes[k];
          if (s.empty()) return Status::DataError("an empty DECIMAL value");
          const bool neg = static_cast<uint8_t>(s[0]) & 0x80;
          size_t start = 0;
          while (s.size() - start > 16 && static_cast<uint8_t>(s[start]) == (neg ? 0xff : 0x00)) ++start;
          if (s.size() - start > 16) return Status::DataError("a DECIMAL value of more than 16 bytes");
          uint128 u = neg ? ~uint128{0} : 0;
          for (size_t i = start; i < s.size(); ++i) u = (u << 8) | static_cast<uint8_t>(s[i]);
          x = static_cast<int128>(u);
        }
        const int128 limit = Pow10(c.type.precision);
        if (x >= limit || x <= -limit)
          return Status::DataError("a value with more digits than its DECIMAL(" + std::to_string(c.type.precision) + "," +
                                   std::to_string(c.type.scale) + ")");
        if (c.type.precision <= 18) out->Append<int64_t>(static_cast<int64_t>(x));
        else out->Append<int128>(x);
        break;
      }
      case TypeId::kString: {
        if (c.uuid) {
          static const char* hex = "0123456789abcdef";
          std::string s;
          for (size_t i = 0; i < 16; ++i) {
            if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
            const auto b = static_cast<uint8_t>(v.bytes[k][i]);
            s += hex[b >> 4];
            s += hex[b & 15];
          }
          out->AppendString(s);
        } else {
          out->AppendString(v.bytes[k]);
        }
        break;
      }
      case TypeId::kList: return Status::Internal("a Parquet column read as a list");
    }
    ++k;
  }
  return Status::OK();
}

}  // namespace

Reader::~Reader() = default;
size_t Reader::row_groups() const { return groups_.size(); }
uint64_t Reader::row_group_rows(size_t g) const { return groups_[g].rows; }

Result<std::unique_ptr<Reader>> Reader::Open(std::string_view data, std::string name) {
  auto bad = [&](const std::string& why) { return Status::DataError(name + ": not a Parquet file we can read: " + why); };
  if (data.size() < 12 || data.substr(0, 4) != "PAR1" || data.substr(data.size() - 4) != "PAR1") {
    if (data.size() >= 4 && data.substr(data.size() - 4) == "PARE") return Status::NotSupported(name + ": an encrypted Parquet file");
    return bad("it does not begin and end with PAR1");
  }
  uint32_t len;
  std::memcpy(&len, data.data() + data.size() - 8, 4);
  if (len > data.size() - 12) return bad("its footer length " + std::to_string(len) + " is past the file");
  std::unique_ptr<Reader> r(new Reader());
  r->data_ = data;
  r->name_ = std::move(name);
  ThriftReader t(reinterpret_cast<const uint8_t*>(data.data() + data.size() - 8 - len), len);
  std::vector<Element> schema;
  int16_t id;
  ThriftType ty;
  std::vector<std::vector<std::pair<ColumnMeta, int64_t>>> groups;  // (meta, file_offset)
  std::vector<uint64_t> group_rows;
  while (t.NextField(&id, &ty)) {
    if (id == 2 && ty == ThriftType::kList) {
      ThriftType elem;
      const size_t n = t.BeginList(&elem);
      for (size_t i = 0; i < n && t.ok(); ++i) schema.push_back(ParseElement(&t));
    } else if (id == 3) {
      r->rows_ = static_cast<uint64_t>(t.ReadInt());
    } else if (id == 4 && ty == ThriftType::kList) {
      ThriftType elem;
      const size_t n = t.BeginList(&elem);
      for (size_t g = 0; g < n && t.ok(); ++g) {
        t.BeginStruct();
        std::vector<std::pair<ColumnMeta, int64_t>> chunks;
        uint64_t rows = 0;
        int16_t f;
        ThriftType ft;
        while (t.NextField(&f, &ft)) {
          if (f == 1 && ft == ThriftType::kList) {
            ThriftType ce;
            const size_t nc = t.BeginList(&ce);
            for (size_t c = 0; c < nc && t.ok(); ++c) {
              t.BeginStruct();
              ColumnMeta m;
              int64_t file_offset = 0;
              bool elsewhere = false;
              int16_t cf;
              ThriftType ct;
              while (t.NextField(&cf, &ct)) {
                if (cf == 1) {
                  elsewhere = !t.ReadBinary().empty();
                } else if (cf == 2) {
                  file_offset = t.ReadInt();
                } else if (cf == 3 && ct == ThriftType::kStruct) {
                  m = ParseColumnMeta(&t);
                } else {
                  t.Skip(ct);
                }
              }
              if (elsewhere) return Status::NotSupported(r->name_ + ": column chunks in other files are not supported");
              chunks.push_back({m, file_offset});
            }
          } else if (f == 3) {
            rows = static_cast<uint64_t>(t.ReadInt());
          } else {
            t.Skip(ft);
          }
        }
        groups.push_back(std::move(chunks));
        group_rows.push_back(rows);
      }
    } else {
      t.Skip(ty);
    }
  }
  if (!t.ok()) return bad("its footer is damaged: " + t.error());
  if (schema.empty() || schema[0].children < 0) return bad("its footer has no schema");
  // The top-level fields: primitive ones are columns; groups and repeated fields are refused
  // (their leaves still count in the column chunk order).
  size_t at = 1;
  int leaf = 0;
  // Skips the field at *i and everything nested in it, counting its leaves (iteratively: a
  // file may nest groups arbitrarily deep).
  auto skip_subtree = [&](size_t* i, int* leaves) -> Status {
    uint64_t pending = 1;
    while (pending > 0) {
      if (*i >= schema.size()) return bad("its schema ends inside a group");
      const Element& e = schema[(*i)++];
      --pending;
      if (e.children < 0) return bad("a group of a negative number of fields");
      if (e.type >= 0 && e.children == 0) ++*leaves;
      pending += static_cast<uint64_t>(e.children);
    }
    return Status::OK();
  };
  for (int f = 0; f < schema[0].children; ++f) {
    if (at >= schema.size()) return bad("its schema has fewer fields than the root says");
    const Element& e = schema[at];
    FileColumn c;
    if (e.type < 0 || e.children > 0 || e.repetition == kRepeated) {
      c.name = e.name;
      c.refused = e.logical == 3 || e.converted == 3 ? "a LIST (wh has no arrays yet)"
                  : e.logical == 2 || e.converted == 1 || e.converted == 2 ? "a MAP (wh has no maps)"
                  : e.repetition == kRepeated ? "a repeated field (wh has no arrays yet)"
                  : "a group of nested fields (wh has no structs)";
      int leaves = 0;
      WH_RETURN_IF_ERROR(skip_subtree(&at, &leaves));
      leaf += leaves;
    } else {
      c = MapColumn(e);
      c.leaf = leaf++;
      ++at;
    }
    r->columns_.push_back(std::move(c));
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    if (groups[g].size() != static_cast<size_t>(leaf))
      return bad("row group " + std::to_string(g) + " has " + std::to_string(groups[g].size()) + " column chunks for " +
                 std::to_string(leaf) + " columns");
    RowGroup rg;
    rg.rows = group_rows[g];
    for (const auto& [m, file_offset] : groups[g]) {
      ChunkInfo ci;
      ci.codec = m.codec;
      ci.values = m.values;
      int64_t start = m.data_offset;
      if (m.dictionary_offset > 0 && m.dictionary_offset < start) start = m.dictionary_offset;
      (void)file_offset;
      ci.start = start;
      ci.size = m.compressed;
      if (start < 4 || ci.size < 0 || static_cast<uint64_t>(start) + static_cast<uint64_t>(ci.size) > data.size() - 8 - len)
        return bad("a column chunk of row group " + std::to_string(g) + " lies outside the file's data");
      rg.chunks.push_back(ci);
    }
    r->groups_.push_back(std::move(rg));
  }
  return r;
}

Status Reader::Read(size_t g, size_t column, Column* out) const {
  const FileColumn& c = columns_[column];
  auto where = [&](const std::string& why) {
    return name_ + ": row group " + std::to_string(g) + ", column '" + c.name + "': " + why;
  };
  if (!c.refused.empty()) return Status::NotSupported(where(c.refused));
  const ChunkInfo& ci = groups_[g].chunks[static_cast<size_t>(c.leaf)];
  const auto* base = reinterpret_cast<const uint8_t*>(data_.data());
  size_t pos = static_cast<size_t>(ci.start);
  const size_t end = static_cast<size_t>(ci.start + ci.size);
  Values dict;
  bool have_dict = false;
  std::string page;
  uint64_t rows = 0;
  const uint64_t want = groups_[g].rows;
  while (rows < want) {
    if (pos >= end) return Status::DataError(where("its pages end after " + std::to_string(rows) + " of " + std::to_string(want) + " rows"));
    ThriftReader t(base + pos, end - pos);
    PageHeader h = ParsePageHeader(&t);
    if (!t.ok()) return Status::DataError(where("a damaged page header: " + t.error()));
    pos += t.position();
    if (h.compressed < 0 || h.uncompressed < 0 || static_cast<size_t>(h.compressed) > end - pos)
      return Status::DataError(where("a page of " + std::to_string(h.compressed) + " bytes runs past its column chunk"));
    const uint8_t* body = base + pos;
    pos += static_cast<size_t>(h.compressed);
    if (h.type == kPageDictionary) {
      Status st = Decompress(ci.codec, body, static_cast<size_t>(h.compressed), static_cast<size_t>(h.uncompressed), &page);
      if (!st.ok()) return Status(st.code(), where(st.message()));
      dict = Values{};
      dict.owned.push_back(std::move(page));  // the strings view it
      page.clear();
      Bytes b{reinterpret_cast<const uint8_t*>(dict.owned[0].data()), dict.owned[0].size()};
      st = DecodePlain(c, &b, static_cast<size_t>(h.values), &dict);
      if (!st.ok()) return Status(st.code(), where("its dictionary: " + st.message()));
      have_dict = true;
      continue;
    }
    if (h.type != kPageData && h.type != kPageDataV2) continue;  // index pages and others
    if (h.values < 0 || static_cast<uint64_t>(h.values) > want - rows)
      return Status::DataError(where("a page of " + std::to_string(h.values) + " rows past the row group's " + std::to_string(want)));
    const size_t n = static_cast<size_t>(h.values);
    std::vector<uint8_t> levels;
    Bytes b{nullptr, 0};
    if (h.type == kPageData) {
      Status st = Decompress(ci.codec, body, static_cast<size_t>(h.compressed), static_cast<size_t>(h.uncompressed), &page);
      if (!st.ok()) return Status(st.code(), where(st.message()));
      b = Bytes{reinterpret_cast<const uint8_t*>(page.data()), page.size()};
      if (c.nullable) {
        if (h.def_encoding != kEncodingRle)
          return Status::NotSupported(where(std::string("definition levels encoded as ") + EncodingName(h.def_encoding) +
                                            " are not supported (RLE is)"));
        if (!b.Need(4)) return Status::DataError(where("a page without its definition levels"));
        uint32_t len;
        std::memcpy(&len, b.p, 4);
        b.pos = 4;
        if (!b.Need(len)) return Status::DataError(where("definition levels run past the page"));
        std::vector<uint32_t> lv(n);
        WH_RETURN_IF_ERROR(DecodeRleHybrid(b.p + b.pos, len, 1, n, lv.data()));
        levels.assign(lv.begin(), lv.end());
        b.pos += len;
      }
    } else {
      if (h.rep_bytes != 0) return Status::NotSupported(where("repetition levels (a nested column)"));
      if (h.def_bytes < 0 || h.def_bytes > h.compressed || h.def_bytes > h.uncompressed)
        return Status::DataError(where("definition levels past the page"));
      if (c.nullable && h.def_bytes > 0) {
        std::vector<uint32_t> lv(n);
        Status st = DecodeRleHybrid(body, static_cast<size_t>(h.def_bytes), 1, n, lv.data());
        if (!st.ok()) return Status(st.code(), where(st.message()));
        levels.assign(lv.begin(), lv.end());
      }
      const uint8_t* vals = body + h.def_bytes;
      const size_t vbytes = static_cast<size_t>(h.compressed - h.def_bytes);
      const size_t vraw = static_cast<size_t>(h.uncompressed - h.def_bytes);
      Status st = h.v2_compressed ? Decompress(ci.codec, vals, vbytes, vraw, &page)
                                  : Decompress(kCodecUncompressed, vals, vbytes, vbytes, &page);
      if (!st.ok()) return Status(st.code(), where(st.message()));
      b = Bytes{reinterpret_cast<const uint8_t*>(page.data()), page.size()};
    }
    size_t valid = n;
    if (!levels.empty()) {
      valid = 0;
      for (uint8_t l : levels) valid += l;
    }
    Values v;
    Status st = DecodeValues(c, h.encoding, &b, valid, have_dict ? &dict : nullptr, &v);
    if (!st.ok()) return Status(st.code(), where(st.message()));
    if (v.size(c.physical) != valid) return Status::DataError(where("a page holds fewer values than its rows"));
    st = AppendValues(c, v, levels, n, out);
    if (!st.ok()) return Status(st.code(), where(st.message()));
    rows += n;
  }
  if (rows != want) return Status::DataError(where("its pages hold " + std::to_string(rows) + " rows, the row group " + std::to_string(want)));
  return Status::OK();
}

}  // namespace wh::parquet
