#include "ingest/value_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "format/value_text.h"

namespace wh {
namespace {

TEST(ValueParser, NullRules) {
  Column s(DataType::String());
  ASSERT_TRUE(AppendField(&s, "", false).ok());
  ASSERT_TRUE(AppendField(&s, "", true).ok());
  EXPECT_TRUE(s.IsNull(0));
  EXPECT_FALSE(s.IsNull(1)) << "a quoted empty field is the empty string";
  Column i(DataType::Int64());
  ASSERT_TRUE(AppendField(&i, "", true).ok());
  EXPECT_TRUE(i.IsNull(0)) << "for other types even a quoted empty field is NULL";
}

TEST(ValueParser, TypedValues) {
  Column d(DataType::Decimal(38, 18));
  ASSERT_TRUE(AppendField(&d, "5.8100000000000005", false).ok());
  EXPECT_EQ(FormatDecimal(d.Get<int128>(0), 18), "5.810000000000000500");
  Column h(DataType::Decimal(10, 0));
  ASSERT_TRUE(AppendField(&h, "7.0", false).ok());
  EXPECT_EQ(h.Get<int64_t>(0), 7);
  Column b(DataType::Boolean());
  ASSERT_TRUE(AppendField(&b, "True", false).ok());
  ASSERT_TRUE(AppendField(&b, "False", false).ok());
  EXPECT_EQ(b.Get<uint8_t>(0), 1);
  EXPECT_EQ(b.Get<uint8_t>(1), 0);
  Column s(DataType::String());
  EXPECT_FALSE(AppendField(&s, "bad \xff utf8", false).ok());
  EXPECT_FALSE(AppendField(&s, "\xc0\xaf", false).ok()) << "overlong encoding";
  EXPECT_EQ(s.size(), 0u) << "nothing appended on error";
}

TEST(ValueParser, TimePatterns) {
  auto dmy = ParseTimeFormat("%d/%m/%Y", DataType::Date());
  ASSERT_TRUE(dmy.ok()) << dmy.status().ToString();
  Column d(DataType::Date());
  ASSERT_TRUE(AppendField(&d, "27/10/2018", false, &*dmy).ok());
  ASSERT_TRUE(AppendField(&d, "6/11/2018", false, &*dmy).ok()) << "one-digit day";
  ASSERT_TRUE(AppendField(&d, "29/2/2020", false, &*dmy).ok()) << "leap day";
  EXPECT_EQ(FormatDate(d.Get<int32_t>(0)), "2018-10-27");
  EXPECT_EQ(FormatDate(d.Get<int32_t>(1)), "2018-11-06");
  EXPECT_EQ(FormatDate(d.Get<int32_t>(2)), "2020-02-29");
  for (const char* bad : {"29/2/2019", "31/4/2018", "10/13/2018", "27-10-2018", "27/10/2018 ", "/10/2018", "1/1/0"})
    EXPECT_FALSE(AppendField(&d, bad, false, &*dmy).ok()) << bad;
  EXPECT_EQ(d.size(), 3u);
  Column iso(DataType::Date());
  EXPECT_FALSE(AppendField(&iso, "27/10/2018", false).ok()) << "without a format, ISO only";

  auto ts = ParseTimeFormat("%m/%d/%Y %H:%M:%S.%f", DataType::Timestamp());
  ASSERT_TRUE(ts.ok());
  Column t(DataType::Timestamp());
  ASSERT_TRUE(AppendField(&t, "12/31/1999 23:59:58.5", false, &*ts).ok());
  EXPECT_EQ(FormatTimestamp(t.Get<int64_t>(0)), "1999-12-31 23:59:58.5");
  EXPECT_FALSE(AppendField(&t, "12/31/1999 24:00:00.0", false, &*ts).ok());

  EXPECT_FALSE(ParseTimeFormat("%d/%m", DataType::Date()).ok()) << "no year";
  EXPECT_FALSE(ParseTimeFormat("%Y-%m-%d %H", DataType::Date()).ok()) << "time of day for a DATE";
  EXPECT_FALSE(ParseTimeFormat("%Y-%m-%d %q", DataType::Timestamp()).ok());
  EXPECT_FALSE(ParseTimeFormat("%Y-%m-%d", DataType::Int64()).ok());
  EXPECT_FALSE(ParseTimeFormat("epoch_ms", DataType::Date()).ok());
}

TEST(ValueParser, EpochTimestamps) {
  // Epoch numbers read as ISO timestamps suggest the format that reads them.
  Column ts(DataType::Timestamp());
  Status bad = AppendField(&ts, "1704067200123", false);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(CannotRead("1704067200123", DataType::Timestamp(), TimeFormat{}, bad).find("--time-format COLUMN=epoch_ms"),
            std::string::npos);
  EXPECT_NE(CannotRead("1704067200", DataType::Timestamp(), TimeFormat{}, bad).find("epoch_s"), std::string::npos);
  EXPECT_EQ(CannotRead("12:00", DataType::Timestamp(), TimeFormat{}, bad).find("epoch"), std::string::npos);
  auto ms = ParseTimeFormat("epoch_ms", DataType::Timestamp());
  auto s = ParseTimeFormat("epoch_s", DataType::Timestamp());
  auto us = ParseTimeFormat("epoch_us", DataType::Timestamp());
  ASSERT_TRUE(ms.ok() && s.ok() && us.ok());
  Column t(DataType::Timestamp());
  ASSERT_TRUE(AppendField(&t, "1541105830796", false, &*ms).ok());
  ASSERT_TRUE(AppendField(&t, "1540919166796.0", false, &*ms).ok()) << "a float with a zero fraction";
  ASSERT_TRUE(AppendField(&t, "1.5", false, &*ms).ok());
  ASSERT_TRUE(AppendField(&t, "-1", false, &*s).ok());
  ASSERT_TRUE(AppendField(&t, "86400.000001", false, &*s).ok());
  ASSERT_TRUE(AppendField(&t, "7", false, &*us).ok());
  EXPECT_EQ(t.Get<int64_t>(0), 1541105830796000);
  EXPECT_EQ(FormatTimestamp(t.Get<int64_t>(0)), "2018-11-01 20:57:10.796");
  EXPECT_EQ(t.Get<int64_t>(1), 1540919166796000);
  EXPECT_EQ(t.Get<int64_t>(2), 1500);
  EXPECT_EQ(t.Get<int64_t>(3), -1000000);
  EXPECT_EQ(t.Get<int64_t>(4), 86400000001);
  EXPECT_EQ(t.Get<int64_t>(5), 7);
  for (const char* bad : {"1.0001", "abc", "1e3", "-", "99999999999999999999", "12 "})
    EXPECT_FALSE(AppendField(&t, bad, false, &*ms).ok()) << bad;
  EXPECT_FALSE(AppendField(&t, "0.5", false, &*us).ok()) << "finer than a microsecond";
}

}  // namespace
}  // namespace wh
