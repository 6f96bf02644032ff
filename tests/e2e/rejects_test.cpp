// The rejected rows' trail: the log names the first hundred and counts the
// rest, the rejects CSV holds them all, and --rejects-keep bounds how many
// such files (personal data) pile up in the log directory.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

std::size_t count_lines_with(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(RejectsTest, TheLogListsTheFirstHundredRejectsAndTheFileHoldsThemAll) {
  TestDatabase db("fmtcap");
  TempDir tmp;
  std::string people = "given_name,family_name,date_of_birth,place_of_birth\n";
  for (int i = 0; i < 300; ++i) people += "Bad" + std::to_string(i) + ",Lee,31/12/1990,Aberdeen\n";
  people += "Good,Lee,1990-12-31,Aberdeen\n";
  write_file(tmp / "people.csv", people);
  const auto rejects = tmp / "rejects.csv";
  const auto r = run_dataloader(db, tmp,
                                {"--places", shipped("places.csv"), "--people", (tmp / "people.csv").string(),
                                 "--max-rejects", "1000", "--rejects", rejects.string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(count_lines_with(r.err, "rejected " + (tmp / "people.csv").string() + ":"), 100u) << r.err;
  EXPECT_NE(r.err.find("200 more rejected row(s) not logged here; all 300 are listed in " + rejects.string()),
            std::string::npos)
      << r.err;
  EXPECT_EQ(count_lines_with(read_file(rejects), "\n"), 301u) << "a header and every rejected row";
  EXPECT_EQ(db.count("people"), 1u);
}

TEST(RejectsTest, RejectsKeepDeletesTheOldestOfItsOwnFiles) {
  TestDatabase db("fmtkeep");
  TempDir tmp;
  write_file(tmp / "people.csv",
             "given_name,family_name,date_of_birth,place_of_birth\nBad,Lee,31/12/"
             "1990,Aberdeen\nAnn,Lee,1990-12-31,Aberdeen\n");
  std::filesystem::create_directories(tmp / "logs");
  write_file(tmp / "logs" / "rejects-notes.txt", "not ours");
  write_file(tmp / "logs" / "rejects-by-hand.csv.bak", "not ours");
  // Named like its own files, but not written by it: readable by others (a
  // copy someone kept), and a symbolic link. Both older than any run's.
  write_file(tmp / "logs" / "rejects-kept.csv", "not ours");
  std::filesystem::permissions(tmp / "logs" / "rejects-kept.csv", std::filesystem::perms(0644));
  std::filesystem::create_symlink(tmp / "people.csv", tmp / "logs" / "rejects-link.csv");
  for (const char* name : {"rejects-kept.csv"}) {
    std::filesystem::last_write_time(tmp / "logs" / name,
                                     std::filesystem::file_time_type::clock::now() - std::chrono::seconds(1000));
  }
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    const std::string id = "keep" + std::to_string(i);
    const auto r = run_dataloader(db, tmp,
                                  {"--places", shipped("places.csv"), "--people", (tmp / "people.csv").string(),
                                   "--max-rejects", "5", "--run-id", id, "--mode", "append", "--rejects-keep", "2"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    ids.push_back(id);
    // Modification times a second apart decide which are newest, whatever
    // the clock's resolution.
    const auto file = tmp / "logs" / ("rejects-" + id + ".csv");
    ASSERT_TRUE(std::filesystem::exists(file)) << file;
    std::filesystem::last_write_time(
        file, std::filesystem::file_time_type::clock::now() - std::chrono::seconds(100 - 10 * i));
  }
  std::vector<std::string> left;
  for (const auto& f : rejects_files(tmp)) left.push_back(f.filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"rejects-by-hand.csv.bak", "rejects-keep2.csv", "rejects-keep3.csv",
                                            "rejects-kept.csv", "rejects-link.csv", "rejects-notes.txt"}));
}

}  // namespace
}  // namespace pipeline::testing
