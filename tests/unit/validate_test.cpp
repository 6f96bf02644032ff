#include "pipeline/load/validate.hpp"

#include <gtest/gtest.h>

#include <array>

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
    ::testing::Values(Case{"ok", {"Aberdeen", "Aberdeenshire", "Scotland"}, "", ""},
                      Case{"hyphens_and_apostrophes", {"Grantown-on-Spey", "Moray", "Scotland"}, "", ""},
                      Case{"empty_city", {"", "Fife", "Scotland"}, "city", "is empty"},
                      Case{"empty_county", {"Kelso", "", "Scotland"}, "county", "is empty"},
                      Case{"empty_country", {"Kelso", "Roxburghshire", ""}, "country", "is empty"},
                      Case{"city_101_chars", {std::string(101, 'a'), "x", "y"}, "city", "is 101 characters long"},
                      Case{"city_100_chars", {std::string(100, 'a'), "x", "y"}, "", ""},
                      Case{"bad_utf8_country", {"Kelso", "Roxburghshire", "Scotl\xE9nd"}, "country", "UTF-8"},
                      Case{"padded_county", {"Kelso", " Roxburghshire", "Scotland"}, "county", "whitespace"},
                      Case{"two_fields", {"Kelso", "Roxburghshire"}, "(record)", "has 2 fields; the header has 3"}),
    [](const ::testing::TestParamInfo<Case>& p) { return p.param.name; });

}  // namespace
}  // namespace pipeline::load
