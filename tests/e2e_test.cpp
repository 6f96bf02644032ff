// End to end: both built tools on the shipped data, against the real server.
#include <gtest/gtest.h>

#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

TEST(EndToEndTest, ShippedDataGivesTheSampleSummaryByteForByte) {
  TestDatabase db("e2e");
  TempDir tmp;
  const auto load = run_dataloader(db, tmp, {"--places", shipped("places.csv"), "--people", shipped("people.csv")});
  ASSERT_EQ(load.exit_code, 0) << describe(load);
  const auto summary = run_datasummarizer(db, tmp, {"--output", (tmp / "summary_output.json").string()});
  ASSERT_EQ(summary.exit_code, 0) << describe(summary);
  EXPECT_EQ(read_file(tmp / "summary_output.json"), read_file(shipped("sample_output.json")));
}

TEST(EndToEndTest, DefaultPathsWorkFromTheRepositoryRoot) {
  // The tools' defaults (data/places.csv, data/people.csv, logs/, data/summary_output.json)
  // are relative to the working directory; run them from a copy of the repository's layout.
  TestDatabase db("e2e");
  TempDir tmp;
  std::filesystem::create_directories(tmp / "data");
  for (const char* name : {"places.csv", "people.csv"}) {
    std::filesystem::copy_file(shipped(name), tmp / "data" / name);
  }
  auto env = db.env();
  const std::string script = "cd '" + tmp.path().string() + "' && '" + dataloader_path() + "' --progress never && '" +
                             datasummarizer_path() + "'";
  const auto result = run({"/bin/sh", "-c", script}, env);
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(read_file(tmp / "data" / "summary_output.json"), read_file(shipped("sample_output.json")));
  EXPECT_TRUE(std::filesystem::exists(tmp / "logs" / "dataloader.log"));
  EXPECT_TRUE(std::filesystem::exists(tmp / "logs" / "datasummarizer.log"));
}

}  // namespace
}  // namespace pipeline::testing
