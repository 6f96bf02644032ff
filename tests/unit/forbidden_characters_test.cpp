#include "pipeline/load/forbidden_characters.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include "pipeline/load/validate.hpp"

namespace pipeline::load {
namespace {

// The specification, written out independently of classify().
bool should_be_forbidden(char32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

std::string utf8(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

// Every Unicode scalar value, inside a name: found (at its offset, decoded
// right) exactly when the specification forbids it, and check_text agrees.
TEST(ForbiddenCharactersTest, EveryCodePointIsJudgedByTheRule) {
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;  // surrogates are not valid UTF-8
    const std::string value = "Ann" + utf8(cp) + "e";
    const auto found = find_forbidden(value);
    ASSERT_EQ(found.has_value(), should_be_forbidden(cp)) << std::hex << "U+" << static_cast<std::uint32_t>(cp);
    ASSERT_EQ(check_text(value, 100).has_value(), should_be_forbidden(cp))
        << std::hex << "U+" << static_cast<std::uint32_t>(cp);
    if (found) {
      ASSERT_EQ(found->code_point, cp);
      ASSERT_EQ(found->offset, 3u);
    }
  }
}

TEST(ForbiddenCharactersTest, ReasonsNameTheCodePointAndItsClass) {
  EXPECT_EQ(describe({0x0, Forbidden::kNul, 0}), "contains a NUL byte");
  EXPECT_EQ(describe({0x1B, Forbidden::kControl, 0}), "contains the control character U+001B");
  EXPECT_EQ(describe({0x85, Forbidden::kC1Control, 0}), "contains the C1 control character U+0085");
  EXPECT_EQ(describe({0x202E, Forbidden::kBidiControl, 0}),
            "contains the bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE)");
  EXPECT_EQ(describe({0xFEFF, Forbidden::kByteOrderMark, 0}),
            "contains the byte order mark U+FEFF (ZERO WIDTH NO-BREAK SPACE)");
  for (const char32_t cp : std::initializer_list<char32_t>{0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D,
                                                           0x2066, 0x2067, 0x2068, 0x2069}) {
    const std::string reason = describe({cp, classify(cp), 0});
    EXPECT_EQ(reason.find("contains the bidirectional control U+"), 0u) << reason;
    EXPECT_EQ(reason.back(), ')') << reason;  // carries the Unicode name
  }
}

TEST(ForbiddenCharactersTest, NothingForbiddenInPlainText) {
  EXPECT_EQ(find_forbidden(""), std::nullopt);
  EXPECT_EQ(find_forbidden("Grantown-on-Spey"), std::nullopt);
  EXPECT_EQ(find_forbidden("Mary\nAnn\tB\r"), std::nullopt);
}

}  // namespace
}  // namespace pipeline::load
