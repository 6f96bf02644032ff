#include "pipeline/csv/reader.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace pipeline::csv {
namespace {

// What one call to next() should produce: either fields, or an error whose
// reason contains `error`.
struct Expected {
  std::size_t line;
  std::vector<std::string> fields;
  std::string error;
  std::string raw;
};

struct Case {
  const char* name;
  std::string input;
  std::vector<Expected> records;
  ReaderOptions options{};
};

std::vector<Expected> read_all(const std::string& input, ReaderOptions options) {
  std::istringstream in(input);
  Reader reader(in, options);
  std::vector<Expected> out;
  Record record;
  while (reader.next(record)) {
    out.push_back({record.line, std::vector<std::string>(record.fields.begin(), record.fields.end()), record.error,
                   record.raw_text()});
  }
  return out;
}

class ReaderTest : public testing::TestWithParam<Case> {};

TEST_P(ReaderTest, ReadsRecords) {
  const Case& c = GetParam();
  const std::vector<Expected> got = read_all(c.input, c.options);
  ASSERT_EQ(got.size(), c.records.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i));
    EXPECT_EQ(got[i].line, c.records[i].line);
    EXPECT_EQ(got[i].fields, c.records[i].fields);
    if (c.records[i].error.empty()) {
      EXPECT_EQ(got[i].error, "");
    } else {
      EXPECT_NE(got[i].error.find(c.records[i].error), std::string::npos) << got[i].error;
    }
    if (!c.records[i].raw.empty()) {
      EXPECT_EQ(got[i].raw, c.records[i].raw);
    }
  }
}

const std::string kLongLine(200, 'x');

INSTANTIATE_TEST_SUITE_P(
    Table, ReaderTest,
    testing::Values(Case{"empty_input", "", {}}, Case{"header_only", "a,b\n", {{1, {"a", "b"}, "", "a,b"}}},
                    Case{"lf", "a,b\nc,d\n", {{1, {"a", "b"}, "", ""}, {2, {"c", "d"}, "", "c,d"}}},
                    Case{"crlf", "a,b\r\nc,d\r\n", {{1, {"a", "b"}, "", "a,b"}, {2, {"c", "d"}, "", "c,d"}}},
                    Case{"no_final_newline", "a,b\nc,d", {{1, {"a", "b"}, "", ""}, {2, {"c", "d"}, "", "c,d"}}},
                    Case{"bom_skipped",
                         "\xEF\xBB\xBF"
                         "a,b\n",
                         {{1, {"a", "b"}, "", "a,b"}}},
                    Case{"empty_fields", ",,\n", {{1, {"", "", ""}, "", ""}}},
                    Case{"spaces_kept", " a , b \n", {{1, {" a ", " b "}, "", ""}}},
                    Case{"tab_kept", "a\t,b\n", {{1, {"a\t", "b"}, "", ""}}},
                    Case{"quoted_comma", "\"a,b\",c\n", {{1, {"a,b", "c"}, "", ""}}},
                    Case{"doubled_quote", "\"say \"\"hi\"\"\",c\n", {{1, {"say \"hi\"", "c"}, "", ""}}},
                    Case{"quoted_newline",
                         "\"line1\nline2\",x\nnext,y\n",
                         {{1, {"line1\nline2", "x"}, "", "\"line1\nline2\",x"}, {3, {"next", "y"}, "", ""}}},
                    Case{"quoted_crlf_kept", "\"a\r\nb\",c\r\n", {{1, {"a\r\nb", "c"}, "", ""}}},
                    Case{"quoted_empty", "\"\",x\n", {{1, {"", "x"}, "", ""}}},
                    Case{"blank_lines_skipped", "a\n\n\r\nb\n\n\n", {{1, {"a"}, "", ""}, {4, {"b"}, "", ""}}},
                    Case{"utf8_passes_through", "\xCE\x93,\xE6\x9D\x8E\n", {{1, {"\xCE\x93", "\xE6\x9D\x8E"}, "", ""}}},
                    Case{"nul_byte_is_data", std::string("a\0b,c\n", 6), {{1, {std::string("a\0b", 3), "c"}, "", ""}}},
                    Case{"quote_inside_unquoted",
                         "ab\"c,d\nok,1\n",
                         {{1, {}, "malformed quoting", "ab\"c,d"}, {2, {"ok", "1"}, "", ""}}},
                    Case{"text_after_closing_quote",
                         "\"ab\"c,d\nok,1\n",
                         {{1, {}, "malformed quoting", ""}, {2, {"ok", "1"}, "", ""}}},
                    Case{"unterminated_quote_at_eof",
                         "ok,0\n\"abc,d\nok,1\nok,2\n",
                         {{1, {"ok", "0"}, "", ""},
                          {2, {}, "unterminated quoted field", "\"abc,d"},
                          {3, {"ok", "1"}, "", ""},
                          {4, {"ok", "2"}, "", ""}}},
                    Case{"unterminated_quote_then_quote_later",
                         "\"abc,d\nok,1\n\"x\",y\n",
                         {{1, {}, "unterminated or malformed", ""}, {2, {"ok", "1"}, "", ""}, {3, {"x", "y"}, "", ""}}},
                    Case{"unterminated_quote_line_limit",
                         "\"abc\nb\nc\nd\n",
                         {{1, {}, "no closing quote within 2 lines", ""},
                          {2, {"b"}, "", ""},
                          {3, {"c"}, "", ""},
                          {4, {"d"}, "", ""}},
                         ReaderOptions{64 * 1024, 2}},
                    Case{"bare_cr", "a\rb,c\nok\n", {{1, {}, "bare carriage return", ""}, {2, {"ok"}, "", ""}}},
                    Case{"overlong_line",
                         "ok,0\n" + kLongLine + "\nok,1\n",
                         {{1, {"ok", "0"}, "", ""}, {2, {}, "longer than 100 bytes", ""}, {3, {"ok", "1"}, "", ""}},
                         ReaderOptions{100, 64}},
                    Case{"overlong_last_line_without_newline",
                         "ok,0\n" + kLongLine,
                         {{1, {"ok", "0"}, "", ""}, {2, {}, "longer than 100 bytes", ""}},
                         ReaderOptions{100, 64}}),
    [](const testing::TestParamInfo<Case>& p) { return p.param.name; });

TEST(ReaderTest, OverlongLineLongerThanTheReadBufferIsSkippedWholly) {
  // 10 MB on one line, far past any buffer, then a good line.
  std::string input = "a,b\n" + std::string(10 * 1024 * 1024, 'z') + "\nc,d\n";
  const auto records = read_all(input, ReaderOptions{});
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].line, 2u);
  EXPECT_NE(records[1].error.find("longer than 65536 bytes"), std::string::npos);
  EXPECT_EQ(records[1].raw.size(), kMaxRawBytes + 3);  // cut, then "..."
  EXPECT_EQ(records[1].raw.substr(0, 3), "zzz");
  EXPECT_EQ(records[2].fields, (std::vector<std::string>{"c", "d"}));
  EXPECT_EQ(records[2].line, 3u);
}

TEST(ReaderTest, ReportsBomAndBytes) {
  std::istringstream in(
      "\xEF\xBB\xBF"
      "a\n");
  Reader reader(in);
  Record record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_TRUE(reader.had_bom());
  EXPECT_EQ(reader.bytes_read(), 5u);
}

TEST(ReaderTest, RecordsSpanningTheReadBufferBoundary) {
  // Many records, so that lines straddle the 64 KiB read chunks.
  std::string input;
  for (int i = 0; i < 20000; ++i) input += "name" + std::to_string(i) + ",\"q,\"\"" + std::to_string(i) + "\"\n";
  std::istringstream in(input);
  Reader reader(in);
  Record record;
  int count = 0;
  while (reader.next(record)) {
    ASSERT_EQ(record.error, "");
    ASSERT_EQ(record.fields.size(), 2u);
    ASSERT_EQ(record.fields[0], "name" + std::to_string(count));
    ASSERT_EQ(record.fields[1], "q,\"" + std::to_string(count));
    ASSERT_EQ(record.line, static_cast<std::size_t>(count + 1));
    ++count;
  }
  EXPECT_EQ(count, 20000);
}

// Where each record starts: its line, its offset, and whether it is an error.
struct Start {
  std::size_t line;
  std::uint64_t offset;
  bool error;
  bool operator==(const Start&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Start& s) {
  return out << "{line " << s.line << ", offset " << s.offset << (s.error ? ", error}" : "}");
}

std::vector<Start> starts(const std::string& input, ReaderOptions options) {
  std::istringstream in(input);
  Reader reader(in, options);
  std::vector<Start> out;
  Record record;
  while (reader.next(record)) out.push_back({record.line, record.offset, !record.error.empty()});
  return out;
}

TEST(ReaderTest, RecordOffsetIsTheFirstByteOfItsFirstLine) {
  const std::string input =
      "\xEF\xBB\xBF"
      "a,b\r\n"       // 3: after the byte order mark, which counts
      "\n"            // 8: blank, skipped
      "\"x\ny\",z\n"  // 9: two lines
      "ab\"c\n"       // 17: malformed quoting
      "\"open\n"      // 22: never closed
      "1,2\n"         // 28: read again after the bad quote
      "3\n";          // 32
  EXPECT_EQ(
      starts(input, {}),
      (std::vector<Start>{{1, 3, false}, {3, 9, false}, {5, 17, true}, {6, 22, true}, {7, 28, false}, {8, 32, false}}));
}

TEST(ReaderTest, RecordOffsetsAroundOverlongLinesAndLineLimits) {
  const std::string longer(30, 'x');
  const std::string input = "ok\n"                 // 0
                            + longer + "\n"        // 3: over-long
                            + "\"q\n"              // 34: quote still open when the next line is over-long
                            + longer + "\n"        // 37: over-long, read again
                            + "\"a\nb\nc\nd\ne\n"  // 68: no closing quote within 2 lines
                            + "f";                 // 79: no final line break
  EXPECT_EQ(starts(input, ReaderOptions{20, 2}), (std::vector<Start>{{1, 0, false},
                                                                     {2, 3, true},
                                                                     {3, 34, true},
                                                                     {4, 37, true},
                                                                     {5, 68, true},
                                                                     {6, 71, false},
                                                                     {7, 73, false},
                                                                     {8, 75, false},
                                                                     {9, 77, false},
                                                                     {10, 79, false}}));
}

TEST(ReaderTest, EndOffsetStopsBeforeTheFirstRecordStartingAtOrPastIt) {
  // Offsets: "a,1" 0, "\"b" 4, "c\",2" 7 (the same record as line 2), "d,3" 12.
  const std::string input = "a,1\n\"b\nc\",2\nd,3\n";
  struct EndCase {
    std::uint64_t end_offset;
    std::vector<Start> records;
  };
  for (const EndCase& c : std::vector<EndCase>{
           {0, {}},
           {1, {{1, 0, false}}},
           {4, {{1, 0, false}}},
           {5, {{1, 0, false}, {2, 4, false}}},   // ends inside a record that began before: read whole
           {12, {{1, 0, false}, {2, 4, false}}},  // a record starting exactly at the end is not
           {13, {{1, 0, false}, {2, 4, false}, {4, 12, false}}},
           {1000, {{1, 0, false}, {2, 4, false}, {4, 12, false}}},
       }) {
    SCOPED_TRACE("end_offset " + std::to_string(c.end_offset));
    EXPECT_EQ(starts(input, ReaderOptions{.end_offset = c.end_offset}), c.records);
  }
}

TEST(ReaderTest, EndOffsetReturnsTheWholeRecordThatStartsBeforeIt) {
  std::istringstream in("\"b\nc\",2\nd,3\n");
  Reader reader(in, ReaderOptions{.end_offset = 1});
  Record record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.error, "");
  EXPECT_EQ(record.fields, (std::vector<std::string_view>{"b\nc", "2"}));
  EXPECT_EQ(record.raw_text(), "\"b\nc\",2");
  EXPECT_FALSE(reader.next(record));
  EXPECT_FALSE(reader.next(record));  // and stays at the end
}

TEST(ReaderTest, EndOffsetReadsOnToDecideAboutAQuoteThatNeverCloses) {
  // The quote opens before the end; only lines past it show that it never
  // closes, and the error must read as in the whole file's reading.
  const std::string input = "\"open\n1\n2\n3\n";
  const auto whole = read_all(input, ReaderOptions{.max_record_lines = 2});
  ASSERT_EQ(whole.size(), 4u);
  const auto part = read_all(input, ReaderOptions{.max_record_lines = 2, .end_offset = 6});
  ASSERT_EQ(part.size(), 1u);
  EXPECT_EQ(part[0].line, whole[0].line);
  EXPECT_EQ(part[0].error, whole[0].error);
  EXPECT_NE(part[0].error.find("within 2 lines"), std::string::npos) << part[0].error;
  EXPECT_EQ(part[0].raw, whole[0].raw);
}

TEST(ReaderTest, EndOffsetSkipsBlankLinesAsUsual) {
  // "a" 0, blank lines 2 and 3, "b" 4.
  const std::string input = "a\n\n\nb\n";
  EXPECT_EQ(starts(input, ReaderOptions{.end_offset = 2}), (std::vector<Start>{{1, 0, false}}));
  EXPECT_EQ(starts(input, ReaderOptions{.end_offset = 4}), (std::vector<Start>{{1, 0, false}}));
  EXPECT_EQ(starts(input, ReaderOptions{.end_offset = 5}), (std::vector<Start>{{1, 0, false}, {4, 4, false}}));
}

TEST(ReaderTest, EndOffsetCountsTheByteOrderMark) {
  const std::string input =
      "\xEF\xBB\xBF"
      "a\nb\n";
  EXPECT_EQ(starts(input, ReaderOptions{.end_offset = 3}), (std::vector<Start>{}));
  EXPECT_EQ(starts(input, ReaderOptions{.end_offset = 4}), (std::vector<Start>{{1, 3, false}}));
}

}  // namespace
}  // namespace pipeline::csv
