#include "support/spider_cluster.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace pipeline::testing {
namespace {

std::string script() { return (source_dir() / "scripts" / "spider-cluster").string(); }
std::string throwaway() { return (source_dir() / "scripts" / "throwaway-db").string(); }

void must_run(const std::vector<std::string>& argv, const std::string& what) {
  const auto result = run(argv, {}, std::chrono::seconds(120));
  if (result.exit_code != 0) throw std::runtime_error(what + " failed: " + result.err);
}

}  // namespace

SpiderCluster::SpiderCluster(unsigned data_nodes) : data_nodes_(data_nodes) {
  const auto result = run({script(), "start", dir_.path().string(), "--data-nodes", std::to_string(data_nodes)}, {},
                          std::chrono::seconds(240));
  if (result.exit_code != 0) {
    run({script(), "stop", dir_.path().string()});
    throw std::runtime_error("spider-cluster start failed: " + result.err);
  }
  head_ = ServerAddress::read(dir_ / "head");
  head_session_ = std::make_unique<db::Session>(head_.options());
}

SpiderCluster::~SpiderCluster() {
  head_session_.reset();
  run({script(), "stop", dir_.path().string()});
}

db::Session SpiderCluster::node(unsigned k) const {
  return db::Session(ServerAddress::read(dir_ / fmt::format("d{}", k)).options());
}

namespace {

void admin_sql(const std::filesystem::path& dir, const std::string& sql) {
  must_run({"/bin/sh", "-c", "printf '%s\\n' \"$1\" | \"$2\" sql \"$3\"", "sh", sql, throwaway(), dir.string()},
           "throwaway-db sql on " + dir.filename().string());
}

}  // namespace

void SpiderCluster::head_admin_sql(const std::string& sql) const { admin_sql(dir_ / "head", sql); }

void SpiderCluster::node_admin_sql(unsigned k, const std::string& sql) const {
  admin_sql(dir_ / fmt::format("d{}", k), sql);
}

void SpiderCluster::stop_node(unsigned k) const {
  must_run({throwaway(), "stop", (dir_ / fmt::format("d{}", k)).string()}, "throwaway-db stop");
}

void SpiderCluster::start_node(unsigned k) const {
  must_run({throwaway(), "start", (dir_ / fmt::format("d{}", k)).string()}, "throwaway-db start");
}

std::string content_checksum(db::Session& session, const std::string& table) {
  const std::string columns =
      table == "places" ? "id, city, county, country" : "id, given_name, family_name, date_of_birth, place_of_birth_id";
  const auto result = session.query(
      fmt::format("SELECT COUNT(*), COALESCE(SUM(CRC32(CONCAT_WS(CHAR(9), {}))), 0) FROM `{}`", columns, table));
  return result.rows.at(0).at(0).value_or("?") + ":" + result.rows.at(0).at(1).value_or("?");
}

// Every row on every node, as "node<TAB>row" lines in order: the standby
// tables are empty between loads, so this is the live data and where it is.
std::string rows_by_node(const SpiderCluster& cluster) {
  std::string all;
  for (unsigned k = 1; k <= cluster.data_nodes(); ++k) {
    db::Session node = cluster.node(k);
    const auto rows = node.query(
        "SELECT CONCAT_WS(',', id, given_name, family_name, date_of_birth, place_of_birth_id) AS r FROM people_a "
        "UNION ALL SELECT CONCAT_WS(',', id, given_name, family_name, date_of_birth, place_of_birth_id) FROM "
        "people_b ORDER BY r");
    for (const auto& row : rows.rows) all += fmt::format("d{}\t{}\n", k, row.at(0).value_or("NULL"));
  }
  return all;
}

// Equal row sets, or where they first differ: a failure message of a line,
// not of 30,000 rows.
::testing::AssertionResult same_rows(const std::string& actual, const std::string& expected) {
  if (actual == expected) return ::testing::AssertionSuccess();
  std::size_t at = 0;
  while (at < actual.size() && at < expected.size() && actual[at] == expected[at]) ++at;
  const std::size_t line = actual.rfind('\n', at) == std::string::npos ? 0 : actual.rfind('\n', at) + 1;
  return ::testing::AssertionFailure() << std::count(actual.begin(), actual.end(), '\n') << " rows against "
                                       << std::count(expected.begin(), expected.end(), '\n')
                                       << " expected; first difference at: "
                                       << actual.substr(line, actual.find('\n', at) - line) << " | "
                                       << expected.substr(line, expected.find('\n', at) - line);
}

// What `session`'s people hold, as rows_by_node shows it for a cluster of
// `nodes` data nodes whose rows are where HASH (id) puts them.
std::string rows_by_node_expected(db::Session& session, unsigned nodes) {
  const auto rows = session.query(
      "SELECT id, CONCAT_WS(',', id, given_name, family_name, date_of_birth, place_of_birth_id) AS r FROM people "
      "ORDER BY r");
  std::vector<std::string> per_node(nodes);
  for (const auto& row : rows.rows) {
    const std::uint64_t id = std::stoull(row.at(0).value_or("0"));
    per_node[id % nodes] += fmt::format("d{}\t{}\n", id % nodes + 1, row.at(1).value_or("NULL"));
  }
  std::string all;
  for (const std::string& rows_of_node : per_node) all += rows_of_node;
  return all;
}

std::string prepared_branches(const SpiderCluster& cluster) {
  std::string all;
  for (unsigned k = 1; k <= cluster.data_nodes(); ++k) {
    db::Session node = cluster.node(k);
    for (const auto& row : node.query("XA RECOVER").rows) all += fmt::format("d{}:{} ", k, row.at(3).value_or(""));
  }
  return all;
}

std::string node_scratch_tables(const SpiderCluster& cluster) {
  std::string all;
  for (unsigned k = 1; k <= cluster.data_nodes(); ++k) {
    db::Session node = cluster.node(k);
    for (const auto& row : node.query("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                      "DATABASE() AND table_name NOT IN ('people_a', 'people_b')")
                               .rows) {
      all += fmt::format("d{}:{} ", k, row.at(0).value_or(""));
    }
  }
  return all;
}

}  // namespace pipeline::testing
