// A direct append into a Spider cluster commits on its data nodes with XA:
// each node's branch is prepared, the head's transaction records the
// decision, and the branches are committed. A loader that dies in between,
// or a node that is gone when its branch should commit, leaves prepared
// branches; the next run must resolve each by the decision, so that every
// node ends with the old rows or every node with the new.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>

#include <fmt/format.h>

#include "support/generate.hpp"
#include "support/held_input.hpp"
#include "support/spider_cluster.hpp"
#include "support/test_database.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

using namespace std::chrono_literals;

// The data nodes' table behind the head's people (it alternates with every replace).
std::string live_node_table(SpiderCluster& cluster) {
  const std::string comment =
      cluster.head()
          .query_value(
              "SELECT table_comment FROM information_schema.tables WHERE table_schema = DATABASE() AND "
              "table_name = 'people'")
          .value_or("");
  return comment.find("people_a") != std::string::npos ? "people_a" : "people_b";
}

struct AppendCase {
  TempDir tmp;
  std::filesystem::path people = tmp / "append.csv";
  // What a single server holds after the same replace and append.
  std::string expected;
  // What the cluster holds before the append.
  std::string before;
};

// Loads the shipped people into `cluster` and into a single server, then
// appends there a file of new people and stored ones (with `places`, if
// given, instead of the shipped places.csv). `database` names the single
// server's database: tests run side by side.
void prepare(AppendCase& c, SpiderCluster& cluster, const std::string& database,
             const std::filesystem::path& places = {}) {
  TestDatabase single(database);
  ASSERT_EQ(run(dataloader_argv(c.tmp, shipped("people.csv"), {}), cluster.env()).exit_code, 0);
  ASSERT_EQ(run(dataloader_argv(c.tmp, shipped("people.csv"), {}), single.env()).exit_code, 0);
  write_people(c.tmp / "new.csv", 4000, 31);
  const CsvParts fresh = split_header(read_file(c.tmp / "new.csv"));
  const CsvParts shipped_rows = split_header(read_file(shipped("people.csv")));
  write_file(c.people,
             fresh.header + fresh.rows + shipped_rows.rows.substr(0, shipped_rows.rows.find('\n', 50000) + 1));
  auto argv = dataloader_argv(c.tmp, c.people, {"--mode", "append"});
  if (!places.empty()) argv[6] = places.string();
  ASSERT_EQ(run(argv, single.env()).exit_code, 0);
  c.expected = rows_by_node_expected(single.session(), cluster.data_nodes());
  c.before = rows_by_node(cluster);
}

// Killed while one node's branch is prepared and the other's insert waits
// (the test holds that node's live table): the decision was never made, so
// the next run rolls the prepared branch back, and then appends.
TEST(SpiderAppendTest, ABranchLeftPreparedBeforeTheDecisionIsRolledBackByTheNextRun) {
  SpiderCluster cluster;
  AppendCase c;
  prepare(c, cluster, "spiderappendrb");
  ASSERT_FALSE(HasFatalFailure());
  db::Session holder = cluster.node(2);
  holder.execute(fmt::format("LOCK TABLES {} READ", live_node_table(cluster)));
  {
    Process loader(dataloader_argv(c.tmp, c.people, {"--mode", "append"}), cluster.env());
    ASSERT_TRUE(eventually([&] { return prepared_branches(cluster).find("d1:") != std::string::npos; }))
        << "node 1's branch was never prepared";
    ::kill(loader.pid(), SIGKILL);
    EXPECT_EQ(loader.wait(60s).exit_code, 128 + SIGKILL);
  }
  holder.execute("UNLOCK TABLES");
  EXPECT_NE(prepared_branches(cluster), "") << "the killed loader's branch is gone already";
  EXPECT_TRUE(same_rows(rows_by_node(cluster), c.before)) << "a prepared branch's rows are seen";

  const auto rerun = run(dataloader_argv(c.tmp, c.people, {"--mode", "append"}), cluster.env());
  ASSERT_EQ(rerun.exit_code, 0) << describe(rerun);
  EXPECT_NE(rerun.err.find("so the branch is rolled back"), std::string::npos) << rerun.err;
  EXPECT_EQ(prepared_branches(cluster), "");
  EXPECT_EQ(node_scratch_tables(cluster), "");
  EXPECT_TRUE(same_rows(rows_by_node(cluster), c.expected));
}

// A node stopped once both branches are prepared and the decision waits
// (the test holds the head's places, which the decision writes a new place
// to): the run is decided, the other node commits, the stopped node's
// branch outlives the restart prepared, and the next run commits it before
// it reads the largest id (the stopped node holds it).
TEST(SpiderAppendTest, ABranchLeftPreparedAfterTheDecisionIsCommittedByTheNextRun) {
  SpiderCluster cluster;
  AppendCase c;
  const auto places = c.tmp / "places.csv";
  std::string listed = read_file(shipped("places.csv"));
  if (!listed.empty() && listed.back() != '\n') listed += '\n';
  write_file(places, listed + "Newtown,Newshire,Newland\n");
  prepare(c, cluster, "spiderappendco", places);
  ASSERT_FALSE(HasFatalFailure());
  // The node that will hold the largest new id: once it commits, the next
  // run's id base is above what it could see before.
  std::uint64_t largest = 0;
  for (std::size_t at = c.expected.find('\t'); at != std::string::npos; at = c.expected.find('\t', at + 1)) {
    largest = std::max<std::uint64_t>(largest, std::stoull(c.expected.substr(at + 1, 20)));
  }
  const unsigned stopped = static_cast<unsigned>(largest % cluster.data_nodes()) + 1;
  // Its commit is retried on a new connection for --connect-timeout.
  auto argv = dataloader_argv(c.tmp, c.people, {"--mode", "append", "--connect-timeout", "5"});
  argv[6] = places.string();
  {
    db::Session holder(cluster.head().options());
    holder.execute("LOCK TABLES places READ");
    Process loader(argv, cluster.env());
    ASSERT_TRUE(eventually([&] {
      const std::string branches = prepared_branches(cluster);
      return branches.find("d1:") != std::string::npos && branches.find("d2:") != std::string::npos;
    })) << "the branches were never prepared";
    cluster.stop_node(stopped);
    holder.execute("UNLOCK TABLES");
    const auto pending = loader.wait(120s);
    EXPECT_EQ(pending.exit_code, 75) << describe(pending);
    EXPECT_NE(pending.err.find("the next run commits it"), std::string::npos) << pending.err;
  }
  cluster.start_node(stopped);
  EXPECT_NE(prepared_branches(cluster).find(fmt::format("d{}:", stopped)), std::string::npos)
      << "the stopped node's branch did not outlive it";

  const auto rerun = run(argv, cluster.env());
  ASSERT_EQ(rerun.exit_code, 0) << describe(rerun);
  EXPECT_NE(rerun.err.find("so the branch is committed"), std::string::npos) << rerun.err;
  EXPECT_EQ(prepared_branches(cluster), "");
  EXPECT_EQ(node_scratch_tables(cluster), "");
  EXPECT_TRUE(same_rows(rows_by_node(cluster), c.expected));
}

// Through the head and direct, each append's ids start above every stored
// id, as on a single server. Before the fix the largest id was asked of
// Spider grouped by place, and Spider answered less than MAX(id): the ids
// shifted, and an append through the head stored ids twice, with exit 0.
TEST(SpiderAppendTest, EveryAppendGetsTheIdsASingleServerGives) {
  TempDir tmp;
  TestDatabase single("spiderappendids");
  SpiderCluster cluster;
  for (const auto* env : {&single, static_cast<TestDatabase*>(nullptr)}) {
    ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv"), {}), env ? env->env() : cluster.env()).exit_code, 0);
  }
  unsigned seed = 41;
  for (const char* path : {"head", "head", "direct", "direct"}) {
    SCOPED_TRACE(std::string("--spider-path ") + path);
    const auto people = tmp / fmt::format("new{}.csv", seed);
    write_people(people, 3000, seed++);
    ASSERT_EQ(run(dataloader_argv(tmp, people, {"--mode", "append"}), single.env()).exit_code, 0);
    const auto append = run(dataloader_argv(tmp, people, {"--mode", "append", "--spider-path", path}), cluster.env());
    ASSERT_EQ(append.exit_code, 0) << describe(append);
    EXPECT_TRUE(same_rows(rows_by_node(cluster), rows_by_node_expected(single.session(), cluster.data_nodes())));
    const auto counts = cluster.head().query("SELECT COUNT(*), COUNT(DISTINCT id) FROM people");
    EXPECT_EQ(counts.rows.at(0).at(1), counts.rows.at(0).at(0)) << "an id is stored twice";
  }
}

}  // namespace
}  // namespace pipeline::testing
