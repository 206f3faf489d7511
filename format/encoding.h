// Column blocks: light encodings, optional zstd, the block frame with its checksum, and the
// zone map (min, max, null count) of a run of values. SPEC.md "Blocks" documents the bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "format/column.h"
#include "format/status.h"
#include "format/types.h"

namespace wh {

// Written to disk; never renumber.
// kLengths and kForPatched: segment format version 4 on (SPEC.md "Block frame").
enum class Encoding : uint8_t {
  kPlain = 0,
  kRle = 1,
  kDictionary = 2,
  kForBitpack = 3,
  kLengths = 4,     // STRING: each value as u32 length + bytes
  kForPatched = 5,  // integer-like: FOR_BITPACK with exception rows stored whole
};
enum class Compression : uint8_t { kNone = 0, kZstd = 1 };

const char* EncodingName(Encoding e);

constexpr size_t kBlockHeaderSize = 16;
constexpr size_t kBlockTrailerSize = 8;
// Largest value count and decoded size wh accepts in one block; guards allocations when a
// block header is damaged.
constexpr uint32_t kMaxBlockRows = 1u << 20;
constexpr uint32_t kMaxBlockRawBytes = 1u << 30;
// Strings longer than this get no min/max in zone maps.
constexpr size_t kMaxZoneMapString = 256;

// Min/max/null count over a run of values. Integers of every width (and booleans, dates,
// timestamps, decimals) use min_i/max_i; DOUBLE uses min_d/max_d; STRING uses min_s/max_s.
// has_min_max is false when every value is NULL, or the statistics were not kept (a NaN, a long
// string): then the zone map must not be used to skip anything.
struct ZoneMap {
  uint64_t null_count = 0;
  bool has_min_max = false;
  int128 min_i = 0, max_i = 0;
  double min_d = 0, max_d = 0;
  std::string min_s, max_s;

  // Widens this zone map to cover `o` as well.
  void Merge(const ZoneMap& o, const DataType& type);
  // Serialized form (SPEC.md "Zone map"): u8 flags, u64 null_count, then min and max.
  void Serialize(const DataType& type, std::string* out) const;
  static ZoneMap Deserialize(const DataType& type, class ByteReader* in);
  // Steps over a serialized zone map without building it (no allocation); returns its null
  // count. A malformed one fails `in`, as Deserialize would.
  static uint64_t Skip(const DataType& type, class ByteReader* in);
  // Human-readable "min..max" for inspect.
  std::string MinString(const DataType& type) const;
  std::string MaxString(const DataType& type) const;
};

ZoneMap ComputeZoneMap(const Column& col, size_t begin, size_t end);
// The zone map of values of type `from` as values of type `to` (CanWiden(from, to)).
ZoneMap WidenZone(const ZoneMap& z, const DataType& from, const DataType& to);

// The segment writer's default target for row groups that several buckets share: buckets share
// one while their rows together are at most this many (see ShareBuckets in segment.h). 8,192
// with 512 rows a bucket (kShareCellRows): a day of SF 1 payments (45 buckets of ~290 rows)
// then has 8 row groups, not 45, and 13% fewer bytes (zstd and the frames), for ~5% more time
// in the report, whose units of work then hold several buckets (16 units, not 45).
constexpr uint32_t kDefaultSharedGroupRows = 8192;

struct EncodeOptions {
  bool allow_zstd = true;
  int zstd_level = 3;
  // Tests force an encoding; it must be valid for the type (see SPEC.md), else PLAIN is used.
  std::optional<Encoding> force_encoding;
  // Payloads smaller than this stay uncompressed: opening a zstd frame costs ~25K instructions
  // (header, entropy tables) whatever its size. With format version 1's row group per bucket and
  // partition the SF1 report opened 8,100 frames of 256 B - 2 KiB to save ~2 MB, and the limit
  // was 2 KiB; with shared row groups such blocks are few where queries read much, and many in
  // small tables, where they are most of the bytes (the payments sample: 1.2 MiB -> 0.93 MiB).
  size_t zstd_min_bytes = 256;
  // Table writers: the target rows of a row group shared by several buckets; 0: every bucket
  // in row groups of its own.
  uint32_t shared_group_rows = kDefaultSharedGroupRows;
};

struct BlockInfo {
  Encoding encoding = Encoding::kPlain;
  Compression compression = Compression::kNone;
  uint32_t rows = 0;
  uint32_t raw_size = 0;     // encoded payload before compression
  uint32_t stored_size = 0;  // payload bytes on disk
};

// Encodes rows [begin, end) of col as one framed block appended to *out.
Status EncodeBlock(const Column& col, size_t begin, size_t end, const EncodeOptions& options,
                   std::string* out, BlockInfo* info = nullptr);

// Verifies the frame checksum of the block at data[0, size), decompresses and decodes it.
// Fails with Corruption when the checksum, a length, or the encoded structure is wrong, or the
// block does not hold expected_rows values.
Result<Column> DecodeBlock(const DataType& type, const uint8_t* data, size_t size,
                           uint32_t expected_rows, BlockInfo* info = nullptr);

// Checks only the frame (lengths and checksum) without decoding.
Status VerifyBlockFrame(const uint8_t* data, size_t size, BlockInfo* info = nullptr);

}  // namespace wh
