#include "support/tools.hpp"

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

std::string shipped(const std::string& name) { return (source_dir() / "data" / name).string(); }

std::string describe(const ProcessResult& result) {
  return "exit " + std::to_string(result.exit_code) + "\n--- stdout\n" + result.out + "\n--- stderr\n" + result.err;
}

}  // namespace pipeline::testing
