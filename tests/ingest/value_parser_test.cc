#include "ingest/value_parser.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace wh
