// decide(): every combination of run status and shard states, for runs of
// one to three shards with any of them missing, against the rules written
// out one by one; then the cases that matter most, by name.
#include "pipeline/load/settle.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <optional>

namespace pipeline::load {
namespace {

constexpr std::array kShardStatuses = {ShardStatus::kRunning,  ShardStatus::kLoaded, ShardStatus::kPublished,
                                       ShardStatus::kRejected, ShardStatus::kFailed, ShardStatus::kAbandoned};
const std::array<std::optional<RunStatus>, 6> kRunStatuses = {std::nullopt,          RunStatus::kRunning,
                                                              RunStatus::kSucceeded, RunStatus::kRejected,
                                                              RunStatus::kFailed,    RunStatus::kAbandoned};

// The rules, one at a time, for one combination.
Decision expected(std::optional<RunStatus> run, const std::vector<ShardState>& shards, unsigned count, unsigned own) {
  auto has = [&](auto predicate) { return std::any_of(shards.begin(), shards.end(), predicate); };
  const bool other_writing =
      has([&](const ShardState& s) { return s.shard != own && s.status == ShardStatus::kRunning && s.alive; });
  Decision d;
  for (const ShardState& s : shards) {
    if (s.shard != own && s.status == ShardStatus::kRunning && !s.alive) d.died.push_back(s.shard);
  }
  if (!run || *run != RunStatus::kRunning) {
    d.action = Action::kOver;
    d.outcome = run.value_or(RunStatus::kAbandoned);
    d.died.clear();
    d.drop_tables = !other_writing;
  } else if (has([](const ShardState& s) { return s.status == ShardStatus::kRejected; })) {
    d.action = Action::kReject;
    d.outcome = RunStatus::kRejected;
    d.drop_tables = !other_writing;
  } else if (!d.died.empty() || has([](const ShardState& s) {
               return s.status == ShardStatus::kFailed || s.status == ShardStatus::kAbandoned ||
                      s.status == ShardStatus::kPublished;
             })) {
    d.action = Action::kFail;
    d.outcome = RunStatus::kFailed;
    d.drop_tables = !other_writing;
  } else if (shards.size() == count && std::all_of(shards.begin(), shards.end(), [](const ShardState& s) {
               return s.status == ShardStatus::kLoaded;
             })) {
    d.action = Action::kPublish;
    d.outcome = RunStatus::kSucceeded;
  } else {
    d.action = Action::kWait;
    d.outcome = RunStatus::kRunning;
  }
  return d;
}

TEST(SettleTest, EveryCombinationFollowsTheRules) {
  std::size_t combinations = 0;
  for (unsigned count = 1; count <= 3; ++count) {
    // Each shard is absent (not joined yet) or one of 6 statuses x alive or not.
    const unsigned per_shard = 1 + 2 * static_cast<unsigned>(kShardStatuses.size());
    unsigned total = 1;
    for (unsigned i = 0; i < count; ++i) total *= per_shard;
    for (unsigned code = 0; code < total; ++code) {
      std::vector<ShardState> shards;
      unsigned rest = code;
      for (unsigned k = 1; k <= count; ++k, rest /= per_shard) {
        const unsigned choice = rest % per_shard;
        if (choice == 0) continue;
        shards.push_back({k, kShardStatuses[(choice - 1) / 2], (choice - 1) % 2 == 1});
      }
      for (unsigned own = 1; own <= count; ++own) {
        for (const auto& run : kRunStatuses) {
          const Decision want = expected(run, shards, count, own);
          const Decision got = decide(run, shards, count, own);
          ++combinations;
          ASSERT_EQ(got.action, want.action) << "count " << count << " own " << own << " code " << code;
          ASSERT_EQ(got.outcome, want.outcome) << "count " << count << " own " << own << " code " << code;
          ASSERT_EQ(got.drop_tables, want.drop_tables) << "count " << count << " own " << own << " code " << code;
          if (want.action != Action::kOver) {
            ASSERT_EQ(got.died, want.died) << "count " << count << " own " << own << " code " << code;
          }
        }
      }
    }
  }
  EXPECT_EQ(combinations, 6u * (13u + 2u * 169u + 3u * 2197u));
}

struct Case {
  const char* name;
  std::optional<RunStatus> run;
  std::vector<ShardState> shards;
  unsigned count;
  Action action;
  bool drop_tables;
};

TEST(SettleTest, NamedCases) {
  using enum ShardStatus;
  const std::vector<Case> cases = {
      {"a plain run that loaded publishes", RunStatus::kRunning, {{1, kLoaded, true}}, 1, Action::kPublish, false},
      {"the last shard to load publishes",
       RunStatus::kRunning,
       {{1, kLoaded, false}, {2, kLoaded, true}},
       2,
       Action::kPublish,
       false},
      {"a shard that has not started yet is waited for",
       RunStatus::kRunning,
       {{1, kLoaded, true}},
       2,
       Action::kWait,
       false},
      {"a sibling still loading is waited for",
       RunStatus::kRunning,
       {{1, kLoaded, true}, {2, kRunning, true}},
       2,
       Action::kWait,
       false},
      {"a sibling that died fails the run",
       RunStatus::kRunning,
       {{1, kLoaded, true}, {2, kRunning, false}},
       2,
       Action::kFail,
       true},
      {"a rejected shard rejects the run, but a sibling still writing keeps the tables",
       RunStatus::kRunning,
       {{1, kRejected, true}, {2, kRunning, true}},
       2,
       Action::kReject,
       false},
      {"a run a sibling ended is over",
       RunStatus::kFailed,
       {{1, kLoaded, true}, {2, kFailed, false}},
       2,
       Action::kOver,
       true},
      {"a published shard in a running run means a publish broke off",
       RunStatus::kRunning,
       {{1, kLoaded, true}, {2, kPublished, false}},
       2,
       Action::kFail,
       true},
  };
  for (const Case& c : cases) {
    const Decision d = decide(c.run, c.shards, c.count, 1);
    EXPECT_EQ(d.action, c.action) << c.name;
    EXPECT_EQ(d.drop_tables, c.drop_tables) << c.name;
  }
  EXPECT_EQ(decide(RunStatus::kRunning, {{1, kLoaded, true}, {2, kRunning, false}}, 2, 1).died,
            std::vector<unsigned>{2});
}

TEST(SettleTest, ExitCodes) {
  EXPECT_EQ(exit_code_of(RunStatus::kSucceeded), ExitCode::kOk);
  EXPECT_EQ(exit_code_of(RunStatus::kStaged), ExitCode::kOk);
  EXPECT_EQ(exit_code_of(RunStatus::kRejected), ExitCode::kDataError);
  EXPECT_EQ(exit_code_of(RunStatus::kFailed), ExitCode::kTempFail);
  EXPECT_EQ(exit_code_of(RunStatus::kAbandoned), ExitCode::kTempFail);
}

}  // namespace
}  // namespace pipeline::load
