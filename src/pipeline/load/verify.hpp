// The checks a run must pass before it is published, as pure functions:
// its shards agree with each other, an append still matches the live
// tables, and a replace does not empty a table that holds data. Each
// returns why the run is refused, with the exit code, or nullopt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/error.hpp"
#include "pipeline/load/ledger.hpp"

namespace pipeline::load {

struct Refusal {
  ExitCode code = ExitCode::kSoftware;
  std::string message;
};

// Throws `refusal` as an Error, if there is one.
void refuse(const std::optional<Refusal>& refusal);

// People counts summed over a run's shards.
PeopleCounts total(const std::vector<ShardRecord>& shards);

// Shards that recorded their fingerprints read the same places.csv and
// people.csv (kDataError otherwise) and saw the same place ids and id base
// (kTempFail: the database changed while the run loaded). Shards that have
// not recorded theirs yet are skipped.
std::optional<Refusal> check_same_inputs(const std::vector<ShardRecord>& shards, const std::string& run_id);

// The shards' ranges, in shard order, tile people.csv: each starts where
// the one before ends (kSoftware otherwise).
std::optional<Refusal> check_ranges_tile(const std::vector<ShardRecord>& shards, const std::string& run_id);

// What an append's rows depend on, as the live tables hold it now under the
// load lock: the fingerprint of the places with places.csv applied, and the
// largest person id.
struct LiveState {
  std::string places_fingerprint;
  std::uint64_t id_base = 0;
};

// An append's shards used the places and the id base the live tables still
// hold (kTempFail otherwise: another load published in between, and the
// staged place ids or person ids no longer fit).
std::optional<Refusal> check_still_live(const ShardRecord& shard, const LiveState& live, const std::string& run_id);

// A replace would leave `table` empty (the file at `path` had `read` data
// rows, `valid` of them valid) while it holds data: refused as kDataError
// unless --allow-empty.
struct EmptyingCheck {
  std::string_view table;
  std::string path;
  std::uint64_t read = 0;
  std::uint64_t valid = 0;
  bool table_has_rows = false;
  bool allow_empty = false;
};
std::optional<Refusal> check_not_emptying(const EmptyingCheck& check);

}  // namespace pipeline::load
