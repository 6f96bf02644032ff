#include "pipeline/load/validate.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "pipeline/load/forbidden_characters.hpp"
#include "pipeline/util/utf8.hpp"

namespace pipeline::load {
namespace {

bool is_whitespace_byte(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::optional<FieldError> check_width(const csv::Record& record, const HeaderMap& header) {
  if (record.fields.size() == header.width) return std::nullopt;
  return FieldError{std::string(kWholeRecord),
                    fmt::format("has {} fields; the header has {}", record.fields.size(), header.width)};
}

}  // namespace

std::optional<std::string> check_text(std::string_view value, std::size_t max_chars) {
  if (value.empty()) return "is empty";
  // Most names are printable ASCII: one byte, one character, nothing
  // forbidden (forbidden_characters.cpp asserts that no printable ASCII is).
  const bool printable_ascii = std::all_of(value.begin(), value.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x20 && byte < 0x7F;
  });
  std::size_t characters = value.size();
  if (!printable_ascii) {
    const util::Utf8Check utf8 = util::check_utf8(value);
    if (!utf8.valid) {
      return fmt::format("is not valid UTF-8 (bad byte 0x{:02X} at byte {})",
                         static_cast<unsigned char>(value[utf8.error_offset]), utf8.error_offset + 1);
    }
    if (const auto forbidden = find_forbidden(value)) return describe(*forbidden);
    characters = utf8.code_points;
  }
  if (is_whitespace_byte(value.front()) || is_whitespace_byte(value.back())) {
    return "has leading or trailing whitespace";
  }
  if (characters > max_chars) {
    return fmt::format("is {} characters long; the column holds at most {}", characters, max_chars);
  }
  return std::nullopt;
}

std::variant<PlaceRow, FieldError> validate_place(const csv::Record& record, const HeaderMap& header,
                                                  const Limits& limits) {
  if (auto error = check_width(record, header)) return *error;
  const PlaceRow row{record.fields[header.index[0]], record.fields[header.index[1]], record.fields[header.index[2]]};
  const std::size_t max[] = {limits.city, limits.county, limits.country};
  const std::string_view values[] = {row.city, row.county, row.country};
  for (std::size_t i = 0; i < 3; ++i) {
    if (auto reason = check_text(values[i], max[i])) return FieldError{std::string(kPlaceColumns[i]), *reason};
  }
  return row;
}

std::variant<PersonRow, FieldError> validate_person(const csv::Record& record, const HeaderMap& header,
                                                    const Limits& limits, const util::Date& today) {
  if (auto error = check_width(record, header)) return *error;
  const PersonRow row{record.fields[header.index[0]], record.fields[header.index[1]], record.fields[header.index[2]],
                      record.fields[header.index[3]]};
  if (auto reason = check_text(row.given_name, limits.given_name)) return FieldError{"given_name", *reason};
  if (auto reason = check_text(row.family_name, limits.family_name)) return FieldError{"family_name", *reason};
  const util::DateParse date = util::parse_iso_date(row.date_of_birth);
  if (!date.date) {
    // Quote the value only when it is short, clean text; otherwise say what is wrong with the bytes.
    constexpr std::size_t kQuotable = 32;
    if (auto reason = check_text(row.date_of_birth, kQuotable)) return FieldError{"date_of_birth", *reason};
    return FieldError{"date_of_birth", fmt::format("'{}': {}", row.date_of_birth, date.error)};
  }
  if (*date.date > today) {
    return FieldError{"date_of_birth", fmt::format("{} is in the future (today is {:04}-{:02}-{:02} UTC)",
                                                   row.date_of_birth, today.year, today.month, today.day)};
  }
  if (auto reason = check_text(row.place_of_birth, limits.city)) return FieldError{"place_of_birth", *reason};
  return row;
}

}  // namespace pipeline::load
