// The states a run and its shards go through, and a run's mode, as enums.
// They become text only at the database boundary (load_runs, load_shards)
// and in reports, through to_string() and the parse functions here.
#pragma once

#include <string_view>

namespace pipeline::load {

enum class Mode {
  // The tables end up holding exactly the files' valid rows; readers see the
  // old tables or the new ones, never a mix.
  kReplace,
  // Rows are added; people equal on all four fields to a stored row or to an
  // earlier row of the run are counted as duplicates and skipped; places are
  // upserted by city.
  kAppend,
};

// A run's status in load_runs.
enum class RunStatus {
  kRunning,    // shards are loading, or the run died without an outcome
  kSucceeded,  // published (a dry run: validated and counted)
  kRejected,   // input refused (exit 65); nothing published
  kFailed,     // an error, or a shard failed; nothing published
  kAbandoned,  // found dead by a later run, or cleaned up; nothing published
  // Reported only, never stored: this shard's rows are staged and the run
  // waits for its other shards; load_runs keeps it running.
  kStaged,
};

// A shard's status in load_shards.
enum class ShardStatus {
  kRunning,    // reading and staging its rows
  kLoaded,     // staged, waiting for the run to be published
  kPublished,  // its run was published
  kRejected,   // its input was refused
  kFailed,     // it stopped on an error
  kAbandoned,  // it died, or its run was cleaned up
};

std::string_view to_string(Mode mode);
std::string_view to_string(RunStatus status);
std::string_view to_string(ShardStatus status);

// The inverses of to_string. Throw Error(kSoftware) for text that names no
// value: the ledger holds something this loader did not write.
Mode parse_mode(std::string_view text);
RunStatus parse_run_status(std::string_view text);
ShardStatus parse_shard_status(std::string_view text);

}  // namespace pipeline::load
