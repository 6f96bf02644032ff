#include "pipeline/util/logging.hpp"

#include <memory>
#include <vector>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace pipeline::util {

void setup_logging(const LogOptions& options) {
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  std::string file_problem;
  try {
    std::filesystem::create_directories(options.dir);
    constexpr std::size_t kMaxFileBytes = 10 * 1024 * 1024;
    constexpr std::size_t kMaxFiles = 5;
    sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        (options.dir / (options.tool + ".log")).string(), kMaxFileBytes, kMaxFiles));
  } catch (const std::exception& e) {
    file_problem = e.what();
  }
  auto logger = std::make_shared<spdlog::logger>(options.tool, sinks.begin(), sinks.end());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %n[%P] %^%l%$: %v");
  logger->set_level(spdlog::level::from_str(options.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  if (!file_problem.empty()) {
    spdlog::warn("logging to stderr only: cannot open a log file in {}: {}", options.dir.string(), file_problem);
  }
}

}  // namespace pipeline::util
