// Strict ISO 8601 calendar dates (YYYY-MM-DD), as DATE columns hold them.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline::util {

struct Date {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;

  auto operator<=>(const Date&) const = default;
};

struct DateParse {
  std::optional<Date> date;
  // Why the text is not a date; empty when date is set.
  std::string error;
};

// Accepts exactly four-digit year 1000..9999, '-', two-digit month, '-',
// two-digit day, naming a day that exists in the proleptic Gregorian calendar.
DateParse parse_iso_date(std::string_view text);

// Today's date in UTC.
Date today_utc();

}  // namespace pipeline::util
