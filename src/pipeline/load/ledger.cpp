#include "pipeline/load/ledger.hpp"

#include <unistd.h>

#include <climits>

#include <fmt/format.h>

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

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  return ::gethostname(name, sizeof name) == 0 ? std::string(name) : std::string("unknown");
}

std::optional<std::uint64_t> number(const std::optional<std::string>& cell) {
  return cell ? std::optional<std::uint64_t>(std::stoull(*cell)) : std::nullopt;
}

}  // namespace

std::string shard_lock_name(const std::string& run_id, unsigned shard) {
  return fmt::format("pipeline.shard.{}.{}", run_id, shard);
}

void join_run(db::Session& session, const RunRecord& run, unsigned shard) {
  session.execute(
      "INSERT INTO load_runs (run_id, mode, dry_run, shards, status, started_at, places_path, people_path, "
      "loader_version, client_host) VALUES (?, ?, ?, ?, 'running', UTC_TIMESTAMP(6), ?, ?, ?, ?) "
      "ON DUPLICATE KEY UPDATE run_id = run_id",
      {run.run_id, run.mode, std::int64_t{run.dry_run ? 1 : 0}, std::uint64_t{run.shards},
       column_text(run.places.path, 1024), column_text(run.people.path, 1024), std::string(kVersion),
       column_text(host_name(), 255)});
  const auto existing =
      session.query("SELECT mode, dry_run, shards, status FROM load_runs WHERE run_id = ?", {run.run_id});
  const auto& row = existing.rows.at(0);
  if (row.at(0) != run.mode || row.at(1) != (run.dry_run ? "1" : "0") || row.at(2) != std::to_string(run.shards)) {
    throw Error(ExitCode::kUsage,
                fmt::format("run {} was started as --mode {}{} with {} shard(s); this shard says --mode {}{} with {}",
                            run.run_id, row.at(0).value_or("?"), row.at(1) == "1" ? " --dry-run" : "",
                            row.at(2).value_or("?"), run.mode, run.dry_run ? " --dry-run" : "", run.shards));
  }
  if (row.at(3) != "running") {
    // A rejected run stays rejected: say so with the data error's code.
    throw Error(row.at(3) == "rejected" ? ExitCode::kDataError : ExitCode::kUsage,
                fmt::format("run {} is already over ({}): start a new run with another --run-id", run.run_id,
                            row.at(3).value_or("?")));
  }
  const auto inserted = session.execute(
      "INSERT IGNORE INTO load_shards (run_id, shard, shards, status, client_host, started_at) "
      "VALUES (?, ?, ?, 'running', ?, UTC_TIMESTAMP(6))",
      {run.run_id, std::uint64_t{shard}, std::uint64_t{run.shards}, column_text(host_name(), 255)});
  if (inserted == 0) {
    throw Error(ExitCode::kUsage,
                fmt::format("shard {}/{} of run {} was already started once: start a new run with another --run-id",
                            shard, run.shards, run.run_id));
  }
}

void update_shard(db::Session& session, const std::string& run_id, const ShardRecord& s) {
  session.execute(
      "UPDATE load_shards SET status = ?, finished_at = IF(? = 'running', NULL, UTC_TIMESTAMP(6)), "
      "range_begin = ?, range_end = ?, places_sha256 = ?, people_sha256 = ?, id_base = ?, places_fingerprint = ?, "
      "people_read = ?, people_valid = ?, people_rejected = ?, rows_checksum = ?, error_text = ? "
      "WHERE run_id = ? AND shard = ?",
      {s.status, s.status, optional_number(s.range_begin), optional_number(s.range_end), optional_text(s.places_sha256),
       optional_text(s.people_sha256), optional_number(s.id_base), optional_text(s.places_fingerprint), s.people_read,
       s.people_valid, s.people_rejected, optional_number(s.rows_checksum), optional_text(column_text(s.error, 60000)),
       run_id, std::uint64_t{s.shard}});
}

std::vector<ShardRecord> read_shards(db::Session& session, const std::string& run_id) {
  const auto rows = session.query(
      "SELECT shard, shards, status, range_begin, range_end, places_sha256, people_sha256, id_base, "
      "places_fingerprint, people_read, people_valid, people_rejected, rows_checksum, error_text, "
      "IS_USED_LOCK(CONCAT('pipeline.shard.', run_id, '.', shard)) IS NOT NULL "
      "FROM load_shards WHERE run_id = ? ORDER BY shard",
      {run_id});
  std::vector<ShardRecord> shards;
  for (const auto& r : rows.rows) {
    ShardRecord s;
    s.shard = static_cast<unsigned>(std::stoul(r.at(0).value()));
    s.shards = static_cast<unsigned>(std::stoul(r.at(1).value()));
    s.status = r.at(2).value();
    s.range_begin = number(r.at(3));
    s.range_end = number(r.at(4));
    s.places_sha256 = r.at(5).value_or("");
    s.people_sha256 = r.at(6).value_or("");
    s.id_base = number(r.at(7));
    s.places_fingerprint = r.at(8).value_or("");
    s.people_read = std::stoull(r.at(9).value());
    s.people_valid = std::stoull(r.at(10).value());
    s.people_rejected = std::stoull(r.at(11).value());
    s.rows_checksum = number(r.at(12));
    s.error = r.at(13).value_or("");
    s.alive = r.at(14) == "1";
    shards.push_back(std::move(s));
  }
  return shards;
}

std::optional<std::string> run_status(db::Session& session, const std::string& run_id) {
  return session.query_value("SELECT status FROM load_runs WHERE run_id = ?", {run_id});
}

void finish_run(db::Session& session, const RunRecord& run) {
  session.execute(
      "UPDATE load_runs SET status = ?, finished_at = UTC_TIMESTAMP(6), "
      "places_bytes = ?, places_sha256 = ?, people_bytes = ?, people_sha256 = ?, "
      "places_read = ?, places_loaded = ?, places_duplicate = ?, places_rejected = ?, "
      "people_read = ?, people_loaded = ?, people_duplicate = ?, people_rejected = ?, error_text = ? "
      "WHERE run_id = ?",
      {run.status, optional_number(run.places.bytes), optional_text(run.places.sha256),
       optional_number(run.people.bytes), optional_text(run.people.sha256), run.places.counts.read,
       run.places.counts.loaded, run.places.counts.duplicate, run.places.counts.rejected, run.people.counts.read,
       run.people.counts.loaded, run.people.counts.duplicate, run.people.counts.rejected,
       optional_text(column_text(run.error, 60000)), run.run_id});
}

void abandon_run(db::Session& session, const std::string& run_id, const std::string& reason) {
  session.execute(
      "UPDATE load_runs SET status = 'abandoned', finished_at = UTC_TIMESTAMP(6), error_text = ? "
      "WHERE run_id = ? AND status = 'running'",
      {column_text(reason, 60000), run_id});
  session.execute(
      "UPDATE load_shards SET status = 'abandoned', finished_at = UTC_TIMESTAMP(6) "
      "WHERE run_id = ? AND status IN ('running', 'loaded')",
      {run_id});
}

std::vector<std::string> dead_runs(db::Session& session, const std::string& own_run_id) {
  const auto rows = session.query(
      "SELECT r.run_id FROM load_runs r WHERE r.status = 'running' AND r.run_id <> ? "
      "AND (r.shards = 1 OR EXISTS (SELECT 1 FROM load_shards s WHERE s.run_id = r.run_id "
      "AND s.status = 'running' AND IS_USED_LOCK(CONCAT('pipeline.shard.', s.run_id, '.', s.shard)) IS NULL))",
      {own_run_id});
  std::vector<std::string> runs;
  for (const auto& row : rows.rows) runs.push_back(row.at(0).value());
  return runs;
}

}  // namespace pipeline::load
