#include "pipeline/load/run_tables.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "pipeline/db/session.hpp"
#include "pipeline/db/sql.hpp"
#include "pipeline/load/people_table.hpp"

namespace pipeline::load {
namespace {

using db::quote_identifier;

// The prefixes of a run's tables, before its run id.
constexpr std::array<std::string_view, 5> kPrefixes = {"people__run_", "places__run_", "people__old_", "places__old_",
                                                       "people__dup_"};
// Places are written in batches of this many rows per INSERT.
constexpr std::size_t kPlaceBatch = 200;

std::string joined(const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& name : names) {
    if (!list.empty()) list.append(", ");
    list.append(quote_identifier(name));
  }
  return list;
}

}  // namespace

RunTables::RunTables(const std::string& run_id)
    : people(std::string(kPrefixes[0]).append(run_id)),
      places(std::string(kPrefixes[1]).append(run_id)),
      people_old(std::string(kPrefixes[2]).append(run_id)),
      places_old(std::string(kPrefixes[3]).append(run_id)),
      people_dups(std::string(kPrefixes[4]).append(run_id)) {}

void RunTables::drop(db::Session& session) const {
  // Children before parents, so that no foreign key stands in the way.
  for (const std::string& table : {people, people_old, places, places_old, people_dups}) {
    session.execute("DROP TABLE IF EXISTS " + quote_identifier(table));
  }
}

void RunTables::drop_stage(db::Session& session) const {
  for (const std::string& table : {people, places}) {
    session.execute("DROP TABLE IF EXISTS " + quote_identifier(table));
  }
}

std::optional<std::string> run_of_table(std::string_view table) {
  for (std::string_view prefix : kPrefixes) {
    if (table.size() > prefix.size() && table.substr(0, prefix.size()) == prefix) {
      return std::string(table.substr(prefix.size()));
    }
  }
  return std::nullopt;
}

std::vector<std::string> runs_with_tables(db::Session& session) {
  std::vector<std::string> runs;
  const auto tables = session.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
      "AND (table_name LIKE 'people\\_\\_%' OR table_name LIKE 'places\\_\\_%')");
  for (const auto& row : tables.rows) {
    const auto run = run_of_table(row.at(0).value_or(""));
    if (run && std::find(runs.begin(), runs.end(), *run) == runs.end()) runs.push_back(*run);
  }
  return runs;
}

void create_shadow_tables(db::Session& session, const RunTables& tables) {
  session.execute(fmt::format("CREATE TABLE {} LIKE places", quote_identifier(tables.places)));
  session.execute(fmt::format("CREATE TABLE {} LIKE people", quote_identifier(tables.people)));
  const db::ResultTable keys = session.query(
      "SELECT k.constraint_name, k.column_name, k.referenced_table_name, k.referenced_column_name, "
      "r.update_rule, r.delete_rule "
      "FROM information_schema.key_column_usage k JOIN information_schema.referential_constraints r "
      "ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name "
      "AND r.table_name = k.table_name "
      "WHERE k.table_schema = DATABASE() AND k.table_name = 'people' AND k.referenced_table_name IS NOT NULL "
      "ORDER BY k.constraint_name, k.ordinal_position");
  struct ForeignKey {
    std::string name, parent, update_rule, delete_rule;
    std::vector<std::string> columns, referenced;
  };
  std::vector<ForeignKey> foreign_keys;
  for (const auto& row : keys.rows) {
    if (foreign_keys.empty() || foreign_keys.back().name != row.at(0).value()) {
      foreign_keys.push_back({row.at(0).value(), row.at(2).value(), row.at(4).value(), row.at(5).value(), {}, {}});
    }
    foreign_keys.back().columns.push_back(row.at(1).value());
    foreign_keys.back().referenced.push_back(row.at(3).value());
  }
  for (const ForeignKey& key : foreign_keys) {
    session.execute(fmt::format("ALTER TABLE {} ADD FOREIGN KEY ({}) REFERENCES {} ({}) ON UPDATE {} ON DELETE {}",
                                quote_identifier(tables.people), joined(key.columns),
                                quote_identifier(key.parent == "places" ? tables.places : key.parent),
                                joined(key.referenced), key.update_rule, key.delete_rule));
  }
}

void create_local_people_stage(db::Session& session, const std::string& table) {
  session.execute(
      fmt::format("CREATE TABLE {} (PRIMARY KEY (place_of_birth_id, id)) ENGINE=InnoDB "
                  "DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin "
                  "SELECT {} FROM people WHERE FALSE",
                  quote_identifier(table), kPeopleColumnList));
}

void write_places(db::Session& session, const std::string& table, const std::vector<const Place*>& places,
                  bool upsert) {
  for (std::size_t begin = 0; begin < places.size(); begin += kPlaceBatch) {
    const std::size_t end = std::min(places.size(), begin + kPlaceBatch);
    std::string sql = fmt::format("INSERT INTO {} (id, city, county, country) VALUES ", quote_identifier(table));
    std::vector<db::Value> params;
    for (std::size_t i = begin; i < end; ++i) {
      sql += i == begin ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)";
      params.emplace_back(std::uint64_t{places[i]->id});
      params.emplace_back(places[i]->city);
      params.emplace_back(places[i]->county);
      params.emplace_back(places[i]->country);
    }
    // VALUES() is deprecated in MySQL 8 but still works there, and the row
    // alias that replaces it is not MariaDB syntax.
    if (upsert) sql += " ON DUPLICATE KEY UPDATE county = VALUES(county), country = VALUES(country)";
    session.execute(sql, params);
  }
}

}  // namespace pipeline::load
