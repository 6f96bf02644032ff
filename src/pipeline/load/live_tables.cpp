#include "pipeline/load/live_tables.hpp"

#include <fmt/format.h>

#include "pipeline/db/session.hpp"
#include "pipeline/db/sql.hpp"
#include "pipeline/load/column_limits.hpp"

namespace pipeline::load {

Limits read_limits(db::Session& session) {
  const db::ResultTable columns = session.query(
      "SELECT table_name, column_name, character_maximum_length FROM information_schema.columns "
      "WHERE table_schema = DATABASE() AND table_name IN ('people', 'places') "
      "AND character_maximum_length IS NOT NULL");
  std::vector<db::ColumnLength> lengths;
  for (const auto& row : columns.rows) {
    lengths.push_back({row.at(0).value(), row.at(1).value(), static_cast<std::size_t>(std::stoull(row.at(2).value()))});
  }
  return limits_from(lengths, "the server's information_schema");
}

bool table_exists(db::Session& session, std::string_view table) {
  return session.query_value(
             "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
             {std::string(table)}) == "1";
}

bool is_spider_table(db::Session& session, std::string_view table) {
  const auto engine = session.query_value(
      "SELECT UPPER(engine) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
      {std::string(table)});
  return engine.value_or("") == "SPIDER";
}

std::string table_comment(db::Session& session, std::string_view table) {
  return session
      .query_value(
          "SELECT table_comment FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
          {std::string(table)})
      .value_or("");
}

bool has_rows(db::Session& session, std::string_view table) {
  return session.query_value(
             fmt::format("SELECT COUNT(*) FROM (SELECT 1 FROM {} LIMIT 1) AS t", db::quote_identifier(table))) == "1";
}

std::vector<StoredPlace> stored_places(db::Session& session) {
  std::vector<StoredPlace> places;
  for (const auto& row : session.query("SELECT id, city, county, country FROM places").rows) {
    places.push_back({static_cast<std::uint32_t>(std::stoul(row.at(0).value())), row.at(1).value(), row.at(2).value(),
                      row.at(3).value()});
  }
  return places;
}

std::uint64_t max_person_id(db::Session& session) {
  // On one server, the loose index scan over (place_of_birth_id, id) keeps
  // this cheap. Not through Spider: there the grouped form answered 12,789
  // where MAX(id) is 12,985, and appends reused stored ids. A plain MAX is
  // sent to every data node, and each scans its own rows.
  const char* query = is_spider_table(session, "people")
                          ? "SELECT COALESCE(MAX(id), 0) FROM people"
                          : "SELECT COALESCE(MAX(m), 0) FROM "
                            "(SELECT MAX(id) AS m FROM people GROUP BY place_of_birth_id) AS per_place";
  return std::stoull(session.query_value(query).value_or("0"));
}

bool server_allows_local_infile(db::Session& session) {
  return session.query_value("SELECT @@GLOBAL.local_infile").value_or("0") == "1";
}

}  // namespace pipeline::load
