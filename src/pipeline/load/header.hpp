// Checking a CSV header against the columns a file must have. Columns are
// matched by name, so their order in the file is free; the header must name
// each expected column exactly once and nothing else.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pipeline::load {

// For each expected column, in the order the caller listed them, its
// position in the file's records.
struct HeaderMap {
  std::vector<std::size_t> index;
  // Number of fields every record must have.
  std::size_t width = 0;
};

// Maps `header` onto `expected`, or says what is wrong with it: missing,
// unexpected or repeated columns, with a hint for near misses such as a
// different case or stray spaces.
std::variant<HeaderMap, std::string> map_header(const std::vector<std::string_view>& header,
                                                std::span<const std::string_view> expected);

}  // namespace pipeline::load
