// The tables of one run: their names, the DDL that creates them empty, the
// places written into them, and dropping them. Only the run's own shards
// write to them; every later run drops those of a run that is over.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/load/place_set.hpp"

namespace pipeline::db {
class Session;
}

namespace pipeline::load {

struct RunTables {
  explicit RunTables(const std::string& run_id);

  // Drops every table of the run that exists.
  void drop(db::Session& session) const;
  // Drops the staging tables that exist, but not the parked ones: after a
  // publish, whose parked places table may be the proof of its RENAME.
  void drop_stage(db::Session& session) const;

  // Staged people, and (replace) the new places.
  std::string people, places;
  // Where a replace parks the previous tables in its RENAME: places_old
  // exists only once the RENAME has run, which tells a later run that the
  // run was published even if its loader could not record it.
  std::string people_old, places_old;
  // A direct append's, on each data node: the staged ids a stored row repeats.
  std::string people_dups;
};

// The run a scratch table belongs to, from its name; nullopt for any other
// table.
std::optional<std::string> run_of_table(std::string_view table);

// Every run that has scratch tables in the session's database.
std::vector<std::string> runs_with_tables(db::Session& session);

// Empty copies of places and people for a replace; the copy of people gets
// the live table's foreign keys, pointed at the copy of places.
void create_shadow_tables(db::Session& session, const RunTables& tables);

// An empty copy of people's structure without its engine or foreign keys: a
// local InnoDB table with people's columns and key, for a Spider head, where
// LIKE would copy the Spider engine and its remote targets.
void create_local_people_stage(db::Session& session, const std::string& table);

// Writes places with explicit ids, in batches; `upsert` updates the county
// and country of a city that exists.
void write_places(db::Session& session, const std::string& table, const std::vector<const Place*>& places, bool upsert);

}  // namespace pipeline::load
