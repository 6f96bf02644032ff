// Deterministic people.csv files of any size for tests, shaped like the
// shipped one: its names and cities, real dates.
#pragma once

#include <cstdint>
#include <filesystem>

namespace pipeline::testing {

// Writes a header and `rows` rows; the same seed gives the same file.
void write_people(const std::filesystem::path& path, std::uint64_t rows, std::uint64_t seed);

}  // namespace pipeline::testing
