// Writes a deterministic people.csv of N rows, shaped like the shipped one:
// names drawn from data/people.csv (multi-byte ones included), cities from
// data/places.csv, real dates between 1840 and 2020, LF line endings.
//
//   gen_people --rows 1000000 --seed 1 > people_1m.csv
#include <cstdint>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "pipeline/csv/reader.hpp"
#include "pipeline/csv/writer.hpp"

namespace {

// splitmix64: tiny, and the same sequence on every platform.
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

std::vector<std::vector<std::string>> read_rows(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  pipeline::csv::Reader reader(in);
  pipeline::csv::Record record;
  std::vector<std::vector<std::string>> rows;
  bool header = true;
  while (reader.next(record)) {
    if (header) {
      header = false;
      continue;
    }
    if (record.error.empty()) rows.emplace_back(record.fields.begin(), record.fields.end());
  }
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Writes a deterministic people.csv to stdout"};
  std::uint64_t rows = 1000000;
  std::uint64_t seed = 1;
  std::string people = "data/people.csv";
  std::string places = "data/places.csv";
  app.add_option("--rows", rows, "Number of data rows");
  app.add_option("--seed", seed, "Seed of the random sequence");
  app.add_option("--names-from", people, "people.csv to draw names from");
  app.add_option("--places-from", places, "places.csv to draw cities from");
  CLI11_PARSE(app, argc, argv);

  const auto people_rows = read_rows(people);
  const auto place_rows = read_rows(places);
  std::vector<std::string> given, family, cities;
  for (const auto& r : people_rows) {
    given.push_back(r.at(0));
    family.push_back(r.at(1));
  }
  for (const auto& r : place_rows) cities.push_back(r.at(0));

  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  Random random{seed};
  std::string out = "given_name,family_name,date_of_birth,place_of_birth\n";
  for (std::uint64_t i = 0; i < rows; ++i) {
    const int year = 1840 + static_cast<int>(random.below(181));
    const int month = 1 + static_cast<int>(random.below(12));
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int days = kDaysInMonth[month - 1] + (month == 2 && leap ? 1 : 0);
    const int day = 1 + static_cast<int>(random.below(static_cast<std::size_t>(days)));
    pipeline::csv::append_field(out, given[random.below(given.size())]);
    out += ',';
    pipeline::csv::append_field(out, family[random.below(family.size())]);
    out += ',';
    fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}", year, month, day);
    out += ',';
    pipeline::csv::append_field(out, cities[random.below(cities.size())]);
    out += '\n';
    if (out.size() > (1 << 20)) {
      std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
      out.clear();
    }
  }
  std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
  return std::cout ? 0 : 1;
}
