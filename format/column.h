// Column: a vector of values of one type with optional NULLs, the unit that encoders, the
// segment reader/writer, ingest and the query engine exchange.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "format/types.h"

namespace wh {

// A growable byte buffer aligned to 64 bytes, so typed views of it are SIMD friendly.
class Buffer {
 public:
  Buffer() = default;
  Buffer(const Buffer& o) { Append(o.data_, o.size_); }
  Buffer& operator=(const Buffer& o) {
    if (this != &o) { size_ = 0; Append(o.data_, o.size_); }
    return *this;
  }
  Buffer(Buffer&& o) noexcept : data_(o.data_), size_(o.size_), cap_(o.cap_) {
    o.data_ = nullptr; o.size_ = o.cap_ = 0;
  }
  Buffer& operator=(Buffer&& o) noexcept;
  ~Buffer();

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  void Reserve(size_t n);
  // Grows or shrinks; new bytes are zero.
  void Resize(size_t n);
  // Grows or shrinks; new bytes are left as they are, for a caller that writes every one.
  void ResizeForWrite(size_t n) {
    Reserve(n);
    size_ = n;
  }
  // Room for `count` values of T to be written anew, the old contents dropped (growing copies
  // nothing): a scratch buffer kept across uses.
  template <typename T> T* Rewrite(size_t count) {
    Clear();
    ResizeForWrite(count * sizeof(T));
    return As<T>();
  }
  void Clear() { size_ = 0; }
  void Append(const void* p, size_t n) {
    if (size_ + n > cap_) Reserve(std::max(size_ + n, cap_ * 2));
    if (n) std::memcpy(data_ + size_, p, n);
    size_ += n;
  }
  // n more bytes, left for the caller to write; grows as Append does.
  uint8_t* Extend(size_t n) {
    if (size_ + n > cap_) Reserve(std::max(size_ + n, cap_ * 2));
    uint8_t* p = data_ + size_;
    size_ += n;
    return p;
  }
  template <typename T> T* As() { return reinterpret_cast<T*>(data_); }
  template <typename T> const T* As() const { return reinterpret_cast<const T*>(data_); }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t cap_ = 0;
};

// a == b, for the short strings of keys (ids, codes, names): up to 16 bytes compared as two
// overlapping words each, without a call to memcmp.
inline bool SameString(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  auto load8 = [](const char* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  };
  auto load4 = [](const char* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  };
  if (n > 16) return std::memcmp(x, y, n) == 0;
  if (n >= 8) return load8(x) == load8(y) && load8(x + n - 8) == load8(y + n - 8);
  if (n >= 4) return load4(x) == load4(y) && load4(x + n - 4) == load4(y + n - 4);
  for (size_t i = 0; i < n; ++i)
    if (x[i] != y[i]) return false;
  return true;
}

class Column {
 public:
  Column() = default;
  explicit Column(DataType type) : type_(type) {}

  const DataType& type() const { return type_; }
  size_t size() const { return size_; }
  // True when some row is NULL. When false, validity() is empty.
  bool has_nulls() const { return !validity_.empty(); }
  // One byte per row, 1 = valid, 0 = NULL; empty when there are no NULLs.
  const std::vector<uint8_t>& validity() const { return validity_; }
  bool IsNull(size_t i) const { return !validity_.empty() && validity_[i] == 0; }
  size_t CountNulls() const;

  // Fixed-width values (size() * type().width() bytes). NULL rows hold an unspecified value.
  template <typename T> const T* values() const { return fixed_.As<T>(); }
  template <typename T> T* mutable_values() { return fixed_.As<T>(); }
  template <typename T> T Get(size_t i) const { return fixed_.As<T>()[i]; }

  // Strings: row i is chars[offsets[i], offsets[i+1]), or, in the dictionary form, entry
  // codes[i] of the dictionary.
  std::string_view GetString(size_t i) const {
    if (dict_) return dict_->GetString(codes_[i]);
    return std::string_view(chars_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  // The plain form's offsets and bytes (a dictionary column turns plain on first use).
  const std::vector<uint32_t>& offsets() const {
    Plain();
    return offsets_;
  }
  const std::string& chars() const {
    Plain();
    return chars_;
  }

  // The dictionary form of a STRING column, as DecodeBlock gives a DICTIONARY block: a small
  // column of distinct strings and a code per row, so comparisons can look at each distinct
  // value once. Rows appended from other columns keep the form where the dictionaries allow;
  // anything that needs the bytes laid out turns the column plain. A NULL row's code names an
  // empty entry. Not for columns shared between threads: turning plain writes to the column.
  bool is_dictionary() const { return dict_ != nullptr; }
  // The most distinct strings a dictionary column keeps (decoding and merging).
  static constexpr size_t kMaxDictionary = 64;
  const Column& dictionary() const { return *dict_; }
  const uint32_t* codes() const { return codes_.data(); }
  void SetDictionary(std::shared_ptr<const Column> dict, std::vector<uint32_t> codes);
  // Turns a dictionary column plain (no-op for any other): before sharing it between threads.
  void Plain() const {
    if (dict_) Materialize();
  }

  // Builders. Append* add one row.
  void Reserve(size_t rows);
  void AppendNull();
  template <typename T> void Append(T v) {
    fixed_.Append(&v, sizeof(T));
    MarkValid();
  }
  void AppendString(std::string_view s);
  // Appends row `i` of `src` (same type).
  void AppendFrom(const Column& src, size_t i);
  // Appends the rows of `src` listed in `rows`.
  void AppendSelected(const Column& src, const uint32_t* rows, size_t n);
  // Appends, for k < n, row rows[k] of srcs[which[k]] (all of this column's type).
  void AppendGathered(const std::vector<const Column*>& srcs, const uint16_t* which, const uint32_t* rows,
                      size_t n);
  // Appends rows [begin, begin + n) of src (same type).
  void AppendRange(const Column& src, size_t begin, size_t n);
  // Appends, run after run, rows [begin, begin + rows) of srcs[src]: AppendRange for each, with
  // the work per source (dictionaries merged, forms chosen) done once for all its runs - a
  // merge gathers a partition of a few rows per bucket from several files.
  struct Run {
    uint32_t src;
    uint32_t begin;
    uint32_t rows;
  };
  void AppendRuns(const std::vector<const Column*>& srcs, const std::vector<Run>& runs);
  void Clear();
  // Drops rows from n on (n <= size()).
  void Truncate(size_t n);

  // Direct construction for decoders: sets the row count, sizes fixed storage for `n` values and
  // returns it. Validity is set separately.
  uint8_t* ResizeFixed(size_t n);
  // As ResizeFixed, without zeroing: the caller writes all n values.
  uint8_t* ResizeFixedForWrite(size_t n);
  void SetValidity(std::vector<uint8_t> validity);  // empty or n bytes
  void SetStrings(std::vector<uint32_t> offsets, std::string chars);

  // Approximate bytes held, for memory accounting.
  size_t MemoryUsage() const;  // bytes allocated (capacity)
  size_t ByteSize() const;     // bytes of data held

 private:
  void MarkValid() {
    ++size_;
    if (!validity_.empty()) validity_.push_back(1);
  }
  void Materialize() const;
  // Codes in this column's dictionary for the entries of src's (extending a copy of it; an
  // empty map when src's entries are this dictionary's first ones, in order), or false when the
  // merged dictionary would grow too large to keep.
  bool MapDictionary(const Column& src, std::vector<uint32_t>* map);

  DataType type_;
  size_t size_ = 0;
  std::vector<uint8_t> validity_;
  Buffer fixed_;
  // STRING: the plain form, or (dict_ set) the dictionary form; mutable because reading the
  // plain form of a dictionary column materializes it.
  mutable std::vector<uint32_t> offsets_{0};
  mutable std::string chars_;
  mutable std::shared_ptr<const Column> dict_;
  mutable std::vector<uint32_t> codes_;
};

// Row i of an integer-like column (BOOLEAN, INT, BIGINT, DECIMAL, DATE, TIMESTAMP) widened to
// 128 bits; 0 for other types.
__attribute__((always_inline)) inline int128 IntegerAt(const Column& c, size_t i) {
  switch (c.type().physical()) {
    case PhysicalType::kBool: return c.Get<uint8_t>(i);
    case PhysicalType::kInt32: return c.Get<int32_t>(i);
    case PhysicalType::kInt64: return c.Get<int64_t>(i);
    case PhysicalType::kInt128: return c.Get<int128>(i);
    default: return 0;
  }
}

// A column of `rows` rows of `type`, every one NULL.
Column NullColumn(const DataType& type, size_t rows);
// The values of `c` as values of type `to`, NULLs kept (CanWiden(c.type(), to)): a file written
// before ALTER TABLE widened a column, read as the table's type now.
Column WidenColumn(const Column& c, const DataType& to);

}  // namespace wh
