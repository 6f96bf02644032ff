// Command-line and environment handling of both tools.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "pipeline/cli/dataloader_cli.hpp"
#include "pipeline/cli/datasummarizer_cli.hpp"
#include "cli_test_support.hpp"

namespace pipeline::cli {
namespace {

using namespace testing_support;

TEST(DataloaderOptionsTest, Defaults) {
  ScopedEnv env(kClearEnv);
  load::LoaderOptions o;
  CommonFlags f;
  ASSERT_FALSE(parse_loader({}, o, f));
  EXPECT_EQ(o.places, "data/places.csv");
  EXPECT_EQ(o.people, "data/people.csv");
  EXPECT_EQ(o.mode, load::Mode::kReplace);
  EXPECT_EQ(o.max_rejects, 0u);
  EXPECT_FALSE(o.dry_run);
  EXPECT_EQ(o.connection.host, "localhost");
  EXPECT_EQ(o.connection.port, 3306u);
  EXPECT_EQ(o.connection.database, "codetest");
  EXPECT_EQ(o.log.dir, "logs");
  EXPECT_EQ(o.log.level, "info");
  EXPECT_EQ(f.connect_timeout_seconds, 60);
}

TEST(DataloaderOptionsTest, FlagsAreBound) {
  ScopedEnv env(kClearEnv);
  load::LoaderOptions o;
  CommonFlags f;
  ASSERT_FALSE(parse_loader({"--places", "p.csv",      "--people",  "q.csv",
                             "--mode",   "append",     "--dry-run", "--max-rejects",
                             "7",        "--rejects",  "r.csv",     "--report-json",
                             "j.json",   "--progress", "never",     "--wait-lock",
                             "9",        "--streams",  "3",         "--host",
                             "db",       "--port",     "3307",      "--user",
                             "u",        "--database", "d",         "--connect-timeout",
                             "1.5",      "--log-dir",  "L",         "--log-level",
                             "debug"},
                            o, f));
  EXPECT_EQ(o.places, "p.csv");
  EXPECT_EQ(o.people, "q.csv");
  EXPECT_EQ(o.mode, load::Mode::kAppend);
  EXPECT_TRUE(o.dry_run);
  EXPECT_EQ(o.max_rejects, 7u);
  EXPECT_EQ(o.rejects, "r.csv");
  EXPECT_EQ(o.report_json, "j.json");
  EXPECT_EQ(o.progress, load::ProgressMode::kNever);
  EXPECT_EQ(o.wait_lock, std::chrono::seconds(9));
  EXPECT_EQ(o.streams, 3u);
  EXPECT_EQ(o.connection.host, "db");
  EXPECT_EQ(o.connection.port, 3307u);
  EXPECT_EQ(o.connection.user, "u");
  EXPECT_EQ(o.connection.database, "d");
  EXPECT_EQ(o.log.dir, "L");
  EXPECT_EQ(o.log.level, "debug");
  resolve_connection(o.connection, f);
  EXPECT_EQ(o.connection.connect_timeout, std::chrono::milliseconds(1500));
}

TEST(DataloaderOptionsTest, EnvironmentFillsInAndFlagsWin) {
  ScopedEnv env({{"MYSQL_HOST", "envhost"},
                 {"MYSQL_TCP_PORT", "3310"},
                 {"MYSQL_USER", "envuser"},
                 {"MYSQL_DATABASE", "envdb"},
                 {"MYSQL_UNIX_PORT", "/tmp/env.sock"},
                 {"MYSQL_PASSWORD", "from-env"},
                 {"MYSQL_PASSWORD_FILE", nullptr},
                 {"MYSQL_CONNECT_TIMEOUT", "5"}});
  load::LoaderOptions o;
  CommonFlags f;
  ASSERT_FALSE(parse_loader({"--host", "flaghost"}, o, f));
  resolve_connection(o.connection, f);
  EXPECT_EQ(o.connection.host, "flaghost");
  EXPECT_EQ(o.connection.port, 3310u);
  EXPECT_EQ(o.connection.user, "envuser");
  EXPECT_EQ(o.connection.database, "envdb");
  EXPECT_EQ(o.connection.socket, "/tmp/env.sock");
  EXPECT_EQ(o.connection.password, "from-env");
  EXPECT_EQ(o.connection.connect_timeout, std::chrono::seconds(5));
}

TEST(DataloaderOptionsTest, LoadMethodFromTheFlagOrTheEnvironment) {
  struct Case {
    std::vector<std::string> args;
    const char* env;
    load::LoadMethod expected;
  };
  const Case cases[] = {
      {{}, nullptr, load::LoadMethod::kAuto},
      {{"--load-method", "insert"}, nullptr, load::LoadMethod::kInsert},
      {{"--load-method", "load-data"}, nullptr, load::LoadMethod::kLoadData},
      {{}, "insert", load::LoadMethod::kInsert},
      {{"--load-method", "auto"}, "load-data", load::LoadMethod::kAuto},  // the flag wins
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.env ? c.env : "(no environment)");
    ScopedEnv env({{"DATALOADER_LOAD_METHOD", c.env}});
    load::LoaderOptions o;
    CommonFlags f;
    ASSERT_FALSE(parse_loader(c.args, o, f));
    EXPECT_EQ(o.load_method, c.expected);
  }
  ScopedEnv env({{"DATALOADER_LOAD_METHOD", nullptr}});
  load::LoaderOptions o;
  CommonFlags f;
  EXPECT_EQ(parse_loader({"--load-method", "infile"}, o, f), 64);
}

TEST(DataloaderOptionsTest, PasswordFileWinsAndLosesItsTrailingNewline) {
  char path[] = "/tmp/password_test.XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "s3cret\n", 7), 7);
  ::close(fd);
  ScopedEnv env({{"MYSQL_USER", "u"}, {"MYSQL_PASSWORD", "ignored"}, {"MYSQL_PASSWORD_FILE", path}});
  load::LoaderOptions o;
  CommonFlags f;
  ASSERT_FALSE(parse_loader({}, o, f));
  resolve_connection(o.connection, f);
  EXPECT_EQ(o.connection.password, "s3cret");
  ::unlink(path);
}

TEST(DataloaderOptionsTest, ConfigurationErrorsHaveTheirExitCodes) {
  {
    ScopedEnv env(kClearEnv);
    load::LoaderOptions o;
    CommonFlags f;
    ASSERT_FALSE(parse_loader({}, o, f));
    try {
      resolve_connection(o.connection, f);
      FAIL();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::kUsage);
    }
  }
  {
    ScopedEnv env({{"MYSQL_USER", "u"}, {"MYSQL_PASSWORD_FILE", "/nonexistent/password"}});
    load::LoaderOptions o;
    CommonFlags f;
    ASSERT_FALSE(parse_loader({}, o, f));
    try {
      resolve_connection(o.connection, f);
      FAIL();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::kNoInput);
    }
  }
  ScopedEnv env(kClearEnv);
  for (const std::vector<std::string>& bad : std::vector<std::vector<std::string>>{{"--mode", "upsert"},
                                                                                   {"--progress", "sometimes"},
                                                                                   {"--port", "0"},
                                                                                   {"--streams", "0"},
                                                                                   {"--max-rejects", "-1"},
                                                                                   {"--wait-lock", "-5"},
                                                                                   {"--log-level", "loud"},
                                                                                   {"--unknown"},
                                                                                   {"positional"}}) {
    load::LoaderOptions o;
    CommonFlags f;
    testing::internal::CaptureStderr();
    testing::internal::CaptureStdout();
    const auto code = parse_loader(bad, o, f);
    testing::internal::GetCapturedStderr();
    testing::internal::GetCapturedStdout();
    EXPECT_EQ(code, 64) << bad.front();
  }
}

TEST(DatasummarizerOptionsTest, PlansOutputs) {
  using report::Format;
  report::SummarizerOptions o;
  auto targets = report::plan_outputs(o);
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0].spec->name, "people_per_country");
  EXPECT_EQ(targets[0].path, "data/summary_output.json");
  EXPECT_EQ(targets[0].format, Format::kJson);

  o.reports = {"people_per_city"};
  o.output = "out/cities.csv";
  targets = report::plan_outputs(o);
  EXPECT_EQ(targets[0].format, Format::kCsv);
  o.format = Format::kJson;
  EXPECT_EQ(report::plan_outputs(o)[0].format, Format::kJson);

  o = {};
  o.all = true;
  o.output_dir = "reports";
  o.format = Format::kCsv;
  targets = report::plan_outputs(o);
  ASSERT_EQ(targets.size(), report::catalog().size());
  EXPECT_EQ(targets[1].path, "reports/people_per_county.csv");
}

TEST(DatasummarizerOptionsTest, RefusesWhatItCannotDo) {
  auto expect_usage = [](const report::SummarizerOptions& o, const char* why) {
    try {
      report::plan_outputs(o);
      ADD_FAILURE() << "accepted: " << why;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::kUsage) << why;
    }
  };
  report::SummarizerOptions o;
  o.reports = {"no_such_report"};
  expect_usage(o, "unknown report");
  o.reports = {"people_per_city", "people_per_county"};
  expect_usage(o, "several reports without --output-dir");
  o.reports = {};
  o.output = "summary.txt";
  expect_usage(o, "unknown extension");
  o.output_dir = "dir";
  expect_usage(o, "both --output and --output-dir");
}

}  // namespace
}  // namespace pipeline::cli
