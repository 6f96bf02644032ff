#include "pipeline/util/metrics_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pipeline/error.hpp"

namespace pipeline::util {
namespace {

RunMetrics a_run(int exit_code) {
  RunMetrics run;
  run.tool = "dataloader";
  run.started = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  run.seconds = 2.5;
  run.exit_code = exit_code;
  run.gauges = {{"rows_loaded", "Rows loaded", {{"file=\"places\"", 3}, {"file=\"people\"", 1000000}}}};
  return run;
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(MetricsFileTest, ASuccessNamesItsOutcomeTimesAndCountsAsGauges) {
  const std::string text = metrics_text(a_run(0), std::nullopt);
  EXPECT_NE(text.find("# TYPE dataloader_run_success gauge\ndataloader_run_success 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndataloader_run_exit_code 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndataloader_run_start_time_seconds 1700000000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndataloader_run_duration_seconds 2.500\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndataloader_last_success_time_seconds 1700000002.500\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndataloader_rows_loaded{file=\"people\"} 1000000\n"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(MetricsFileTest, AFailureCarriesTheLastSuccessOverOrLeavesItOut) {
  std::string text = metrics_text(a_run(75), 1'600'000'000.25);
  EXPECT_NE(text.find("\ndataloader_run_success 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndataloader_run_exit_code 75\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndataloader_last_success_time_seconds 1600000000.250\n"), std::string::npos) << text;
  text = metrics_text(a_run(75), std::nullopt);
  EXPECT_EQ(text.find("last_success"), std::string::npos) << text;
}

TEST(MetricsFileTest, FindsTheLastSuccessInAnEarlierFile) {
  EXPECT_EQ(last_success_in(metrics_text(a_run(0), std::nullopt), "dataloader"), 1'700'000'002.5);
  EXPECT_EQ(last_success_in(metrics_text(a_run(0), std::nullopt), "datasummarizer"), std::nullopt);
  EXPECT_EQ(last_success_in("dataloader_last_success_time_seconds banana\n", "dataloader"), std::nullopt);
  EXPECT_EQ(last_success_in("", "dataloader"), std::nullopt);
}

TEST(MetricsFileTest, TheFileIsReplacedReadableByAllAndKeepsTheLastSuccess) {
  const auto dir = std::filesystem::temp_directory_path() / ("metrics_file_test." + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "dataloader.prom";
  const mode_t old_mask = ::umask(022);
  write_metrics_file(path, a_run(0));
  write_metrics_file(path, a_run(65));
  ::umask(old_mask);
  const std::string text = read(path);
  EXPECT_NE(text.find("\ndataloader_run_exit_code 65\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndataloader_last_success_time_seconds 1700000002.500\n"), std::string::npos) << text;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1u) << "a temporary file was left";

  const auto fifo = dir / "fifo.prom";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THROW(write_metrics_file(fifo, a_run(0)), Error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pipeline::util
