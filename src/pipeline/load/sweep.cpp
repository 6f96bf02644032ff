#include "pipeline/load/sweep.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/load/ledger.hpp"
#include "pipeline/load/live_tables.hpp"
#include "pipeline/load/run_tables.hpp"

namespace pipeline::load {

Leftover leftover_action(std::optional<RunStatus> status, bool dead, bool parked_places) {
  if (status != RunStatus::kRunning) return Leftover::kDrop;
  if (!dead) return Leftover::kKeep;
  return parked_places ? Leftover::kRecordPublished : Leftover::kAbandon;
}

void sweep(db::Session& session, const std::string& own_run_id) {
  const std::vector<std::string> dead = dead_runs(session, own_run_id);
  std::vector<std::string> runs = runs_with_tables(session);
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
    tables.drop(session);
    spdlog::info("dropped the scratch tables of run {}", run);
  }
}

}  // namespace pipeline::load
