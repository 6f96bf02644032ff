#include "pipeline/db/galera.hpp"

#include <gtest/gtest.h>

namespace pipeline::db {
namespace {

TEST(GaleraTest, ANodeNeedsWsrepOnAndAProvider) {
  EXPECT_TRUE(parse_wsrep({{"wsrep_on", "ON"}, {"wsrep_provider", "/usr/lib/galera/libgalera_smm.so"}}).galera);
  EXPECT_FALSE(parse_wsrep({{"wsrep_on", "ON"}, {"wsrep_provider", "none"}}).galera);
  EXPECT_FALSE(parse_wsrep({{"wsrep_on", "OFF"}, {"wsrep_provider", "/usr/lib/galera/libgalera_smm.so"}}).galera);
  // MySQL, or MariaDB without Galera support: no such variables.
  EXPECT_FALSE(parse_wsrep({}).galera);
  EXPECT_FALSE(cluster_session_setup(parse_wsrep({})).has_value());
}

TEST(GaleraTest, FragmentsFitTheWriteSetLimit) {
  EXPECT_EQ(fragment_bytes(Wsrep{true, 32ull << 20}), 8ull << 20);
  EXPECT_EQ(fragment_bytes(Wsrep{true, 2147483647}), 16ull << 20);
  EXPECT_EQ(fragment_bytes(Wsrep{true, 100000}), 64ull << 10);
  EXPECT_EQ(fragment_bytes(Wsrep{true, 0}), 16ull << 20);
}

TEST(GaleraTest, TheSessionStreamsAndWaitsForCausality) {
  const auto setup = cluster_session_setup(
      parse_wsrep({{"WSREP_ON", "ON"}, {"wsrep_provider", "libgalera_smm.so"}, {"wsrep_max_ws_size", "33554432"}}));
  ASSERT_TRUE(setup.has_value());
  EXPECT_EQ(*setup,
            "SET SESSION wsrep_trx_fragment_unit = 'bytes', wsrep_trx_fragment_size = 8388608, wsrep_sync_wait = 1");
}

}  // namespace
}  // namespace pipeline::db
