// TLS against servers of a test's own: one without TLS, one whose
// certificate names another host, and a user that must show a client
// certificate. Each through both client libraries (a Session, a BulkLoad
// stream) and both tools as processes.
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "pipeline/db/bulk_load.hpp"
#include "pipeline/db/session.hpp"
#include "pipeline/error.hpp"
#include "support/private_server.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

using db::SslMode;

std::string tls_file(const PrivateServer& server, const std::string& name) {
  return (server.dir() / "tls" / name).string();
}

// How a connection attempt ended.
struct Outcome {
  bool connected = false;
  bool encrypted = false;  // known for a Session only
  ExitCode code = ExitCode::kOk;
  std::string message;
};

Outcome try_session(const db::ConnectionOptions& options) {
  Outcome outcome;
  try {
    db::Session s(options);
    outcome.connected = true;
    outcome.encrypted = !s.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'").rows.at(0).at(1).value_or("").empty();
  } catch (const Error& e) {
    outcome.code = e.code();
    outcome.message = e.what();
  }
  return outcome;
}

// Opens a LOAD DATA stream into tls_probe and commits it empty.
Outcome try_bulk(const db::ConnectionOptions& options) {
  Outcome outcome;
  try {
    db::BulkLoad load(options, db::BulkTarget{"tls_probe", {"v"}});
    load.finish();
    outcome.connected = true;
  } catch (const Error& e) {
    outcome.code = e.code();
    outcome.message = e.what();
  }
  return outcome;
}

db::ConnectionOptions with_tls(const PrivateServer& server, std::optional<SslMode> mode, bool ca) {
  db::ConnectionOptions options = server.options();
  options.host = "127.0.0.1";
  options.ssl_mode = mode;
  if (ca) options.ssl_ca = tls_file(server, "ca.pem");
  return options;
}

std::string label(std::optional<SslMode> mode, bool ca) {
  return std::string(mode ? to_string(*mode) : "(no mode)") + (ca ? " with --ssl-ca" : " without --ssl-ca");
}

struct ModeCase {
  std::optional<SslMode> mode;
  bool ca;
  bool connects;
};

TEST(TlsTest, AServerWithoutTlsIsRefusedByEveryModeThatRequiresIt) {
  PrivateServer server("--skip-ssl");
  {
    db::Session plain(server.options());
    ASSERT_EQ(plain.query("SHOW VARIABLES LIKE 'have_ssl'").rows.at(0).at(1), "DISABLED") << "the server has TLS";
    plain.execute("CREATE TABLE tls_probe (v INT)");
  }
  const ModeCase cases[] = {
      {std::nullopt, true, false},  // a CA alone: the fail-open defect of issue 12
      {SslMode::kRequired, false, false},
      {SslMode::kRequired, true, false},
      {SslMode::kVerifyCa, true, false},
      {SslMode::kVerifyIdentity, true, false},
      {SslMode::kVerifyIdentity, false, false},
      {SslMode::kPreferred, true, true},
      {SslMode::kPreferred, false, true},
      {SslMode::kDisabled, true, true},
      {std::nullopt, false, true},
  };
  for (const ModeCase& c : cases) {
    const db::ConnectionOptions options = with_tls(server, c.mode, c.ca);
    for (const auto& [library, outcome] :
         {std::pair{"Connector/C++", try_session(options)}, std::pair{"LOAD DATA stream", try_bulk(options)}}) {
      const std::string where = std::string(library) + ", " + label(c.mode, c.ca);
      EXPECT_EQ(outcome.connected, c.connects) << where << ": " << outcome.message;
      EXPECT_FALSE(outcome.encrypted) << where;
      if (c.connects) continue;
      // Refused at once as a setting to fix, never retried as a network fault.
      EXPECT_EQ(outcome.code, ExitCode::kUsage) << where << ": " << outcome.message;
      const bool says_why =
          outcome.message.find("the server offers no TLS and --ssl-mode") != std::string::npos ||
          outcome.message.find("the server did not encrypt the connection and --ssl-mode") != std::string::npos;
      EXPECT_TRUE(says_why) << where << ": " << outcome.message;
      EXPECT_NE(outcome.message.find("PREFERRED or DISABLED"), std::string::npos) << where << ": " << outcome.message;
    }
  }
}

// The regression of issue 12: the old spellings, --tls-ca and MYSQL_TLS_CA,
// against a server without TLS connected in plain text and loaded. An
// option file's ssl-ca must not reopen it.
TEST(TlsTest, ACaAloneAgainstAServerWithoutTlsIsRefusedForBothTools) {
  PrivateServer server("--skip-ssl");
  TempDir tmp;
  EnvOverrides env = server.env();
  env["MYSQL_HOST"] = "127.0.0.1";
  const std::string ca = tls_file(server, "ca.pem");
  // And from an option file: its TLS settings go through the same rule.
  const std::string cnf = (tmp / "tls.cnf").string();
  write_file(cnf, "[client]\nssl-ca = " + ca + "\n");
  const std::vector<std::vector<std::string>> ways = {
      {"--tls-ca", ca}, {"--ssl-ca", ca}, {}, {"--defaults-file", cnf}};
  for (const auto& way : ways) {
    EnvOverrides this_env = env;
    if (way.empty()) this_env["MYSQL_TLS_CA"] = ca;
    const std::string how = way.empty() ? "MYSQL_TLS_CA" : way.front();
    const auto load = run(dataloader_argv(tmp, shipped("people.csv"), way), this_env);
    EXPECT_EQ(load.exit_code, 64) << how << ": " << describe(load);
    EXPECT_NE(load.err.find("the server offers no TLS"), std::string::npos) << how << ": " << load.err;
    std::vector<std::string> summarize = datasummarizer_argv(tmp, {"--output", (tmp / "s.json").string()});
    summarize.insert(summarize.end(), way.begin(), way.end());
    const auto summary = run(summarize, this_env);
    EXPECT_EQ(summary.exit_code, 64) << how << ": " << describe(summary);
    EXPECT_NE(summary.err.find("the server offers no TLS"), std::string::npos) << how << ": " << summary.err;
  }
  db::Session plain(server.options());
  EXPECT_EQ(plain.query_value("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'codetest'"), "0")
      << "a refused loader created tables";
  // On a network one trusts, PREFERRED still works.
  const auto preferred =
      run(dataloader_argv(tmp, shipped("people.csv"), {"--ssl-mode", "PREFERRED", "--ssl-ca", ca}), env);
  EXPECT_EQ(preferred.exit_code, 0) << describe(preferred);
}

TEST(TlsTest, ACertificateThatDoesNotNameTheHostIsRefusedByTheVerifyingModes) {
  PrivateServer server("", {{"THROWAWAY_DB_SERVER_CERT", "other-host"}});
  db::Session(server.options()).execute("CREATE TABLE tls_probe (v INT)");
  // VERIFY_CA refuses too: this client library checks the name whenever it
  // refuses a server without TLS before authenticating (tls_policy.hpp).
  const ModeCase cases[] = {
      {std::nullopt, true, false},      {SslMode::kVerifyIdentity, true, false}, {SslMode::kVerifyCa, true, false},
      {SslMode::kRequired, true, true}, {SslMode::kPreferred, true, true},       {SslMode::kRequired, false, true},
  };
  for (const ModeCase& c : cases) {
    const db::ConnectionOptions options = with_tls(server, c.mode, c.ca);
    for (const auto& [library, outcome] :
         {std::pair{"Connector/C++", try_session(options)}, std::pair{"LOAD DATA stream", try_bulk(options)}}) {
      const std::string where = std::string(library) + ", " + label(c.mode, c.ca);
      EXPECT_EQ(outcome.connected, c.connects) << where << ": " << outcome.message;
      if (c.connects) {
        EXPECT_TRUE(outcome.encrypted || std::string(library) != "Connector/C++") << where;
        continue;
      }
      EXPECT_EQ(outcome.code, ExitCode::kUsage) << where << ": " << outcome.message;
      EXPECT_NE(outcome.message.find("does not name the host '127.0.0.1'"), std::string::npos)
          << where << ": " << outcome.message;
    }
  }
  TempDir tmp;
  EnvOverrides env = server.env();
  env["MYSQL_HOST"] = "127.0.0.1";
  const std::string ca = tls_file(server, "ca.pem");
  const auto refused = run(dataloader_argv(tmp, shipped("people.csv"), {"--ssl-ca", ca}), env);
  EXPECT_EQ(refused.exit_code, 64) << describe(refused);
  EXPECT_NE(refused.err.find("does not name the host"), std::string::npos) << refused.err;
  const auto required =
      run(dataloader_argv(tmp, shipped("people.csv"), {"--ssl-ca", ca, "--ssl-mode", "REQUIRED"}), env);
  EXPECT_EQ(required.exit_code, 0) << describe(required);
}

std::string os_user() {
  const passwd* entry = ::getpwuid(::geteuid());
  return entry == nullptr ? "" : entry->pw_name;
}

TEST(TlsTest, AUserThatRequiresX509ConnectsOnlyWithAClientCertificate) {
  PrivateServer server;
  {
    db::ConnectionOptions admin = server.options();
    admin.host = "localhost";  // the socket, where the OS user is the administrator
    admin.user = os_user();
    admin.password.clear();
    db::Session s(admin);
    // The throwaway password is letters and digits (scripts/throwaway-db), and
    // CREATE USER takes no parameter.
    const std::string password = server.options().password;
    ASSERT_TRUE(std::all_of(password.begin(), password.end(),
                            [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }));
    s.execute("CREATE USER 'x509'@'127.0.0.1' IDENTIFIED BY '" + password + "' REQUIRE X509");
    s.execute("GRANT ALL PRIVILEGES ON `codetest`.* TO 'x509'@'127.0.0.1'");
  }
  TempDir tmp;
  EnvOverrides env = server.env();
  env["MYSQL_HOST"] = "127.0.0.1";
  env["MYSQL_USER"] = "x509";
  const std::string ca = tls_file(server, "ca.pem");
  const std::vector<std::string> client = {"--ssl-ca",   ca,
                                           "--ssl-cert", tls_file(server, "client-cert.pem"),
                                           "--ssl-key",  tls_file(server, "client-key.pem")};
  const auto summarize = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = datasummarizer_argv(tmp, {"--output", (tmp / "s.json").string()});
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run(argv, env);
  };
  // Without a client certificate the server refuses the user: 77.
  const auto no_cert = run(dataloader_argv(tmp, shipped("people.csv"), {"--ssl-ca", ca}), env);
  EXPECT_EQ(no_cert.exit_code, 77) << describe(no_cert);
  EXPECT_EQ(summarize({"--ssl-ca", ca}).exit_code, 77);
  // With one the CA signed, both tools work.
  const auto load = run(dataloader_argv(tmp, shipped("people.csv"), client), env);
  ASSERT_EQ(load.exit_code, 0) << describe(load);
  const auto summary = summarize(client);
  ASSERT_EQ(summary.exit_code, 0) << describe(summary);
  EXPECT_EQ(read_file(tmp / "s.json"), read_file(shipped("sample_output.json")));
  // A certificate without its key is a usage error; a missing file is 66,
  // both before any connection is tried.
  const auto lone =
      run(dataloader_argv(tmp, shipped("people.csv"), {"--ssl-cert", tls_file(server, "client-cert.pem")}), env);
  EXPECT_EQ(lone.exit_code, 64) << describe(lone);
  EXPECT_NE(lone.err.find("no --ssl-key"), std::string::npos) << lone.err;
  const auto missing = summarize({"--ssl-ca", (tmp / "no-such-ca.pem").string()});
  EXPECT_EQ(missing.exit_code, 66) << describe(missing);
  EXPECT_NE(missing.err.find("--ssl-ca"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace pipeline::testing
