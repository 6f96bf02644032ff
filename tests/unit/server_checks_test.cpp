// What the tools check of a server before a run (server_checks.hpp) and the
// advice a failed connection carries (connect.hpp): plain values in, a
// message out.
#include "pipeline/db/server_checks.hpp"

#include <gtest/gtest.h>

#include "pipeline/db/connect.hpp"

namespace pipeline::db {
namespace {

TEST(ServerChecksTest, EveryMissingPrivilegeIsListedWithTheGrantThatFixesIt) {
  Grants grants;
  grants.user = "loader";
  grants.host = "%";
  grants.privileges = {"SELECT", "INSERT", "UPDATE", "USAGE"};
  const Privileges required = {"SELECT", "INSERT", "CREATE", "DROP"};
  const std::vector<std::string> missing = missing_privileges(required, grants);
  EXPECT_EQ(missing, (std::vector<std::string>{"CREATE", "DROP"}));
  const auto refusal = privileges_refusal(missing, grants, "nightly", "dataloader");
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->find("dataloader needs CREATE, DROP on database 'nightly'"), std::string::npos) << *refusal;
  EXPECT_NE(refusal->find("GRANT CREATE, DROP ON `nightly`.* TO 'loader'@'%'"), std::string::npos) << *refusal;
}

TEST(ServerChecksTest, TheGrantNamesAnAccountWithQuotesAndAtSignsAsSqlReadsIt) {
  Grants grants;
  grants.user = "o'q@example.com";
  grants.host = "10.0.%";
  EXPECT_EQ(grants.account(), "'o''q@example.com'@'10.0.%'");
  const auto refusal = privileges_refusal({"DROP"}, grants, "codetest", "dataloader");
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->find("TO 'o''q@example.com'@'10.0.%'"), std::string::npos) << *refusal;
}

TEST(ServerChecksTest, AllPrivilegesHeldIsNoRefusal) {
  Grants grants;
  grants.privileges = {"SELECT"};
  EXPECT_TRUE(missing_privileges({"SELECT"}, grants).empty());
  EXPECT_FALSE(privileges_refusal({}, grants, "codetest", "datasummarizer"));
}

TEST(ServerChecksTest, AReadOnlyServerIsNamedAsPossiblyAReplica) {
  EXPECT_FALSE(read_only_refusal({}, "db:3306"));
  ReadOnlySettings replica;
  replica.read_only = true;
  replica.super_read_only = true;
  const auto refusal = read_only_refusal(replica, "db:3306");
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->find("the server db:3306 is read-only (a replica?): read_only and super_read_only is ON"),
            std::string::npos)
      << *refusal;
  EXPECT_NE(refusal->find("SET GLOBAL read_only = OFF"), std::string::npos) << *refusal;
  ReadOnlySettings innodb;
  innodb.innodb_read_only = true;
  const auto restart = read_only_refusal(innodb, "db:3306");
  ASSERT_TRUE(restart);
  EXPECT_NE(restart->find("without --innodb-read-only"), std::string::npos) << *restart;
}

TEST(ConnectHintTest, EachFailureNamesWhatToCheck) {
  ConnectionOptions tcp;
  tcp.host = "db.example";
  tcp.port = 3307;
  tcp.user = "loader";
  tcp.database = "nightly";
  EXPECT_NE(connect_hint(2003, tcp).find("db.example:3307"), std::string::npos);
  EXPECT_NE(connect_hint(2002, tcp).find("db.example:3307"), std::string::npos);
  EXPECT_NE(connect_hint(1045, tcp).find("'loader'"), std::string::npos);
  EXPECT_NE(connect_hint(1045, tcp).find("REQUIRE SSL"), std::string::npos) << "without TLS, say it may be why";
  ConnectionOptions verified = tcp;
  verified.ssl_ca = "/etc/ca.pem";
  EXPECT_EQ(connect_hint(1045, verified).find("REQUIRE SSL"), std::string::npos);
  EXPECT_NE(connect_hint(1049, tcp).find("CREATE DATABASE `nightly` CHARACTER SET utf8mb4"), std::string::npos);
  EXPECT_NE(connect_hint(1044, tcp).find("database 'nightly'"), std::string::npos);
  ConnectionOptions socket;
  socket.socket = "/run/x.sock";
  EXPECT_NE(connect_hint(2002, socket).find("/run/x.sock"), std::string::npos);
  EXPECT_EQ(connect_hint(1064, tcp), "");
}

TEST(ServerChecksTest, AGaleraNodeWantsInnoDbTablesWithPrimaryKeys) {
  EXPECT_FALSE(replication_refusal({{"people", "InnoDB", true}, {"places", "InnoDB", true}}, "codetest").has_value());
  EXPECT_FALSE(replication_refusal({}, "codetest").has_value());
  const auto refusal =
      replication_refusal({{"people", "MyISAM", true}, {"places", "InnoDB", false}, {"load_runs", "InnoDB", true}},
                          "codetest");
  ASSERT_TRUE(refusal.has_value());
  EXPECT_NE(refusal->find("people is MyISAM (ALTER TABLE people ENGINE=InnoDB)"), std::string::npos) << *refusal;
  EXPECT_NE(refusal->find("places has no primary key"), std::string::npos) << *refusal;
  EXPECT_EQ(refusal->find("load_runs"), std::string::npos) << *refusal;
  EXPECT_NE(refusal->find("database 'codetest'"), std::string::npos) << *refusal;
}

}  // namespace
}  // namespace pipeline::db
