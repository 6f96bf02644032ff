// The corpus of broken and hostile input (tests/data/bad/): for each file,
// the documented exit code, a message naming file, line and reason, the
// database unchanged (CHECKSUM TABLE) when the file is refused, and no crash
// or hang.
#include <gtest/gtest.h>

#include <ostream>
#include <string_view>

#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

struct Case {
  const char* file;  // in tests/data/bad/; names starting "places_" are places files
  int exit_code;
  // Substrings stderr must contain; "{file}" stands for the file's path.
  std::vector<std::string> messages;
  // For files that load: the people rows expected afterwards.
  int people = -1;
};

// Names the case in test output, instead of gtest's dump of its bytes.
void PrintTo(const Case& c, std::ostream* out) { *out << c.file; }

std::string bad(const std::string& name) { return (source_dir() / "tests" / "data" / "bad" / name).string(); }

std::string expand(std::string text, const std::string& path) {
  const std::string key = "{file}";
  for (auto at = text.find(key); at != std::string::npos; at = text.find(key)) text.replace(at, key.size(), path);
  return text;
}

class BadInputTest : public ::testing::TestWithParam<Case> {};

TEST_P(BadInputTest, IsHandledAsDocumented) {
  const Case& c = GetParam();
  TestDatabase db("bad");
  TempDir tmp;
  const auto baseline = run_dataloader(db, tmp, {"--places", shipped("places.csv"), "--people", shipped("people.csv")});
  ASSERT_EQ(baseline.exit_code, 0) << describe(baseline);
  const auto before = std::make_pair(db.checksum("people"), db.checksum("places"));

  const std::string path = bad(c.file);
  const bool places_file = std::string(c.file).rfind("places_", 0) == 0;
  const auto result = run_dataloader(
      db, tmp,
      {"--places", places_file ? path : shipped("places.csv"), "--people", places_file ? shipped("people.csv") : path});

  EXPECT_EQ(result.exit_code, c.exit_code) << describe(result);
  EXPECT_LT(result.exit_code, 128) << "killed by a signal";
  for (const std::string& message : c.messages) {
    EXPECT_NE(result.err.find(expand(message, path)), std::string::npos) << "missing: " << expand(message, path) << "\n"
                                                                         << result.err;
  }
  if (c.exit_code != 0) {
    EXPECT_EQ(std::make_pair(db.checksum("people"), db.checksum("places")), before) << "the database changed";
  } else {
    EXPECT_EQ(db.count("people"), static_cast<std::uint64_t>(c.people));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Corpus, BadInputTest,
    ::testing::Values(
        // Files
        Case{"empty.csv", 65, {"{file}:1: the file is empty: it needs at least the header line"}},
        Case{"header_only.csv", 65, {"{file} has no data rows: replacing would empty the people table"}},
        Case{"wrong_header.csv",
             65,
             {"{file}:1: bad header: missing column 'given_name'", "unexpected column 'surname'"}},
        Case{"duplicated_header.csv", 65, {"{file}:1: bad header: column 2 repeats 'given_name'"}},
        Case{"misordered_header.csv", 0, {}, 3}, Case{"quoted_header.csv", 0, {}, 3},
        Case{"trailing_comma_header.csv", 65, {"{file}:1: bad header: unexpected column ''"}},
        Case{"nul_bytes.csv", 65, {"rejected {file}:3: given_name: contains a NUL byte"}},
        Case{"binary_garbage.csv", 65, {"{file}:1: bad header"}},
        Case{"html_error_page.csv", 65, {"{file}:1: bad header: missing column 'given_name'"}},
        Case{"utf16.csv", 65, {"{file}:1: bad header", "UTF-16 byte order mark: save it as UTF-8"}},
        Case{"semicolon_separated.csv", 65, {"{file}:1: bad header", "separated by ';'"}},
        Case{"cr_only_line_endings.csv", 65, {"{file}:1: bad header: bare carriage return", "CR-only line endings"}},
        // Lines and fields
        Case{"missing_fields.csv", 65, {"rejected {file}:3: (record): has 3 fields; the header has 4"}},
        Case{"extra_fields.csv", 65, {"rejected {file}:3: (record): has 5 fields; the header has 4"}},
        Case{"unterminated_quote.csv", 65, {"rejected {file}:3: (record): unterminated"}}, Case{"crlf.csv", 0, {}, 3},
        Case{"bom.csv", 0, {}, 3}, Case{"trailing_blank_lines.csv", 0, {}, 3}, Case{"no_final_newline.csv", 0, {}, 3},
        Case{"whitespace_padded.csv", 65, {"rejected {file}:3: family_name: has leading or trailing whitespace"}},
        Case{"control_characters.csv", 65, {"rejected {file}:3: given_name: contains the control character U+001B"}},
        Case{"c1_controls.csv",
             65,
             {"rejected {file}:3: family_name: contains the C1 control character U+0092",
              "rejected {file}:4: given_name: contains the C1 control character U+0085",
              "rejected {file}:5: place_of_birth: contains the C1 control character U+009B"}},
        Case{"bidi_controls.csv",
             65,
             {"rejected {file}:3: given_name: contains the bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE)",
              "rejected {file}:4: family_name: contains the bidirectional control U+2066 (LEFT-TO-RIGHT ISOLATE)",
              "rejected {file}:5: family_name: contains the bidirectional control U+200F (RIGHT-TO-LEFT MARK)",
              "rejected {file}:6: family_name: contains the bidirectional control U+061C (ARABIC LETTER MARK)",
              "rejected {file}:7: place_of_birth: contains the byte order mark U+FEFF"}},
        Case{"places_invisible_characters.csv",
             65,
             {"rejected {file}:4: city: contains the bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE)",
              "rejected {file}:5: county: contains the C1 control character U+0085",
              "rejected {file}:7: country: contains the bidirectional control U+2067 (RIGHT-TO-LEFT ISOLATE)"}},
        // Values
        Case{"invalid_utf8.csv", 65, {"rejected {file}:3: given_name: is not valid UTF-8 (bad byte 0xF0 at byte 3)"}},
        Case{"overlong_utf8.csv", 65, {"rejected {file}:3: family_name: is not valid UTF-8"}},
        Case{"invalid_dates.csv",
             65,
             {"rejected {file}:2: date_of_birth: '1900-02-29': day 29 does not exist in February 1900",
              "rejected {file}:3: date_of_birth: '2023-13-01': month 13 does not exist",
              "rejected {file}:4: date_of_birth: '31/12/1990': not an ISO date (YYYY-MM-DD)"}},
        Case{"future_date.csv", 65, {"rejected {file}:3: date_of_birth: 2999-01-01 is in the future"}},
        Case{"long_name.csv",
             65,
             {"rejected {file}:3: given_name: is 101 characters long; the column holds at most 100"}},
        // References
        Case{"unknown_place.csv", 65, {"rejected {file}:3: place_of_birth: 'Atlantis' is not a city in places.csv"}},
        Case{"places_duplicate_city.csv", 65, {"rejected {file}:4: city: 'Kelso' is listed twice: first at line 2"}},
        Case{"places_missing_country.csv", 65, {"rejected {file}:3: (record): has 2 fields; the header has 3"}}),
    [](const ::testing::TestParamInfo<Case>& p) {
      std::string name = p.param.file;
      name = name.substr(0, name.find('.'));
      return name;
    });

// Whether `text` holds one of the invisible characters of the corpus files
// above, byte for byte: C1 controls (C2 80..C2 9F), the Bidi_Control set and
// U+FEFF. Written out here rather than asked of the loader's own rule.
bool holds_invisible(std::string_view text) {
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    const auto b1 = static_cast<unsigned char>(text[i + 1]);
    if (b0 == 0xC2 && b1 >= 0x80 && b1 <= 0x9F) return true;
    if (b0 == 0xD8 && b1 == 0x9C) return true;  // U+061C
  }
  for (const char* sequence : {"\u200E", "\u200F", "\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067",
                               "\u2068", "\u2069", "\uFEFF"}) {
    if (text.find(sequence) != std::string_view::npos) return true;
  }
  return false;
}

// Rows holding invisible characters are rejected, the reject naming the code
// point, while the rest of both files loads; no such character reaches a table.
TEST(BadInputTest, InvisibleCharactersAreRejectedByCodePointAndTheRestLoads) {
  struct File {
    const char* people;
    std::vector<std::string> rejects;  // "line,field,reason" in the rejects CSV
    std::uint64_t loaded;
  };
  const std::vector<std::string> place_rejects = {
      ",4,city,contains the bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE),",
      ",5,county,contains the C1 control character U+0085,",
      ",7,country,contains the bidirectional control U+2067 (RIGHT-TO-LEFT ISOLATE),"};
  const File files[] = {
      {"c1_controls.csv",
       {",3,family_name,contains the C1 control character U+0092,",
        ",4,given_name,contains the C1 control character U+0085,",
        ",5,place_of_birth,contains the C1 control character U+009B,"},
       3},
      {"bidi_controls.csv",
       {",3,given_name,contains the bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE),",
        ",4,family_name,contains the bidirectional control U+2066 (LEFT-TO-RIGHT ISOLATE),",
        ",5,family_name,contains the bidirectional control U+200F (RIGHT-TO-LEFT MARK),",
        ",6,family_name,contains the bidirectional control U+061C (ARABIC LETTER MARK),",
        ",7,place_of_birth,contains the byte order mark U+FEFF (ZERO WIDTH NO-BREAK SPACE),"},
       3},
  };
  const std::string places = bad("places_invisible_characters.csv");
  for (const File& f : files) {
    SCOPED_TRACE(f.people);
    TestDatabase db("bad");
    TempDir tmp;
    const std::string people = bad(f.people);
    const std::string rejects = (tmp / "rejects.csv").string();
    const auto result =
        run_dataloader(db, tmp, {"--places", places, "--people", people, "--max-rejects", "10", "--rejects", rejects});
    ASSERT_EQ(result.exit_code, 0) << describe(result);
    const std::string listed = read_file(rejects);
    for (const std::string& line : place_rejects) {
      EXPECT_NE(listed.find(places + line), std::string::npos) << "missing: " << places + line << "\n" << listed;
    }
    for (const std::string& line : f.rejects) {
      EXPECT_NE(listed.find(people + line), std::string::npos) << "missing: " << people + line << "\n" << listed;
    }
    EXPECT_EQ(db.count("places"), 3u);  // Kelso, Annan, Łódź
    EXPECT_EQ(db.count("people"), f.loaded);
    const auto stored = db.session().query(
        "SELECT CONCAT_WS('|', given_name, family_name, city, county, country) FROM people "
        "JOIN places ON places.id = people.place_of_birth_id "
        "UNION ALL SELECT CONCAT_WS('|', city, county, country) FROM places");
    for (const auto& row : stored.rows) {
      ASSERT_TRUE(row.at(0).has_value());
      EXPECT_FALSE(holds_invisible(*row.at(0))) << *row.at(0);
    }
  }
}

TEST(BadInputTest, TenMegabyteLineIsRejectedAndTheRestLoads) {
  TestDatabase db("bad");
  TempDir tmp;
  const std::string line(10 * 1024 * 1024, 'x');
  write_file(tmp / "people.csv",
             "given_name,family_name,date_of_birth,place_of_birth\n"
             "Ann,Smith,1990-01-01,Kelso\n" +
                 line + "\nBob,Jones,1985-05-05,Annan\n");
  const std::string path = (tmp / "people.csv").string();
  const auto result =
      run_dataloader(db, tmp, {"--places", shipped("places.csv"), "--people", path, "--max-rejects", "1"});
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_NE(result.err.find("rejected " + path + ":3: (record): line is longer than 65536 bytes"), std::string::npos)
      << result.err;
  EXPECT_EQ(db.count("people"), 2u);
  // The rejects file shows the start of the line, not 10 MB of it.
  const auto run_id = db.session().query_value("SELECT run_id FROM load_runs ORDER BY id DESC LIMIT 1").value();
  EXPECT_LT(std::filesystem::file_size(tmp / "logs" / ("rejects-" + run_id + ".csv")), 4096u);
}

}  // namespace
}  // namespace pipeline::testing
