// libFuzzer target: arbitrary bytes through the CSV reader, the header
// mapping and both row validators, checking the reader's invariants; and
// through the --jobs pre-scan, checking that its ranges, read one after
// another, give exactly the whole file's records.
//
//   scripts/fuzz [SECONDS]
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/csv/reader.hpp"
#include "pipeline/load/file_scan.hpp"
#include "pipeline/load/forbidden_characters.hpp"
#include "pipeline/load/header.hpp"
#include "pipeline/load/validate.hpp"
#include "pipeline/util/utf8.hpp"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// What a reader says about one record, with its offset in the whole file.
struct Read {
  std::size_t line;
  std::uint64_t offset;
  std::vector<std::string> fields;
  std::string error;
  std::string raw;
  bool operator==(const Read&) const = default;
};

Read copy(const pipeline::csv::Record& record, std::uint64_t base) {
  return {
      record.line, base + record.offset, {record.fields.begin(), record.fields.end()}, record.error, record.raw_text()};
}

// Splits `text` into 1 to 8 ranges as --jobs does and checks that reading
// them gives `whole` (the records after the header).
void check_ranges(const std::string& text, const pipeline::csv::ReaderOptions& options, std::size_t parts,
                  const std::vector<Read>& whole) {
  using namespace pipeline;
  std::istringstream in(text);
  const load::FileScan scan = load::scan_file(in, parts, options, 1);
  check(scan.size == text.size());
  std::vector<Read> joined;
  for (const load::ByteRange& range : scan.ranges) {
    std::istringstream part(text.substr(range.begin));
    csv::Reader reader(part, load::range_reader_options(range, options));
    csv::Record record;
    while (reader.next(record)) joined.push_back(copy(record, range.begin));
  }
  check(joined == whole);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pipeline;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream in(text);
  // Small limits, so that the over-long and unterminated paths are reached.
  const csv::ReaderOptions options{512, 4};
  csv::Reader reader(in, options);
  const load::HeaderMap people{{0, 1, 2, 3}, 4};
  const load::HeaderMap places{{0, 1, 2}, 3};
  const load::Limits limits{};
  const util::Date today{2026, 11, 24};
  csv::Record record;
  std::size_t last_line = 0;
  std::uint64_t last_offset = 0;
  bool header = true;
  bool first = true;
  std::vector<Read> whole;
  while (reader.next(record)) {
    check(record.line > last_line);  // records come in file order
    check(first || record.offset > last_offset);
    check(record.offset < size);
    last_line = record.line;
    last_offset = record.offset;
    if (!first) whole.push_back(copy(record, 0));
    first = false;
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
      // ... and holds no forbidden character (a control, a bidirectional control, U+FEFF) in any field.
      for (std::string_view field : {row->given_name, row->family_name, row->date_of_birth, row->place_of_birth}) {
        check(!load::find_forbidden(field));
      }
    }
    const auto place = load::validate_place(record, places, limits);
    if (const auto* row = std::get_if<load::PlaceRow>(&place)) {
      for (std::string_view field : {row->city, row->county, row->country}) {
        check(util::check_utf8(field).valid && !load::find_forbidden(field));
      }
    }
  }
  check_ranges(text, options, 1 + (size > 0 ? data[size - 1] % 8 : 0), whole);
  return 0;
}
