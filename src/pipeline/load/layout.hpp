// Where a run's rows are staged and how a replace makes them live. Two
// layouts exist: one server, where the staging tables are copies of the live
// ones and a RENAME swaps them in; and a MariaDB Spider head
// (schema-spider-head.sql), where people's rows live on data nodes, the stage
// is a local table, and a replace fills a standby Spider table that the
// RENAME swaps with people. Append publishes the same way on both.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/load/place_set.hpp"
#include "pipeline/load/run_tables.hpp"
#include "pipeline/load/status.hpp"

namespace pipeline::db {
class Session;
}

namespace pipeline::load {

class Layout {
 public:
  virtual ~Layout() = default;

  // For log lines: "one server" or "a Spider head".
  virtual std::string_view description() const = 0;

  // Creates the run's staging tables, empty; for a replace, the places stage
  // is filled with `places`.
  virtual void create_stage(db::Session& session, const RunTables& tables, Mode mode,
                            const std::vector<const Place*>& places) const = 0;

  // Session settings the control connection needs before publishing.
  virtual void prepare_publish(db::Session& session) const = 0;

  // Replace: readies the `valid` staged rows to go live, and returns the one
  // RENAME TABLE statement that then makes the run live, parking the previous
  // places as tables.places_old. Throws Error if the rows are not all there.
  virtual std::string ready_replace(db::Session& session, const RunTables& tables, std::uint64_t valid,
                                    const std::string& run_id) const = 0;

  // Replace, once the RENAME ran and was recorded: frees the previous rows.
  // Logs what fails; a later run drops what is left.
  virtual void drop_previous(db::Session& session, const RunTables& tables) const = 0;

  // The tables whose statistics a replace renews: "people, places".
  virtual std::string_view replaced_tables() const = 0;
};

// The layout of the session's database. Throws Error(kUsage) for a Spider
// head without the standby table that a replace (not a dry run) fills.
std::unique_ptr<Layout> detect_layout(db::Session& session, Mode mode, bool dry_run);

}  // namespace pipeline::load
