// Spider's COMMENT strings, as the direct path reads them: what it
// understands, and every form it refuses rather than guess.
#include <gtest/gtest.h>

#include "pipeline/error.hpp"
#include "pipeline/load/layout.hpp"
#include "pipeline/load/spider_params.hpp"

namespace pipeline::load {
namespace {

TEST(SpiderParamsTest, ReadsTheHeadSchemasComments) {
  const auto table = parse_spider_params(R"(wrapper "mysql", table "people_a")");
  ASSERT_TRUE(table);
  EXPECT_EQ(*table, (SpiderParams{{"wrapper", "mysql"}, {"table", "people_a"}}));
  const auto partition = parse_spider_params(R"(srv "d1")");
  ASSERT_TRUE(partition);
  EXPECT_EQ(*partition, (SpiderParams{{"server", "d1"}}));
}

TEST(SpiderParamsTest, ShortNamesBecomeLongOnesAndQuotesMayBeSingle) {
  const auto params = parse_spider_params(R"(  SRV 'd2' ,tbl "t\"x",  DB 'codetest'  )");
  ASSERT_TRUE(params);
  EXPECT_EQ(*params, (SpiderParams{{"server", "d2"}, {"table", "t\"x"}, {"database", "codetest"}}));
}

TEST(SpiderParamsTest, EmptyTextIsNoParameters) {
  const auto params = parse_spider_params("  ");
  ASSERT_TRUE(params);
  EXPECT_TRUE(params->empty());
}

TEST(SpiderParamsTest, RefusesWhatItCannotReadExactly) {
  for (const char* text : {
           R"(srv d1)",                 // unquoted
           R"(srv "d1)",                // unterminated
           R"(srv "d1" table "t")",     // no comma
           R"(srv "d1", server "d2")",  // the same parameter twice
           R"(srv "d1",)",              // a trailing comma
           R"("d1")",                   // no name
           R"(srv "d1\)",               // an escape at the end
       }) {
    EXPECT_FALSE(parse_spider_params(text)) << text;
  }
}

TEST(SpiderPathTest, ParsesItsThreeValuesAndNothingElse) {
  for (SpiderPath path : {SpiderPath::kAuto, SpiderPath::kDirect, SpiderPath::kHead}) {
    EXPECT_EQ(parse_spider_path(to_string(path)), path);
  }
  EXPECT_THROW(parse_spider_path("Direct"), Error);
}

TEST(SpiderNodesTest, RoutesAsHashPartitioningByIdDoes) {
  SpiderNodes nodes;
  nodes.nodes.resize(3);
  EXPECT_EQ(nodes.node_of(1), 1u);
  EXPECT_EQ(nodes.node_of(3), 0u);
  EXPECT_EQ(nodes.node_of(1000000), 1u);
  EXPECT_EQ(nodes.node_of(1000001), 2u);
}

}  // namespace
}  // namespace pipeline::load
