#include "pipeline/util/log_text.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "pipeline/util/utf8.hpp"

namespace pipeline::util {
namespace {

struct Case {
  const char* name;
  std::string text;
  std::string escaped;
};

class LogTextTest : public testing::TestWithParam<Case> {};

TEST_P(LogTextTest, Escapes) { EXPECT_EQ(escape_log_text(GetParam().text), GetParam().escaped); }

INSTANTIATE_TEST_SUITE_P(
    Cases, LogTextTest,
    testing::Values(
        Case{"Plain", "Ann Smith, Kelso", "Ann Smith, Kelso"}, Case{"Empty", "", ""}, Case{"Newline", "a\nb", "a\\nb"},
        Case{"CarriageReturnAndTab", "a\rb\tc", "a\\rb\\tc"}, Case{"Backslash", "C:\\n", "C:\\\\n"},
        Case{"Escape", "\x1b[31mred", "\\x1b[31mred"}, Case{"Nul", std::string("a\0b", 3), "a\\x00b"},
        Case{"Delete", "a\x7f", "a\\x7f"}, Case{"Bell", "\x07", "\\x07"},
        Case{"Accented", "Łódź Ørsted ß é", "Łódź Ørsted ß é"}, Case{"Cjk", "北京", "北京"},
        Case{"Emoji", "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"}, Case{"NoBreakSpace", "a\xC2\xA0z", "a\xC2\xA0z"},
        Case{"C1First", "\xC2\x80", "\\u0080"}, Case{"NextLine", "a\xC2\x85z", "a\\u0085z"},
        Case{"Csi",
             "\xC2\x9B"
             "31m",
             "\\u009b31m"},
        Case{"C1Last", "\xC2\x9F", "\\u009f"}, Case{"ArabicLetterMark", "\xD8\x9C", "\\u061c"},
        Case{"LeftToRightMark", "\xE2\x80\x8E", "\\u200e"}, Case{"RightToLeftMark", "\xE2\x80\x8F", "\\u200f"},
        Case{"LineSeparator", "\xE2\x80\xA8", "\\u2028"},
        Case{"RightToLeftOverride",
             "\xE2\x80\xAE"
             "cod.exe",
             "\\u202ecod.exe"},
        Case{"NarrowNoBreakSpaceStays", "\xE2\x80\xAF", "\xE2\x80\xAF"},
        Case{"InvisibleTimesStays", "\xE2\x81\xA5", "\xE2\x81\xA5"},
        Case{"LeftToRightIsolate", "\xE2\x81\xA6", "\\u2066"}, Case{"PopDirectionalIsolate", "\xE2\x81\xA9", "\\u2069"},
        Case{"AfterTheIsolates", "\xE2\x81\xAA", "\xE2\x81\xAA"}, Case{"LoneContinuation", "a\x80z", "a\\x80z"},
        Case{"TruncatedSequence", "a\xE2\x80", "a\\xe2\\x80"}, Case{"Overlong", "\xC0\xAF", "\\xc0\\xaf"},
        Case{"Surrogate", "\xED\xA0\x80", "\\xed\\xa0\\x80"},
        Case{"AboveUnicode", "\xF4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"}),
    [](const testing::TestParamInfo<Case>& param) { return std::string(param.param.name); });

// Random bytes, weighted towards the interesting ones: whatever comes in, what
// goes out is valid UTF-8 without a control byte.
TEST(LogTextPropertyTest, NoControlByteSurvivesRandomInput) {
  const std::string alphabet =
      std::string("a\\\n\r\t\x1b\x7f\x80\x85\x9b\xc2\xe2\xd8\x9c\x81\xa6\xae\xed\xf4\xff", 21) + std::string(1, '\0');
  std::mt19937 random(7);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const std::size_t length = random() % 12;
    for (std::size_t i = 0; i < length; ++i) text += alphabet[random() % alphabet.size()];
    const std::string out = escape_log_text(text);
    ASSERT_TRUE(check_utf8(out).valid) << out;
    for (char c : out) {
      const auto b = static_cast<unsigned char>(c);
      ASSERT_TRUE(b >= 0x20 && b != 0x7F) << "raw byte " << int(b) << " in " << out;
    }
    ASSERT_EQ(out.find("\xC2\x85"), std::string::npos) << out;
    ASSERT_EQ(out.find("\xC2\x9B"), std::string::npos) << out;
    ASSERT_EQ(out.find("\xE2\x80\xAE"), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace pipeline::util
