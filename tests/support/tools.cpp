#include "support/tools.hpp"

#include <signal.h>

#include <thread>

namespace pipeline::testing {
namespace {

ProcessResult run_tool(const std::string& path, const TestDatabase& db, const TempDir& tmp,
                       std::vector<std::string> defaults, std::vector<std::string> args, const EnvOverrides& extra) {
  std::vector<std::string> argv = {path, "--log-dir", (tmp / "logs").string()};
  argv.insert(argv.end(), defaults.begin(), defaults.end());
  argv.insert(argv.end(), args.begin(), args.end());
  EnvOverrides env = db.env();
  for (const auto& [name, value] : extra) env[name] = value;
  return run(argv, env);
}

}  // namespace

ProcessResult run_dataloader(const TestDatabase& db, const TempDir& tmp, std::vector<std::string> args,
                             const EnvOverrides& extra_env) {
  return run_tool(dataloader_path(), db, tmp, {"--progress", "never"}, std::move(args), extra_env);
}

ProcessResult run_datasummarizer(const TestDatabase& db, const TempDir& tmp, std::vector<std::string> args,
                                 const EnvOverrides& extra_env) {
  return run_tool(datasummarizer_path(), db, tmp, {}, std::move(args), extra_env);
}

std::vector<std::string> dataloader_argv(const TempDir& tmp, const std::filesystem::path& people,
                                         std::vector<std::string> extra) {
  std::vector<std::string> argv = {dataloader_path(),     "--log-dir", (tmp / "logs").string(),
                                   "--progress",          "never",     "--places",
                                   shipped("places.csv"), "--people",  people.string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

std::vector<std::string> datasummarizer_argv(const TempDir& tmp, std::vector<std::string> extra) {
  std::vector<std::string> argv = {datasummarizer_path(), "--log-dir", (tmp / "logs").string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

::testing::AssertionResult kill_while_staging(Process& loader, db::Session& session, const std::string& run_id,
                                              int polls) {
  bool streaming = false;
  for (int i = 0; i < polls && !streaming && loader.running(); ++i) {
    streaming = session.query_value(
                    "SELECT COUNT(*) > 0 FROM information_schema.tables WHERE table_schema = DATABASE() "
                    "AND table_name = ?",
                    {"people__run_" + run_id}) == "1";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!streaming) return ::testing::AssertionFailure() << "run " << run_id << " never started staging";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (!loader.running()) return ::testing::AssertionFailure() << "the loader finished before it could be killed";
  ::kill(loader.pid(), SIGKILL);
  loader.wait();
  return ::testing::AssertionSuccess();
}

std::string shipped(const std::string& name) { return (source_dir() / "data" / name).string(); }

std::string describe(const ProcessResult& result) {
  return "exit " + std::to_string(result.exit_code) + "\n--- stdout\n" + result.out + "\n--- stderr\n" + result.err;
}

}  // namespace pipeline::testing
