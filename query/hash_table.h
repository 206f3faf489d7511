// KeyTable: an open-addressing hash table from composite keys (one or more columns) to dense ids
// 0, 1, 2, ... in order of first appearance. Group-by uses it to number groups, hash joins to
// number the distinct build keys. Keys are stored column-wise; lookups hash a whole batch first,
// then probe, so the hashing loops run over plain arrays.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "format/column.h"

namespace wh {

class KeyTable {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  explicit KeyTable(std::vector<DataType> types);

  // Ids of each row's key, inserting new keys. NULL is a value like any other (GROUP BY).
  void FindOrInsert(const std::vector<const Column*>& keys, size_t n, uint32_t* ids);
  // Ids of each row's key or kNone; a key with a NULL part is never found (join semantics).
  void Find(const std::vector<const Column*>& keys, size_t n, uint32_t* ids) const;

  size_t size() const { return hashes_.size(); }
  // Sizes the table for about n keys up front (a hint: it still grows past it), sparing the
  // rehashes of growing there from empty.
  void Reserve(size_t n);
  // The distinct keys, one Column per key part, row i = id i.
  std::vector<Column>& keys() { return keys_; }

  // Hashes of n rows of key columns (exposed for tests and benchmarks).
  static void HashRows(const std::vector<const Column*>& keys, size_t n, uint64_t* out);

 private:
  bool Equal(uint32_t id, const std::vector<const Column*>& keys, size_t row) const;
  // Spreads the ids over slot_count slots (a power of two).
  void Rehash(size_t slot_count);
  // Takes empty slot p for the next id, of a key with `hash`; the caller appends the key.
  uint32_t Claim(uint64_t p, uint64_t hash);
  template <typename T> void FindOrInsertInts(const T* v, size_t n, uint32_t* ids);
  // A key of a 64-bit integer without NULLs and a STRING in dictionary form (GROUP BY user_id,
  // currency): each dictionary entry is hashed and numbered once per batch, and a probe compares
  // the integer and the string's number - no string comparison, no per-row type dispatch.
  void FindOrInsertIntString(const Column& ints, const Column& strings, size_t n, uint32_t* ids);
  // The number of a string key part (kNullString for NULL), numbered in order of first use.
  static constexpr uint32_t kNullString = UINT32_MAX;
  uint32_t StringNumber(std::string_view s);
  // The id of one STRING key (of a one-column STRING table), or with `null` of the NULL key,
  // inserting it if new.
  uint32_t FindOrInsertString(std::string_view v, bool null = false);

  std::vector<DataType> types_;
  std::vector<Column> keys_;
  std::vector<uint64_t> hashes_;  // per id
  std::vector<uint32_t> slots_;   // id + 1, 0 = empty
  uint64_t mask_ = 0;
  // Tables keyed (64-bit integer, STRING): each id's string number, and the numbers.
  bool int_string_ = false;
  std::vector<uint32_t> string_number_;
  std::unordered_map<std::string, uint32_t> numbers_;
};

}  // namespace wh
