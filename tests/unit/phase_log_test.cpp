#include "pipeline/util/phase_log.hpp"

#include <gtest/gtest.h>

namespace pipeline::util {
namespace {

TEST(PhaseLogTest, GroupsDigitsInThrees) {
  EXPECT_EQ(grouped(0), "0");
  EXPECT_EQ(grouped(999), "999");
  EXPECT_EQ(grouped(1000), "1,000");
  EXPECT_EQ(grouped(1000000), "1,000,000");
  EXPECT_EQ(grouped(12345678), "12,345,678");
  EXPECT_EQ(grouped(18446744073709551615ull), "18,446,744,073,709,551,615");
}

TEST(PhaseLogTest, NamesEveryPhase) {
  for (Phase phase : {Phase::kReading, Phase::kDeduplicating, Phase::kPublishing, Phase::kWaitingForLock}) {
    EXPECT_NE(to_string(phase), "working");
  }
}

}  // namespace
}  // namespace pipeline::util
