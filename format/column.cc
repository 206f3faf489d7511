#include "format/column.h"

#include "format/memory.h"

#include <algorithm>
#include <cstdlib>
#include <new>

namespace wh {

Buffer& Buffer::operator=(Buffer&& o) noexcept {
  if (this != &o) {
    if (data_) memory::Release(cap_);
    std::free(data_);
    data_ = o.data_; size_ = o.size_; cap_ = o.cap_;
    o.data_ = nullptr; o.size_ = o.cap_ = 0;
  }
  return *this;
}

Buffer::~Buffer() {
  if (data_) memory::Release(cap_);
  std::free(data_);
}

void Buffer::Reserve(size_t n) {
  if (n <= cap_) return;
  size_t cap = std::max<size_t>(64, (n + 63) & ~size_t{63});
  if (!memory::Charge(cap)) throw MemoryBudgetExceeded();
  auto* p = static_cast<uint8_t*>(std::aligned_alloc(64, cap));
  if (!p) {
    memory::Release(cap);
    throw std::bad_alloc();
  }
  if (size_) std::memcpy(p, data_, size_);
  if (data_) memory::Release(cap_);
  std::free(data_);
  data_ = p;
  cap_ = cap;
}

void Buffer::Resize(size_t n) {
  Reserve(n);
  if (n > size_) std::memset(data_ + size_, 0, n - size_);
  size_ = n;
}

size_t Column::CountNulls() const {
  if (validity_.empty()) return 0;
  size_t valid = 0;
  for (uint8_t v : validity_) valid += v;
  return size_ - valid;
}

void Column::Reserve(size_t rows) {
  if (type_.physical() == PhysicalType::kString) {
    offsets_.reserve(rows + 1);
  } else {
    fixed_.Reserve(rows * type_.width());
  }
}

void Column::AppendNull() {
  Plain();
  if (validity_.empty()) validity_.assign(size_, 1);
  if (type_.physical() == PhysicalType::kString) {
    offsets_.push_back(static_cast<uint32_t>(chars_.size()));
  } else {
    static const uint8_t kZero[16] = {};
    fixed_.Append(kZero, type_.width());
  }
  validity_.push_back(0);
  ++size_;
}

void Column::AppendString(std::string_view s) {
  Plain();
  chars_.append(s);
  offsets_.push_back(static_cast<uint32_t>(chars_.size()));
  MarkValid();
}

void Column::AppendFrom(const Column& src, size_t i) {
  if (src.IsNull(i)) {
    AppendNull();
  } else if (type_.physical() == PhysicalType::kString) {
    AppendString(src.GetString(i));
  } else {
    int w = type_.width();
    fixed_.Append(src.fixed_.data() + i * w, w);
    MarkValid();
  }
}

void Column::AppendSelected(const Column& src, const uint32_t* rows, size_t n) {
  // Validity first: materialized when either side has NULLs.
  if (src.has_nulls()) {
    if (validity_.empty()) validity_.assign(size_, 1);
    size_t old = validity_.size();
    validity_.resize(old + n);
    const uint8_t* in = src.validity_.data();
    for (size_t k = 0; k < n; ++k) validity_[old + k] = in[rows[k]];
  } else if (!validity_.empty()) {
    validity_.insert(validity_.end(), n, 1);
  }
  if (type_.physical() == PhysicalType::kString) {
    if (src.dict_ && (dict_ == src.dict_ || (size_ == 0 && !dict_))) {  // codes of one dictionary
      dict_ = src.dict_;
      const size_t old = codes_.size();
      codes_.resize(old + n);
      for (size_t k = 0; k < n; ++k) codes_[old + k] = src.codes_[rows[k]];
      size_ += n;
      return;
    }
    Plain();
    src.Plain();
    // Sized once, then filled through raw pointers (no per-row capacity checks).
    const uint32_t* so = src.offsets_.data();
    size_t bytes = 0;
    for (size_t k = 0; k < n; ++k) bytes += so[rows[k] + 1] - so[rows[k]];
    size_t pos = chars_.size();
    chars_.resize(pos + bytes);
    const size_t old = offsets_.size();
    offsets_.resize(old + n);
    char* out = chars_.data();
    uint32_t* off = offsets_.data() + old;
    const char* in = src.chars_.data();
    for (size_t k = 0; k < n; ++k) {
      uint32_t b = so[rows[k]], len = so[rows[k] + 1] - b;
      std::memcpy(out + pos, in + b, len);
      pos += len;
      off[k] = static_cast<uint32_t>(pos);
    }
    size_ += n;
    return;
  }
  int w = type_.width();
  size_t old = fixed_.size();
  fixed_.ResizeForWrite(old + n * w);
  uint8_t* out = fixed_.data() + old;
  const uint8_t* in = src.fixed_.data();
  switch (w) {
    case 1: for (size_t k = 0; k < n; ++k) out[k] = in[rows[k]]; break;
    case 4: for (size_t k = 0; k < n; ++k) std::memcpy(out + 4 * k, in + 4 * size_t{rows[k]}, 4); break;
    case 8: for (size_t k = 0; k < n; ++k) std::memcpy(out + 8 * k, in + 8 * size_t{rows[k]}, 8); break;
    default:
      for (size_t k = 0; k < n; ++k) std::memcpy(out + w * k, in + w * size_t{rows[k]}, w);
  }
  size_ += n;
}

void Column::AppendGathered(const std::vector<const Column*>& srcs, const uint16_t* which,
                            const uint32_t* rows, size_t n) {
  if (srcs.size() == 1) {
    AppendSelected(*srcs[0], rows, n);
    return;
  }
  // The rows come from anywhere in the sources (a batch sorted by partition and bucket): each
  // row's source is fetched kAhead rows before it is copied, so the cache misses overlap.
  constexpr size_t kAhead = 32;
  bool nulls = false;
  for (const Column* c : srcs) nulls |= c->has_nulls();
  if (nulls) {
    if (validity_.empty()) validity_.assign(size_, 1);
    size_t old = validity_.size();
    validity_.resize(old + n);
    // A source without NULLs reads as all valid: a byte of 1 stands in for its validity.
    static const uint8_t kOne = 1;
    std::vector<const uint8_t*> valid(srcs.size());
    std::vector<uint32_t> step(srcs.size());  // 1 with a validity, 0 without
    for (size_t s = 0; s < srcs.size(); ++s) {
      valid[s] = srcs[s]->has_nulls() ? srcs[s]->validity_.data() : &kOne;
      step[s] = srcs[s]->has_nulls() ? 1 : 0;
    }
    uint8_t* out = validity_.data() + old;
    for (size_t k = 0; k < n; ++k) {
      if (k + kAhead < n) __builtin_prefetch(valid[which[k + kAhead]] + step[which[k + kAhead]] * rows[k + kAhead]);
      out[k] = valid[which[k]][step[which[k]] * rows[k]];
    }
  } else if (!validity_.empty()) {
    validity_.insert(validity_.end(), n, 1);
  }
  if (type_.physical() == PhysicalType::kString) {
    Plain();
    for (const Column* c : srcs) c->Plain();
    std::vector<const uint32_t*> offs(srcs.size());
    std::vector<const char*> chars(srcs.size());
    for (size_t s = 0; s < srcs.size(); ++s) {
      offs[s] = srcs[s]->offsets_.data();
      chars[s] = srcs[s]->chars_.data();
    }
    // Blocks of rows: first their offsets (fetched ahead), giving the new offsets and each
    // row's start in its source; then their bytes (fetched ahead from those starts, which are
    // at hand: the source's offsets of a large batch are long out of cache by then).
    uint64_t total = 0, total_rows = 0;  // every source row gathered (routing a batch): the
    for (const Column* c : srcs) {       // bytes are known, reserved at once
      total += c->chars_.size();
      total_rows += c->size_;
    }
    if (n == total_rows) chars_.reserve(chars_.size() + total);
    const size_t first = offsets_.size();
    offsets_.resize(first + n);
    uint32_t* out_off = offsets_.data() + first;
    constexpr size_t kBlock = 1024;
    uint32_t from[kBlock];
    for (size_t b = 0; b < n; b += kBlock) {
      const size_t m = std::min(kBlock, n - b);
      const size_t old_chars = chars_.size();
      uint64_t at = old_chars;
      for (size_t j = 0; j < m; ++j) {
        const size_t k = b + j;
        if (k + kAhead < n) __builtin_prefetch(offs[which[k + kAhead]] + rows[k + kAhead]);
        const uint32_t* o = offs[which[k]] + rows[k];
        from[j] = o[0];
        at += o[1] - o[0];
        out_off[k] = static_cast<uint32_t>(at);
      }
      chars_.resize(at);
      char* out = chars_.data() + old_chars;
      for (size_t j = 0; j < m; ++j) {
        const size_t k = b + j;
        if (j + kAhead < m) __builtin_prefetch(chars[which[k + kAhead]] + from[j + kAhead]);
        const uint32_t len = out_off[k] - (j == 0 ? static_cast<uint32_t>(old_chars) : out_off[k - 1]);
        std::memcpy(out, chars[which[k]] + from[j], len);
        out += len;
      }
    }
    size_ += n;
    return;
  }
  const int w = type_.width();
  size_t old = fixed_.size();
  fixed_.Resize(old + n * w);
  uint8_t* out = fixed_.data() + old;
  std::vector<const uint8_t*> base(srcs.size());
  for (size_t s = 0; s < srcs.size(); ++s) base[s] = srcs[s]->fixed_.data();
  auto gather = [&](auto width) {
    constexpr size_t kW = decltype(width)::value;
    for (size_t k = 0; k < n; ++k) {
      if (k + kAhead < n) __builtin_prefetch(base[which[k + kAhead]] + kW * size_t{rows[k + kAhead]});
      std::memcpy(out + kW * k, base[which[k]] + kW * size_t{rows[k]}, kW);
    }
  };
  switch (w) {
    case 1: gather(std::integral_constant<size_t, 1>{}); break;
    case 4: gather(std::integral_constant<size_t, 4>{}); break;
    case 8: gather(std::integral_constant<size_t, 8>{}); break;
    case 16: gather(std::integral_constant<size_t, 16>{}); break;
    default:
      for (size_t k = 0; k < n; ++k) std::memcpy(out + w * k, base[which[k]] + w * size_t{rows[k]}, w);
  }
  size_ += n;
}

void Column::AppendRange(const Column& src, size_t begin, size_t n) {
  if (n == 0) return;
  if (src.has_nulls()) {
    if (validity_.empty()) validity_.assign(size_, 1);
    validity_.insert(validity_.end(), src.validity_.begin() + begin, src.validity_.begin() + begin + n);
  } else if (!validity_.empty()) {
    validity_.insert(validity_.end(), n, 1);
  }
  if (type_.physical() == PhysicalType::kString) {
    if (src.dict_) {
      // Codes stay codes: of the same dictionary as they are, of another through a map into
      // this column's (merged) dictionary.
      std::vector<uint32_t> map;
      const bool adopt = size_ == 0 && !dict_;
      if (adopt || dict_ == src.dict_ || (dict_ && MapDictionary(src, &map))) {
        if (adopt) dict_ = src.dict_;
        const size_t old = codes_.size();
        codes_.resize(old + n);
        const uint32_t* in = src.codes_.data() + begin;
        if (map.empty()) std::memcpy(codes_.data() + old, in, n * sizeof(uint32_t));
        else for (size_t k = 0; k < n; ++k) codes_[old + k] = map[in[k]];
        size_ += n;
        return;
      }
      src.Plain();
    }
    Plain();
    uint32_t b = src.offsets_[begin], e = src.offsets_[begin + n];
    uint32_t base = static_cast<uint32_t>(chars_.size());
    chars_.append(src.chars_.data() + b, e - b);
    // resize, not reserve(size + n): reserving the exact size reallocated and copied the
    // offsets on every append, quadratic over a column built of many batches.
    const size_t old = offsets_.size();
    offsets_.resize(old + n);
    uint32_t* to = offsets_.data() + old;
    const uint32_t* from = src.offsets_.data() + begin + 1;
    for (size_t k = 0; k < n; ++k) to[k] = base + (from[k] - b);
    size_ += n;
    return;
  }
  int w = type_.width();
  fixed_.Append(src.fixed_.data() + begin * w, n * w);
  size_ += n;
}

void Column::AppendRuns(const std::vector<const Column*>& srcs, const std::vector<Run>& runs) {
  if (runs.empty()) return;
  if (runs.size() == 1) {
    AppendRange(*srcs[runs[0].src], runs[0].begin, runs[0].rows);
    return;
  }
  std::vector<uint8_t> used(srcs.size(), 0);
  size_t total = 0;
  bool nulls = false;
  for (const Run& r : runs) {
    used[r.src] = 1;
    total += r.rows;
    nulls |= srcs[r.src]->has_nulls();
  }
  if (nulls) {
    if (validity_.empty()) validity_.assign(size_, 1);
    validity_.reserve(validity_.size() + total);
    for (const Run& r : runs) {
      const Column& s = *srcs[r.src];
      if (s.has_nulls()) validity_.insert(validity_.end(), s.validity_.begin() + r.begin, s.validity_.begin() + r.begin + r.rows);
      else validity_.insert(validity_.end(), r.rows, 1);
    }
  } else if (!validity_.empty()) {
    validity_.insert(validity_.end(), total, 1);
  }
  if (type_.physical() == PhysicalType::kString) {
    bool codes = (size_ == 0 || dict_ != nullptr);
    for (size_t s = 0; s < srcs.size() && codes; ++s) codes = !used[s] || srcs[s]->dict_ != nullptr;
    std::vector<std::vector<uint32_t>> maps(srcs.size());
    if (codes) {
      if (size_ == 0 && !dict_) dict_ = srcs[runs[0].src]->dict_;
      // A map per source, made once (an empty one: its codes are this dictionary's); the merged
      // dictionary only grows, so maps made before it grew stay right.
      for (size_t s = 0; s < srcs.size() && codes; ++s)
        if (used[s] && srcs[s]->dict_ != dict_) codes = MapDictionary(*srcs[s], &maps[s]);
    }
    if (codes) {
      size_t at = codes_.size();
      codes_.resize(at + total);
      for (const Run& r : runs) {
        const uint32_t* in = srcs[r.src]->codes_.data() + r.begin;
        const std::vector<uint32_t>& map = maps[r.src];
        if (map.empty()) std::memcpy(codes_.data() + at, in, r.rows * sizeof(uint32_t));
        else for (uint32_t k = 0; k < r.rows; ++k) codes_[at + k] = map[in[k]];
        at += r.rows;
      }
      size_ += total;
      return;
    }
    Plain();
    size_t bytes = 0;
    for (const Run& r : runs) {
      const Column& s = *srcs[r.src];
      s.Plain();
      bytes += s.offsets_[r.begin + r.rows] - s.offsets_[r.begin];
    }
    chars_.reserve(chars_.size() + bytes);
    size_t at = offsets_.size();
    offsets_.resize(at + total);
    for (const Run& r : runs) {
      const Column& s = *srcs[r.src];
      const uint32_t b = s.offsets_[r.begin];
      const uint32_t base = static_cast<uint32_t>(chars_.size());
      chars_.append(s.chars_.data() + b, s.offsets_[r.begin + r.rows] - b);
      const uint32_t* from = s.offsets_.data() + r.begin + 1;
      for (uint32_t k = 0; k < r.rows; ++k) offsets_[at + k] = base + (from[k] - b);
      at += r.rows;
    }
    size_ += total;
    return;
  }
  const size_t w = static_cast<size_t>(type_.width());
  uint8_t* out = fixed_.Extend(total * w);
  for (const Run& r : runs) {
    std::memcpy(out, srcs[r.src]->fixed_.data() + r.begin * w, r.rows * w);
    out += r.rows * w;
  }
  size_ += total;
}

void Column::Truncate(size_t n) {
  if (n >= size_) return;
  if (!validity_.empty()) validity_.resize(n);
  if (dict_) {
    codes_.resize(n);
  } else if (type_.physical() == PhysicalType::kString) {
    offsets_.resize(n + 1);
    chars_.resize(offsets_[n]);
  } else {
    fixed_.Resize(n * type_.width());
  }
  size_ = n;
}

void Column::Clear() {
  size_ = 0;
  validity_.clear();
  fixed_.Clear();
  offsets_.assign(1, 0);
  chars_.clear();
  dict_.reset();
  codes_.clear();
}

uint8_t* Column::ResizeFixed(size_t n) {
  size_ = n;
  fixed_.Resize(n * type_.width());
  return fixed_.data();
}

uint8_t* Column::ResizeFixedForWrite(size_t n) {
  size_ = n;
  fixed_.ResizeForWrite(n * type_.width());
  return fixed_.data();
}

void Column::SetValidity(std::vector<uint8_t> validity) { validity_ = std::move(validity); }

void Column::SetStrings(std::vector<uint32_t> offsets, std::string chars) {
  dict_.reset();
  codes_.clear();
  size_ = offsets.size() - 1;
  offsets_ = std::move(offsets);
  chars_ = std::move(chars);
}

size_t Column::ByteSize() const {
  return validity_.size() + fixed_.size() + offsets_.size() * 4 + chars_.size() + codes_.size() * 4 +
         (dict_ ? dict_->ByteSize() : 0);
}

size_t Column::MemoryUsage() const {
  return validity_.capacity() + fixed_.size() + offsets_.capacity() * 4 + chars_.capacity() +
         codes_.capacity() * 4 + (dict_ ? dict_->MemoryUsage() : 0);
}

void Column::SetDictionary(std::shared_ptr<const Column> dict, std::vector<uint32_t> codes) {
  size_ = codes.size();
  offsets_.assign(1, 0);
  chars_.clear();
  dict_ = std::move(dict);
  codes_ = std::move(codes);
}

void Column::Materialize() const {
  const Column& d = *dict_;
  const uint32_t* doff = d.offsets_.data();
  size_t bytes = 0;
  for (uint32_t c : codes_) bytes += doff[c + 1] - doff[c];
  std::string chars(bytes, '\0');
  std::vector<uint32_t> offsets(codes_.size() + 1, 0);
  size_t pos = 0;
  for (size_t i = 0; i < codes_.size(); ++i) {
    const uint32_t b = doff[codes_[i]], len = doff[codes_[i] + 1] - b;
    std::memcpy(chars.data() + pos, d.chars_.data() + b, len);
    pos += len;
    offsets[i + 1] = static_cast<uint32_t>(pos);
  }
  offsets_ = std::move(offsets);
  chars_ = std::move(chars);
  dict_.reset();
  codes_.clear();
  codes_.shrink_to_fit();
}

bool Column::MapDictionary(const Column& src, std::vector<uint32_t>* map) {
  // Small dictionaries only (a linear search per entry): beyond, the rows are kept as bytes.
  const Column& in = *src.dict_;
  if (in.size() > kMaxDictionary) return false;
  std::shared_ptr<Column> merged;
  const Column* cur = dict_.get();
  // Blocks of one column often have the same entries in the same order (a compaction merging
  // inputs: 'usd', 'web'): then the codes stay as they are (an empty map).
  if (in.size() <= cur->size()) {
    size_t same = 0;
    while (same < in.size() && SameString(in.GetString(same), cur->GetString(same))) ++same;
    if (same == in.size()) {
      map->clear();
      return true;
    }
  }
  map->resize(in.size());
  for (size_t e = 0; e < in.size(); ++e) {
    const std::string_view v = in.GetString(e);
    size_t k = 0;
    while (k < cur->size() && !SameString(cur->GetString(k), v)) ++k;
    if (k == cur->size()) {
      if (cur->size() >= kMaxDictionary) return false;
      if (!merged) {  // copy on write: the old dictionary may be another column's too
        merged = std::make_shared<Column>(*dict_);
        cur = merged.get();
      }
      merged->AppendString(v);
    }
    (*map)[e] = static_cast<uint32_t>(k);
  }
  if (merged) dict_ = std::move(merged);
  return true;
}

Column NullColumn(const DataType& type, size_t rows) {
  Column c(type);
  if (type.physical() == PhysicalType::kString) {
    c.SetStrings(std::vector<uint32_t>(rows + 1, 0), std::string());
  } else {
    c.ResizeFixed(rows);
  }
  c.SetValidity(std::vector<uint8_t>(rows, 0));
  return c;
}

Column WidenColumn(const Column& c, const DataType& to) {
  const DataType& from = c.type();
  if (from == to) return c;
  Column out(to);
  const size_t n = c.size();
  if (to.physical() == PhysicalType::kDouble) {
    double* v = reinterpret_cast<double*>(out.ResizeFixedForWrite(n));
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<double>(IntegerAt(c, i));
  } else {
    uint8_t* p = out.ResizeFixedForWrite(n);
    for (size_t i = 0; i < n; ++i) {
      const int128 w = c.IsNull(i) ? 0 : WidenInteger(IntegerAt(c, i), from, to);
      switch (to.physical()) {
        case PhysicalType::kInt32: reinterpret_cast<int32_t*>(p)[i] = static_cast<int32_t>(w); break;
        case PhysicalType::kInt64: reinterpret_cast<int64_t*>(p)[i] = static_cast<int64_t>(w); break;
        case PhysicalType::kInt128: reinterpret_cast<int128*>(p)[i] = w; break;
        default: break;
      }
    }
  }
  if (c.has_nulls()) out.SetValidity(c.validity());
  return out;
}

}  // namespace wh
