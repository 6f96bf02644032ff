#include "support/spider_cluster.hpp"

#include <stdexcept>

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

}  // namespace pipeline::testing
