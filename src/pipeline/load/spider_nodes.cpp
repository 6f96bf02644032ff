#include "pipeline/load/spider_nodes.hpp"

#include <algorithm>
#include <fstream>
#include <future>
#include <iterator>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "pipeline/db/connect.hpp"
#include "pipeline/db/db_error.hpp"
#include "pipeline/db/named_lock.hpp"
#include "pipeline/db/option_files.hpp"
#include "pipeline/db/session.hpp"
#include "pipeline/db/sql.hpp"
#include "pipeline/error.hpp"
#include "pipeline/load/live_tables.hpp"
#include "pipeline/load/people_table.hpp"
#include "pipeline/load/spider_params.hpp"

namespace pipeline::load {
namespace {

// The Spider tables the direct path fills and swaps.
constexpr const char* kLive = "people";
constexpr const char* kStandby = kSpiderStandby;

// The parameters the direct path understands; any other (a host, a user, a
// link to several servers for HA) means the rows may belong somewhere the
// loader cannot tell.
const std::set<std::string> kUnderstood = {"wrapper", "server", "table", "database"};

// What the head says about one Spider table: per partition, in order, the
// parameters that apply (the table's COMMENT overlaid by the partition's).
struct TableLayout {
  std::vector<std::string> partitions;
  std::vector<SpiderParams> params;
};

// A layout the direct path cannot prove: thrown while reading the head's
// tables, caught once, in discover_spider_nodes, and returned as why_not.
struct NotUnderstood {
  std::string why;
};

[[noreturn]] void not_understood(std::string why) { throw NotUnderstood{std::move(why)}; }

SpiderParams parsed(const std::string& text, const std::string& where) {
  auto params = parse_spider_params(text);
  if (!params) not_understood(fmt::format("the COMMENT of {} is not a Spider parameter list: {}", where, text));
  for (const auto& [name, value] : *params) {
    // Spider reads a list of servers or tables (for HA) from a value with spaces.
    if (value.find_first_of(" \t") != std::string::npos) {
      not_understood(
          fmt::format("{} sets {} \"{}\", a list, which the direct path does not handle", where, name, value));
    }
    if (!kUnderstood.count(name)) {
      not_understood(fmt::format("{} sets the Spider parameter {} \"{}\", which the direct path does not handle", where,
                                 name, value));
    }
  }
  return *params;
}

TableLayout read_table(db::Session& head, const std::string& table) {
  const std::string comment = table_comment(head, table);
  const auto create = head.query("SHOW CREATE TABLE " + db::quote_identifier(table));
  const std::string ddl = create.rows.at(0).at(1).value_or("");
  if (ddl.find(" CONNECTION=") != std::string::npos || ddl.find(" CONNECTION =") != std::string::npos) {
    not_understood(fmt::format("{} has a CONNECTION string; the direct path reads only COMMENT strings", table));
  }
  const SpiderParams table_params = parsed(comment, table);
  const auto rows = head.query(
      "SELECT partition_name, partition_method, partition_expression, subpartition_method, partition_comment "
      "FROM information_schema.partitions WHERE table_schema = DATABASE() AND table_name = ? "
      "ORDER BY partition_ordinal_position",
      {table});
  TableLayout layout;
  for (const auto& row : rows.rows) {
    const std::string name = row.at(0).value_or("");
    const std::string method = row.at(1).value_or("");
    const std::string expression = row.at(2).value_or("");
    if (name.empty()) not_understood(fmt::format("{} is not partitioned", table));
    if (method != "HASH" || expression != "`id`" || row.at(3)) {
      not_understood(fmt::format("{} is partitioned by {} ({}){}; the direct path knows PARTITION BY HASH (id) only",
                                 table, method, expression, row.at(3) ? " with subpartitions" : ""));
    }
    SpiderParams params = table_params;
    for (auto& [key, value] : parsed(row.at(4).value_or(""), fmt::format("partition {} of {}", name, table))) {
      params[key] = value;
    }
    if (params.count("wrapper") && params.at("wrapper") != "mysql") {
      not_understood(fmt::format("partition {} of {} uses the wrapper \"{}\"", name, table, params.at("wrapper")));
    }
    if (!params.count("server")) not_understood(fmt::format("partition {} of {} names no server", name, table));
    layout.partitions.push_back(name);
    layout.params.push_back(std::move(params));
  }
  if (layout.partitions.empty()) not_understood(fmt::format("{} has no partitions", table));
  return layout;
}

// One remote table name for every partition of `table`.
std::string remote_table(const TableLayout& layout, const std::string& table) {
  std::set<std::string> names;
  for (std::size_t k = 0; k < layout.params.size(); ++k) {
    const auto it = layout.params[k].find("table");
    if (it == layout.params[k].end()) {
      not_understood(fmt::format("partition {} of {} names no remote table", layout.partitions[k], table));
    }
    names.insert(it->second);
  }
  if (names.size() != 1) not_understood(fmt::format("the partitions of {} name different remote tables", table));
  return *names.begin();
}

// The node's address and credentials, from mysql.servers.
db::ConnectionOptions from_servers_table(db::Session& head, db::ConnectionOptions node, const std::string& server) {
  db::ResultTable rows;
  try {
    rows = head.query("SELECT Host, Port, Socket, Username, Password, Db FROM mysql.servers WHERE Server_name = ?",
                      {server});
  } catch (const db::DbError& e) {
    if (e.error_number() != 1142 && e.error_number() != 1044 && e.error_number() != 1045) throw;
    not_understood(fmt::format(
        "the user may not read mysql.servers, where the head keeps the data nodes' addresses; pass --spider-nodes "
        "FILE (an option file with a group per server: [{}] host=... port=... user=... password=...), or GRANT "
        "SELECT ON mysql.servers TO the loader's user",
        server));
  }
  if (rows.rows.empty()) not_understood(fmt::format("mysql.servers has no server {}", server));
  const auto& row = rows.rows.front();
  const std::string host = row.at(0).value_or("");
  node.host = host.empty() ? "localhost" : host;
  const unsigned port = static_cast<unsigned>(std::stoul(row.at(1).value_or("0")));
  node.port = port == 0 ? 3306 : port;
  // Never the head's socket: a node on "localhost" uses its own, or the default.
  node.socket = row.at(2).value_or("").empty() ? db::ConnectionOptions{}.socket : *row.at(2);
  node.user = row.at(3).value_or("");
  node.password = row.at(4).value_or("");
  if (!row.at(5).value_or("").empty()) node.database = *row.at(5);
  return node;
}

// The node's address and credentials, from the --spider-nodes file's
// [client] group and its group named `server`; what they do not set is the head's.
db::ConnectionOptions from_nodes_file(const std::filesystem::path& file, db::ConnectionOptions node,
                                      const std::string& server) {
  const db::OptionFileValues values = db::read_option_files({true, file, {}, server});
  if (!values.host && !values.socket && !values.port) {
    throw Error(ExitCode::kUsage, fmt::format("--spider-nodes {}: no host, port or socket for server {}; add a [{}] "
                                              "group with the node's host and port",
                                              file.string(), server, server));
  }
  if (values.host) node.host = *values.host;
  if (values.port) node.port = *values.port;
  // Never the head's socket: a node on "localhost" uses its own, or the default.
  node.socket = values.socket ? *values.socket : db::ConnectionOptions{}.socket;
  if (values.user) node.user = *values.user;
  if (values.password) node.password = *values.password;
  if (values.database) node.database = *values.database;
  if (values.ssl_ca) node.ssl_ca = *values.ssl_ca;
  if (values.ssl_cert) node.ssl_cert = *values.ssl_cert;
  if (values.ssl_key) node.ssl_key = *values.ssl_key;
  return node;
}

SpiderNodes discover(db::Session& head, const db::ConnectionOptions& head_connection,
                     const std::filesystem::path& nodes_file) {
  const TableLayout live = read_table(head, kLive);
  const TableLayout standby = read_table(head, kStandby);
  if (live.partitions.size() != standby.partitions.size()) {
    not_understood(fmt::format("{} has {} partitions and {} has {}", kLive, live.partitions.size(), kStandby,
                               standby.partitions.size()));
  }
  SpiderNodes nodes;
  nodes.live_table = remote_table(live, kLive);
  nodes.standby_table = remote_table(standby, kStandby);
  if (nodes.live_table == nodes.standby_table) {
    not_understood(fmt::format("{} and {} name the same remote table {}", kLive, kStandby, nodes.live_table));
  }
  std::set<std::string> servers;
  for (std::size_t k = 0; k < live.partitions.size(); ++k) {
    const SpiderParams& a = live.params[k];
    const SpiderParams& b = standby.params[k];
    const std::string& server = a.at("server");
    if (b.at("server") != server || a.count("database") != b.count("database") ||
        (a.count("database") && a.at("database") != b.at("database"))) {
      not_understood(fmt::format("partition {} of {} and of {} are on different servers or databases",
                                 live.partitions[k], kLive, kStandby));
    }
    if (!servers.insert(server).second) {
      not_understood(fmt::format("server {} holds more than one partition of {}", server, kLive));
    }
    db::ConnectionOptions node = head_connection;
    node = nodes_file.empty() ? from_servers_table(head, node, server) : from_nodes_file(nodes_file, node, server);
    // Spider's own rule: a partition's database, else the server's, else the head table's.
    if (a.count("database")) node.database = a.at("database");
    for (const SpiderNode& other : nodes.nodes) {
      if (other.connection.address() == node.address() && other.connection.database == node.database) {
        throw Error(ExitCode::kUsage,
                    fmt::format("servers {} and {} of the Spider head are both reached at {}, database {}: one node "
                                "cannot hold two partitions; fix their addresses in {}",
                                other.server, server, node.address(), node.database,
                                nodes_file.empty() ? "mysql.servers" : "--spider-nodes " + nodes_file.string()));
      }
    }
    nodes.nodes.push_back({server, live.partitions[k], std::move(node)});
  }
  return nodes;
}

}  // namespace

SpiderDiscovery discover_spider_nodes(db::Session& head, const db::ConnectionOptions& head_connection,
                                      const std::filesystem::path& nodes_file) {
  if (!nodes_file.empty() && !std::ifstream(nodes_file)) {
    throw Error(
        ExitCode::kNoInput,
        fmt::format("cannot read the --spider-nodes file {}: check its path and permissions", nodes_file.string()));
  }
  try {
    return {discover(head, head_connection, nodes_file), ""};
  } catch (const NotUnderstood& e) {
    return {std::nullopt, e.why};
  }
}

NodeProbe probe_spider_nodes(const SpiderNodes& nodes) {
  NodeProbe probe;
  for (const SpiderNode& node : nodes.nodes) {
    try {
      db::Session session = db::connect_with_retry(node.connection);
      session.query(
          fmt::format("SELECT {} FROM {} LIMIT 0", kPeopleColumnList, db::quote_identifier(nodes.standby_table)));
      if (session.query_value("SELECT @@GLOBAL.local_infile").value_or("0") != "1") {
        probe.without_local_infile.push_back(node.server);
      }
      probe.limits.push_back(read_connection_limits(session));
    } catch (const Error& e) {
      throw Error(e.code(), fmt::format("data node {} (server {} of the Spider head, partition {}): {}",
                                        node.connection.describe(), node.server, node.partition, e.what()));
    }
  }
  return probe;
}

}  // namespace pipeline::load

namespace pipeline::load {

struct HeldNodes::Held {
  std::unique_ptr<db::Session> session;
  std::unique_ptr<db::NamedLock> lock;
};

HeldNodes::HeldNodes(const SpiderNodes& nodes) {
  for (const SpiderNode& node : nodes.nodes) {
    auto held = std::make_unique<Held>();
    held->session = std::make_unique<db::Session>(db::connect_with_retry(node.connection));
    held->lock = std::make_unique<db::NamedLock>(
        *held->session, db::lock_names::direct(node.connection.database), std::chrono::seconds(0),
        fmt::format("another dataloader is still writing to data node {} ({}), perhaps one that lost its lock on "
                    "the head; try again once it has exited",
                    node.server, node.connection.address()));
    held_.push_back(std::move(held));
  }
}

HeldNodes::~HeldNodes() {
  // Each lock before its session.
  for (auto& held : held_) held->lock.reset();
}

void on_every_node(const SpiderNodes& nodes, const std::function<void(std::size_t)>& step) {
  std::vector<std::future<void>> running;
  for (std::size_t k = 0; k < nodes.nodes.size(); ++k) running.push_back(std::async(std::launch::async, step, k));
  std::exception_ptr failed;
  for (std::size_t k = 0; k < running.size(); ++k) {
    try {
      running[k].get();
    } catch (const Error& e) {
      if (!failed) {
        failed =
            std::make_exception_ptr(Error(e.code(), fmt::format("data node {}: {}", nodes.nodes[k].server, e.what())));
      }
    } catch (...) {
      if (!failed) failed = std::current_exception();
    }
  }
  if (failed) std::rethrow_exception(failed);
}

void prove_routing(db::Session& head, const std::string& standby, const SpiderNodes& nodes) {
  const std::string table = db::quote_identifier(standby);
  const std::uint64_t n = nodes.nodes.size();
  // A small id and a large one per partition, so that the head's HASH is
  // checked against node_of beyond ids where MOD is the identity.
  std::vector<std::uint64_t> probes;
  for (std::uint64_t k = 0; k < n; ++k) probes.insert(probes.end(), {k, n * 1000000007ULL + k});
  for (std::uint64_t id : probes) {
    head.execute(
        fmt::format("INSERT INTO {} ({}) VALUES (?, 'probe', 'probe', '2000-01-01', 0)", table, kPeopleColumnList),
        {id});
  }
  for (std::size_t k = 0; k < n; ++k) {
    const SpiderNode& node = nodes.nodes[k];
    // The probes node_of sends to node k, in id order: what it must hold.
    std::vector<std::uint64_t> mine;
    std::copy_if(probes.begin(), probes.end(), std::back_inserter(mine),
                 [&](std::uint64_t id) { return nodes.node_of(id) == k; });
    std::sort(mine.begin(), mine.end());
    const std::string expected = mine.empty() ? "none" : fmt::format("{}", fmt::join(mine, ","));
    db::Session direct = db::connect_with_retry(node.connection);
    const std::string held =
        direct
            .query_value(fmt::format("SELECT COALESCE(GROUP_CONCAT(id ORDER BY id), 'none') FROM {}",
                                     db::quote_identifier(nodes.standby_table)))
            .value_or("none");
    if (held != expected) {
      head.execute("TRUNCATE TABLE " + table);
      throw Error(
          ExitCode::kUsage,
          fmt::format("the probe rows the head put in {} show that {} is not the node the head calls {} "
                      "(partition {}): it holds probe ids {}, not {}; fix {}'s address in --spider-nodes or "
                      "mysql.servers; nothing was loaded",
                      standby, node.connection.address(), node.server, node.partition, held, expected, node.server));
    }
  }
  head.execute("TRUNCATE TABLE " + table);
}

}  // namespace pipeline::load
