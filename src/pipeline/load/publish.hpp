// Publishing a run whose shards have all loaded, under the load lock: the
// checks of verify.hpp against the ledger and the live tables, then either
// the replace path (the layout's RENAME, through cut_over) or the append
// path (deduplicate the stage, then one transaction that inserts the new
// rows and records the outcome; a direct append's rows are inserted by XA
// branches on the data nodes, prepared before that transaction and
// committed after it). Either way load_runs ends up saying whether
// the data went live, and so does the exit code.
#pragma once

#include <vector>

#include "pipeline/db/connection_options.hpp"
#include "pipeline/load/cutover.hpp"
#include "pipeline/load/layout.hpp"
#include "pipeline/load/ledger.hpp"
#include "pipeline/load/places_input.hpp"
#include "pipeline/load/run_tables.hpp"

namespace pipeline::db {
class NamedLock;
class Session;
}  // namespace pipeline::db

namespace pipeline::load {

struct PublishContext {
  db::Session& control;
  // For a second connection that finds out whether a COMMIT whose answer
  // was lost went through.
  const db::ConnectionOptions& connection;
  const Layout& layout;
  const RunTables& tables;
  // This shard's places.csv, the same file as every shard's.
  const PlacesInput& places;
  bool dry_run = false;
  bool allow_empty = false;
  CutoverTiming cutover;
  // The load lock the run publishes under: checked before the RENAME, and
  // fenced inside the append's transaction (NamedLock::fence).
  const db::NamedLock* lock = nullptr;
};

// What a publish that returned left.
enum class PublishOutcome {
  // Live (or, a dry run, counted), and recorded.
  kLive,
  // A direct append recorded as succeeded whose XA COMMIT failed on some
  // data nodes: their rows stay prepared and unseen until the next run
  // commits them (node_branches.hpp).
  kPending,
};

// Publishes the run of `shards` (every one loaded), filling `record`'s
// counts and setting its status to succeeded, which it records in load_runs
// itself. Throws Error when the run is refused or fails before its data went
// live: nothing is published then, and the caller records the failure. So
// does SIGINT or SIGTERM before the data goes live (util::interrupt_error());
// once the RENAME or COMMIT has run, a signal changes nothing.
PublishOutcome publish(const PublishContext& context, const std::vector<ShardRecord>& shards, RunRecord& record);

}  // namespace pipeline::load
