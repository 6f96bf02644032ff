#include "pipeline/load/settle.hpp"

#include <algorithm>

namespace pipeline::load {

Decision decide(std::optional<RunStatus> run, const std::vector<ShardState>& shards, unsigned expected, unsigned own) {
  Decision decision;
  const bool sibling_writing = std::any_of(shards.begin(), shards.end(), [&](const ShardState& s) {
    return s.shard != own && s.status == ShardStatus::kRunning && s.alive;
  });
  if (run != RunStatus::kRunning) {
    decision.action = Action::kOver;
    decision.outcome = run.value_or(RunStatus::kAbandoned);
    decision.drop_tables = !sibling_writing;
    return decision;
  }
  for (const ShardState& s : shards) {
    if (s.shard != own && s.status == ShardStatus::kRunning && !s.alive) decision.died.push_back(s.shard);
  }
  const auto any = [&](ShardStatus status) {
    return std::any_of(shards.begin(), shards.end(), [&](const ShardState& s) { return s.status == status; });
  };
  const auto loaded =
      std::count_if(shards.begin(), shards.end(), [](const ShardState& s) { return s.status == ShardStatus::kLoaded; });
  if (any(ShardStatus::kRejected)) {
    decision.action = Action::kReject;
    decision.outcome = RunStatus::kRejected;
  } else if (any(ShardStatus::kFailed) || any(ShardStatus::kAbandoned) || !decision.died.empty() ||
             any(ShardStatus::kPublished)) {
    // A published shard in a running run means a publish broke off half-way.
    decision.action = Action::kFail;
    decision.outcome = RunStatus::kFailed;
  } else if (static_cast<unsigned>(loaded) == expected && shards.size() == expected) {
    decision.action = Action::kPublish;
    decision.outcome = RunStatus::kSucceeded;
    return decision;
  } else {
    decision.action = Action::kWait;
    decision.outcome = RunStatus::kRunning;
    return decision;
  }
  decision.drop_tables = !sibling_writing;
  return decision;
}

ExitCode exit_code_of(RunStatus outcome) {
  switch (outcome) {
    case RunStatus::kSucceeded:
    case RunStatus::kStaged:
      return ExitCode::kOk;
    case RunStatus::kRejected:
      return ExitCode::kDataError;
    case RunStatus::kRunning:
    case RunStatus::kFailed:
    case RunStatus::kAbandoned:
      break;
  }
  return ExitCode::kTempFail;
}

}  // namespace pipeline::load
