#include "format/encoding.h"

#include <xxhash.h>
#include <zstd.h>

#include <memory>

#include <algorithm>
#include <cmath>
#include <vector>

#include "format/bitpack.h"
#include "format/coding.h"
#include "format/value_text.h"

namespace wh {

const char* EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kPlain: return "plain";
    case Encoding::kRle: return "rle";
    case Encoding::kDictionary: return "dict";
    case Encoding::kForBitpack: return "for";
    case Encoding::kLengths: return "lengths";
    case Encoding::kForPatched: return "patched";
  }
  return "?";
}

namespace {

uint128 Gcd(uint128 a, uint128 b) {
  while (b != 0) {
    uint128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}


bool Valid(const Column& c, size_t i) { return !c.IsNull(i); }

void PutWide(ByteWriter* w, int128 v, int width) {
  if (width == 16) {
    w->Put(v);
  } else {
    w->PutI64(static_cast<int64_t>(v));
  }
}

int128 GetWide(ByteReader* r, int width) {
  if (width == 16) return r->Get<int128>();
  return r->GetI64();
}

// ---------- encoders: each appends its values section to *out ----------

void EncodePlain(const Column& c, size_t b, size_t e, std::string* out) {
  ByteWriter w(out);
  if (c.type().physical() == PhysicalType::kString) {
    uint32_t off = 0;
    w.PutU32(0);
    for (size_t i = b; i < e; ++i) {
      off += static_cast<uint32_t>(c.GetString(i).size());
      w.PutU32(off);
    }
    for (size_t i = b; i < e; ++i) w.PutBytes(c.GetString(i).data(), c.GetString(i).size());
  } else {
    int width = c.type().width();
    const uint8_t* base = c.values<uint8_t>() + b * width;
    if (c.type().physical() == PhysicalType::kBool && c.has_nulls()) {
      for (size_t i = b; i < e; ++i) w.PutU8(Valid(c, i) ? c.Get<uint8_t>(i) : 0);
    } else {
      w.PutBytes(base, (e - b) * width);
    }
  }
}

// STRING values as LENGTHS: per row, u32 length then the bytes (zstd finds a repeated length
// and prefix, where PLAIN's rising offsets cost it ~4 bytes a row).
void EncodeLengths(const Column& c, size_t b, size_t e, std::string* out) {
  ByteWriter w(out);
  for (size_t i = b; i < e; ++i) {
    std::string_view v = c.GetString(i);
    w.PutU32(static_cast<uint32_t>(v.size()));
    w.PutBytes(v.data(), v.size());
  }
}

struct Run {
  size_t start;
  uint32_t length;
};

// Runs of equal values; a NULL row extends the current run (its value slot is ignored).
std::vector<Run> FindRuns(const Column& c, size_t b, size_t e, size_t limit) {
  std::vector<Run> runs;
  bool str = c.type().physical() == PhysicalType::kString;
  int width = c.type().width();
  size_t rep = b;  // a row holding the current run's value (first valid row of the run)
  bool rep_valid = false;
  for (size_t i = b; i < e; ++i) {
    bool same = false;
    if (!runs.empty()) {
      if (!Valid(c, i)) {
        same = true;
      } else if (!rep_valid) {
        same = true;
        rep = i;
        rep_valid = true;
      } else if (str) {
        same = SameString(c.GetString(i), c.GetString(rep));
      } else {
        same = std::memcmp(c.values<uint8_t>() + i * width, c.values<uint8_t>() + rep * width,
                           width) == 0;
      }
    }
    if (same) {
      ++runs.back().length;
    } else {
      if (runs.size() >= limit) return {};
      runs.push_back({i, 1});
      rep = i;
      rep_valid = Valid(c, i);
    }
  }
  // A run's representative value: its first valid row, if any.
  for (Run& r : runs) {
    for (size_t i = r.start; i < r.start + r.length; ++i) {
      if (Valid(c, i)) {
        r.start = i;
        break;
      }
    }
  }
  return runs;
}

void EncodeRle(const Column& c, const std::vector<Run>& runs, std::string* out) {
  ByteWriter w(out);
  w.PutU32(static_cast<uint32_t>(runs.size()));
  bool str = c.type().physical() == PhysicalType::kString;
  int width = c.type().width();
  for (const Run& r : runs) {
    w.PutU32(r.length);
    bool valid = Valid(c, r.start);
    if (str) {
      w.PutString(valid ? c.GetString(r.start) : std::string_view());
    } else if (valid) {
      w.PutBytes(c.values<uint8_t>() + r.start * width, width);
    } else {
      static const uint8_t kZero[16] = {};
      w.PutBytes(kZero, width);
    }
  }
}

size_t RleSize(const Column& c, const std::vector<Run>& runs) {
  size_t n = 4 + runs.size() * 4;
  if (c.type().physical() == PhysicalType::kString) {
    for (const Run& r : runs) n += 4 + (Valid(c, r.start) ? c.GetString(r.start).size() : 0);
  } else {
    n += runs.size() * c.type().width();
  }
  return n;
}

struct ForPlan {
  int128 base = 0;
  int128 mult = 1;
  int bw = 0;
  bool ok = false;
};

ForPlan PlanFor(const Column& c, size_t b, size_t e) {
  ForPlan p;
  bool any = false;
  int128 mn = 0, mx = 0;
  for (size_t i = b; i < e; ++i) {
    if (!Valid(c, i)) continue;
    int128 v = IntegerAt(c, i);
    if (!any) { mn = mx = v; any = true; }
    mn = std::min(mn, v);
    mx = std::max(mx, v);
  }
  p.base = mn;
  uint128 g = 0;
  if (any) {
    for (size_t i = b; i < e && g != 1; ++i) {
      if (Valid(c, i)) g = Gcd(static_cast<uint128>(IntegerAt(c, i)) - static_cast<uint128>(mn), g);
    }
  }
  if (g == 0) g = 1;
  // Differences in unsigned arithmetic: max - min of DECIMAL(38) values can exceed int128.
  uint128 range = (static_cast<uint128>(mx) - static_cast<uint128>(mn)) / g;
  if (range > ~uint64_t{0}) return p;  // does not fit 64-bit offsets: not applicable
  p.mult = static_cast<int128>(g);
  p.bw = BitWidth(static_cast<uint64_t>(range));
  p.ok = true;
  return p;
}

// FOR_BITPACK's payload (and the start of FOR_PATCHED's): base and multiplier (16 bytes each
// for DECIMAL p > 18, else 8), the width, the offsets bit-packed.
void PutFrameOfReference(const Column& c, int128 base, int128 mult, int bw, const std::vector<uint64_t>& offs,
                         std::string* out) {
  ByteWriter w(out);
  const int wide = c.type().physical() == PhysicalType::kInt128 ? 16 : 8;
  PutWide(&w, base, wide);
  PutWide(&w, mult, wide);
  w.PutU8(static_cast<uint8_t>(bw));
  const size_t at = out->size();
  out->resize(at + BitPackedSize(offs.size(), bw));
  BitPack(offs.data(), offs.size(), bw, reinterpret_cast<uint8_t*>(out->data() + at));
}

// FOR_PATCHED: frame of reference for most rows, the others (exceptions) stored whole. It pays
// where a few values break a common divisor (DECIMAL amounts read from binary floating point:
// 7.8100000000000005 among cents) or the range (rare huge values among small ones): FOR_BITPACK
// then needs 40-60 bits for every row.
struct PatchPlan {
  int128 base = 0;
  int128 mult = 1;
  int bw = 0;
  std::vector<uint64_t> offs;     // per row of the block; 0 for NULL and exception rows
  std::vector<uint32_t> rows;     // exception rows, block-relative, increasing
  size_t size = 0;
  bool ok = false;
};

// x / d for a d that divides x, as (x >> s) * inverse of the odd part: no 128-bit division.
struct ExactDivisor {
  unsigned shift = 0;
  uint128 inverse = 1;  // of d >> shift, modulo 2^128
  uint128 limit = 0;    // largest quotient of the odd part: (2^128 - 1) / (d >> shift)
  explicit ExactDivisor(uint128 d) {
    while ((d & 1) == 0) { d >>= 1; ++shift; }
    uint128 x = d;  // Newton's iteration doubles the correct low bits: 3, 6, ..., 192
    for (int i = 0; i < 6; ++i) x *= 2 - d * x;
    inverse = x;
    limit = ~uint128{0} / d;
  }
  uint128 Divide(uint128 x) const { return (x >> shift) * inverse; }
  bool Divides(uint128 x) const {
    if (shift && (x & ((uint128{1} << shift) - 1)) != 0) return false;
    return (x >> shift) * inverse <= limit;
  }
};

PatchPlan PlanPatched(const Column& c, size_t b, size_t e, const ForPlan& forp) {
  PatchPlan p;
  const size_t n = e - b;
  const int width = c.type().width();
  if (width < 4 || n < 64) return p;
  // The greatest power of ten that divides all but a sixteenth of 64 sampled values.
  const int max_k = width == 16 ? 38 : width == 8 ? 18 : 9;
  int k_count[39] = {};
  int sampled = 0;
  for (size_t j = 0; j < 64; ++j) {  // rows floor(j * n / 64), spread over the block
    const size_t i = b + j * n / 64;
    if (!Valid(c, i)) continue;
    const int128 v = IntegerAt(c, i);
    const uint128 a = v < 0 ? uint128{0} - static_cast<uint128>(v) : static_cast<uint128>(v);
    int k = 0;
    if (a == 0) {
      k = max_k;
    } else if (a <= ~uint64_t{0}) {  // 64-bit divisions where the value allows (most)
      uint64_t x = static_cast<uint64_t>(a);
      while (k < max_k && x % 10 == 0) { x /= 10; ++k; }
    } else {
      uint128 x = a;
      while (k < max_k && x % 10 == 0) { x /= 10; ++k; }
    }
    for (int t = 1; t <= k; ++t) ++k_count[t];
    ++sampled;
  }
  if (sampled < 16) return p;
  int k = 0;
  for (int j = max_k; j >= 1; --j)
    if (k_count[j] >= sampled - sampled / 16) { k = j; break; }
  uint128 d = 1;
  for (int j = 0; j < k; ++j) d *= 10;
  // Every value a multiple of d already: FOR's own divisor; patches then only cut the range.
  const bool by_power = k > 0 && (!forp.ok || static_cast<uint128>(forp.mult) % d != 0);
  if (!by_power) {
    if (!forp.ok) return p;
    d = static_cast<uint128>(forp.mult);
  }
  const ExactDivisor div(d);
  int128 base = forp.base;
  if (by_power) {  // the least multiple of d
    bool any = false;
    for (size_t i = b; i < e; ++i) {
      if (!Valid(c, i)) continue;
      const int128 v = IntegerAt(c, i);
      if (!div.Divides(v < 0 ? uint128{0} - static_cast<uint128>(v) : static_cast<uint128>(v))) continue;
      if (!any || v < base) base = v;
      any = true;
    }
    if (!any) return p;
  }
  // Row i's offset; false when it is an exception whatever the width (not a multiple of d, or
  // an offset of more than 64 bits).
  auto offset_of = [&](size_t i, uint64_t* off) {
    const int128 v = IntegerAt(c, i);
    if (by_power && !div.Divides(v < 0 ? uint128{0} - static_cast<uint128>(v) : static_cast<uint128>(v)))
      return false;
    const uint128 q = div.Divide(static_cast<uint128>(v) - static_cast<uint128>(base));
    if (q > ~uint64_t{0}) return false;
    *off = static_cast<uint64_t>(q);
    return true;
  };
  // How many rows need each bit width; the width that makes packed offsets plus exceptions
  // smallest. (Counted before anything is stored: most blocks planned, ids and timestamps, end
  // here without exceptions.)
  size_t by_width[65] = {};
  size_t forced = 0;
  if (!by_power && d == 1 && width == 8) {
    // The common case (ids, FOR_BITPACK's multiplier 1): a tight loop over the raw values.
    const uint64_t* v = c.values<uint64_t>();
    const uint64_t base64 = static_cast<uint64_t>(static_cast<int64_t>(base));
    for (size_t i = b; i < e; ++i)
      if (Valid(c, i)) ++by_width[BitWidth(v[i] - base64)];
  } else {
    for (size_t i = b; i < e; ++i) {
      if (!Valid(c, i)) continue;
      uint64_t off;
      if (offset_of(i, &off)) ++by_width[BitWidth(off)];
      else ++forced;
    }
  }
  const size_t wide = width == 16 ? 16 : 8;
  const size_t fixed = 1 + 2 * wide + 4;
  size_t best = SIZE_MAX, over = 0, best_over = 0;
  int best_w = 64;
  for (int w = 64; w >= 0; --w) {
    const size_t size = fixed + BitPackedSize(n, w) + (forced + over) * (4 + width);
    if (size <= best) { best = size; best_w = w; best_over = forced + over; }
    over += by_width[w];
  }
  if (best_over == 0) return p;  // no exceptions: FOR_BITPACK's plan
  p.base = base;
  p.mult = static_cast<int128>(d);
  p.bw = best_w;
  p.offs.assign(n, 0);
  p.rows.reserve(best_over);
  for (size_t i = b; i < e; ++i) {
    if (!Valid(c, i)) continue;
    uint64_t off;
    if (offset_of(i, &off) && BitWidth(off) <= best_w) p.offs[i - b] = off;
    else p.rows.push_back(static_cast<uint32_t>(i - b));
  }
  if (p.rows.empty()) return PatchPlan{};  // plain FOR_BITPACK then
  p.size = best;
  p.ok = true;
  return p;
}

void EncodePatched(const Column& c, size_t b, const PatchPlan& p, std::string* out) {
  PutFrameOfReference(c, p.base, p.mult, p.bw, p.offs, out);
  ByteWriter w(out);
  const int width = c.type().width();
  w.PutU32(static_cast<uint32_t>(p.rows.size()));
  for (uint32_t r : p.rows) w.PutU32(r);
  for (uint32_t r : p.rows) w.PutBytes(c.values<uint8_t>() + (b + r) * width, width);
}

void EncodeFor(const Column& c, size_t b, size_t e, const ForPlan& p, std::string* out) {
  size_t n = e - b;
  std::vector<uint64_t> offs(n);
  uint128 mult = static_cast<uint128>(p.mult);
  for (size_t i = 0; i < n; ++i) {
    offs[i] = Valid(c, b + i)
                  ? static_cast<uint64_t>((static_cast<uint128>(IntegerAt(c, b + i)) -
                                           static_cast<uint128>(p.base)) / mult)
                  : 0;
  }
  PutFrameOfReference(c, p.base, p.mult, p.bw, offs, out);
}

struct DictPlan {
  std::vector<std::string_view> entries;
  std::vector<uint64_t> codes;
  int bw = 0;
  size_t size = 0;
  bool ok = false;
};

DictPlan PlanDict(const Column& c, size_t b, size_t e, size_t max_entries) {
  DictPlan d;
  size_t n = e - b;
  // The distinct strings by an open-addressing table of entry + 1 (0 = empty), kept at most
  // half full and reused by the thread: no allocation per string, as a node-based map made for
  // every new string of every block. A row equal to the one before takes its code unlooked.
  thread_local std::vector<uint32_t> slots;
  size_t cap = 64;
  slots.assign(cap, 0);
  d.codes.resize(n);
  size_t bytes = 0;
  std::string_view prev;
  uint32_t prev_code = UINT32_MAX;
  for (size_t i = 0; i < n; ++i) {
    if (!Valid(c, b + i)) continue;
    const std::string_view s = c.GetString(b + i);
    if (prev_code != UINT32_MAX && SameString(s, prev)) {
      d.codes[i] = prev_code;
      continue;
    }
    size_t p = XXH3_64bits(s.data(), s.size()) & (cap - 1);
    while (slots[p] && !SameString(d.entries[slots[p] - 1], s)) p = (p + 1) & (cap - 1);
    uint32_t code;
    if (slots[p]) {
      code = slots[p] - 1;
    } else {
      code = static_cast<uint32_t>(d.entries.size());
      d.entries.push_back(s);
      bytes += s.size();
      if (d.entries.size() > max_entries) return d;  // not worth it
      slots[p] = code + 1;
      if (2 * d.entries.size() > cap) {  // grow: the entries are spread anew
        cap *= 2;
        slots.assign(cap, 0);
        for (uint32_t k = 0; k < d.entries.size(); ++k) {
          size_t q = XXH3_64bits(d.entries[k].data(), d.entries[k].size()) & (cap - 1);
          while (slots[q]) q = (q + 1) & (cap - 1);
          slots[q] = k + 1;
        }
      }
    }
    d.codes[i] = code;
    prev = s;
    prev_code = code;
  }
  d.bw = BitWidth(d.entries.empty() ? 0 : d.entries.size() - 1);
  d.size = 4 + 4 * (d.entries.size() + 1) + bytes + 1 + BitPackedSize(n, d.bw);
  d.ok = true;
  return d;
}

void EncodeDict(const DictPlan& d, std::string* out) {
  ByteWriter w(out);
  w.PutU32(static_cast<uint32_t>(d.entries.size()));
  uint32_t off = 0;
  w.PutU32(0);
  for (auto s : d.entries) {
    off += static_cast<uint32_t>(s.size());
    w.PutU32(off);
  }
  for (auto s : d.entries) w.PutBytes(s.data(), s.size());
  w.PutU8(static_cast<uint8_t>(d.bw));
  size_t at = out->size();
  out->resize(at + BitPackedSize(d.codes.size(), d.bw));
  BitPack(d.codes.data(), d.codes.size(), d.bw, reinterpret_cast<uint8_t*>(out->data() + at));
}

size_t PlainSize(const Column& c, size_t b, size_t e) {
  if (c.type().physical() != PhysicalType::kString) return (e - b) * c.type().width();
  size_t n = 4 * (e - b + 1);
  for (size_t i = b; i < e; ++i) n += c.GetString(i).size();
  return n;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Zone maps

namespace {

// Min and max of n > 0 values, in the values' own type (a loop of compares and moves).
template <typename T>
void MinMaxOf(const T* v, size_t n, int128* lo, int128* hi) {
  T mn = v[0], mx = v[0];
  for (size_t i = 1; i < n; ++i) {
    mn = v[i] < mn ? v[i] : mn;
    mx = v[i] > mx ? v[i] : mx;
  }
  *lo = mn;
  *hi = mx;
}

}  // namespace

ZoneMap ComputeZoneMap(const Column& c, size_t b, size_t e) {
  ZoneMap z;
  const DataType& t = c.type();
  // 32- and 64-bit integers without NULLs (ids, times, dates, counts): typed, without the
  // per-row type dispatch and 128-bit compares below.
  if (e > b && !c.has_nulls() &&
      (t.physical() == PhysicalType::kInt64 || t.physical() == PhysicalType::kInt32)) {
    if (t.physical() == PhysicalType::kInt64) MinMaxOf(c.values<int64_t>() + b, e - b, &z.min_i, &z.max_i);
    else MinMaxOf(c.values<int32_t>() + b, e - b, &z.min_i, &z.max_i);
    z.has_min_max = true;
    return z;
  }
  bool any = false;
  std::string_view min_s, max_s;  // STRING: views of the column until the end
  for (size_t i = b; i < e; ++i) {
    if (!Valid(c, i)) {
      ++z.null_count;
      continue;
    }
    switch (t.physical()) {
      case PhysicalType::kDouble: {
        double v = c.Get<double>(i);
        if (std::isnan(v)) {
          z.has_min_max = false;
          any = true;
          // A NaN disables min/max for the whole run (SPEC.md zone-map rules).
          for (size_t k = i + 1; k < e; ++k) z.null_count += !Valid(c, k);
          return z;
        }
        if (!any) { z.min_d = z.max_d = v; any = true; }
        z.min_d = std::min(z.min_d, v);
        z.max_d = std::max(z.max_d, v);
        break;
      }
      case PhysicalType::kString: {
        std::string_view v = c.GetString(i);
        if (!any) { min_s = max_s = v; any = true; }
        if (v < min_s) min_s = v;
        if (v > max_s) max_s = v;
        break;
      }
      default: {
        int128 v = IntegerAt(c, i);
        if (!any) { z.min_i = z.max_i = v; any = true; }
        z.min_i = std::min(z.min_i, v);
        z.max_i = std::max(z.max_i, v);
      }
    }
  }
  z.has_min_max = any;
  if (t.physical() == PhysicalType::kString) {
    if (min_s.size() > kMaxZoneMapString || max_s.size() > kMaxZoneMapString) z.has_min_max = false;
    else if (any) z.min_s = min_s, z.max_s = max_s;
  }
  if (!z.has_min_max) { z.min_s.clear(); z.max_s.clear(); }
  return z;
}

void ZoneMap::Merge(const ZoneMap& o, const DataType& type) {
  // A side without min/max contributes only its null count. Whether it was all NULL or held
  // values no bound covers (then the merge must have no min/max either) only the caller, which
  // knows the row counts, can tell: see ZoneMerger (segment.h).
  null_count += o.null_count;
  if (!o.has_min_max) return;
  if (!has_min_max) {
    uint64_t nc = null_count;
    *this = o;
    null_count = nc;
    return;
  }
  switch (type.physical()) {
    case PhysicalType::kDouble:
      min_d = std::min(min_d, o.min_d);
      max_d = std::max(max_d, o.max_d);
      break;
    case PhysicalType::kString:
      if (o.min_s < min_s) min_s = o.min_s;
      if (o.max_s > max_s) max_s = o.max_s;
      break;
    default:
      min_i = std::min(min_i, o.min_i);
      max_i = std::max(max_i, o.max_i);
  }
}

void ZoneMap::Serialize(const DataType& type, std::string* out) const {
  ByteWriter w(out);
  w.PutU8(has_min_max ? 1 : 0);
  w.PutU64(null_count);
  if (!has_min_max) return;
  switch (type.physical()) {
    case PhysicalType::kDouble:
      w.Put(min_d);
      w.Put(max_d);
      break;
    case PhysicalType::kString:
      w.PutString(min_s);
      w.PutString(max_s);
      break;
    case PhysicalType::kInt128:
      w.Put(min_i);
      w.Put(max_i);
      break;
    default:
      w.PutI64(static_cast<int64_t>(min_i));
      w.PutI64(static_cast<int64_t>(max_i));
  }
}

ZoneMap ZoneMap::Deserialize(const DataType& type, ByteReader* r) {
  ZoneMap z;
  uint8_t flags = r->GetU8();
  z.null_count = r->GetU64();
  if (flags > 1) r->Fail();
  z.has_min_max = flags & 1;
  if (!z.has_min_max) return z;
  switch (type.physical()) {
    case PhysicalType::kDouble:
      z.min_d = r->Get<double>();
      z.max_d = r->Get<double>();
      break;
    case PhysicalType::kString:
      z.min_s = std::string(r->GetString());
      z.max_s = std::string(r->GetString());
      break;
    case PhysicalType::kInt128:
      z.min_i = r->Get<int128>();
      z.max_i = r->Get<int128>();
      break;
    default:
      z.min_i = r->GetI64();
      z.max_i = r->GetI64();
  }
  return z;
}

uint64_t ZoneMap::Skip(const DataType& type, ByteReader* r) {
  uint8_t flags = r->GetU8();
  uint64_t null_count = r->GetU64();
  if (flags > 1) r->Fail();
  if (!(flags & 1)) return null_count;
  switch (type.physical()) {
    case PhysicalType::kString:
      r->GetString();
      r->GetString();
      break;
    case PhysicalType::kDouble: r->GetBytes(2 * sizeof(double)); break;
    case PhysicalType::kInt128: r->GetBytes(2 * sizeof(int128)); break;
    default: r->GetBytes(2 * sizeof(int64_t));
  }
  return null_count;
}

namespace {
std::string StatText(const DataType& t, int128 i, double d, const std::string& s) {
  switch (t.id) {
    case TypeId::kBoolean: return i ? "true" : "false";
    case TypeId::kInt32:
    case TypeId::kInt64: return FormatInt128(i);
    case TypeId::kDouble: return FormatDouble(d);
    case TypeId::kDecimal: return FormatDecimal(i, t.scale);
    case TypeId::kString:
    case TypeId::kList: return s;  // (no table holds a list)
    case TypeId::kDate: return FormatDate(static_cast<int32_t>(i));
    case TypeId::kTimestamp: return FormatTimestamp(static_cast<int64_t>(i));
  }
  return "?";
}
}  // namespace

std::string ZoneMap::MinString(const DataType& t) const {
  return has_min_max ? StatText(t, min_i, min_d, min_s) : "";
}
std::string ZoneMap::MaxString(const DataType& t) const {
  return has_min_max ? StatText(t, max_i, max_d, max_s) : "";
}

// ---------------------------------------------------------------------------------------------
// Blocks

Status EncodeBlock(const Column& c, size_t b, size_t e, const EncodeOptions& opt,
                   std::string* out, BlockInfo* info_out) {
  if (e < b || e > c.size()) return Status::Internal("EncodeBlock: bad row range");
  size_t n = e - b;
  if (n > kMaxBlockRows) return Status::Internal("EncodeBlock: too many rows for one block");
  const DataType& t = c.type();
  bool str = t.physical() == PhysicalType::kString;
  bool intlike = t.is_integer_like();

  std::string payload;
  ByteWriter w(&payload);
  // Validity section.
  bool any_null = false;
  for (size_t i = b; i < e && c.has_nulls(); ++i) any_null |= !Valid(c, i);
  w.PutU8(any_null ? 1 : 0);
  if (any_null) {
    std::string bitmap((n + 7) / 8, '\0');
    for (size_t i = 0; i < n; ++i)
      if (Valid(c, b + i)) bitmap[i >> 3] |= static_cast<char>(1u << (i & 7));
    w.PutBytes(bitmap.data(), bitmap.size());
  }

  // Pick the smallest applicable encoding (or the forced one when valid for the type).
  Encoding enc = Encoding::kPlain;
  const size_t plain_size = PlainSize(c, b, e);
  size_t best = plain_size;
  std::vector<Run> runs = FindRuns(c, b, e, std::max<size_t>(1, n / 4));
  ForPlan forp;
  PatchPlan patch;
  DictPlan dict;
  if (intlike) forp = PlanFor(c, b, e);
  // Patches are looked for only where FOR_BITPACK needs many bits (or cannot be used).
  if (intlike && (!forp.ok || forp.bw > 12 || opt.force_encoding == Encoding::kForPatched))
    patch = PlanPatched(c, b, e, forp);
  if (str) {
    bool forced = opt.force_encoding && *opt.force_encoding == Encoding::kDictionary;
    dict = PlanDict(c, b, e, forced ? n : n / 2 + 1);
  }
  auto consider = [&](Encoding cand, bool applicable, size_t size) {
    if (!applicable) return;
    if (opt.force_encoding) {
      if (*opt.force_encoding == cand) { enc = cand; best = 0; }
      return;
    }
    if (size < best) { enc = cand; best = size; }
  };
  if (opt.force_encoding && *opt.force_encoding == Encoding::kRle && runs.empty())
    runs = FindRuns(c, b, e, n + 1);
  consider(Encoding::kRle, !runs.empty(), runs.empty() ? 0 : RleSize(c, runs));
  consider(Encoding::kForBitpack, forp.ok,
           1 + 2 * (t.physical() == PhysicalType::kInt128 ? 16 : 8) + BitPackedSize(n, forp.bw));
  consider(Encoding::kDictionary, dict.ok, dict.size);
  consider(Encoding::kForPatched, patch.ok, patch.size);
  // LENGTHS is PLAIN's size less 4 bytes: STRING's PLAIN from format version 4 on.
  consider(Encoding::kLengths, str, plain_size - 4);
  const size_t validity_bytes = payload.size();
  auto encode_values = [&](Encoding as, std::string* to) {
    switch (as) {
      case Encoding::kPlain: EncodePlain(c, b, e, to); break;
      case Encoding::kLengths: EncodeLengths(c, b, e, to); break;
      case Encoding::kForPatched: EncodePatched(c, b, patch, to); break;
      case Encoding::kRle: EncodeRle(c, runs, to); break;
      case Encoding::kForBitpack: EncodeFor(c, b, e, forp, to); break;
      case Encoding::kDictionary: EncodeDict(dict, to); break;
    }
  };
  // zstd of a payload when it is large enough and saves more than an eighth, else empty.
  auto compress = [&](const std::string& raw, std::string* to) {
    to->clear();
    if (!opt.allow_zstd || raw.size() < std::max<size_t>(opt.zstd_min_bytes, 64)) return false;
    to->resize(ZSTD_compressBound(raw.size()));
    // One compression context per thread (creating one per block is most of the cost of small
    // blocks).
    thread_local std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
    const size_t r = ZSTD_compressCCtx(cctx.get(), to->data(), to->size(), raw.data(), raw.size(), opt.zstd_level);
    if (ZSTD_isError(r) || r >= raw.size() - raw.size() / 8) return false;
    to->resize(r);
    return true;
  };
  encode_values(enc, &payload);
  if (payload.size() > kMaxBlockRawBytes) return Status::Internal("block too large");
  std::string compressed;
  bool zstd = compress(payload, &compressed);
  // A dictionary of many entries (receipt numbers: about one per two rows) is smallest before
  // compression, but its entries and scattered codes often compress worse than the strings in
  // row order: then LENGTHS is compressed too, and the smaller stored kept.
  // (Dictionaries of up to Column::kMaxDictionary entries are kept: queries use their codes.)
  if (enc == Encoding::kDictionary && zstd && !opt.force_encoding &&
      dict.entries.size() > std::max<size_t>(n / 16, Column::kMaxDictionary)) {
    std::string alt = payload.substr(0, validity_bytes), alt_compressed;
    encode_values(Encoding::kLengths, &alt);
    if (alt.size() <= kMaxBlockRawBytes && compress(alt, &alt_compressed) && alt_compressed.size() < compressed.size()) {
      enc = Encoding::kLengths;
      payload = std::move(alt);
      compressed = std::move(alt_compressed);
    }
  }

  BlockInfo info;
  info.encoding = enc;
  info.rows = static_cast<uint32_t>(n);
  info.raw_size = static_cast<uint32_t>(payload.size());
  if (zstd) info.compression = Compression::kZstd;
  const std::string& stored = info.compression == Compression::kZstd ? compressed : payload;
  info.stored_size = static_cast<uint32_t>(stored.size());

  size_t start = out->size();
  ByteWriter fw(out);
  fw.PutU8(static_cast<uint8_t>(info.encoding));
  fw.PutU8(static_cast<uint8_t>(info.compression));
  fw.PutU16(0);
  fw.PutU32(info.rows);
  fw.PutU32(info.raw_size);
  fw.PutU32(info.stored_size);
  fw.PutBytes(stored.data(), stored.size());
  fw.PutU64(Checksum64(out->data() + start, out->size() - start));
  if (info_out) *info_out = info;
  return Status::OK();
}

Status VerifyBlockFrame(const uint8_t* data, size_t size, BlockInfo* info_out) {
  if (size < kBlockHeaderSize + kBlockTrailerSize)
    return Status::Corruption("block of " + std::to_string(size) + " bytes is shorter than its frame");
  ByteReader r(data, kBlockHeaderSize);
  BlockInfo info;
  uint8_t enc = r.GetU8();
  uint8_t comp = r.GetU8();
  uint16_t reserved = r.GetU16();
  info.rows = r.GetU32();
  info.raw_size = r.GetU32();
  info.stored_size = r.GetU32();
  uint64_t expected;
  std::memcpy(&expected, data + size - kBlockTrailerSize, 8);
  uint64_t actual = Checksum64(data, size - kBlockTrailerSize);
  if (expected != actual) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "block checksum mismatch: expected %016llx, actual %016llx",
                  static_cast<unsigned long long>(expected), static_cast<unsigned long long>(actual));
    return Status::Corruption(buf);
  }
  if (info.stored_size != size - kBlockHeaderSize - kBlockTrailerSize)
    return Status::Corruption("block stored size " + std::to_string(info.stored_size) +
                              " disagrees with its frame of " + std::to_string(size) + " bytes");
  if (enc > static_cast<uint8_t>(Encoding::kForPatched) || comp > 1 || reserved != 0)
    return Status::Corruption("block header names unknown encoding " + std::to_string(enc) +
                              " or compression " + std::to_string(comp));
  if (info.rows > kMaxBlockRows || info.raw_size > kMaxBlockRawBytes)
    return Status::Corruption("block header declares implausible sizes");
  if (comp == 0 && info.raw_size != info.stored_size)
    return Status::Corruption("uncompressed block with raw size != stored size");
  info.encoding = static_cast<Encoding>(enc);
  info.compression = static_cast<Compression>(comp);
  if (info_out) *info_out = info;
  return Status::OK();
}

namespace {

Status Bad(const std::string& what) { return Status::Corruption("bad block payload: " + what); }

Status DecodeStrings(ByteReader* r, size_t count, std::vector<uint32_t>* offs, std::string* chars) {
  offs->resize(count + 1);
  for (size_t i = 0; i <= count; ++i) (*offs)[i] = r->GetU32();
  if (!r->ok() || (*offs)[0] != 0) return Bad("string offsets");
  for (size_t i = 0; i < count; ++i)
    if ((*offs)[i + 1] < (*offs)[i]) return Bad("string offsets decrease");
  std::string_view bytes = r->GetBytes((*offs)[count]);
  if (!r->ok()) return Bad("string bytes past end");
  chars->assign(bytes);
  return Status::OK();
}

template <typename T>
void StoreInts(Column* col, const uint64_t* offs, size_t n, int128 base, int128 mult) {
  T* out = reinterpret_cast<T*>(col->ResizeFixedForWrite(n));  // every row written
  if constexpr (sizeof(T) <= 8) {
    uint64_t b = static_cast<uint64_t>(static_cast<int64_t>(base));
    uint64_t m = static_cast<uint64_t>(static_cast<int64_t>(mult));
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<T>(b + m * offs[i]);
  } else {
    for (size_t i = 0; i < n; ++i)
      out[i] = static_cast<T>(static_cast<uint128>(base) + static_cast<uint128>(mult) * offs[i]);
  }
}

}  // namespace

Result<Column> DecodeBlock(const DataType& type, const uint8_t* data, size_t size,
                           uint32_t expected_rows, BlockInfo* info_out) {
  // Per-thread scratch kept across blocks for the decompressed bytes and the unpacked integers:
  // a scan decodes tens of thousands of small blocks, and allocating and zeroing these anew for
  // each was a fifth of decoding.
  thread_local Buffer raw_buf, ints_buf;
  BlockInfo info;
  WH_RETURN_IF_ERROR(VerifyBlockFrame(data, size, &info));
  if (info.rows != expected_rows)
    return Status::Corruption("block holds " + std::to_string(info.rows) + " values, expected " +
                              std::to_string(expected_rows));
  const uint8_t* payload = data + kBlockHeaderSize;
  if (info.compression == Compression::kZstd) {
    unsigned long long declared = ZSTD_getFrameContentSize(payload, info.stored_size);
    if (declared != info.raw_size) return Bad("zstd frame size disagrees with the header");
    // Exactly one frame, filling the payload (as a compressed manifest record's).
    if (ZSTD_findFrameCompressedSize(payload, info.stored_size) != info.stored_size)
      return Bad("the payload is not exactly one zstd frame");
    char* decompressed = raw_buf.Rewrite<char>(info.raw_size);
    // One decompression context per thread: creating one per block costs more than small blocks.
    thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
    size_t r = ZSTD_decompressDCtx(dctx.get(), decompressed, info.raw_size, payload, info.stored_size);
    if (ZSTD_isError(r) || r != info.raw_size) return Bad("zstd frame does not decompress");
    payload = reinterpret_cast<const uint8_t*>(decompressed);
  }
  ByteReader r(payload, info.raw_size);
  size_t n = info.rows;
  Column col(type);
  std::vector<uint8_t> validity;
  uint8_t has_validity = r.GetU8();
  if (has_validity > 1) return Bad("validity flag");
  if (has_validity) {
    std::string_view bitmap = r.GetBytes((n + 7) / 8);
    if (!r.ok()) return Bad("validity bitmap past end");
    validity.resize(n);
    for (size_t i = 0; i < n; ++i) validity[i] = (bitmap[i >> 3] >> (i & 7)) & 1;
  }
  const PhysicalType phys = type.physical();
  const int width = type.width();
  switch (info.encoding) {
    case Encoding::kPlain: {
      if (phys == PhysicalType::kString) {
        std::vector<uint32_t> offs;
        std::string chars;
        WH_RETURN_IF_ERROR(DecodeStrings(&r, n, &offs, &chars));
        col.SetStrings(std::move(offs), std::move(chars));
      } else {
        std::string_view bytes = r.GetBytes(n * width);
        if (!r.ok()) return Bad("plain values past end");
        std::memcpy(col.ResizeFixedForWrite(n), bytes.data(), bytes.size());
      }
      break;
    }
    case Encoding::kLengths: {
      if (phys != PhysicalType::kString) return Bad("lengths encoding on a non-string column");
      // Two passes: the lengths (checked against the payload) size the bytes, then copied.
      const size_t start = r.pos();
      uint64_t total = 0;
      for (size_t i = 0; i < n; ++i) {
        const uint32_t len = r.GetU32();
        r.GetBytes(len);
        if (!r.ok()) return Bad("string past end");
        total += len;
      }
      std::vector<uint32_t> offs(n + 1);
      std::string chars(total, '\0');
      const uint8_t* in = payload + start;
      uint32_t pos = 0;
      for (size_t i = 0; i < n; ++i) {
        uint32_t len;
        std::memcpy(&len, in, 4);
        std::memcpy(chars.data() + pos, in + 4, len);
        in += 4 + len;
        pos += len;
        offs[i + 1] = pos;
      }
      col.SetStrings(std::move(offs), std::move(chars));
      break;
    }
    case Encoding::kRle: {
      uint32_t runs = r.GetU32();
      if (!r.ok() || runs > n) return Bad("run count");
      size_t total = 0;
      if (phys == PhysicalType::kString) {
        // The runs first; then, when they hold few distinct strings (a currency, a status), the
        // column in dictionary form - each distinct string once and a code per row, as a
        // DICTIONARY block decodes - else plain.
        struct Run {
          uint32_t len;
          std::string_view value;
          uint32_t entry;
        };
        std::vector<Run> run_list(runs);
        std::vector<std::string_view> distinct;
        // distinct's entries by hash (open addressing, slot = entry + 1; 0 empty), with room
        // to spare for the most entries looked up (kMaxDictionary + 1).
        constexpr size_t kSlots = 256;
        static_assert(kSlots >= 3 * (Column::kMaxDictionary + 1) && Column::kMaxDictionary < 255);
        uint8_t slots[kSlots] = {};
        uint64_t bytes = 0;  // of the plain form (the same limit either way)
        for (uint32_t k = 0; k < runs; ++k) {
          uint32_t len = r.GetU32();
          std::string_view v = r.GetString();
          if (!r.ok() || len == 0 || len > n - total) return Bad("run length");
          if (bytes + uint64_t{len} * v.size() > kMaxBlockRawBytes) return Bad("run too large");
          bytes += uint64_t{len} * v.size();
          // Looked up only while a dictionary is still possible: past kMaxDictionary distinct
          // strings the column is plain.
          uint32_t e = 0;
          if (distinct.size() <= Column::kMaxDictionary) {
            size_t h = XXH3_64bits(v.data(), v.size()) & (kSlots - 1);
            while (slots[h] != 0 && !SameString(distinct[slots[h] - 1], v)) h = (h + 1) & (kSlots - 1);
            if (slots[h] == 0) {
              slots[h] = static_cast<uint8_t>(distinct.size() + 1);
              distinct.push_back(v);
            }
            e = slots[h] - 1;
          }
          run_list[k] = Run{len, v, e};
          total += len;
        }
        if (total != n) return Bad("runs do not add up to the row count");
        const uint8_t* valid = validity.empty() ? nullptr : validity.data();
        if (!distinct.empty() && distinct.size() <= Column::kMaxDictionary) {
          // NULL rows name an empty entry, added when no run holds one.
          uint32_t empty = 0;
          while (empty < distinct.size() && !distinct[empty].empty()) ++empty;
          std::vector<uint32_t> doffs = {0};
          std::string dchars;
          for (std::string_view v : distinct) {
            dchars.append(v);
            doffs.push_back(static_cast<uint32_t>(dchars.size()));
          }
          if (valid && empty == distinct.size()) doffs.push_back(doffs.back());
          std::vector<uint32_t> codes(n);
          size_t at = 0;
          for (const Run& run : run_list) {
            for (uint32_t j = 0; j < run.len; ++j, ++at) codes[at] = valid && !valid[at] ? empty : run.entry;
          }
          auto dict = std::make_shared<Column>(DataType::String());
          dict->SetStrings(std::move(doffs), std::move(dchars));
          col.SetDictionary(std::move(dict), std::move(codes));
        } else {
          std::vector<uint32_t> offs;
          offs.reserve(n + 1);
          offs.push_back(0);
          // Sized by the valid rows' strings (a run spanning NULL rows may carry a string).
          uint64_t plain_bytes = 0;
          {
            size_t row = 0;
            for (const Run& run : run_list) {
              uint64_t valid_rows = run.len;
              if (valid) {
                valid_rows = 0;
                for (uint32_t j = 0; j < run.len; ++j) valid_rows += valid[row + j] ? 1 : 0;
              }
              plain_bytes += valid_rows * run.value.size();
              row += run.len;
            }
          }
          std::string chars(plain_bytes, '\0');
          char* to = chars.data();
          size_t at = 0;
          for (const Run& run : run_list) {
            for (uint32_t j = 0; j < run.len; ++j, ++at) {
              if (!valid || valid[at]) {
                std::memcpy(to, run.value.data(), run.value.size());
                to += run.value.size();
              }
              offs.push_back(static_cast<uint32_t>(to - chars.data()));
            }
          }
          col.SetStrings(std::move(offs), std::move(chars));
        }
      } else {
        uint8_t* out = col.ResizeFixedForWrite(n);  // the runs cover every row (checked below)
        for (uint32_t k = 0; k < runs; ++k) {
          uint32_t len = r.GetU32();
          std::string_view v = r.GetBytes(width);
          if (!r.ok() || len == 0 || len > n - total) return Bad("run length");
          for (uint32_t j = 0; j < len; ++j) std::memcpy(out + (total + j) * width, v.data(), width);
          total += len;
        }
        if (total != n) return Bad("runs do not add up to the row count");
      }
      break;
    }
    case Encoding::kDictionary: {
      if (phys != PhysicalType::kString) return Bad("dictionary encoding on a non-string column");
      uint32_t count = r.GetU32();
      if (!r.ok() || count > n) return Bad("dictionary size");
      std::vector<uint32_t> doffs;
      std::string dchars;
      WH_RETURN_IF_ERROR(DecodeStrings(&r, count, &doffs, &dchars));
      int bw = r.GetU8();
      if (bw > 32) return Bad("dictionary code width");
      std::string_view packed = r.GetBytes(BitPackedSize(n, bw));
      if (!r.ok()) return Bad("dictionary codes past end");
      uint64_t* codes = ints_buf.Rewrite<uint64_t>(n);
      BitUnpack(reinterpret_cast<const uint8_t*>(packed.data()), n, bw, codes);
      // Every code must name an entry (a NULL row's may be 0 in an empty dictionary), and the
      // strings the rows name must fit a block: checked in one pass, without branches, and the
      // size summed only when the longest entry could break the limit.
      const uint8_t* valid = validity.empty() ? nullptr : validity.data();
      uint32_t longest = 0;
      for (uint32_t e = 0; e < count; ++e) longest = std::max(longest, doffs[e + 1] - doffs[e]);
      uint64_t bad = 0;
      for (size_t i = 0; i < n; ++i) {
        const uint64_t v = valid ? valid[i] : 1;
        bad |= static_cast<uint64_t>(codes[i] >= count) & (v | static_cast<uint64_t>(codes[i] != 0));
      }
      if (bad) return Bad("dictionary code out of range");
      auto total_bytes = [&] {
        uint64_t total = 0;
        for (size_t i = 0; i < n; ++i)
          if ((!valid || valid[i]) && codes[i] < count) total += doffs[codes[i] + 1] - doffs[codes[i]];
        return total;
      };
      if (uint64_t{longest} * n > kMaxBlockRawBytes && total_bytes() > kMaxBlockRawBytes)
        return Bad("dictionary strings too large");
      if (count > 0 && count <= Column::kMaxDictionary) {
        // A small dictionary is kept as codes into it (Column's dictionary form); NULL rows name
        // an empty entry, added when the dictionary has none. Large ones (ids, names) gain
        // little from codes and would be turned plain by the first append: decoded plain.
        uint32_t empty = count;
        if (valid) {
          for (uint32_t e = 0; e < count && empty == count; ++e)
            if (doffs[e + 1] == doffs[e]) empty = e;
          if (empty == count) doffs.push_back(doffs.back());
        }
        std::vector<uint32_t> c(n);  // the column's codes (kept; zeroed once, as any vector)
        if (valid) {
          for (size_t i = 0; i < n; ++i) c[i] = valid[i] ? static_cast<uint32_t>(codes[i]) : empty;
        } else {
          for (size_t i = 0; i < n; ++i) c[i] = static_cast<uint32_t>(codes[i]);
        }
        auto dict = std::make_shared<Column>(DataType::String());
        dict->SetStrings(std::move(doffs), std::move(dchars));
        col.SetDictionary(std::move(dict), std::move(c));
        break;
      }
      std::vector<uint32_t> offs(n + 1);
      std::string chars;
      chars.resize(total_bytes());  // then filled through a raw pointer: no per-row capacity checks
      char* out = chars.data();
      uint32_t pos = 0;
      for (size_t i = 0; i < n; ++i) {
        if ((!valid || valid[i]) && codes[i] < count) {
          const uint32_t b = doffs[codes[i]], len = doffs[codes[i] + 1] - b;
          std::memcpy(out + pos, dchars.data() + b, len);
          pos += len;
        }
        offs[i + 1] = pos;
      }
      col.SetStrings(std::move(offs), std::move(chars));
      break;
    }
    case Encoding::kForBitpack:
    case Encoding::kForPatched: {
      if (!type.is_integer_like()) return Bad("frame-of-reference on a non-integer column");
      int wide = phys == PhysicalType::kInt128 ? 16 : 8;
      int128 base = GetWide(&r, wide);
      int128 mult = GetWide(&r, wide);
      int bw = r.GetU8();
      if (!r.ok() || bw > 64) return Bad("frame-of-reference header");
      std::string_view packed = r.GetBytes(BitPackedSize(n, bw));
      if (!r.ok()) return Bad("packed values past end");
      uint64_t* offs = ints_buf.Rewrite<uint64_t>(n);
      BitUnpack(reinterpret_cast<const uint8_t*>(packed.data()), n, bw, offs);
      switch (phys) {
        case PhysicalType::kBool: StoreInts<uint8_t>(&col, offs, n, base, mult); break;
        case PhysicalType::kInt32: StoreInts<int32_t>(&col, offs, n, base, mult); break;
        case PhysicalType::kInt64: StoreInts<int64_t>(&col, offs, n, base, mult); break;
        default: StoreInts<int128>(&col, offs, n, base, mult); break;
      }
      if (info.encoding == Encoding::kForPatched) {
        // The exceptions: u32 count, the rows (increasing), then their values whole.
        const uint32_t count = r.GetU32();
        if (!r.ok() || count > n) return Bad("exception count");
        std::string_view rows = r.GetBytes(size_t{count} * 4);
        std::string_view values = r.GetBytes(size_t{count} * width);
        if (!r.ok()) return Bad("exceptions past end");
        uint8_t* out = col.mutable_values<uint8_t>();
        int64_t last = -1;
        for (uint32_t k = 0; k < count; ++k) {
          uint32_t row;
          std::memcpy(&row, rows.data() + 4 * k, 4);
          if (row >= n || int64_t{row} <= last) return Bad("exception rows not increasing below the row count");
          last = row;
          std::memcpy(out + size_t{row} * width, values.data() + size_t{k} * width, width);
        }
      }
      break;
    }
  }
  if (!r.AtEnd()) return Bad("trailing bytes after the values");
  if (phys == PhysicalType::kBool) {
    const uint8_t* v = col.values<uint8_t>();
    for (size_t i = 0; i < n; ++i)
      if (v[i] > 1 && (validity.empty() || validity[i])) return Bad("boolean value not 0 or 1");
  }
  if (phys == PhysicalType::kString && !validity.empty() && !col.is_dictionary()) {
    // NULL rows must be empty strings so offsets stay canonical (a dictionary column's NULL
    // rows name an empty entry).
    const auto& offs = col.offsets();
    for (size_t i = 0; i < n; ++i)
      if (!validity[i] && offs[i + 1] != offs[i]) return Bad("NULL string with bytes");
  }
  if (!validity.empty()) col.SetValidity(std::move(validity));
  if (info_out) *info_out = info;
  return col;
}

ZoneMap WidenZone(const ZoneMap& z, const DataType& from, const DataType& to) {
  if (from == to || !z.has_min_max) return z;
  ZoneMap w;
  w.null_count = z.null_count;
  w.has_min_max = true;
  if (to.id == TypeId::kDouble) {
    w.min_d = static_cast<double>(z.min_i);
    w.max_d = static_cast<double>(z.max_i);
  } else {
    w.min_i = WidenInteger(z.min_i, from, to);
    w.max_i = WidenInteger(z.max_i, from, to);
  }
  return w;
}

}  // namespace wh
