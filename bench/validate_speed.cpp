// Times field validation alone -- validate_person on every row of a
// people.csv held in memory, no CSV parsing, no database -- so that a change
// to the text rules shows its cost undiluted. Prints one line per round and
// the median, in nanoseconds per row and rows per second.
//
//   validate_speed --people bench/data/people_1000000.csv --rounds 7
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "pipeline/csv/reader.hpp"
#include "pipeline/load/header.hpp"
#include "pipeline/load/validate.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Times validate_person over a people.csv held in memory"};
  std::string people;
  int rounds = 7;
  app.add_option("--people", people, "people.csv to validate")->required();
  app.add_option("--rounds", rounds, "Timed passes over the rows");
  CLI11_PARSE(app, argc, argv);

  std::ifstream in(people, std::ios::binary);
  if (!in) {
    std::cerr << "validate_speed: cannot open " << people << "\n";
    return 66;
  }
  pipeline::csv::Reader reader(in);
  pipeline::csv::Record record;
  std::vector<std::string> storage;  // four fields a row
  bool header = true;
  while (reader.next(record)) {
    if (header || !record.error.empty() || record.fields.size() != 4) {
      header = false;
      continue;
    }
    storage.insert(storage.end(), record.fields.begin(), record.fields.end());
  }
  const std::size_t rows = storage.size() / 4;
  const pipeline::load::HeaderMap map{{0, 1, 2, 3}, 4};
  const pipeline::load::Limits limits;
  const pipeline::util::Date today{2026, 11, 24};
  pipeline::csv::Record row;
  row.fields.resize(4);

  std::vector<double> ns_per_row;
  for (int round = 0; round < rounds; ++round) {
    std::size_t valid = 0;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t f = 0; f < 4; ++f) row.fields[f] = storage[r * 4 + f];
      valid +=
          std::holds_alternative<pipeline::load::PersonRow>(pipeline::load::validate_person(row, map, limits, today));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ns_per_row.push_back(seconds * 1e9 / static_cast<double>(rows));
    fmt::print("round {}: {} rows ({} valid), {:.1f} ns/row\n", round + 1, rows, valid, ns_per_row.back());
  }
  std::sort(ns_per_row.begin(), ns_per_row.end());
  const double median = ns_per_row[ns_per_row.size() / 2];
  fmt::print("median: {:.1f} ns/row, {:.2f} M rows/s\n", median, 1e3 / median);
  return 0;
}
