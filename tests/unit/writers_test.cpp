#include "pipeline/report/writers.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "pipeline/csv/reader.hpp"
#include "pipeline/error.hpp"

namespace pipeline::report {
namespace {

const ReportSpec kKeyCount{
    "k", "", "", Shape::kKeyCount, {{"country", ColumnType::kText}, {"people", ColumnType::kCount}}};
const ReportSpec kRows{"r",
                       "",
                       "",
                       Shape::kRows,
                       {{"name", ColumnType::kText}, {"country", ColumnType::kText}, {"people", ColumnType::kCount}}};

std::string json(const ReportSpec& spec, const std::vector<Row>& rows) {
  std::ostringstream out;
  write_json(out, spec, rows);
  return out.str();
}

std::string csv(const ReportSpec& spec, const std::vector<Row>& rows) {
  std::ostringstream out;
  write_csv(out, spec, rows);
  return out.str();
}

TEST(JsonWriterTest, KeyCountIsOneCompactObjectInRowOrder) {
  EXPECT_EQ(json(kKeyCount, {{"Scotland", "8048"}, {"Northern Ireland", "1952"}}),
            R"({"Scotland":8048,"Northern Ireland":1952})");
}

TEST(JsonWriterTest, OtherReportsAreArraysWithDeclaredKeyOrder) {
  EXPECT_EQ(json(kRows, {{"Kelso", "Scotland", "3"}, {"Annan", "Scotland", "1"}}),
            R"([{"name":"Kelso","country":"Scotland","people":3},{"name":"Annan","country":"Scotland","people":1}])");
}

TEST(JsonWriterTest, EmptyResultsAreValidEmptyDocuments) {
  EXPECT_EQ(json(kKeyCount, {}), "{}");
  EXPECT_EQ(json(kRows, {}), "[]");
}

TEST(JsonWriterTest, AnyTextGivesValidJsonAndRoundTrips) {
  const std::vector<std::string> names = {
      "quote \" inside", "back\\slash", "new\nline",  "tab\tand\rcr", std::string("nul\0byte", 8), "bell\a", "Γιώργος",
      "დავითი",          "李明",        "comma, too", "</script>"};
  std::vector<Row> rows;
  for (const auto& n : names) rows.push_back({n, "X", "1"});
  const std::string text = json(kRows, rows);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_NE(text.find("Γιώργος"), std::string::npos) << "UTF-8 is written as is";
  EXPECT_NE(text.find("\\u0007"), std::string::npos);
  const auto parsed = nlohmann::json::parse(text);
  ASSERT_EQ(parsed.size(), names.size());
  for (std::size_t i = 0; i < names.size(); ++i) EXPECT_EQ(parsed[i]["name"].get<std::string>(), names[i]);
}

TEST(JsonWriterTest, InvalidUtf8BecomesReplacementCharacter) {
  const std::string text = json(kKeyCount, {{"bad\xFF", "1"}});
  EXPECT_EQ(text, "{\"bad\xEF\xBF\xBD\":1}");
}

TEST(JsonWriterTest, NullsAreNullAndBadCountsAreErrors) {
  EXPECT_EQ(json(kRows, {{std::nullopt, "X", std::nullopt}}), R"([{"name":null,"country":"X","people":null}])");
  try {
    json(kRows, {{"a", "b", "12x"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kSoftware);
  }
}

TEST(CsvReportWriterTest, HeaderRowQuotingAndCrlf) {
  EXPECT_EQ(csv(kRows, {{"O'Neil, \"Jr\"", "Scotland", "2"}, {"Two\nlines", std::nullopt, "1"}}),
            "name,country,people\r\n\"O'Neil, \"\"Jr\"\"\",Scotland,2\r\n\"Two\nlines\",,1\r\n");
  EXPECT_EQ(csv(kRows, {}), "name,country,people\r\n");
}

TEST(CsvReportWriterTest, RoundTripsThroughAnRfc4180Reader) {
  const std::vector<std::string> names = {"a,b", "\"q\"", "x\r\ny", "李明", "plain"};
  std::vector<Row> rows;
  for (const auto& n : names) rows.push_back({n, "C", "5"});
  std::istringstream in(csv(kRows, rows));
  csv::Reader reader(in);
  csv::Record record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(std::vector<std::string>(record.fields.begin(), record.fields.end()),
            (std::vector<std::string>{"name", "country", "people"}));
  for (const auto& n : names) {
    ASSERT_TRUE(reader.next(record));
    ASSERT_EQ(record.error, "");
    EXPECT_EQ(record.fields.at(0), n);
  }
  EXPECT_FALSE(reader.next(record));
}

}  // namespace
}  // namespace pipeline::report
