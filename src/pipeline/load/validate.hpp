// Validating rows of places.csv and people.csv, one record at a time. Nothing
// here touches the database: a row is good or comes back with the field at
// fault and why.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "pipeline/csv/reader.hpp"
#include "pipeline/load/header.hpp"
#include "pipeline/util/date.hpp"

namespace pipeline::load {

// Longest value each text column holds, in characters (code points). A load
// reads them from the live schema, `dataloader --check` from the embedded
// schema.sql (column_limits.hpp). These defaults, for tests and benchmarks,
// match schema.sql; column_limits_test checks that they do.
struct Limits {
  std::size_t given_name = 100;
  std::size_t family_name = 100;
  std::size_t city = 100;
  std::size_t county = 100;
  std::size_t country = 100;

  bool operator==(const Limits&) const = default;
};

// Why a row was rejected. `field` names the column at fault, or is
// kWholeRecord when the problem is the record itself.
struct FieldError {
  std::string field;
  std::string reason;
};

inline constexpr std::string_view kWholeRecord = "(record)";

// Column names, in the order HeaderMap indexes them.
inline constexpr std::string_view kPlaceColumns[] = {"city", "county", "country"};
inline constexpr std::string_view kPersonColumns[] = {"given_name", "family_name", "date_of_birth", "place_of_birth"};

// Checks one text value: well-formed UTF-8; no forbidden character (see
// forbidden_characters.hpp: control characters other than tab, CR and LF,
// C1 controls, bidirectional controls, U+FEFF); not empty; no leading or
// trailing whitespace; at most `max_chars` characters. Returns the reason it
// fails, naming the first forbidden code point, or nullopt.
std::optional<std::string> check_text(std::string_view value, std::size_t max_chars);

// Views into the fields of the record that was validated.
struct PlaceRow {
  std::string_view city, county, country;
};
struct PersonRow {
  std::string_view given_name, family_name, date_of_birth, place_of_birth;
};

std::variant<PlaceRow, FieldError> validate_place(const csv::Record& record, const HeaderMap& header,
                                                  const Limits& limits);

// `today` bounds date_of_birth: a birth date may be today, never later.
// place_of_birth is checked as text here; whether it names a known city is
// the caller's to decide.
std::variant<PersonRow, FieldError> validate_person(const csv::Record& record, const HeaderMap& header,
                                                    const Limits& limits, const util::Date& today);

}  // namespace pipeline::load
