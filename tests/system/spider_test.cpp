// The tools against a sharded engine: a MariaDB Spider head with people
// hash-partitioned over two data nodes (scripts/spider-cluster), pointed at
// the head exactly as at a single server. Results must equal a single
// server's, and all-or-nothing must hold although the rows live elsewhere.
#include <gtest/gtest.h>

#include <map>

#include <fmt/format.h>

#include "support/cluster_checks.hpp"
#include "support/generate.hpp"
#include "support/spider_cluster.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

constexpr const char* kPeopleHeader = "given_name,family_name,date_of_birth,place_of_birth\n";

TEST(SpiderTest, ReportsEqualASingleServersAndRowsAreSpreadOverTheNodes) {
  TempDir tmp;
  TestDatabase single("spidercompare");
  SpiderCluster cluster;
  const auto people = tmp / "people.csv";
  write_people(people, 40000, 3);
  for (const EnvOverrides& env : {single.env(), cluster.env()}) {
    const auto r = run(dataloader_argv(tmp, people.string(), {}), env);
    ASSERT_EQ(r.exit_code, 0) << describe(r);
  }
  const auto on_single = all_reports(tmp, single.env(), "single");
  const auto on_cluster = all_reports(tmp, cluster.env(), "cluster");
  ASSERT_EQ(on_single.size(), 10u);
  for (const auto& [name, content] : on_single) {
    ASSERT_TRUE(on_cluster.count(name)) << name;
    EXPECT_EQ(on_cluster.at(name), content) << name << " differs between the cluster and a single server";
  }
  EXPECT_EQ(live_content(cluster.head()), live_content(single.session()));

  // The rows are on the data nodes, split by HASH(id): id MOD 2 picks the node.
  std::uint64_t total = 0;
  for (unsigned k = 1; k <= cluster.data_nodes(); ++k) {
    db::Session node = cluster.node(k);
    std::uint64_t here = 0;
    for (const char* table : {"people_a", "people_b"}) {
      here += std::stoull(node.query_value(fmt::format("SELECT COUNT(*) FROM {}", table)).value_or("0"));
      EXPECT_EQ(node.query_value(fmt::format("SELECT COUNT(*) FROM {} WHERE id MOD 2 <> {}", table, k - 1)), "0")
          << "node d" << k << " holds a row of another partition";
    }
    EXPECT_GT(here, 15000u) << "node d" << k;
    total += here;
  }
  EXPECT_EQ(total, 40000u) << "the standby tables must be empty between loads";
}

TEST(SpiderTest, ReplaceAndAppendAreIdempotentAndLeaveNothingBehind) {
  TempDir tmp;
  SpiderCluster cluster;
  const auto shipped_people = shipped("people.csv");
  ASSERT_EQ(run(dataloader_argv(tmp, shipped_people, {}), cluster.env()).exit_code, 0);
  const std::string first = live_content(cluster.head());
  const auto replace = run(dataloader_argv(tmp, shipped_people, {}), cluster.env());
  ASSERT_EQ(replace.exit_code, 0) << describe(replace);
  EXPECT_EQ(live_content(cluster.head()), first) << "replace twice";
  EXPECT_EQ(cluster.head().query_value("SELECT COUNT(*) FROM people__standby"), "0");
  EXPECT_EQ(leftover_tables(cluster.head()), "0") << "a replace left its local stage behind";

  const auto append = run(dataloader_argv(tmp, shipped_people, {"--mode", "append"}), cluster.env());
  ASSERT_EQ(append.exit_code, 0) << describe(append);
  EXPECT_EQ(live_content(cluster.head()), first) << "append of the same files";
  EXPECT_EQ(cluster.head().query_value(
                "SELECT CONCAT(people_loaded, '/', people_duplicate) FROM load_runs ORDER BY id DESC LIMIT 1"),
            "0/10000");

  // Append of new rows adds exactly them, and the summary sees them.
  const auto extra = tmp / "extra.csv";
  write_file(extra, std::string(kPeopleHeader) + "Ἀλέξανδρος,Παπαδόπουλος,1970-05-06,Kelso\n" +
                        "გიორგი,ბერიძე,1981-02-03,Kelso\nAnn,Smith,1990-01-01,Kelso\n");
  const auto added = run(dataloader_argv(tmp, extra.string(), {"--mode", "append"}), cluster.env());
  ASSERT_EQ(added.exit_code, 0) << describe(added);
  EXPECT_EQ(cluster.head().query_value("SELECT COUNT(*) FROM people"), "10003");
  const auto again = run(dataloader_argv(tmp, extra.string(), {"--mode", "append"}), cluster.env());
  ASSERT_EQ(again.exit_code, 0) << describe(again);
  EXPECT_EQ(cluster.head().query_value("SELECT COUNT(*) FROM people"), "10003");
  EXPECT_EQ(cluster.head().query_value("SELECT COUNT(*) FROM people WHERE given_name = 'გიორგი'"), "1");
  EXPECT_EQ(leftover_tables(cluster.head()), "0");
}

TEST(SpiderTest, OverTheRejectLimitTheClusterKeepsWhatItHad) {
  TempDir tmp;
  SpiderCluster cluster;
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv"), {}), cluster.env()).exit_code, 0);
  const std::string before = live_content(cluster.head());
  const auto bad = tmp / "bad.csv";
  write_people(bad, 20000, 4);
  write_file(bad, read_file(bad) + "Ann,Smith,1990-02-30,Kelso\nBob,Jones,1990-01-01,Atlantis\n");
  for (const char* mode : {"replace", "append"}) {
    SCOPED_TRACE(mode);
    const auto r = run(dataloader_argv(tmp, bad.string(), {"--mode", mode}), cluster.env());
    EXPECT_EQ(r.exit_code, 65) << describe(r);
    EXPECT_EQ(live_content(cluster.head()), before);
    EXPECT_EQ(cluster.head().query_value("SELECT COUNT(*) FROM people__standby"), "0");
  }
  EXPECT_EQ(leftover_tables(cluster.head()), "0");
}

TEST(SpiderTest, ShardsPublishTogetherAndAKilledShardIsNeverSeen) {
  TempDir tmp;
  SpiderCluster cluster;
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv"), {}), cluster.env()).exit_code, 0);
  const std::string before = live_content(cluster.head());
  const auto summary = [&] {
    const auto out = tmp / "summary.json";
    const auto r = run(datasummarizer_argv(tmp, {"--output", out.string()}), cluster.env());
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    return read_file(out);
  };

  // A shard killed while it runs: the run is never published.
  const auto big = tmp / "big.csv";
  write_people(big, 30000, 9);
  ASSERT_TRUE(start_and_kill_shard(dataloader_argv(tmp, big, {"--shard", "2/2", "--run-id", "killed"}), cluster.env(),
                                   cluster.head(), "killed"));
  EXPECT_EQ(summary(), read_file(shipped("sample_output.json"))) << "readers see the old data";
  const auto other = run(dataloader_argv(tmp, big.string(), {"--shard", "1/2", "--run-id", "killed"}), cluster.env());
  EXPECT_EQ(other.exit_code, 75) << describe(other);
  EXPECT_EQ(live_content(cluster.head()), before);
  EXPECT_EQ(cluster.head().query_value("SELECT status FROM load_runs WHERE run_id = 'killed'"), "failed");
  EXPECT_EQ(leftover_tables(cluster.head()), "0");

  // Two shards of one run give what one plain load gives.
  const auto people = tmp / "people.csv";
  write_people(people, 30000, 5);
  std::vector<std::unique_ptr<Process>> shards;
  for (const char* shard : {"1/2", "2/2"}) {
    shards.push_back(std::make_unique<Process>(
        dataloader_argv(tmp, people.string(), {"--shard", shard, "--run-id", "two"}), cluster.env()));
  }
  for (auto& shard : shards) {
    const auto r = shard->wait();
    EXPECT_EQ(r.exit_code, 0) << describe(r);
  }
  const std::string sharded = live_content(cluster.head());
  const auto plain = run(dataloader_argv(tmp, people.string(), {"--jobs", "2"}), cluster.env());
  ASSERT_EQ(plain.exit_code, 0) << describe(plain);
  EXPECT_EQ(live_content(cluster.head()), sharded);
  EXPECT_EQ(cluster.head().query_value("SELECT COUNT(*) FROM people"), "30000");
}

TEST(SpiderTest, ReplaceWithoutTheStandbyTableIsRefusedAndChangesNothing) {
  TempDir tmp;
  SpiderCluster cluster;
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv"), {}), cluster.env()).exit_code, 0);
  const std::string before = live_content(cluster.head());
  cluster.head().execute("DROP TABLE people__standby");
  const auto r = run(dataloader_argv(tmp, shipped("people.csv"), {}), cluster.env());
  EXPECT_EQ(r.exit_code, 64) << describe(r);
  EXPECT_NE(r.err.find("people__standby"), std::string::npos) << r.err;
  EXPECT_EQ(live_content(cluster.head()), before);
  // Append needs no standby.
  const auto append = run(dataloader_argv(tmp, shipped("people.csv"), {"--mode", "append"}), cluster.env());
  EXPECT_EQ(append.exit_code, 0) << describe(append);
  EXPECT_EQ(live_content(cluster.head()), before);
}

}  // namespace
}  // namespace pipeline::testing
