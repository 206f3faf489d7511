#include "query/hash_table.h"

#include <xxhash.h>

#include <cstring>

namespace wh {

namespace {

inline uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

inline uint64_t Combine(uint64_t seed, uint64_t h) { return Mix(seed ^ (h + 0x9e3779b97f4a7c15ULL + (seed << 6))); }

constexpr uint64_t kNullHash = 0x5bd1e9955bd1e995ULL;
constexpr uint64_t kSeed = 0x2545F4914F6CDD1DULL;

// The hashes HashRows gives a one-column BIGINT key and a one-column STRING key (the fast paths
// must agree with it).
inline uint64_t HashInt64Row(int64_t v) { return Combine(kSeed, Mix(static_cast<uint64_t>(v))); }
inline uint64_t HashStringRow(std::string_view s) { return Combine(kSeed, XXH3_64bits(s.data(), s.size())); }

}  // namespace

KeyTable::KeyTable(std::vector<DataType> types) : types_(std::move(types)) {
  for (const auto& t : types_) keys_.emplace_back(t);
  int_string_ = types_.size() == 2 && types_[0].physical() == PhysicalType::kInt64 &&
                types_[1].physical() == PhysicalType::kString;
  slots_.assign(1024, 0);
  mask_ = slots_.size() - 1;
}

void KeyTable::HashRows(const std::vector<const Column*>& keys, size_t n, uint64_t* out) {
  std::fill(out, out + n, kSeed);
  std::vector<uint64_t> saved;
  for (const Column* c : keys) {
    // A NULL row's stored value is unspecified: remember the hash before this column and
    // combine a fixed NULL hash instead.
    if (c->has_nulls()) saved.assign(out, out + n);
    switch (c->type().physical()) {
      case PhysicalType::kBool: {
        const uint8_t* v = c->values<uint8_t>();
        for (size_t i = 0; i < n; ++i) out[i] = Combine(out[i], Mix(v[i] + 1));
        break;
      }
      case PhysicalType::kInt32: {
        const int32_t* v = c->values<int32_t>();
        for (size_t i = 0; i < n; ++i) out[i] = Combine(out[i], Mix(static_cast<uint64_t>(v[i])));
        break;
      }
      case PhysicalType::kInt64: {
        const int64_t* v = c->values<int64_t>();
        for (size_t i = 0; i < n; ++i) out[i] = Combine(out[i], Mix(static_cast<uint64_t>(v[i])));
        break;
      }
      case PhysicalType::kDouble: {
        const double* v = c->values<double>();
        for (size_t i = 0; i < n; ++i) {
          double d = v[i] == 0 ? 0.0 : v[i];  // -0.0 and 0.0 are one key
          uint64_t bits;
          std::memcpy(&bits, &d, 8);
          out[i] = Combine(out[i], Mix(bits));
        }
        break;
      }
      case PhysicalType::kInt128: {
        const int128* v = c->values<int128>();
        for (size_t i = 0; i < n; ++i) {
          uint128 u = static_cast<uint128>(v[i]);
          out[i] = Combine(out[i], Mix(static_cast<uint64_t>(u) ^ Mix(static_cast<uint64_t>(u >> 64))));
        }
        break;
      }
      case PhysicalType::kString:
        if (c->is_dictionary()) {  // each distinct string hashed once
          const Column& d = c->dictionary();
          std::vector<uint64_t> h(d.size());
          for (size_t e = 0; e < d.size(); ++e) {
            std::string_view s = d.GetString(e);
            h[e] = XXH3_64bits(s.data(), s.size());
          }
          const uint32_t* codes = c->codes();
          for (size_t i = 0; i < n; ++i) out[i] = Combine(out[i], h[codes[i]]);
          break;
        }
        for (size_t i = 0; i < n; ++i) {
          std::string_view s = c->GetString(i);
          out[i] = Combine(out[i], XXH3_64bits(s.data(), s.size()));
        }
        break;
    }
    if (c->has_nulls()) {
      const uint8_t* valid = c->validity().data();
      for (size_t i = 0; i < n; ++i)
        if (!valid[i]) out[i] = Combine(saved[i], kNullHash);
    }
  }
}

bool KeyTable::Equal(uint32_t id, const std::vector<const Column*>& keys, size_t row) const {
  for (size_t k = 0; k < keys.size(); ++k) {
    const Column& a = keys_[k];
    const Column& b = *keys[k];
    bool an = a.IsNull(id), bn = b.IsNull(row);
    if (an || bn) {
      if (an != bn) return false;
      continue;
    }
    switch (a.type().physical()) {
      case PhysicalType::kBool:
        if (a.Get<uint8_t>(id) != b.Get<uint8_t>(row)) return false;
        break;
      case PhysicalType::kInt32:
        if (a.Get<int32_t>(id) != b.Get<int32_t>(row)) return false;
        break;
      case PhysicalType::kInt64:
        if (a.Get<int64_t>(id) != b.Get<int64_t>(row)) return false;
        break;
      case PhysicalType::kInt128:
        if (a.Get<int128>(id) != b.Get<int128>(row)) return false;
        break;
      case PhysicalType::kDouble:
        if (!(a.Get<double>(id) == b.Get<double>(row))) {
          // NaN groups with NaN.
          double x = a.Get<double>(id), y = b.Get<double>(row);
          if (!(x != x && y != y)) return false;
        }
        break;
      case PhysicalType::kString:
        if (a.GetString(id) != b.GetString(row)) return false;
        break;
    }
  }
  return true;
}

void KeyTable::Reserve(size_t n) {
  size_t want = slots_.size();
  while (want < 2 * n) want *= 2;
  if (want > slots_.size()) {
    hashes_.reserve(n);
    for (auto& k : keys_) k.Reserve(n);
    Rehash(want);
  }
}

uint32_t KeyTable::Claim(uint64_t p, uint64_t hash) {
  const uint32_t id = static_cast<uint32_t>(hashes_.size());
  slots_[p] = id + 1;
  hashes_.push_back(hash);
  if (hashes_.size() * 2 > slots_.size()) Rehash(slots_.size() * 2);
  return id;
}

void KeyTable::Rehash(size_t slot_count) {
  // From hashes_: the keys are not needed.
  std::vector<uint32_t> slots(slot_count, 0);
  const uint64_t mask = slot_count - 1;
  for (uint32_t id = 0; id < hashes_.size(); ++id) {
    uint64_t p = hashes_[id] & mask;
    while (slots[p]) p = (p + 1) & mask;
    slots[p] = id + 1;
  }
  slots_ = std::move(slots);
  mask_ = mask;
}

template <typename T>
void KeyTable::FindOrInsertInts(const T* v, size_t n, uint32_t* ids) {
  // Hashes first, in a loop of their own (the probe loop below gets shorter, so more of its
  // independent slot reads are in flight at once); a run of one key is hashed once.
  thread_local std::vector<uint64_t> hashes;
  if (hashes.size() < n) hashes.resize(n);
  uint64_t* hs = hashes.data();
  for (size_t i = 0; i < n; ++i)
    hs[i] = i > 0 && v[i] == v[i - 1] ? hs[i - 1] : HashInt64Row(v[i]);  // = HashRows' hash
  for (size_t i = 0; i < n; ++i) {
    // Runs of one key (clustered data: one day per row group, a user's actions together) skip
    // the probe.
    if (i > 0 && v[i] == v[i - 1]) {
      ids[i] = ids[i - 1];
      continue;
    }
    const uint64_t h = hs[i];
    uint64_t p = h & mask_;
    const T* stored = keys_[0].values<T>();
    while (true) {
      uint32_t s = slots_[p];
      if (s == 0) {
        ids[i] = Claim(p, h);
        keys_[0].Append<T>(v[i]);
        break;
      }
      if (stored[s - 1] == v[i]) {
        ids[i] = s - 1;
        break;
      }
      p = (p + 1) & mask_;
    }
  }
}

uint32_t KeyTable::StringNumber(std::string_view s) {
  auto [it, fresh] = numbers_.try_emplace(std::string(s), static_cast<uint32_t>(numbers_.size()));
  return it->second;
}

void KeyTable::FindOrInsertIntString(const Column& ints, const Column& strings, size_t n, uint32_t* ids) {
  const Column& dict = strings.dictionary();
  const size_t entries = dict.size();
  // Per dictionary entry: its number and hash (HashRows' hash of a dictionary string).
  thread_local std::vector<uint32_t> entry_number;
  thread_local std::vector<uint64_t> entry_hash;
  entry_number.resize(entries);
  entry_hash.resize(entries);
  for (size_t e = 0; e < entries; ++e) {
    const std::string_view s = dict.GetString(e);
    entry_number[e] = StringNumber(s);
    entry_hash[e] = XXH3_64bits(s.data(), s.size());
  }
  const int64_t* v = ints.values<int64_t>();
  const uint32_t* codes = strings.codes();
  const uint8_t* valid = strings.has_nulls() ? strings.validity().data() : nullptr;
  const int64_t* stored = keys_[0].values<int64_t>();
  for (size_t i = 0; i < n; ++i) {
    const bool null = valid && !valid[i];
    const uint64_t int_hash = Combine(kSeed, Mix(static_cast<uint64_t>(v[i])));
    const uint64_t h = Combine(int_hash, null ? kNullHash : entry_hash[codes[i]]);  // = HashRows
    const uint32_t number = null ? kNullString : entry_number[codes[i]];
    uint64_t p = h & mask_;
    while (true) {
      const uint32_t s = slots_[p];
      if (s == 0) {
        ids[i] = Claim(p, h);
        keys_[0].Append<int64_t>(v[i]);
        keys_[1].AppendFrom(strings, i);
        string_number_.push_back(number);
        stored = keys_[0].values<int64_t>();  // (the append may have moved them)
        break;
      }
      if (stored[s - 1] == v[i] && string_number_[s - 1] == number) {
        ids[i] = s - 1;
        break;
      }
      p = (p + 1) & mask_;
    }
  }
}

uint32_t KeyTable::FindOrInsertString(std::string_view v, bool null) {
  const uint64_t hash = null ? Combine(kSeed, kNullHash) : HashStringRow(v);  // = HashRows' hash
  uint64_t p = hash & mask_;
  while (true) {
    uint32_t s = slots_[p];
    if (s == 0) {
      const uint32_t id = Claim(p, hash);
      if (null) keys_[0].AppendNull();
      else keys_[0].AppendString(v);
      return id;
    }
    // NULL and '' are two keys.
    if (hashes_[s - 1] == hash && keys_[0].IsNull(s - 1) == null &&
        (null || SameString(keys_[0].GetString(s - 1), v)))
      return s - 1;
    p = (p + 1) & mask_;
  }
}

void KeyTable::FindOrInsert(const std::vector<const Column*>& keys, size_t n, uint32_t* ids) {
  // One integer key of 32 or 64 bits (INT, DATE, BIGINT, TIMESTAMP, DECIMAL <= 18) without
  // NULLs: compare the stored keys as a plain array; no per-row type dispatch.
  if (keys.size() == 1 && !keys[0]->has_nulls() && !keys_[0].has_nulls()) {
    if (keys[0]->type().physical() == PhysicalType::kInt64) {
      FindOrInsertInts(keys[0]->values<int64_t>(), n, ids);
      return;
    }
    if (keys[0]->type().physical() == PhysicalType::kInt32) {
      FindOrInsertInts(keys[0]->values<int32_t>(), n, ids);
      return;
    }
  }
  // One STRING key: compare lengths and bytes directly; a run of one value is hashed and probed
  // once; NULL is looked up once per batch.
  if (keys.size() == 1 && keys[0]->type().physical() == PhysicalType::kString) {
    const Column& in = *keys[0];
    const uint8_t* valid = in.has_nulls() ? in.validity().data() : nullptr;
    uint32_t null_id = kNone;
    auto null_key = [&] {
      if (null_id == kNone) null_id = FindOrInsertString({}, true);
      return null_id;
    };
    if (in.is_dictionary()) {
      // Each distinct string of the dictionary is looked up once, when a row first uses it (so
      // ids still follow the rows' order of first appearance).
      const Column& d = in.dictionary();
      std::vector<uint32_t> entry(d.size(), kNone);
      const uint32_t* codes = in.codes();
      for (size_t i = 0; i < n; ++i) {
        if (valid && !valid[i]) {
          ids[i] = null_key();
          continue;
        }
        uint32_t& id = entry[codes[i]];
        if (id == kNone) id = FindOrInsertString(d.GetString(codes[i]));
        ids[i] = id;
      }
      return;
    }
    std::string_view prev;
    bool prev_null = true;  // no previous row
    for (size_t i = 0; i < n; ++i) {
      if (valid && !valid[i]) {
        ids[i] = null_key();
        prev_null = true;
        continue;
      }
      const std::string_view v = in.GetString(i);
      if (!prev_null && SameString(v, prev)) {
        ids[i] = ids[i - 1];
        continue;
      }
      prev = v;
      prev_null = false;
      ids[i] = FindOrInsertString(v);
    }
    return;
  }
  if (int_string_ && keys.size() == 2 && keys[0]->type().physical() == PhysicalType::kInt64 &&
      !keys[0]->has_nulls() && !keys_[0].has_nulls() && keys[1]->is_dictionary()) {
    FindOrInsertIntString(*keys[0], *keys[1], n, ids);
    return;
  }
  std::vector<uint64_t> h(n);
  HashRows(keys, n, h.data());
  for (size_t i = 0; i < n; ++i) {
    uint64_t p = h[i] & mask_;
    while (true) {
      uint32_t s = slots_[p];
      if (s == 0) {
        ids[i] = Claim(p, h[i]);
        for (size_t k = 0; k < keys.size(); ++k) keys_[k].AppendFrom(*keys[k], i);
        if (int_string_)  // every id keeps its string's number, whichever path inserted it
          string_number_.push_back(keys_[1].IsNull(ids[i]) ? kNullString : StringNumber(keys_[1].GetString(ids[i])));
        break;
      }
      if (hashes_[s - 1] == h[i] && Equal(s - 1, keys, i)) {
        ids[i] = s - 1;
        break;
      }
      p = (p + 1) & mask_;
    }
  }
}

void KeyTable::Find(const std::vector<const Column*>& keys, size_t n, uint32_t* ids) const {
  if (keys.size() == 1 && keys[0]->type().physical() == PhysicalType::kInt64 && !keys[0]->has_nulls() &&
      !keys_[0].has_nulls()) {
    const int64_t* v = keys[0]->values<int64_t>();
    const int64_t* stored = keys_[0].values<int64_t>();
    // A block of rows is hashed first and its slots fetched ahead, so that the probes' memory
    // reads overlap instead of following one another.
    constexpr size_t kBlock = 32;
    uint64_t pos[kBlock];
    for (size_t b = 0; b < n; b += kBlock) {
      const size_t m = std::min(kBlock, n - b);
      for (size_t j = 0; j < m; ++j) {
        pos[j] = HashInt64Row(v[b + j]) & mask_;
        __builtin_prefetch(&slots_[pos[j]]);
      }
      for (size_t j = 0; j < m; ++j) {
        const int64_t key = v[b + j];
        uint64_t p = pos[j];
        uint32_t id = kNone;
        while (uint32_t s = slots_[p]) {
          if (stored[s - 1] == key) {
            id = s - 1;
            break;
          }
          p = (p + 1) & mask_;
        }
        ids[b + j] = id;
      }
    }
    return;
  }
  std::vector<uint64_t> h(n);
  HashRows(keys, n, h.data());
  std::vector<uint8_t> has_null(n, 0);
  for (const Column* c : keys)
    if (c->has_nulls())
      for (size_t i = 0; i < n; ++i) has_null[i] |= !c->validity()[i];
  for (size_t i = 0; i < n; ++i) {
    ids[i] = kNone;
    if (has_null[i]) continue;
    uint64_t p = h[i] & mask_;
    while (uint32_t s = slots_[p]) {
      if (hashes_[s - 1] == h[i] && Equal(s - 1, keys, i)) {
        ids[i] = s - 1;
        break;
      }
      p = (p + 1) & mask_;
    }
  }
}

}  // namespace wh
