// The connection flags as the mysql client spells them, and what a bad value
// from a flag or the environment says.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "cli_test_support.hpp"
#include "pipeline/cli/dataloader_cli.hpp"
#include "pipeline/cli/datasummarizer_cli.hpp"
#include "pipeline/db/tls_policy.hpp"

namespace pipeline::cli {
namespace {

using namespace testing_support;

TEST(ConnectionFlagsTest, ShortFlagsAreTheMysqlClients) {
  ScopedEnv env(kClearEnv);
  load::LoaderOptions o;
  CommonFlags f;
  ASSERT_FALSE(parse_loader({"-h", "db", "-P", "3307", "-u", "u", "-D", "d", "-S", "/s.sock"}, o, f));
  resolve_connection(o.connection, f);
  EXPECT_EQ(o.connection.host, "db");
  EXPECT_EQ(o.connection.port, 3307u);
  EXPECT_EQ(o.connection.user, "u");
  EXPECT_EQ(o.connection.database, "d");
  EXPECT_EQ(o.connection.socket, "/s.sock");
}

TEST(ConnectionFlagsTest, OnlyHelpAndQuestionMarkPrintHelpWithExitZero) {
  ScopedEnv env(kClearEnv);
  for (const std::string flag : {"--help", "-?"}) {
    load::LoaderOptions o;
    CommonFlags f;
    const Parsed parsed = parse_quietly({flag}, o, f);
    EXPECT_EQ(parsed.code, 0) << flag;
    EXPECT_NE(parsed.out.find("Usage:"), std::string::npos) << flag;
  }
  // -h is the host, as with the mysql client: without a value it is an error.
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{{"-h"}, {"-H"}}) {
    load::LoaderOptions o;
    CommonFlags f;
    const Parsed parsed = parse_quietly(args, o, f);
    EXPECT_EQ(parsed.code, 64) << args.front();
    EXPECT_EQ(parsed.out.find("Usage:"), std::string::npos) << args.front();
  }
}

TEST(ConnectionFlagsTest, APasswordOnTheCommandLineIsRefusedWithoutEchoingIt) {
  ScopedEnv env(kClearEnv);
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"-pSecret42"}, {"-p", "Secret42"}, {"--password", "Secret42"}, {"--password=Secret42"}, {"-p"}}) {
    load::LoaderOptions o;
    CommonFlags f;
    const Parsed parsed = parse_quietly(args, o, f);
    EXPECT_EQ(parsed.code, 64) << args.front();
    EXPECT_NE(parsed.err.find("passwords are never taken on the command line"), std::string::npos) << parsed.err;
    EXPECT_EQ(parsed.err.find("Secret42"), std::string::npos) << parsed.err;
    EXPECT_EQ(parsed.out.find("Secret42"), std::string::npos) << parsed.out;
  }
}

TEST(ConnectionFlagsTest, ABadEnvironmentValueNamesItsVariable) {
  {
    ScopedEnv env({{"MYSQL_USER", "u"}, {"MYSQL_TCP_PORT", "abc"}, {"MYSQL_CONNECT_TIMEOUT", nullptr}});
    load::LoaderOptions o;
    CommonFlags f;
    ASSERT_FALSE(parse_loader({}, o, f));
    EXPECT_NE(resolve_error(o, f, ExitCode::kUsage).find("MYSQL_TCP_PORT=abc: not a number"), std::string::npos);
    // A flag wins over the environment, bad or not.
    load::LoaderOptions o2;
    CommonFlags f2;
    ASSERT_FALSE(parse_loader({"--port", "3308"}, o2, f2));
    resolve_connection(o2.connection, f2);
    EXPECT_EQ(o2.connection.port, 3308u);
  }
  for (const char* value : {"nan", "1e30", "-1", "soon", "inf"}) {
    ScopedEnv env({{"MYSQL_USER", "u"}, {"MYSQL_TCP_PORT", nullptr}, {"MYSQL_CONNECT_TIMEOUT", value}});
    load::LoaderOptions o;
    CommonFlags f;
    ASSERT_FALSE(parse_loader({}, o, f));
    const std::string message = resolve_error(o, f, ExitCode::kUsage);
    EXPECT_EQ(message.rfind(std::string("MYSQL_CONNECT_TIMEOUT=") + value + ": ", 0), 0u) << message;
  }
}

TEST(ConnectionFlagsTest, ABadNumberSaysWhyInAFewWords) {
  ScopedEnv env(kClearEnv);
  const struct {
    std::vector<std::string> args;
    std::string says;
  } cases[] = {{{"--connect-timeout", "1e30"}, "out of range: from 0 to 86400 seconds"},
               {{"--connect-timeout", "nan"}, "not a finite number"},
               {{"--connect-timeout", "abc"}, "not a number"},
               {{"--connect-timeout", "-1"}, "out of range"},
               {{"--port", "abc"}, "not a number"},
               {{"--port", "99999999999999999999999"}, "out of range"},
               {{"--port", "0"}, "out of range"}};
  for (const auto& c : cases) {
    load::LoaderOptions o;
    CommonFlags f;
    const Parsed parsed = parse_quietly(c.args, o, f);
    EXPECT_EQ(parsed.code, 64) << c.args.back();
    EXPECT_NE(parsed.err.find(c.says), std::string::npos) << parsed.err;
    EXPECT_LT(parsed.err.size(), 200u) << parsed.err;
  }
}

TEST(ConnectionFlagsTest, AnUnreadablePasswordFileNamesWhatNamedItAndWhy) {
  {
    ScopedEnv env({{"MYSQL_USER", "u"}, {"MYSQL_PASSWORD_FILE", "/nonexistent/password"}});
    load::LoaderOptions o;
    CommonFlags f;
    ASSERT_FALSE(parse_loader({}, o, f));
    const std::string message = resolve_error(o, f, ExitCode::kNoInput);
    EXPECT_NE(message.find("/nonexistent/password named by MYSQL_PASSWORD_FILE: No such file or directory"),
              std::string::npos)
        << message;
  }
  ScopedEnv env({{"MYSQL_USER", "u"}, {"MYSQL_PASSWORD_FILE", nullptr}});
  load::LoaderOptions o;
  CommonFlags f;
  ASSERT_FALSE(parse_loader({"--password-file", "/tmp"}, o, f));
  const std::string message = resolve_error(o, f, ExitCode::kNoInput);
  EXPECT_NE(message.find("/tmp named by --password-file: it is a directory"), std::string::npos) << message;
}

}  // namespace
}  // namespace pipeline::cli

