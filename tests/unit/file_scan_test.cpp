#include "pipeline/load/file_scan.hpp"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "pipeline/csv/reader.hpp"
#include "pipeline/util/sha256.hpp"

namespace pipeline::load {
namespace {

struct Read {
  std::size_t line;
  std::vector<std::string> fields;
  std::string error;
  bool operator==(const Read&) const = default;
};

std::vector<Read> read(const std::string& text, csv::ReaderOptions options, bool skip_header) {
  std::istringstream in(text);
  csv::Reader reader(in, options);
  csv::Record record;
  std::vector<Read> out;
  while (reader.next(record)) {
    if (skip_header) {
      skip_header = false;
      continue;
    }
    out.push_back({record.line, {record.fields.begin(), record.fields.end()}, record.error});
  }
  return out;
}

// Reading the ranges one after another must give exactly the records of
// reading the whole file: none split, lost or read twice, same line numbers.
void expect_ranges_match(const std::string& text) {
  const auto whole = read(text, {}, true);
  for (std::size_t parts = 1; parts <= 7; ++parts) {
    SCOPED_TRACE("parts " + std::to_string(parts));
    std::istringstream in(text);
    const FileScan scan = scan_file(in, parts);
    ASSERT_EQ(scan.ranges.size(), parts);
    EXPECT_EQ(scan.size, text.size());
    EXPECT_EQ(scan.ranges.front().begin, scan.header_end);
    EXPECT_EQ(scan.ranges.back().end, text.size());
    std::vector<Read> joined;
    for (std::size_t k = 0; k < parts; ++k) {
      const ByteRange& r = scan.ranges[k];
      if (k > 0) {
        EXPECT_EQ(r.begin, scan.ranges[k - 1].end);
      }
      ASSERT_LE(r.begin, r.end);
      csv::ReaderOptions options;
      options.first_line = r.first_line;
      options.skip_bom = false;
      const auto part = read(text.substr(r.begin, r.end - r.begin), options, false);
      joined.insert(joined.end(), part.begin(), part.end());
    }
    EXPECT_EQ(joined, whole);
  }
}

TEST(FileScanTest, HandWrittenCases) {
  const std::string h = "a,b\n";
  for (const std::string& text : std::vector<std::string>{
           "",
           "a,b",
           h,
           h + "1,2\n3,4\n5,6\n7,8\n",
           h + "1,2\n3,4",
           "\xEF\xBB\xBF" + h + "1,2\r\n3,4\r\n",
           "\"a\nb\",c\n1,\"x\ny\nz\"\n2,3\n\"q\"\"\n\",4\n5,6\n",
           h + "1,ab\"c\n2,3\n4,5\n6,7\n",      // a stray quote inside a field
           h + "1,\"unterminated\n2,3\n4,5\n",  // an unterminated quote at the end
           h + "\n\n1,2\n\n3,4\n\n",
       }) {
    SCOPED_TRACE(text);
    expect_ranges_match(text);
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
    expect_ranges_match(text);
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
