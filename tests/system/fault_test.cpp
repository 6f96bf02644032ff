// Faults, each against a real server: a database that is down or comes up
// late, a server killed in the middle of a load, two loaders at once, a
// summarizer running beside a load, an unwritable output, and passwords that
// must never leak.
#include <gtest/gtest.h>
#include <unistd.h>

#include <set>
#include <sstream>
#include <thread>

#include "pipeline/db/session.hpp"
#include "pipeline/report/catalog.hpp"
#include "support/generate.hpp"
#include "support/held_input.hpp"
#include "support/private_server.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

using namespace std::chrono_literals;

std::pair<std::string, std::string> checksums(const db::ConnectionOptions& options) {
  db::Session s(options);
  auto value = [&](const char* table) {
    return s.query(std::string("CHECKSUM TABLE ") + table).rows.at(0).at(1).value_or("missing");
  };
  return {value("people"), value("places")};
}

TEST(FaultTest, DatabaseThatComesUpInsideTheWindowIsWaitedFor) {
  PrivateServer server;
  TempDir tmp;
  server.stop();
  Process loader(dataloader_argv(tmp, shipped("people.csv"), {"--connect-timeout", "60"}), server.env());
  std::this_thread::sleep_for(3s);
  ASSERT_TRUE(loader.running()) << "the loader gave up while the database was down";
  server.start();
  const auto result = loader.wait(120s);
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_NE(result.err.find("connect attempt 1 failed"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("connected to"), std::string::npos) << result.err;
  db::Session s(server.options());
  EXPECT_EQ(s.query_value("SELECT COUNT(*) FROM people"), "10000");
}

TEST(FaultTest, DatabaseThatStaysDownIsExit75AtTheDeadlineForBothTools) {
  PrivateServer server;
  TempDir tmp;
  server.stop();
  const std::vector<std::vector<std::string>> commands = {
      dataloader_argv(tmp, shipped("people.csv"), {"--connect-timeout", "3"}),
      {datasummarizer_path(), "--log-dir", (tmp / "logs").string(), "--connect-timeout", "3", "--output",
       (tmp / "s.json").string()}};
  for (const auto& command : commands) {
    const auto start = std::chrono::steady_clock::now();
    const auto result = run(command, server.env());
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(result.exit_code, 75) << describe(result);
    EXPECT_GE(took, 3s);
    EXPECT_LT(took, 20s);
    EXPECT_NE(result.err.find("connect attempt 2 failed"), std::string::npos) << "every attempt is logged";
    EXPECT_NE(result.err.find("database unreachable"), std::string::npos) << result.err;
  }
}

class ServerKilledTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ServerKilledTest, MidLoadLeavesThePreviousDataAndARerunCompletes) {
  const std::string mode = GetParam();
  PrivateServer server;
  TempDir tmp;
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv")), server.env()).exit_code, 0);
  const auto before = checksums(server.options());
  write_people(tmp / "big.csv", 200000, 42);
  const CsvParts parts = split_header(read_file(tmp / "big.csv"));

  // Kill the server while the loader is held mid-stream: half its rows sent,
  // the rest not yet written to its FIFO.
  FifoInput fifo(tmp / "held.csv");
  Process loader(dataloader_argv(tmp, fifo.path(), {"--mode", mode}), server.env());
  ASSERT_TRUE(fifo.write(parts.header + parts.rows.substr(0, parts.rows.size() / 2)));
  db::Session watcher(server.options());
  ASSERT_TRUE(eventually([&] {
    return watcher.query_value(
               "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
               "AND table_name LIKE 'people\\_\\_run\\_%'") == "1";
  })) << "the load never reached the streaming phase";
  ASSERT_TRUE(loader.running());
  server.kill9();
  fifo.close();
  const auto killed = loader.wait(60s);
  EXPECT_NE(killed.exit_code, 0) << describe(killed);
  EXPECT_EQ(killed.exit_code, 75) << "a lost server is a temporary failure\n" << describe(killed);

  server.start();
  EXPECT_EQ(checksums(server.options()), before) << "the tables changed";
  db::Session s(server.options());
  EXPECT_EQ(s.query_value("SELECT status FROM load_runs ORDER BY id DESC LIMIT 1"), "running")
      << "the killed run shows as unfinished";

  const auto rerun = run(dataloader_argv(tmp, tmp / "big.csv", {"--mode", mode}), server.env());
  ASSERT_EQ(rerun.exit_code, 0) << describe(rerun);
  // Append keeps one of equal rows: count the distinct ones, from the files.
  std::set<std::string> distinct;
  for (const auto& file : {tmp / "big.csv", std::filesystem::path(shipped("people.csv"))}) {
    std::istringstream lines(read_file(file));
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) distinct.insert(line);
  }
  EXPECT_EQ(s.query_value("SELECT COUNT(*) FROM people"),
            mode == "replace" ? "200000" : std::to_string(distinct.size()));
  EXPECT_EQ(s.query_value("SELECT status FROM load_runs ORDER BY id DESC LIMIT 1 OFFSET 1"), "abandoned");
  EXPECT_EQ(s.query_value("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                          "AND table_name LIKE '%\\_\\_%'"),
            "0")
      << "scratch tables were left behind";
}

INSTANTIATE_TEST_SUITE_P(Modes, ServerKilledTest, ::testing::Values("replace", "append"));

TEST(FaultTest, TwoLoadersAtOnceExactlyOneLoads) {
  TestDatabase db("twoloaders");
  TempDir tmp;
  write_people(tmp / "people.csv", 60000, 7);
  const CsvParts parts = split_header(read_file(tmp / "people.csv"));
  // The first is held mid-load while the second starts.
  FifoInput fifo(tmp / "held.csv");
  Process first(dataloader_argv(tmp, fifo.path(), {"--mode", "append"}), db.env());
  ASSERT_TRUE(fifo.write(parts.header + parts.rows.substr(0, parts.rows.size() / 2)));
  const auto second = run(dataloader_argv(tmp, tmp / "people.csv", {"--mode", "append"}), db.env());
  EXPECT_EQ(second.exit_code, 75) << describe(second);
  EXPECT_NE(second.err.find("another dataloader is loading database"), std::string::npos) << second.err;
  ASSERT_TRUE(fifo.write(parts.rows.substr(parts.rows.size() / 2)));
  fifo.close();
  const auto a = first.wait();
  EXPECT_EQ(a.exit_code, 0) << describe(a);
  EXPECT_EQ(db.count("people"), 60000u) << "the data was doubled";
}

// Every report of one summarizer run comes from one snapshot: the old data or
// the new, never a mix, while a load runs beside it.
class SummaryDuringLoadTest : public ::testing::TestWithParam<const char*> {};

TEST_P(SummaryDuringLoadTest, ReportsShowTheOldOrTheNewDataNeverAMix) {
  const std::string mode = GetParam();
  TestDatabase db("snapshot");
  TempDir tmp;
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv")), db.env()).exit_code, 0);
  auto summarize = [&](const std::string& name) {
    const auto dir = tmp / name;
    const auto r = run(
        {datasummarizer_path(), "--log-dir", (tmp / "logs").string(), "--all", "--output-dir", dir.string()}, db.env());
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    std::string all;
    for (const report::ReportSpec& spec : report::catalog()) {
      all += read_file(dir / (std::string(spec.name) + ".json")) + "\n";
    }
    return all;
  };
  const std::string old_data = summarize("old");
  write_people(tmp / "big.csv", 200000, 99);
  const CsvParts parts = split_header(read_file(tmp / "big.csv"));

  // Three summaries while the loader is held mid-load, then more while it
  // finishes and publishes.
  FifoInput fifo(tmp / "held.csv");
  Process loader(dataloader_argv(tmp, fifo.path(), {"--mode", mode}), db.env());
  std::vector<std::string> during;
  const std::size_t quarter = parts.rows.size() / 4;
  ASSERT_TRUE(fifo.write(parts.header));
  for (std::size_t k = 0; k < 3; ++k) {
    ASSERT_TRUE(fifo.write(parts.rows.substr(k * quarter, quarter)));
    during.push_back(summarize("during" + std::to_string(during.size())));
  }
  ASSERT_TRUE(fifo.write(parts.rows.substr(3 * quarter)));
  fifo.close();
  while (loader.running()) during.push_back(summarize("during" + std::to_string(during.size())));
  const auto loaded = loader.wait();
  ASSERT_EQ(loaded.exit_code, 0) << describe(loaded);
  const std::string new_data = summarize("new");
  ASSERT_NE(old_data, new_data);
  for (std::size_t i = 0; i < during.size(); ++i) {
    EXPECT_TRUE(during[i] == old_data || during[i] == new_data) << "run " << i << " mixed old and new data";
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, SummaryDuringLoadTest, ::testing::Values("replace", "append"));

TEST(FaultTest, UnwritableOutputDirectoryIsExit73AndTheOldFileStays) {
  TestDatabase db("unwritable");
  TempDir tmp;
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv")), db.env()).exit_code, 0);
  std::filesystem::permissions(tmp.path(), std::filesystem::perms::all, std::filesystem::perm_options::add);
  const auto out = tmp / "out";
  std::filesystem::create_directory(out);
  write_file(out / "summary.json", "previous contents");
  std::filesystem::permissions(out, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                        std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                                        std::filesystem::perms::others_exec);
  // Root writes anywhere; run the tool as nobody so the directory really is unwritable.
  std::vector<std::string> argv;
  if (::geteuid() == 0) argv = {"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"};
  argv.insert(argv.end(), {datasummarizer_path(), "--log-dir", (tmp / "nobody-logs").string(), "--output",
                           (out / "summary.json").string()});
  auto env = db.env();
  env["MYSQL_PASSWORD_FILE"] = std::nullopt;  // root's file is not nobody's to read
  env["MYSQL_PASSWORD"] = db.options().password;
  const auto result = run(argv, env);
  EXPECT_EQ(result.exit_code, 73) << describe(result);
  EXPECT_NE(result.err.find("cannot write " + (out / "summary.json").string()), std::string::npos) << result.err;
  EXPECT_EQ(read_file(out / "summary.json"), "previous contents");
}

TEST(FaultTest, NoPasswordInLogsMessagesOrTheLedger) {
  TestDatabase db("secrets");
  TempDir tmp;
  const std::string password = db.options().password;
  ASSERT_GE(password.size(), 16u);
  const std::string wrong = "NotTheRealPassword-" + std::to_string(::getpid());
  std::vector<ProcessResult> results;
  results.push_back(run(dataloader_argv(tmp, shipped("people.csv")), db.env()));
  results.push_back(run(dataloader_argv(tmp, (source_dir() / "tests/data/bad/invalid_dates.csv").string()), db.env()));
  results.push_back(run(dataloader_argv(tmp, (tmp / "missing.csv").string()), db.env()));
  results.push_back(run({datasummarizer_path(), "--log-dir", (tmp / "logs").string(), "--output",
                         (tmp / "s.json").string(), "--log-level", "trace"},
                        db.env()));
  auto wrong_env = db.env();
  wrong_env["MYSQL_PASSWORD_FILE"] = std::nullopt;
  wrong_env["MYSQL_PASSWORD"] = wrong;
  results.push_back(run(dataloader_argv(tmp, shipped("people.csv"), {"--log-level", "trace"}), wrong_env));
  EXPECT_EQ(results.back().exit_code, 77);

  std::string everything;
  for (const auto& r : results) everything += r.out + r.err;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(tmp.path())) {
    if (entry.is_regular_file() && entry.path().filename() != "missing.csv") everything += read_file(entry.path());
  }
  for (const auto& row : db.session().query("SELECT * FROM load_runs").rows) {
    for (const auto& cell : row) everything += cell.value_or("") + "\n";
  }
  EXPECT_GT(everything.size(), 1000u) << "nothing was collected";
  EXPECT_EQ(everything.find(password), std::string::npos) << "the password leaked";
  EXPECT_EQ(everything.find(wrong), std::string::npos) << "the wrong password leaked";
}

}  // namespace
}  // namespace pipeline::testing
