// Logging for both tools: spdlog to stderr and to a rotating file.
#pragma once

#include <filesystem>
#include <string>

namespace pipeline::util {

struct LogOptions {
  // Tool name: the logger's name and the log file's stem (<dir>/<tool>.log).
  std::string tool;
  // Directory of the rotating log file. Default "logs".
  std::filesystem::path dir = "logs";
  // trace, debug, info, warn, error, critical or off. Default "info".
  std::string level = "info";
};

// Installs the default spdlog logger. If the log directory cannot be created
// or written, logging continues on stderr alone and a warning says why: a
// read-only log directory must not stop a load.
void setup_logging(const LogOptions& options);

}  // namespace pipeline::util
