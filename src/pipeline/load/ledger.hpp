// The ledger: load_runs (one row per run) and load_shards (one per shard of
// a run), written on the control connection outside any data transaction, so
// that failed runs are recorded too. A run that is not sharded has one shard.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
  unsigned shards = 1;
  // running, succeeded (published), rejected (input refused, exit 65),
  // failed, abandoned (died, or cleaned up).
  std::string status = "running";
  FileRecord places;
  FileRecord people;
  std::string error;
};

struct ShardRecord {
  unsigned shard = 1;
  unsigned shards = 1;
  // running, loaded (staged, waiting to be published), published, rejected,
  // failed, abandoned.
  std::string status = "running";
  std::optional<std::uint64_t> range_begin;
  std::optional<std::uint64_t> range_end;
  std::string places_sha256;
  std::string people_sha256;
  std::optional<std::uint64_t> id_base;
  std::string places_fingerprint;
  std::uint64_t people_read = 0;
  std::uint64_t people_valid = 0;
  std::uint64_t people_rejected = 0;
  std::optional<std::uint64_t> rows_checksum;
  std::string error;
  // Read back only: the shard's process holds its liveness lock.
  bool alive = false;
};

// The named lock a shard's process holds while it runs; released by the
// server when the process or its connection dies.
std::string shard_lock_name(const std::string& run_id, unsigned shard);

// Creates the run's row, unless a sibling shard already did, and this
// shard's row. Throws Error(kUsage) if the run exists with another mode, dry
// run setting or shard count, is already over (kDataError if it was
// rejected), or this shard was already started.
void join_run(db::Session& session, const RunRecord& run, unsigned shard);

void update_shard(db::Session& session, const std::string& run_id, const ShardRecord& shard);
std::vector<ShardRecord> read_shards(db::Session& session, const std::string& run_id);
std::optional<std::string> run_status(db::Session& session, const std::string& run_id);

// Records a run's outcome: status, finish time, fingerprints, counts, error.
void finish_run(db::Session& session, const RunRecord& run);

// Marks a run and its unfinished shards abandoned, with `reason`.
void abandon_run(db::Session& session, const std::string& run_id, const std::string& reason);

// Runs still marked running that can never finish: one not sharded (alive,
// it would hold the load lock the caller holds), or one with a shard that
// died while running. Only call while holding the load lock.
std::vector<std::string> dead_runs(db::Session& session, const std::string& own_run_id);

}  // namespace pipeline::load
