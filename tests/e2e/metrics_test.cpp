// --metrics-file: what cron's alerting reads. Each run, whatever its outcome,
// leaves a file that promtool accepts, with the outcome, the counts and the
// last success carried over from the run before.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

TEST(MetricsTest, TheLoaderReportsEachRunAndCarriesTheLastSuccessOver) {
  TestDatabase db("metrics");
  TempDir tmp;
  const auto metrics = tmp / "prom" / "dataloader.prom";
  std::filesystem::create_directories(metrics.parent_path());
  const auto good = run_dataloader(
      db, tmp,
      {"--places", shipped("places.csv"), "--people", shipped("people.csv"), "--metrics-file", metrics.string()});
  ASSERT_EQ(good.exit_code, 0) << describe(good);
  ASSERT_TRUE(promtool_accepts(metrics));
  std::string text = read_file(metrics);
  EXPECT_EQ(metric_sample(text, "dataloader_run_success"), "1") << text;
  EXPECT_EQ(metric_sample(text, "dataloader_run_exit_code"), "0") << text;
  EXPECT_EQ(metric_sample(text, "dataloader_rows_loaded{file=\"people\"}"), std::to_string(db.count("people"))) << text;
  EXPECT_EQ(metric_sample(text, "dataloader_rows_loaded{file=\"places\"}"), std::to_string(db.count("places"))) << text;
  EXPECT_EQ(metric_sample(text, "dataloader_rows_rejected{file=\"people\"}"), "0") << text;
  const std::string success = metric_sample(text, "dataloader_last_success_time_seconds");
  ASSERT_FALSE(success.empty()) << text;
  EXPECT_GE(std::stod(success), std::stod(metric_sample(text, "dataloader_run_start_time_seconds")));

  write_file(tmp / "bad.csv", "given_name,family_name,date_of_birth,place_of_birth\nAnn,Lee,31/12/1990,Aberdeen\n");
  const auto bad = run_dataloader(
      db, tmp,
      {"--places", shipped("places.csv"), "--people", (tmp / "bad.csv").string(), "--metrics-file", metrics.string()});
  ASSERT_EQ(bad.exit_code, 65) << describe(bad);
  ASSERT_TRUE(promtool_accepts(metrics));
  text = read_file(metrics);
  EXPECT_EQ(metric_sample(text, "dataloader_run_success"), "0") << text;
  EXPECT_EQ(metric_sample(text, "dataloader_run_exit_code"), "65") << text;
  EXPECT_EQ(metric_sample(text, "dataloader_rows_rejected{file=\"people\"}"), "1") << text;
  EXPECT_EQ(metric_sample(text, "dataloader_last_success_time_seconds"), success) << text;

  // Refused before it connects: still reported.
  const auto usage = run_dataloader(db, tmp, {"--places", "-", "--people", "-", "--metrics-file", metrics.string()});
  ASSERT_EQ(usage.exit_code, 64) << describe(usage);
  text = read_file(metrics);
  EXPECT_EQ(metric_sample(text, "dataloader_run_exit_code"), "64") << text;
  EXPECT_EQ(metric_sample(text, "dataloader_last_success_time_seconds"), success) << text;
}

TEST(MetricsTest, AMetricsPathThatCannotBeWrittenIsRefusedBeforeTheRun) {
  TestDatabase db("metricsbad");
  TempDir tmp;
  const auto r = run_dataloader(db, tmp,
                                {"--places", shipped("places.csv"), "--people", shipped("people.csv"), "--metrics-file",
                                 (tmp / "no" / "such" / "dir" / "x.prom").string()});
  EXPECT_EQ(r.exit_code, 73) << describe(r);
  EXPECT_NE(r.err.find("metrics file"), std::string::npos) << r.err;
  // Standard output is no file for a collector: refused, and no file "-".
  ProcessOptions in_tmp;
  in_tmp.cwd = tmp.path();
  EnvOverrides env = db.env();
  std::vector<std::string> argv = dataloader_argv(tmp, shipped("people.csv"), {"--metrics-file", "-"});
  const auto dash = Process(argv, env, in_tmp).wait(std::chrono::seconds(60));
  EXPECT_EQ(dash.exit_code, 73) << describe(dash);
  EXPECT_NE(dash.err.find("regular file"), std::string::npos) << dash.err;
  EXPECT_FALSE(std::filesystem::exists(tmp / "-"));
  EXPECT_EQ(db.session().query_value("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"),
            "0");
}

TEST(MetricsTest, TheSummarizerReportsItsFilesAndBytes) {
  TestDatabase db("metricssum");
  TempDir tmp;
  const auto metrics = tmp / "datasummarizer.prom";
  // No tables yet: a failed run (66) is reported, with no success before it.
  const auto none =
      run_datasummarizer(db, tmp, {"--output", (tmp / "a.json").string(), "--metrics-file", metrics.string()});
  ASSERT_EQ(none.exit_code, 66) << describe(none);
  ASSERT_TRUE(promtool_accepts(metrics));
  std::string text = read_file(metrics);
  EXPECT_EQ(metric_sample(text, "datasummarizer_run_success"), "0") << text;
  EXPECT_EQ(metric_sample(text, "datasummarizer_run_exit_code"), "66") << text;
  EXPECT_EQ(metric_sample(text, "datasummarizer_reports_written"), "0") << text;
  EXPECT_EQ(metric_sample(text, "datasummarizer_last_success_time_seconds"), "") << text;

  const auto load = run_dataloader(db, tmp, {"--places", shipped("places.csv"), "--people", shipped("people.csv")});
  ASSERT_EQ(load.exit_code, 0) << describe(load);
  const auto out = tmp / "reports";
  const auto all =
      run_datasummarizer(db, tmp, {"--all", "--output-dir", out.string(), "--metrics-file", metrics.string()});
  ASSERT_EQ(all.exit_code, 0) << describe(all);
  ASSERT_TRUE(promtool_accepts(metrics));
  text = read_file(metrics);
  std::uintmax_t files = 0;
  std::uintmax_t bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(out)) {
    ++files;
    bytes += entry.file_size();
  }
  ASSERT_GT(files, 1U);
  EXPECT_EQ(metric_sample(text, "datasummarizer_run_success"), "1") << text;
  EXPECT_EQ(metric_sample(text, "datasummarizer_run_exit_code"), "0") << text;
  EXPECT_EQ(metric_sample(text, "datasummarizer_reports_written"), std::to_string(files)) << text;
  EXPECT_EQ(metric_sample(text, "datasummarizer_bytes_written"), std::to_string(bytes)) << text;
  const std::string success = metric_sample(text, "datasummarizer_last_success_time_seconds");
  ASSERT_FALSE(success.empty()) << text;

  // A report that does not exist: 64, the last success kept.
  const auto bad = run_datasummarizer(
      db, tmp,
      {"--report", "no_such_report", "--output", (tmp / "b.json").string(), "--metrics-file", metrics.string()});
  ASSERT_EQ(bad.exit_code, 64) << describe(bad);
  ASSERT_TRUE(promtool_accepts(metrics));
  text = read_file(metrics);
  EXPECT_EQ(metric_sample(text, "datasummarizer_run_exit_code"), "64") << text;
  EXPECT_EQ(metric_sample(text, "datasummarizer_last_success_time_seconds"), success) << text;
}

}  // namespace
}  // namespace pipeline::testing
