#include <gtest/gtest.h>

#include <limits>

#include "format/format.h"

namespace wh {
namespace {

TEST(ValueText, Dates) {
  EXPECT_EQ(*ParseDate("1970-01-01"), 0);
  EXPECT_EQ(*ParseDate("2022-03-01"), 19052);
  EXPECT_EQ(*ParseDate("1969-12-31"), -1);
  EXPECT_EQ(*ParseDate("2000-02-29"), 11016);
  EXPECT_FALSE(ParseDate("2021-02-29").ok());
  EXPECT_FALSE(ParseDate("2021-13-01").ok());
  EXPECT_FALSE(ParseDate("2021-1-01").ok());
  EXPECT_FALSE(ParseDate("27/10/2018").ok());
  EXPECT_EQ(FormatDate(19052), "2022-03-01");
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  for (int d = -719162; d < 2932896; d += 997) EXPECT_EQ(*ParseDate(FormatDate(d)), d);
}

TEST(ValueText, Timestamps) {
  EXPECT_EQ(*ParseTimestamp("1970-01-01 00:00:00"), 0);
  EXPECT_EQ(*ParseTimestamp("2022-03-01"), int64_t{19052} * kMicrosPerDay);
  EXPECT_EQ(*ParseTimestamp("2021-11-07 09:56:00"), *ParseTimestamp("2021-11-07T09:56:00"));
  EXPECT_EQ(*ParseTimestamp("1970-01-01 00:00:01.5"), 1500000);
  EXPECT_EQ(*ParseTimestamp("1970-01-01 00:00:00.000001"), 1);
  EXPECT_EQ(*ParseTimestamp("1969-12-31 23:59:59"), -1000000);
  EXPECT_FALSE(ParseTimestamp("1970-01-01 00:00:00.0000001").ok());
  EXPECT_FALSE(ParseTimestamp("1970-01-01 24:00:00").ok());
  EXPECT_FALSE(ParseTimestamp("1970-01-01 10:00:00Z").ok());
  EXPECT_EQ(FormatTimestamp(1500000), "1970-01-01 00:00:01.5");
  EXPECT_EQ(FormatTimestamp(-1000000), "1969-12-31 23:59:59");
  EXPECT_EQ(TimestampToDate(-1), -1);
  EXPECT_EQ(TimestampToDate(0), 0);
}

TEST(ValueText, DecimalsAreExact) {
  EXPECT_EQ(FormatDecimal(*ParseDecimal("5.8100000000000005", 38, 18), 18),
            "5.810000000000000500");
  EXPECT_EQ(*ParseDecimal("7.0", 10, 0), 7);
  EXPECT_EQ(*ParseDecimal("-0.05", 5, 2), -5);
  EXPECT_EQ(*ParseDecimal("1.5e3", 10, 0), 1500);
  EXPECT_EQ(*ParseDecimal("+.5", 3, 1), 5);
  EXPECT_EQ(*ParseDecimal("0.000", 3, 1), 0);
  EXPECT_FALSE(ParseDecimal("7.5", 10, 0).ok());          // would lose a digit
  EXPECT_FALSE(ParseDecimal("12345", 4, 0).ok());         // too many digits
  EXPECT_FALSE(ParseDecimal("1.2.3", 10, 2).ok());
  EXPECT_FALSE(ParseDecimal("", 10, 2).ok());
  EXPECT_FALSE(ParseDecimal("abc", 10, 2).ok());
  std::string max38(38, '9');
  EXPECT_EQ(FormatDecimal(*ParseDecimal(max38, 38, 0), 0), max38);
  EXPECT_FALSE(ParseDecimal("1" + max38, 38, 0).ok());
  EXPECT_EQ(FormatDecimal(-12340, 3), "-12.340");
  EXPECT_EQ(FormatDecimal(5, 3), "0.005");
  EXPECT_EQ(FormatDecimal(0, 2), "0.00");
}

TEST(ValueText, Integers) {
  EXPECT_EQ(*ParseInt64("7.0", INT64_MIN, INT64_MAX), 7);
  EXPECT_EQ(*ParseInt64("-9223372036854775808", INT64_MIN, INT64_MAX), INT64_MIN);
  EXPECT_FALSE(ParseInt64("9223372036854775808", INT64_MIN, INT64_MAX).ok());
  EXPECT_FALSE(ParseInt64("7.5", INT64_MIN, INT64_MAX).ok());
  EXPECT_FALSE(ParseInt64("2147483648", INT32_MIN, INT32_MAX).ok());
  EXPECT_FALSE(ParseInt64("x", INT64_MIN, INT64_MAX).ok());
  EXPECT_EQ(*ParseInt64("9223372036854775807", INT64_MIN, INT64_MAX), INT64_MAX);
  EXPECT_EQ(*ParseInt64("-0", INT64_MIN, INT64_MAX), 0);
  EXPECT_EQ(*ParseInt64(" 0000000000000000042 ", INT64_MIN, INT64_MAX), 42) << "19 digits, zeros first";
  EXPECT_EQ(*ParseInt64("+7", INT64_MIN, INT64_MAX), 7);
  EXPECT_EQ(*ParseInt64("00000000000000000000042", INT64_MIN, INT64_MAX), 42) << "more than 19 digits";
  EXPECT_EQ(*ParseInt64("-2147483648", INT32_MIN, INT32_MAX), INT32_MIN);
  EXPECT_FALSE(ParseInt64("-2147483649", INT32_MIN, INT32_MAX).ok());
  EXPECT_FALSE(ParseInt64("9999999999999999999", INT64_MIN, INT64_MAX).ok());
  EXPECT_FALSE(ParseInt64("-9223372036854775809", INT64_MIN, INT64_MAX).ok());
  EXPECT_FALSE(ParseInt64("-", INT64_MIN, INT64_MAX).ok());
  EXPECT_FALSE(ParseInt64("", INT64_MIN, INT64_MAX).ok());
  EXPECT_FALSE(ParseInt64("12345678x0123456", INT64_MIN, INT64_MAX).ok());
  EXPECT_FALSE(ParseInt64("1234567/", INT64_MIN, INT64_MAX).ok()) << "'/' is just below '0'";
  EXPECT_FALSE(ParseInt64("1234567:", INT64_MIN, INT64_MAX).ok()) << "':' is just above '9'";
  // Every length and digit position against the general conversion.
  uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (int k = 0; k < 5000; ++k) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const int64_t v = static_cast<int64_t>(x >> (k % 64));
    const int64_t w = k % 2 && v != INT64_MIN ? -v : v;
    EXPECT_EQ(*ParseInt64(std::to_string(w), INT64_MIN, INT64_MAX), w) << w;
  }
}

TEST(ValueText, BooleansAndDoubles) {
  EXPECT_TRUE(*ParseBool("True"));
  EXPECT_FALSE(*ParseBool("false"));
  EXPECT_TRUE(*ParseBool("1"));
  EXPECT_FALSE(ParseBool("maybe").ok());
  EXPECT_EQ(*ParseDouble("0.1"), 0.1);
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(1e300), "1e+300");
  // DuckDB's text (Python's repr): fixed for decimal exponents -4 .. 15, ".0" on whole numbers.
  const std::pair<double, const char*> kDuckDb[] = {
      {111624.0, "111624.0"}, {1e20, "1e+20"}, {1e15, "1000000000000000.0"}, {1e16, "1e+16"},
      {0.0001, "0.0001"}, {0.00001, "1e-05"}, {1.0 / 3, "0.3333333333333333"}, {2.5e-7, "2.5e-07"},
      {-0.0, "-0.0"}, {0.0, "0.0"}, {123456789.125, "123456789.125"}, {-1.5, "-1.5"},
      {1.2345678901234568e+20, "1.2345678901234568e+20"}, {9999999999999998.0, "9999999999999998.0"},
      {5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"}, {0.000123, "0.000123"},
      {std::numeric_limits<double>::infinity(), "inf"}, {-std::numeric_limits<double>::infinity(), "-inf"},
      {std::numeric_limits<double>::quiet_NaN(), "nan"}};
  for (const auto& [v, text] : kDuckDb) {
    EXPECT_EQ(FormatDouble(v), text);
    if (v == v) {
      EXPECT_EQ(*ParseDouble(text), v) << text;
    }
  }
  EXPECT_FALSE(ParseDouble("1e999").ok());
  EXPECT_FALSE(ParseDouble("0x10").ok());
}

TEST(Types, ParseTypeNames) {
  EXPECT_EQ(*ParseTypeName("bigint", 0, 0, false), DataType::Int64());
  EXPECT_EQ(*ParseTypeName("DECIMAL", 38, 18, true), DataType::Decimal(38, 18));
  EXPECT_EQ(DataType::Decimal(38, 18).physical(), PhysicalType::kInt128);
  EXPECT_EQ(DataType::Decimal(18, 2).physical(), PhysicalType::kInt64);
  EXPECT_FALSE(ParseTypeName("DECIMAL", 39, 0, true).ok());
  EXPECT_FALSE(ParseTypeName("DECIMAL", 5, 6, true).ok());
  EXPECT_FALSE(ParseTypeName("BLOB", 0, 0, false).ok());
}

}  // namespace
}  // namespace wh

#include "format/memory.h"
#include "format/thread.h"

namespace wh {
namespace {

// Column buffers count against the process's memory budget: past it, an allocation throws
// MemoryBudgetExceeded, which CatchAll reports as ResourceExhausted; freeing gives it back.
TEST(MemoryBudget, BuffersPastTheBudgetFailCleanly) {
  const int64_t before = memory::Held();
  memory::SetBudget(static_cast<uint64_t>(std::max<int64_t>(before, 0)) + (64 << 20));
  {
    Buffer fits;
    fits.Resize(32 << 20);
    Status st = CatchAll([] {
      Buffer big;
      big.Resize(size_t{256} << 20);
    });
    EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
    EXPECT_NE(st.message().find("--memory-mb"), std::string::npos) << st.message();
  }
  // Given back: the same again fits.
  Status again = CatchAll([] {
    Buffer b;
    b.Resize(48 << 20);
  });
  EXPECT_TRUE(again.ok()) << again.ToString();
  memory::SetBudget(0);
  // An exception on another thread comes back at Join, and through RunOnThreads.
  Status threaded = CatchAll([] {
    RunOnThreads(3, [] { throw std::bad_alloc(); });
  });
  EXPECT_EQ(threaded.code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace wh
