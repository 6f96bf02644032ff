// A MariaDB Spider cluster of a test's own, started by scripts/spider-cluster:
// a head whose people table is hash-partitioned over data nodes, all on
// loopback. The tools are pointed at the head, unchanged.
#pragma once

#include <filesystem>

#include <gtest/gtest.h>
#include <memory>
#include <string>

#include "pipeline/db/session.hpp"
#include "support/private_server.hpp"

namespace pipeline::testing {

class SpiderCluster {
 public:
  // Starts a head and `data_nodes` data nodes. Throws if they do not come up.
  explicit SpiderCluster(unsigned data_nodes = 2);
  // Stops every server and removes the directory.
  ~SpiderCluster();

  // MYSQL_* variables pointing a child process at the head.
  EnvOverrides env() const { return head_.env(); }
  // A session on the head, as the app user.
  db::Session& head() { return *head_session_; }
  // A new session on data node k (1-based), as the app user.
  db::Session node(unsigned k) const;
  unsigned data_nodes() const { return data_nodes_; }
  // Runs `sql` on the head, or on data node k, as its administrator. Throws if it fails.
  void head_admin_sql(const std::string& sql) const;
  void node_admin_sql(unsigned k, const std::string& sql) const;
  // The --spider-nodes file spider-cluster wrote for the nodes.
  std::filesystem::path nodes_file() const { return dir_ / "spider-nodes.cnf"; }
  // Stops data node k, and starts it again on the same port and data.
  void stop_node(unsigned k) const;
  void start_node(unsigned k) const;

 private:
  TempDir dir_;
  unsigned data_nodes_;
  ServerAddress head_;
  std::unique_ptr<db::Session> head_session_;
};

// What a table holds, as one comparable string: the row count and a sum of
// the rows' CRC32s. Works through Spider, where CHECKSUM TABLE gives NULL.
std::string content_checksum(db::Session& session, const std::string& table);

// Every row on every node, as "node<TAB>row" lines, node by node and in
// order within each: the standby tables are empty between loads, so this is
// the live data and where it is.
std::string rows_by_node(const SpiderCluster& cluster);
// What `session`'s people (one server's) hold, as rows_by_node shows a
// cluster of `nodes` data nodes holding the same rows where HASH (id) puts them.
std::string rows_by_node_expected(db::Session& session, unsigned nodes);
// Equal row sets, or where they first differ: a failure message of a line,
// not of 30,000 rows.
::testing::AssertionResult same_rows(const std::string& actual, const std::string& expected);
// The XA transactions prepared on the data nodes, as "dK:DATA " items.
std::string prepared_branches(const SpiderCluster& cluster);
// The tables on the data nodes other than people_a and people_b, as "dK:NAME " items.
std::string node_scratch_tables(const SpiderCluster& cluster);

}  // namespace pipeline::testing
