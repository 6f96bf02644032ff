#include "pipeline/load/loader.hpp"

#include <exception>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/db/connect.hpp"
#include "pipeline/db/named_lock.hpp"
#include "pipeline/db/schema.hpp"
#include "pipeline/db/server_checks.hpp"
#include "pipeline/db/session.hpp"
#include "pipeline/load/ledger.hpp"
#include "pipeline/load/live_tables.hpp"
#include "pipeline/load/reject_log.hpp"
#include "pipeline/load/run_id.hpp"
#include "pipeline/load/run_report.hpp"
#include "pipeline/load/run_tables.hpp"
#include "pipeline/load/shard_load.hpp"
#include "pipeline/load/skip_unchanged.hpp"
#include "pipeline/load/sweep.hpp"
#include "pipeline/util/output_path.hpp"

namespace pipeline::load {
namespace {

// What a run's statements need on its database (README's GRANT names the
// same): tables are created, filled, renamed (ALTER, DROP), analysed
// (SELECT, INSERT), indexed (INDEX) and linked by a foreign key
// (REFERENCES, which MySQL checks); the ledger is updated and swept.
const db::Privileges kPrivileges = {"SELECT", "INSERT", "UPDATE", "DELETE",    "CREATE",
                                    "DROP",   "ALTER",  "INDEX",  "REFERENCES"};

// Before anything is read or written: a server that takes writes, every
// privilege the run needs, and on a Galera node tables that replicate, so
// that none fails half-way or leaves the nodes different.
void check_server(db::Session& control, const db::ConnectionOptions& connection) {
  db::require_writable(control, connection.address());
  db::require_privileges(control, connection.database, kPrivileges, "dataloader");
  db::require_replicated_tables(control, connection.database);
}

RunRecord new_record(const LoaderOptions& options) {
  RunRecord record;
  record.run_id = options.run_id.empty() ? make_run_id() : options.run_id;
  check_run_id(record.run_id);
  record.mode = options.mode;
  record.dry_run = options.dry_run;
  record.shards = options.shard.count;
  record.places.path = options.places.string();
  record.people.path = options.people.string();
  return record;
}

}  // namespace

std::filesystem::path rejects_path(const LoaderOptions& options, const std::string& run_id) {
  if (!options.rejects.empty()) return options.rejects;
  const std::string suffix = options.shard.count > 1 ? fmt::format("-shard{}", options.shard.index) : "";
  return options.log.dir / ("rejects-" + run_id + suffix + ".csv");
}

ExitCode run_load(const LoaderOptions& options, RunRecord* outcome) {
  const auto started = std::chrono::system_clock::now();
  RunRecord record = new_record(options);
  const unsigned shard_index = options.shard.index;
  const bool sharded = options.shard.count > 1;
  const std::filesystem::path rejects_file = rejects_path(options, record.run_id);
  // Written after the data may be live: checked now. (A rejects file is
  // written before anything is published, and --rejects is created now.)
  if (!options.report_json.empty()) util::check_output_path(options.report_json, "the run report");
  spdlog::info("run {}{}: {}{} of {} and {} into {}", record.run_id,
               sharded ? fmt::format(" shard {}/{}", shard_index, options.shard.count) : "", to_string(record.mode),
               options.dry_run ? " (dry run)" : "", record.places.path, record.people.path,
               options.connection.describe());

  ExitCode code = ExitCode::kOk;
  RejectLog rejects(rejects_file, !options.rejects.empty());
  // Every recorded ending: the summary, --report-json and the caller's copy.
  const auto report = [&](ExitCode reported) {
    report_run(options.report_json, record, rejects.created() ? rejects.path() : "", started, reported);
    if (outcome != nullptr) *outcome = record;
  };
  ShardRecord shard;
  shard.shard = shard_index;
  shard.shards = options.shard.count;
  std::optional<db::Session> control;
  // An unsharded run holds the load lock for its whole life.
  std::optional<db::NamedLock> load_lock;
  std::optional<db::NamedLock> alive;
  std::optional<ShardLoad> run;
  try {
    control.emplace(db::connect_with_retry(options.connection));
    check_server(*control, options.connection);
    if (!sharded) {
      load_lock.emplace(*control, db::lock_names::load(options.connection.database), options.wait_lock,
                        fmt::format("another dataloader is loading database '{}'; try again later, or pass "
                                    "--wait-lock SECONDS to wait for it",
                                    options.connection.database));
    }
    alive.emplace(
        *control, db::lock_names::shard(options.connection.database, record.run_id, shard_index),
        std::chrono::seconds(0),
        fmt::format("shard {}/{} of run {} is already running", shard_index, options.shard.count, record.run_id));
    for (const std::string& table : db::ensure_schema(*control)) spdlog::info("created table {}", table);
    if (options.skip_unchanged) {
      // Under the load lock: no other run can change what is live meanwhile.
      // The sweep first: a run that published but died before recording it
      // is recorded now, so that the ledger says whose data is live.
      sweep(*control, record.run_id);
      if (const auto since = unchanged_since(*control, fingerprint_file(options.places),
                                             fingerprint_file(options.people), options.mode)) {
        spdlog::info(
            "unchanged since run {}: both files have the SHA-256 and size it loaded, and its data is "
            "live; nothing to do (--skip-unchanged)",
            *since);
        return ExitCode::kOk;
      }
    }
    // From here on every outcome, a missing file included, is recorded.
    join_run(*control, record, shard_index);
    run.emplace(options, *control, record, shard, rejects, load_lock ? &*load_lock : nullptr, *alive);
    if (load_lock) sweep(*control, record.run_id);
    code = run->load();
    shard.status = code == ExitCode::kOk ? ShardStatus::kLoaded : ShardStatus::kRejected;
    if (code != ExitCode::kOk) {
      shard.error = fmt::format("{} row(s) rejected, more than --max-rejects {}", rejects.count(), options.max_rejects);
      record.error = shard.error;
    }
    rejects.close();
    update_shard(*control, record.run_id, shard);
    const ExitCode settled = run->settle();
    if (code == ExitCode::kOk) code = settled;
  } catch (const std::exception& e) {
    const auto* error = dynamic_cast<const Error*>(&e);
    code = error != nullptr ? error->code() : ExitCode::kSoftware;
    const bool rejected = code == ExitCode::kDataError;
    if (record.status == RunStatus::kSucceeded) {
      // The data is live: what failed after that does not undo it.
      spdlog::warn("run {} is published, but then: {}", record.run_id, e.what());
      report(ExitCode::kOk);
      return ExitCode::kOk;
    }
    record.error = e.what();
    if (run && !run->settle_started()) {
      try {
        shard.status = rejected ? ShardStatus::kRejected : ShardStatus::kFailed;
        shard.error = e.what();
        update_shard(*control, record.run_id, shard);
        run->settle();
      } catch (const std::exception& ledger_error) {
        spdlog::warn("could not record the outcome in the ledger: {}", ledger_error.what());
      }
    }
    if (record.status == RunStatus::kRunning) record.status = rejected ? RunStatus::kRejected : RunStatus::kFailed;
    report(code);
    if (rejected) return code;  // the summary line said why
    throw;
  }
  report(code);
  return code;
}

ExitCode run_cleanup(const db::ConnectionOptions& connection, const std::string& run_id) {
  check_run_id(run_id);
  db::Session control = db::connect_with_retry(connection);
  check_server(control, connection);
  db::NamedLock lock(control, db::lock_names::load(connection.database), std::chrono::seconds(60),
                     "a loader is publishing; try the cleanup again later");
  const auto status = run_status(control, run_id);
  if (!status) throw Error(ExitCode::kUsage, fmt::format("no run {} in load_runs", run_id));
  if (*status == RunStatus::kSucceeded) {
    throw Error(ExitCode::kUsage, fmt::format("run {} was published: there is nothing to clean up", run_id));
  }
  for (const ShardRecord& s : read_shards(control, run_id)) {
    if (s.alive && s.status == ShardStatus::kRunning) {
      throw Error(ExitCode::kTempFail,
                  fmt::format("shard {}/{} of run {} is still running; stop it first", s.shard, s.shards, run_id));
    }
  }
  const RunTables tables(run_id);
  if (*status == RunStatus::kRunning && table_exists(control, tables.places_old)) {
    // Its RENAME ran: the run is live, only its outcome was never recorded.
    record_found_published(control, run_id, "published; its outcome was recorded by dataloader --cleanup");
    tables.drop(control);
    spdlog::warn("run {} was published, but its loader stopped before recording it: marked succeeded", run_id);
    return ExitCode::kOk;
  }
  abandon_run(control, run_id, "cleaned up with dataloader --cleanup");
  tables.drop(control);
  spdlog::info("run {} ({}) cleaned up: marked abandoned, its tables dropped", run_id, to_string(*status));
  return ExitCode::kOk;
}

}  // namespace pipeline::load
