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

#include "pipeline/csv/reader.hpp"

namespace pipeline::load {

class RejectLog;

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

// Reads the first record of `reader` (file `name`) as its header and maps it.
// An empty file, a malformed record or a header that does not map goes to
// `rejects` and is thrown as Error(kDataError) with the file and line.
HeaderMap read_header(csv::Reader& reader, const std::string& name, std::span<const std::string_view> expected,
                      RejectLog& rejects);

}  // namespace pipeline::load
