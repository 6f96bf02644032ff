// The pure checks before a publish (verify.hpp), the connection budget
// (connections.hpp) and the sweep's decision about another run's leftovers
// (sweep.hpp): plain values in, a refusal or an action out.
#include "pipeline/load/verify.hpp"

#include <gtest/gtest.h>

#include "pipeline/load/connections.hpp"
#include "pipeline/load/sweep.hpp"

namespace pipeline::load {
namespace {

ShardRecord shard(unsigned k, std::uint64_t begin, std::uint64_t end) {
  ShardRecord s;
  s.shard = k;
  s.range_begin = begin;
  s.range_end = end;
  s.places_sha256 = "places";
  s.people_sha256 = "people";
  s.id_base = 100;
  s.places_fingerprint = "ids";
  s.people = {10 * k, 9 * k, k, 1000 * k};
  return s;
}

TEST(VerifyTest, ShardsThatAgreePass) {
  const std::vector<ShardRecord> shards = {shard(1, 20, 50), shard(2, 50, 90), shard(3, 90, 90)};
  EXPECT_FALSE(check_same_inputs(shards, "r"));
  EXPECT_FALSE(check_ranges_tile(shards, "r"));
  const PeopleCounts totals = total(shards);
  EXPECT_EQ(totals.read, 60u);
  EXPECT_EQ(totals.valid, 54u);
  EXPECT_EQ(totals.rejected, 6u);
  EXPECT_EQ(totals.checksum, 6000u);
}

TEST(VerifyTest, EachDisagreementHasItsCode) {
  struct Case {
    const char* name;
    void (*spoil)(ShardRecord&);
    ExitCode code;
    const char* says;
  };
  const std::vector<Case> cases = {
      {"another people.csv", [](ShardRecord& s) { s.people_sha256 = "other"; }, ExitCode::kDataError,
       "read different files: people.csv"},
      {"another places.csv", [](ShardRecord& s) { s.places_sha256 = "other"; }, ExitCode::kDataError,
       "read different files: places.csv"},
      {"other place ids", [](ShardRecord& s) { s.places_fingerprint = "other"; }, ExitCode::kTempFail,
       "saw different places or ids"},
      {"another id base", [](ShardRecord& s) { s.id_base = 7; }, ExitCode::kTempFail, "saw different places or ids"},
  };
  for (const Case& c : cases) {
    std::vector<ShardRecord> shards = {shard(1, 20, 50), shard(2, 50, 90)};
    c.spoil(shards[1]);
    const auto refusal = check_same_inputs(shards, "r");
    ASSERT_TRUE(refusal) << c.name;
    EXPECT_EQ(refusal->code, c.code) << c.name;
    EXPECT_NE(refusal->message.find(c.says), std::string::npos) << c.name << ": " << refusal->message;
  }
}

TEST(VerifyTest, ShardsWithoutFingerprintsYetAreSkipped) {
  ShardRecord early = shard(2, 50, 90);
  early.people_sha256.clear();
  early.places_sha256.clear();
  early.places_fingerprint.clear();
  EXPECT_FALSE(check_same_inputs({shard(1, 20, 50), early}, "r"));
}

TEST(VerifyTest, RangesMustTile) {
  const auto gap = check_ranges_tile({shard(1, 20, 50), shard(2, 51, 90)}, "r");
  ASSERT_TRUE(gap);
  EXPECT_EQ(gap->code, ExitCode::kSoftware);
  EXPECT_TRUE(check_ranges_tile({shard(1, 20, 50), shard(2, 40, 90)}, "r"));
}

TEST(VerifyTest, AnAppendMustStillMatchTheLiveTables) {
  const ShardRecord s = shard(1, 20, 50);
  EXPECT_FALSE(check_still_live(s, {"ids", 100}, "r"));
  const auto places = check_still_live(s, {"moved", 100}, "r");
  ASSERT_TRUE(places);
  EXPECT_EQ(places->code, ExitCode::kTempFail);
  EXPECT_NE(places->message.find("the places table changed"), std::string::npos);
  const auto ids = check_still_live(s, {"ids", 150}, "r");
  ASSERT_TRUE(ids);
  EXPECT_EQ(ids->code, ExitCode::kTempFail);
  EXPECT_NE(ids->message.find("went from 100 to 150"), std::string::npos) << ids->message;
}

TEST(VerifyTest, AReplaceMayNotEmptyATableThatHoldsData) {
  EmptyingCheck check{"people", "p.csv", 10, 0, true, false};
  const auto all_rejected = check_not_emptying(check);
  ASSERT_TRUE(all_rejected);
  EXPECT_EQ(all_rejected->code, ExitCode::kDataError);
  EXPECT_NE(all_rejected->message.find("p.csv has no valid data rows (10 read, all rejected)"), std::string::npos);
  check.read = 0;
  EXPECT_NE(check_not_emptying(check)->message.find("p.csv has no data rows"), std::string::npos);
  check.allow_empty = true;
  EXPECT_FALSE(check_not_emptying(check));
  check.allow_empty = false;
  check.table_has_rows = false;
  EXPECT_FALSE(check_not_emptying(check)) << "an empty table loses nothing";
  check.table_has_rows = true;
  check.valid = 1;
  EXPECT_FALSE(check_not_emptying(check));
}

TEST(ConnectionsTest, ARunMustFitTheServersConnections) {
  const ConnectionLimits limits{151, 0, 11};  // this run's control connection and 10 others
  EXPECT_FALSE(check_connections(4, 2, true, limits));
  const auto never = check_connections(64, 16, true, limits);
  ASSERT_TRUE(never);
  EXPECT_EQ(never->code, ExitCode::kUsage);
  EXPECT_NE(never->message.find("1025 connections (1 control + --jobs 64 x --streams 16)"), std::string::npos);
  const auto not_now = check_connections(10, 15, true, limits);  // 151, and 10 others open
  ASSERT_TRUE(not_now);
  EXPECT_EQ(not_now->code, ExitCode::kTempFail);
  EXPECT_NE(not_now->message.find("only 141 of"), std::string::npos) << not_now->message;
  EXPECT_FALSE(check_connections(10, 15, true, {151, 0, 1}));
  EXPECT_FALSE(check_connections(64, 16, false, limits)) << "a dry run of replace opens no stream";
  const auto account = check_connections(4, 2, true, {151, 5, 1});
  ASSERT_TRUE(account);
  EXPECT_EQ(account->code, ExitCode::kUsage);
  EXPECT_NE(account->message.find("max_user_connections = 5"), std::string::npos);
}

TEST(SweepTest, WhatToDoAboutAnotherRun) {
  using enum RunStatus;
  EXPECT_EQ(leftover_action(kRunning, false, false), Leftover::kKeep);
  EXPECT_EQ(leftover_action(kRunning, false, true), Leftover::kRecordPublished)
      << "a sharded run whose shards all loaded has no shard running, dead or alive";
  EXPECT_EQ(leftover_action(kRunning, true, false), Leftover::kAbandon);
  EXPECT_EQ(leftover_action(kRunning, true, true), Leftover::kRecordPublished);
  for (const RunStatus over : {kSucceeded, kRejected, kFailed, kAbandoned}) {
    for (const bool dead : {false, true}) {
      for (const bool parked : {false, true}) EXPECT_EQ(leftover_action(over, dead, parked), Leftover::kDrop);
    }
  }
  EXPECT_EQ(leftover_action(std::nullopt, false, false), Leftover::kDrop) << "tables without a ledger row";
}

}  // namespace
}  // namespace pipeline::load
