// dataloader --check: both files validated and the rejects CSV written
// without a database. Every run here but the comparison with a real load
// has no server settings at all, or settings that point at a listener of
// the test's own that records whether anyone connected.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <regex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/held_input.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

constexpr const char* kPeopleHeader = "given_name,family_name,date_of_birth,place_of_birth\n";

// No server to find, no user, no password.
const EnvOverrides kNoServer = {{"MYSQL_HOST", std::nullopt},          {"MYSQL_TCP_PORT", std::nullopt},
                                {"MYSQL_UNIX_PORT", std::nullopt},     {"MYSQL_USER", std::nullopt},
                                {"MYSQL_DATABASE", std::nullopt},      {"MYSQL_PASSWORD", std::nullopt},
                                {"MYSQL_PASSWORD_FILE", std::nullopt}, {"MYSQL_CONNECT_TIMEOUT", std::nullopt},
                                {"DATALOADER_RUN_ID", std::nullopt}};

std::string bad(const std::string& name) { return (source_dir() / "tests" / "data" / "bad" / name).string(); }

ProcessResult check(const TempDir& tmp, std::vector<std::string> args, EnvOverrides env = kNoServer) {
  std::vector<std::string> argv = {dataloader_path(), "--log-dir", (tmp / "logs").string(),
                                   "--progress",      "never",     "--check"};
  argv.insert(argv.end(), args.begin(), args.end());
  for (const auto& [name, value] : kNoServer) env.try_emplace(name, value);
  return run(argv, env);
}

// A listening socket of the test's own. The kernel queues a connection to
// it whether or not anyone accepts, so after the tool has exited, an empty
// queue means that it never connected.
class Listener {
 public:
  // A TCP socket on a free loopback port, or (with a path) a unix socket.
  explicit Listener(const std::filesystem::path& unix_path = {}) {
    if (unix_path.empty()) {
      fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0) << std::strerror(errno);
      socklen_t size = sizeof address;
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
      port_ = ntohs(address.sin_port);
    } else {
      fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
      sockaddr_un address{};
      address.sun_family = AF_UNIX;
      std::strncpy(address.sun_path, unix_path.c_str(), sizeof address.sun_path - 1);
      EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0) << std::strerror(errno);
    }
    EXPECT_EQ(::listen(fd_, 16), 0) << std::strerror(errno);
  }
  ~Listener() { ::close(fd_); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  int port() const { return port_; }
  // Whether a connection is waiting; takes it off the queue.
  bool connected() {
    const int client = ::accept(fd_, nullptr, nullptr);
    if (client < 0) return false;
    ::close(client);
    return true;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(CheckTest, GoodFilesExit0AndNoRejectsFileIsCreated) {
  TempDir tmp;
  const auto result = check(tmp, {"--places", shipped("places.csv"), "--people", shipped("people.csv")});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_TRUE(rejects_files(tmp).empty()) << "a rejects file was created with no row rejected";
  EXPECT_NE(result.err.find(shipped("places.csv") + ": 114 rows read, 0 rejected"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(shipped("people.csv") + ": 10,000 rows read, 10,000 valid, 0 rejected"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("succeeded"), std::string::npos) << result.err;
  // A chosen --rejects exists afterwards, holding only its header, as a load's does.
  const auto named = check(tmp, {"--places", shipped("places.csv"), "--people", shipped("people.csv"), "--rejects",
                                 (tmp / "rejects.csv").string()});
  ASSERT_EQ(named.exit_code, 0) << describe(named);
  EXPECT_EQ(read_file(tmp / "rejects.csv"), "file,line,field,reason,raw\r\n");
}

TEST(CheckTest, BadRowsExit65AndAreListedInTheDefaultRejectsFile) {
  TempDir tmp;
  const std::string people = bad("invalid_dates.csv");
  const auto result = check(tmp, {"--places", shipped("places.csv"), "--people", people});
  ASSERT_EQ(result.exit_code, 65) << describe(result);
  const auto files = rejects_files(tmp);
  ASSERT_EQ(files.size(), 1u);
  const std::string listed = read_file(files.front());
  EXPECT_NE(listed.find(people + ",2,date_of_birth,'1900-02-29': day 29 does not exist in February 1900,"),
            std::string::npos)
      << listed;
  EXPECT_NE(result.err.find("rejected " + people + ":4: date_of_birth"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(people + ": 3 rows read, 0 valid, 3 rejected"), std::string::npos) << result.err;
  // The file is named as a load names it, after the run id the log gives.
  const std::regex run_id(R"(run (\d{8}T\d{6}Z-[0-9a-f]{6}): check of)");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(result.err, match, run_id)) << result.err;
  EXPECT_EQ(files.front().filename().string(), "rejects-" + match[1].str() + ".csv");
}

// The one rule: over every file of the hostile-input corpus, --check gives
// the exit code and the rejects CSV, byte for byte, of a real load of the
// same files into tables that hold data (the nightly case), with one job
// and with three.
TEST(CheckTest, RejectsAndExitCodesAreThoseOfARealLoadOfTheSameFiles) {
  TestDatabase db("check");
  TempDir tmp;
  const auto baseline = run_dataloader(db, tmp, {"--places", shipped("places.csv"), "--people", shipped("people.csv")});
  ASSERT_EQ(baseline.exit_code, 0) << describe(baseline);
  int compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir() / "tests" / "data" / "bad")) {
    if (entry.path().extension() != ".csv") continue;
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    const bool places_file = name.rfind("places_", 0) == 0;
    const std::vector<std::string> files = {"--places", places_file ? entry.path().string() : shipped("places.csv"),
                                            "--people", places_file ? shipped("people.csv") : entry.path().string()};
    const auto with = [&](const std::string& rejects, std::vector<std::string> extra) {
      std::vector<std::string> args = files;
      args.insert(args.end(), {"--rejects", (tmp / rejects).string()});
      args.insert(args.end(), extra.begin(), extra.end());
      return args;
    };
    const auto loaded = run_dataloader(db, tmp, with("load.csv", {}));
    ASSERT_LT(loaded.exit_code, 66) << describe(loaded);
    for (const char* jobs : {"1", "3"}) {
      SCOPED_TRACE(std::string("--jobs ") + jobs);
      const auto checked = check(tmp, with("check.csv", {"--jobs", jobs}));
      EXPECT_EQ(checked.exit_code, loaded.exit_code) << describe(checked) << "\nthe load:\n" << describe(loaded);
      EXPECT_EQ(read_file(tmp / "check.csv"), read_file(tmp / "load.csv"));
    }
    ++compared;
  }
  EXPECT_GE(compared, 30);
}

// The limit comes from the schema.sql the binary embeds: a name as long as
// its VARCHAR passes, one character more is rejected, in characters (each
// 'é' is two bytes).
TEST(CheckTest, ANameLongerThanTheSchemasColumnIsRejectedWithoutAServer) {
  const std::string schema = read_file(source_dir() / "schema.sql");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(schema, match, std::regex(R"(given_name\s+VARCHAR\((\d+)\))"))) << schema;
  const std::size_t length = std::stoul(match[1].str());
  std::string fits, longer = "é";
  for (std::size_t i = 0; i < length; ++i) fits += "é";
  longer += fits;
  TempDir tmp;
  write_file(tmp / "people.csv",
             std::string(kPeopleHeader) + fits + ",Smith,1990-01-01,Kelso\n" + longer + ",Smith,1990-01-01,Kelso\n");
  const auto result = check(tmp, {"--places", shipped("places.csv"), "--people", (tmp / "people.csv").string(),
                                  "--rejects", (tmp / "rejects.csv").string()});
  ASSERT_EQ(result.exit_code, 65) << describe(result);
  const std::string listed = read_file(tmp / "rejects.csv");
  EXPECT_NE(
      listed.find(fmt::format(",3,given_name,is {} characters long; the column holds at most {},", length + 1, length)),
      std::string::npos)
      << listed;
  EXPECT_EQ(listed.find(",2,"), std::string::npos) << "the name that fits was rejected:\n" << listed;
}

// Server settings that a cron line's environment may carry point at
// listeners of the test's own: --check leaves them untouched, while a load
// given the same settings does connect (so the listeners can tell).
TEST(CheckTest, NoConnectionIsTried) {
  TempDir tmp;
  Listener tcp;
  Listener socket(tmp / "mysqld.sock");
  const std::vector<std::string> files = {"--places", shipped("places.csv"), "--people", bad("unknown_place.csv")};
  const EnvOverrides over_tcp = {{"MYSQL_HOST", "127.0.0.1"}, {"MYSQL_TCP_PORT", std::to_string(tcp.port())}};
  const EnvOverrides over_socket = {
      {"MYSQL_HOST", "localhost"}, {"MYSQL_UNIX_PORT", (tmp / "mysqld.sock").string()}, {"MYSQL_USER", "someone"}};
  for (const EnvOverrides& env : {over_tcp, over_socket}) {
    const auto result = check(tmp, files, env);
    EXPECT_EQ(result.exit_code, 65) << describe(result);
    EXPECT_EQ(result.err.find("connect"), std::string::npos) << result.err;
  }
  EXPECT_FALSE(tcp.connected()) << "--check connected over TCP";
  EXPECT_FALSE(socket.connected()) << "--check connected to the unix socket";
  EXPECT_EQ(read_file(tmp / "logs" / "dataloader.log").find("connect"), std::string::npos);

  // The control: the same settings without --check reach the listeners.
  for (auto [env, listener] : {std::pair{over_tcp, &tcp}, std::pair{over_socket, &socket}}) {
    env["MYSQL_USER"] = "someone";
    for (const auto& [name, value] : kNoServer) env.try_emplace(name, value);
    std::vector<std::string> argv = {dataloader_path(), "--log-dir", (tmp / "logs").string(), "--progress", "never"};
    argv.insert(argv.end(), files.begin(), files.end());
    Process load(argv, env);
    EXPECT_TRUE(eventually([&] { return listener->connected(); })) << "the control load never connected";
    ::kill(load.pid(), SIGKILL);
    load.wait();
  }
}

TEST(CheckTest, AMissingInputIsExit66) {
  TempDir tmp;
  for (const char* flag : {"--places", "--people"}) {
    std::vector<std::string> args = {"--places", shipped("places.csv"), "--people", shipped("people.csv")};
    args[std::string(flag) == "--places" ? 1 : 3] = (tmp / "missing.csv").string();
    const auto result = check(tmp, args);
    EXPECT_EQ(result.exit_code, 66) << describe(result);
    EXPECT_NE(result.err.find(std::string("cannot read ") + flag + " " + (tmp / "missing.csv").string()),
              std::string::npos)
        << result.err;
  }
}

TEST(CheckTest, FlagsThatNeedADatabaseAreRefused) {
  TempDir tmp;
  const std::vector<std::vector<std::string>> refused = {
      {"--cleanup", "run1"}, {"--dry-run"},        {"--shard", "1/2", "--run-id", "r1"},
      {"--streams", "2"},    {"--wait-lock", "5"}, {"--publish-timeout", "5"},
      {"--mode", "append"},
  };
  for (const auto& extra : refused) {
    SCOPED_TRACE(extra.front());
    std::vector<std::string> args = {"--places", shipped("places.csv"), "--people", shipped("people.csv")};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = check(tmp, args);
    EXPECT_EQ(result.exit_code, 64) << describe(result);
    EXPECT_NE(result.err.find(extra.front() == "--mode" ? "replace run" : "excludes"), std::string::npos) << result.err;
  }
  const auto replace = check(tmp, {"--places", shipped("places.csv"), "--people", shipped("people.csv"), "--mode",
                                   "replace", "--run-id", "mine"});
  EXPECT_EQ(replace.exit_code, 0) << describe(replace);
}

TEST(CheckTest, MaxRejectsAndAllowEmptyJudgeAsALoadDoes) {
  TempDir tmp;
  write_file(tmp / "people.csv", std::string(kPeopleHeader) +
                                     "Ann,Smith,01/02/1990,Kelso\nBob,Jones,1990-01-02,Atlantis\n" +
                                     "Cy,Smith,1990-01-02,Kelso\n");
  const std::vector<std::string> files = {"--places",  shipped("places.csv"),
                                          "--people",  (tmp / "people.csv").string(),
                                          "--rejects", (tmp / "rejects.csv").string()};
  const auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.begin(), files.begin(), files.end());
    return extra;
  };
  const auto over = check(tmp, with({"--max-rejects", "1"}));
  EXPECT_EQ(over.exit_code, 65) << describe(over);
  EXPECT_NE(over.err.find("2 row(s) rejected, more than --max-rejects 1"), std::string::npos) << over.err;
  const auto within = check(tmp, with({"--max-rejects", "2"}));
  EXPECT_EQ(within.exit_code, 0) << describe(within);
  const std::string listed = read_file(tmp / "rejects.csv");
  EXPECT_NE(listed.find(",2,date_of_birth,"), std::string::npos) << listed;
  EXPECT_NE(listed.find(",3,place_of_birth,'Atlantis' is not a city in places.csv"), std::string::npos) << listed;

  // A file without data rows would empty its table: refused, as the nightly
  // replace refuses it, unless --allow-empty.
  write_file(tmp / "people.csv", kPeopleHeader);
  const auto empty = check(tmp, files);
  EXPECT_EQ(empty.exit_code, 65) << describe(empty);
  EXPECT_NE(empty.err.find("has no data rows: replacing would empty the people table"), std::string::npos) << empty.err;
  const auto allowed = check(tmp, with({"--allow-empty"}));
  EXPECT_EQ(allowed.exit_code, 0) << describe(allowed);
}

TEST(CheckTest, TheReportJsonSaysItWasACheck) {
  TempDir tmp;
  const auto result = check(tmp, {"--places", shipped("places.csv"), "--people", bad("unknown_place.csv"),
                                  "--report-json", (tmp / "report.json").string()});
  ASSERT_EQ(result.exit_code, 65) << describe(result);
  const auto j = nlohmann::json::parse(read_file(tmp / "report.json"));
  EXPECT_EQ(j["check"], true);
  EXPECT_EQ(j["status"], "rejected");
  EXPECT_EQ(j["exit_code"], 65);
  EXPECT_EQ(j["people"]["read"], 3);
  EXPECT_EQ(j["people"]["rejected"], 1);
  ASSERT_TRUE(j["rejects_file"].is_string());
  EXPECT_TRUE(std::filesystem::exists(j["rejects_file"].get<std::string>()));
}

// The rejects CSV is the load's, with the load's file safety.
TEST(CheckTest, APlantedSymlinkAsTheRejectsFileIsRefused) {
  TempDir tmp;
  write_file(tmp / "victim.txt", "precious\n");
  std::filesystem::create_symlink(tmp / "victim.txt", tmp / "rej.csv");
  const auto result = check(tmp, {"--places", shipped("places.csv"), "--people", bad("unknown_place.csv"), "--rejects",
                                  (tmp / "rej.csv").string()});
  EXPECT_EQ(result.exit_code, 73) << describe(result);
  EXPECT_NE(result.err.find("symbolic link"), std::string::npos) << result.err;
  EXPECT_EQ(read_file(tmp / "victim.txt"), "precious\n");
}

}  // namespace
}  // namespace pipeline::testing
