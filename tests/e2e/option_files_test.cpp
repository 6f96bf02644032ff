// The mysql client's option files: --defaults-file, ~/.my.cnf,
// --defaults-extra-file and --no-defaults, with the [client] group and each
// tool's own. A flag wins over the environment, which wins over the files.
// Each child runs with no MYSQL_* variable and HOME in the test's directory,
// so that only the files written here can supply the connection.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

class OptionFilesTest : public ::testing::Test {
 protected:
  OptionFilesTest() : db("optfiles") {}

  EnvOverrides bare() const {
    return {{"MYSQL_HOST", std::nullopt},     {"MYSQL_TCP_PORT", std::nullopt},      {"MYSQL_UNIX_PORT", std::nullopt},
            {"MYSQL_USER", std::nullopt},     {"MYSQL_DATABASE", std::nullopt},      {"MYSQL_PASSWORD", std::nullopt},
            {"MYSQL_PASSWORD_FILE", std::nullopt}, {"HOME", tmp.path().string()}};
  }
  std::string password() const { return read_file(db.env().at("MYSQL_PASSWORD_FILE").value()); }
  // [client] with the server, the account and `database`; then `extra`.
  std::string settings(const std::string& database, unsigned port, const std::string& extra = "") const {
    return fmt::format(
        "# as a DBA writes it\n[client]\nhost = {}\nport = {}\nuser = {}\npassword = \"{}\"\n\n[mysql]\nuser = "
        "not-this-one\n\n[dataloader]\ndatabase = {}\n\n[datasummarizer]\ndatabase = {}\n{}",
        db.options().host, port, db.options().user, password(), database, database, extra);
  }
  std::string file(const std::string& name, const std::string& content) const {
    write_file(tmp / name, content);
    return (tmp / name).string();
  }

  TestDatabase db;
  TempDir tmp;
};

TEST_F(OptionFilesTest, AnOptionFileHoldsTheConnectionSettingsForBothTools) {
  const std::string cnf = file("nightly.cnf", settings(db.name(), db.options().port));
  const auto loaded = run(dataloader_argv(tmp, shipped("people.csv"), {"--defaults-file", cnf}), bare());
  ASSERT_EQ(loaded.exit_code, 0) << describe(loaded);
  EXPECT_EQ(db.count("people"), 10000u);
  const auto out = tmp / "summary.json";
  const auto summary = run(datasummarizer_argv(tmp, {"--defaults-file", cnf, "--output", out.string()}), bare());
  ASSERT_EQ(summary.exit_code, 0) << describe(summary);
  EXPECT_EQ(read_file(out), read_file(shipped("sample_output.json")));
}

TEST_F(OptionFilesTest, TheClientsOwnMyCnfJustWorksAndNoDefaultsIgnoresIt) {
  file(".my.cnf", settings(db.name(), db.options().port));
  const auto loaded = run(dataloader_argv(tmp, shipped("people.csv")), bare());
  ASSERT_EQ(loaded.exit_code, 0) << describe(loaded);
  const std::string before = db.checksum("people");
  const auto ignored = run(dataloader_argv(tmp, shipped("people.csv"), {"--no-defaults"}), bare());
  EXPECT_EQ(ignored.exit_code, 64) << describe(ignored);
  EXPECT_NE(ignored.err.find("no database user"), std::string::npos) << ignored.err;
  EXPECT_EQ(db.checksum("people"), before);
}

TEST_F(OptionFilesTest, AFlagAndTheEnvironmentWinOverTheFiles) {
  // A port nobody listens on, and a database that does not exist.
  file(".my.cnf", settings("optfiles_not_there", 1));
  EnvOverrides env = bare();
  env["MYSQL_CONNECT_TIMEOUT"] = "1";
  const auto from_file = run(dataloader_argv(tmp, shipped("people.csv")), env);
  EXPECT_EQ(from_file.exit_code, 75) << describe(from_file);
  EXPECT_NE(from_file.err.find(db.options().host + ":1"), std::string::npos) << from_file.err;
  const std::string port = std::to_string(db.options().port);
  const auto flags = run(dataloader_argv(tmp, shipped("people.csv"), {"-P", port, "-D", db.name()}), env);
  EXPECT_EQ(flags.exit_code, 0) << describe(flags);
  env["MYSQL_TCP_PORT"] = port;
  env["MYSQL_DATABASE"] = db.name();
  const auto environment = run(dataloader_argv(tmp, shipped("people.csv"), {"--mode", "append"}), env);
  EXPECT_EQ(environment.exit_code, 0) << describe(environment);
  EXPECT_EQ(db.count("people"), 10000u);
}

TEST_F(OptionFilesTest, AnExtraFileIsReadLastAndWins) {
  file(".my.cnf", settings("optfiles_not_there", db.options().port));
  const std::string extra = file("extra.cnf", fmt::format("[dataloader]\ndatabase = {}\n", db.name()));
  const auto loaded = run(dataloader_argv(tmp, shipped("people.csv"), {"--defaults-extra-file", extra}), bare());
  EXPECT_EQ(loaded.exit_code, 0) << describe(loaded);
  EXPECT_EQ(db.count("people"), 10000u);
}

TEST_F(OptionFilesTest, AnUnreadableOptionFileNamesItsFlag) {
  const std::string missing = (tmp / "missing.cnf").string();
  const auto result = run(dataloader_argv(tmp, shipped("people.csv"), {"--defaults-file", missing}), bare());
  EXPECT_EQ(result.exit_code, 66) << describe(result);
  EXPECT_NE(result.err.find("cannot read the option file " + missing + " named by --defaults-file"), std::string::npos)
      << result.err;
  const auto both = run(dataloader_argv(tmp, shipped("people.csv"), {"--no-defaults", "--defaults-file", missing}),
                        bare());
  EXPECT_EQ(both.exit_code, 64) << describe(both);
  // A FIFO would block the connector's read until someone writes to it.
  const std::string fifo = (tmp / "fifo.cnf").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto blocked = run(dataloader_argv(tmp, shipped("people.csv"), {"--defaults-extra-file", fifo}), bare());
  EXPECT_EQ(blocked.exit_code, 66) << describe(blocked);
  EXPECT_NE(blocked.err.find("named by --defaults-extra-file: it is not a regular file"), std::string::npos)
      << blocked.err;
  EXPECT_EQ(db.checksum("people"), "missing");
}

TEST_F(OptionFilesTest, APortThatIsNoPortIsABadSettingNotAnUnreachableServer) {
  const std::string cnf = file("bad-port.cnf", settings(db.name(), db.options().port) + "[dataloader]\nport = -1\n");
  const auto result = run(dataloader_argv(tmp, shipped("people.csv"), {"--defaults-file", cnf}), bare());
  EXPECT_EQ(result.exit_code, 64) << describe(result);
  EXPECT_NE(result.err.find("an option file (" + cnf + ") gives port = -1, which is not a TCP port"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(db.checksum("people"), "missing");
}

}  // namespace
}  // namespace pipeline::testing
