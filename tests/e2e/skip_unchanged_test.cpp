// --skip-unchanged: the same files as the live run's are not loaded again;
// anything else, or a live state another run made, is.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "support/compress.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

std::string runs(TestDatabase& db) { return db.session().query_value("SELECT COUNT(*) FROM load_runs").value_or("?"); }

TEST(SkipUnchangedTest, TheSameFilesAsTheLiveRunAreNotLoadedAgain) {
  TestDatabase db("skip");
  TempDir tmp;
  const auto first = run(dataloader_argv(tmp, shipped("people.csv"), {"--skip-unchanged"}), db.env());
  ASSERT_EQ(first.exit_code, 0) << describe(first);
  EXPECT_EQ(first.err.find("unchanged since"), std::string::npos) << first.err;
  const std::string first_run =
      db.session().query_value("SELECT run_id FROM load_runs ORDER BY id DESC LIMIT 1").value_or("?");

  for (const char* mode : {"replace", "append"}) {
    const auto again = run(dataloader_argv(tmp, shipped("people.csv"), {"--skip-unchanged", "--mode", mode}), db.env());
    ASSERT_EQ(again.exit_code, 0) << describe(again);
    EXPECT_NE(again.err.find("unchanged since run " + first_run), std::string::npos) << mode << "\n" << again.err;
    EXPECT_EQ(runs(db), "1") << mode << ": a skipped run loaded";
  }

  // Another file (the same rows, compressed: other bytes) loads.
  write_file(tmp / "people.csv.gz", gzip(read_file(shipped("people.csv"))));
  const auto other = run(dataloader_argv(tmp, tmp / "people.csv.gz", {"--skip-unchanged"}), db.env());
  ASSERT_EQ(other.exit_code, 0) << describe(other);
  EXPECT_EQ(other.err.find("unchanged since"), std::string::npos) << other.err;
  EXPECT_EQ(runs(db), "2");
}

TEST(SkipUnchangedTest, AReplaceAfterAnAppendOfTheSameFilesIsNotSkipped) {
  TestDatabase db("skipmode");
  TempDir tmp;
  write_file(tmp / "more.csv", "given_name,family_name,date_of_birth,place_of_birth\nAnn,Lee,1990-12-31,Aberdeen\n");
  ASSERT_EQ(run(dataloader_argv(tmp, tmp / "more.csv"), db.env()).exit_code, 0);
  const auto append = run(dataloader_argv(tmp, shipped("people.csv"), {"--mode", "append"}), db.env());
  ASSERT_EQ(append.exit_code, 0) << describe(append);
  // The live people are more.csv's and people.csv's: a replace with
  // people.csv alone changes them.
  const auto replace = run(dataloader_argv(tmp, shipped("people.csv"), {"--skip-unchanged"}), db.env());
  ASSERT_EQ(replace.exit_code, 0) << describe(replace);
  EXPECT_EQ(replace.err.find("unchanged since"), std::string::npos) << replace.err;
  EXPECT_EQ(db.count("people"), 10000u);
}

TEST(SkipUnchangedTest, StandardInputIsRefused) {
  TestDatabase db("skipstdin");
  TempDir tmp;
  const auto r = run(dataloader_argv(tmp, "-", {"--skip-unchanged"}), db.env());
  EXPECT_EQ(r.exit_code, 64) << describe(r);
  EXPECT_NE(r.err.find("--skip-unchanged"), std::string::npos) << r.err;
}

// A FIFO would be read to its end by the comparison, and the load would then
// find it empty.
TEST(SkipUnchangedTest, AFifoIsRefusedBeforeItIsRead) {
  TestDatabase db("skipfifo");
  TempDir tmp;
  const auto first = run_dataloader(db, tmp, {"--places", shipped("places.csv"), "--people", shipped("people.csv")});
  ASSERT_EQ(first.exit_code, 0) << describe(first);
  const std::string before = db.checksum("people");
  const auto fifo = tmp / "people.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Process writer({"/bin/sh", "-c", "exec cat \"$1\" >\"$2\"", "sh", shipped("people.csv"), fifo.string()});
  const auto r = run_dataloader(
      db, tmp, {"--places", shipped("places.csv"), "--people", fifo.string(), "--skip-unchanged", "--allow-empty"});
  // Whatever the loader did, the writer must not stay blocked.
  const int drain = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  if (drain >= 0) ::close(drain);
  writer.wait(std::chrono::seconds(10));
  EXPECT_EQ(r.exit_code, 64) << describe(r);
  EXPECT_NE(r.err.find("regular file"), std::string::npos) << r.err;
  EXPECT_EQ(db.checksum("people"), before);
}

}  // namespace
}  // namespace pipeline::testing
