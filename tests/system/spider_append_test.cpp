// Appends into a Spider cluster must give the ids, and keep the rows, that
// a single server does.
#include <gtest/gtest.h>

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

// Through the head, each append's ids start above every stored
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
  for (const char* path : {"head", "head"}) {
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
