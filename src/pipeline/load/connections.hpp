// Whether the server will take the connections a run opens: one control
// connection, plus --streams stream connections (LOAD DATA or INSERT) for
// each of its --jobs.
// Checked before the first stream opens, so that a run asking for too many
// says so instead of retrying into "database unreachable".
#pragma once

#include <cstdint>
#include <optional>

#include "pipeline/load/verify.hpp"

namespace pipeline::db {
class Session;
}

namespace pipeline::load {

struct ConnectionLimits {
  // @@max_connections: connections the server takes in all.
  std::uint64_t max_connections = 0;
  // @@max_user_connections for this account; 0 for no limit.
  std::uint64_t max_user_connections = 0;
  // Threads_connected: open now, this run's control connection included.
  std::uint64_t connected = 0;
};

ConnectionLimits read_connection_limits(db::Session& session);

// A run of `jobs` jobs with `streams` streams each (none for a dry run of
// replace: `staging` false) against `limits`: kUsage when it can never fit,
// kTempFail when it does not fit now; nullopt when it fits.
std::optional<Refusal> check_connections(unsigned jobs, unsigned streams, bool staging, const ConnectionLimits& limits);

}  // namespace pipeline::load
