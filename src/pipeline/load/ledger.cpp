#include "pipeline/load/ledger.hpp"

#include <unistd.h>

#include <climits>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/db/db_error.hpp"
#include "pipeline/db/lock_wait.hpp"
#include "pipeline/db/named_lock.hpp"
#include "pipeline/db/session.hpp"
#include "pipeline/error.hpp"
#include "pipeline/util/utf8.hpp"
#include "pipeline/version.hpp"

namespace pipeline::load {
namespace {

// Paths and messages go into utf8mb4 columns: keep them valid and bounded.
std::string column_text(std::string_view text, std::size_t max_bytes) {
  std::string out(text);
  if (!util::check_utf8(out).valid) {
    for (char& c : out) {
      if (static_cast<unsigned char>(c) >= 0x80) c = '?';
    }
  }
  if (out.size() > max_bytes) {
    out.resize(max_bytes);
    while (!out.empty() && !util::check_utf8(out).valid) out.pop_back();  // cut inside a character
  }
  return out;
}

db::Value optional_number(const std::optional<std::uint64_t>& n) { return n ? db::Value(*n) : db::Value(nullptr); }
db::Value optional_text(const std::string& text) { return text.empty() ? db::Value(nullptr) : db::Value(text); }
db::Value text(std::string_view value) { return db::Value(std::string(value)); }

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  return ::gethostname(name, sizeof name) == 0 ? std::string(name) : std::string("unknown");
}

std::optional<std::uint64_t> number(const std::optional<std::string>& cell) {
  return cell ? std::optional<std::uint64_t>(std::stoull(*cell)) : std::nullopt;
}

}  // namespace

void join_run(db::Session& session, const RunRecord& run, unsigned shard) {
  session.execute(
      "INSERT INTO load_runs (run_id, mode, dry_run, shards, status, started_at, places_path, people_path, "
      "loader_version, client_host) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6), ?, ?, ?, ?) "
      "ON DUPLICATE KEY UPDATE run_id = run_id",
      {run.run_id, text(to_string(run.mode)), std::int64_t{run.dry_run ? 1 : 0}, std::uint64_t{run.shards},
       text(to_string(RunStatus::kRunning)), column_text(run.places.path, 1024), column_text(run.people.path, 1024),
       std::string(kVersion), column_text(host_name(), 255)});
  const auto existing =
      session.query("SELECT mode, dry_run, shards, status FROM load_runs WHERE run_id = ?", {run.run_id});
  const auto& row = existing.rows.at(0);
  if (row.at(0) != to_string(run.mode) || row.at(1) != (run.dry_run ? "1" : "0") ||
      row.at(2) != std::to_string(run.shards)) {
    throw Error(ExitCode::kUsage,
                fmt::format("run {} was started as --mode {}{} with {} shard(s); this shard says --mode {}{} with {}",
                            run.run_id, row.at(0).value_or("?"), row.at(1) == "1" ? " --dry-run" : "",
                            row.at(2).value_or("?"), to_string(run.mode), run.dry_run ? " --dry-run" : "", run.shards));
  }
  const RunStatus status = parse_run_status(row.at(3).value_or(""));
  if (status != RunStatus::kRunning) {
    // A rejected run stays rejected: say so with the data error's code.
    throw Error(status == RunStatus::kRejected ? ExitCode::kDataError : ExitCode::kUsage,
                fmt::format("run {} is already over ({}): start a new run with another --run-id", run.run_id,
                            to_string(status)));
  }
  const auto inserted = session.execute(
      "INSERT IGNORE INTO load_shards (run_id, shard, shards, status, client_host, started_at) "
      "VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))",
      {run.run_id, std::uint64_t{shard}, std::uint64_t{run.shards}, text(to_string(ShardStatus::kRunning)),
       column_text(host_name(), 255)});
  if (inserted == 0) {
    throw Error(ExitCode::kUsage,
                fmt::format("shard {}/{} of run {} was already started once: start a new run with another --run-id",
                            shard, run.shards, run.run_id));
  }
}

void update_shard(db::Session& session, const std::string& run_id, const ShardRecord& s) {
  const bool open = s.status == ShardStatus::kRunning;
  session.execute(
      "UPDATE load_shards SET status = ?, finished_at = IF(?, NULL, UTC_TIMESTAMP(6)), "
      "range_begin = ?, range_end = ?, places_sha256 = ?, people_sha256 = ?, id_base = ?, places_fingerprint = ?, "
      "people_read = ?, people_valid = ?, people_rejected = ?, rows_checksum = ?, error_text = ? "
      "WHERE run_id = ? AND shard = ?",
      {text(to_string(s.status)), std::int64_t{open ? 1 : 0}, optional_number(s.range_begin),
       optional_number(s.range_end), optional_text(s.places_sha256), optional_text(s.people_sha256),
       optional_number(s.id_base), optional_text(s.places_fingerprint), s.people.read, s.people.valid,
       s.people.rejected, s.people.checksum, optional_text(column_text(s.error, 60000)), run_id,
       std::uint64_t{s.shard}});
}

std::vector<ShardRecord> read_shards(db::Session& session, const std::string& run_id) {
  const auto rows = session.query(
      fmt::format("SELECT shard, shards, status, range_begin, range_end, places_sha256, people_sha256, id_base, "
                  "places_fingerprint, people_read, people_valid, people_rejected, rows_checksum, error_text, "
                  "{} FROM load_shards WHERE run_id = ? ORDER BY shard",
                  db::NamedLock::held_sql(session, db::lock_names::shard_sql("load_shards"))),
      {run_id});
  std::vector<ShardRecord> shards;
  for (const auto& r : rows.rows) {
    ShardRecord s;
    s.shard = static_cast<unsigned>(std::stoul(r.at(0).value()));
    s.shards = static_cast<unsigned>(std::stoul(r.at(1).value()));
    s.status = parse_shard_status(r.at(2).value());
    s.range_begin = number(r.at(3));
    s.range_end = number(r.at(4));
    s.places_sha256 = r.at(5).value_or("");
    s.people_sha256 = r.at(6).value_or("");
    s.id_base = number(r.at(7));
    s.places_fingerprint = r.at(8).value_or("");
    s.people.read = std::stoull(r.at(9).value());
    s.people.valid = std::stoull(r.at(10).value());
    s.people.rejected = std::stoull(r.at(11).value());
    s.people.checksum = number(r.at(12)).value_or(0);
    s.error = r.at(13).value_or("");
    s.alive = r.at(14) == "1";
    shards.push_back(std::move(s));
  }
  return shards;
}

std::optional<RunStatus> run_status(db::Session& session, const std::string& run_id) {
  const auto status = session.query_value("SELECT status FROM load_runs WHERE run_id = ?", {run_id});
  if (!status) return std::nullopt;
  return parse_run_status(*status);
}

void record_run(db::Session& session, const RunRecord& run) {
  if (run.status == RunStatus::kStaged) {
    throw Error(ExitCode::kSoftware, fmt::format("run {}: a staged shard has no outcome to record", run.run_id));
  }
  const bool open = run.status == RunStatus::kRunning;
  session.execute(
      "UPDATE load_runs SET status = ?, finished_at = IF(?, NULL, UTC_TIMESTAMP(6)), "
      "places_bytes = ?, places_sha256 = ?, people_bytes = ?, people_sha256 = ?, "
      "places_read = ?, places_loaded = ?, places_duplicate = ?, places_rejected = ?, "
      "people_read = ?, people_loaded = ?, people_duplicate = ?, people_rejected = ?, error_text = ? "
      "WHERE run_id = ?",
      {text(to_string(run.status)), std::int64_t{open ? 1 : 0}, optional_number(run.places.bytes),
       optional_text(run.places.sha256), optional_number(run.people.bytes), optional_text(run.people.sha256),
       run.places.counts.read, run.places.counts.loaded, run.places.counts.duplicate, run.places.counts.rejected,
       run.people.counts.read, run.people.counts.loaded, run.people.counts.duplicate, run.people.counts.rejected,
       optional_text(column_text(run.error, 60000)), run.run_id});
}

void set_open_shards(db::Session& session, const std::string& run_id, ShardStatus status) {
  session.execute(
      "UPDATE load_shards SET status = ?, finished_at = COALESCE(finished_at, UTC_TIMESTAMP(6)) "
      "WHERE run_id = ? AND status IN (?, ?)",
      {text(to_string(status)), run_id, text(to_string(ShardStatus::kRunning)), text(to_string(ShardStatus::kLoaded))});
}

bool record_run_retrying(db::Session& session, const RunRecord& run, std::optional<ShardStatus> shards,
                         std::chrono::seconds budget) {
  // Whole or not at all, whatever signal comes: this is how a stopped run is recorded too.
  const db::InterruptibleStatements whole(session, false);
  const auto deadline = std::chrono::steady_clock::now() + budget;
  std::chrono::milliseconds backoff{250};
  for (int attempt = 1;; ++attempt) {
    try {
      session.execute("START TRANSACTION");
      record_run(session, run);
      if (shards) set_open_shards(session, run.run_id, *shards);
      session.execute("COMMIT");
      if (attempt > 1) spdlog::info("run {}: outcome recorded on attempt {}", run.run_id, attempt);
      return true;
    } catch (const db::DbError& e) {
      try {
        session.execute("ROLLBACK");
      } catch (const Error&) {
        // The connection is gone; so is the transaction.
      }
      const bool conflict = e.error_number() == db::kLockWaitTimeout || e.error_number() == db::kDeadlock;
      if (!conflict || std::chrono::steady_clock::now() + backoff > deadline) {
        spdlog::error("run {}: could not record its outcome ({}) in load_runs: {}", run.run_id, to_string(run.status),
                      e.what());
        return false;
      }
      spdlog::warn("run {}: recording its outcome in load_runs, attempt {} failed, retrying in {} ms: {}", run.run_id,
                   attempt, backoff.count(), e.what());
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(4000));
    }
  }
}

void abandon_run(db::Session& session, const std::string& run_id, const std::string& reason) {
  session.execute(
      "UPDATE load_runs SET status = ?, finished_at = UTC_TIMESTAMP(6), error_text = ? "
      "WHERE run_id = ? AND status = ?",
      {text(to_string(RunStatus::kAbandoned)), column_text(reason, 60000), run_id,
       text(to_string(RunStatus::kRunning))});
  set_open_shards(session, run_id, ShardStatus::kAbandoned);
}

void record_found_published(db::Session& session, const std::string& run_id, const std::string& note) {
  session.execute(
      "UPDATE load_runs SET status = ?, finished_at = UTC_TIMESTAMP(6), error_text = ? "
      "WHERE run_id = ? AND status = ?",
      {text(to_string(RunStatus::kSucceeded)), column_text(note, 60000), run_id, text(to_string(RunStatus::kRunning))});
  set_open_shards(session, run_id, ShardStatus::kPublished);
}

std::vector<std::string> dead_runs(db::Session& session, const std::string& own_run_id) {
  const auto rows =
      session.query(fmt::format("SELECT r.run_id FROM load_runs r WHERE r.status = ? AND r.run_id <> ? "
                                "AND (r.shards = 1 OR EXISTS (SELECT 1 FROM load_shards s WHERE s.run_id = r.run_id "
                                "AND s.status = ? AND NOT ({})))",
                                db::NamedLock::held_sql(session, db::lock_names::shard_sql("s"))),
                    {text(to_string(RunStatus::kRunning)), own_run_id, text(to_string(ShardStatus::kRunning))});
  std::vector<std::string> runs;
  for (const auto& row : rows.rows) runs.push_back(row.at(0).value());
  return runs;
}

}  // namespace pipeline::load
