// Running dataloader and datasummarizer against a TestDatabase, with logs
// kept in the test's temporary directory.
#pragma once

#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/test_database.hpp"

namespace pipeline::testing {

// Runs a tool with `args` after the defaults (--log-dir <tmp>/logs and, for
// dataloader, --progress never), pointed at `db` through the environment.
ProcessResult run_dataloader(const TestDatabase& db, const TempDir& tmp, std::vector<std::string> args,
                             const EnvOverrides& extra_env = {});
ProcessResult run_datasummarizer(const TestDatabase& db, const TempDir& tmp, std::vector<std::string> args,
                                 const EnvOverrides& extra_env = {});

// The shipped data files.
std::string shipped(const std::string& name);

// A readable dump of a finished run, for assertion messages.
std::string describe(const ProcessResult& result);

}  // namespace pipeline::testing
