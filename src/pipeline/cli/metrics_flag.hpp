// --metrics-file PATH, shared by both tools: the flag, the check of its path
// before the run, and the write after it, whatever the run's outcome.
#pragma once

#include <chrono>
#include <filesystem>
#include <vector>

#include <CLI/CLI.hpp>

#include "pipeline/util/metrics_file.hpp"

namespace pipeline::cli {

void add_metrics_flag(CLI::App& app, std::filesystem::path& path);

// Refuses a path the metrics could not be written to (Error kCantCreate), so
// that a run does not end unable to report.
void check_metrics_path(const std::filesystem::path& path);

// The run's clock and, once known, the tool's figures.
class MetricsRecorder {
 public:
  MetricsRecorder(std::filesystem::path path, std::string tool);
  std::vector<util::Gauge>& gauges() { return gauges_; }
  // Writes the file, unless no path was given; returns `exit_code`. A file
  // that cannot be written is logged as an error, and the exit code stays
  // the run's.
  int finish(int exit_code);

 private:
  std::filesystem::path path_;
  std::string tool_;
  std::chrono::system_clock::time_point started_ = std::chrono::system_clock::now();
  std::chrono::steady_clock::time_point clock_ = std::chrono::steady_clock::now();
  std::vector<util::Gauge> gauges_;
};

}  // namespace pipeline::cli
