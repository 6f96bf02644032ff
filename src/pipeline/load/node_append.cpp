#include "pipeline/load/node_append.hpp"

#include <functional>
#include <map>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/db/connect.hpp"
#include "pipeline/db/db_error.hpp"
#include "pipeline/db/lock_wait.hpp"
#include "pipeline/db/session.hpp"
#include "pipeline/db/sql.hpp"
#include "pipeline/error.hpp"
#include "pipeline/load/people_table.hpp"
#include "pipeline/util/phase_log.hpp"

namespace pipeline::load {
namespace {

using db::quote_identifier;

// Ids found stored are read from a node, and deleted from their owners'
// stages, this many at a time.
constexpr std::size_t kIdBatch = 5000;
// How long dropping another run's table on a node may wait for its metadata lock.
constexpr std::chrono::seconds kDropWait{2};

std::vector<db::Session> connect_all(const SpiderNodes& nodes) {
  std::vector<db::Session> sessions;
  for (const SpiderNode& node : nodes.nodes) sessions.push_back(db::connect_with_retry(node.connection));
  return sessions;
}

}  // namespace

void sweep_node_stages(const SpiderNodes& nodes, const RunTables& tables) {
  const std::optional<std::string> own = run_of_table(tables.people);
  std::vector<db::Session> sessions = connect_all(nodes);
  for (std::size_t k = 0; k < nodes.nodes.size(); ++k) {
    db::Session& node = sessions[k];
    const db::ResultTable found =
        node.query("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()");
    for (const auto& row : found.rows) {
      const std::string name = row.at(0).value_or("");
      const auto run = run_of_table(name);
      // Only the tables a direct append makes on the nodes.
      if (!run || run == own || (name != RunTables(*run).people && name != RunTables(*run).people_dups)) continue;
      try {
        // As the head's sweep: a statement of a dead run that still runs on
        // the node must not stall this run behind it.
        const db::ShortLockWait short_wait(node, kDropWait);
        node.execute("DROP TABLE IF EXISTS " + quote_identifier(name));
        spdlog::info("data node {}: dropped {}, left by run {}", nodes.nodes[k].server, name, *run);
      } catch (const db::DbError& e) {
        if (e.error_number() != db::kLockWaitTimeout) throw;
        spdlog::warn("data node {}: {}, left by run {}, is still in use; a later run drops it", nodes.nodes[k].server,
                     name, *run);
      }
    }
  }
}

void create_node_stages(const SpiderNodes& nodes, const RunTables& tables) {
  for (db::Session& node : connect_all(nodes)) {
    node.execute("DROP TABLE IF EXISTS " + quote_identifier(tables.people));
    node.execute("DROP TABLE IF EXISTS " + quote_identifier(tables.people_dups));
    node.execute(
        fmt::format("CREATE TABLE {} LIKE {}", quote_identifier(tables.people), quote_identifier(nodes.live_table)));
  }
}

std::uint64_t deduplicate_on_nodes(const SpiderNodes& nodes, const RunTables& tables, std::uint64_t staged) {
  const util::PhaseLog phase(util::Phase::kDeduplicating,
                             fmt::format("{} staged people, on each of the {} data nodes against its stored ones",
                                         util::grouped(staged), nodes.nodes.size()));
  const std::string stage = quote_identifier(tables.people);
  const std::string dups = quote_identifier(tables.people_dups);
  const std::string live = quote_identifier(nodes.live_table);
  std::vector<db::Session> sessions = connect_all(nodes);
  on_every_node(nodes, [&](std::size_t k) {
    db::Session& node = sessions[k];
    node.execute(fmt::format("ALTER TABLE {} ADD INDEX {}, ADD INDEX by_id (id)", stage, kNaturalKeyIndex));
    // Every row of the run is here: a repeat of an own row is found
    // whichever node holds it.
    node.execute(fmt::format("DELETE s FROM {0} s JOIN {0} t ON {1} AND t.id < s.id WHERE {2}", stage, kSamePerson,
                             nodes.owned_by_sql(k, "s.id")));
    node.execute(fmt::format("CREATE TABLE {} (id BIGINT UNSIGNED NOT NULL PRIMARY KEY) ENGINE=InnoDB", dups));
    // One pass over the node's stored rows, as on a single server.
    node.execute(fmt::format("INSERT IGNORE INTO {} (id) SELECT s.id FROM {} t STRAIGHT_JOIN {} s ON {}", dups, live,
                             stage, kSamePerson));
    node.execute(fmt::format("DELETE s FROM {} s JOIN {} d ON d.id = s.id WHERE {}", stage, dups,
                             nodes.owned_by_sql(k, "s.id")));
  });
  // What one node found stored, deleted where it would be inserted.
  for (std::size_t k = 0; k < nodes.nodes.size(); ++k) {
    std::string last = "0";
    for (;;) {
      const db::ResultTable page =
          sessions[k].query(fmt::format("SELECT id FROM {} WHERE id > {} AND NOT ({}) ORDER BY id LIMIT {}", dups, last,
                                        nodes.owned_by_sql(k), kIdBatch));
      if (page.rows.empty()) break;
      std::map<std::size_t, std::string> by_owner;
      for (const auto& row : page.rows) {
        const std::string id = row.at(0).value_or("0");
        std::string& list = by_owner[nodes.node_of(std::stoull(id))];
        if (!list.empty()) list += ',';
        list += id;
        last = id;
      }
      for (const auto& [owner, list] : by_owner) {
        sessions[owner].execute(fmt::format("DELETE FROM {} WHERE id IN ({})", stage, list));
      }
    }
  }
  std::uint64_t fresh = 0;
  for (std::size_t k = 0; k < nodes.nodes.size(); ++k) {
    fresh += std::stoull(sessions[k]
                             .query_value(fmt::format("SELECT COUNT(*) FROM {} WHERE {}", stage, nodes.owned_by_sql(k)))
                             .value_or("0"));
  }
  return fresh;
}

std::string insert_own_rows(const SpiderNodes& nodes, const RunTables& tables, std::size_t k) {
  return fmt::format("INSERT INTO {0} ({1}) SELECT {1} FROM {2} WHERE {3}", quote_identifier(nodes.live_table),
                     kPeopleColumnList, quote_identifier(tables.people), nodes.owned_by_sql(k));
}

void drop_node_stages(const SpiderNodes& nodes, const RunTables& tables) noexcept {
  for (const SpiderNode& node : nodes.nodes) {
    try {
      db::Session session(node.connection);
      session.execute("DROP TABLE IF EXISTS " + quote_identifier(tables.people));
      session.execute("DROP TABLE IF EXISTS " + quote_identifier(tables.people_dups));
    } catch (const std::exception& e) {
      spdlog::warn("data node {}: dropping the run's stage failed (the next direct run drops it): {}", node.server,
                   e.what());
    }
  }
}

}  // namespace pipeline::load
