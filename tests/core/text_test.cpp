#include <gtest/gtest.h>

#include "core/decimal.hpp"
#include "core/excerpt.hpp"
#include "core/json_text.hpp"

namespace cryptolake::core {
namespace {

TEST(Decimal, ParsesExchangeDecimalsExactlyAsStrtod) {
  EXPECT_EQ(parse_decimal("0.00002853"), 0.00002853);
  EXPECT_EQ(parse_decimal("61930.01000000"), 61930.01);
  EXPECT_EQ(parse_decimal("3348"), 3348.0);
  EXPECT_EQ(parse_decimal("-1.5e-3"), -0.0015);
  EXPECT_EQ(parse_decimal("+2"), 2.0);
}

TEST(Decimal, RejectsNonNumbers) {
  for (const char* text : {"", "12x.5", "abc", "1,000.5", "nan", "inf", "1e999", " 1"}) {
    EXPECT_FALSE(parse_decimal(text).has_value()) << text;
  }
  EXPECT_EQ(parse_int("1580643"), 1580643);
  EXPECT_FALSE(parse_int("15.5").has_value());
}

TEST(Excerpt, CutsLongInputAndEscapesWhatATerminalWouldObey) {
  EXPECT_EQ(excerpt("short"), "short");
  const std::string huge(10'000'000, 'h');
  EXPECT_EQ(excerpt(huge), std::string(200, 'h') + "…");
  EXPECT_EQ(excerpt(huge, 3), "hhh…");
  EXPECT_EQ(excerpt("a\nb\tc\x1b[31mred\x7f"), "a\\nb\\tc\\x1b[31mred\\x7f");
  // UTF-8 stays (and counts as one character each); broken bytes and C1 controls are escaped.
  EXPECT_EQ(excerpt("₿itcoin 🚀", 9), "₿itcoin 🚀");
  EXPECT_EQ(excerpt("₿itcoin 🚀!", 9), "₿itcoin 🚀…");
  EXPECT_EQ(excerpt("\xff\xc3(\xc2\x9b" "2J"), "\\xff\\xc3(\\xc2\\x9b2J");
  EXPECT_EQ(excerpt("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
}

TEST(JsonText, EscapesAndRepairsInvalidUtf8) {
  EXPECT_EQ(json_string("a\"b\\c\nd\te\x01"), R"("a\"b\\c\nd\te\u0001")");
  EXPECT_EQ(json_string("🚀 ₿"), "\"🚀 ₿\"");
  EXPECT_EQ(json_string("bad\xff\xfe end"), "\"bad\xEF\xBF\xBD\xEF\xBF\xBD end\"");
  EXPECT_EQ(json_string("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // a UTF-16 surrogate
}

}  // namespace
}  // namespace cryptolake::core
