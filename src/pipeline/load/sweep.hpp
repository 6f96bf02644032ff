// Cleaning up after other runs, done by every run while it holds the load
// lock: a run that died without recording its outcome is marked (succeeded
// when its parked places table proves that its RENAME ran, abandoned
// otherwise), and the scratch tables of every run that is over, or has no
// ledger row at all, are dropped. A sharded run still loading is left alone.
#pragma once

#include <optional>
#include <string>

#include "pipeline/load/status.hpp"

namespace pipeline::db {
class Session;
}

namespace pipeline::load {

enum class Leftover {
  kKeep,             // the run is alive: leave its tables
  kDrop,             // the run is over (or unknown): drop its tables
  kRecordPublished,  // its RENAME ran, unrecorded: mark it succeeded, drop its tables
  kAbandon,          // died before publishing: mark it abandoned, drop its tables
};

// What to do about another run: its status in load_runs (nullopt: no row),
// whether it is dead (still running, but its loader is gone), and whether its
// parked places table exists. Call only while holding the load lock.
Leftover leftover_action(std::optional<RunStatus> status, bool dead, bool parked_places);

// Acts on every other run that is dead or has scratch tables. Call only
// while holding the load lock; `own_run_id` is left alone.
void sweep(db::Session& session, const std::string& own_run_id);

}  // namespace pipeline::load
