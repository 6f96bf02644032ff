// What a Galera cluster (MariaDB Cluster) asks of a session, found on the
// server each session connects to. Every transaction of a Galera node is
// replicated as one write set, refused above wsrep_max_ws_size, and a node
// may answer a read before it has applied what other nodes committed. So on
// a Galera node every session of the tools
// - replicates a large transaction in fragments as it goes (streaming
//   replication): a staging stream, a deduplicating DELETE and the append's
//   publishing transaction may hold any number of rows, yet each fragment
//   fits a write set and the transaction stays all or nothing;
// - waits before each read until the node has applied every write set the
//   cluster committed before it (wsrep_sync_wait = 1), so that a report, or a
//   loader's look at load_runs, read on one node sees what another wrote.
// Plain servers (MySQL, MariaDB without a provider) are left as they are.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::db {

// The query whose rows (name, value) tell; works on MySQL and MariaDB alike.
inline constexpr std::string_view kWsrepQuery =
    "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('wsrep_on', 'wsrep_provider', 'wsrep_max_ws_size')";

struct Wsrep {
  // wsrep_on with a provider loaded: a Galera node.
  bool galera = false;
  // wsrep_max_ws_size, in bytes.
  std::uint64_t max_ws_size = 0;
};

Wsrep parse_wsrep(const std::vector<std::pair<std::string, std::string>>& variables);

// The fragment size for streaming replication: a quarter of the write-set
// limit (a fragment may overshoot by one row), at most 16 MiB (each fragment
// is also written to every node's streaming log), at least 64 KiB.
std::uint64_t fragment_bytes(const Wsrep& wsrep);

// The statement a session runs after kSessionSetup, or nullopt on a server
// that is not a Galera node.
std::optional<std::string> cluster_session_setup(const Wsrep& wsrep);

}  // namespace pipeline::db
