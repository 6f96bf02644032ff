#include "pipeline/util/date.hpp"

#include <chrono>

#include <fmt/format.h>

namespace pipeline::util {
namespace {

constexpr const char* kMonthNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                       "July",    "August",   "September", "October", "November", "December"};

bool all_digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

unsigned to_number(std::string_view digits) {
  unsigned value = 0;
  for (char c : digits) value = value * 10 + static_cast<unsigned>(c - '0');
  return value;
}

}  // namespace

DateParse parse_iso_date(std::string_view text) {
  DateParse result;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !all_digits(text.substr(0, 4)) ||
      !all_digits(text.substr(5, 2)) || !all_digits(text.substr(8, 2))) {
    result.error = "not an ISO date (YYYY-MM-DD)";
    return result;
  }
  const unsigned year = to_number(text.substr(0, 4));
  const unsigned month = to_number(text.substr(5, 2));
  const unsigned day = to_number(text.substr(8, 2));
  if (year < 1000) {
    result.error = fmt::format("year {} is before 1000, the first year a DATE column holds", year);
    return result;
  }
  if (month < 1 || month > 12) {
    result.error = fmt::format("month {:02} does not exist", month);
    return result;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{static_cast<int>(year)}, std::chrono::month{month},
                                        std::chrono::day{day}};
  if (!ymd.ok()) {
    result.error = fmt::format("day {:02} does not exist in {} {}", day, kMonthNames[month - 1], year);
    return result;
  }
  result.date = Date{static_cast<int>(year), month, day};
  return result;
}

Date today_utc() {
  const auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const std::chrono::year_month_day ymd{now};
  return Date{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())};
}

}  // namespace pipeline::util
