#include "pipeline/util/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pipeline::util {
namespace {

struct Case {
  const char* name;
  std::string text;
  bool valid;
  std::size_t code_points;   // when valid
  std::size_t error_offset;  // when invalid
};

class Utf8Test : public testing::TestWithParam<Case> {};

TEST_P(Utf8Test, Checks) {
  const Case& c = GetParam();
  const Utf8Check check = check_utf8(c.text);
  EXPECT_EQ(check.valid, c.valid);
  if (c.valid) {
    EXPECT_EQ(check.code_points, c.code_points);
  } else {
    EXPECT_EQ(check.error_offset, c.error_offset);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, Utf8Test,
    testing::Values(
        Case{"empty", "", true, 0, 0}, Case{"ascii", "Aberdeen", true, 8, 0},
        Case{"long_ascii", std::string(100, 'a'), true, 100, 0},
        Case{"greek", "\xCE\x93\xCE\xB9\xCF\x8E\xCF\x81\xCE\xB3\xCE\xBF\xCF\x82", true, 7, 0},  // Γιώργος
        Case{"georgian", "\xE1\x83\x93\xE1\x83\x90\xE1\x83\x95\xE1\x83\x98\xE1\x83\x97\xE1\x83\x98", true, 6, 0},
        Case{"chinese", "\xE6\x9D\x8E\xE6\x98\x8E", true, 2, 0}, Case{"emoji", "\xF0\x9F\x98\x80", true, 1, 0},
        Case{"max_code_point", "\xF4\x8F\xBF\xBF", true, 1, 0},
        Case{"ascii_then_greek", "abcdefgh\xCE\x93", true, 9, 0}, Case{"lone_continuation", "ab\x80", false, 0, 2},
        Case{"latin1_byte", "Gu\xF0mundur", false, 0, 2}, Case{"overlong_slash_2", "\xC0\xAF", false, 0, 0},
        Case{"overlong_nul_2", "\xC1\x80", false, 0, 0}, Case{"overlong_3", "\xE0\x80\xAF", false, 0, 0},
        Case{"overlong_4", "\xF0\x80\x80\xAF", false, 0, 0}, Case{"surrogate", "\xED\xA0\x80", false, 0, 0},
        Case{"above_max", "\xF4\x90\x80\x80", false, 0, 0}, Case{"f5_lead", "\xF5\x80\x80\x80", false, 0, 0},
        Case{"truncated_2", "x\xCE", false, 0, 1}, Case{"truncated_4", "\xF0\x9F\x98", false, 0, 0},
        Case{"bad_second_byte", "\xCE\x41", false, 0, 0}, Case{"invalid_after_8_ascii", "abcdefgh\xFF", false, 0, 8}),
    [](const testing::TestParamInfo<Case>& p) { return p.param.name; });

}  // namespace
}  // namespace pipeline::util
