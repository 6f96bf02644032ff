// The ledger: load_runs (one row per run) and load_shards (one per shard of
// a run), written on the control connection, outside the data's transactions
// except where a publish records its own outcome. A run that is not sharded
// has one shard.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/load/status.hpp"

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

// What a shard did with its part of people.csv: records read, valid and
// rejected, and the sum of the checksums of the rows it sent (people_table.hpp).
struct PeopleCounts {
  std::uint64_t read = 0;
  std::uint64_t valid = 0;
  std::uint64_t rejected = 0;
  std::uint64_t checksum = 0;

  PeopleCounts& operator+=(const PeopleCounts& other) {
    read += other.read;
    valid += other.valid;
    rejected += other.rejected;
    checksum += other.checksum;
    return *this;
  }
};

struct FileRecord {
  std::string path;
  std::optional<std::uint64_t> bytes;
  std::string sha256;
  FileCounts counts;
};

struct RunRecord {
  std::string run_id;
  Mode mode = Mode::kReplace;
  bool dry_run = false;
  // Validated without a database (dataloader --check): reported, never
  // stored in load_runs.
  bool check = false;
  unsigned shards = 1;
  RunStatus status = RunStatus::kRunning;
  FileRecord places;
  FileRecord people;
  std::string error;
};

struct ShardRecord {
  unsigned shard = 1;
  unsigned shards = 1;
  ShardStatus status = ShardStatus::kRunning;
  std::optional<std::uint64_t> range_begin;
  std::optional<std::uint64_t> range_end;
  std::string places_sha256;
  std::string people_sha256;
  std::optional<std::uint64_t> id_base;
  std::string places_fingerprint;
  PeopleCounts people;
  std::string error;
  // Read back only: the shard's process holds its liveness lock.
  bool alive = false;
};

// Creates the run's row, unless a sibling shard already did, and this
// shard's row. Throws Error(kUsage) if the run exists with another mode, dry
// run setting or shard count, is already over (kDataError if it was
// rejected), or this shard was already started.
void join_run(db::Session& session, const RunRecord& run, unsigned shard);

void update_shard(db::Session& session, const std::string& run_id, const ShardRecord& shard);
std::vector<ShardRecord> read_shards(db::Session& session, const std::string& run_id);
std::optional<RunStatus> run_status(db::Session& session, const std::string& run_id);

// Writes the run's status, fingerprints, counts and error; the finish time
// too unless the status is still kRunning (counts recorded before a publish).
// kStaged is never written: throws Error(kSoftware).
void record_run(db::Session& session, const RunRecord& run);

// Sets every shard of the run that is running or loaded to `status`.
void set_open_shards(db::Session& session, const std::string& run_id, ShardStatus status);

// record_run, and set_open_shards(`shards`) if given, in one transaction,
// retried while another session holds the rows (lock wait timeout, deadlock)
// for up to `budget`. Returns false, having logged why, when it could not be
// written. SIGINT and SIGTERM do not cut it short (see InterruptibleStatements).
bool record_run_retrying(db::Session& session, const RunRecord& run, std::optional<ShardStatus> shards,
                         std::chrono::seconds budget);

// Marks a run and its unfinished shards abandoned, with `reason`.
void abandon_run(db::Session& session, const std::string& run_id, const std::string& reason);

// Marks a run that its loader published but could not record as succeeded,
// with `note` saying who found out and how. Counts recorded before the
// publish stay.
void record_found_published(db::Session& session, const std::string& run_id, const std::string& note);

// Runs still marked running that can never finish: one not sharded (alive,
// it would hold the load lock the caller holds), or one with a shard that
// died while running. Only call while holding the load lock.
std::vector<std::string> dead_runs(db::Session& session, const std::string& own_run_id);

}  // namespace pipeline::load
