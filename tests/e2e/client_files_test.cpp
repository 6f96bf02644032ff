// The files the tools write and the logs they keep, in surroundings other
// people and programs share: a umask of 0, planted symbolic links and hard
// links, outputs that name inputs, hostile bytes in data and file names, and
// closed standard streams.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>

#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

constexpr const char* kPeopleHeader = "given_name,family_name,date_of_birth,place_of_birth\n";

class ClientFilesTest : public ::testing::Test {
 protected:
  ClientFilesTest() : db("files") {}

  std::string file(const std::string& name, const std::string& content) {
    write_file(tmp / name, content);
    return (tmp / name).string();
  }
  // dataloader through /bin/sh running `shell_prefix` first (a umask, closed
  // descriptors), then exec'ing the tool with `args` after the shipped places.
  ProcessResult load_via_shell(const std::string& shell_prefix, const std::string& people,
                               std::vector<std::string> args = {}) {
    std::vector<std::string> argv = {"/bin/sh", "-c", shell_prefix + " exec \"$@\"", "sh"};
    const std::vector<std::string> tool = dataloader_argv(tmp, people, std::move(args));
    argv.insert(argv.end(), tool.begin(), tool.end());
    return run(argv, db.env());
  }
  ProcessResult load(const std::string& people, std::vector<std::string> args = {}) {
    return load_via_shell("", people, std::move(args));
  }
  std::string log_text() { return read_file(tmp / "logs" / "dataloader.log"); }
  std::string last_status() {
    return db.session().query_value("SELECT status FROM load_runs ORDER BY id DESC LIMIT 1").value_or("none");
  }

  TestDatabase db;
  TempDir tmp;
};

unsigned permissions(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

// Every line of a log must be one the logger wrote: it starts with its
// timestamp and process id.
void expect_only_logger_lines(const std::string& text, const std::string& what) {
  static const std::regex kLine(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:?\d\d \w+\[\d+\] \w+: .*)");
  std::istringstream lines(text);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    EXPECT_TRUE(std::regex_match(line, kLine)) << what << " has a line the logger did not write: " << line;
    EXPECT_EQ(line.find('\x1b'), std::string::npos) << what << " carries a raw ESC: " << line;
  }
  EXPECT_GT(count, 0) << what << " is empty";
}

TEST_F(ClientFilesTest, RejectsAreOwnerOnlyAndLogsAndReportsNotWorldReadableWhateverTheUmask) {
  const auto people =
      file("people.csv", std::string(kPeopleHeader) + "Ann,Smith,01/02/1990,Kelso\n" + "Bob,Smith,1990-01-02,Kelso\n");
  const auto rejects = tmp / "rejects.csv";
  const auto report = tmp / "report.json";
  const auto result = load_via_shell(
      "umask 000;", people, {"--rejects", rejects.string(), "--report-json", report.string(), "--max-rejects", "10"});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(permissions(rejects), 0600u);
  EXPECT_EQ(permissions(tmp / "logs" / "dataloader.log") & ~0640u, 0u)
      << std::oct << permissions(tmp / "logs" / "dataloader.log");
  EXPECT_EQ(permissions(report) & ~0640u, 0u) << std::oct << permissions(report);
}

TEST_F(ClientFilesTest, AnExistingRejectsFileReadableByOthersIsMadePrivate) {
  const auto rejects = file("rejects.csv", "old\n");
  ASSERT_EQ(::chmod(rejects.c_str(), 0644), 0);
  const auto people =
      file("people.csv", std::string(kPeopleHeader) + "Ann,Smith,01/02/1990,Kelso\n" + "Bob,Smith,1990-01-02,Kelso\n");
  const auto result = load(people, {"--rejects", rejects, "--max-rejects", "10"});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(permissions(rejects), 0600u);
  EXPECT_NE(read_file(rejects).find("01/02/1990"), std::string::npos);
}

TEST_F(ClientFilesTest, APlantedSymlinkAsTheRejectsFileIsRefused) {
  const auto victim = file("victim.txt", "precious\n");
  std::filesystem::create_symlink(victim, tmp / "rej.csv");
  const auto result = load(shipped("people.csv"), {"--rejects", (tmp / "rej.csv").string()});
  EXPECT_EQ(result.exit_code, 73) << describe(result);
  EXPECT_NE(result.err.find("symbolic link"), std::string::npos) << result.err;
  EXPECT_EQ(read_file(victim), "precious\n");
  EXPECT_EQ(db.session().query_value("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                                     "AND table_name = 'people'"),
            "0")
      << "nothing is loaded";
}

TEST_F(ClientFilesTest, ARejectsFileWithAnotherHardLinkIsRefused) {
  const auto victim = file("victim.txt", "precious\n");
  std::filesystem::create_hard_link(victim, tmp / "rej.csv");
  const auto result = load(shipped("people.csv"), {"--rejects", (tmp / "rej.csv").string()});
  EXPECT_EQ(result.exit_code, 73) << describe(result);
  EXPECT_NE(result.err.find("hard link"), std::string::npos) << result.err;
  EXPECT_EQ(read_file(victim), "precious\n");
}

TEST_F(ClientFilesTest, APlantedSymlinkAsTheLogFileIsRefused) {
  const auto victim = file("victim.txt", "precious\n");
  std::filesystem::create_directories(tmp / "logs");
  std::filesystem::create_symlink(victim, tmp / "logs" / "dataloader.log");
  const auto result = load(shipped("people.csv"));
  EXPECT_EQ(result.exit_code, 73) << describe(result);
  EXPECT_NE(result.err.find("the log file"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("symbolic link"), std::string::npos) << result.err;
  EXPECT_EQ(read_file(victim), "precious\n");
  EXPECT_TRUE(std::filesystem::is_symlink(tmp / "logs" / "dataloader.log"));
}

TEST_F(ClientFilesTest, AFileOrFifoOfAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file away";
  const auto theirs = file("theirs.csv", "old\n");
  ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
  ASSERT_EQ(::mkfifo((tmp / "trap.csv").c_str(), 0666), 0);
  ASSERT_EQ(::chown((tmp / "trap.csv").c_str(), 65534, 65534), 0);
  // Its owner is reading it, waiting for the rows.
  const int reader = ::open((tmp / "trap.csv").c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  for (const std::string& path : {theirs, (tmp / "trap.csv").string()}) {
    SCOPED_TRACE(path);
    const auto result = load(shipped("people.csv"), {"--rejects", path});
    EXPECT_EQ(result.exit_code, 73) << describe(result);
    EXPECT_NE(result.err.find("belongs to another user"), std::string::npos) << result.err;
  }
  EXPECT_EQ(read_file(theirs), "old\n");
  char byte;
  EXPECT_LE(::read(reader, &byte, 1), 0) << "the trap got data";
  ::close(reader);
}

TEST_F(ClientFilesTest, TwoOutputsThatAreOneFileAreRefused) {
  const auto same = (tmp / "out.csv").string();
  const auto result = load(shipped("people.csv"), {"--rejects", same, "--report-json", same});
  EXPECT_EQ(result.exit_code, 64) << describe(result);
  EXPECT_NE(result.err.find("one would overwrite the other"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(same));
  // Standard output appended to an input is that input.
  const std::string content = read_file(shipped("people.csv"));
  const auto people = file("people.csv", content);
  const auto appended = load_via_shell("exec >>'" + people + "';", people, {"--report-json", "-"});
  EXPECT_EQ(appended.exit_code, 64) << describe(appended);
  EXPECT_EQ(read_file(people), content);
}

TEST_F(ClientFilesTest, AnOutputThatIsAnInputIsRefusedBeforeAnythingIsWritten) {
  const std::string content = std::string(kPeopleHeader) + "Ann,Smith,1990-01-02,Kelso\n";
  const auto people = file("p2.csv", content);
  std::filesystem::create_hard_link(people, tmp / "alias.csv");
  const struct {
    std::string flag;
    std::string path;
  } cases[] = {{"--rejects", people}, {"--report-json", people}, {"--rejects", (tmp / "alias.csv").string()}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.flag + " " + c.path);
    const auto result = load(people, {c.flag, c.path});
    EXPECT_EQ(result.exit_code, 64) << describe(result);
    EXPECT_NE(result.err.find("is the same file as --people"), std::string::npos) << result.err;
    EXPECT_EQ(read_file(people), content);
  }
  // The log directory holding the input as dataloader.log.
  std::filesystem::create_directories(tmp / "logs");
  std::filesystem::create_hard_link(people, tmp / "logs" / "dataloader.log");
  const auto result = load(people);
  EXPECT_EQ(result.exit_code, 64) << describe(result);
  EXPECT_EQ(read_file(people), content);
}

TEST_F(ClientFilesTest, AReportThatIsThePasswordFileIsRefused) {
  ASSERT_EQ(load(shipped("people.csv")).exit_code, 0);
  const std::string password = read_file(std::getenv("MYSQL_PASSWORD_FILE"));
  const auto password_file = file("password", password);
  const auto result = run(datasummarizer_argv(tmp, {"--output", password_file, "--format", "json"}), [&] {
    EnvOverrides env = db.env();
    env["MYSQL_PASSWORD_FILE"] = password_file;
    return env;
  }());
  EXPECT_EQ(result.exit_code, 64) << describe(result);
  EXPECT_NE(result.err.find("is the same file as MYSQL_PASSWORD_FILE"), std::string::npos) << result.err;
  EXPECT_EQ(read_file(password_file), password);
}

TEST_F(ClientFilesTest, AReportNameCannotForgeALogLine) {
  ASSERT_EQ(load(shipped("people.csv")).exit_code, 0);
  const std::string forged = "2026-01-01T00:00:00.000+0000 datasummarizer[1] critical: forged";
  const auto output = tmp / ("a\n" + forged + ".json");
  const auto result = run(datasummarizer_argv(tmp, {"--output", output.string()}), db.env());
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  const std::string log = read_file(tmp / "logs" / "datasummarizer.log");
  EXPECT_EQ(log.find("\n" + forged), std::string::npos) << "a forged line:\n" << log;
  expect_only_logger_lines(log, "datasummarizer.log");
  expect_only_logger_lines(result.err, "stderr");
}

TEST_F(ClientFilesTest, DataAndFileNamesCannotForgeALogLine) {
  const std::string forged = "2026-01-01T00:00:00.000+0000 dataloader[1] critical: DB WIPED";
  // An unknown place is rejected with a reason that quotes it; the file name
  // is in most lines.
  const auto people = file("evil\nname\x1b[31m.csv", std::string(kPeopleHeader) + "Cat,Smith,1990-01-02,\"Nowhere\n" +
                                                         forged + "\"\n" + "Bob,Smith,1990-01-02,Kelso\n");
  const auto rejects = tmp / "rejects.csv";
  const auto result = load(people, {"--rejects", rejects.string(), "--log-level", "debug", "--max-rejects", "10"});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  expect_only_logger_lines(log_text(), "dataloader.log");
  expect_only_logger_lines(result.err, "stderr");
  EXPECT_EQ(log_text().find("\n" + forged), std::string::npos) << "a forged line:\n" << log_text();
  EXPECT_NE(log_text().find("evil\\nname\\x1b[31m.csv"), std::string::npos) << log_text();
  // The rejects CSV keeps the raw bytes, quoted.
  EXPECT_NE(log_text().find("Nowhere\\n2026-01-01"), std::string::npos) << log_text();
  EXPECT_NE(read_file(rejects).find("\"Nowhere\n" + forged + "\""), std::string::npos) << read_file(rejects);
  EXPECT_EQ(db.count("people"), 1u);
}

TEST_F(ClientFilesTest, ABadFlagValueIsEscapedOnTheTerminal) {
  for (const std::string& tool : {dataloader_path(), datasummarizer_path()}) {
    SCOPED_TRACE(tool);
    const auto result = run({tool, "--log-level", "x\x1b[2J\nforged line"});
    EXPECT_EQ(result.exit_code, 64) << describe(result);
    EXPECT_EQ(result.err.find('\x1b'), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("\nforged line"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("x\\x1b[2J\\nforged line"), std::string::npos) << result.err;
  }
}

TEST_F(ClientFilesTest, AMissingInputIsExit66BeforeAnyConnectionIsTried) {
  EnvOverrides env = db.env();
  env["MYSQL_TCP_PORT"] = "1";  // nothing listens there
  env["MYSQL_HOST"] = "127.0.0.1";
  const auto result = run(dataloader_argv(tmp, tmp / "missing.csv", {"--connect-timeout", "2"}), env);
  EXPECT_EQ(result.exit_code, 66) << describe(result);
  EXPECT_NE(result.err.find("cannot read --people " + (tmp / "missing.csv").string() + ": No such file"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(result.err.find("connect"), std::string::npos) << "a connection was tried:\n" << result.err;
}

// A cron line written as for the mysql client: the short flags connect, and
// a password on the command line is refused without being echoed.
TEST_F(ClientFilesTest, MysqlClientHabitsWork) {
  const auto& server = db.options();
  EnvOverrides env = {{"MYSQL_HOST", std::nullopt},     {"MYSQL_TCP_PORT", std::nullopt},
                      {"MYSQL_USER", std::nullopt},     {"MYSQL_DATABASE", std::nullopt},
                      {"MYSQL_PASSWORD", std::nullopt}, {"MYSQL_PASSWORD_FILE", db.env().at("MYSQL_PASSWORD_FILE")}};
  const auto loaded = run(
      dataloader_argv(tmp, shipped("people.csv"),
                      {"-h", server.host, "-P", std::to_string(server.port), "-u", server.user, "-D", server.database}),
      env);
  EXPECT_EQ(loaded.exit_code, 0) << describe(loaded);
  ASSERT_EQ(loaded.out.find("Usage:"), std::string::npos) << "-h printed the help";
  EXPECT_EQ(last_status(), "succeeded");
  const auto refused = run(dataloader_argv(tmp, shipped("people.csv"), {"--password", "Hunter2Hunter2"}), db.env());
  EXPECT_EQ(refused.exit_code, 64) << describe(refused);
  EXPECT_EQ(refused.err.find("Hunter2Hunter2"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("passwords are never taken on the command line"), std::string::npos) << refused.err;
}

TEST_F(ClientFilesTest, ClosedStandardStreamsDoNotReachTheDatabaseSocket) {
  const auto result = load_via_shell("exec >&- 2>&-;", shipped("people.csv"));
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(last_status(), "succeeded");
  EXPECT_EQ(db.count("people"), 10000u);
  expect_only_logger_lines(log_text(), "dataloader.log");
}

TEST_F(ClientFilesTest, WithOnlyStderrClosedEachLineIsLoggedOnce) {
  const auto result = load_via_shell("exec 2>&-;", shipped("people.csv"));
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  std::istringstream lines(log_text());
  std::string line, previous;
  int succeeded = 0;
  while (std::getline(lines, line)) {
    EXPECT_NE(line, previous) << "logged twice";
    if (line.find(" succeeded in ") != std::string::npos) ++succeeded;
    previous = line;
  }
  EXPECT_EQ(succeeded, 1) << log_text();
}

}  // namespace
}  // namespace pipeline::testing
