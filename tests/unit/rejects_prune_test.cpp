#include "pipeline/load/rejects_prune.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace pipeline::load {
namespace {

TEST(RejectsPruneTest, KnowsItsOwnFileNames) {
  EXPECT_TRUE(is_rejects_file_name("rejects-20261202T221500-ab12.csv"));
  EXPECT_TRUE(is_rejects_file_name("rejects-nightly_1-shard3.csv"));
  EXPECT_FALSE(is_rejects_file_name("rejects-.csv"));
  EXPECT_FALSE(is_rejects_file_name("rejects-x.csv.bak"));
  EXPECT_FALSE(is_rejects_file_name("rejects-x.txt"));
  EXPECT_FALSE(is_rejects_file_name("my-rejects-x.csv"));
  EXPECT_FALSE(is_rejects_file_name("rejects-a b.csv"));
  EXPECT_FALSE(is_rejects_file_name("rejects-../x.csv"));
  EXPECT_FALSE(is_rejects_file_name("rejects-" + std::string(41, 'a') + ".csv"));
}

TEST(RejectsPruneTest, DeletesAllButTheNewestAndOnlyItsOwn) {
  const std::vector<RejectsFile> files = {
      {"rejects-a.csv", 10}, {"rejects-b.csv", 30}, {"notes.csv", 1}, {"rejects-c.csv", 20}, {"rejects-d.txt", 0}};
  auto doomed = rejects_to_delete(files, 2);
  EXPECT_EQ(doomed, std::vector<std::string>{"rejects-a.csv"});
  doomed = rejects_to_delete(files, 1);
  std::sort(doomed.begin(), doomed.end());
  EXPECT_EQ(doomed, (std::vector<std::string>{"rejects-a.csv", "rejects-c.csv"}));
  EXPECT_TRUE(rejects_to_delete(files, 3).empty());
}

TEST(RejectsPruneTest, KeepZeroKeepsEverything) { EXPECT_TRUE(rejects_to_delete({{"rejects-a.csv", 1}}, 0).empty()); }

TEST(RejectsPruneTest, TiesGoByNameWhateverTheListingOrder) {
  std::vector<RejectsFile> files = {{"rejects-a.csv", 5}, {"rejects-c.csv", 5}, {"rejects-b.csv", 5}};
  const auto doomed = rejects_to_delete(files, 1);
  std::reverse(files.begin(), files.end());
  EXPECT_EQ(rejects_to_delete(files, 1), doomed);
  EXPECT_EQ(doomed.size(), 2u);
}

}  // namespace
}  // namespace pipeline::load
