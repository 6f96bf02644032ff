#include "pipeline/load/ledger.hpp"

#include <unistd.h>

#include <climits>

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

db::Value optional_bytes(const std::optional<std::uint64_t>& bytes) {
  return bytes ? db::Value(*bytes) : db::Value(nullptr);
}

db::Value optional_text(const std::string& text) { return text.empty() ? db::Value(nullptr) : db::Value(text); }

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  return ::gethostname(name, sizeof name) == 0 ? std::string(name) : std::string("unknown");
}

}  // namespace

Ledger Ledger::start(db::Session& session, const RunRecord& run) {
  session.execute(
      "INSERT INTO load_runs (run_id, mode, dry_run, status, started_at, places_path, people_path, "
      "loader_version, client_host) VALUES (?, ?, ?, 'running', UTC_TIMESTAMP(6), ?, ?, ?, ?)",
      {run.run_id, run.mode, std::int64_t{run.dry_run ? 1 : 0}, column_text(run.places.path, 1024),
       column_text(run.people.path, 1024), std::string(kVersion), column_text(host_name(), 255)});
  const auto id = session.query_value("SELECT id FROM load_runs WHERE run_id = ?", {run.run_id});
  if (!id) throw Error(ExitCode::kSoftware, "the ledger row of run " + run.run_id + " vanished");
  return Ledger(std::stoull(*id));
}

std::uint64_t Ledger::mark_abandoned(db::Session& session, const std::string& own_run_id) {
  return session.execute(
      "UPDATE load_runs SET status = 'abandoned', finished_at = UTC_TIMESTAMP(6), "
      "error_text = 'the loader stopped without recording an outcome (killed, or its connection was lost)' "
      "WHERE status = 'running' AND run_id <> ?",
      {own_run_id});
}

void Ledger::finish(db::Session& session, const RunRecord& run) {
  session.execute(
      "UPDATE load_runs SET status = ?, finished_at = UTC_TIMESTAMP(6), "
      "places_bytes = ?, places_sha256 = ?, people_bytes = ?, people_sha256 = ?, "
      "places_read = ?, places_loaded = ?, places_duplicate = ?, places_rejected = ?, "
      "people_read = ?, people_loaded = ?, people_duplicate = ?, people_rejected = ?, error_text = ? "
      "WHERE id = ?",
      {run.status, optional_bytes(run.places.bytes), optional_text(run.places.sha256), optional_bytes(run.people.bytes),
       optional_text(run.people.sha256), run.places.counts.read, run.places.counts.loaded, run.places.counts.duplicate,
       run.places.counts.rejected, run.people.counts.read, run.people.counts.loaded, run.people.counts.duplicate,
       run.people.counts.rejected, optional_text(column_text(run.error, 60000)), id_});
}

}  // namespace pipeline::load
