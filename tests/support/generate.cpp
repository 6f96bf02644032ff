#include "support/generate.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "support/test_database.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

std::vector<std::vector<std::string>> rows_of(const std::string& path) {
  std::istringstream in(read_file(path));
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream s(line);
    std::string field;
    while (std::getline(s, field, ',')) fields.push_back(field);
    rows.push_back(fields);
  }
  return rows;
}

}  // namespace

void write_people(const std::filesystem::path& path, std::uint64_t rows, std::uint64_t seed) {
  static const auto people = rows_of(shipped("people.csv"));
  static const auto places = rows_of(shipped("places.csv"));
  std::uint64_t state = seed;
  auto next = [&state](std::size_t n) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return static_cast<std::size_t>((z ^ (z >> 31)) % n);
  };
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::string buffer = "given_name,family_name,date_of_birth,place_of_birth\n";
  for (std::uint64_t i = 0; i < rows; ++i) {
    fmt::format_to(std::back_inserter(buffer), "{},{},{:04}-{:02}-{:02},{}\n", people[next(people.size())][0],
                   people[next(people.size())][1], 1850 + next(170), 1 + next(12), 1 + next(28),
                   places[next(places.size())][0]);
    if (buffer.size() > (1 << 20)) {
      out << buffer;
      buffer.clear();
    }
  }
  out << buffer;
}

}  // namespace pipeline::testing
