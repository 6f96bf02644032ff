// scripts/nightly, the job cron and systemd run: the loader, then the
// summarizer only if the loader succeeded; its output appended to a log; one
// stderr line and the failing tool's exit code when a night fails; the
// metrics files; and the same job from a `cmake --install` prefix.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "pipeline/db/named_lock.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

namespace fs = std::filesystem;

std::string nightly() { return (source_dir() / "scripts" / "nightly").string(); }

// A job directory: data/ with the shipped files, and a metrics directory.
struct Job {
  TempDir tmp;
  fs::path dir = tmp / "job";
  fs::path metrics = tmp / "prom";
  Job() {
    fs::create_directories(dir / "data");
    fs::create_directories(metrics);
    fs::copy_file(shipped("places.csv"), dir / "data" / "places.csv");
    fs::copy_file(shipped("people.csv"), dir / "data" / "people.csv");
  }
  fs::path summary() const { return dir / "data" / "summary_output.json"; }
  std::string log() const {
    const fs::path path = dir / "logs" / "nightly.log";
    return fs::exists(path) ? read_file(path) : "";
  }
};

// The tools under test, found by the script through its environment; a PATH
// without them, so that nothing else is picked up.
EnvOverrides native_env(const TestDatabase& db) {
  EnvOverrides env = db.env();
  env["DATALOADER"] = dataloader_path();
  env["DATASUMMARIZER"] = datasummarizer_path();
  env["PATH"] = "/usr/bin:/bin";
  return env;
}

ProcessResult run_nightly(const Job& job, const EnvOverrides& env) {
  return run({nightly(), "--native", "--dir", job.dir.string(), "--metrics-dir", job.metrics.string()}, env);
}

std::size_t lines(const std::string& text) {
  std::size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

TEST(NightlyTest, AGoodNightLoadsSummarizesWritesMetricsAndPrintsNothing) {
  TestDatabase db("nightlyok");
  Job job;
  const auto first = run_nightly(job, native_env(db));
  ASSERT_EQ(first.exit_code, 0) << describe(first) << job.log();
  EXPECT_EQ(first.err, "");
  EXPECT_EQ(first.out, "");
  EXPECT_EQ(read_file(job.summary()), read_file(shipped("sample_output.json")));
  for (const char* tool : {"dataloader", "datasummarizer"}) {
    const fs::path prom = job.metrics / (std::string(tool) + ".prom");
    ASSERT_TRUE(fs::exists(prom)) << prom;
    EXPECT_TRUE(promtool_accepts(prom));
    EXPECT_EQ(metric_sample(read_file(prom), std::string(tool) + "_run_exit_code"), "0") << read_file(prom);
  }
  const std::string log = job.log();
  EXPECT_NE(log.find("nightly: done in"), std::string::npos) << log;
  EXPECT_NE(log.find("wrote "), std::string::npos) << "the summarizer's output is not in the log:\n" << log;

  // A second night appends to the same log.
  const auto second = run_nightly(job, native_env(db));
  ASSERT_EQ(second.exit_code, 0) << describe(second);
  const std::string both = job.log();
  EXPECT_EQ(both.substr(0, log.size()), log);
  EXPECT_GT(both.size(), log.size());
}

TEST(NightlyTest, RejectedInputExits65WithOneLineAndNoSummary) {
  TestDatabase db("nightly65");
  Job job;
  write_file(job.dir / "data" / "people.csv", "name,surname,born,town\nAnn,Lee,1990-12-31,Aberdeen\n");
  const auto r = run_nightly(job, native_env(db));
  EXPECT_EQ(r.exit_code, 65) << describe(r);
  EXPECT_EQ(lines(r.err), 1U) << r.err;
  EXPECT_NE(r.err.find("dataloader failed with exit 65"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find((job.dir / "logs" / "nightly.log").string()), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(fs::exists(job.summary())) << "the summarizer ran after the loader failed";
  EXPECT_FALSE(fs::exists(job.metrics / "datasummarizer.prom")) << "the summarizer ran after the loader failed";
  EXPECT_EQ(metric_sample(read_file(job.metrics / "dataloader.prom"), "dataloader_run_exit_code"), "65");
  EXPECT_NE(job.log().find("summarizer skipped"), std::string::npos) << job.log();
}

TEST(NightlyTest, ABusyDatabaseExits75AndSkipsTheSummarizer) {
  TestDatabase db("nightly75");
  Job job;
  db::Session holder(db.options());
  const std::string name = db::lock_names::load(db.name());
  ASSERT_EQ(holder.query_value("SELECT GET_LOCK(?, 0)", {name}), "1");
  const auto r = run_nightly(job, native_env(db));
  holder.query_value("SELECT RELEASE_LOCK(?)", {name});
  EXPECT_EQ(r.exit_code, 75) << describe(r) << job.log();
  EXPECT_EQ(lines(r.err), 1U) << r.err;
  EXPECT_NE(r.err.find("dataloader failed with exit 75"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(job.summary())) << "the summarizer ran after the loader failed";
  EXPECT_FALSE(fs::exists(job.metrics / "datasummarizer.prom"));
}

TEST(NightlyTest, AFailingSummarizerGivesItsOwnCodeAndLine) {
  TestDatabase db("nightlysum");
  Job job;
  // The summary's path is a directory: the summarizer cannot replace it (73).
  fs::create_directories(job.summary());
  const auto r = run_nightly(job, native_env(db));
  EXPECT_EQ(r.exit_code, 73) << describe(r) << job.log();
  EXPECT_EQ(lines(r.err), 1U) << r.err;
  EXPECT_NE(r.err.find("datasummarizer failed with exit 73"), std::string::npos) << r.err;
  EXPECT_EQ(metric_sample(read_file(job.metrics / "dataloader.prom"), "dataloader_run_exit_code"), "0");
}

TEST(NightlyTest, NoToolToRunIsUsageWithOneLine) {
  TestDatabase db("nightly64");
  Job job;
  EnvOverrides env = db.env();
  env["PATH"] = "/usr/bin:/bin";
  env["DATALOADER"] = std::nullopt;
  env["DATASUMMARIZER"] = std::nullopt;
  const auto r = run({nightly(), "--native", "--dir", job.dir.string()}, env);
  EXPECT_EQ(r.exit_code, 64) << describe(r);
  EXPECT_EQ(lines(r.err), 1U) << r.err;
  EXPECT_NE(r.err.find("dataloader not found"), std::string::npos) << r.err;
}

// `cmake --install` into a prefix of the test's own, then the installed job,
// with nothing but the prefix to find the tools by.
TEST(NightlyTest, AnInstalledJobRunsFromItsPrefix) {
  TestDatabase db("nightlyinst");
  Job job;
  const fs::path prefix = job.tmp / "prefix";
  const auto install = run({"/usr/bin/cmake", "--install", PIPELINE_BINARY_DIR, "--prefix", prefix.string()});
  ASSERT_EQ(install.exit_code, 0) << describe(install);
  for (const char* file :
       {"bin/dataloader", "bin/datasummarizer", "bin/codetest-nightly", "share/codetest/schema.sql",
        "share/codetest/examples/crontab.example", "share/codetest/examples/systemd/codetest-nightly.timer",
        "share/codetest/examples/logrotate/codetest-nightly"}) {
    EXPECT_TRUE(fs::exists(prefix / file)) << file << " was not installed";
  }
  EnvOverrides env = db.env();
  env["PATH"] = "/usr/bin:/bin";
  env["DATALOADER"] = std::nullopt;
  env["DATASUMMARIZER"] = std::nullopt;
  // From another directory, with no mode given: the job picks the tools
  // beside it and writes only under --dir.
  ProcessOptions options;
  options.cwd = job.tmp.path();
  const auto r = Process({(prefix / "bin" / "codetest-nightly").string(), "--dir", job.dir.string()}, env, options)
                     .wait(std::chrono::seconds(180));
  ASSERT_EQ(r.exit_code, 0) << describe(r) << job.log();
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(read_file(job.summary()), read_file(shipped("sample_output.json")));
  EXPECT_NE(job.log().find("(native)"), std::string::npos) << job.log();
  EXPECT_FALSE(fs::exists(job.tmp / "logs")) << "a logs/ was created in the current directory";
}

}  // namespace
}  // namespace pipeline::testing
