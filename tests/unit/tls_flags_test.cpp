// The TLS flags, their environment variables and their old spellings.
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

const std::initializer_list<std::pair<const char*, const char*>> kNoTlsEnv = {{"MYSQL_USER", "u"},
                                                                              {"MYSQL_SSL_MODE", nullptr},
                                                                              {"MYSQL_SSL_CA", nullptr},
                                                                              {"MYSQL_SSL_CERT", nullptr},
                                                                              {"MYSQL_SSL_KEY", nullptr},
                                                                              {"MYSQL_TLS_CA", nullptr},
                                                                              {"MYSQL_TLS_REQUIRED", nullptr},
                                                                              {"MYSQL_PASSWORD_FILE", nullptr},
                                                                              {"MYSQL_TCP_PORT", nullptr},
                                                                              {"MYSQL_CONNECT_TIMEOUT", nullptr}};

// An existing, readable file to name as a CA, certificate or key.
std::string some_file() {
  static const std::string path = [] {
    const auto file =
        std::filesystem::temp_directory_path() / ("tls-flags-test-" + std::to_string(::getpid()) + ".pem");
    std::ofstream(file) << "not checked here\n";
    return file.string();
  }();
  return path;
}

TEST(TlsFlagsTest, TheMysqlClientsSpellingsAndTheOldOnesAreBound) {
  {
    ScopedEnv env(kNoTlsEnv);
    load::LoaderOptions o;
    CommonFlags f;
    ASSERT_FALSE(parse_loader(
        {"--ssl-mode", "verify_ca", "--ssl-ca", some_file(), "--ssl-cert", some_file(), "--ssl-key", some_file()}, o,
        f));
    resolve_connection(o.connection, f);
    EXPECT_EQ(o.connection.ssl_mode, db::SslMode::kVerifyCa);
    EXPECT_EQ(o.connection.ssl_ca, some_file());
    EXPECT_EQ(o.connection.ssl_cert, some_file());
    EXPECT_EQ(o.connection.ssl_key, some_file());
  }
  {
    // --tls-ca is --ssl-ca, --tls-required is VERIFY_IDENTITY.
    ScopedEnv env(kNoTlsEnv);
    load::LoaderOptions o;
    CommonFlags f;
    ASSERT_FALSE(parse_loader({"--tls-ca", some_file(), "--tls-required"}, o, f));
    resolve_connection(o.connection, f);
    EXPECT_EQ(o.connection.ssl_mode, db::SslMode::kVerifyIdentity);
    EXPECT_EQ(o.connection.ssl_ca, some_file());
  }
  {
    // The environment, old names included; a flag wins.
    ScopedEnv env({{"MYSQL_USER", "u"}, {"MYSQL_SSL_MODE", "REQUIRED"}, {"MYSQL_TLS_CA", some_file().c_str()}});
    load::LoaderOptions o;
    CommonFlags f;
    ASSERT_FALSE(parse_loader({}, o, f));
    resolve_connection(o.connection, f);
    EXPECT_EQ(o.connection.ssl_mode, db::SslMode::kRequired);
    EXPECT_EQ(o.connection.ssl_ca, some_file());
    load::LoaderOptions o2;
    CommonFlags f2;
    ASSERT_FALSE(parse_loader({"--ssl-mode", "DISABLED"}, o2, f2));
    resolve_connection(o2.connection, f2);
    EXPECT_EQ(o2.connection.ssl_mode, db::SslMode::kDisabled);
  }
  {
    ScopedEnv env(kNoTlsEnv);
    load::LoaderOptions o;
    CommonFlags f;
    ASSERT_FALSE(parse_loader({}, o, f));
    resolve_connection(o.connection, f);
    EXPECT_FALSE(o.connection.ssl_mode);
    EXPECT_EQ(db::decide_tls(o.connection).mode, db::SslMode::kDisabled);
  }
}

TEST(TlsFlagsTest, BadTlsSettingsHaveTheirExitCodesBeforeAnyConnection) {
  ScopedEnv env(kNoTlsEnv);
  {
    load::LoaderOptions o;
    CommonFlags f;
    EXPECT_EQ(parse_quietly({"--ssl-mode", "VERIFY"}, o, f).code, 64);
  }
  {
    ScopedEnv bad({{"MYSQL_SSL_MODE", "STRICT"}});
    load::LoaderOptions o;
    CommonFlags f;
    ASSERT_FALSE(parse_loader({}, o, f));
    EXPECT_NE(resolve_error(o, f, ExitCode::kUsage).find("MYSQL_SSL_MODE=STRICT: not an SSL mode"), std::string::npos);
  }
  const auto refused = [](std::vector<std::string> args, ExitCode code, const std::string& says) {
    load::LoaderOptions o;
    CommonFlags f;
    ASSERT_FALSE(parse_loader(args, o, f));
    EXPECT_NE(resolve_error(o, f, code).find(says), std::string::npos) << says;
  };
  refused({"--tls-required", "--ssl-mode", "PREFERRED"}, ExitCode::kUsage, "means --ssl-mode VERIFY_IDENTITY");
  refused({"--ssl-cert", some_file()}, ExitCode::kUsage, "no --ssl-key");
  refused({"--ssl-key", some_file()}, ExitCode::kUsage, "no --ssl-cert");
  refused({"--ssl-ca", "/no/such/ca.pem"}, ExitCode::kNoInput, "--ssl-ca (MYSQL_SSL_CA) names, /no/such/ca.pem");
  refused({"--ssl-ca", "/"}, ExitCode::kNoInput, "it is a directory");
  refused({"--ssl-cert", "/no/cert", "--ssl-key", some_file()}, ExitCode::kNoInput, "--ssl-cert");
  refused({"--ssl-cert", some_file(), "--ssl-key", "/no/key"}, ExitCode::kNoInput, "--ssl-key");
}

}  // namespace
}  // namespace pipeline::cli
