// Running dataloader and datasummarizer against a TestDatabase, with logs
// kept in the test's temporary directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipeline/db/session.hpp"
#include "support/process.hpp"
#include "support/test_database.hpp"

namespace pipeline::testing {

// Runs a tool with `args` after the defaults (--log-dir <tmp>/logs and, for
// dataloader, --progress never), pointed at `db` through the environment.
ProcessResult run_dataloader(const TestDatabase& db, const TempDir& tmp, std::vector<std::string> args,
                             const EnvOverrides& extra_env = {});
ProcessResult run_datasummarizer(const TestDatabase& db, const TempDir& tmp, std::vector<std::string> args,
                                 const EnvOverrides& extra_env = {});

// The argv of dataloader loading `people` with the shipped places.csv, logs in
// `tmp` and no progress line, then `extra`: for runs pointed at a server
// other than a TestDatabase (a Spider cluster) or started as a Process.
std::vector<std::string> dataloader_argv(const TempDir& tmp, const std::filesystem::path& people,
                                         std::vector<std::string> extra = {});
// The argv of datasummarizer with logs in `tmp`, then `extra`.
std::vector<std::string> datasummarizer_argv(const TempDir& tmp, std::vector<std::string> extra = {});

// Kills a shard of run `run_id` while it runs, at a point its speed cannot
// move: holds the run's setup lock on `holder`, starts `argv` as a Process,
// waits until it waits for that lock (it has joined the run and read its
// files), SIGKILLs and reaps it, and releases the lock. Fails if the shard
// never waits, or exits first.
::testing::AssertionResult start_and_kill_shard(const std::vector<std::string>& argv, const EnvOverrides& env,
                                                db::Session& holder, const std::string& run_id);

// Whether a connection to `session`'s database waits in GET_LOCK.
bool someone_waits_for_a_lock(db::Session& session);

// The rejects files a tool run with run_dataloader's defaults left in
// <tmp>/logs (none if it has no logs/).
std::vector<std::filesystem::path> rejects_files(const TempDir& tmp);

// promtool (Debian's prometheus package, which scripts/install-deps installs
// for the tests) on the metrics file `file`: its verdict, as a failure
// message if it fails or is missing.
::testing::AssertionResult promtool_accepts(const std::filesystem::path& file);

// In a Prometheus text file, the value of the sample `name` (with its labels,
// e.g. dataloader_rows_loaded{file="people"}), or "" if absent.
std::string metric_sample(const std::string& text, const std::string& name);

// The shipped data files.
std::string shipped(const std::string& name);

// A readable dump of a finished run, for assertion messages.
std::string describe(const ProcessResult& result);

}  // namespace pipeline::testing
