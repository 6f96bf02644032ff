// The load_runs table: one row per dataloader run, written on the control
// connection outside the data transaction, so that failed runs are recorded
// too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pipeline::db {
class Session;
}

namespace pipeline::load {

struct FileCounts {
  // Data records read (header and blank lines excluded, rejects included).
  std::uint64_t read = 0;
  std::uint64_t loaded = 0;
  // Equal to a stored row, or to an earlier row of the run (append only).
  std::uint64_t duplicate = 0;
  std::uint64_t rejected = 0;
};

struct FileRecord {
  std::string path;
  std::optional<std::uint64_t> bytes;
  std::string sha256;
  FileCounts counts;
};

struct RunRecord {
  std::string run_id;
  std::string mode;
  bool dry_run = false;
  // running, succeeded, rejected (input refused, exit 65), failed, abandoned.
  std::string status = "running";
  FileRecord places;
  FileRecord people;
  std::string error;
};

class Ledger {
 public:
  // Inserts the run's row with status "running".
  static Ledger start(db::Session& session, const RunRecord& run);
  // Marks rows left "running" by loaders that died as "abandoned". Only call
  // while holding the load lock, which proves no other loader is alive.
  static std::uint64_t mark_abandoned(db::Session& session, const std::string& own_run_id);

  // Records the outcome: status, finish time, file fingerprints, counts, error.
  void finish(db::Session& session, const RunRecord& run);

  std::uint64_t id() const { return id_; }

 private:
  explicit Ledger(std::uint64_t id) : id_(id) {}
  std::uint64_t id_;
};

}  // namespace pipeline::load
