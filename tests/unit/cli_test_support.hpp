// What the command-line tests share: environment variables set for one
// test, dataloader's flags parsed as its main parses them (quietly, or
// expecting resolve_connection to fail).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/cli/dataloader_cli.hpp"

namespace pipeline::cli::testing_support {

// Sets environment variables for one test and restores them after.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<const char*, const char*>> vars) {
    for (const auto& [name, value] : vars) {
      const char* old = std::getenv(name);
      saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      if (value) {
        ::setenv(name, value, 1);
      } else {
        ::unsetenv(name);
      }
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

inline const std::initializer_list<std::pair<const char*, const char*>> kClearEnv = {
    {"MYSQL_HOST", nullptr},          {"MYSQL_TCP_PORT", nullptr},       {"MYSQL_UNIX_PORT", nullptr},
    {"MYSQL_USER", nullptr},          {"MYSQL_DATABASE", nullptr},       {"MYSQL_PASSWORD", nullptr},
    {"MYSQL_PASSWORD_FILE", nullptr}, {"MYSQL_CONNECT_TIMEOUT", nullptr}};

inline std::optional<int> parse_loader(std::vector<std::string> args, load::LoaderOptions& options, CommonFlags& flags) {
  CLI::App app;
  static std::string cleanup;
  setup_dataloader(app, options, flags, cleanup);
  std::vector<char*> argv = {const_cast<char*>("dataloader")};
  for (auto& a : args) argv.push_back(a.data());
  return parse(app, static_cast<int>(argv.size()), argv.data());
}

// parse_loader with stdout and stderr captured: the exit code (nullopt to
// carry on) and what was printed.
struct Parsed {
  std::optional<int> code;
  std::string out;
  std::string err;
};
inline Parsed parse_quietly(std::vector<std::string> args, load::LoaderOptions& o, CommonFlags& f) {
  testing::internal::CaptureStderr();
  testing::internal::CaptureStdout();
  Parsed parsed;
  parsed.code = parse_loader(std::move(args), o, f);
  parsed.err = testing::internal::GetCapturedStderr();
  parsed.out = testing::internal::GetCapturedStdout();
  return parsed;
}

inline std::string resolve_error(load::LoaderOptions& o, const CommonFlags& f, ExitCode expected) {
  try {
    resolve_connection(o.connection, f);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), expected) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "resolve_connection accepted it";
  return "";
}

}  // namespace pipeline::cli::testing_support
