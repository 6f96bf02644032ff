// The project's one exception type for fatal conditions, and the exit codes
// (sysexits.h) the tools report. Per-row problems are values, never Errors;
// an Error ends the run and is caught once, in the tool's main.
#pragma once

#include <stdexcept>
#include <string>

namespace pipeline {

enum class ExitCode : int {
  kOk = 0,
  kUsage = 64,       // bad command line or configuration
  kDataError = 65,   // input data rejected: fix the input
  kNoInput = 66,     // an input file is missing or unreadable
  kSoftware = 70,    // internal error: a bug, or the server did something unexpected
  kOsError = 71,     // the system lacks what the tool needs (/dev/null for a closed stdio)
  kCantCreate = 73,  // an output file cannot be written
  kIoError = 74,     // the output's reader went away (a closed pipe) before the whole output was written
  kTempFail = 75,    // database unreachable or busy: try again later
  kNoPerm = 77,      // the database refused the credentials, a privilege, writes (read-only) or a setting the run needs
  // Stopped by a signal, cleaned up: 128 + the signal's number, as a shell
  // reports a process the signal killed (util/interrupt.hpp).
  kInterrupted = 130,  // SIGINT
  kTerminated = 143,   // SIGTERM (docker stop)
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}

  ExitCode code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

// The exit-code table shown by --help and README.
inline constexpr const char* kExitCodeHelp =
    "Exit codes:\n"
    "  0   ok\n"
    "  64  bad usage (command line or configuration)\n"
    "  65  input data rejected: fix the input\n"
    "  66  input file missing or unreadable\n"
    "  70  internal error\n"
    "  71  the system lacks what the tool needs (e.g. /dev/null)\n"
    "  73  output cannot be written\n"
    "  74  the output's reader went away (closed pipe): the output is incomplete\n"
    "  75  temporary failure: database unreachable or busy; try again later\n"
    "  77  the database refused the credentials, a privilege, writes (read-only) or a setting\n"
    "      the run needs (local_infile)\n"
    "  130 stopped by SIGINT, after cleaning up: nothing was changed\n"
    "  143 stopped by SIGTERM (docker stop), likewise\n";

}  // namespace pipeline
