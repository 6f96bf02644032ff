// Running the built tools from tests: arguments, environment overrides,
// captured output, exit code, and a timeout so that a hang fails the test
// instead of stalling the suite.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pipeline::testing {

struct ProcessResult {
  // The exit status; 128 + signal if killed; -1 if it timed out.
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Environment changes for a child: a value sets, nullopt unsets.
using EnvOverrides = std::map<std::string, std::optional<std::string>>;

// How a child is started, beyond its argv and environment.
struct ProcessOptions {
  // The child's working directory. Default (empty): the test's own.
  std::filesystem::path cwd;
  // Start the child with standard output a pipe whose read end is closed
  // before it starts, as under `| head -c 0` once head has exited: every
  // write to it fails with EPIPE (or raises SIGPIPE). Nothing is captured
  // then: ProcessResult::out stays empty. Default off.
  bool closed_stdout = false;
};

class Process {
 public:
  // Starts argv[0] (a path) with stdin from /dev/null.
  Process(const std::vector<std::string>& argv, const EnvOverrides& env = {}, const ProcessOptions& options = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Waits for the exit, collecting output; kills the child at `timeout`.
  ProcessResult wait(std::chrono::seconds timeout = std::chrono::seconds(180));
  // Whether the child has not exited yet (does not wait).
  bool running();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  bool waited_ = false;
  bool reaped_ = false;
  int status_ = 0;
};

inline ProcessResult run(const std::vector<std::string>& argv, const EnvOverrides& env = {},
                         std::chrono::seconds timeout = std::chrono::seconds(180)) {
  return Process(argv, env).wait(timeout);
}

}  // namespace pipeline::testing
