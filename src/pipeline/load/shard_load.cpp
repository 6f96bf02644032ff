#include "pipeline/load/shard_load.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/db/session.hpp"
#include "pipeline/load/connections.hpp"
#include "pipeline/load/live_tables.hpp"
#include "pipeline/load/people_load.hpp"
#include "pipeline/load/people_table.hpp"
#include "pipeline/load/publish.hpp"
#include "pipeline/load/settle.hpp"
#include "pipeline/load/sweep.hpp"
#include "pipeline/load/verify.hpp"
#include "pipeline/util/input_file.hpp"
#include "pipeline/util/interrupt.hpp"

namespace pipeline::load {
namespace {

// How long a shard waits for the load lock to settle its run.
constexpr std::chrono::seconds kPublishWait{600};
// How long a shard waits for a sibling that is creating the run's tables.
constexpr std::chrono::seconds kSetupWait{120};
// How long recording a run's end may wait for a session holding its row.
constexpr std::chrono::seconds kRecordBudget{60};

ShardState state_of(const ShardRecord& s) { return ShardState{s.shard, s.status, s.alive}; }

}  // namespace

ShardLoad::ShardLoad(const LoaderOptions& options, db::Session& control, RunRecord& record, ShardRecord& shard,
                     RejectLog& rejects, const db::NamedLock* load_lock, const db::NamedLock& alive)
    : options_(options),
      control_(control),
      record_(record),
      shard_(shard),
      rejects_(rejects),
      load_lock_(load_lock),
      alive_(alive),
      tables_(record.run_id) {}

ExitCode ShardLoad::load() {
  // Nothing is live yet: a signal may stop any statement of the load.
  const db::InterruptibleStatements abandonable(control_);
  const bool append = options_.mode == Mode::kAppend;
  const bool staging = append || !options_.dry_run;
  // Before any input is read: a forced load-data that the server refuses
  // fails now, not after validating the whole file.
  layout_ = detect_layout(control_, LayoutRequest{options_.mode, options_.dry_run, options_.shard.count > 1,
                                                  options_.spider_path, options_.spider_nodes, options_.connection});
  // Not on a dry run, which writes nothing (and whose counts may then be
  // off by what a prepared branch holds).
  if (staging && !options_.dry_run) layout_->resolve_leftovers(control_, tables_);
  const SpiderNodes* direct = layout_->direct();
  std::optional<LoadPath> path;
  const unsigned jobs = std::max(1u, options_.jobs);
  const unsigned streams = std::max(1u, options_.streams);
  if (direct != nullptr) {
    // The rows go to the data nodes: theirs is the local_infile that counts,
    // and theirs the connections the streams take. (A dry run only checks
    // that every node is reachable.)
    const NodeProbe probe = probe_spider_nodes(*direct);
    if (staging) path = choose_direct_load_path(options_.load_method, probe.without_local_infile);
    for (std::size_t k = 0; k < direct->nodes.size(); ++k) {
      if (auto refusal = check_connections(jobs, streams, staging, probe.limits[k])) {
        refusal->message = fmt::format("data node {} ({}): {}", direct->nodes[k].server,
                                       direct->nodes[k].connection.address(), refusal->message);
        refuse(refusal);
      }
    }
  } else if (staging) {
    path = choose_load_path(options_.load_method, server_allows_local_infile(control_));
  }
  if (path) spdlog::info("{}", path->reason);
  util::InputFile places_file(options_.places);
  util::InputFile people_file(options_.people);
  record_.places.bytes = places_file.size();
  record_.people.bytes = people_file.size();
  const Limits limits = read_limits(control_);
  // On the head, direct: the control connection and one per node for the checks.
  refuse(direct != nullptr ? check_connections(1, static_cast<unsigned>(direct->nodes.size()), staging,
                                               read_connection_limits(control_))
                           : check_connections(jobs, streams, staging, read_connection_limits(control_)));

  places_.emplace(
      read_places(places_file, append ? stored_places(control_) : std::vector<StoredPlace>{}, limits, rejects_));
  record_.places = places_->file;
  if (!append) {
    const FileCounts& counts = places_->file.counts;
    refuse(check_not_emptying({"places", record_.places.path, counts.read, counts.read - counts.rejected,
                               has_rows(control_, "places"), options_.allow_empty}));
  }
  shard_.places_sha256 = record_.places.sha256;
  shard_.id_base = append ? max_person_id(control_) : 0;
  shard_.places_fingerprint = places_fingerprint(places_->places);

  const Assignment assignment = assign(options_.people, options_.jobs, options_.shard.index, options_.shard.count);
  if (assignment.scan) {
    shard_.people_sha256 = assignment.scan->sha256;
    shard_.range_begin = assignment.ranges.front().begin;
    shard_.range_end = assignment.ranges.back().end;
  }
  {
    // Before any row is sent: the same files and places as the siblings
    // that came first, and the run's tables, created once.
    db::NamedLock setup(control_, db::lock_names::setup(options_.connection.database, record_.run_id), kSetupWait,
                        "another shard of this run is still creating its tables");
    if (options_.shard.count > 1) {
      update_shard(control_, record_.run_id, shard_);
      refuse(check_same_inputs(read_shards(control_, record_.run_id), record_.run_id));
    }
    if (staging && !table_exists(control_, tables_.people)) {
      layout_->create_stage(control_, tables_, options_.mode, places_->places.changes());
    }
  }

  PeopleLoadSetup setup;
  setup.places = &places_->places;
  setup.stored_places = places_->stored_places;
  setup.limits = limits;
  setup.id_base = shard_.id_base.value_or(0);
  setup.max_rejects = options_.max_rejects;
  setup.checksum = options_.shard.count > 1;
  if (staging) {
    // References were checked row by row against places; the server need not
    // check them again (the append stage has no foreign key to check).
    // Direct, a replace fills the nodes' standby tables, and an append its
    // stage on every node.
    setup.target = db::BulkTarget{.table = direct != nullptr && !append ? direct->standby_table : tables_.people,
                                  .columns = kPeopleTableColumns,
                                  .setup = {}};
    // Never published after a failure (and dropped): a stopped stream commits, quickly.
    setup.target->scratch = true;
    if (!append) setup.target->setup.push_back("SET SESSION foreign_key_checks = 0");
  }
  setup.connection = options_.connection;
  setup.streams = std::max(1u, options_.streams);
  setup.direct = direct;
  setup.broadcast = direct != nullptr && append;
  if (path) setup.method = path->method;
  setup.progress = options_.progress;
  // Keeps the control connection busy, and stops the load once it or its
  // locks are gone: a run never publishes without its lock.
  setup.heartbeat = [this] {
    alive_.check_held();
    if (load_lock_ != nullptr) load_lock_->check_held();
  };
  const PeopleLoaded people = load_people(assignment, people_file, setup, rejects_);
  record_.people.bytes = people.file_bytes;
  record_.people.sha256 = people.sha256;
  record_.people.counts = {people.counts.read, 0, 0, people.counts.rejected};
  shard_.people_sha256 = people.sha256;
  shard_.range_begin = people.begin;
  shard_.range_end = people.end;
  shard_.people = people.counts;
  if (rejects_.count() > options_.max_rejects) {
    spdlog::error(
        "{} row(s) rejected, more than --max-rejects {}: nothing will be published; the rows are listed in {}",
        rejects_.count(), options_.max_rejects, rejects_.path().string());
    return ExitCode::kDataError;
  }
  loaded_ = true;
  return ExitCode::kOk;
}

ExitCode ShardLoad::settle() {
  settle_started_ = true;
  std::optional<db::NamedLock> publish_lock;
  if (load_lock_ == nullptr) {
    publish_lock.emplace(control_, db::lock_names::load(options_.connection.database), kPublishWait,
                         fmt::format("run {}: cannot take the load lock to settle it", record_.run_id));
    sweep(control_, record_.run_id);
  }
  const db::NamedLock& lock = load_lock_ != nullptr ? *load_lock_ : *publish_lock;
  lock.check_held();

  std::vector<ShardRecord> shards = read_shards(control_, record_.run_id);
  std::vector<ShardState> states;
  std::transform(shards.begin(), shards.end(), std::back_inserter(states), state_of);
  const Decision decision = decide(run_status(control_, record_.run_id), states, record_.shards, shard_.shard);
  for (ShardRecord& s : shards) {
    if (std::find(decision.died.begin(), decision.died.end(), s.shard) == decision.died.end()) continue;
    s.status = ShardStatus::kAbandoned;
    s.error = "its loader stopped without recording an outcome";
    update_shard(control_, record_.run_id, s);
    spdlog::warn("run {}: shard {} died while loading", record_.run_id, s.shard);
  }

  switch (decision.action) {
    case Action::kWait:
      record_.status = RunStatus::kStaged;
      spdlog::info("run {}: shard {} staged its rows; {} of {} shards done; the last to finish publishes",
                   record_.run_id, shard_.shard,
                   std::count_if(shards.begin(), shards.end(),
                                 [](const ShardRecord& s) { return s.status == ShardStatus::kLoaded; }),
                   record_.shards);
      return ExitCode::kOk;
    case Action::kPublish:
      return publish_run(shards, lock);
    case Action::kOver:
      if (decision.outcome == RunStatus::kSucceeded) {
        record_.status = RunStatus::kSucceeded;
        spdlog::info("run {} was published by another of its shards", record_.run_id);
        return ExitCode::kOk;
      }
      [[fallthrough]];
    case Action::kReject:
    case Action::kFail:
      break;
  }
  if (record_.error.empty()) {
    record_.error = fmt::format("a shard of the run was {}; the run is not published", to_string(decision.outcome));
  }
  end_run(decision.outcome, decision.action != Action::kOver, decision.drop_tables);
  return exit_code_of(record_.status);
}

ExitCode ShardLoad::publish_run(const std::vector<ShardRecord>& shards, const db::NamedLock& lock) {
  if (!loaded_ || !places_ || !layout_) throw Error(ExitCode::kSoftware, "settle: nothing loaded to publish");
  const PublishContext context{control_,
                               options_.connection,
                               *layout_,
                               tables_,
                               *places_,
                               options_.dry_run,
                               options_.allow_empty,
                               CutoverTiming{.total = options_.publish_timeout},
                               &lock};
  bool pending = false;
  try {
    util::check_interrupted();
    if (publish(context, shards, record_) == PublishOutcome::kPending) {
      spdlog::error(
          "run {} is recorded as succeeded, but some data nodes still hold their part prepared and unseen; "
          "the next run commits it: run the loader again once the nodes answer",
          record_.run_id);
      pending = true;
    }
  } catch (const Error& e) {
    if (record_.status == RunStatus::kSucceeded) {
      // Live and recorded (or left for the next run to record): whatever
      // failed afterwards does not change that.
      spdlog::warn("run {} is published, but then: {}", record_.run_id, e.what());
      return ExitCode::kOk;
    }
    // Refused or failed before going live: end the run now, under this lock.
    const bool rejected = e.code() == ExitCode::kDataError;
    shard_.status = rejected ? ShardStatus::kRejected : ShardStatus::kFailed;
    shard_.error = e.what();
    record_.error = e.what();
    try {
      update_shard(control_, record_.run_id, shard_);
      end_run(rejected ? RunStatus::kRejected : RunStatus::kFailed, true, true);
    } catch (const Error& ledger) {
      spdlog::warn("could not record the outcome in the ledger: {}", ledger.what());
    }
    throw;
  }
  try {
    // What a replace's RENAME did not take: a Spider head's local stage
    // (and a direct append's, on the data nodes).
    layout_->drop_stage(control_, tables_);
  } catch (const Error& e) {
    spdlog::warn("run {} is published, but dropping its stage failed (the next run drops it): {}", record_.run_id,
                 e.what());
  }
  return pending ? ExitCode::kTempFail : ExitCode::kOk;
}

void ShardLoad::end_run(RunStatus outcome, bool record, bool drop_tables) {
  record_.status = outcome;
  // A refusal stays a refusal: a ledger write that cannot be made is
  // logged, and the exit code is still the outcome's.
  if (record && !record_run_retrying(control_, record_, std::nullopt, kRecordBudget)) {
    spdlog::warn("run {}: load_runs still says running; the next run marks it abandoned", record_.run_id);
  }
  if (drop_tables) {
    if (layout_) layout_->discard(control_, tables_);
    try {
      tables_.drop(control_);
    } catch (const Error& e) {
      spdlog::warn("run {}: dropping its tables failed (the next run drops them): {}", record_.run_id, e.what());
    }
  }
  spdlog::error("run {} is {}: nothing from it is published", record_.run_id, to_string(record_.status));
}

}  // namespace pipeline::load
