#include "pipeline/util/logging.hpp"

#include <memory>
#include <string>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "pipeline/util/log_file_sink.hpp"
#include "pipeline/util/log_text.hpp"
#include "pipeline/util/private_file.hpp"

namespace pipeline::util {
namespace {

// %* : the message with every unsafe byte escaped (util/log_text.hpp).
class EscapedMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string text;
    append_log_text(std::string_view(msg.payload.data(), msg.payload.size()), text);
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<EscapedMessage>(); }
};

std::unique_ptr<spdlog::formatter> line_formatter() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<EscapedMessage>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %n[%P] %^%l%$: %*");
  return formatter;
}

}  // namespace

void setup_logging(const LogOptions& options) {
  auto logger = std::make_shared<spdlog::logger>(options.tool, std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  logger->set_formatter(line_formatter());
  logger->set_level(spdlog::level::from_str(options.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void open_log_file(const LogOptions& options) {
  std::shared_ptr<LogFileSink> sink;
  try {
    std::filesystem::create_directories(options.dir);
    constexpr std::size_t kMaxFileBytes = 10 * 1024 * 1024;
    constexpr std::size_t kMaxFiles = 5;
    sink = std::make_shared<LogFileSink>(log_file_path(options), kMaxFileBytes, kMaxFiles);
  } catch (const UnsafeFileError&) {
    throw;
  } catch (const std::exception& e) {
    spdlog::warn("logging to stderr only: cannot open a log file in {}: {}", options.dir.string(), e.what());
    return;
  }
  sink->set_formatter(line_formatter());
  spdlog::default_logger()->sinks().push_back(std::move(sink));
}

std::filesystem::path log_file_path(const LogOptions& options) { return options.dir / (options.tool + ".log"); }

}  // namespace pipeline::util
