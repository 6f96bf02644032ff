// Connector/C++ session and schema handling, against the throwaway server.
#include "pipeline/db/session.hpp"

#include <gtest/gtest.h>

#include "pipeline/db/bulk_load.hpp"
#include "pipeline/db/connect.hpp"
#include "pipeline/db/db_error.hpp"
#include "pipeline/db/schema.hpp"
#include "support/test_database.hpp"

namespace pipeline::db {
namespace {

using testing::TestDatabase;

TEST(SessionTest, BindsTextAsIsIncludingMultiByte) {
  TestDatabase db("session");
  Session& s = db.session();
  s.execute("CREATE TABLE t (v VARCHAR(50) NOT NULL) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
  const std::vector<std::string> values = {"Γιώργος",     "დავითი",    "李明",     "O'Brien",
                                           "back\\slash", "tab\there", "new\nline"};
  for (const std::string& v : values) s.execute("INSERT INTO t (v) VALUES (?)", {v});
  for (const std::string& v : values) {
    EXPECT_EQ(s.query_value("SELECT COUNT(*) FROM t WHERE v = ?", {v}), "1") << v;
  }
  EXPECT_EQ(s.query_value("SELECT CHAR_LENGTH(v) FROM t WHERE v = ?", {std::string("李明")}), "2");
}

TEST(SessionTest, PinsCharsetAndCollation) {
  TestDatabase db("session");
  const ResultTable vars = db.session().query("SELECT @@character_set_connection, @@collation_connection");
  EXPECT_EQ(vars.rows.at(0).at(0), "utf8mb4");
  EXPECT_EQ(vars.rows.at(0).at(1), "utf8mb4_bin");
}

TEST(SessionTest, ReportsNullsAndColumnNames) {
  TestDatabase db("session");
  const ResultTable t = db.session().query("SELECT NULL AS a, 1 AS b");
  ASSERT_EQ(t.columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(t.rows.at(0).at(0).has_value());
  EXPECT_EQ(t.rows.at(0).at(1), "1");
}

TEST(SessionTest, WrongPasswordIsExit77AtOnce) {
  ConnectionOptions options = testing::server_options();
  options.password = "definitely-not-the-password";  // secret-scan: allow (a wrong one on purpose)
  const auto start = std::chrono::steady_clock::now();
  try {
    connect_with_retry(options);
    FAIL() << "connected with a wrong password";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kNoPerm) << e.what();
    EXPECT_EQ(std::string(e.what()).find("definitely-not-the-password"), std::string::npos);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << "must not retry a refusal";
}

TEST(SessionTest, UnreachableServerIsExit75AtTheDeadline) {
  ConnectionOptions options = testing::server_options();
  options.host = "127.0.0.1";
  options.port = 1;  // nothing listens there
  options.connect_timeout = std::chrono::milliseconds(1500);
  const auto start = std::chrono::steady_clock::now();
  try {
    connect_with_retry(options);
    FAIL() << "connected to port 1";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kTempFail) << e.what();
    EXPECT_NE(std::string(e.what()).find("gave up after"), std::string::npos) << e.what();
  }
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(1400));
  EXPECT_LT(took, std::chrono::seconds(10));
}

TEST(SessionTest, UnknownDatabaseIsUsageError) {
  ConnectionOptions options = testing::server_options("codetest_no_such_database");
  try {
    Session s(options);
    FAIL();
  } catch (const DbError& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage) << e.what();
  }
}

TEST(SchemaTest, CreatesMissingTablesAndIsSafeToApplyAgain) {
  TestDatabase db("schema");
  const auto created = ensure_schema(db.session());
  EXPECT_EQ(created, (std::vector<std::string>{"places", "people", "load_runs", "load_shards"}));
  db.session().execute("INSERT INTO places (city, county, country) VALUES ('A', 'B', 'C')");
  EXPECT_TRUE(ensure_schema(db.session()).empty());
  // Applying every statement again changes nothing and keeps the data.
  for (const std::string& statement : split_statements(schema_sql())) db.session().execute(statement);
  EXPECT_EQ(db.count("places"), 1u);
  db.session().execute("DROP TABLE load_runs");
  EXPECT_EQ(ensure_schema(db.session()), (std::vector<std::string>{"load_runs"}));
  EXPECT_EQ(db.count("places"), 1u);
}

TEST(SchemaTest, EnforcesTheForeignKey) {
  TestDatabase db("schema");
  ensure_schema(db.session());
  try {
    db.session().execute(
        "INSERT INTO people (id, given_name, family_name, date_of_birth, place_of_birth_id) "
        "VALUES (1, 'A', 'B', '2000-01-01', 999)");
    FAIL() << "a person with an unknown place was stored";
  } catch (const DbError& e) {
    EXPECT_EQ(e.error_number(), 1452);
  }
}

}  // namespace
}  // namespace pipeline::db

namespace pipeline::db {
namespace {

std::string tls_ca() {
  const char* ca = std::getenv("THROWAWAY_DB_TLS_CA");
  if (ca == nullptr) throw std::runtime_error("THROWAWAY_DB_TLS_CA is not set: run under scripts/test");
  return ca;
}

TEST(TlsTest, RequiredTlsWithTheServersCaIsEncrypted) {
  ConnectionOptions options = testing::server_options();
  options.host = "127.0.0.1";
  options.ssl_ca = tls_ca();
  options.ssl_mode = SslMode::kVerifyIdentity;
  Session s(options);
  const auto cipher = s.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'").rows.at(0).at(1);
  ASSERT_TRUE(cipher.has_value());
  EXPECT_FALSE(cipher->empty()) << "not encrypted";

  options.ssl_ca.clear();
  options.ssl_mode.reset();
  Session plain(options);
  EXPECT_EQ(plain.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'").rows.at(0).at(1), "");
}

TEST(TlsTest, AServerCertificateFromAnotherCaIsRefused) {
  const testing::TempDir dir;
  const auto made = testing::run({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                  "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=other CA",
                                  "-keyout", (dir / "key.pem").string(), "-out", (dir / "ca.pem").string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ConnectionOptions options = testing::server_options();
  options.host = "127.0.0.1";
  options.ssl_ca = (dir / "ca.pem").string();
  // Every mode that is given a CA checks the chain against it, PREFERRED too.
  for (const auto mode : {SslMode::kPreferred, SslMode::kRequired, SslMode::kVerifyCa, SslMode::kVerifyIdentity}) {
    options.ssl_mode = mode;
    try {
      Session s(options);
      ADD_FAILURE() << to_string(mode) << " connected to a server whose certificate the CA did not sign";
    } catch (const DbError& e) {
      EXPECT_EQ(e.code(), ExitCode::kUsage) << e.what();
      EXPECT_NE(std::string(e.what()).find("did not verify against the CA in"), std::string::npos) << e.what();
    }
  }
}

// Each mode with the server's own CA: all but DISABLED encrypt, and the
// server's name (127.0.0.1 and localhost are in its certificate) passes.
TEST(TlsTest, EveryModeWithTheServersCaConnectsAsItSays) {
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    for (const auto mode :
         {SslMode::kDisabled, SslMode::kPreferred, SslMode::kRequired, SslMode::kVerifyCa, SslMode::kVerifyIdentity}) {
      ConnectionOptions options = testing::server_options();
      options.host = host;
      options.ssl_ca = tls_ca();
      options.ssl_mode = mode;
      Session s(options);
      const auto cipher = s.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'").rows.at(0).at(1).value_or("");
      EXPECT_EQ(cipher.empty(), mode == SslMode::kDisabled) << host << " " << to_string(mode) << ": " << cipher;
    }
  }
}

// Without --ssl-ca a verifying mode uses the system's CA store, which does
// not hold the throwaway CA: refused, on both client libraries, at once.
TEST(TlsTest, AVerifyingModeWithoutACaUsesTheSystemStoreAndRefusesAnUnknownCa) {
  for (const auto mode : {SslMode::kVerifyCa, SslMode::kVerifyIdentity}) {
    ConnectionOptions options = testing::server_options();
    options.host = "127.0.0.1";
    options.ssl_mode = mode;
    try {
      Session s(options);
      ADD_FAILURE() << to_string(mode) << " without a CA connected";
    } catch (const DbError& e) {
      EXPECT_EQ(e.code(), ExitCode::kUsage) << e.what();
      EXPECT_NE(std::string(e.what()).find("the system's store"), std::string::npos) << e.what();
    }
    try {
      BulkLoad load(options, BulkTarget{"t", {"v"}});
      ADD_FAILURE() << to_string(mode) << " without a CA opened a bulk stream";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::kUsage) << e.what();
    }
  }
}

}  // namespace
}  // namespace pipeline::db
