// The direct path into a Spider cluster: where the head's people rows live,
// read from the head, and the one rule that sends a row to its node. The
// loader streams validated rows straight into the data nodes only when
// discover_spider_nodes understands every part of the layout; otherwise it
// says why, and the rows go through the head (docs/scaling.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "pipeline/db/connection_options.hpp"
#include "pipeline/load/connections.hpp"

namespace pipeline::db {
class Session;
}

namespace pipeline::load {

// On a Spider head, the second people table: the same partitions over a
// second set of remote tables. A replace fills it and swaps it with people.
inline constexpr const char* kSpiderStandby = "people__standby";

struct SpiderNode {
  // The head's name for the node (CREATE SERVER, mysql.servers), e.g. "d1".
  std::string server;
  // The head's partition whose rows the node holds, e.g. "p1".
  std::string partition;
  // How to reach the node; its database holds the remote tables.
  db::ConnectionOptions connection;
};

struct SpiderNodes {
  // In partition order: the rows of partition K (0-based) are on nodes[K].
  std::vector<SpiderNode> nodes;
  // The remote table behind people, and behind people__standby, on every node.
  std::string live_table;
  std::string standby_table;

  // Which node holds row `id`: MariaDB's PARTITION BY HASH (id), which for
  // a non-negative id is id MOD partitions. The loader's ids are line
  // numbers (plus the stored maximum, for an append), far below 2^63.
  // prove_routing checks this rule against the head's before any row is sent.
  std::size_t node_of(std::uint64_t id) const { return static_cast<std::size_t>(id % nodes.size()); }
  // The same rule in SQL: the condition that the row whose id is `column`
  // is node k's.
  std::string owned_by_sql(std::size_t k, std::string_view column = "id") const {
    return fmt::format("MOD({}, {}) = {}", column, nodes.size(), k);
  }
};

struct SpiderDiscovery {
  std::optional<SpiderNodes> nodes;
  // Without nodes: what the loader does not understand, or cannot read, and
  // what would let it take the direct path.
  std::string why_not;
};

// Reads the layout of the head's people and people__standby: HASH (id)
// partitions, each on its own server, by COMMENT strings the loader
// understands. Each node's address and credentials come from `nodes_file`
// (--spider-nodes: an option file with a [client] group and one group per
// server, named as on the head), or, without one, from mysql.servers. TLS
// and timeouts are the head's. Throws Error(kNoInput) for a nodes file that
// cannot be read; a layout it cannot prove is returned as why_not.
SpiderDiscovery discover_spider_nodes(db::Session& head, const db::ConnectionOptions& head_connection,
                                      const std::filesystem::path& nodes_file);

// What probe_spider_nodes found.
struct NodeProbe {
  // The servers whose node does not allow LOAD DATA LOCAL (local_infile=OFF).
  std::vector<std::string> without_local_infile;
  // Each node's connection limits, in nodes order (the probe's own
  // connection counted as the run's control connection).
  std::vector<ConnectionLimits> limits;
};

// Runs step(k) for every node k at once, and waits for all. Rethrows the
// first failure: an Error with "data node <server>: " before its message,
// anything else as it is.
void on_every_node(const SpiderNodes& nodes, const std::function<void(std::size_t)>& step);

// Connects to every node and checks that its standby table has people's
// columns. Throws Error naming the node that cannot be reached or lacks the table.
NodeProbe probe_spider_nodes(const SpiderNodes& nodes);

// While it lives, this process holds every node's direct-load lock
// (db::lock_names::direct), on a connection of its own per node. A loader
// that lost its lock on the head but still streams holds them too, until it
// exits: the next run cannot empty or fill a standby table under it. Throws
// Error(kTempFail) naming the node another loader holds.
class HeldNodes {
 public:
  explicit HeldNodes(const SpiderNodes& nodes);
  ~HeldNodes();
  HeldNodes(const HeldNodes&) = delete;
  HeldNodes& operator=(const HeldNodes&) = delete;

 private:
  struct Held;
  std::vector<std::unique_ptr<Held>> held_;
};

// Before any row is sent, with the standby table empty: writes one probe
// row per partition K (id K) through the head, into `standby` (the head's
// Spider table), reads every node as the loader reaches it, and empties the
// table again. Each node must hold exactly its partition's probe: that
// proves both the address and node_of. Throws Error(kUsage) naming the node
// and the fix otherwise.
void prove_routing(db::Session& head, const std::string& standby, const SpiderNodes& nodes);

}  // namespace pipeline::load
