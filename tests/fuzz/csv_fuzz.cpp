// libFuzzer target: arbitrary bytes through the CSV reader, the header
// mapping and both row validators, checking the reader's invariants.
//
//   scripts/fuzz [SECONDS]
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "pipeline/csv/reader.hpp"
#include "pipeline/load/header.hpp"
#include "pipeline/load/validate.hpp"
#include "pipeline/util/utf8.hpp"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pipeline;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  // Small limits, so that the over-long and unterminated paths are reached.
  csv::Reader reader(in, csv::ReaderOptions{512, 4});
  const load::HeaderMap people{{0, 1, 2, 3}, 4};
  const load::HeaderMap places{{0, 1, 2}, 3};
  const load::Limits limits{};
  const util::Date today{2026, 11, 24};
  csv::Record record;
  std::size_t last_line = 0;
  bool header = true;
  while (reader.next(record)) {
    check(record.line > last_line);  // records come in file order
    last_line = record.line;
    check(record.error.empty() || record.fields.empty());
    check(record.raw.size() <= csv::kMaxRawBytes);
    if (!record.error.empty()) continue;
    if (header) {
      header = false;
      (void)load::map_header(record.fields, load::kPersonColumns);
      (void)load::map_header(record.fields, load::kPlaceColumns);
      continue;
    }
    const auto person = load::validate_person(record, people, limits, today);
    if (const auto* row = std::get_if<load::PersonRow>(&person)) {
      // Whatever passes is well-formed UTF-8 within its limit.
      check(util::check_utf8(row->given_name).valid && util::check_utf8(row->place_of_birth).valid);
      check(util::check_utf8(row->given_name).code_points <= limits.given_name);
      check(row->date_of_birth.size() == 10);
    }
    (void)load::validate_place(record, places, limits);
  }
  return 0;
}
