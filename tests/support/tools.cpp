#include "support/tools.hpp"

#include <signal.h>

#include <regex>
#include <thread>

#include "pipeline/db/named_lock.hpp"
#include "support/held_input.hpp"

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

bool someone_waits_for_a_lock(db::Session& session) {
  return session.query_value(
             "SELECT COUNT(*) FROM information_schema.processlist WHERE db = DATABASE() AND state = 'User lock'") !=
         "0";
}

::testing::AssertionResult start_and_kill_shard(const std::vector<std::string>& argv, const EnvOverrides& env,
                                                db::Session& holder, const std::string& run_id) {
  const std::string lock = db::lock_names::setup(holder.query_value("SELECT DATABASE()").value_or(""), run_id);
  if (holder.query_value("SELECT GET_LOCK(?, 0)", {lock}) != "1") {
    return ::testing::AssertionFailure() << "could not take lock " << lock;
  }
  Process shard(argv, env);
  const bool waiting = eventually([&] { return !shard.running() || someone_waits_for_a_lock(holder); });
  const bool running = shard.running();
  if (running) ::kill(shard.pid(), SIGKILL);
  const ProcessResult result = shard.wait();
  holder.query_value("SELECT RELEASE_LOCK(?)", {lock});
  if (!waiting || !running) {
    return ::testing::AssertionFailure() << "the shard never waited for lock " << lock << "\n" << describe(result);
  }
  return ::testing::AssertionSuccess();
}

std::vector<std::filesystem::path> rejects_files(const TempDir& tmp) {
  std::vector<std::filesystem::path> found;
  if (!std::filesystem::exists(tmp / "logs")) return found;
  for (const auto& entry : std::filesystem::directory_iterator(tmp / "logs")) {
    if (entry.path().filename().string().rfind("rejects-", 0) == 0) found.push_back(entry.path());
  }
  return found;
}

::testing::AssertionResult promtool_accepts(const std::filesystem::path& file) {
  if (!std::filesystem::exists("/usr/bin/promtool")) {
    return ::testing::AssertionFailure() << "/usr/bin/promtool is missing: run scripts/install-deps";
  }
  const auto r = run({"/bin/sh", "-c", "/usr/bin/promtool check metrics <\"$1\"", "sh", file.string()});
  if (r.exit_code == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "promtool check metrics: " << r.out << r.err << "\n" << read_file(file);
}

std::string metric_sample(const std::string& text, const std::string& name) {
  const std::regex line("(^|\n)" + std::regex_replace(name, std::regex(R"([{}"])"), R"(\$&)") + " ([^\n]+)");
  std::smatch match;
  return std::regex_search(text, match, line) ? match[2].str() : "";
}

std::string shipped(const std::string& name) { return (source_dir() / "data" / name).string(); }

std::string describe(const ProcessResult& result) {
  return "exit " + std::to_string(result.exit_code) + "\n--- stdout\n" + result.out + "\n--- stderr\n" + result.err;
}

}  // namespace pipeline::testing
