#include "pipeline/load/validate.hpp"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <ostream>
#include <string>

namespace pipeline::load {
namespace {

const util::Date kToday{2026, 11, 24};
const HeaderMap kPeopleHeader{{0, 1, 2, 3}, 4};
const HeaderMap kPlacesHeader{{0, 1, 2}, 3};

csv::Record record_of(const std::vector<std::string>& fields) {
  static std::vector<std::string> storage;
  storage = fields;
  csv::Record record;
  record.line = 7;
  for (const std::string& f : storage) record.fields.emplace_back(f);
  return record;
}

struct Case {
  const char* name;
  std::vector<std::string> fields;
  const char* field;   // expected field at fault; "" when the row is valid
  const char* reason;  // expected substring of the reason
};

class PersonRulesTest : public ::testing::TestWithParam<Case> {};

TEST_P(PersonRulesTest, Validates) {
  const Case& c = GetParam();
  Limits limits;
  limits.given_name = 10;
  limits.family_name = 10;
  limits.city = 12;
  const auto result = validate_person(record_of(c.fields), kPeopleHeader, limits, kToday);
  if (std::string(c.field).empty()) {
    EXPECT_TRUE(std::holds_alternative<PersonRow>(result)) << std::get<FieldError>(result).reason;
  } else {
    ASSERT_TRUE(std::holds_alternative<FieldError>(result));
    const FieldError& error = std::get<FieldError>(result);
    EXPECT_EQ(error.field, c.field);
    EXPECT_NE(error.reason.find(c.reason), std::string::npos) << error.reason;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, PersonRulesTest,
    ::testing::Values(
        Case{"ascii", {"John", "Williams", "1842-09-30", "Dumfries"}, "", ""},
        Case{"multibyte", {"Γιώργος", "李", "1900-01-27", "Annan"}, "", ""},
        Case{"length_in_characters_not_bytes", {"ΓΓΓΓΓΓΓΓΓΓ", "ab", "1900-01-27", "Annan"}, "", ""},
        Case{"too_many_characters",
             {"ΓΓΓΓΓΓΓΓΓΓΓ", "ab", "1900-01-27", "Annan"},
             "given_name",
             "is 11 characters long; the column holds at most 10"},
        Case{"family_too_long", {"Ann", "Abcdefghijk", "1900-01-27", "Annan"}, "family_name", "at most 10"},
        Case{"empty_given", {"", "Smith", "1990-01-01", "Kelso"}, "given_name", "is empty"},
        Case{"empty_family", {"Ann", "", "1990-01-01", "Kelso"}, "family_name", "is empty"},
        Case{"empty_date", {"Ann", "Smith", "", "Kelso"}, "date_of_birth", "is empty"},
        Case{"empty_place", {"Ann", "Smith", "1990-01-01", ""}, "place_of_birth", "is empty"},
        Case{"place_too_long", {"Ann", "Smith", "1990-01-01", "Abcdefghijklm"}, "place_of_birth", "at most 12"},
        Case{"invalid_utf8",
             {"Gu\xF0mundur", "Smith", "1990-01-01", "Kelso"},
             "given_name",
             "not valid UTF-8 (bad byte 0xF0 at byte 3)"},
        Case{"overlong_utf8", {"A\xC0\xAF", "Smith", "1990-01-01", "Kelso"}, "given_name", "not valid UTF-8"},
        Case{"surrogate_utf8", {"Ann", "\xED\xA0\x80", "1990-01-01", "Kelso"}, "family_name", "not valid UTF-8"},
        Case{"nul_byte", {std::string("An\0n", 4), "Smith", "1990-01-01", "Kelso"}, "given_name", "NUL byte"},
        Case{"bell", {"An\an", "Smith", "1990-01-01", "Kelso"}, "given_name", "control character U+0007"},
        Case{"delete", {"An\x7Fn", "Smith", "1990-01-01", "Kelso"}, "given_name", "U+007F"},
        Case{"c1_in_family",
             {"Ann", "Smith\xC2\x85", "1990-01-01", "Kelso"},
             "family_name",
             "C1 control character U+0085"},
        Case{"rlo_in_place", {"Ann", "Smith", "1990-01-01", "\xE2\x80\xAEKelso"}, "place_of_birth", "U+202E"},
        Case{"bidi_in_date_not_echoed", {"Ann", "Smith", "1990-01-01\xE2\x81\xA6", "Kelso"}, "date_of_birth", "U+2066"},
        Case{"inner_line_break_kept", {"Mary\nAnn", "Smith", "1990-01-01", "Kelso"}, "", ""},
        Case{"leading_space", {" Ann", "Smith", "1990-01-01", "Kelso"}, "given_name", "leading or trailing whitespace"},
        Case{"trailing_space", {"Ann", "Smith ", "1990-01-01", "Kelso"}, "family_name", "whitespace"},
        Case{"trailing_newline", {"Ann\n", "Smith", "1990-01-01", "Kelso"}, "given_name", "whitespace"},
        Case{"place_padded", {"Ann", "Smith", "1990-01-01", "Kelso "}, "place_of_birth", "whitespace"},
        Case{"not_leap",
             {"Ann", "Smith", "1900-02-29", "Kelso"},
             "date_of_birth",
             "'1900-02-29': day 29 does not exist in February 1900"},
        Case{"month_13", {"Ann", "Smith", "2023-13-01", "Kelso"}, "date_of_birth", "month 13 does not exist"},
        Case{"day_first", {"Ann", "Smith", "31/12/1990", "Kelso"}, "date_of_birth", "'31/12/1990': not an ISO date"},
        Case{"date_with_time", {"Ann", "Smith", "1990-01-01T10:00", "Kelso"}, "date_of_birth", "not an ISO date"},
        Case{"date_garbage_not_echoed",
             {"Ann", "Smith", std::string(40, 'x'), "Kelso"},
             "date_of_birth",
             "is 40 characters long"},
        Case{"today_allowed", {"Ann", "Smith", "2026-11-24", "Kelso"}, "", ""},
        Case{"tomorrow_is_future",
             {"Ann", "Smith", "2026-11-25", "Kelso"},
             "date_of_birth",
             "2026-11-25 is in the future (today is 2026-11-24 UTC)"},
        Case{"far_future", {"Ann", "Smith", "3000-01-01", "Kelso"}, "date_of_birth", "in the future"},
        Case{"too_few_fields", {"Ann", "Smith", "1990-01-01"}, "(record)", "has 3 fields; the header has 4"},
        Case{"too_many_fields", {"Ann", "Smith", "1990-01-01", "Kelso", ""}, "(record)", "has 5 fields"}),
    [](const ::testing::TestParamInfo<Case>& p) { return p.param.name; });

// check_text on one value: the forbidden characters are rejected, naming the
// code point; their neighbours and ordinary letters are stored.
struct TextCase {
  const char* name;
  std::string value;
  const char* reason;  // expected substring of the reason; "" when the value is accepted
};

// Names the case in test output, instead of gtest's dump of its bytes.
void PrintTo(const TextCase& c, std::ostream* out) { *out << c.name; }

class TextRulesTest : public ::testing::TestWithParam<TextCase> {};

TEST_P(TextRulesTest, Checks) {
  const TextCase& c = GetParam();
  const auto reason = check_text(c.value, 100);
  if (std::string(c.reason).empty()) {
    EXPECT_EQ(reason, std::nullopt) << *reason;
  } else {
    ASSERT_NE(reason, std::nullopt);
    EXPECT_NE(reason->find(c.reason), std::string::npos) << *reason;
  }
}

INSTANTIATE_TEST_SUITE_P(Table, TextRulesTest,
                         ::testing::Values(
                             // C0 and DEL, as before
                             TextCase{"u001f",
                                      "a\x1F"
                                      "b",
                                      "contains the control character U+001F"},
                             TextCase{"u007f",
                                      "a\x7F"
                                      "b",
                                      "contains the control character U+007F"},
                             TextCase{"tab_inside", "a\tb", ""},
                             // C1: U+0080..U+009F
                             TextCase{"u0080",
                                      "a\xC2\x80"
                                      "b",
                                      "contains the C1 control character U+0080"},
                             TextCase{"u0085_nel", "Ann\xC2\x85", "contains the C1 control character U+0085"},
                             TextCase{"u009b_csi",
                                      "\xC2\x9B"
                                      "31mAnn",
                                      "contains the C1 control character U+009B"},
                             TextCase{"u009f",
                                      "a\xC2\x9F"
                                      "b",
                                      "contains the C1 control character U+009F"},
                             TextCase{"u00a0_nbsp", "Jean\xC2\xA0Luc", ""},
                             // The Bidi_Control set
                             TextCase{"u061c_alm",
                                      "a\xD8\x9C"
                                      "b",
                                      "contains the bidirectional control U+061C (ARABIC LETTER MARK)"},
                             TextCase{"u200e_lrm",
                                      "a\xE2\x80\x8E"
                                      "b",
                                      "contains the bidirectional control U+200E (LEFT-TO-RIGHT MARK)"},
                             TextCase{"u200f_rlm",
                                      "a\xE2\x80\x8F"
                                      "b",
                                      "contains the bidirectional control U+200F (RIGHT-TO-LEFT MARK)"},
                             TextCase{"u202a_lre",
                                      "a\xE2\x80\xAA"
                                      "b",
                                      "contains the bidirectional control U+202A (LEFT-TO-RIGHT EMBEDDING)"},
                             TextCase{"u202b_rle",
                                      "a\xE2\x80\xAB"
                                      "b",
                                      "contains the bidirectional control U+202B (RIGHT-TO-LEFT EMBEDDING)"},
                             TextCase{"u202c_pdf",
                                      "a\xE2\x80\xAC"
                                      "b",
                                      "contains the bidirectional control U+202C (POP DIRECTIONAL FORMATTING)"},
                             TextCase{"u202d_lro",
                                      "a\xE2\x80\xAD"
                                      "b",
                                      "contains the bidirectional control U+202D (LEFT-TO-RIGHT OVERRIDE)"},
                             TextCase{"u202e_rlo",
                                      "a\xE2\x80\xAE"
                                      "b",
                                      "contains the bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE)"},
                             TextCase{"u2066_lri",
                                      "a\xE2\x81\xA6"
                                      "b",
                                      "contains the bidirectional control U+2066 (LEFT-TO-RIGHT ISOLATE)"},
                             TextCase{"u2067_rli",
                                      "a\xE2\x81\xA7"
                                      "b",
                                      "contains the bidirectional control U+2067 (RIGHT-TO-LEFT ISOLATE)"},
                             TextCase{"u2068_fsi",
                                      "a\xE2\x81\xA8"
                                      "b",
                                      "contains the bidirectional control U+2068 (FIRST STRONG ISOLATE)"},
                             TextCase{"u2069_pdi",
                                      "a\xE2\x81\xA9"
                                      "b",
                                      "contains the bidirectional control U+2069 (POP DIRECTIONAL ISOLATE)"},
                             TextCase{"rlo_after_long_ascii",
                                      "Williamson\xE2\x80\xAE"
                                      "nosmailliW",
                                      "U+202E"},
                             TextCase{"first_of_two_is_named",
                                      "a\xE2\x81\xA6"
                                      "b\xC2\x85",
                                      "U+2066"},
                             // A byte order mark inside a value
                             TextCase{"ufeff_inside", "\xEF\xBB\xBFKelso",
                                      "contains the byte order mark U+FEFF (ZERO WIDTH NO-BREAK SPACE)"},
                             // Neighbours that stay allowed
                             TextCase{"u061b",
                                      "a\xD8\x9B"
                                      "b",
                                      ""},
                             TextCase{"u061d",
                                      "a\xD8\x9D"
                                      "b",
                                      ""},
                             TextCase{"u200c_zwnj",
                                      "a\xE2\x80\x8C"
                                      "b",
                                      ""},
                             TextCase{"u200d_zwj", "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB", ""},
                             TextCase{"u2010",
                                      "a\xE2\x80\x90"
                                      "b",
                                      ""},
                             TextCase{"u2028",
                                      "a\xE2\x80\xA8"
                                      "b",
                                      ""},
                             TextCase{"u2029",
                                      "a\xE2\x80\xA9"
                                      "b",
                                      ""},
                             TextCase{"u202f",
                                      "a\xE2\x80\xAF"
                                      "b",
                                      ""},
                             TextCase{"u2065",
                                      "a\xE2\x81\xA5"
                                      "b",
                                      ""},
                             TextCase{"u206a",
                                      "a\xE2\x81\xAA"
                                      "b",
                                      ""},
                             TextCase{"ufefe",
                                      "a\xEF\xBB\xBE"
                                      "b",
                                      ""},
                             TextCase{"ufeff_lookalike_ufe0f",
                                      "a\xEF\xB8\x8F"
                                      "b",
                                      ""},
                             // Ordinary letters
                             TextCase{"e_acute",
                                      "Ren\xC3\xA9"
                                      "e",
                                      ""},
                             TextCase{"l_stroke",
                                      "\xC5\x81\xC3\xB3"
                                      "d\xC5\xBA",
                                      ""},
                             TextCase{"sharp_s",
                                      "Stra\xC3\x9F"
                                      "e",
                                      ""},
                             TextCase{"chinese", "\xE6\x9D\x8E\xE6\x98\x8E", ""},
                             TextCase{"hebrew", "\xD7\xA9\xD7\xA8\xD7\x94", ""},
                             TextCase{"arabic", "\xD8\xB3\xD8\xA7\xD8\xB1\xD8\xA9", ""},
                             TextCase{"emoji", "\xF0\x9F\x98\x80", ""},
                             TextCase{"max_code_point", "a\xF4\x8F\xBF\xBF", ""}),
                         [](const ::testing::TestParamInfo<TextCase>& p) { return p.param.name; });

class PlaceRulesTest : public ::testing::TestWithParam<Case> {};

TEST_P(PlaceRulesTest, Validates) {
  const Case& c = GetParam();
  const auto result = validate_place(record_of(c.fields), kPlacesHeader, Limits{});
  if (std::string(c.field).empty()) {
    EXPECT_TRUE(std::holds_alternative<PlaceRow>(result)) << std::get<FieldError>(result).reason;
  } else {
    ASSERT_TRUE(std::holds_alternative<FieldError>(result));
    EXPECT_EQ(std::get<FieldError>(result).field, c.field);
    EXPECT_NE(std::get<FieldError>(result).reason.find(c.reason), std::string::npos)
        << std::get<FieldError>(result).reason;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, PlaceRulesTest,
    ::testing::Values(
        Case{"ok", {"Aberdeen", "Aberdeenshire", "Scotland"}, "", ""},
        Case{"hyphens_and_apostrophes", {"Grantown-on-Spey", "Moray", "Scotland"}, "", ""},
        Case{"empty_city", {"", "Fife", "Scotland"}, "city", "is empty"},
        Case{"empty_county", {"Kelso", "", "Scotland"}, "county", "is empty"},
        Case{"empty_country", {"Kelso", "Roxburghshire", ""}, "country", "is empty"},
        Case{"city_101_chars", {std::string(101, 'a'), "x", "y"}, "city", "is 101 characters long"},
        Case{"city_100_chars", {std::string(100, 'a'), "x", "y"}, "", ""},
        Case{"bad_utf8_country", {"Kelso", "Roxburghshire", "Scotl\xE9nd"}, "country", "UTF-8"},
        Case{"c1_in_city", {"Kel\xC2\x9Bso", "Roxburghshire", "Scotland"}, "city", "C1 control character U+009B"},
        Case{"lri_in_county", {"Kelso", "\xE2\x81\xA6Roxburghshire", "Scotland"}, "county", "U+2066"},
        Case{"rlm_in_country", {"Kelso", "Roxburghshire", "Scotland\xE2\x80\x8F"}, "country", "U+200F"},
        Case{"accents_in_place",
             {"\xC5\x81\xC3\xB3"
              "d\xC5\xBA",
              "\xC5\x81\xC3\xB3"
              "dzkie",
              "Polska"},
             "",
             ""},
        Case{"padded_county", {"Kelso", " Roxburghshire", "Scotland"}, "county", "whitespace"},
        Case{"two_fields", {"Kelso", "Roxburghshire"}, "(record)", "has 2 fields; the header has 3"}),
    [](const ::testing::TestParamInfo<Case>& p) { return p.param.name; });

}  // namespace
}  // namespace pipeline::load
