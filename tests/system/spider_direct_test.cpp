// The loader's direct path into a Spider cluster (--spider-path): the rows
// streamed straight into the data nodes must land exactly where a load
// through the head puts them, the reports must equal a single server's, and
// a layout, a node file or a failure the loader cannot prove right must
// leave the cluster with what it had.
#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "pipeline/db/named_lock.hpp"
#include "support/cluster_checks.hpp"
#include "support/generate.hpp"
#include "support/held_input.hpp"
#include "support/spider_cluster.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

using namespace std::chrono_literals;

bool took_direct_path(const ProcessResult& r) {
  return r.err.find("streaming the rows straight into them") != std::string::npos;
}

// The remote table behind the head's people: it alternates with every replace.
std::string live_remote_table(SpiderCluster& cluster) {
  return cluster.head()
      .query_value(
          "SELECT table_comment FROM information_schema.tables WHERE table_schema = DATABASE() AND "
          "table_name = 'people'")
      .value_or("?");
}

std::string standby_rows(SpiderCluster& cluster) {
  return cluster.head().query_value("SELECT COUNT(*) FROM people__standby").value_or("?");
}

class SpiderDirectTest : public ::testing::TestWithParam<unsigned> {};

TEST_P(SpiderDirectTest, EveryRowLandsWhereTheHeadPutsItAndReportsEqualASingleServers) {
  TempDir tmp;
  TestDatabase single("spiderdirect");
  SpiderCluster cluster(GetParam());
  const auto people = tmp / "people.csv";
  write_people(people, 30000, 11);
  ASSERT_EQ(run(dataloader_argv(tmp, people.string(), {}), single.env()).exit_code, 0);

  const auto through_head = run(dataloader_argv(tmp, people.string(), {"--spider-path", "head"}), cluster.env());
  ASSERT_EQ(through_head.exit_code, 0) << describe(through_head);
  EXPECT_FALSE(took_direct_path(through_head)) << through_head.err;
  const std::string expected = rows_by_node(cluster);
  ASSERT_EQ(std::count(expected.begin(), expected.end(), '\n'), 30000);

  for (const char* jobs : {"1", "2", "1"}) {
    SCOPED_TRACE(std::string("--jobs ") + jobs);
    const auto live_before = live_remote_table(cluster);
    const auto direct = run(dataloader_argv(tmp, people.string(), {"--jobs", jobs}), cluster.env());
    ASSERT_EQ(direct.exit_code, 0) << describe(direct);
    EXPECT_TRUE(took_direct_path(direct)) << direct.err;
    EXPECT_NE(live_remote_table(cluster), live_before) << "the run did not swap the standby in";
    EXPECT_TRUE(same_rows(rows_by_node(cluster), expected))
        << "a row is on another node than a load through the head puts it";
    EXPECT_EQ(standby_rows(cluster), "0");
    EXPECT_EQ(leftover_tables(cluster.head()), "0");
  }
  const auto on_single = all_reports(tmp, single.env(), "single");
  const auto on_cluster = all_reports(tmp, cluster.env(), "cluster");
  ASSERT_EQ(on_single.size(), 10u);
  EXPECT_EQ(on_cluster, on_single);

  // Append, direct: new people, people stored on every node, and repeats
  // within the file, deduplicated as a single server does it and each row
  // on its node; a second append of the same file adds nothing.
  const auto mixed = tmp / "mixed.csv";
  write_people(tmp / "new.csv", 6000, 12);
  const CsvParts fresh = split_header(read_file(tmp / "new.csv"));
  const CsvParts stored = split_header(read_file(people));
  write_file(mixed, fresh.header + fresh.rows + stored.rows.substr(0, stored.rows.find('\n', 200000) + 1) +
                        fresh.rows.substr(0, fresh.rows.find('\n', 100000) + 1));
  ASSERT_EQ(run(dataloader_argv(tmp, mixed, {"--mode", "append"}), single.env()).exit_code, 0);
  const std::string appended = rows_by_node_expected(single.session(), GetParam());
  for (const char* jobs : {"2", "1"}) {
    SCOPED_TRACE(std::string("append, --jobs ") + jobs);
    const auto append = run(dataloader_argv(tmp, mixed, {"--mode", "append", "--jobs", jobs}), cluster.env());
    ASSERT_EQ(append.exit_code, 0) << describe(append);
    EXPECT_TRUE(took_direct_path(append)) << append.err;
    EXPECT_TRUE(same_rows(rows_by_node(cluster), appended))
        << "the direct append's rows differ from a single server's, or are on another node";
    EXPECT_EQ(prepared_branches(cluster), "");
    EXPECT_EQ(node_scratch_tables(cluster), "");
    EXPECT_EQ(leftover_tables(cluster.head()), "0");
  }
  EXPECT_EQ(all_reports(tmp, cluster.env(), "cluster-appended"), all_reports(tmp, single.env(), "single-appended"));
}

INSTANTIATE_TEST_SUITE_P(DataNodes, SpiderDirectTest, ::testing::Values(2u, 3u, 4u),
                         [](const auto& info) { return std::to_string(info.param) + "nodes"; });

TEST(SpiderDirectPathTest, WithoutMysqlServersItNeedsTheNodesFile) {
  TempDir tmp;
  SpiderCluster cluster;
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv"), {}), cluster.env()).exit_code, 0);
  const std::string before = rows_by_node(cluster);
  cluster.head_admin_sql("REVOKE SELECT ON mysql.servers FROM 'codetest'@'localhost', 'codetest'@'127.0.0.1'");

  const auto refused = run(dataloader_argv(tmp, shipped("people.csv"), {"--spider-path", "direct"}), cluster.env());
  EXPECT_EQ(refused.exit_code, 64) << describe(refused);
  EXPECT_NE(refused.err.find("mysql.servers"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--spider-nodes"), std::string::npos) << refused.err;
  EXPECT_TRUE(same_rows(rows_by_node(cluster), before));
  // A dry run says so too: it is where a user tries the path out.
  const auto dry =
      run(dataloader_argv(tmp, shipped("people.csv"), {"--spider-path", "direct", "--dry-run"}), cluster.env());
  EXPECT_EQ(dry.exit_code, 64) << describe(dry);
  EXPECT_NE(dry.err.find("mysql.servers"), std::string::npos) << dry.err;

  const auto fallback = run(dataloader_argv(tmp, shipped("people.csv"), {}), cluster.env());
  ASSERT_EQ(fallback.exit_code, 0) << describe(fallback);
  EXPECT_NE(fallback.err.find("loading through the Spider head"), std::string::npos) << fallback.err;
  EXPECT_TRUE(same_rows(rows_by_node(cluster), before));

  const auto with_file =
      run(dataloader_argv(tmp, shipped("people.csv"),
                          {"--spider-path", "direct", "--spider-nodes", cluster.nodes_file().string()}),
          cluster.env());
  ASSERT_EQ(with_file.exit_code, 0) << describe(with_file);
  EXPECT_TRUE(took_direct_path(with_file)) << with_file.err;
  EXPECT_TRUE(same_rows(rows_by_node(cluster), before));
  write_people(tmp / "other.csv", 3000, 3);
  const auto dry_with_file =
      run(dataloader_argv(tmp, tmp / "other.csv",
                          {"--spider-path", "direct", "--dry-run", "--spider-nodes", cluster.nodes_file().string()}),
          cluster.env());
  EXPECT_EQ(dry_with_file.exit_code, 0) << describe(dry_with_file);
  EXPECT_TRUE(same_rows(rows_by_node(cluster), before)) << "a dry run changed the nodes";
  EXPECT_EQ(standby_rows(cluster), "0");

  const auto missing =
      run(dataloader_argv(tmp, shipped("people.csv"), {"--spider-nodes", (tmp / "nope.cnf").string()}), cluster.env());
  EXPECT_EQ(missing.exit_code, 66) << describe(missing);
  EXPECT_NE(missing.err.find("--spider-nodes"), std::string::npos) << missing.err;
}

// A node file that names the wrong node is caught by the probe rows before
// any row is sent: two nodes swapped, or two names for one node.
TEST(SpiderDirectPathTest, ANodeReachedUnderAnotherNameIsCaughtBeforeAnyRowIsSent) {
  TempDir tmp;
  SpiderCluster cluster;
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv"), {}), cluster.env()).exit_code, 0);
  const std::string before = rows_by_node(cluster);
  write_people(tmp / "other.csv", 5000, 5);
  const std::string nodes = read_file(cluster.nodes_file());
  std::string swapped = nodes;  // d1's address under d2's name and the other way round
  for (auto [from, to] : {std::pair{"[d1]", "[dX]"}, {"[d2]", "[d1]"}, {"[dX]", "[d2]"}}) {
    swapped.replace(swapped.find(from), 4, to);
  }
  std::string aliased = nodes;  // d1's address under both names
  aliased.replace(aliased.find("[d2]"), std::string::npos, aliased.substr(0, aliased.find("[d2]")));
  aliased.replace(aliased.find("[d1]", 1), 4, "[d2]");
  for (const auto& [name, text, message] :
       {std::tuple{"swapped", swapped, "is not the node the head calls"},
        {"aliased", aliased, "servers d1 and d2 of the Spider head are both reached at"}}) {
    SCOPED_TRACE(name);
    const auto file = tmp / (std::string(name) + ".cnf");
    write_file(file, text);
    const auto caught = run(dataloader_argv(tmp, tmp / "other.csv", {"--spider-nodes", file.string()}), cluster.env());
    EXPECT_EQ(caught.exit_code, 64) << describe(caught);
    EXPECT_NE(caught.err.find(message), std::string::npos) << caught.err;
    EXPECT_TRUE(same_rows(rows_by_node(cluster), before)) << "the cluster changed";
    EXPECT_EQ(standby_rows(cluster), "0") << "the probe rows were left behind";
  }
}

// A loader that still writes to a node (one that lost its lock on the head)
// holds the node's lock until it exits; the next run does not touch the node.
TEST(SpiderDirectPathTest, ANodeAnotherLoaderStillWritesToIsLeftAlone) {
  TempDir tmp;
  SpiderCluster cluster;
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv"), {}), cluster.env()).exit_code, 0);
  const std::string before = rows_by_node(cluster);
  db::Session holder = cluster.node(2);
  ASSERT_EQ(holder.query_value("SELECT GET_LOCK(?, 0)", {db::lock_names::direct("codetest")}), "1");
  write_people(tmp / "other.csv", 5000, 5);
  const auto busy = run(dataloader_argv(tmp, tmp / "other.csv", {}), cluster.env());
  EXPECT_EQ(busy.exit_code, 75) << describe(busy);
  EXPECT_NE(busy.err.find("still writing to data node d2"), std::string::npos) << busy.err;
  EXPECT_TRUE(same_rows(rows_by_node(cluster), before));
  holder.query_value("SELECT RELEASE_LOCK(?)", {db::lock_names::direct("codetest")});
  const auto free = run(dataloader_argv(tmp, tmp / "other.csv", {}), cluster.env());
  EXPECT_EQ(free.exit_code, 0) << describe(free);
  EXPECT_EQ(cluster.head().query_value("SELECT COUNT(*) FROM people"), "5000");
}

// The nodes' local_infile decides between LOAD DATA and INSERT, not the
// head's; the nodes' connection limits bound the streams.
TEST(SpiderDirectPathTest, TheNodesLocalInfileAndConnectionLimitsDecideAndAreNamed) {
  TempDir tmp;
  SpiderCluster cluster;
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv"), {"--spider-path", "head"}), cluster.env()).exit_code, 0);
  const std::string expected = rows_by_node(cluster);
  cluster.node_admin_sql(2, "SET GLOBAL local_infile = 0");
  const auto forced = run(dataloader_argv(tmp, shipped("people.csv"), {"--load-method", "load-data"}), cluster.env());
  EXPECT_EQ(forced.exit_code, 77) << describe(forced);
  EXPECT_NE(forced.err.find("d2 has local_infile=OFF"), std::string::npos) << forced.err;
  // And its connections: --streams 16 can never fit a node that takes 10.
  cluster.node_admin_sql(1, "SET GLOBAL max_connections = 10");
  const auto crowded = run(dataloader_argv(tmp, shipped("people.csv"), {"--streams", "16"}), cluster.env());
  EXPECT_EQ(crowded.exit_code, 64) << describe(crowded);
  EXPECT_NE(crowded.err.find("data node d1"), std::string::npos) << crowded.err;
  EXPECT_TRUE(same_rows(rows_by_node(cluster), expected));
  cluster.node_admin_sql(1, "SET GLOBAL max_connections = 151");
  const auto inserts = run(dataloader_argv(tmp, shipped("people.csv"), {}), cluster.env());
  ASSERT_EQ(inserts.exit_code, 0) << describe(inserts);
  EXPECT_TRUE(took_direct_path(inserts)) << inserts.err;
  EXPECT_NE(inserts.err.find("loading with INSERT into every data node"), std::string::npos) << inserts.err;
  EXPECT_TRUE(same_rows(rows_by_node(cluster), expected));
}

TEST(SpiderDirectPathTest, ALayoutItDoesNotUnderstandIsRefusedOrLoadedThroughTheHead) {
  TempDir tmp;
  SpiderCluster cluster;
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv"), {}), cluster.env()).exit_code, 0);
  const std::string before = rows_by_node(cluster);
  // KEY partitioning hashes the id another way: the loader cannot route it.
  cluster.head().execute(
      "ALTER TABLE people__standby PARTITION BY KEY (id) (PARTITION p1 COMMENT='srv \"d1\"', PARTITION p2 "
      "COMMENT='srv \"d2\"')");
  const auto refused = run(dataloader_argv(tmp, shipped("people.csv"), {"--spider-path", "direct"}), cluster.env());
  EXPECT_EQ(refused.exit_code, 64) << describe(refused);
  EXPECT_NE(refused.err.find("partitioned by KEY"), std::string::npos) << refused.err;
  EXPECT_TRUE(same_rows(rows_by_node(cluster), before));

  const auto through_head = run(dataloader_argv(tmp, shipped("people.csv"), {}), cluster.env());
  ASSERT_EQ(through_head.exit_code, 0) << describe(through_head);
  EXPECT_FALSE(took_direct_path(through_head)) << through_head.err;
  EXPECT_EQ(live_content(cluster.head()).empty(), false);
  EXPECT_EQ(cluster.head().query_value("SELECT COUNT(*) FROM people"), "10000");
}

// Killed mid-stream, with rows already on the nodes' standby tables: the
// old data stays live on every node, and the next run completes.
TEST(SpiderDirectPathTest, ALoaderOrANodeKilledMidwayLeavesTheOldDataAndARerunCompletes) {
  TempDir tmp;
  SpiderCluster cluster;
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv"), {}), cluster.env()).exit_code, 0);
  const std::string before = rows_by_node(cluster);
  write_people(tmp / "big.csv", 200000, 9);
  const CsvParts parts = split_header(read_file(tmp / "big.csv"));
  // Rows the streams sent but did not commit, on node k's standby table.
  // (100,000 rows over 4 streams: each sends several 256 KiB chunks before
  // the FIFO runs dry.)
  auto streaming = [&](unsigned k) {
    db::Session node = cluster.node(k);
    node.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED");
    const std::string count = "SELECT (SELECT COUNT(*) FROM people_a) + (SELECT COUNT(*) FROM people_b)";
    const std::uint64_t live = std::stoull(node.query_value(count).value_or("0"));
    return eventually([&] { return std::stoull(node.query_value(count).value_or("0")) > live; });
  };
  {
    FifoInput fifo(tmp / "held.csv");
    Process loader(dataloader_argv(tmp, fifo.path(), {}), cluster.env());
    ASSERT_TRUE(fifo.write(parts.header + parts.rows.substr(0, parts.rows.size() / 2)));
    ASSERT_TRUE(streaming(1) && streaming(2)) << "the rows never reached both nodes";
    ::kill(loader.pid(), SIGKILL);
    EXPECT_EQ(loader.wait(60s).exit_code, 128 + SIGKILL);
  }
  EXPECT_TRUE(same_rows(rows_by_node(cluster), before)) << "killed loader";
  {
    FifoInput fifo(tmp / "held.csv");
    Process loader(dataloader_argv(tmp, fifo.path(), {}), cluster.env());
    ASSERT_TRUE(fifo.write(parts.header + parts.rows.substr(0, parts.rows.size() / 2)));
    ASSERT_TRUE(streaming(2)) << "the rows never reached node 2";
    cluster.stop_node(2);
    fifo.write(parts.rows.substr(parts.rows.size() / 2));
    fifo.close();
    const auto failed = loader.wait(120s);
    EXPECT_EQ(failed.exit_code, 75) << "a lost node is a temporary failure\n" << describe(failed);
    cluster.start_node(2);
  }
  EXPECT_TRUE(same_rows(rows_by_node(cluster), before)) << "killed node";
  const auto rerun = run(dataloader_argv(tmp, tmp / "big.csv", {}), cluster.env());
  ASSERT_EQ(rerun.exit_code, 0) << describe(rerun);
  EXPECT_TRUE(took_direct_path(rerun)) << rerun.err;
  EXPECT_EQ(cluster.head().query_value("SELECT COUNT(*) FROM people"), "200000");
  EXPECT_EQ(standby_rows(cluster), "0");
  EXPECT_EQ(leftover_tables(cluster.head()), "0");
}

}  // namespace
}  // namespace pipeline::testing
