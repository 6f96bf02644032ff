// One shard's part of a run, as a sequence of steps: read places, split
// people.csv, agree with the sibling shards and create the run's tables,
// stream people into them, then settle the run under the load lock (publish
// it, leave it to the shards still loading, or end it). An unsharded run is
// a run of one shard. Every step's work lives in a file of its own; this
// file only orders them and keeps what passes between them.
#pragma once

#include <memory>
#include <optional>

#include "pipeline/db/named_lock.hpp"
#include "pipeline/error.hpp"
#include "pipeline/load/layout.hpp"
#include "pipeline/load/ledger.hpp"
#include "pipeline/load/loader.hpp"
#include "pipeline/load/places_input.hpp"
#include "pipeline/load/reject_log.hpp"
#include "pipeline/load/run_tables.hpp"

namespace pipeline::db {
class Session;
}

namespace pipeline::load {

class ShardLoad {
 public:
  // `load_lock` is held for the whole run (unsharded), or null: the shard
  // then takes it to settle. `alive` is the shard's liveness lock.
  ShardLoad(const LoaderOptions& options, db::Session& control, RunRecord& record, ShardRecord& shard,
            RejectLog& rejects, const db::NamedLock* load_lock, const db::NamedLock& alive);

  // Loads this process's share into the run's tables and records it in
  // load_shards. Returns kOk, or kDataError when over the reject limit.
  // Throws Error for anything fatal.
  ExitCode load();

  // With this shard's outcome recorded (by load(), or update_shard after a
  // failure), settles the run under the load lock and returns the exit code
  // of the run's outcome: publishes it when every shard has loaded and load()
  // succeeded, ends it when a shard was rejected, failed or died, and
  // otherwise leaves it to the shards still loading (kOk, status staged).
  ExitCode settle();

  // Whether settle() was called: after it threw, the run's outcome was
  // already dealt with as far as it could be, and settle() is not called
  // again (it could wait for the load lock twice).
  bool settle_started() const { return settle_started_; }

 private:
  // Publishes the run; a refusal or a failure before its data went live
  // ends the run (recorded, tables dropped) and is rethrown.
  ExitCode publish_run(const std::vector<ShardRecord>& shards, const db::NamedLock& lock);
  // Sets the run's outcome, records it (`record`, retried) and drops its
  // tables (`drop_tables`); failures are logged, not thrown.
  void end_run(RunStatus outcome, bool record, bool drop_tables);

  const LoaderOptions& options_;
  db::Session& control_;
  RunRecord& record_;
  ShardRecord& shard_;
  RejectLog& rejects_;
  const db::NamedLock* load_lock_;
  const db::NamedLock& alive_;
  RunTables tables_;
  // Known once load() has read places.csv.
  std::unique_ptr<Layout> layout_;
  std::optional<PlacesInput> places_;
  bool loaded_ = false;
  bool settle_started_ = false;
};

}  // namespace pipeline::load
