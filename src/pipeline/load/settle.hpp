// What a shard does with its run once its own outcome is recorded: the pure
// decision at the core of a load. It takes the run's status and every
// shard's status and liveness, as read under the load lock, and returns
// whether to publish the run, wait for shards still loading, or end it as
// rejected or failed. No database here: shard_load acts on the decision.
#pragma once

#include <optional>
#include <vector>

#include "pipeline/error.hpp"
#include "pipeline/load/status.hpp"

namespace pipeline::load {

struct ShardState {
  unsigned shard = 1;
  ShardStatus status = ShardStatus::kRunning;
  // Its process still holds its liveness lock.
  bool alive = false;
};

enum class Action {
  kPublish,  // every shard loaded: publish the run now
  kWait,     // shards are missing or still loading: the last one publishes
  kReject,   // a shard's input was refused: the run is rejected
  kFail,     // a shard failed or died: the run fails
  kOver,     // the run was already ended (by a sibling, or a cleanup)
};

struct Decision {
  Action action = Action::kWait;
  // The run's status once acted on: succeeded for kPublish, running for
  // kWait, rejected or failed, or for kOver the status it already has.
  RunStatus outcome = RunStatus::kRunning;
  // Shards still marked running whose process is gone: to be marked
  // abandoned.
  std::vector<unsigned> died;
  // The run is over and no other shard is still writing to its tables: drop
  // them now (a publish drops its own after publishing).
  bool drop_tables = false;
};

// `run` is the run's status in load_runs (nullopt if its row is gone);
// `shards` every shard row of the run, `expected` the run's shard count and
// `own` this process's shard, whose outcome is already in `shards`.
Decision decide(std::optional<RunStatus> run, const std::vector<ShardState>& shards, unsigned expected, unsigned own);

// The exit code of a shard whose run ended with `outcome`: 0 once published
// or staged, 65 rejected, 75 otherwise (nothing changed; try again).
ExitCode exit_code_of(RunStatus outcome);

}  // namespace pipeline::load
