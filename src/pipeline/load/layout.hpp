// Where a run's rows are staged and how a replace makes them live. Two
// layouts exist: one server, where the staging tables are copies of the live
// ones and a RENAME swaps them in; and a MariaDB Spider head
// (schema-spider-head.sql), where people's rows live on data nodes, the stage
// is a local table, and a replace fills a standby Spider table that the
// RENAME swaps with people. Append publishes the same way on both. On a
// Spider head a replace may take the direct path: the rows are streamed
// straight into the data nodes' standby tables (spider_nodes.hpp), checked
// through the head, and swapped in by the same RENAME; and an append may
// stage and deduplicate on the nodes and commit there with XA
// (node_append.hpp, node_branches.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/db/connection_options.hpp"
#include "pipeline/load/place_set.hpp"
#include "pipeline/load/run_tables.hpp"
#include "pipeline/load/spider_nodes.hpp"
#include "pipeline/load/status.hpp"

namespace pipeline::db {
class Session;
}

namespace pipeline::load {

// --spider-path: how a replace reaches a Spider head's data nodes.
enum class SpiderPath {
  // Direct where the loader understands the layout, else through the head.
  kAuto,
  // Direct, or refused (kUsage) with the reason.
  kDirect,
  // Through the head: staged there, copied by Spider's INSERTs.
  kHead,
};

// "auto", "direct", "head": the --spider-path values.
std::string_view to_string(SpiderPath path);
// The inverse of to_string. Throws Error(kUsage) for any other text.
SpiderPath parse_spider_path(std::string_view text);

// What detect_layout needs to know of the run.
struct LayoutRequest {
  Mode mode = Mode::kReplace;
  bool dry_run = false;
  // Several --shard processes (the direct path is for one).
  bool sharded = false;
  SpiderPath spider_path = SpiderPath::kAuto;
  // --spider-nodes; empty: mysql.servers.
  std::filesystem::path spider_nodes;
  // The head's: the nodes' TLS and timeouts are the same.
  db::ConnectionOptions connection;
};

class Layout {
 public:
  virtual ~Layout() = default;

  // For log lines: "one server" or "a Spider head".
  virtual std::string_view description() const = 0;

  // Creates the run's staging tables, empty; for a replace, the places stage
  // is filled with `places`.
  virtual void create_stage(db::Session& session, const RunTables& tables, Mode mode,
                            const std::vector<const Place*>& places) const = 0;

  // Before the run reads anything it depends on (the largest id, the
  // places): resolves what earlier runs left outside the head (a direct
  // append's prepared XA branches and stages on the data nodes). Throws
  // Error(kTempFail) when that cannot be done.
  virtual void resolve_leftovers(db::Session&, const RunTables&) const {}

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

  // A run that ends unpublished: empties what it wrote on the data nodes (a
  // direct replace's standby tables, a direct append's stages). Logs what
  // fails.
  virtual void discard(db::Session&, const RunTables&) const {}

  // A run that was published: drops its stage (with a direct append's, on
  // the data nodes). Throws Error for the head's; logs the nodes'.
  virtual void drop_stage(db::Session& session, const RunTables& tables) const { tables.drop_stage(session); }

  // The data nodes the people rows are streamed into, or null: into the
  // run's stage on the server the loader is connected to.
  virtual const SpiderNodes* direct() const { return nullptr; }
};

// The layout of the session's database. Throws Error(kUsage) for a Spider
// head without the standby table that a replace (not a dry run) fills, and
// for --spider-path direct where the direct path cannot be taken.
std::unique_ptr<Layout> detect_layout(db::Session& session, const LayoutRequest& request);

}  // namespace pipeline::load
