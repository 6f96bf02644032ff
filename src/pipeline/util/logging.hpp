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

// Installs the default spdlog logger, on stderr only. Every message is
// escaped on its way out (util/log_text.hpp): values from input files, file
// names and the environment cannot forge a line or drive the terminal.
void setup_logging(const LogOptions& options);

// Adds the rotating log file to it (util/log_file_sink.hpp). If the log
// directory cannot be created or written, logging continues on stderr alone
// and a warning says why: a read-only log directory must not stop a load.
// A log file that is unsafe to write (a planted symbolic link) is refused:
// throws UnsafeFileError (exit 73).
void open_log_file(const LogOptions& options);

// <dir>/<tool>.log
std::filesystem::path log_file_path(const LogOptions& options);

}  // namespace pipeline::util
