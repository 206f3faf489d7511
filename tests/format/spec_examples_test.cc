// SPEC.md's block and zone-map examples are real bytes: each hex dump between a pair of
// `<!-- dump-begin NAME -->` / `<!-- dump-end NAME -->` markers must be exactly what the encoder
// writes for that example's rows, and must decode back to those rows, so the document cannot
// drift from the code. (The whole-segment worked example is checked in segment_test.cc.)
#include <gtest/gtest.h>
#include <zstd.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

#include "format/format.h"

namespace wh {
namespace {

std::string ReadSpec() {
  std::ifstream in(std::string(WH_SOURCE_DIR) + "/SPEC.md", std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The bytes of the hex dump NAME in SPEC.md: lines `OOOOOOOO: xx xx ...`, whose offsets must
// follow one another. Fails the test (and returns "") when the markers or the dump are missing
// or malformed.
std::string SpecDump(const std::string& name) {
  static const std::string spec = ReadSpec();
  const std::string b = "<!-- dump-begin " + name + " -->", e = "<!-- dump-end " + name + " -->";
  const size_t begin = spec.find(b), end = spec.find(e);
  if (begin == std::string::npos || end == std::string::npos || end < begin) {
    ADD_FAILURE() << "SPEC.md has no dump '" << name << "'";
    return "";
  }
  std::string bytes;
  std::istringstream lines(spec.substr(begin + b.size(), end - begin - b.size()));
  for (std::string line; std::getline(lines, line);) {
    if (line.size() < 10 || line[8] != ':') continue;
    const unsigned long offset = std::stoul(line.substr(0, 8), nullptr, 16);
    if (offset != bytes.size()) {
      ADD_FAILURE() << "dump '" << name << "': line at offset " << line.substr(0, 8) << " follows "
                    << bytes.size() << " bytes";
      return "";
    }
    std::istringstream hex(line.substr(9));
    for (std::string x; hex >> x;) {
      if (x.size() != 2) {
        ADD_FAILURE() << "dump '" << name << "': bad byte '" << x << "'";
        return "";
      }
      bytes.push_back(static_cast<char>(std::stoi(x, nullptr, 16)));
    }
  }
  if (bytes.empty()) ADD_FAILURE() << "dump '" << name << "' is empty";
  return bytes;
}

// The dump as SPEC.md writes it, to paste when the format changes on purpose.
std::string FormatDump(const std::string& bytes) {
  std::string out;
  char buf[32];
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i % 16 == 0) {
      std::snprintf(buf, sizeof buf, "%s%08zx:", i ? "\n" : "", i);
      out += buf;
    }
    std::snprintf(buf, sizeof buf, " %02x", static_cast<unsigned char>(bytes[i]));
    out += buf;
  }
  return out + "\n";
}

void ExpectSameValues(const Column& want, const Column& got) {
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(want.IsNull(i), got.IsNull(i)) << "row " << i;
    if (want.IsNull(i)) continue;
    switch (want.type().physical()) {
      case PhysicalType::kString: EXPECT_EQ(want.GetString(i), got.GetString(i)) << "row " << i; break;
      case PhysicalType::kDouble: {
        const double x = want.Get<double>(i), y = got.Get<double>(i);
        EXPECT_EQ(std::memcmp(&x, &y, 8), 0) << "row " << i;
        break;
      }
      default: EXPECT_TRUE(IntegerAt(want, i) == IntegerAt(got, i)) << "row " << i;
    }
  }
}

struct Example {
  std::string name;  // dumps "NAME-block" and "NAME-zone-map"
  Column column;
  std::optional<Encoding> force;  // else the writer's own choice
  Encoding expect_encoding;
  Compression expect_compression = Compression::kNone;
};

Column Strings(std::initializer_list<const char*> rows) {
  Column c(DataType::String());
  for (const char* s : rows) {
    if (s) c.AppendString(s);
    else c.AppendNull();
  }
  return c;
}

template <typename T>
Column Fixed(const DataType& t, std::initializer_list<std::optional<T>> rows) {
  Column c(t);
  for (const auto& v : rows) {
    if (v) c.Append<T>(*v);
    else c.AppendNull();
  }
  return c;
}

std::vector<Example> Examples() {
  std::vector<Example> ex;
  ex.push_back({"rle", Strings({nullptr, "web", "web", nullptr, "ios", "ios", "ios", nullptr}),
                Encoding::kRle, Encoding::kRle});
  ex.push_back({"dictionary", Strings({nullptr, "web", "ios", "web", "android", nullptr, "web", "web"}),
                std::nullopt, Encoding::kDictionary});
  ex.push_back({"for", Fixed<int32_t>(DataType::Int32(), {-150, -50, 250, std::nullopt, 50, -150, 350, -50}),
                std::nullopt, Encoding::kForBitpack});
  ex.push_back({"decimal128",
                Fixed<int128>(DataType::Decimal(38, 2),
                              {static_cast<int128>(1234567890123456789ll) * 1000 + 12, -5, std::nullopt, 100}),
                std::nullopt, Encoding::kPlain});
  {
    Column c(DataType::Int64());
    for (int i = 0; i < 4096; ++i) c.Append<int64_t>(1000 + 10 * (i % 16));
    ex.push_back({"zstd", std::move(c), std::nullopt, Encoding::kForBitpack, Compression::kZstd});
  }
  ex.push_back({"all-null", Strings({nullptr, nullptr, nullptr}), std::nullopt, Encoding::kDictionary});
  ex.push_back({"double-nan",
                Fixed<double>(DataType::Double(), {1.5, std::numeric_limits<double>::quiet_NaN(), std::nullopt}),
                std::nullopt, Encoding::kPlain});
  ex.push_back({"double-zero",
                Fixed<double>(DataType::Double(), {0.0, -0.0, std::numeric_limits<double>::infinity()}),
                std::nullopt, Encoding::kPlain});
  ex.push_back({"lengths", Strings({"in_ab", nullptr, "", "in_cde"}), std::nullopt, Encoding::kLengths});
  {
    Column c(DataType::Int32());
    for (int i = 0; i < 64; ++i) {
      if (i == 9) c.AppendNull();
      else c.Append<int32_t>(i == 5 ? 7 : i == 40 ? 4001 : 100 * i);
    }
    ex.push_back({"patched", std::move(c), std::nullopt, Encoding::kForPatched});
  }
  return ex;
}

// The zstd frame in the dump was made by this version at level 3; other versions may compress
// the same payload to other (equally valid) bytes.
constexpr const char* kSpecZstdVersion = "1.5.";

TEST(SpecExamples, EveryBlockDumpIsWhatTheEncoderWritesAndDecodes) {
  for (const Example& e : Examples()) {
    SCOPED_TRACE(e.name);
    const std::string spec_block = SpecDump(e.name + "-block");
    EncodeOptions opt;  // the writer's defaults (zstd level 3 from 2 KiB on)
    opt.force_encoding = e.force;
    std::string block;
    BlockInfo info;
    ASSERT_TRUE(EncodeBlock(e.column, 0, e.column.size(), opt, &block, &info).ok());
    EXPECT_EQ(info.encoding, e.expect_encoding);
    EXPECT_EQ(info.compression, e.expect_compression);
    if (e.expect_compression == Compression::kZstd &&
        std::string(ZSTD_versionString()).rfind(kSpecZstdVersion, 0) != 0 && block != spec_block) {
      // Another zstd: the frame header and the decompressed payload must still agree.
      ASSERT_GE(spec_block.size(), 24u);
      EXPECT_EQ(block.substr(0, 12), spec_block.substr(0, 12)) << "header: encoding .. raw size";
    } else {
      EXPECT_EQ(block, spec_block) << "the encoder writes\n" << FormatDump(block);
    }
    // The dump decodes to the example's rows.
    BlockInfo spec_info;
    auto decoded = DecodeBlock(e.column.type(), reinterpret_cast<const uint8_t*>(spec_block.data()),
                               spec_block.size(), static_cast<uint32_t>(e.column.size()), &spec_info);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(spec_info.encoding, e.expect_encoding);
    EXPECT_EQ(spec_info.raw_size, info.raw_size);
    ExpectSameValues(e.column, *decoded);

    std::string zone;
    ComputeZoneMap(e.column, 0, e.column.size()).Serialize(e.column.type(), &zone);
    EXPECT_EQ(zone, SpecDump(e.name + "-zone-map")) << "the writer writes\n" << FormatDump(zone);
  }
}

// The RLE example is forced: SPEC.md says that for its rows the writer would pick DICTIONARY,
// a payload of 26 bytes against RLE's 28.
TEST(SpecExamples, RleExampleWouldBeADictionaryUnforced) {
  const Example e = Examples()[0];
  ASSERT_EQ(e.name, "rle");
  std::string block;
  BlockInfo info;
  ASSERT_TRUE(EncodeBlock(e.column, 0, e.column.size(), EncodeOptions{}, &block, &info).ok());
  EXPECT_EQ(info.encoding, Encoding::kDictionary);
  EXPECT_EQ(info.raw_size, 26u);
}

// Prints every example's dumps in SPEC.md's form (run with --gtest_also_run_disabled_tests when
// the format changes on purpose).
TEST(SpecExamples, DISABLED_PrintDumps) {
  for (const Example& e : Examples()) {
    EncodeOptions opt;
    opt.force_encoding = e.force;
    std::string block, zone;
    ASSERT_TRUE(EncodeBlock(e.column, 0, e.column.size(), opt, &block).ok());
    ComputeZoneMap(e.column, 0, e.column.size()).Serialize(e.column.type(), &zone);
    std::printf("%s-block\n%s%s-zone-map\n%s\n", e.name.c_str(), FormatDump(block).c_str(),
                e.name.c_str(), FormatDump(zone).c_str());
  }
}

// The zstd example's payload as SPEC.md annotates it: decompressed, it is the FOR payload of the
// rows, whatever zstd made the frame.
TEST(SpecExamples, ZstdDumpDecompressesToThePayloadTheEncoderWouldStoreRaw) {
  const std::string spec_block = SpecDump("zstd-block");
  ASSERT_GT(spec_block.size(), 24u);
  uint32_t raw = 0, stored = 0;
  std::memcpy(&raw, spec_block.data() + 8, 4);
  std::memcpy(&stored, spec_block.data() + 12, 4);
  ASSERT_EQ(stored + 24u, spec_block.size());
  std::string payload(raw, '\0');
  size_t r = ZSTD_decompress(payload.data(), raw, spec_block.data() + 16, stored);
  ASSERT_FALSE(ZSTD_isError(r)) << ZSTD_getErrorName(r);
  ASSERT_EQ(r, raw);
  const Example e = Examples()[4];
  ASSERT_EQ(e.name, "zstd");
  EncodeOptions opt;
  opt.allow_zstd = false;
  std::string plain;
  ASSERT_TRUE(EncodeBlock(e.column, 0, e.column.size(), opt, &plain).ok());
  EXPECT_EQ(payload, plain.substr(16, plain.size() - 24));
}

}  // namespace
}  // namespace wh
