// --metrics-file: a run's outcome as a Prometheus textfile-collector file
// (node_exporter --collector.textfile.directory), written atomically at the
// end of every run, success or not, so an alert can fire on a failed or a
// missing night. Every metric is a gauge named <tool>_...; the names are
// listed in docs/operations.md.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::util {

// A gauge with one sample per label set ("" for none, else e.g. file="people").
struct Gauge {
  std::string name;  // after the tool's prefix, e.g. "rows_loaded"
  std::string help;
  std::vector<std::pair<std::string, double>> samples;
};

struct RunMetrics {
  std::string tool;  // the metrics' prefix: dataloader, datasummarizer
  std::chrono::system_clock::time_point started;
  double seconds = 0;
  int exit_code = 0;
  // The tool's own figures (rows, reports, bytes).
  std::vector<Gauge> gauges;
};

// The file's text. <tool>_last_success_time_seconds is the end of this run
// when it succeeded, else `previous_success` (absent if that is nullopt too).
std::string metrics_text(const RunMetrics& run, std::optional<double> previous_success);

// <tool>_last_success_time_seconds in the metrics text `text`, if there.
std::optional<double> last_success_in(std::string_view text, std::string_view tool);

// Replaces `path` with metrics_text(), carrying the last success over from
// the file it replaces. Mode 0644 minus the umask: the collector reads it as
// another user. Throws Error(kCantCreate) as write_file_atomically does.
// Throws Error(kCantCreate) unless `path` is a regular file or can become
// one: not "-", a FIFO, a device or a directory, and writable.
void check_metrics_path(const std::filesystem::path& path);

void write_metrics_file(const std::filesystem::path& path, const RunMetrics& run);

}  // namespace pipeline::util
