// The tools against a MariaDB Galera cluster (scripts/galera-cluster): three
// nodes that all take writes and replicate synchronously. Pointed at any node
// exactly as at a single server, the tools must give a single server's
// results; the load lock must hold across nodes; a load larger than one write
// set must go through; and a node that dies mid-load must leave the others
// with the old data and free to load again.
#include <gtest/gtest.h>

#include <map>
#include <optional>

#include <fmt/format.h>

#include "pipeline/db/named_lock.hpp"
#include "support/galera_cluster.hpp"
#include "support/cluster_checks.hpp"
#include "support/generate.hpp"
#include "support/held_input.hpp"
#include "support/spider_cluster.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

using namespace std::chrono_literals;

// Groups of people equal on all four fields that occur more than once.
std::string repeated_people(db::Session& session) {
  return session
      .query_value(
          "SELECT COUNT(*) FROM (SELECT 1 FROM people GROUP BY given_name, family_name, date_of_birth, "
          "place_of_birth_id HAVING COUNT(*) > 1) AS repeated")
      .value_or("?");
}

// The people staging table of a running load, if one exists.
std::optional<std::string> people_stage(db::Session& session) {
  return session.query_value(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
      "AND table_name LIKE 'people\\_\\_run\\_%' LIMIT 1");
}

// Who holds the load lock of `database` (tool, pid, host and node), as its
// lease row in load_locks says; nullopt when there is no such row (or no
// such table).
std::optional<std::string> load_lock_holder(db::Session& session, const std::string& database) {
  try {
    return session.query_value("SELECT held_by FROM load_locks WHERE name = ?", {db::lock_names::load(database)});
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

TEST(GaleraTest, LoadThroughNode1SummarizeThroughNode3EqualsASingleServer) {
  TempDir tmp;
  TestDatabase single("galerasummary");
  GaleraCluster cluster;
  const auto generated = tmp / "people.csv";
  write_people(generated, 40000, 3);
  for (const std::string& people : {shipped("people.csv"), generated.string()}) {
    SCOPED_TRACE(people);
    const std::string tag = people == generated.string() ? "generated" : "shipped";
    for (const EnvOverrides& env : {single.env(), cluster.env(1)}) {
      const auto r = run(dataloader_argv(tmp, people, {}), env);
      ASSERT_EQ(r.exit_code, 0) << describe(r);
    }
    // At once, through another node: what node 1 committed is there to read.
    const auto on_node3 = all_reports(tmp, cluster.env(3), tag + "-node3");
    const auto on_single = all_reports(tmp, single.env(), tag + "-single");
    ASSERT_EQ(on_single.size(), 10u);
    for (const auto& [name, bytes] : on_single) {
      ASSERT_TRUE(on_node3.count(name)) << name;
      EXPECT_EQ(on_node3.at(name), bytes) << name << " differs between node 3 and a single server";
    }
    const std::string expected = live_content(single.session());
    for (unsigned k = 1; k <= cluster.nodes(); ++k) {
      db::Session node = cluster.node(k);
      EXPECT_EQ(live_content(node), expected) << "node " << k;
    }
    if (tag == "shipped") {
      const auto out = tmp / "summary.json";
      const auto r = run(datasummarizer_argv(tmp, {"--output", out.string()}), cluster.env(3));
      ASSERT_EQ(r.exit_code, 0) << describe(r);
      EXPECT_EQ(read_file(out), read_file(shipped("sample_output.json")));
    }
  }
}

// Loader A is held mid-load on node 1 (its people.csv is a FIFO, half
// written) while loader B starts on node 2: B must find the lock taken
// although GET_LOCK on node 2 would be free, and exit 75 naming A.
TEST(GaleraTest, TwoLoadersOnTwoNodesExactlyOneLoads) {
  TempDir tmp;
  TestDatabase single("galeratwo");
  GaleraCluster cluster;
  const auto a_people = tmp / "a.csv";
  const auto other_people = tmp / "other.csv";
  write_people(a_people, 60000, 7);
  write_people(other_people, 20000, 8);
  const CsvParts parts = split_header(read_file(a_people));
  db::Session node2 = cluster.node(2);
  for (const std::string mode : {"replace", "append"}) {
    SCOPED_TRACE(mode);
    // Both start from the shipped data; the single server then gets A's load alone.
    for (const EnvOverrides& env : {single.env(), cluster.env(1)}) {
      const auto r = run(dataloader_argv(tmp, shipped("people.csv"), {}), env);
      ASSERT_EQ(r.exit_code, 0) << describe(r);
    }
    const auto reference = run(dataloader_argv(tmp, a_people, {"--mode", mode}), single.env());
    ASSERT_EQ(reference.exit_code, 0) << describe(reference);

    FifoInput fifo(tmp / ("held-" + mode + ".csv"));
    Process a(dataloader_argv(tmp, fifo.path(), {"--mode", mode}), cluster.env(1));
    ASSERT_TRUE(fifo.write(parts.header + parts.rows.substr(0, parts.rows.size() / 2)));
    // A has its lock once its staging table exists, and node 2 sees that table.
    ASSERT_TRUE(eventually([&] { return people_stage(node2).has_value(); })) << "loader A never staged its rows";
    ASSERT_TRUE(a.running());

    // Replace: B brings other people. Append: the same people as A, which
    // two appends at once would both insert.
    const auto b_people = mode == "replace" ? other_people : a_people;
    const auto b = run(dataloader_argv(tmp, b_people, {"--mode", mode, "--wait-lock", "0"}), cluster.env(2));
    EXPECT_EQ(b.exit_code, 75) << "loader B loaded beside A\n" << describe(b);
    EXPECT_NE(b.err.find("another dataloader is loading database 'codetest'"), std::string::npos) << b.err;
    const auto holder = load_lock_holder(node2, "codetest");
    EXPECT_TRUE(holder.has_value()) << "node 2 shows no lease row for the load lock in load_locks";
    if (holder) {
      EXPECT_NE(holder->find(fmt::format("pid {} ", a.pid())), std::string::npos) << *holder;
      EXPECT_NE(b.err.find(*holder), std::string::npos) << "B does not name A (" << *holder << ")\n" << b.err;
    }

    ASSERT_TRUE(fifo.write(parts.rows.substr(parts.rows.size() / 2)));
    fifo.close();
    const auto a_result = a.wait();
    EXPECT_EQ(a_result.exit_code, 0) << describe(a_result);
    const std::string expected = live_content(single.session());
    for (unsigned k = 1; k <= cluster.nodes(); ++k) {
      db::Session node = cluster.node(k);
      EXPECT_EQ(live_content(node), expected) << "node " << k << " does not hold exactly A's data";
    }
    EXPECT_EQ(repeated_people(node2), repeated_people(single.session())) << "a person was added twice";
    EXPECT_EQ(leftover_tables(node2), "0");
  }
}

// Loaders A (node 1) and B (node 2) start at the same moment, each reading
// its people.csv from a FIFO that it opens only once it holds the load lock:
// the loser must exit 75 while the winner waits at its FIFO; then the winner
// is fed and loads. With a lock local to each node, both would wait at their
// FIFOs and neither exit. Three races per mode, started in either order.
TEST(GaleraTest, TwoLoadersStartedAtOnceOnTwoNodesExactlyOneLoads) {
  TempDir tmp;
  TestDatabase single("galeraonce");
  GaleraCluster cluster;
  const auto people = tmp / "people.csv";
  write_people(people, 20000, 9);
  const std::string rows = read_file(people);
  db::Session node3 = cluster.node(3);
  for (const std::string mode : {"replace", "append"}) {
    for (int round = 0; round < 3; ++round) {
      SCOPED_TRACE(fmt::format("{}, round {}", mode, round));
      for (const EnvOverrides& env : {single.env(), cluster.env(1)}) {
        const auto r = run(dataloader_argv(tmp, shipped("people.csv"), {}), env);
        ASSERT_EQ(r.exit_code, 0) << describe(r);
      }
      const auto reference = run(dataloader_argv(tmp, people, {"--mode", mode}), single.env());
      ASSERT_EQ(reference.exit_code, 0) << describe(reference);

      FifoInput fifo_a(tmp / fmt::format("a-{}-{}.csv", mode, round));
      FifoInput fifo_b(tmp / fmt::format("b-{}-{}.csv", mode, round));
      std::optional<Process> a, b;
      const auto start_a = [&] {
        a.emplace(dataloader_argv(tmp, fifo_a.path(), {"--mode", mode, "--wait-lock", "0"}), cluster.env(1));
      };
      const auto start_b = [&] {
        b.emplace(dataloader_argv(tmp, fifo_b.path(), {"--mode", mode, "--wait-lock", "0"}), cluster.env(2));
      };
      if (round % 2 == 0) {
        start_a();
        start_b();
      } else {
        start_b();
        start_a();
      }
      ASSERT_TRUE(eventually([&] { return !a->running() || !b->running(); }))
          << "neither loader gave way: both hold the load lock";
      const bool a_won = a->running();
      Process& winner = a_won ? *a : *b;
      Process& loser = a_won ? *b : *a;
      FifoInput& winner_fifo = a_won ? fifo_a : fifo_b;
      const auto lost = loser.wait();
      EXPECT_EQ(lost.exit_code, 75) << describe(lost);
      EXPECT_NE(lost.err.find(fmt::format("dataloader pid {} ", winner.pid())), std::string::npos)
          << "the loser does not name the winner\n"
          << lost.err;
      ASSERT_TRUE(winner.running()) << "the winner did not wait at its FIFO";
      ASSERT_TRUE(winner_fifo.write(rows));
      winner_fifo.close();
      const auto won = winner.wait();
      ASSERT_EQ(won.exit_code, 0) << describe(won);
      EXPECT_EQ(live_content(node3), live_content(single.session()));
      EXPECT_EQ(leftover_tables(node3), "0");
    }
  }
}

// An append whose publishing INSERT waits (here for a gap lock another
// session holds past the last stored person) must go on renewing its lease:
// the lock's row may be held by the publishing transaction only at its very
// end. Held from the start of that transaction, the row stops the renewals,
// and other nodes see the lease run out while the run is publishing.
TEST(GaleraTest, AnAppendKeepsRenewingItsLeaseWhileItPublishes) {
  TempDir tmp;
  GaleraCluster cluster(GaleraOptions{.nodes = 1});
  const auto first = run(dataloader_argv(tmp, shipped("people.csv"), {}), cluster.env(1));
  ASSERT_EQ(first.exit_code, 0) << describe(first);
  const auto people = tmp / "new.csv";
  write_people(people, 20000, 5);
  db::Session watcher = cluster.node(1);
  const std::string stored = watcher.query_value("SELECT COUNT(*) FROM people").value_or("?");

  db::Session holder = cluster.node(1);
  holder.execute("START TRANSACTION");
  // No row: a lock on the gap after the last person only, which the new
  // people born in the last place must be inserted into.
  ASSERT_TRUE(
      holder.query("SELECT id FROM people WHERE place_of_birth_id > (SELECT MAX(id) FROM places) FOR UPDATE").rows.empty());
  Process loader(dataloader_argv(tmp, people, {"--mode", "append"}), cluster.env(1));
  ASSERT_TRUE(eventually([&] {
    // innodb_trx needs PROCESS, which the app user lacks.
    return cluster.admin_sql(1,
                             "SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT' "
                             "AND trx_query LIKE 'INSERT INTO people %'") == "1\n";
  })) << "the append never reached its publishing INSERT";
  const auto lease = [&] {
    return watcher.query_value("SELECT expires_at FROM load_locks WHERE name = ?", {db::lock_names::load("codetest")});
  };
  const auto before = lease();
  ASSERT_TRUE(before.has_value()) << "no lease row while the append publishes";
  // The renewer ticks every 10 s; the INSERT waits up to 50 s.
  EXPECT_TRUE(eventually([&] { return lease() != before; }, 30s))
      << "the lease was not renewed while the append published";
  ASSERT_TRUE(loader.running());
  holder.execute("ROLLBACK");
  const auto done = loader.wait();
  ASSERT_EQ(done.exit_code, 0) << describe(done);
  EXPECT_EQ(done.err.find("lost lock"), std::string::npos) << done.err;
  EXPECT_EQ(watcher.query_value(fmt::format("SELECT COUNT(*) - {} FROM people", stored)), "20000");
}

// With a 32 MB write-set limit on every node, no 1M-row load fits in one
// transaction: the loader must stage in pieces (replace) and stream (append).
TEST(GaleraTest, MillionRowLoadsPassA32MbWriteSetLimit) {
  TempDir tmp;
  TestDatabase single("galerabig");
  GaleraCluster cluster(GaleraOptions{.nodes = 3, .max_ws_size = kGaleraTestWriteSetLimit});
  const auto first = tmp / "first.csv";
  const auto second = tmp / "second.csv";
  write_people(first, 1000000, 11);
  write_people(second, 1000000, 12);
  struct Step {
    const char* what;
    std::filesystem::path people;
    const char* mode;
  };
  const Step steps[] = {{"1M-row replace", first, "replace"},
                        {"1M-row append of other people", second, "append"},
                        {"the same append again: all duplicates", second, "append"}};
  for (const Step& step : steps) {
    SCOPED_TRACE(step.what);
    const auto on_cluster = run(dataloader_argv(tmp, step.people, {"--mode", step.mode}), cluster.env(1), 400s);
    ASSERT_EQ(on_cluster.exit_code, 0) << describe(on_cluster);
    const auto on_single = run(dataloader_argv(tmp, step.people, {"--mode", step.mode}), single.env(), 400s);
    ASSERT_EQ(on_single.exit_code, 0) << describe(on_single);
    const std::string expected = live_content(single.session());
    for (unsigned k = 1; k <= cluster.nodes(); ++k) {
      db::Session node = cluster.node(k);
      EXPECT_EQ(live_content(node), expected) << "node " << k;
    }
  }
  db::Session node3 = cluster.node(3);
  // Both files' people, less the few the two seeds happen to share.
  const auto stored = node3.query_value("SELECT COUNT(*) FROM people");
  EXPECT_EQ(stored, single.session().query_value("SELECT COUNT(*) FROM people"));
  EXPECT_GT(std::stoull(stored.value_or("0")), 1990000u) << "the append added too few people";
  EXPECT_EQ(node3.query_value(
                "SELECT CONCAT(people_loaded, '/', people_duplicate) FROM load_runs ORDER BY started_at DESC LIMIT 1"),
            "0/1000000");
  EXPECT_EQ(leftover_tables(node3), "0");
}

// The node a loader uses is SIGKILLed while the loader, held by its FIFO,
// has its lock and rows staged there.
class GaleraNodeKilledTest : public ::testing::TestWithParam<const char*> {};

TEST_P(GaleraNodeKilledTest, TheOtherNodesKeepTheOldDataAndARerunThroughOneCompletes) {
  const std::string mode = GetParam();
  TempDir tmp;
  TestDatabase single("galerakill" + mode);
  GaleraCluster cluster;
  for (const EnvOverrides& env : {single.env(), cluster.env(1)}) {
    const auto r = run(dataloader_argv(tmp, shipped("people.csv"), {}), env);
    ASSERT_EQ(r.exit_code, 0) << describe(r);
  }
  std::string before;
  {
    db::Session node2 = cluster.node(2);
    before = live_content(node2);
  }
  const auto big = tmp / "big.csv";
  write_people(big, 200000, 42);
  const auto reference = run(dataloader_argv(tmp, big, {"--mode", mode}), single.env());
  ASSERT_EQ(reference.exit_code, 0) << describe(reference);
  const CsvParts parts = split_header(read_file(big));

  FifoInput fifo(tmp / "held.csv");
  Process loader(dataloader_argv(tmp, fifo.path(), {"--mode", mode}), cluster.env(1));
  ASSERT_TRUE(fifo.write(parts.header + parts.rows.substr(0, parts.rows.size() / 2)));
  {
    // Rows staged on node 1: committed in pieces, or still in the open
    // transaction that READ UNCOMMITTED sees.
    db::Session watcher = cluster.node(1);
    watcher.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED");
    ASSERT_TRUE(eventually([&] {
      const auto stage = people_stage(watcher);
      return stage &&
             watcher.query_value(fmt::format("SELECT COUNT(*) FROM (SELECT 1 FROM `{}` LIMIT 1) AS s", *stage)) == "1";
    })) << "the load never staged rows on node 1";
  }
  ASSERT_TRUE(loader.running());
  cluster.kill_node(1);
  fifo.close();
  const auto killed = loader.wait(120s);
  EXPECT_NE(killed.exit_code, 0) << describe(killed);

  for (unsigned k : {2u, 3u}) {
    ASSERT_TRUE(cluster.wait_for_cluster(k, 2)) << "node " << k << " is not in a primary cluster of 2";
    db::Session node = cluster.node(k);
    EXPECT_EQ(live_content(node), before) << "node " << k << " does not hold the old data";
  }

  const auto rerun = run(dataloader_argv(tmp, big, {"--mode", mode, "--wait-lock", "60"}), cluster.env(2), 240s);
  ASSERT_EQ(rerun.exit_code, 0) << describe(rerun);
  const std::string expected = live_content(single.session());
  for (unsigned k : {2u, 3u}) {
    db::Session node = cluster.node(k);
    EXPECT_EQ(live_content(node), expected) << "node " << k;
    EXPECT_EQ(leftover_tables(node), "0") << "node " << k << " kept a staging table";
    EXPECT_EQ(node.query_value("SELECT status FROM load_runs ORDER BY started_at DESC LIMIT 1 OFFSET 1"), "abandoned")
        << "node " << k << ": the killed run";
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, GaleraNodeKilledTest, ::testing::Values("replace", "append"));

}  // namespace
}  // namespace pipeline::testing
