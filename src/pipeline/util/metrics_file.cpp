#include "pipeline/util/metrics_file.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "pipeline/error.hpp"
#include "pipeline/util/atomic_file.hpp"
#include "pipeline/util/output_path.hpp"

namespace pipeline::util {
namespace {

constexpr mode_t kMetricsPermissions = 0644;

double unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// Whole numbers as such (counts, codes); others to the millisecond.
std::string number(double value) {
  if (std::floor(value) == value && std::fabs(value) < 1e15) return fmt::format("{}", static_cast<long long>(value));
  return fmt::format("{:.3f}", value);
}

void append(std::string& out, const std::string& tool, const Gauge& gauge) {
  const std::string name = tool + "_" + gauge.name;
  out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, gauge.help, name);
  for (const auto& [labels, value] : gauge.samples) {
    out += labels.empty() ? fmt::format("{} {}\n", name, number(value))
                          : fmt::format("{}{{{}}} {}\n", name, labels, number(value));
  }
}

}  // namespace

std::string metrics_text(const RunMetrics& run, std::optional<double> previous_success) {
  const bool success = run.exit_code == 0;
  const double started = unix_seconds(run.started);
  std::optional<double> last_success = success ? std::optional(started + run.seconds) : previous_success;
  std::string out;
  append(out, run.tool, {"run_success", "1 if the last run succeeded, else 0", {{"", success ? 1 : 0}}});
  append(out, run.tool, {"run_exit_code", "Exit code of the last run (see --help)", {{"", run.exit_code}}});
  append(out, run.tool, {"run_start_time_seconds", "Start of the last run, Unix time", {{"", started}}});
  append(out, run.tool, {"run_duration_seconds", "Duration of the last run", {{"", run.seconds}}});
  if (last_success) {
    append(out, run.tool,
           {"last_success_time_seconds", "End of the last successful run, Unix time", {{"", *last_success}}});
  }
  for (const Gauge& gauge : run.gauges) append(out, run.tool, gauge);
  return out;
}

std::optional<double> last_success_in(std::string_view text, std::string_view tool) {
  const std::string key = fmt::format("{}_last_success_time_seconds ", tool);
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(key, 0) != 0) continue;
    try {
      std::size_t used = 0;
      const double value = std::stod(line.substr(key.size()), &used);
      if (std::isfinite(value) && value > 0) return value;
    } catch (const std::exception&) {
    }
    return std::nullopt;
  }
  return std::nullopt;
}

void check_metrics_path(const std::filesystem::path& path) {
  // A collector reads regular files, replaced whole; a FIFO would hold the
  // write open for ever, and "-" would be a file named "-".
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  const bool not_a_file = path == "-" || (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status));
  if (not_a_file) {
    throw Error(ExitCode::kCantCreate, fmt::format("cannot write the metrics file {}: it must be a regular file (a "
                                                   "path ending in .prom in the collector's directory)",
                                                   path.string()));
  }
  check_output_path(path, "the metrics file");
}

void write_metrics_file(const std::filesystem::path& path, const RunMetrics& run) {
  check_metrics_path(path);
  std::optional<double> previous;
  if (std::ifstream in{path, std::ios::binary}) {
    std::ostringstream text;
    text << in.rdbuf();
    previous = last_success_in(text.str(), run.tool);
  }
  write_file_atomically(path, metrics_text(run, previous), kMetricsPermissions);
}

}  // namespace pipeline::util
