// --skip-unchanged: a nightly job handed the same files as the night before
// need not load them again. The files' SHA-256 and sizes are compared with
// those load_runs recorded for the last run that succeeded (not a dry run),
// which made the live data what it is.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "pipeline/db/session.hpp"
#include "pipeline/load/status.hpp"

namespace pipeline::load {

struct Fingerprint {
  std::uint64_t bytes = 0;
  std::string sha256;
};

// The fingerprint of `path` as the ledger records it: its own bytes, also
// when compressed. Reads it once; throws Error(kNoInput) as InputFile does.
Fingerprint fingerprint_file(const std::filesystem::path& path);

// The run whose result is live if it loaded these very files, else nullopt.
// Call under the load lock, after sweep().
// A replace is skipped only after a replace of the same files (after an
// append of them, the live tables hold other rows too); an append after
// either, since every row is already stored.
std::optional<std::string> unchanged_since(db::Session& session, const Fingerprint& places, const Fingerprint& people,
                                           Mode mode);

}  // namespace pipeline::load
