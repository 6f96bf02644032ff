// scripts/nightly, the job cron and systemd run: the loader, then the
// summarizer only if the loader succeeded; its output appended to a log; one
// stderr line and the failing tool's exit code when a night fails; the
// metrics files; and the same job from a `cmake --install` prefix.
#include <gtest/gtest.h>

#include <sys/types.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include "pipeline/db/named_lock.hpp"
#include "support/held_input.hpp"
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

// The children of a running process (Linux), as systemd's control group
// would reach them.
std::vector<pid_t> children_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::vector<pid_t> pids;
  for (pid_t child = 0; in >> child;) pids.push_back(child);
  return pids;
}

fs::perms mode_of(const fs::path& path) { return fs::status(path).permissions() & fs::perms::mask; }

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
  // Absolute paths, whatever directory cron starts the job in.
  const std::string dir = fs::canonical(job.dir).string();
  EXPECT_NE(log.find("--places " + dir + "/data/places.csv --people " + dir + "/data/people.csv"), std::string::npos)
      << log;
  EXPECT_NE(log.find("--output " + dir + "/data/summary_output.json"), std::string::npos) << log;
  // Owner-only: the log quotes rejected rows.
  EXPECT_EQ(mode_of(job.dir / "logs"), fs::perms::owner_all);
  EXPECT_EQ(mode_of(job.dir / "logs" / "nightly.log"), fs::perms::owner_read | fs::perms::owner_write);

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
  EXPECT_NE(job.log().find("summarizer skipped"), std::string::npos) << job.log();
}

// systemd's stop or timeout: SIGTERM to the job and the tool it runs. The
// tool cleans up and exits 143; the job says so in one line and runs nothing
// after.
TEST(NightlyTest, SigtermWhileTheLoaderWaitsExits143WithOneLine) {
  TestDatabase db("nightlyterm");
  Job job;
  db::Session holder(db.options());
  const std::string name = db::lock_names::load(db.name());
  ASSERT_EQ(holder.query_value("SELECT GET_LOCK(?, 0)", {name}), "1");
  Process night({nightly(), "--native", "--dir", job.dir.string(), "--metrics-dir", job.metrics.string(), "--",
                 "--wait-lock", "120"},
                native_env(db));
  ASSERT_TRUE(eventually([&] { return job.log().find("waiting for") != std::string::npos; }, std::chrono::seconds(60)))
      << job.log();
  const std::vector<pid_t> tools = children_of(night.pid());
  ASSERT_EQ(tools.size(), 1U);
  ::kill(night.pid(), SIGTERM);
  ::kill(tools.front(), SIGTERM);
  const auto r = night.wait(std::chrono::seconds(60));
  holder.query_value("SELECT RELEASE_LOCK(?)", {name});
  EXPECT_EQ(r.exit_code, 143) << describe(r) << job.log();
  EXPECT_EQ(lines(r.err), 1U) << r.err;
  EXPECT_NE(r.err.find("dataloader failed with exit 143"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(job.metrics / "datasummarizer.prom")) << "the summarizer ran after SIGTERM";
  EXPECT_NE(job.log().find("summarizer skipped"), std::string::npos) << job.log();
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
  // A job directory with compose at hand: installed beside the tools, the job
  // still runs them natively (a compose run would fail with 99).
  write_file(job.dir / "docker-compose.yml", "services: {}\n");
  const fs::path fake_bin = job.tmp / "fakebin";
  fs::create_directories(fake_bin);
  write_file(fake_bin / "docker-compose", "#!/bin/sh\nexit 99\n");
  fs::permissions(fake_bin / "docker-compose", fs::perms::owner_all);
  EnvOverrides env = db.env();
  env["PATH"] = fake_bin.string() + ":/usr/bin:/bin";
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
