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

namespace pipeline::testing {
namespace {

// scripts/check-secrets, which CI runs, must be able to fail.
TEST(SecretsCheckTest, RefusesPlantedSecretsAndPassesCleanFiles) {
  TempDir repo;
  const auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"/usr/bin/git", "-C", repo.path().string()});
    return run(args, {{"GIT_AUTHOR_NAME", "t"},
                      {"GIT_AUTHOR_EMAIL", "t@t"},
                      {"GIT_COMMITTER_NAME", "t"},
                      {"GIT_COMMITTER_EMAIL", "t@t"}});
  };
  ASSERT_EQ(git({"init", "-q"}).exit_code, 0);
  const std::string script = (source_dir() / "scripts" / "check-secrets").string();
  write_file(repo / "ok.yml", "password: ${MYSQL_PASSWORD:?set it in .env}\nMYSQL_PASSWORD_FILE=/run/secrets/db\n");
  ASSERT_EQ(git({"add", "ok.yml"}).exit_code, 0);
  const auto clean = run({script, repo.path().string()});
  EXPECT_EQ(clean.exit_code, 0) << describe(clean);

  // Each planted secret is split into two literals so that this file itself
  // does not match the patterns it tests.
  const std::vector<std::pair<std::string, std::string>> planted = {
      {".env", "MYSQL_PASSWORD=abc\n"},
      {"compose.yml",
       "MYSQL_PASSWORD="
       "hunter2hunter2\n"},
      {"app.cpp", "const char* db_password = \"s3cretValue!\";\n"},
      {"run.sh",
       "mysql -u root -p"
       "TopSecret99 codetest\n"},
      {"key.txt",
       "-----BEGIN RSA "
       "PRIVATE KEY-----\n"}};
  for (const auto& [name, content] : planted) {
    write_file(repo / name, content);
    ASSERT_EQ(git({"add", "-f", name}).exit_code, 0);
    const auto result = run({script, repo.path().string()});
    EXPECT_EQ(result.exit_code, 1) << name << " was not caught\n" << describe(result);
    ASSERT_EQ(git({"rm", "-q", "--cached", name}).exit_code, 0);
  }
}

}  // namespace
}  // namespace pipeline::testing
