// The Parquet module: Thrift compact protocol, the RLE / bit-packing hybrid, Spark's bucket hash
// (its own test vectors), and files read back field by field.
#include <gtest/gtest.h>

#include <random>

#include "parquet/encoding.h"
#include "parquet/format.h"
#include "parquet/iceberg.h"
#include "parquet/reader.h"
#include "parquet/spark_hash.h"
#include "parquet/thrift.h"
#include "parquet/writer.h"
#include "query/query.h"

#include <fstream>
#include <sstream>

namespace wh::parquet {
namespace {

TEST(ThriftTest, FieldsListsAndStructsRoundTrip) {
  std::string out;
  ThriftWriter w(&out);
  w.I32(1, -5);
  w.I64(3, int64_t{1} << 40);
  w.Binary(4, "name");
  w.BeginStruct(20);  // a jump of more than 15: the long field header
  w.Bool(1, true);
  w.Bool(2, false);
  w.EndStruct();
  w.BeginList(21, ThriftType::kI32, 20);  // 15 or more: the long list header
  for (int i = 0; i < 20; ++i) w.ListI32(i - 10);
  w.End();
  // The compact protocol's bytes for field 1 = -5: header 0x15 (delta 1, i32), zigzag 9.
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 0x15);
  EXPECT_EQ(static_cast<uint8_t>(out[1]), 9);

  ThriftReader r(reinterpret_cast<const uint8_t*>(out.data()), out.size());
  int16_t id;
  ThriftType t;
  ASSERT_TRUE(r.NextField(&id, &t));
  EXPECT_EQ(id, 1);
  EXPECT_EQ(r.ReadInt(), -5);
  ASSERT_TRUE(r.NextField(&id, &t));
  EXPECT_EQ(id, 3);
  EXPECT_EQ(r.ReadInt(), int64_t{1} << 40);
  ASSERT_TRUE(r.NextField(&id, &t));
  EXPECT_EQ(r.ReadBinary(), "name");
  ASSERT_TRUE(r.NextField(&id, &t));
  EXPECT_EQ(id, 20);
  EXPECT_EQ(t, ThriftType::kStruct);
  r.BeginStruct();
  ASSERT_TRUE(r.NextField(&id, &t));
  EXPECT_TRUE(r.ReadBool(t));
  ASSERT_TRUE(r.NextField(&id, &t));
  EXPECT_FALSE(r.ReadBool(t));
  EXPECT_FALSE(r.NextField(&id, &t));
  ASSERT_TRUE(r.NextField(&id, &t));
  EXPECT_EQ(id, 21);
  ThriftType elem;
  ASSERT_EQ(r.BeginList(&elem), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(r.ReadInt(), i - 10);
  EXPECT_FALSE(r.NextField(&id, &t));
  EXPECT_TRUE(r.ok()) << r.error();
}

TEST(ThriftTest, TruncatedInputIsAnErrorNotACrash) {
  std::string out;
  ThriftWriter w(&out);
  w.Binary(1, "a longer string");
  w.End();
  for (size_t cut = 0; cut < out.size(); ++cut) {
    ThriftReader r(reinterpret_cast<const uint8_t*>(out.data()), cut);
    r.Skip(ThriftType::kStruct);
    EXPECT_FALSE(r.ok()) << cut;
  }
}

TEST(RleHybridTest, RoundTripsRunsLiteralsAndEveryWidth) {
  std::mt19937 rng(7);
  for (int width = 0; width <= 20; ++width) {
    for (int trial = 0; trial < 20; ++trial) {
      const size_t n = rng() % 3000;
      std::vector<uint32_t> v(n);
      const uint32_t mask = width == 0 ? 0 : (width == 32 ? ~0u : (1u << width) - 1);
      for (size_t i = 0; i < n;) {
        const size_t run = rng() % 3 == 0 ? rng() % 40 + 1 : 1;
        const uint32_t x = rng() & mask;
        for (size_t k = 0; k < run && i < n; ++k) v[i++] = x;
      }
      std::string enc;
      AppendRleHybrid(v.data(), n, width, &enc);
      std::vector<uint32_t> back(n);
      ASSERT_TRUE(DecodeRleHybrid(reinterpret_cast<const uint8_t*>(enc.data()), enc.size(), width, n, back.data()).ok());
      ASSERT_EQ(v, back) << width << " " << n;
    }
  }
}

TEST(RleHybridTest, KnownBytes) {
  // The Parquet spec's example: eight values 0..7 bit-packed with width 3 are one group,
  // header (1 << 1) | 1 = 3, then 0x88 0xC6 0xFA.
  std::vector<uint32_t> v = {0, 1, 2, 3, 4, 5, 6, 7};
  std::string enc;
  AppendRleHybrid(v.data(), v.size(), 3, &enc);
  EXPECT_EQ(enc, std::string("\x03\x88\xC6\xFA", 4));
  // 100 ones of width 1: one RLE run, header 100 << 1 = 200 (varint c8 01), value 01.
  std::vector<uint32_t> ones(100, 1);
  enc.clear();
  AppendRleHybrid(ones.data(), ones.size(), 1, &enc);
  EXPECT_EQ(enc, std::string("\xC8\x01\x01", 3));
}

TEST(RleHybridTest, RunsPastTheBytesAreErrors) {
  const uint8_t bad[] = {0x03, 0x88};  // a group of 8 three-bit values needs 3 bytes
  uint32_t out[8];
  EXPECT_FALSE(DecodeRleHybrid(bad, sizeof bad, 3, 8, out).ok());
  const uint8_t wide[] = {0x02, 0x05};  // an RLE run of 1 with value 5 in width 2
  EXPECT_FALSE(DecodeRleHybrid(wide, sizeof wide, 2, 1, out).ok());
}

TEST(SparkHashTest, SparksOwnVectors) {
  // Murmur3_x86_32Suite (seed 0).
  EXPECT_EQ(SparkHashInt(0, 0), 593689054);
  EXPECT_EQ(SparkHashInt(-42, 0), -189366624);
  EXPECT_EQ(SparkHashInt(42, 0), -1134849565);
  EXPECT_EQ(SparkHashInt(INT32_MIN, 0), -1718298732);
  EXPECT_EQ(SparkHashInt(INT32_MAX, 0), -1653689534);
  EXPECT_EQ(SparkHashLong(0, 0), 1669671676);
  EXPECT_EQ(SparkHashLong(-42, 0), -846261623);
  EXPECT_EQ(SparkHashLong(42, 0), 1871679806);
  EXPECT_EQ(SparkHashLong(INT64_MIN, 0), 1366273829);
  EXPECT_EQ(SparkHashLong(INT64_MAX, 0), -2106506049);
  // HashExpressionsSuite (Murmur3Hash, seed 42): tails of 1 to 3 bytes.
  auto str = [](const char* s) {
    return SparkHashBytes(reinterpret_cast<const uint8_t*>(s), std::strlen(s), 42);
  };
  EXPECT_EQ(str("AAA"), 22125783);
  EXPECT_EQ(str("AAA  "), 399014599);
  EXPECT_EQ(str("aaa"), -1689629761);
  EXPECT_EQ(str("aaa   "), -1721438718);
  // hash('Spark', array(123), 2) = -1321691492 (Murmur3Hash's documented example): chained.
  EXPECT_EQ(SparkHashInt(2, SparkHashInt(123, str("Spark"))), -1321691492);
  // Day-time interval of 1237123123 s (microseconds, hashLong), seed 10.
  EXPECT_EQ(SparkHashLong(1237123123000000, 10), -428664612);
}

TEST(SparkHashTest, ByTypeAndBucket) {
  Column big(DataType::Int64());
  big.Append<int64_t>(1);
  big.AppendNull();
  EXPECT_EQ(SparkHash(big, 0), SparkHashLong(1, 42));
  EXPECT_EQ(SparkHash(big, 1), 42);  // NULL leaves the seed
  EXPECT_EQ(SparkPmod(SparkHash(big, 0), 8), SparkPmod(SparkHashLong(1, 42), 8));
  EXPECT_EQ(SparkPmod(SparkHash(big, 1), 8), 2u);  // NULL: 42 mod 8
  EXPECT_EQ(SparkPmod(-7, 5), 3u);
  EXPECT_EQ(SparkPmod(INT32_MIN, 3), 1u);  // -2147483648 = -715827883 * 3 + 1

  Column d(DataType::Double());
  d.Append<double>(-0.0);
  d.Append<double>(0.0);
  d.Append<double>(std::nan(""));
  d.Append<double>(-std::nan(""));
  EXPECT_EQ(SparkHash(d, 0), SparkHash(d, 1));
  EXPECT_EQ(SparkHash(d, 2), SparkHash(d, 3));
  EXPECT_EQ(SparkHash(d, 1), SparkHashLong(0, 42));

  // DECIMAL above 18 digits: BigInteger.toByteArray's minimal two's complement.
  Column wide(DataType::Decimal(38, 2));
  for (int128 v : {int128{1}, int128{-1}, int128{128}, int128{-128}, int128{0}}) wide.Append<int128>(v);
  const uint8_t one[] = {0x01}, minus_one[] = {0xff}, b128[] = {0x00, 0x80}, m128[] = {0x80}, zero[] = {0x00};
  EXPECT_EQ(SparkHash(wide, 0), SparkHashBytes(one, 1, 42));
  EXPECT_EQ(SparkHash(wide, 1), SparkHashBytes(minus_one, 1, 42));
  EXPECT_EQ(SparkHash(wide, 2), SparkHashBytes(b128, 2, 42));
  EXPECT_EQ(SparkHash(wide, 3), SparkHashBytes(m128, 1, 42));
  EXPECT_EQ(SparkHash(wide, 4), SparkHashBytes(zero, 1, 42));
  Column narrow(DataType::Decimal(10, 2));
  narrow.Append<int64_t>(150);  // 1.50
  EXPECT_EQ(SparkHash(narrow, 0), SparkHashLong(150, 42));

  Column b(DataType::Boolean());
  b.Append<uint8_t>(1);
  EXPECT_EQ(SparkHash(b, 0), SparkHashInt(1, 42));
  Column date(DataType::Date());
  date.Append<int32_t>(0);
  EXPECT_EQ(SparkHash(date, 0), SparkHashInt(0, 42));
}

TEST(ParquetWriterTest, DecimalBytesFollowSparksRule) {
  EXPECT_EQ(DecimalBytes(1), 1);
  EXPECT_EQ(DecimalBytes(2), 1);
  EXPECT_EQ(DecimalBytes(3), 2);
  EXPECT_EQ(DecimalBytes(9), 4);
  EXPECT_EQ(DecimalBytes(18), 8);
  EXPECT_EQ(DecimalBytes(19), 9);
  EXPECT_EQ(DecimalBytes(38), 16);
}

}  // namespace
}  // namespace wh::parquet

namespace wh::parquet {
namespace {

// Writes columns with the writer and reads them back with the reader.
std::string WriteFile(const std::vector<ColumnSpec>& specs, const std::vector<Column>& cols, WriterOptions opt = {}) {
  std::string file;
  Writer w(specs, opt, [&](std::string_view b) {
    file.append(b);
    return Status::OK();
  });
  EXPECT_TRUE(w.Write(cols).ok());
  EXPECT_TRUE(w.Finish().ok());
  EXPECT_EQ(w.bytes(), file.size());
  return file;
}

std::vector<Column> EveryType(size_t n, std::vector<ColumnSpec>* specs) {
  *specs = {{"b", DataType::Boolean()},           {"i", DataType::Int32()},
            {"l", DataType::Int64(), false},      {"d", DataType::Double()},
            {"m", DataType::Decimal(9, 2)},       {"m18", DataType::Decimal(18, 4)},
            {"m38", DataType::Decimal(38, 10)},   {"s", DataType::String()},
            {"day", DataType::Date()},            {"ts", DataType::Timestamp()}};
  std::vector<Column> cols;
  for (const auto& s : *specs) cols.emplace_back(s.type);
  std::mt19937_64 rng(11);
  for (size_t r = 0; r < n; ++r) {
    const bool null = r % 7 == 3;
    const uint64_t x = rng();
    for (size_t c = 0; c < cols.size(); ++c) {
      if (null && (*specs)[c].nullable) {
        cols[c].AppendNull();
        continue;
      }
      switch (c) {
        case 0: cols[c].Append<uint8_t>(x & 1); break;
        case 1: cols[c].Append<int32_t>(static_cast<int32_t>(x % 1000) - 500); break;
        case 2: cols[c].Append<int64_t>(static_cast<int64_t>(x)); break;
        case 3: cols[c].Append<double>(r % 11 == 0 ? -0.0 : static_cast<double>(x % 100000) / 7); break;
        case 4: cols[c].Append<int64_t>(static_cast<int64_t>(x % 1999999999) - 999999999); break;
        case 5: cols[c].Append<int64_t>(static_cast<int64_t>(x % 1000000000000000000ull) * (r % 2 ? -1 : 1)); break;
        case 6: cols[c].Append<int128>((static_cast<int128>(x) * 1000000000000ll + r) * (r % 3 ? 1 : -1)); break;
        case 7: cols[c].AppendString(r % 5 == 0 ? std::string() : "v" + std::to_string(x % (r < n / 2 ? 10 : 100000))); break;
        case 8: cols[c].Append<int32_t>(static_cast<int32_t>(x % 40000) - 20000); break;
        case 9: cols[c].Append<int64_t>(static_cast<int64_t>(x % 4000000000000000ull)); break;
      }
    }
  }
  return cols;
}

TEST(ParquetRoundTrip, EveryTypeWithNullsRowGroupsAndPages) {
  std::vector<ColumnSpec> specs;
  const size_t n = 50000;
  std::vector<Column> cols = EveryType(n, &specs);
  WriterOptions opt;
  opt.row_group_rows = 12000;  // 5 row groups, several pages each
  opt.page_rows = 3000;
  const std::string file = WriteFile(specs, cols, opt);
  auto r = Reader::Open(file, "t.parquet");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ((*r)->columns().size(), specs.size());
  EXPECT_EQ((*r)->rows(), n);
  EXPECT_EQ((*r)->row_groups(), 5u);
  for (size_t c = 0; c < specs.size(); ++c) {
    const FileColumn& fc = (*r)->columns()[c];
    EXPECT_EQ(fc.name, specs[c].name);
    EXPECT_TRUE(fc.type == specs[c].type) << fc.name << " " << fc.type.ToString();
    EXPECT_EQ(fc.nullable, specs[c].nullable);
    Column back(fc.type);
    for (size_t g = 0; g < (*r)->row_groups(); ++g) ASSERT_TRUE((*r)->Read(g, c, &back).ok());
    ASSERT_EQ(back.size(), n);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(back.IsNull(i), cols[c].IsNull(i)) << fc.name << " " << i;
      if (back.IsNull(i)) continue;
      if (fc.type.id == TypeId::kString) {
        ASSERT_EQ(back.GetString(i), cols[c].GetString(i));
      } else if (fc.type.id == TypeId::kDouble) {
        ASSERT_EQ(std::memcmp(&back.values<double>()[i], &cols[c].values<double>()[i], 8), 0) << i;
      } else {
        ASSERT_TRUE(IntegerAt(back, i) == IntegerAt(cols[c], i)) << fc.name << " " << i;
      }
    }
  }
}

TEST(ParquetRoundTrip, DamagedFilesAreErrorsNotCrashes) {
  std::vector<ColumnSpec> specs;
  std::vector<Column> cols = EveryType(3000, &specs);
  const std::string file = WriteFile(specs, cols);
  auto read_all = [&](const std::string& f) -> Status {
    WH_ASSIGN_OR_RETURN(auto r, Reader::Open(f, "x.parquet"));
    for (size_t g = 0; g < r->row_groups(); ++g)
      for (size_t c = 0; c < r->columns().size(); ++c) {
        Column out(r->columns()[c].type);
        WH_RETURN_IF_ERROR(r->Read(g, c, &out));
      }
    return Status::OK();
  };
  ASSERT_TRUE(read_all(file).ok());
  EXPECT_FALSE(read_all(file.substr(0, file.size() - 1)).ok());
  EXPECT_FALSE(read_all("PAR1PAR1").ok());
  // Every byte flipped in turn somewhere: an error or rows, never a crash (ASan in CI).
  std::mt19937 rng(5);
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bad = file;
    const size_t at = rng() % bad.size();
    bad[at] = static_cast<char>(bad[at] ^ (1 + rng() % 255));
    (void)read_all(bad);
  }
}

TEST(ParquetRoundTrip, RequiredColumnsRefuseNulls) {
  std::vector<ColumnSpec> specs = {{"id", DataType::Int64(), false}};
  Column c(DataType::Int64());
  c.AppendNull();
  std::string file;
  Writer w(specs, {}, [&](std::string_view b) {
    file.append(b);
    return Status::OK();
  });
  Status st = w.Write({c});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("'id', which is NOT NULL"), std::string::npos);
}

}  // namespace
}  // namespace wh::parquet

namespace wh::iceberg {
namespace {

// The Iceberg spec's appendix B test vectors (murmur3_x86_32, seed 0).
TEST(IcebergTest, BucketHashVectors) {
  EXPECT_EQ(HashLong(34), 2017239379);
  const std::string s = "iceberg";
  EXPECT_EQ(HashBytes(reinterpret_cast<const uint8_t*>(s.data()), s.size()), 1210000089);
  const uint8_t dec[] = {0x05, 0x8c};  // 14.20: unscaled 1420
  EXPECT_EQ(HashBytes(dec, 2), -500754589);
  EXPECT_EQ(HashLong(17486), -653330422);  // DATE 2017-11-16: days, hashed as a long
  EXPECT_EQ(HashLong(1510871468000000), -2047944441);  // TIMESTAMP 2017-11-16 22:31:08
  EXPECT_EQ(HashLong(1510871468000001), -1207196810);
  const uint8_t fixed[] = {0, 1, 2, 3};
  EXPECT_EQ(HashBytes(fixed, 4), -188683207);

  Column d(DataType::Decimal(4, 2));
  d.Append<int64_t>(1420);
  d.AppendNull();
  EXPECT_EQ(Bucket(d, 0, 1 << 30), (-500754589 & INT32_MAX) % (1 << 30));
  EXPECT_FALSE(Bucket(d, 1, 16).has_value());
  Column day(DataType::Date());
  day.Append<int32_t>(17486);
  EXPECT_EQ(Bucket(day, 0, 100), (-653330422 & INT32_MAX) % 100);
  Column id(DataType::Int32());
  id.Append<int32_t>(34);
  EXPECT_EQ(Bucket(id, 0, 16), (2017239379 & INT32_MAX) % 16);  // an int hashes as a long
  EXPECT_EQ(Bound(d, 0), std::string("\x05\x8c", 2));
}

}  // namespace
}  // namespace wh::iceberg

namespace wh {
namespace {

std::string QueryCsv(Session* s, const std::string& sql) {
  auto r = s->Execute(sql);
  if (!r.ok()) return "error: " + r.status().message();
  std::ostringstream o;
  PrintResult(r->back(), OutputFormat::kCsv, o);
  return o.str();
}

// Files DuckDB wrote (tests/data/parquet: every codec wh reads, data pages v1 and v2 with their
// DELTA and BYTE_STREAM_SPLIT encodings, 18 types with NULLs) and one wh wrote from them: each
// reads as expected.csv, which DuckDB printed from the first. No DuckDB needed to run this.
TEST(ParquetGolden, DuckDbFilesReadAsDuckDbReadsThem) {
  const std::string dir = std::string(WH_SOURCE_DIR) + "/tests/data/parquet/";
  std::ifstream in(dir + "expected.csv");
  std::stringstream want;
  want << in.rdbuf();
  ASSERT_GT(want.str().size(), 1000u);
  Session s(DefaultFileSystem(), dir + "no-warehouse");
  for (const char* f : {"duckdb_snappy", "duckdb_zstd_v2", "duckdb_gzip", "duckdb_lz4_raw", "duckdb_uncompressed_v2", "wh"})
    EXPECT_EQ(QueryCsv(&s, std::string("SELECT * FROM '") + dir + f + ".parquet' ORDER BY id"), want.str()) << f;
  EXPECT_EQ(QueryCsv(&s, "SELECT typeof(i8), typeof(u32), typeof(u64), typeof(f), typeof(ts_ns) FROM '" + dir +
                             "duckdb_snappy.parquet' LIMIT 1"),
            "typeof(i8),typeof(u32),typeof(u64),typeof(f),typeof(ts_ns)\nINTEGER,BIGINT,\"DECIMAL(20,0)\",DOUBLE,TIMESTAMP\n");
  // Refused by name: a codec wh does not read, a nested column.
  EXPECT_NE(QueryCsv(&s, "SELECT count(*) FROM '" + dir + "duckdb_brotli.parquet'").find("BROTLI are not supported"),
            std::string::npos);
  EXPECT_NE(QueryCsv(&s, "SELECT * FROM '" + dir + "duckdb_nested.parquet'").find("column 'tags' is a LIST"),
            std::string::npos);
  // Hand-made files a review found: a DELTA run of 2^62 values (it used to spin), pages claiming
  // 2 GB (memory was taken before the check), v2 levels longer than the page.
  for (const auto& [f, why] : std::vector<std::pair<std::string, std::string>>{
           {"bad_delta_run", "DELTA_BINARY_PACKED run of 4611686018427387904 values"},
           {"bad_page_size", "an uncompressed page of 16 bytes says 2000000000"},
           {"bad_gzip_page_size", "a page claims 2000000000 bytes from 16 compressed"},
           {"bad_v2_levels", "definition levels past the page"}}) {
    const std::string got = QueryCsv(&s, "SELECT * FROM '" + dir + f + ".parquet'");
    EXPECT_NE(got.find(why), std::string::npos) << f << ": " << got;
    EXPECT_NE(got.find("row group 0, column 'x'"), std::string::npos) << f << ": " << got;
  }
}

// A schema nested 100,000 groups deep is refused, not a stack overflow.
TEST(ParquetGolden, DeepNestingIsRefused) {
  std::string footer;
  parquet::ThriftWriter w(&footer);
  const int depth = 100000;
  w.BeginList(2, parquet::ThriftType::kStruct, depth + 2);
  w.ListBeginStruct();
  w.Binary(4, "schema");
  w.I32(5, 2);
  w.EndStruct();
  for (int i = 0; i < depth; ++i) {
    w.ListBeginStruct();
    w.I32(3, parquet::kOptional);
    w.Binary(4, "g");
    w.I32(5, 1);
    w.EndStruct();
  }
  w.ListBeginStruct();
  w.I32(1, 2);
  w.I32(3, parquet::kOptional);
  w.Binary(4, "leaf");
  w.EndStruct();
  w.I64(3, 0);
  w.BeginList(4, parquet::ThriftType::kStruct, 0);
  w.End();
  std::string file = "PAR1" + footer;
  const uint32_t len = static_cast<uint32_t>(footer.size());
  file.append(reinterpret_cast<const char*>(&len), 4);
  file += "PAR1";
  auto r = parquet::Reader::Open(file, "deep.parquet");
  ASSERT_FALSE(r.ok());  // the root says 2 fields, the file has 1
  EXPECT_NE(r.status().message().find("fewer fields"), std::string::npos) << r.status().ToString();
}

}  // namespace
}  // namespace wh
