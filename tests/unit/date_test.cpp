#include "pipeline/util/date.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace pipeline::util {
namespace {

struct Case {
  const char* name;
  const char* text;
  bool valid;
  const char* error;  // substring of the reason, when invalid
};

class DateTest : public testing::TestWithParam<Case> {};

TEST_P(DateTest, Parses) {
  const Case& c = GetParam();
  const DateParse parsed = parse_iso_date(c.text);
  EXPECT_EQ(parsed.date.has_value(), c.valid) << parsed.error;
  if (!c.valid) {
    EXPECT_NE(parsed.error.find(c.error), std::string::npos) << parsed.error;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, DateTest,
    testing::Values(Case{"plain", "1982-11-01", true, ""}, Case{"leap_2000", "2000-02-29", true, ""},
                    Case{"leap_1904", "1904-02-29", true, ""}, Case{"first_year", "1000-01-01", true, ""},
                    Case{"last_day", "9999-12-31", true, ""},
                    Case{"not_leap_1900", "1900-02-29", false, "day 29 does not exist in February 1900"},
                    Case{"not_leap_2023", "2023-02-29", false, "February 2023"},
                    Case{"april_31", "2001-04-31", false, "day 31 does not exist in April"},
                    Case{"day_zero", "2001-04-00", false, "day 00"},
                    Case{"month_13", "2023-13-01", false, "month 13 does not exist"},
                    Case{"month_zero", "2023-00-10", false, "month 00"},
                    Case{"year_999", "0999-01-01", false, "before 1000"},
                    Case{"dmy_slashes", "31/12/1990", false, "not an ISO date"},
                    Case{"us_order", "12-31-1990", false, "not an ISO date"},
                    Case{"no_padding", "1990-1-5", false, "not an ISO date"},
                    Case{"with_time", "1990-01-05T00:00", false, "not an ISO date"},
                    Case{"trailing_space", "1990-01-05 ", false, "not an ISO date"},
                    Case{"empty", "", false, "not an ISO date"}, Case{"signs", "+990-01-05", false, "not an ISO date"},
                    Case{"fullwidth_digits", "\xEF\xBC\x91\xEF\xBC\x99\xEF\xBC\x99\xEF\xBC\x90", false,
                         "not an ISO date"}),
    [](const testing::TestParamInfo<Case>& p) { return p.param.name; });

TEST(DateTest, OrdersChronologically) {
  EXPECT_LT((Date{1999, 12, 31}), (Date{2000, 1, 1}));
  EXPECT_LT((Date{2000, 1, 31}), (Date{2000, 2, 1}));
  EXPECT_LT((Date{2000, 2, 1}), (Date{2000, 2, 2}));
}

TEST(DateTest, TodayIsARealDate) {
  const Date today = today_utc();
  EXPECT_GE(today.year, 2024);
  EXPECT_TRUE(parse_iso_date(fmt::format("{:04}-{:02}-{:02}", today.year, today.month, today.day)).date);
}

}  // namespace
}  // namespace pipeline::util
