// A MariaDB Galera cluster of a test's own, started by scripts/galera-cluster:
// N nodes on loopback that all take writes and replicate synchronously. The
// tools are pointed at any one node, unchanged.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "pipeline/db/session.hpp"
#include "support/private_server.hpp"

namespace pipeline::testing {

// The write-set limit that the large-load tests set on every node: small
// enough that a 1M-row load in one transaction exceeds it.
constexpr std::uint64_t kGaleraTestWriteSetLimit = 32u * 1024u * 1024u;

struct GaleraOptions {
  // Nodes in the cluster. Default 3.
  unsigned nodes = 3;
  // When not 0, wsrep_max_ws_size on every node (checked to have reached the
  // provider). Default 0: the provider's 2 GB.
  std::uint64_t max_ws_size = 0;
};

class GaleraCluster {
 public:
  // Starts the nodes and waits until all are synced. Throws if they do not
  // come up, or if the write-set limit does not take.
  explicit GaleraCluster(GaleraOptions options = {});
  // Stops every node that is still up and removes the directory.
  ~GaleraCluster();
  GaleraCluster(const GaleraCluster&) = delete;
  GaleraCluster& operator=(const GaleraCluster&) = delete;

  // MYSQL_* variables pointing a child process at node k (1-based).
  EnvOverrides env(unsigned k) const;
  // A new session on node k as the app user, with wsrep_sync_wait = 1: it
  // sees every transaction the cluster committed before its reads.
  db::Session node(unsigned k) const;
  // Runs `sql` on node k as its administrator and returns the output
  // (tab-separated, no column names). Throws if it fails.
  std::string admin_sql(unsigned k, const std::string& sql) const;
  // SIGKILLs node k's mariadbd, as a crash would, and waits until it is gone.
  void kill_node(unsigned k);
  // Whether node k sees a primary cluster of `size` nodes and is synced,
  // waiting up to `limit`.
  bool wait_for_cluster(unsigned k, unsigned size, std::chrono::seconds limit = std::chrono::seconds(90)) const;

  unsigned nodes() const { return nodes_; }
  const TempDir& dir() const { return dir_; }

 private:
  std::filesystem::path node_dir(unsigned k) const;

  TempDir dir_;
  unsigned nodes_;
};

}  // namespace pipeline::testing
