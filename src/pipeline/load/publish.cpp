#include "pipeline/load/publish.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/util/phase_log.hpp"

#include "pipeline/db/connect.hpp"
#include "pipeline/db/db_error.hpp"
#include "pipeline/db/named_lock.hpp"
#include "pipeline/db/session.hpp"
#include "pipeline/db/sql.hpp"
#include "pipeline/load/live_tables.hpp"
#include "pipeline/load/node_append.hpp"
#include "pipeline/load/node_branches.hpp"
#include "pipeline/load/people_table.hpp"
#include "pipeline/load/verify.hpp"
#include "pipeline/util/interrupt.hpp"

namespace pipeline::load {
namespace {

using db::quote_identifier;

// How long recording a published run's outcome may wait for a session that
// holds its load_runs row.
constexpr std::chrono::seconds kRecordBudget{60};

// A sharded run's stage holds exactly the rows its shards sent.
void check_staged(db::Session& control, const RunTables& tables, const PeopleCounts& totals, const std::string& run_id,
                  std::size_t shards) {
  const auto staged = control.query(
      fmt::format("SELECT COUNT(*), COALESCE(SUM({}), 0) FROM {}", kRowChecksumSql, quote_identifier(tables.people)));
  const std::string rows = staged.rows.at(0).at(0).value_or("0");
  const std::string sum = staged.rows.at(0).at(1).value_or("0");
  if (rows != std::to_string(totals.valid) || sum != std::to_string(totals.checksum)) {
    throw Error(ExitCode::kSoftware,
                fmt::format("run {}: the staging table holds {} rows (checksum {}), the shards sent {} (checksum {}); "
                            "not published",
                            run_id, rows, sum, totals.valid, totals.checksum));
  }
  spdlog::info("run {}: {} shards agree; {} rows staged, checksums match", run_id, shards, rows);
}

// A dry run publishes nothing; its outcome is only counted.
void record_dry_run(const PublishContext& c, RunRecord& record) {
  RunRecord done = record;
  done.status = RunStatus::kSucceeded;
  if (!record_run_retrying(c.control, done, ShardStatus::kPublished, kRecordBudget)) {
    throw Error(ExitCode::kTempFail, fmt::format("run {}: could not record its outcome in load_runs", record.run_id));
  }
  record.status = RunStatus::kSucceeded;
}

// The places counts of a run whose places.csv gave `changes` new or changed
// places.
void count_places(RunRecord& record, const FileCounts& read, std::size_t changes) {
  record.places.counts.loaded = changes;
  record.places.counts.duplicate = read.read - read.rejected - changes;
}

// Asks `question` on a new connection (retried up to --connect-timeout),
// when the control connection was lost with the answer to a statement that
// may have gone through. nullopt when the server cannot be reached.
template <class Question>
auto ask_again(const PublishContext& c, const Question& question) -> std::optional<decltype(question(c.control))> {
  try {
    db::Session session = db::connect_with_retry(c.connection);
    return question(session);
  } catch (const Error& e) {
    spdlog::error("cannot ask the server what happened: {}", e.what());
    return std::nullopt;
  }
}

// Records the run's counts while it is still running, before its data goes
// live, waiting out a session that holds its load_runs row: the write after
// publishing then only changes the status.
void record_counts_first(const PublishContext& c, RunRecord& record) {
  record.status = RunStatus::kRunning;
  if (!record_run_retrying(c.control, record, std::nullopt, kRecordBudget)) {
    throw Error(
        ExitCode::kTempFail,
        fmt::format("run {}: could not record its counts in load_runs, so it was not published", record.run_id));
  }
}

void publish_replace(const PublishContext& c, RunRecord& record, std::uint64_t valid) {
  const util::PhaseLog phase(util::Phase::kPublishing, fmt::format("run {}: swapping in the new tables ({} people)",
                                                                   record.run_id, util::grouped(valid)));
  const std::string rename = c.layout.ready_replace(c.control, c.tables, valid, record.run_id);
  // If the outcome cannot be recorded after the RENAME, a later run finds
  // the parked places table and needs only to mark the run succeeded.
  record_counts_first(c, record);
  // From the RENAME on, nothing is abandoned: a signal stops only the waits
  // before it (cut_over checks), and the outcome is recorded as it is.
  if (c.lock != nullptr) c.lock->check_held();
  const db::InterruptibleStatements going_live(c.control, false);
  try {
    cut_over(c.control, rename, c.cutover);
  } catch (const db::DbError& e) {
    if (!e.transient()) throw;
    // Whether a RENAME whose answer was lost ran after all: its parked
    // places table exists.
    const auto renamed = ask_again(c, [&](db::Session& session) { return table_exists(session, c.tables.places_old); });
    if (!renamed) {
      throw Error(ExitCode::kTempFail,
                  fmt::format("run {}: the connection was lost during the RENAME ({}), and whether it ran cannot be "
                              "told now: it did if the table {} exists, and the next run records the outcome",
                              record.run_id, e.what(), c.tables.places_old));
    }
    if (!*renamed) throw;
    spdlog::warn("run {}: the connection was lost during the RENAME ({}), but it ran", record.run_id, e.what());
    record.status = RunStatus::kSucceeded;
    const auto recorded = ask_again(c, [&](db::Session& session) {
      return record_run_retrying(session, record, ShardStatus::kPublished, kRecordBudget);
    });
    if (recorded != true) {
      spdlog::warn("run {} is live, but load_runs still says running: the next run records it as succeeded",
                   record.run_id);
    }
    return;
  }
  spdlog::info("published run {}: people and places replaced ({})", record.run_id, c.layout.description());
  record.status = RunStatus::kSucceeded;
  if (record_run_retrying(c.control, record, ShardStatus::kPublished, kRecordBudget)) {
    c.layout.drop_previous(c.control, c.tables);
  } else {
    spdlog::warn(
        "run {} is live, but load_runs still says running: the next run records it as succeeded (it keeps "
        "the table {} as the proof)",
        record.run_id, c.tables.places_old);
  }
  try {
    // Fresh tables start with empty statistics; give the next query plans real ones.
    c.control.query(fmt::format("ANALYZE TABLE {}", c.layout.replaced_tables()));
  } catch (const Error& e) {
    spdlog::warn("the new data is live, but ANALYZE TABLE failed: {}", e.what());
  }
}

// Drops what is not new, deterministically whatever the jobs and shards: a
// repeat within the run loses to its earliest line (lowest id), a row equal
// to a stored one is dropped. Returns the rows left.
std::uint64_t deduplicate(db::Session& control, const RunTables& tables, std::uint64_t staged) {
  const util::PhaseLog phase(
      util::Phase::kDeduplicating,
      fmt::format("{} staged people, against each other and the stored ones", util::grouped(staged)));
  const std::string stage = quote_identifier(tables.people);
  control.execute(fmt::format("ALTER TABLE {} ADD INDEX {}", stage, kNaturalKeyIndex));
  control.execute(fmt::format("DELETE s FROM {0} s JOIN {0} t ON {1} AND t.id < s.id", stage, kSamePerson));
  // One pass over people, each row looked up in the stage's natural key; the
  // other way round every staged row would scan its place.
  control.execute(fmt::format("DELETE s FROM people t STRAIGHT_JOIN {} s ON {}", stage, kSamePerson));
  return std::stoull(control.query_value("SELECT COUNT(*) FROM " + stage).value_or("0"));
}

// The new rows and places, and the outcome, in one transaction: the run is
// live and recorded as succeeded, or neither. Direct, the people rows are
// in the data nodes' prepared XA branches, and that transaction decides
// their fate: they are committed once it has, and rolled back if it fails.
PublishOutcome publish_append(const PublishContext& c, RunRecord& record, const PlaceSet& places, std::uint64_t fresh) {
  const std::vector<const Place*> changes = places.changes();
  const SpiderNodes* direct = c.layout.direct();
  const util::PhaseLog phase(
      util::Phase::kPublishing,
      fmt::format("run {}: adding {} people and {} places in one transaction{}", record.run_id, util::grouped(fresh),
                  util::grouped(changes.size()),
                  direct != nullptr
                      ? fmt::format(", with an XA branch on each of the {} data nodes", direct->nodes.size())
                      : ""));
  record_counts_first(c, record);
  std::optional<NodeBranches> branches;
  if (direct != nullptr) {
    branches.emplace(*direct, record.run_id);
    const std::uint64_t prepared =
        branches->prepare([&](std::size_t k) { return insert_own_rows(*direct, c.tables, k); });
    if (prepared != fresh) {
      branches->rollback();
      throw Error(
          ExitCode::kSoftware,
          fmt::format("the data nodes' branches insert {} people, expected {}; not published", prepared, fresh));
    }
    try {
      util::check_interrupted();
    } catch (...) {
      branches->rollback();
      throw;
    }
  }
  const db::InterruptibleStatements going_live(c.control, false);
  record.status = RunStatus::kSucceeded;
  bool committing = false;
  try {
    c.control.execute("START TRANSACTION");
    // The ledger first: a session holding the run's row now stops the
    // publish before the big insert, not after it.
    record_run(c.control, record);
    set_open_shards(c.control, record.run_id, ShardStatus::kPublished);
    write_places(c.control, "places", changes, true);
    std::uint64_t inserted = fresh;
    if (!branches) {
      // Still rolled back by a signal, up to the COMMIT.
      const db::InterruptibleStatements abandonable(c.control);
      inserted = c.control.execute(fmt::format("INSERT INTO people ({0}) SELECT {0} FROM {1}", kPeopleColumnList,
                                               quote_identifier(c.tables.people)));
      util::check_interrupted();
    }
    if (inserted != fresh) {
      throw Error(ExitCode::kSoftware, fmt::format("inserted {} people, expected {}", inserted, fresh));
    }
    // The lock as part of the transaction: on a Galera cluster a loader that
    // took it over makes this COMMIT fail rather than both publish. Last, so
    // that the lock's row is held only up to the COMMIT: held through the
    // insert, it would stop the lease's renewals, and other nodes would see
    // the lease run out while this run publishes.
    if (c.lock != nullptr) c.lock->fence(c.control);
    committing = true;
    c.control.execute("COMMIT");
  } catch (const Error& e) {
    record.status = RunStatus::kRunning;
    if (!committing) {
      try {
        c.control.execute("ROLLBACK");
      } catch (const Error& rollback) {
        spdlog::debug("rollback: {}", rollback.what());
      }
      if (branches) branches->rollback();
      throw;
    }
    // The COMMIT's answer was lost: the ledger row, written in the same
    // transaction, says whether it went through.
    const auto status = ask_again(c, [&](db::Session& session) { return run_status(session, record.run_id); });
    if (!status) {
      // The next run reads the same answer, and resolves the branches by it.
      if (branches) branches->leave();
      throw Error(ExitCode::kTempFail, fmt::format("run {}: the connection was lost during COMMIT ({}), and whether "
                                                   "it went through cannot be told now; load_runs will say",
                                                   record.run_id, e.what()));
    }
    if (*status != RunStatus::kSucceeded) {
      if (branches) branches->rollback();
      throw;
    }
    record.status = RunStatus::kSucceeded;
    spdlog::warn("run {}: the COMMIT's answer was lost ({}), but load_runs shows it went through", record.run_id,
                 e.what());
  }
  if (branches && !branches->commit().empty()) return PublishOutcome::kPending;
  spdlog::info("published run {}: {} people and {} places added or updated", record.run_id, fresh, changes.size());
  return PublishOutcome::kLive;
}

}  // namespace

PublishOutcome publish(const PublishContext& c, const std::vector<ShardRecord>& shards, RunRecord& record) {
  // Until the data goes live a signal stops any statement, and the run fails with nothing changed.
  const db::InterruptibleStatements abandonable(c.control);
  refuse(check_same_inputs(shards, record.run_id));
  refuse(check_ranges_tile(shards, record.run_id));
  const PeopleCounts totals = total(shards);
  const bool staged = record.mode == Mode::kAppend || !c.dry_run;
  if (staged && shards.size() > 1) check_staged(c.control, c.tables, totals, record.run_id, shards.size());

  const FileCounts& places_read = c.places.file.counts;
  record.people.counts = {totals.read, 0, 0, totals.rejected};
  if (record.mode == Mode::kReplace) {
    refuse(check_not_emptying(
        {"people", record.people.path, totals.read, totals.valid, has_rows(c.control, "people"), c.allow_empty}));
    count_places(record, places_read, c.places.places.changes().size());
    record.people.counts.loaded = totals.valid;
    if (c.dry_run) {
      record_dry_run(c, record);
      return PublishOutcome::kLive;
    }
    c.layout.prepare_publish(c.control);
    publish_replace(c, record, totals.valid);
    return PublishOutcome::kLive;
  }

  // Append: the place ids and the id base the shards used must still hold.
  c.layout.prepare_publish(c.control);
  const PlaceSet live_places = build_place_set(stored_places(c.control), c.places.accepted);
  refuse(check_still_live(shards.front(), LiveState{places_fingerprint(live_places), max_person_id(c.control)},
                          record.run_id));
  const std::uint64_t fresh = c.layout.direct() != nullptr
                                  ? deduplicate_on_nodes(*c.layout.direct(), c.tables, totals.valid)
                                  : deduplicate(c.control, c.tables, totals.valid);
  count_places(record, places_read, live_places.changes().size());
  record.people.counts.loaded = fresh;
  record.people.counts.duplicate = totals.valid - fresh;
  if (c.dry_run) {
    record_dry_run(c, record);
    return PublishOutcome::kLive;
  }
  return publish_append(c, record, live_places, fresh);
}

}  // namespace pipeline::load
