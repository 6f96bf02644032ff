#include "pipeline/load/verify.hpp"

#include <fmt/format.h>

namespace pipeline::load {

void refuse(const std::optional<Refusal>& refusal) {
  if (refusal) throw Error(refusal->code, refusal->message);
}

PeopleCounts total(const std::vector<ShardRecord>& shards) {
  PeopleCounts totals;
  for (const ShardRecord& s : shards) totals += s.people;
  return totals;
}

std::optional<Refusal> check_same_inputs(const std::vector<ShardRecord>& shards, const std::string& run_id) {
  const ShardRecord* first = nullptr;
  for (const ShardRecord& s : shards) {
    if (s.people_sha256.empty() || s.places_sha256.empty()) continue;
    if (first == nullptr) {
      first = &s;
      continue;
    }
    if (s.people_sha256 != first->people_sha256 || s.places_sha256 != first->places_sha256) {
      const bool people = s.people_sha256 != first->people_sha256;
      return Refusal{ExitCode::kDataError,
                     fmt::format("run {}: shards {} and {} read different files: {} has SHA-256 {} for shard {} and "
                                 "{} for shard {}; every shard must be given the same places.csv and people.csv",
                                 run_id, first->shard, s.shard, people ? "people.csv" : "places.csv",
                                 people ? first->people_sha256 : first->places_sha256, first->shard,
                                 people ? s.people_sha256 : s.places_sha256, s.shard)};
    }
    if (s.id_base != first->id_base || s.places_fingerprint != first->places_fingerprint) {
      return Refusal{ExitCode::kTempFail,
                     fmt::format("run {}: shards {} and {} saw different places or ids (the database changed during "
                                 "the run); start it again",
                                 run_id, first->shard, s.shard)};
    }
  }
  return std::nullopt;
}

std::optional<Refusal> check_ranges_tile(const std::vector<ShardRecord>& shards, const std::string& run_id) {
  for (std::size_t i = 1; i < shards.size(); ++i) {
    if (shards[i].range_begin != shards[i - 1].range_end) {
      return Refusal{ExitCode::kSoftware, fmt::format("run {}: shard {} does not start where shard {} ends", run_id,
                                                      shards[i].shard, shards[i - 1].shard)};
    }
  }
  return std::nullopt;
}

std::optional<Refusal> check_still_live(const ShardRecord& shard, const LiveState& live, const std::string& run_id) {
  if (shard.places_fingerprint != live.places_fingerprint) {
    return Refusal{ExitCode::kTempFail,
                   fmt::format("run {}: the places table changed while the run loaded (another load published), so "
                               "the place ids its rows carry may name other cities now; nothing was published: "
                               "start the run again",
                               run_id)};
  }
  if (shard.id_base != live.id_base) {
    return Refusal{ExitCode::kTempFail,
                   fmt::format("run {}: the people table changed while the run loaded (another load published; its "
                               "largest id went from {} to {}), so the ids the run gave its rows may be taken; "
                               "nothing was published: start the run again",
                               run_id, shard.id_base.value_or(0), live.id_base)};
  }
  return std::nullopt;
}

std::optional<Refusal> check_not_emptying(const EmptyingCheck& check) {
  if (check.valid > 0 || check.allow_empty || !check.table_has_rows) return std::nullopt;
  const std::string what = check.read == 0 ? std::string("has no data rows")
                                           : fmt::format("has no valid data rows ({} read, all rejected)", check.read);
  return Refusal{ExitCode::kDataError,
                 fmt::format("{} {}: replacing would empty the {} table, which holds data; pass --allow-empty if "
                             "that is intended",
                             check.path, what, check.table)};
}

}  // namespace pipeline::load
