#include "pipeline/load/file_scan.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <set>
#include <sstream>

#include "pipeline/csv/reader.hpp"
#include "pipeline/util/sha256.hpp"

namespace pipeline::load {
namespace {

// Everything a reader says about one record.
struct Read {
  std::size_t line;
  std::uint64_t offset;  // in the whole file
  std::vector<std::string> fields;
  std::string error;
  std::string raw;
  bool operator==(const Read&) const = default;
};

// The input with its control bytes spelled out, to paste back into a test.
std::string escaped(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(c));
          out += hex;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string describe(const Read& r) {
  std::string out = "{line " + std::to_string(r.line) + ", offset " + std::to_string(r.offset) + ", fields [";
  for (const std::string& f : r.fields) out += "\"" + escaped(f) + "\" ";
  return out + "], error \"" + r.error + "\", raw \"" + escaped(r.raw) + "\"}";
}

// Reads `in` to the end; `base` is where the stream starts in the file.
std::vector<Read> read_stream(std::istream& in, const csv::ReaderOptions& options, std::uint64_t base) {
  csv::Reader reader(in, options);
  csv::Record record;
  std::vector<Read> out;
  while (reader.next(record)) {
    out.push_back({record.line,
                   base + record.offset,
                   {record.fields.begin(), record.fields.end()},
                   record.error,
                   record.raw_text()});
  }
  return out;
}

// The whole file's records after the header, as one reader sees them.
std::vector<Read> read_whole(const std::string& text, const csv::ReaderOptions& limits) {
  std::istringstream in(text);
  auto records = read_stream(in, limits, 0);
  if (!records.empty()) records.erase(records.begin());
  return records;
}

// One range read as a job reads it: from its begin to the end of the file,
// stopping at its end.
std::vector<Read> read_range(const std::string& text, const ByteRange& range, const csv::ReaderOptions& limits) {
  std::istringstream in(text.substr(range.begin));
  return read_stream(in, range_reader_options(range, limits), range.begin);
}

// Empty when reading the ranges of a `parts` split one after another gives
// exactly the records of reading the whole file (none split, lost or read
// twice; the same lines, offsets, fields, errors and raw text); else what
// differs.
std::string check_ranges(const std::string& text, std::size_t parts, const csv::ReaderOptions& limits,
                         std::uint64_t sample_bytes, const std::vector<Read>& whole) {
  std::istringstream in(text);
  const FileScan scan = scan_file(in, parts, limits, sample_bytes);
  if (scan.ranges.size() != parts) return "wrong number of ranges";
  if (scan.size != text.size()) return "wrong size";
  if (scan.ranges.front().begin != scan.header_end) return "the first range does not start at header_end";
  if (scan.ranges.back().end != text.size()) return "the last range does not end at the end";
  std::set<std::uint64_t> starts{scan.header_end, text.size()};
  for (const Read& r : whole) starts.insert(r.offset);
  std::vector<Read> joined;
  for (std::size_t k = 0; k < parts; ++k) {
    const ByteRange& r = scan.ranges[k];
    const std::string where = "range " + std::to_string(k) + " [" + std::to_string(r.begin) + ", " +
                              std::to_string(r.end) + ") line " + std::to_string(r.first_line);
    if (k > 0 && r.begin != scan.ranges[k - 1].end) return where + " does not start where the previous one ends";
    if (r.begin > r.end) return where + " ends before it begins";
    if (starts.count(r.begin) == 0) return where + " does not start at a record start";
    const auto part = read_range(text, r, limits);
    if (!part.empty() && part.front().line != r.first_line) return where + " has the wrong first line";
    joined.insert(joined.end(), part.begin(), part.end());
  }
  for (std::size_t i = 0; i < std::max(joined.size(), whole.size()); ++i) {
    if (i >= joined.size()) return "the ranges miss record " + std::to_string(i) + ": " + describe(whole[i]);
    if (i >= whole.size()) return "the ranges have an extra record " + describe(joined[i]);
    if (joined[i] != whole[i]) {
      return "record " + std::to_string(i) + ": ranges give " + describe(joined[i]) + ", the whole file " +
             describe(whole[i]);
    }
  }
  return "";
}

// Every split from 1 to 8 parts reads as the whole file.
void expect_ranges_match(const std::string& text, const csv::ReaderOptions& limits = {},
                         std::uint64_t sample_bytes = 1) {
  const auto whole = read_whole(text, limits);
  for (std::size_t parts = 1; parts <= 8; ++parts) {
    EXPECT_EQ(check_ranges(text, parts, limits, sample_bytes, whole), "") << parts << " parts";
  }
}

TEST(FileScanTest, HandWrittenCases) {
  const std::string h = "a,b\n";
  for (const std::string& text : std::vector<std::string>{
           "", "a,b", h, h + "\n\n", h + "1,2\n3,4\n5,6\n7,8\n", h + "1,2\n3,4", "\xEF\xBB\xBF" + h + "1,2\r\n3,4\r\n",
           "\"a\nb\",c\n1,\"x\ny\nz\"\n2,3\n\"q\"\"\n\",4\n5,6\n",
           h + "1,ab\"c\n2,3\n4,5\n6,7\n",                     // a stray quote inside a field
           h + "1,\"unterminated\n2,3\n4,5\n",                 // an unterminated quote at the end
           h + "1,\"open\n2,3\n4,5\n\"six\n7\",8\n9,10\n",     // a quote opened, then a valid two-line record
           "\"head\n" + h + "1,2\n",                           // an unterminated quote in the header
           h + "\n\n1,2\n\n3,4\n\n",                           // blank lines
           h + "1,\"q\n" + std::string(100, 'x') + "\n2,3\n",  // an over-long line ends an open quote
           h + "\r\r\n1,2\n3,4\n",                             // a line of bare CRs joins the next record
       }) {
    SCOPED_TRACE(escaped(text));
    expect_ranges_match(text, csv::ReaderOptions{.max_record_bytes = 64, .max_record_lines = 3});
  }
}

TEST(FileScanTest, RandomCsvWithQuotedCommasQuotesAndLineBreaks) {
  std::mt19937 random(20261124);
  const std::vector<std::string> pieces = {
      "plain", "", "\"with,comma\"", "\"say \"\"hi\"\"\"", "\"two\nlines\"", "\"cr\r\nlf\"", "Γιώργος", "\"\"", "x y"};
  for (int file = 0; file < 40; ++file) {
    std::string text = "given_name,family_name,date_of_birth,place_of_birth\n";
    const int records = 1 + static_cast<int>(random() % 300);
    for (int r = 0; r < records; ++r) {
      for (int f = 0; f < 4; ++f) {
        if (f > 0) text += ',';
        text += pieces[random() % pieces.size()];
      }
      text += random() % 5 == 0 ? "\r\n" : "\n";
    }
    SCOPED_TRACE("file " + std::to_string(file));
    expect_ranges_match(text, {}, 256);
  }
}

// A field from the fragments a hostile or broken file is made of.
std::string random_field(std::mt19937& random) {
  const auto below = [&](unsigned n) { return static_cast<std::size_t>(random() % n); };
  switch (below(24)) {
    case 0:
      return "\"with,comma\"";
    case 1:
      return "\"say \"\"hi\"\"\"";
    case 2:
      return "\"two\nlines\"";
    case 3:
      return "\"cr\r\nlf\"";
    case 4:
      return "\"open";  // an unterminated quote
    case 5:
      return "ab\"c";  // a stray quote inside an unquoted field
    case 6:
      return "\"ab\"c";  // text after a closing quote
    case 7:
      return "a\rb";  // a bare CR
    case 8:
      return std::string(40 + below(200), 'x');  // often over max_record_bytes
    case 9:
      return "\"a\nb\nc\nd\ne\"";  // more lines than max_record_lines
    case 10:
      return "\"" + std::string(60 + below(60), 'y') + "\n" + std::string(60 + below(60), 'z') + "\"";
    case 11:
      return "\"";
    case 12:
      return "\"\"";
    case 13:
      return "Γιώργος";
    case 14:
      return "";
    default:
      return "f" + std::to_string(below(1000));
  }
}

std::string random_file(std::mt19937& random, bool large) {
  const auto below = [&](unsigned n) { return static_cast<std::size_t>(random() % n); };
  std::string text = below(10) == 0 ? "\xEF\xBB\xBF" : "";
  const std::size_t rows = large ? 3000 + below(2000) : 1 + below(40);
  for (std::size_t r = 0; r < rows; ++r) {
    if (below(12) == 0) {
      text += below(2) == 0 ? "\n" : "\r\n";  // a blank line
      continue;
    }
    const std::size_t fields = 1 + below(4);
    for (std::size_t f = 0; f < fields; ++f) {
      if (f > 0) text += ',';
      // Mostly plain fields, so that the special ones sit among good records.
      text += below(3) == 0 ? random_field(random) : "v" + std::to_string(below(100));
    }
    text += below(5) == 0 ? "\r\n" : "\n";
  }
  if (below(5) == 0) {  // no final line break
    if (!text.empty() && text.back() == '\n') text.pop_back();
    if (!text.empty() && text.back() == '\r') text.pop_back();
  }
  return text;
}

// The property behind --jobs and --shard: however the scan splits a file,
// the ranges read one after another give exactly the records of one reader
// over the whole file.
TEST(FileScanTest, RangesReadAsTheWholeFileForRandomInputs) {
  const csv::ReaderOptions limits{.max_record_bytes = 200, .max_record_lines = 4};
  constexpr unsigned kInputs = 3000;
  for (unsigned seed = 1; seed <= kInputs; ++seed) {
    std::mt19937 random(seed);
    // Every 300th input is over 64 KiB, so that lines straddle the reader's
    // read chunks at different places in the whole read and the range reads.
    const std::string text = random_file(random, seed % 300 == 0);
    const std::uint64_t sample_bytes = seed % 3 == 0 ? 64 : 1;
    const auto whole = read_whole(text, limits);
    for (std::size_t parts = 1; parts <= 8; ++parts) {
      const std::string failure = check_ranges(text, parts, limits, sample_bytes, whole);
      ASSERT_EQ(failure, "") << "seed " << seed << ", " << parts << " parts, sample_bytes " << sample_bytes
                             << ", input \"" << escaped(text) << "\"";
    }
  }
}

// The reported defect: a line with an unterminated quote a few hundred lines
// before a valid two-line record. One reader rejects only the bad line and
// stores "Ann\nMarie"; every split must do the same.
TEST(FileScanTest, UnterminatedQuoteBeforeAMultiLineRecord) {
  std::string text = "given_name,family_name,date_of_birth,place_of_birth\n";
  for (int i = 0; i < 1000; ++i) text += "Name" + std::to_string(i) + ",Family,1990-01-01,Kelso\n";
  text += "X,\"Y,1990-01-01,Kelso\n";
  for (int i = 0; i < 300; ++i) text += "Mid" + std::to_string(i) + ",Family,1990-01-01,Kelso\n";
  text += "\"Ann\nMarie\",Smith,1990-01-01,Kelso\n";
  for (int i = 0; i < 1000; ++i) text += "Last" + std::to_string(i) + ",Family,1990-01-01,Kelso\n";

  const auto whole = read_whole(text, {});
  for (std::size_t parts = 1; parts <= 8; ++parts) {
    SCOPED_TRACE(std::to_string(parts) + " parts");
    std::istringstream in(text);
    const FileScan scan = scan_file(in, parts);
    std::vector<Read> joined;
    for (const ByteRange& range : scan.ranges) {
      const auto part = read_range(text, range, {});
      joined.insert(joined.end(), part.begin(), part.end());
    }
    std::size_t errors = 0;
    std::size_t ann = 0;
    for (const Read& r : joined) {
      if (!r.error.empty()) ++errors;
      if (!r.fields.empty() && r.fields[0] == "Ann\nMarie") ++ann;
    }
    EXPECT_EQ(errors, 1u);
    EXPECT_EQ(ann, 1u);
    EXPECT_EQ(joined.size(), 2302u);
    EXPECT_TRUE(joined == whole);
  }
}

TEST(FileScanTest, RangeReaderOptionsKeepTheLimits) {
  const csv::ReaderOptions options =
      range_reader_options(ByteRange{100, 250, 7}, csv::ReaderOptions{.max_record_bytes = 10, .max_record_lines = 2});
  EXPECT_EQ(options.max_record_bytes, 10u);
  EXPECT_EQ(options.max_record_lines, 2u);
  EXPECT_EQ(options.first_line, 7u);
  EXPECT_FALSE(options.skip_bom);
  EXPECT_EQ(options.end_offset, 150u);
}

TEST(FileScanTest, HeaderEndIsWhereTheDataBegins) {
  struct HeaderCase {
    std::string text;
    std::uint64_t header_end;
    std::size_t first_line;
  };
  for (const HeaderCase& c : std::vector<HeaderCase>{
           {"", 0, 1},
           {"a,b", 3, 2},
           {"a,b\n", 4, 2},
           {"a,b\n1,2\n", 4, 2},
           {"\xEF\xBB\xBF"
            "a,b\n1,2\n",
            7, 2},
           {"\"a\nb\",c\n1,2\n", 8, 3},
           {"a,b\n\n\n1,2\n", 6, 4},  // blank lines after the header belong to no range
           {"\"a\n1,2\n", 3, 2},      // a header that is an unterminated quote: its first line only
       }) {
    SCOPED_TRACE(escaped(c.text));
    std::istringstream in(c.text);
    const FileScan scan = scan_file(in, 1);
    EXPECT_EQ(scan.header_end, c.header_end);
    EXPECT_EQ(scan.ranges.front(), (ByteRange{c.header_end, c.text.size(), c.first_line}));
  }
}

TEST(FileScanTest, FingerprintsTheWholeFile) {
  const std::string text =
      "\xEF\xBB\xBF"
      "a,b\n1,2\n";
  std::istringstream in(text);
  util::Sha256 sha;
  sha.update(text);
  EXPECT_EQ(scan_file(in, 3).sha256, sha.hex_digest());
}

TEST(FileScanTest, SplitsEvenly) {
  std::string text = "a,b\n";
  for (int i = 0; i < 200000; ++i) text += "row" + std::to_string(i) + ",x\n";
  std::istringstream in(text);
  const FileScan scan = scan_file(in, 4);
  for (const ByteRange& r : scan.ranges) {
    const double share = static_cast<double>(r.end - r.begin) / static_cast<double>(text.size());
    EXPECT_NEAR(share, 0.25, 0.01);
  }
}

}  // namespace
}  // namespace pipeline::load
