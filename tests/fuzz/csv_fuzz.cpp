// libFuzzer target: arbitrary bytes through the CSV reader, the header
// mapping and both row validators, checking the reader's invariants; through
// the --jobs pre-scan, checking that its ranges, read one after another, give
// exactly the whole file's records; and through the log escaping of the
// input, of every field and of every reject reason, checking that no control
// byte reaches a log line unescaped.
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
#include "pipeline/util/log_text.hpp"
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

// What a log line may carry: valid UTF-8, no C0 control or DEL, and none of
// the C1, bidirectional or separator code points escape_log_text escapes.
void check_log_safe(std::string_view value) {
  const std::string out = pipeline::util::escape_log_text(value);
  check(pipeline::util::check_utf8(out).valid);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto b = static_cast<unsigned char>(out[i]);
    check(b >= 0x20 && b != 0x7F);
    const auto next = [&](std::size_t k) { return i + k < out.size() ? static_cast<unsigned char>(out[i + k]) : 0; };
    check(!(b == 0xC2 && next(1) >= 0x80 && next(1) <= 0x9F));                       // C1
    check(!(b == 0xD8 && next(1) == 0x9C));                                          // U+061C
    check(!(b == 0xE2 && next(1) == 0x80 && (next(2) == 0x8E || next(2) == 0x8F)));  // U+200E, U+200F
    check(!(b == 0xE2 && next(1) == 0x80 && next(2) >= 0xA8 && next(2) <= 0xAE));    // U+2028..U+202E
    check(!(b == 0xE2 && next(1) == 0x81 && next(2) >= 0xA6 && next(2) <= 0xA9));    // U+2066..U+2069
  }
  // Plain printable ASCII without a backslash is left as it is.
  bool plain = true;
  for (char c : value) plain = plain && c >= 0x20 && c < 0x7F && c != '\\';
  if (plain) check(out == value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pipeline;
  const std::string text(reinterpret_cast<const char*>(data), size);
  check_log_safe(text);
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
    for (const auto& field : record.fields) check_log_safe(field);
    if (!record.error.empty()) {
      check_log_safe(record.error);
      continue;
    }
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
    } else if (const auto* error = std::get_if<load::FieldError>(&person)) {
      check_log_safe(error->reason);
    }
    const auto place = load::validate_place(record, places, limits);
    if (const auto* row = std::get_if<load::PlaceRow>(&place)) {
      for (std::string_view field : {row->city, row->county, row->country}) {
        check(util::check_utf8(field).valid && !load::find_forbidden(field));
      }
    } else if (const auto* error = std::get_if<load::FieldError>(&place)) {
      check_log_safe(error->reason);
    }
  }
  check_ranges(text, options, 1 + (size > 0 ? data[size - 1] % 8 : 0), whole);
  return 0;
}
