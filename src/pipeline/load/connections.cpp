#include "pipeline/load/connections.hpp"

#include <fmt/format.h>

#include "pipeline/db/session.hpp"

namespace pipeline::load {

ConnectionLimits read_connection_limits(db::Session& session) {
  const auto row = session.query("SELECT @@max_connections, @@max_user_connections").rows.at(0);
  ConnectionLimits limits;
  limits.max_connections = std::stoull(row.at(0).value_or("0"));
  limits.max_user_connections = std::stoull(row.at(1).value_or("0"));
  const auto connected = session.query("SHOW GLOBAL STATUS LIKE 'Threads_connected'");
  if (!connected.rows.empty()) limits.connected = std::stoull(connected.rows.at(0).at(1).value_or("0"));
  return limits;
}

std::optional<Refusal> check_connections(unsigned jobs, unsigned streams, bool staging,
                                         const ConnectionLimits& limits) {
  const std::uint64_t loading = staging ? std::uint64_t{jobs} * streams : 0;
  const std::uint64_t needed = 1 + loading;
  const std::string ask =
      staging ? fmt::format("{} connections (1 control + --jobs {} x --streams {})", needed, jobs, streams)
              : std::string("1 connection");
  if (needed > limits.max_connections) {
    return Refusal{ExitCode::kUsage,
                   fmt::format("this run needs {}, but the server takes only max_connections = {} in all: lower "
                               "--jobs or --streams, or raise max_connections",
                               ask, limits.max_connections)};
  }
  if (limits.max_user_connections > 0 && needed > limits.max_user_connections) {
    return Refusal{ExitCode::kUsage,
                   fmt::format("this run needs {}, but this account may open only max_user_connections = {}: lower "
                               "--jobs or --streams, or raise the account's limit",
                               ask, limits.max_user_connections)};
  }
  const std::uint64_t open = limits.connected > 0 ? limits.connected - 1 : 0;  // besides this run's own
  if (open + needed > limits.max_connections) {
    return Refusal{ExitCode::kTempFail,
                   fmt::format("this run needs {}, but only {} of the server's max_connections = {} are free now ({} "
                               "are open): try again later, or lower --jobs or --streams",
                               ask, limits.max_connections - std::min(open, limits.max_connections),
                               limits.max_connections, limits.connected)};
  }
  return std::nullopt;
}

}  // namespace pipeline::load
