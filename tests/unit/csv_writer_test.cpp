#include "pipeline/csv/writer.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "pipeline/csv/reader.hpp"

namespace pipeline::csv {
namespace {

TEST(CsvWriterTest, QuotesOnlyWhereNeeded) {
  std::ostringstream out;
  write_record(out, {"plain", "with,comma", "with \"quote\"", "two\nlines", "cr\rhere", "", "Γιώργος"});
  EXPECT_EQ(out.str(), "plain,\"with,comma\",\"with \"\"quote\"\"\",\"two\nlines\",\"cr\rhere\",,Γιώργος\r\n");
}

TEST(CsvWriterTest, RoundTripsThroughTheReader) {
  const std::vector<std::string> fields = {"a,b", "\"", "x\r\ny", "  spaced  ", "李明", ""};
  std::ostringstream out;
  write_record(out, fields);
  write_record(out, fields);
  std::istringstream in(out.str());
  Reader reader(in);
  Record record;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(reader.next(record));
    EXPECT_EQ(record.error, "");
    EXPECT_EQ(std::vector<std::string>(record.fields.begin(), record.fields.end()), fields);
  }
  EXPECT_FALSE(reader.next(record));
}

}  // namespace
}  // namespace pipeline::csv
