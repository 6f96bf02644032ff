// Inputs as real pipelines hand them over: gzip and zstd files, standard
// input and pipes, and what --jobs and --shard do with input that cannot be
// split.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/compress.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

// `argv` with its standard input from `file`, through a pipe (cat) or as a
// redirected file.
std::vector<std::string> with_stdin(const std::filesystem::path& file, const std::vector<std::string>& argv,
                                    bool pipe) {
  std::vector<std::string> wrapped = {"/bin/sh", "-c",
                                      pipe ? "f=$1; shift; cat \"$f\" | \"$@\"" : "f=$1; shift; exec \"$@\" <\"$f\"",
                                      "sh", file.string()};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

class InputFormatsTest : public ::testing::Test {
 protected:
  // The live tables after loading the shipped files as they are.
  std::pair<std::string, std::string> plain_load() {
    TestDatabase plain("fmtplain");
    TempDir tmp;
    const auto r = run_dataloader(plain, tmp, {"--places", shipped("places.csv"), "--people", shipped("people.csv")});
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    return {plain.checksum("people"), plain.checksum("places")};
  }
};

TEST_F(InputFormatsTest, GzipAndZstdFilesLoadExactlyAsTheirText) {
  const auto expected = plain_load();
  TestDatabase db("fmtcomp");
  TempDir tmp;
  // Named as if plain: the magic bytes decide, not the name.
  write_file(tmp / "people.csv", gzip(read_file(shipped("people.csv"))));
  write_file(tmp / "places.data", zstd(read_file(shipped("places.csv"))));
  const auto r =
      run_dataloader(db, tmp, {"--places", (tmp / "places.data").string(), "--people", (tmp / "people.csv").string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.err.find("gzip-compressed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("zstd-compressed"), std::string::npos) << r.err;
  EXPECT_EQ(std::make_pair(db.checksum("people"), db.checksum("places")), expected);
}

TEST_F(InputFormatsTest, RejectsOfACompressedFileNameTheLinesOfItsText) {
  TestDatabase db("fmtrej");
  TempDir tmp;
  write_file(tmp / "people.csv.zst", zstd("given_name,family_name,date_of_birth,place_of_birth\n"
                                          "Ann,Lee,1990-01-02,Aberdeen\n"
                                          "Bob,Lee,not-a-date,Aberdeen\n"
                                          "Cy,Lee,1991-03-04,Aberdeen\n"));
  const auto rejects = tmp / "rejects.csv";
  const auto r = run_dataloader(db, tmp,
                                {"--places", shipped("places.csv"), "--people", (tmp / "people.csv.zst").string(),
                                 "--max-rejects", "5", "--rejects", rejects.string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(db.count("people"), 2u);
  const std::string listed = read_file(rejects);
  EXPECT_NE(listed.find("people.csv.zst,3,date_of_birth"), std::string::npos) << listed;
}

TEST_F(InputFormatsTest, ACorruptGzipFileIsADataErrorWithAHintAndChangesNothing) {
  TestDatabase db("fmtbad");
  TempDir tmp;
  const auto baseline = run_dataloader(db, tmp, {"--places", shipped("places.csv"), "--people", shipped("people.csv")});
  ASSERT_EQ(baseline.exit_code, 0) << describe(baseline);
  const auto before = db.checksum("people");
  std::string broken = gzip(read_file(shipped("people.csv")));
  broken.resize(broken.size() / 2);
  write_file(tmp / "people.csv.gz", broken);
  const auto r =
      run_dataloader(db, tmp, {"--places", shipped("places.csv"), "--people", (tmp / "people.csv.gz").string()});
  EXPECT_EQ(r.exit_code, 65) << describe(r);
  EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("quoting"), std::string::npos) << r.err;
  EXPECT_EQ(db.checksum("people"), before);
}

TEST_F(InputFormatsTest, StandardInputLoadsAsAFileOrAPipeAndJobsFallBackToOne) {
  const auto expected = plain_load();
  for (const bool pipe : {false, true}) {
    TestDatabase db(pipe ? "fmtpipe" : "fmtstdin");
    TempDir tmp;
    const auto argv = dataloader_argv(tmp, "-", {"--jobs", "2"});
    const auto r = run(with_stdin(shipped("people.csv"), argv, pipe), db.env());
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_NE(r.err.find("standard input"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("one job"), std::string::npos) << "no word of the fallback:\n" << r.err;
    EXPECT_EQ(r.err.find("empty"), std::string::npos) << r.err;
    EXPECT_EQ(db.checksum("people"), expected.first) << (pipe ? "pipe" : "redirected file");
  }
}

TEST_F(InputFormatsTest, CompressedPeopleWithTwoJobsLoadAsOneJob) {
  const auto expected = plain_load();
  TestDatabase db("fmtjobs");
  TempDir tmp;
  write_file(tmp / "people.csv.gz", gzip(read_file(shipped("people.csv"))));
  const auto r = run_dataloader(
      db, tmp, {"--places", shipped("places.csv"), "--people", (tmp / "people.csv.gz").string(), "--jobs", "2"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.err.find("gzip-compressed"), std::string::npos) << r.err;
  EXPECT_EQ(db.checksum("people"), expected.first);
}

TEST_F(InputFormatsTest, AShardOfInputThatCannotBeSplitIsRefusedSayingWhy) {
  TestDatabase db("fmtshard");
  TempDir tmp;
  write_file(tmp / "people.csv.gz", gzip(read_file(shipped("people.csv"))));
  const auto gz = run_dataloader(db, tmp,
                                 {"--places", shipped("places.csv"), "--people", (tmp / "people.csv.gz").string(),
                                  "--shard", "1/2", "--run-id", "s1"});
  EXPECT_EQ(gz.exit_code, 64) << describe(gz);
  EXPECT_NE(gz.err.find("gzip-compressed"), std::string::npos) << gz.err;

  const auto piped =
      run(with_stdin(shipped("people.csv"), dataloader_argv(tmp, "-", {"--shard", "1/2", "--run-id", "s2"}), true),
          db.env());
  EXPECT_EQ(piped.exit_code, 64) << describe(piped);
  EXPECT_NE(piped.err.find("standard input"), std::string::npos) << piped.err;
  EXPECT_EQ(db.session().query_value("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"),
            "0")
      << "refused before it touched the database";
}

// A FIFO with --jobs 2 loads as one job, and its writer gets to write it all.
TEST_F(InputFormatsTest, AFifoWithTwoJobsLoadsAsOneJobAndItsWriterFinishes) {
  const auto expected = plain_load();
  TestDatabase db("fmtfifo");
  TempDir tmp;
  const auto fifo = tmp / "people.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Process writer({"/bin/sh", "-c", "exec cat \"$1\" >\"$2\"", "sh", shipped("people.csv"), fifo.string()});
  const auto r = run(dataloader_argv(tmp, fifo, {"--jobs", "2"}), db.env(), std::chrono::seconds(60));
  const auto wrote = writer.wait(std::chrono::seconds(10));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(wrote.exit_code, 0) << "the FIFO's writer: " << describe(wrote);
  EXPECT_NE(r.err.find("one job"), std::string::npos) << r.err;
  EXPECT_EQ(db.checksum("people"), expected.first);
}

TEST_F(InputFormatsTest, BothFilesFromStandardInputIsRefused) {
  TestDatabase db("fmtboth");
  TempDir tmp;
  const auto r = run_dataloader(db, tmp, {"--places", "-", "--people", "-"});
  EXPECT_EQ(r.exit_code, 64) << describe(r);
  EXPECT_NE(r.err.find("standard input"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pipeline::testing
