#include "pipeline/cli/metrics_flag.hpp"

#include <spdlog/spdlog.h>

namespace pipeline::cli {

void add_metrics_flag(CLI::App& app, std::filesystem::path& path) {
  app.add_option("--metrics-file", path,
                 "Write the run's outcome, timings and counts to this Prometheus textfile-collector file "
                 "(replaced atomically after every run, success or not)")
      ->group("Logging");
}

void check_metrics_path(const std::filesystem::path& path) {
  if (!path.empty()) util::check_metrics_path(path);
}

MetricsRecorder::MetricsRecorder(std::filesystem::path path, std::string tool)
    : path_(std::move(path)), tool_(std::move(tool)) {}

int MetricsRecorder::finish(int exit_code) {
  if (path_.empty()) return exit_code;
  util::RunMetrics run;
  run.tool = tool_;
  run.started = started_;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_).count();
  run.exit_code = exit_code;
  run.gauges = gauges_;
  try {
    util::write_metrics_file(path_, run);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
  }
  return exit_code;
}

}  // namespace pipeline::cli
