#include "support/galera_cluster.hpp"

#include <signal.h>

#include <map>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "support/held_input.hpp"

namespace pipeline::testing {
namespace {

std::string script() { return (source_dir() / "scripts" / "galera-cluster").string(); }
std::string throwaway() { return (source_dir() / "scripts" / "throwaway-db").string(); }

// Whether process `pid` is gone (or a zombie, which holds no ports or files).
bool gone(pid_t pid) {
  const std::filesystem::path stat = fmt::format("/proc/{}/stat", pid);
  if (!std::filesystem::exists(stat)) return true;
  const std::string text = read_file(stat);
  const auto paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'Z';
}

}  // namespace

GaleraCluster::GaleraCluster(GaleraOptions options) : nodes_(options.nodes) {
  std::vector<std::string> argv = {script(), "start", dir_.path().string(), "--nodes", std::to_string(nodes_)};
  if (options.max_ws_size != 0) {
    // The script sets it on every node and checks that it reached the provider.
    argv.insert(argv.end(), {"--max-ws-size", std::to_string(options.max_ws_size)});
  }
  // A second try from scratch: a joiner that loses a port to another
  // process aborts, and the cluster under test is not what such a test is
  // about. Two failures in a row are reported, with both outputs.
  std::string errors;
  for (int attempt = 1; attempt <= 2; ++attempt) {
    const auto result = run(argv, {}, std::chrono::seconds(300));
    if (result.exit_code == 0) return;
    run({script(), "stop", dir_.path().string()}, {}, std::chrono::seconds(300));
    errors += fmt::format("attempt {}: {}\n", attempt, result.err);
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) std::filesystem::remove_all(entry);
  }
  throw std::runtime_error("galera-cluster start failed twice:\n" + errors);
}

GaleraCluster::~GaleraCluster() { run({script(), "stop", dir_.path().string()}, {}, std::chrono::seconds(300)); }

std::filesystem::path GaleraCluster::node_dir(unsigned k) const {
  if (k < 1 || k > nodes_) throw std::out_of_range(fmt::format("no node {} in a cluster of {}", k, nodes_));
  return dir_ / fmt::format("n{}", k);
}

EnvOverrides GaleraCluster::env(unsigned k) const { return ServerAddress::read(node_dir(k)).env(); }

db::Session GaleraCluster::node(unsigned k) const {
  db::Session session(ServerAddress::read(node_dir(k)).options());
  session.execute("SET SESSION wsrep_sync_wait = 1");
  return session;
}

std::string GaleraCluster::admin_sql(unsigned k, const std::string& sql) const {
  const auto result =
      run({"/bin/sh", "-c", "printf '%s\\n' \"$1\" | \"$2\" sql \"$3\"", "sh", sql, throwaway(), node_dir(k).string()});
  if (result.exit_code != 0) throw std::runtime_error(fmt::format("node {}: {}: {}", k, sql, result.err));
  return result.out;
}

void GaleraCluster::kill_node(unsigned k) {
  const pid_t pid = static_cast<pid_t>(std::stol(read_file(node_dir(k) / "mariadbd.pid")));
  if (::kill(pid, SIGKILL) != 0) throw std::runtime_error(fmt::format("node {}: cannot kill pid {}", k, pid));
  if (!eventually([&] { return gone(pid); })) {
    throw std::runtime_error(fmt::format("node {}: pid {} outlived SIGKILL", k, pid));
  }
}

bool GaleraCluster::wait_for_cluster(unsigned k, unsigned size, std::chrono::seconds limit) const {
  const ServerAddress address = ServerAddress::read(node_dir(k));
  return eventually(
      [&] {
        try {
          db::Session session(address.options());
          const auto status = session.query(
              "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.global_status WHERE VARIABLE_NAME IN "
              "('WSREP_CLUSTER_SIZE', 'WSREP_CLUSTER_STATUS', 'WSREP_LOCAL_STATE_COMMENT', 'WSREP_READY')");
          std::map<std::string, std::string> values;
          for (const auto& row : status.rows) values[row.at(0).value_or("")] = row.at(1).value_or("");
          return values["WSREP_CLUSTER_SIZE"] == std::to_string(size) && values["WSREP_CLUSTER_STATUS"] == "Primary" &&
                 values["WSREP_LOCAL_STATE_COMMENT"] == "Synced" && values["WSREP_READY"] == "ON";
        } catch (const std::exception&) {
          return false;
        }
      },
      limit);
}

}  // namespace pipeline::testing
