#include "pipeline/load/sweep.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/db/db_error.hpp"
#include "pipeline/db/lock_wait.hpp"
#include "pipeline/db/session.hpp"
#include "pipeline/load/ledger.hpp"
#include "pipeline/load/live_tables.hpp"
#include "pipeline/load/run_tables.hpp"

namespace pipeline::load {

Leftover leftover_action(std::optional<RunStatus> status, bool dead, bool parked_places) {
  if (status != RunStatus::kRunning) return Leftover::kDrop;
  // Only a run's RENAME parks its places, under the load lock that the
  // caller now holds: the run is live whether or not its loader still runs
  // (a sharded run whose shards have all loaded has none running).
  if (parked_places) return Leftover::kRecordPublished;
  return dead ? Leftover::kAbandon : Leftover::kKeep;
}

namespace {

// How long dropping another run's table may wait for the metadata lock: a
// loader that lost its lock may still be streaming into it, and a sweep must
// never stall the run that does it (nor the readers queued behind a DROP).
constexpr std::chrono::seconds kDropWait{2};

}  // namespace

void sweep(db::Session& session, const std::string& own_run_id) {
  const std::vector<std::string> dead = dead_runs(session, own_run_id);
  const std::vector<std::string> with_tables = runs_with_tables(session);
  std::vector<std::string> runs = with_tables;
  for (const std::string& run : dead) {
    if (std::find(runs.begin(), runs.end(), run) == runs.end()) runs.push_back(run);
  }
  for (const std::string& run : runs) {
    if (run == own_run_id) continue;
    const RunTables tables(run);
    const bool is_dead = std::find(dead.begin(), dead.end(), run) != dead.end();
    switch (leftover_action(run_status(session, run), is_dead, table_exists(session, tables.places_old))) {
      case Leftover::kKeep:
        continue;
      case Leftover::kRecordPublished:
        record_found_published(session, run,
                               fmt::format("published; its loader stopped before it could record that, and run {} "
                                           "found the tables its RENAME had parked",
                                           own_run_id));
        spdlog::warn("run {} was published but never recorded it: marked succeeded", run);
        break;
      case Leftover::kAbandon:
        abandon_run(session, run,
                    "the loader stopped without recording an outcome (killed, or its connection was lost)");
        spdlog::warn("run {} never finished: marked abandoned", run);
        break;
      case Leftover::kDrop:
        break;
    }
    if (std::find(with_tables.begin(), with_tables.end(), run) == with_tables.end()) continue;
    try {
      const db::ShortLockWait short_wait(session, kDropWait);
      tables.drop(session);
      spdlog::info("dropped the scratch tables of run {}", run);
    } catch (const db::DbError& e) {
      if (e.error_number() != db::kLockWaitTimeout) throw;
      spdlog::warn(
          "the scratch tables of run {} are still in use (its loader lost its lock but still runs); a later "
          "run drops them",
          run);
    }
  }
}

}  // namespace pipeline::load
