// Round trip of every type, with NULLs and edge values, through every encoding that applies to
// it, with and without zstd; and damaged blocks fail with Corruption.
#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <set>

#include "format/bitpack.h"
#include "format/coding.h"
#include "format/format.h"

namespace wh {
namespace {

Column MakeColumn(const DataType& t, size_t n, bool nulls, uint32_t seed) {
  std::mt19937_64 rng(seed);
  Column c(t);
  for (size_t i = 0; i < n; ++i) {
    if (nulls && rng() % 5 == 0) {
      c.AppendNull();
      continue;
    }
    uint64_t r = rng();
    // Mix of edge values, repeats (for RLE/dict) and random values.
    int kind = static_cast<int>(r % 4);
    switch (t.id) {
      case TypeId::kBoolean: c.Append<uint8_t>(r & 1); break;
      case TypeId::kInt32:
        c.Append<int32_t>(kind == 0 ? std::numeric_limits<int32_t>::min()
                          : kind == 1 ? std::numeric_limits<int32_t>::max()
                                      : static_cast<int32_t>(r % 1000));
        break;
      case TypeId::kInt64:
      case TypeId::kTimestamp:
        c.Append<int64_t>(kind == 0 ? std::numeric_limits<int64_t>::min()
                          : kind == 1 ? std::numeric_limits<int64_t>::max()
                                      : static_cast<int64_t>(r % 100000) * 60000000);
        break;
      case TypeId::kDate: c.Append<int32_t>(static_cast<int32_t>(r % 400) - 200); break;
      case TypeId::kDouble:
        c.Append<double>(kind == 0 ? -0.0 : kind == 1 ? 1e308 : static_cast<double>(r % 100) / 7);
        break;
      case TypeId::kDecimal:
        if (t.physical() == PhysicalType::kInt128) {
          int128 big = Pow10(37) * 9 + 5;
          c.Append<int128>(kind == 0 ? -big : kind == 1 ? big : static_cast<int128>(r % 1000) * Pow10(16));
        } else {
          c.Append<int64_t>(kind == 0 ? -999999999999999999ll : static_cast<int64_t>(r % 1000));
        }
        break;
      case TypeId::kString: {
        static const char* kWords[] = {"", "web", "ios", "a\"b,c\nd", "\xc3\xa9t\xc3\xa9"};
        if (kind == 3) {
          c.AppendString(std::string(r % 300, 'x') + std::to_string(r));
        } else {
          c.AppendString(kWords[r % 5]);
        }
        break;
      }
      case TypeId::kList: ADD_FAILURE() << "no column stores a list"; break;
    }
  }
  return c;
}

void ExpectSame(const Column& a, const Column& b) {
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.type(), b.type());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a.IsNull(i), b.IsNull(i)) << "row " << i;
    if (a.IsNull(i)) continue;
    switch (a.type().physical()) {
      case PhysicalType::kBool: ASSERT_EQ(a.Get<uint8_t>(i), b.Get<uint8_t>(i)); break;
      case PhysicalType::kInt32: ASSERT_EQ(a.Get<int32_t>(i), b.Get<int32_t>(i)); break;
      case PhysicalType::kInt64: ASSERT_EQ(a.Get<int64_t>(i), b.Get<int64_t>(i)) << i; break;
      case PhysicalType::kInt128: ASSERT_TRUE(a.Get<int128>(i) == b.Get<int128>(i)) << i; break;
      case PhysicalType::kDouble: {
        double x = a.Get<double>(i), y = b.Get<double>(i);
        ASSERT_EQ(std::memcmp(&x, &y, 8), 0) << i;
        break;
      }
      case PhysicalType::kString: ASSERT_EQ(a.GetString(i), b.GetString(i)) << i; break;
    }
  }
}

const DataType kTypes[] = {DataType::Boolean(),     DataType::Int32(),        DataType::Int64(),
                           DataType::Double(),      DataType::Decimal(10, 2), DataType::Decimal(38, 18),
                           DataType::String(),      DataType::Date(),         DataType::Timestamp()};

bool Applies(Encoding e, const DataType& t) {
  switch (e) {
    case Encoding::kPlain:
    case Encoding::kRle: return true;
    case Encoding::kDictionary: return t.id == TypeId::kString;
    case Encoding::kForBitpack: return t.is_integer_like();
    case Encoding::kLengths: return t.id == TypeId::kString;
    case Encoding::kForPatched: return false;  // only where there are exceptions: tests below
  }
  return false;
}

TEST(Encoding, EveryTypeThroughEveryEncoding) {
  for (const DataType& t : kTypes) {
    for (Encoding e : {Encoding::kPlain, Encoding::kRle, Encoding::kDictionary, Encoding::kForBitpack,
                       Encoding::kLengths}) {
      if (!Applies(e, t)) continue;
      for (bool nulls : {false, true}) {
        for (bool zstd : {false, true}) {
          for (size_t n : {size_t{1}, size_t{7}, size_t{1000}}) {
            SCOPED_TRACE(t.ToString() + " " + EncodingName(e) + (nulls ? " nulls" : "") +
                         (zstd ? " zstd" : "") + " n=" + std::to_string(n));
            Column c = MakeColumn(t, n, nulls, static_cast<uint32_t>(n * 31 + nulls));
            EncodeOptions opt;
            opt.allow_zstd = zstd;
            opt.zstd_min_bytes = 0;  // small blocks through zstd too
            opt.force_encoding = e;
            std::string block;
            BlockInfo info;
            ASSERT_TRUE(EncodeBlock(c, 0, n, opt, &block, &info).ok());
            // FOR needs the value range to fit 64 bits; the int128 edge values do not.
            if (!(e == Encoding::kForBitpack && t.physical() == PhysicalType::kInt128)) {
              EXPECT_EQ(info.encoding, e);
            }
            if (!zstd) {
              EXPECT_EQ(info.compression, Compression::kNone);
            }
            auto d = DecodeBlock(t, reinterpret_cast<const uint8_t*>(block.data()), block.size(), n);
            ASSERT_TRUE(d.ok()) << d.status().ToString();
            ExpectSame(c, *d);
          }
        }
      }
    }
  }
}

// RLE strings with few distinct values decode in dictionary form (a code per row, each string
// once), NULL rows naming an empty entry, whether or not a run holds ''; more distinct values
// than a dictionary keeps decode plain. Values are the same either way.
TEST(Encoding, RleStringsOfFewValuesDecodeAsADictionary) {
  for (int distinct : {1, 3, 64, 65}) {
    for (bool nulls : {false, true}) {
      for (bool empty : {false, true}) {
        SCOPED_TRACE(std::to_string(distinct) + (nulls ? " nulls" : "") + (empty ? " empty" : ""));
        Column c(DataType::String());
        for (int i = 0; i < 2000; ++i) {
          const int run = i / 7;  // runs of 7
          if (nulls && run % 5 == 2) c.AppendNull();
          else if (empty && run % 6 == 1) c.AppendString("");
          else c.AppendString("v" + std::to_string(run % distinct));
        }
        EncodeOptions opt;
        opt.force_encoding = Encoding::kRle;
        std::string block;
        ASSERT_TRUE(EncodeBlock(c, 0, c.size(), opt, &block).ok());
        auto d = DecodeBlock(c.type(), reinterpret_cast<const uint8_t*>(block.data()), block.size(), 2000);
        ASSERT_TRUE(d.ok()) << d.status().ToString();
        std::set<std::string> values;  // NULL rows add none (their entry comes on top)
        for (size_t i = 0; i < c.size(); ++i)
          if (!c.IsNull(i)) values.insert(std::string(c.GetString(i)));
        EXPECT_EQ(d->is_dictionary(), values.size() <= 64) << values.size();
        ExpectSame(c, *d);
      }
    }
  }
}

TEST(Encoding, AutomaticChoiceRoundTripsAndIsCompact) {
  Column etl(DataType::Timestamp());
  for (int i = 0; i < 10000; ++i) etl.Append<int64_t>(1646092800000000);
  std::string block;
  BlockInfo info;
  ASSERT_TRUE(EncodeBlock(etl, 0, etl.size(), {}, &block, &info).ok());
  EXPECT_LT(block.size(), 64u) << "a constant column must cost a few bytes";
  auto d = DecodeBlock(etl.type(), reinterpret_cast<const uint8_t*>(block.data()), block.size(), 10000);
  ASSERT_TRUE(d.ok());
  ExpectSame(etl, *d);

  // Timestamps at minute resolution within one day: frame of reference with a common factor.
  Column ts(DataType::Timestamp());
  for (int i = 0; i < 1000; ++i) ts.Append<int64_t>(1646092800000000 + int64_t{(i * 37) % 1440} * 60000000);
  block.clear();
  ASSERT_TRUE(EncodeBlock(ts, 0, ts.size(), EncodeOptions{false, 3, std::nullopt}, &block, &info).ok());
  EXPECT_EQ(info.encoding, Encoding::kForBitpack);
  EXPECT_LT(block.size(), 1000u * 11 / 8 + 64);
}

// zstd only pays for itself on payloads of 2 KiB and more: a smaller one stays uncompressed
// however well it would compress (each frame costs a fixed ~25K instructions to open).
TEST(Encoding, SmallPayloadsAreNotCompressed) {
  for (size_t n : {size_t{200}, size_t{2000}}) {
    Column c(DataType::String());
    for (size_t i = 0; i < n; ++i) c.AppendString(i % 2 ? "abcdefgh" : "abcdefgi");  // plain: n * 12 bytes
    EncodeOptions opt;
    opt.force_encoding = Encoding::kPlain;
    std::string block;
    BlockInfo info;
    ASSERT_TRUE(EncodeBlock(c, 0, n, opt, &block, &info).ok());
    EXPECT_EQ(info.compression, n * 12 < opt.zstd_min_bytes ? Compression::kNone : Compression::kZstd) << n;
    auto d = DecodeBlock(c.type(), reinterpret_cast<const uint8_t*>(block.data()), block.size(), n);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    ExpectSame(c, *d);
  }
}

TEST(Encoding, SubrangeOfAColumn) {
  Column c = MakeColumn(DataType::String(), 100, true, 5);
  Column part(DataType::String());
  for (size_t i = 10; i < 60; ++i) part.AppendFrom(c, i);
  std::string block;
  ASSERT_TRUE(EncodeBlock(c, 10, 60, {}, &block).ok());
  auto d = DecodeBlock(c.type(), reinterpret_cast<const uint8_t*>(block.data()), block.size(), 50);
  ASSERT_TRUE(d.ok());
  ExpectSame(part, *d);
}

TEST(Encoding, EveryFlippedByteIsDetected) {
  Column c = MakeColumn(DataType::Decimal(38, 18), 200, true, 9);
  std::string block;
  ASSERT_TRUE(EncodeBlock(c, 0, c.size(), {}, &block).ok());
  for (size_t i = 0; i < block.size(); ++i) {
    std::string bad = block;
    bad[i] ^= 0x20;
    auto d = DecodeBlock(c.type(), reinterpret_cast<const uint8_t*>(bad.data()), bad.size(), 200);
    ASSERT_FALSE(d.ok()) << "flip at byte " << i << " went unnoticed";
    EXPECT_EQ(d.status().code(), StatusCode::kCorruption);
  }
  for (size_t len = 0; len < block.size(); len += 7) {
    auto d = DecodeBlock(c.type(), reinterpret_cast<const uint8_t*>(block.data()), len, 200);
    EXPECT_FALSE(d.ok());
  }
}

TEST(Encoding, ZoneMaps) {
  Column c(DataType::Int64());
  c.Append<int64_t>(5);
  c.AppendNull();
  c.Append<int64_t>(-3);
  ZoneMap z = ComputeZoneMap(c, 0, 3);
  EXPECT_TRUE(z.has_min_max);
  EXPECT_EQ(z.null_count, 1u);
  EXPECT_TRUE(z.min_i == -3 && z.max_i == 5);

  Column all_null(DataType::String());
  all_null.AppendNull();
  ZoneMap zn = ComputeZoneMap(all_null, 0, 1);
  EXPECT_FALSE(zn.has_min_max);
  EXPECT_EQ(zn.null_count, 1u);

  Column d(DataType::Double());
  d.Append<double>(1.0);
  d.Append<double>(std::numeric_limits<double>::quiet_NaN());
  EXPECT_FALSE(ComputeZoneMap(d, 0, 2).has_min_max) << "a NaN disables min/max";

  Column s(DataType::String());
  s.AppendString(std::string(1000, 'z'));
  EXPECT_FALSE(ComputeZoneMap(s, 0, 1).has_min_max) << "long strings keep no stats";
}

// A DICTIONARY block decodes into Column's dictionary form: codes into the block's distinct
// strings. Appending keeps codes (one dictionary shared, or two merged) where it can, turns
// plain where it must, and every path reads back the same strings and NULLs.
Column DecodeDict(const std::vector<const char*>& values) {  // nullptr = NULL
  Column c(DataType::String());
  for (const char* v : values) {
    if (v) c.AppendString(v);
    else c.AppendNull();
  }
  std::string block;
  EncodeOptions o;
  o.allow_zstd = false;
  o.force_encoding = Encoding::kDictionary;
  EXPECT_TRUE(EncodeBlock(c, 0, c.size(), o, &block).ok());
  auto d = DecodeBlock(c.type(), reinterpret_cast<const uint8_t*>(block.data()), block.size(),
                       static_cast<uint32_t>(c.size()));
  EXPECT_TRUE(d.ok());
  return d.ok() ? std::move(*d) : Column(DataType::String());
}

std::vector<std::string> Texts(const Column& c) {
  std::vector<std::string> out;
  for (size_t i = 0; i < c.size(); ++i) out.push_back(c.IsNull(i) ? "<null>" : std::string(c.GetString(i)));
  return out;
}

TEST(Encoding, DictionaryFormKeepsCodesAndReadsBackExactly) {
  Column a = DecodeDict({"web", "ios", nullptr, "web", "android"});
  Column b = DecodeDict({"tv", "web", "tv", nullptr});
  ASSERT_TRUE(a.is_dictionary());
  ASSERT_TRUE(b.is_dictionary());
  EXPECT_EQ(Texts(a), (std::vector<std::string>{"web", "ios", "<null>", "web", "android"}));
  EXPECT_EQ(a.GetString(2), "") << "a NULL string reads empty";

  // Same dictionary: codes appended; another: merged into a copy (b's stays as it was).
  Column acc(DataType::String());
  acc.AppendRange(a, 0, a.size());
  acc.AppendRange(a, 1, 2);
  acc.AppendRange(b, 0, b.size());
  EXPECT_TRUE(acc.is_dictionary());
  EXPECT_EQ(Texts(acc), (std::vector<std::string>{"web", "ios", "<null>", "web", "android", "ios", "<null>", "tv",
                                                  "web", "tv", "<null>"}));
  EXPECT_EQ(Texts(b), (std::vector<std::string>{"tv", "web", "tv", "<null>"}));
  EXPECT_EQ(Texts(a), (std::vector<std::string>{"web", "ios", "<null>", "web", "android"}));

  const uint32_t rows[] = {4, 0, 2};
  Column sel(DataType::String());
  sel.AppendSelected(a, rows, 3);
  EXPECT_TRUE(sel.is_dictionary());
  EXPECT_EQ(Texts(sel), (std::vector<std::string>{"android", "web", "<null>"}));

  // Into a plain column, gathered from two, past 64 merged entries, or asked for bytes: plain,
  // with the same strings.
  Column plain(DataType::String());
  plain.AppendString("x");
  plain.AppendRange(b, 1, 3);
  EXPECT_FALSE(plain.is_dictionary());
  EXPECT_EQ(Texts(plain), (std::vector<std::string>{"x", "web", "tv", "<null>"}));
  Column g(DataType::String());
  const uint16_t which[] = {1, 0, 1};
  const uint32_t grows[] = {0, 4, 3};
  g.AppendGathered({&a, &b}, which, grows, 3);
  EXPECT_EQ(Texts(g), (std::vector<std::string>{"tv", "android", "<null>"}));
  Column many(DataType::String());
  for (int k = 0; k < 70; ++k) many.AppendRange(DecodeDict({std::to_string(k).c_str()}), 0, 1);
  EXPECT_FALSE(many.is_dictionary());
  EXPECT_EQ(many.size(), 70u);
  EXPECT_EQ(many.GetString(69), "69");
  Column copy = acc;
  copy.Truncate(4);
  EXPECT_EQ(Texts(copy), (std::vector<std::string>{"web", "ios", "<null>", "web"}));
  const std::string& bytes = copy.chars();
  EXPECT_FALSE(copy.is_dictionary());
  EXPECT_EQ(bytes, "webiosweb");
  EXPECT_EQ(copy.offsets(), (std::vector<uint32_t>{0, 3, 6, 6, 9}));
  EXPECT_TRUE(acc.is_dictionary()) << "the copy turned plain, not the original";
  copy.AppendString("z");
  EXPECT_EQ(Texts(copy).back(), "z");

  // Encoding a dictionary column again gives the same rows back.
  std::string block;
  ASSERT_TRUE(EncodeBlock(acc, 0, acc.size(), EncodeOptions{}, &block).ok());
  auto again = DecodeBlock(acc.type(), reinterpret_cast<const uint8_t*>(block.data()), block.size(),
                           static_cast<uint32_t>(acc.size()));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Texts(*again), Texts(acc));
}

}  // namespace
}  // namespace wh

namespace wh {
namespace {

// Bit packing round-trips at every width and count: the unrolled groups of eight, the
// one-load-per-value tail and the byte-by-byte end (the last values, too close to the end of
// the buffer for 8-byte loads) must agree.
// Gathering strings from several columns: lengths 0..70, rows at the very end of a source
// first, NULLs, into a column that already holds rows.
TEST(Column, GatherStringsOfEveryLength) {
  std::vector<Column> src(3, Column(DataType::String()));
  std::vector<std::string> expect_src[3];
  for (int s = 0; s < 3; ++s) {
    for (int len = 0; len <= 70; ++len) {
      if ((len + s) % 11 == 5) {
        src[s].AppendNull();
        expect_src[s].push_back("<null>");
        continue;
      }
      std::string v;
      for (int k = 0; k < len; ++k) v.push_back(static_cast<char>('a' + (k + len + s) % 26));
      src[s].AppendString(v);
      expect_src[s].push_back(v);
    }
  }
  std::vector<uint16_t> which;
  std::vector<uint32_t> rows;
  for (uint32_t r = 0; r <= 70; ++r)
    for (uint16_t s = 0; s < 3; ++s) {
      which.push_back(static_cast<uint16_t>((s + r) % 3));
      rows.push_back(70 - r);  // the sources' last rows first
    }
  Column g(DataType::String());
  g.AppendString("head");
  g.AppendGathered({&src[0], &src[1], &src[2]}, which.data(), rows.data(), rows.size());
  std::vector<std::string> expect = {"head"};
  for (size_t k = 0; k < rows.size(); ++k) expect.push_back(expect_src[which[k]][rows[k]]);
  EXPECT_EQ(Texts(g), expect);
  EXPECT_EQ(g.chars().size(), g.offsets().back());
}

// A gather larger than its blocks of 1,024 strings and its prefetch distance, of every column
// type, from sources with and without NULLs, taking every source row (the whole-gather path)
// and then some of them again, equals appending the rows one by one.
TEST(Column, RunsEqualAppendingRangeByRange) {
  // AppendRuns against AppendRange run by run: sources of every form (dictionaries shared,
  // different, overflowing the merged dictionary's limit; plain strings; fixed width), with and
  // without NULLs, into an empty column and into one holding rows already.
  std::mt19937_64 rng(11);
  auto dict_of = [](int first, int n) {
    auto d = std::make_shared<Column>(DataType::String());
    for (int k = 0; k < n; ++k) d->AppendString("v" + std::to_string(first + k));
    return d;
  };
  auto dict_column = [&](std::shared_ptr<const Column> d, size_t rows, bool nulls) {
    Column c(DataType::String());
    std::vector<uint32_t> codes(rows);
    std::vector<uint8_t> valid(rows, 1);
    for (size_t i = 0; i < rows; ++i) {
      codes[i] = static_cast<uint32_t>(rng() % d->size());
      if (nulls && rng() % 5 == 0) valid[i] = 0;
    }
    c.SetDictionary(std::move(d), std::move(codes));
    if (nulls) c.SetValidity(std::move(valid));
    return c;
  };
  auto shared = dict_of(0, 6);
  const std::vector<std::vector<int>> mixes = {{0, 0}, {0, 1}, {0, 2}, {0, 3}, {3, 0}, {4, 4}, {0, 1, 2, 3, 4}};
  for (const auto& mix : mixes) {
    for (int start = 0; start < 3; ++start) {  // an empty column, plain rows, dictionary rows
      SCOPED_TRACE(::testing::Message() << "mix " << mix.size() << " " << mix[0] << mix[1] << " start " << start);
      std::vector<Column> src;
      for (int kind : mix) {
        switch (kind) {
          case 0: src.push_back(dict_column(shared, 50, src.size() % 2 == 1)); break;           // the same dictionary
          case 1: src.push_back(dict_column(dict_of(3, 6), 50, true)); break;                  // overlapping entries
          case 2: src.push_back(dict_column(dict_of(100, 60), 50, false)); break;              // past 64 merged
          case 3: {                                                                             // plain
            Column c(DataType::String());
            for (int i = 0; i < 50; ++i) {
              if (rng() % 6 == 0) c.AppendNull();
              else c.AppendString(std::string(rng() % 20, 'p'));
            }
            src.push_back(std::move(c));
            break;
          }
          case 4: src.push_back(dict_column(dict_of(0, 3), 50, true)); break;                 // a prefix of shared
        }
      }
      Column runs_col(DataType::String()), expect(DataType::String());
      if (start == 1) {
        runs_col.AppendString("first");
        expect.AppendString("first");
      } else if (start == 2) {
        Column d = dict_column(shared, 4, false);
        runs_col.AppendRange(d, 0, 4);
        expect.AppendRange(d, 0, 4);
      }
      std::vector<Column::Run> runs;
      for (int k = 0; k < 40; ++k) {
        const uint32_t s = static_cast<uint32_t>(rng() % src.size());
        const uint32_t b = static_cast<uint32_t>(rng() % 50);
        runs.push_back({s, b, static_cast<uint32_t>(rng() % (51 - b))});
      }
      std::vector<const Column*> ptrs;
      for (const Column& c : src) ptrs.push_back(&c);
      runs_col.AppendRuns(ptrs, runs);
      for (const Column::Run& r : runs) expect.AppendRange(src[r.src], r.begin, r.rows);
      ASSERT_EQ(runs_col.size(), expect.size());
      for (size_t i = 0; i < expect.size(); ++i) {
        ASSERT_EQ(runs_col.IsNull(i), expect.IsNull(i)) << i;
        if (expect.IsNull(i)) continue;
        ASSERT_EQ(runs_col.GetString(i), expect.GetString(i)) << i;
      }
    }
  }
  for (const DataType& t : {DataType::Int32(), DataType::Decimal(38, 2), DataType::Boolean()}) {
    SCOPED_TRACE(t.ToString());
    std::vector<Column> src;
    for (int s = 0; s < 3; ++s) {
      src.emplace_back(t);
      for (int i = 0; i < 30; ++i) {
        if (s == 1 && i % 4 == 0) src.back().AppendNull();
        else if (t.physical() == PhysicalType::kInt32) src.back().Append<int32_t>(s * 100 + i);
        else if (t.physical() == PhysicalType::kInt128) src.back().Append<int128>(int128{s} * 1000000007 + i);
        else src.back().Append<uint8_t>(static_cast<uint8_t>(i & 1));
      }
    }
    std::vector<const Column*> ptrs = {&src[0], &src[1], &src[2]};
    std::vector<Column::Run> runs = {{2, 3, 5}, {1, 0, 9}, {0, 29, 1}, {1, 20, 0}, {2, 0, 30}};
    Column got(t), expect(t);
    got.AppendRuns(ptrs, runs);
    for (const Column::Run& r : runs) expect.AppendRange(src[r.src], r.begin, r.rows);
    ASSERT_EQ(got.size(), expect.size());
    for (size_t i = 0; i < expect.size(); ++i) {
      ASSERT_EQ(got.IsNull(i), expect.IsNull(i)) << i;
      if (expect.IsNull(i)) continue;
      ASSERT_TRUE(IntegerAt(got, i) == IntegerAt(expect, i)) << i;
    }
  }
}

TEST(Column, LargeGathersEqualAppendingRowByRow) {
  std::mt19937_64 rng(7);
  const std::vector<DataType> types = {DataType::String(), DataType::Int32(), DataType::Int64(),
                                       DataType::Decimal(38, 2), DataType::Boolean(), DataType::Double()};
  for (const DataType& t : types) {
    SCOPED_TRACE(t.ToString());
    std::vector<Column> src;
    for (int s = 0; s < 4; ++s) {
      src.emplace_back(t);
      const size_t rows = 1000 + 700 * static_cast<size_t>(s);
      for (size_t i = 0; i < rows; ++i) {
        if (s != 2 && rng() % 7 == 0) {  // source 2 has no NULLs at all
          src.back().AppendNull();
          continue;
        }
        const uint64_t r = rng();
        switch (t.physical()) {
          case PhysicalType::kString: src.back().AppendString(std::string(r % 40, static_cast<char>('a' + r % 26))); break;
          case PhysicalType::kInt32: src.back().Append<int32_t>(static_cast<int32_t>(r)); break;
          case PhysicalType::kInt64: src.back().Append<int64_t>(static_cast<int64_t>(r)); break;
          case PhysicalType::kInt128: src.back().Append<int128>(static_cast<int128>(static_cast<int64_t>(r)) * 1000003); break;
          case PhysicalType::kBool: src.back().Append<uint8_t>(static_cast<uint8_t>(r & 1)); break;
          case PhysicalType::kDouble: src.back().Append<double>(static_cast<double>(r) / 3.0); break;
        }
      }
    }
    std::vector<uint16_t> which;
    std::vector<uint32_t> rows;
    for (uint16_t s = 0; s < src.size(); ++s)
      for (uint32_t i = 0; i < src[s].size(); ++i) {
        which.push_back(s);
        rows.push_back(i);
      }
    for (size_t k = which.size(); k > 1; --k) {  // a shuffled permutation of every row
      const size_t j = rng() % k;
      std::swap(which[k - 1], which[j]);
      std::swap(rows[k - 1], rows[j]);
    }
    const std::vector<const Column*> ptrs = {&src[0], &src[1], &src[2], &src[3]};
    Column gathered(t), expect(t);
    gathered.AppendGathered(ptrs, which.data(), rows.data(), rows.size());
    gathered.AppendGathered(ptrs, which.data() + 100, rows.data() + 100, 2500);  // some again
    for (size_t k = 0; k < rows.size(); ++k) expect.AppendFrom(src[which[k]], rows[k]);
    for (size_t k = 100; k < 2600; ++k) expect.AppendFrom(src[which[k]], rows[k]);
    ASSERT_EQ(gathered.size(), expect.size());
    for (size_t i = 0; i < expect.size(); ++i) {
      ASSERT_EQ(gathered.IsNull(i), expect.IsNull(i)) << i;
      if (expect.IsNull(i)) continue;
      switch (t.physical()) {
        case PhysicalType::kString: ASSERT_EQ(gathered.GetString(i), expect.GetString(i)) << i; break;
        case PhysicalType::kInt32: ASSERT_EQ(gathered.Get<int32_t>(i), expect.Get<int32_t>(i)) << i; break;
        case PhysicalType::kInt64: ASSERT_EQ(gathered.Get<int64_t>(i), expect.Get<int64_t>(i)) << i; break;
        case PhysicalType::kInt128: ASSERT_TRUE(gathered.Get<int128>(i) == expect.Get<int128>(i)) << i; break;
        case PhysicalType::kBool: ASSERT_EQ(gathered.Get<uint8_t>(i), expect.Get<uint8_t>(i)) << i; break;
        case PhysicalType::kDouble: ASSERT_EQ(gathered.Get<double>(i), expect.Get<double>(i)) << i; break;
      }
    }
    if (t.physical() == PhysicalType::kString) {
      EXPECT_EQ(gathered.chars().size(), gathered.offsets().back());
    }
  }
}

// SameString against ==, for every length up to 24 and a difference at every position.
TEST(Column, SameStringAgreesWithEquality) {
  for (size_t n = 0; n <= 24; ++n) {
    const std::string a(n, 'x');
    EXPECT_TRUE(SameString(a, std::string(n, 'x')));
    EXPECT_FALSE(SameString(a, std::string(n + 1, 'x')));
    for (size_t at = 0; at < n; ++at) {
      std::string b = a;
      b[at] = 'y';
      EXPECT_FALSE(SameString(a, b)) << n << " " << at;
    }
  }
}

TEST(BitPacking, EveryWidthAndCountRoundTrips) {
  std::mt19937_64 rng(64);
  for (int bw = 0; bw <= 64; ++bw) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{15}, size_t{16}, size_t{17},
                     size_t{63}, size_t{64}, size_t{65}, size_t{1000}, size_t{1031}}) {
      SCOPED_TRACE("bw=" + std::to_string(bw) + " n=" + std::to_string(n));
      const uint64_t mask = bw == 64 ? ~uint64_t{0} : (uint64_t{1} << bw) - 1;
      std::vector<uint64_t> values(n);
      for (size_t i = 0; i < n; ++i) values[i] = (i % 5 == 0 ? mask : rng()) & mask;  // all-ones too
      std::vector<uint8_t> packed(BitPackedSize(n, bw));
      BitPack(values.data(), n, bw, packed.data());
      std::vector<uint64_t> back(n, 12345);
      BitUnpack(packed.data(), n, bw, back.data());
      ASSERT_EQ(back, values);
    }
  }
}

}  // namespace
}  // namespace wh

namespace wh {
namespace {

// A block frame around an uncompressed payload.
std::string Frame(Encoding e, uint32_t rows, const std::string& payload) {
  std::string block;
  block.push_back(static_cast<char>(e));
  block.push_back(0);  // no compression
  block.append(2, '\0');
  const uint32_t size = static_cast<uint32_t>(payload.size());
  block.append(reinterpret_cast<const char*>(&rows), 4);
  block.append(reinterpret_cast<const char*>(&size), 4);
  block.append(reinterpret_cast<const char*>(&size), 4);
  block += payload;
  const uint64_t sum = Checksum64(block.data(), block.size());
  block.append(reinterpret_cast<const char*>(&sum), 8);
  return block;
}

// A DICTIONARY block written by hand (SPEC.md "Block frame"): validity, entries, codes.
std::string DictionaryBlock(const std::vector<std::string>& entries, const std::vector<uint64_t>& codes, int width,
                            const std::vector<bool>& valid) {
  std::string payload;
  auto u32 = [&](uint32_t v) { payload.append(reinterpret_cast<const char*>(&v), 4); };
  const size_t n = codes.size();
  if (valid.empty()) {
    payload.push_back(0);
  } else {
    payload.push_back(1);
    std::string bitmap((n + 7) / 8, '\0');
    for (size_t i = 0; i < n; ++i)
      if (valid[i]) bitmap[i / 8] = static_cast<char>(bitmap[i / 8] | (1 << (i % 8)));
    payload += bitmap;
  }
  u32(static_cast<uint32_t>(entries.size()));
  uint32_t off = 0;
  u32(0);
  for (const auto& e : entries) u32(off += static_cast<uint32_t>(e.size()));
  for (const auto& e : entries) payload += e;
  payload.push_back(static_cast<char>(width));
  std::vector<uint8_t> packed(BitPackedSize(n, width));
  BitPack(codes.data(), n, width, packed.data());
  payload.append(packed.begin(), packed.end());
  return Frame(Encoding::kDictionary, static_cast<uint32_t>(n), payload);
}

Result<Column> Decode(const DataType& t, const std::string& block, size_t n) {
  return DecodeBlock(t, reinterpret_cast<const uint8_t*>(block.data()), block.size(), static_cast<uint32_t>(n));
}

// The payload of an encoded block (compression off).
std::string Payload(const Column& c, BlockInfo* info, std::optional<Encoding> force = std::nullopt) {
  EncodeOptions opt;
  opt.allow_zstd = false;
  opt.force_encoding = force;
  std::string block;
  EXPECT_TRUE(EncodeBlock(c, 0, c.size(), opt, &block, info).ok());
  return block.substr(kBlockHeaderSize, block.size() - kBlockHeaderSize - kBlockTrailerSize);
}

// FOR_PATCHED: most rows by frame of reference, the few that break the common divisor or the
// range stored whole. DECIMAL amounts in cents read from binary floating point, a few of them
// 7.8100000000000005: 14 bits a row, where FOR_BITPACK needs ~58 or (here, the artifacts' common
// divisor being 5) cannot be used at all, and PLAIN takes 128.
TEST(Encoding, ForPatchedStoresTheFewValuesThatBreakTheFrameWhole) {
  std::mt19937_64 rng(7);
  Column money(DataType::Decimal(38, 18));
  for (int i = 0; i < 2000; ++i) {
    if (i % 11 == 5) money.AppendNull();
    else if (i == 0 || i == 1999 || i % 150 == 7)
      money.Append<int128>(static_cast<int128>(rng() % 10000) * Pow10(16) + 5);  // an artifact
    else
      money.Append<int128>(static_cast<int128>(rng() % 10000) * Pow10(16));
  }
  BlockInfo info;
  const std::string payload = Payload(money, &info);
  EXPECT_EQ(info.encoding, Encoding::kForPatched);
  BlockInfo for_info;
  Payload(money, &for_info, Encoding::kForBitpack);
  EXPECT_EQ(for_info.encoding, Encoding::kPlain) << "the range over 5 needs 65 bits: no FOR_BITPACK";
  EXPECT_LT(info.raw_size * 6, for_info.raw_size) << "patched " << info.raw_size << ", plain " << for_info.raw_size;
  // The header: validity bitmap, then base, multiplier 10^16, width 14 (cents up to 99.99).
  const size_t at = 1 + 2000 / 8;
  int128 mult;
  std::memcpy(&mult, payload.data() + at + 16, 16);
  EXPECT_TRUE(mult == Pow10(16));
  EXPECT_EQ(static_cast<int>(payload[at + 32]), 14);
  // With zstd too, and every subrange.
  std::string block;
  ASSERT_TRUE(EncodeBlock(money, 0, money.size(), {}, &block, &info).ok());
  auto d = Decode(money.type(), block, money.size());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ExpectSame(money, *d);
  for (size_t b : {size_t{0}, size_t{1}, size_t{700}}) {
    block.clear();
    ASSERT_TRUE(EncodeBlock(money, b, b + 1000, {}, &block, &info).ok());
    EXPECT_EQ(info.encoding, Encoding::kForPatched) << b;
    auto sub = Decode(money.type(), block, 1000);
    ASSERT_TRUE(sub.ok()) << sub.status().ToString();
    for (size_t i = 0; i < 1000; ++i) {
      ASSERT_EQ(sub->IsNull(i), money.IsNull(b + i));
      if (!money.IsNull(b + i)) {
        ASSERT_TRUE(sub->Get<int128>(i) == money.Get<int128>(b + i)) << b + i;
      }
    }
  }
}

// Rare huge values among small ones (no common divisor at stake): the width that makes offsets
// plus exceptions smallest; and 4- and 8-byte types, negative values, exceptions first and last.
TEST(Encoding, ForPatchedCutsTheRangeOfRareOutliers) {
  struct Case {
    DataType type;
    std::vector<int64_t> outliers;
  };
  const Case cases[] = {
      {DataType::Int64(), {std::numeric_limits<int64_t>::max(), int64_t{1} << 50, 123456789012345}},
      {DataType::Int32(), {std::numeric_limits<int32_t>::max(), 1 << 29}},
      {DataType::Timestamp(), {std::numeric_limits<int64_t>::max() - 3}},
      {DataType::Decimal(18, 2), {999999999999999999}},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.type.ToString());
    for (bool by_thousands : {false, true}) {
      Column c(k.type);
      const size_t n = 3000;
      for (size_t i = 0; i < n; ++i) {
        int64_t v = static_cast<int64_t>((i * 7919) % 1000) - 300;
        if (by_thousands) v *= 1000;
        if (i == 0 || i == n - 1 || i % 997 == 3) v = k.outliers[i % k.outliers.size()];
        if (i % 13 == 4) c.AppendNull();
        else if (k.type.width() == 4) c.Append<int32_t>(static_cast<int32_t>(v));
        else c.Append<int64_t>(v);
      }
      BlockInfo info;
      Payload(c, &info);
      EXPECT_EQ(info.encoding, Encoding::kForPatched);
      EXPECT_LT(info.raw_size, n * 2) << "about 10 bits a row";
      std::string block;
      ASSERT_TRUE(EncodeBlock(c, 0, n, {}, &block, &info).ok());
      auto d = Decode(k.type, block, n);
      ASSERT_TRUE(d.ok()) << d.status().ToString();
      ExpectSame(c, *d);
    }
  }
  // Patches looked for (FOR_BITPACK needs 20 bits) but none pay: FOR_BITPACK is written.
  Column small(DataType::Int64());
  std::mt19937_64 rng(9);
  for (int i = 0; i < 1000; ++i) small.Append<int64_t>(static_cast<int64_t>(rng() % (1 << 20)));
  BlockInfo info;
  Payload(small, &info);
  EXPECT_EQ(info.encoding, Encoding::kForBitpack);
}

// LENGTHS: a u32 length before each string; wh's STRING PLAIN from format version 4 on.
TEST(Encoding, LengthsHoldEachStringAfterItsLength) {
  Column c(DataType::String());
  c.AppendString("in_ab");
  c.AppendNull();
  c.AppendString("");
  c.AppendString("in_cde");
  BlockInfo info;
  const std::string payload = Payload(c, &info);
  EXPECT_EQ(info.encoding, Encoding::kLengths);
  const std::string expect("\x01\x0d" "\x05\0\0\0in_ab" "\0\0\0\0" "\0\0\0\0" "\x06\0\0\0in_cde", 2 + 9 + 4 + 4 + 10);
  EXPECT_EQ(payload, expect);
  auto d = Decode(c.type(), Frame(Encoding::kLengths, 4, payload), 4);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ExpectSame(c, *d);
  // Refused: a length past the payload, bytes left over, a NULL row with bytes, another type.
  std::string past = payload;
  past[2 + 9 + 8] = 7;
  EXPECT_EQ(Decode(c.type(), Frame(Encoding::kLengths, 4, past), 4).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(Decode(c.type(), Frame(Encoding::kLengths, 4, payload + "x"), 4).status().code(), StatusCode::kCorruption);
  std::string null_bytes("\x01\x0d" "\x01\0\0\0a" "\x01\0\0\0b" "\0\0\0\0" "\0\0\0\0", 2 + 5 + 5 + 8);
  EXPECT_EQ(Decode(c.type(), Frame(Encoding::kLengths, 4, null_bytes), 4).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(Decode(DataType::Int32(), Frame(Encoding::kLengths, 1, std::string("\0\x04\0\0\0abcd", 9)), 1).status().code(),
            StatusCode::kCorruption);
}

// A dictionary of many entries (receipt numbers, each about twice) is the smallest payload, but
// not always the smallest after zstd: the writer then compares LENGTHS compressed and keeps the
// smaller stored block.
TEST(Encoding, ManyEntryDictionaryGivesWayToLengthsWhenThatCompressesSmaller) {
  std::mt19937_64 rng(3);
  Column c(DataType::String());
  std::vector<std::string> pool;
  for (int i = 0; i < 1500; ++i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%04d", static_cast<int>(rng() % 10000), static_cast<int>(rng() % 10000));
    pool.emplace_back(buf);
  }
  for (int i = 0; i < 3000; ++i) {
    if (rng() % 3 == 0) c.AppendNull();
    else c.AppendString(pool[rng() % pool.size()]);
  }
  auto stored = [&](std::optional<Encoding> force, BlockInfo* info) {
    EncodeOptions opt;
    opt.force_encoding = force;
    std::string block;
    EXPECT_TRUE(EncodeBlock(c, 0, c.size(), opt, &block, info).ok());
    auto d = Decode(c.type(), block, c.size());
    EXPECT_TRUE(d.ok());
    if (d.ok()) ExpectSame(c, *d);
    return block.size();
  };
  BlockInfo chosen, dict, lengths;
  const size_t size = stored(std::nullopt, &chosen);
  const size_t dict_size = stored(Encoding::kDictionary, &dict);
  const size_t lengths_size = stored(Encoding::kLengths, &lengths);
  ASSERT_EQ(dict.encoding, Encoding::kDictionary);
  EXPECT_LT(dict.raw_size, lengths.raw_size) << "the dictionary is the smaller payload";
  EXPECT_LT(lengths_size, dict_size) << "these strings compress better in row order";
  EXPECT_EQ(size, lengths_size);
  EXPECT_EQ(chosen.encoding, Encoding::kLengths);
}

// FOR_PATCHED's exceptions are checked: count, order, rows, and the column's type.
TEST(Encoding, ForPatchedExceptionsAreChecked) {
  // 64 BIGINT rows: base 10, multiplier 1, width 0 (all 10), then exceptions.
  auto block = [](const std::vector<uint32_t>& rows, uint32_t count) {
    std::string p;
    p.push_back(0);  // no NULLs
    const int64_t base = 10, mult = 1;
    p.append(reinterpret_cast<const char*>(&base), 8);
    p.append(reinterpret_cast<const char*>(&mult), 8);
    p.push_back(0);  // width 0
    p.append(reinterpret_cast<const char*>(&count), 4);
    for (uint32_t r : rows) p.append(reinterpret_cast<const char*>(&r), 4);
    for (uint32_t r : rows) {
      const int64_t v = -static_cast<int64_t>(r);
      p.append(reinterpret_cast<const char*>(&v), 8);
    }
    return Frame(Encoding::kForPatched, 64, p);
  };
  auto ok = Decode(DataType::Int64(), block({0, 5, 63}, 3), 64);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->Get<int64_t>(0), 0);
  EXPECT_EQ(ok->Get<int64_t>(1), 10);
  EXPECT_EQ(ok->Get<int64_t>(5), -5);
  EXPECT_EQ(ok->Get<int64_t>(63), -63);
  auto none = Decode(DataType::Int64(), block({}, 0), 64);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->Get<int64_t>(63), 10);
  for (const auto& [rows, count] : std::vector<std::pair<std::vector<uint32_t>, uint32_t>>{
           {{5, 5}, 2}, {{6, 5}, 2}, {{64}, 1}, {{1, 2}, 3}, {{1, 2}, 65}}) {
    auto bad = Decode(DataType::Int64(), block(rows, count), 64);
    EXPECT_EQ(bad.status().code(), StatusCode::kCorruption) << count;
  }
  EXPECT_EQ(Decode(DataType::Double(), block({1}, 1), 64).status().code(), StatusCode::kCorruption);
}

// A code naming no entry is corrupt, except a NULL row's code 0 in a dictionary with no entries.
TEST(Encoding, DictionaryCodesMustNameAnEntry) {
  auto decode = [](const std::string& b, size_t n) {
    return DecodeBlock(DataType::String(), reinterpret_cast<const uint8_t*>(b.data()), b.size(), static_cast<uint32_t>(n));
  };
  auto ok = decode(DictionaryBlock({"a", "b"}, {0, 1, 1, 0}, 2, {}), 4);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->GetString(2), "b");
  auto bad = decode(DictionaryBlock({"a", "b"}, {0, 1, 3}, 2, {}), 3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption) << bad.status().ToString();
  auto bad_null = decode(DictionaryBlock({"a", "b"}, {0, 2}, 2, {true, false}), 2);  // even a NULL row's
  EXPECT_FALSE(bad_null.ok());
  auto all_null = decode(DictionaryBlock({}, {0, 0}, 0, {false, false}), 2);
  ASSERT_TRUE(all_null.ok()) << all_null.status().ToString();
  EXPECT_TRUE(all_null->IsNull(0) && all_null->IsNull(1));
}

// Varints (manifest file lists): LEB128, shortest form only.
TEST(Varint, RoundTripAndRefusals) {
  const uint64_t values[] = {0, 1, 127, 128, 300, 16383, 16384, uint64_t{1} << 35, UINT64_MAX - 1, UINT64_MAX};
  std::string bytes;
  ByteWriter w(&bytes);
  for (uint64_t v : values) w.PutVarint(v);
  ByteReader r(bytes);
  for (uint64_t v : values) EXPECT_EQ(r.GetVarint(), v);
  EXPECT_TRUE(r.AtEnd());
  // 300 is ac 02; UINT64_MAX is nine ff and 01.
  std::string b300;
  ByteWriter(&b300).PutVarint(300);
  EXPECT_EQ(b300, std::string("\xac\x02"));
  auto refused = [](const std::string& s) {
    ByteReader r(s);
    r.GetVarint();
    return !r.ok();
  };
  EXPECT_TRUE(refused(std::string("\x80\x00", 2)));              // not the shortest form
  EXPECT_TRUE(refused(std::string("\x81\x80", 2)));              // cut short
  EXPECT_TRUE(refused(std::string(9, '\xff') + "\x02"));         // past 64 bits
  EXPECT_TRUE(refused(std::string(10, '\xff') + "\x01"));        // longer than 10 bytes
  EXPECT_FALSE(refused(std::string(9, '\xff') + "\x01"));
}

}  // namespace
}  // namespace wh
