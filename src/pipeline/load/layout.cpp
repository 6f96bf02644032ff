#include "pipeline/load/layout.hpp"

#include <functional>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/db/connect.hpp"
#include "pipeline/db/session.hpp"
#include "pipeline/db/sql.hpp"
#include "pipeline/error.hpp"
#include "pipeline/load/live_tables.hpp"
#include "pipeline/load/node_append.hpp"
#include "pipeline/load/node_branches.hpp"
#include "pipeline/load/people_table.hpp"
#include "pipeline/load/spider_params.hpp"
#include "pipeline/util/phase_log.hpp"

namespace pipeline::load {
namespace {

using db::quote_identifier;

// The staging tables are copies of the live ones (the people stage of a
// replace with its foreign key pointed at the places stage); the RENAME swaps
// both pairs.
class OneServer final : public Layout {
 public:
  std::string_view description() const override { return "one server"; }

  void create_stage(db::Session& session, const RunTables& tables, Mode mode,
                    const std::vector<const Place*>& places) const override {
    if (mode == Mode::kAppend) {
      session.execute(fmt::format("CREATE TABLE {} LIKE people", quote_identifier(tables.people)));
      return;
    }
    create_shadow_tables(session, tables);
    write_places(session, tables.places, places, false);
  }

  void prepare_publish(db::Session&) const override {}

  std::string ready_replace(db::Session&, const RunTables& tables, std::uint64_t, const std::string&) const override {
    // One atomic statement: readers see the old pair of tables or the new pair.
    return fmt::format("RENAME TABLE people TO {}, places TO {}, {} TO places, {} TO people",
                       quote_identifier(tables.people_old), quote_identifier(tables.places_old),
                       quote_identifier(tables.places), quote_identifier(tables.people));
  }

  void drop_previous(db::Session& session, const RunTables& tables) const override {
    try {
      session.execute("DROP TABLE " + quote_identifier(tables.people_old));
      session.execute("DROP TABLE " + quote_identifier(tables.places_old));
    } catch (const Error& e) {
      spdlog::warn("the new data is live, but dropping the old tables failed (the next run drops them): {}", e.what());
    }
  }

  std::string_view replaced_tables() const override { return "people, places"; }
};

// What one partition of a direct load holds: seen through the head, and on
// its node as the loader reached it.
struct PartitionSeen {
  std::uint64_t rows = 0;
  // One row's id through the head (nullopt: none), and the node's own count.
  std::optional<std::uint64_t> sample;
  std::uint64_t held = 0;
};

PartitionSeen see_partition(const db::ConnectionOptions& head_connection, const SpiderNodes& nodes, std::size_t k) {
  const SpiderNode& node = nodes.nodes[k];
  PartitionSeen seen;
  db::Session head = db::connect_with_retry(head_connection);
  const std::string partition =
      fmt::format("{} PARTITION ({})", quote_identifier(kSpiderStandby), quote_identifier(node.partition));
  seen.rows = std::stoull(head.query_value("SELECT COUNT(*) FROM " + partition).value_or("0"));
  if (const auto id = head.query_value(fmt::format("SELECT id FROM {} LIMIT 1", partition)))
    seen.sample = std::stoull(*id);
  db::Session direct = db::connect_with_retry(node.connection);
  seen.held =
      std::stoull(direct.query_value("SELECT COUNT(*) FROM " + quote_identifier(nodes.standby_table)).value_or("0"));
  return seen;
}

// A direct load's proof, before its RENAME, asked of every partition at once
// (one count through Spider takes 0.1 s per 500,000 rows): through the head,
// partition K of the standby table shows a row of partition K and as many
// rows as the node the loader wrote K's rows to holds, and all partitions
// together the rows sent. prove_routing showed before the load that each
// address is the right node; this shows the rows all arrived there, and
// nothing else did.
void check_direct_load(db::Session& head, const SpiderNodes& nodes, std::uint64_t valid, const std::string& run_id) {
  std::vector<PartitionSeen> seen(nodes.nodes.size());
  on_every_node(nodes, [&](std::size_t k) { seen[k] = see_partition(head.options(), nodes, k); });
  std::uint64_t total = 0;
  for (std::size_t k = 0; k < nodes.nodes.size(); ++k) {
    const SpiderNode& node = nodes.nodes[k];
    const PartitionSeen& p = seen[k];
    const bool misplaced = p.sample && nodes.node_of(*p.sample) != k;
    if (misplaced || p.held != p.rows) {
      throw Error(ExitCode::kSoftware,
                  fmt::format("run {}: through the head, partition {} of {} holds {} rows{}, and data node {} ({}) "
                              "holds {}; not published",
                              run_id, node.partition, kSpiderStandby, p.rows,
                              misplaced ? fmt::format(", among them id {} of another partition", *p.sample) : "",
                              node.server, node.connection.address(), p.held));
    }
    total += p.rows;
  }
  if (total != valid) {
    throw Error(ExitCode::kSoftware,
                fmt::format("run {}: the data nodes hold {} rows, expected {}; not published", run_id, total, valid));
  }
  spdlog::info("run {}: the {} data nodes hold the {} rows, each in the partition Spider reads it from", run_id,
               nodes.nodes.size(), util::grouped(valid));
}

// Rows are staged on the head in a local table; publishing copies them to
// the data nodes. Or, direct, the rows go straight into the standby's
// remote tables, and the local stage stays empty.
class SpiderHead final : public Layout {
 public:
  SpiderHead(Mode mode, std::optional<SpiderNodes> direct) : mode_(mode), direct_(std::move(direct)) {
    if (direct_) held_ = std::make_unique<HeldNodes>(*direct_);
  }

  std::string_view description() const override {
    return direct_ ? "a Spider head, loaded directly into its data nodes" : "a Spider head";
  }

  void create_stage(db::Session& session, const RunTables& tables, Mode mode,
                    const std::vector<const Place*>& places) const override {
    if (mode == Mode::kReplace) {
      session.execute(fmt::format("CREATE TABLE {} LIKE places", quote_identifier(tables.places)));
      write_places(session, tables.places, places, false);
    }
    create_local_people_stage(session, tables.people);
    if (direct_) {
      // What a run that died may have left; then, before any row is sent,
      // proof that each node is where the head reads its partition.
      session.execute("TRUNCATE TABLE " + quote_identifier(kSpiderStandby));
      prove_routing(session, std::string(kSpiderStandby), *direct_);
      if (mode == Mode::kAppend) create_node_stages(*direct_, tables);
    }
  }

  // The prepared branches first: a committed one may hold the largest id.
  void resolve_leftovers(db::Session& head, const RunTables& tables) const override {
    if (!direct_) return;
    recover_node_branches(head, *direct_);
    sweep_node_stages(*direct_, tables);
  }

  void prepare_publish(db::Session& session) const override {
    // Spider sends the staged rows to the data nodes as multi-row INSERTs of
    // at most this many bytes; the default 16000 made copying 1M rows 15%
    // slower than 1 MiB (7.8 s against 6.6 s).
    session.execute("SET SESSION spider_bulk_size = 1048576");
  }

  // The staged rows go to the standby table's remote tables (emptied first:
  // a run that died may have left rows); the RENAME then swaps it with
  // people, and places with their stage, on the head.
  std::string ready_replace(db::Session& session, const RunTables& tables, std::uint64_t valid,
                            const std::string& run_id) const override {
    const std::string standby = quote_identifier(kSpiderStandby);
    if (direct_) {
      check_direct_load(session, *direct_, valid, run_id);
      return rename(tables);
    }
    session.execute("TRUNCATE TABLE " + standby);
    const std::uint64_t copied = session.execute(fmt::format("INSERT INTO {0} ({1}) SELECT {1} FROM {2}", standby,
                                                             kPeopleColumnList, quote_identifier(tables.people)));
    const std::string stored = session.query_value("SELECT COUNT(*) FROM " + standby).value_or("0");
    if (copied != valid || stored != std::to_string(valid)) {
      throw Error(ExitCode::kSoftware,
                  fmt::format("run {}: copied {} rows to the data nodes and they hold {}, expected {}; not published",
                              run_id, copied, stored, valid));
    }
    return rename(tables);
  }

  // The previous rows are now behind the standby table: empty it.
  void drop_previous(db::Session& session, const RunTables& tables) const override {
    try {
      session.execute("TRUNCATE TABLE " + quote_identifier(kSpiderStandby));
      session.execute("DROP TABLE " + quote_identifier(tables.places_old));
    } catch (const Error& e) {
      spdlog::warn("the new data is live, but emptying the previous rows failed (the next replace retries): {}",
                   e.what());
    }
  }

  std::string_view replaced_tables() const override { return "places"; }

  // Node by node, not through the head: one node that is down (the cause of
  // many a failure) must not keep the others' standby tables full. Only
  // while the head's standby still names them: after a RENAME whose answer
  // was lost, they are live.
  void discard(db::Session& session, const RunTables& tables) const override {
    if (!direct_) return;
    if (mode_ == Mode::kAppend) {
      // Only the run's own tables: the live ones are changed only by a
      // committed branch.
      drop_node_stages(*direct_, tables);
      return;
    }
    try {
      const auto params = parse_spider_params(table_comment(session, kSpiderStandby));
      if (!params || !params->count("table") || params->at("table") != direct_->standby_table) {
        spdlog::warn("{} no longer names {} on the data nodes: leaving them as they are", kSpiderStandby,
                     direct_->standby_table);
        return;
      }
    } catch (const Error& e) {
      spdlog::warn(
          "cannot ask the head which tables its standby names ({}): leaving the data nodes as they are; "
          "the next replace empties their standby tables",
          e.what());
      return;
    }
    for (const SpiderNode& node : direct_->nodes) {
      try {
        db::Session direct(node.connection);
        direct.execute("TRUNCATE TABLE " + quote_identifier(direct_->standby_table));
      } catch (const Error& e) {
        spdlog::warn("emptying the standby table on data node {} failed (the next replace empties it): {}", node.server,
                     e.what());
      }
    }
  }

  void drop_stage(db::Session& session, const RunTables& tables) const override {
    tables.drop_stage(session);
    if (direct_ && mode_ == Mode::kAppend) drop_node_stages(*direct_, tables);
  }

  const SpiderNodes* direct() const override { return direct_ ? &*direct_ : nullptr; }

 private:
  // Swaps people with the standby, and places with their stage, on the head.
  static std::string rename(const RunTables& tables) {
    const std::string parked = quote_identifier(tables.people_old);
    return fmt::format("RENAME TABLE people TO {0}, {1} TO people, {0} TO {1}, places TO {2}, {3} TO places", parked,
                       quote_identifier(kSpiderStandby), quote_identifier(tables.places_old),
                       quote_identifier(tables.places));
  }

  Mode mode_;
  std::optional<SpiderNodes> direct_;
  // Held for the whole run, direct.
  std::unique_ptr<HeldNodes> held_;
};

// The direct path, if the run can take it: or nullopt, said why (refused
// for --spider-path direct).
std::optional<SpiderNodes> choose_direct(db::Session& session, const LayoutRequest& request) {
  if (request.spider_path == SpiderPath::kHead) return std::nullopt;
  std::string why;
  // A run the direct path is not built for is told so at info level: an
  // append every night is no reason for a warning every night.
  bool not_built = true;
  if (request.sharded) {
    why = "--shard loads through the head (the direct path takes one process, with any --jobs)";
  } else if (!is_spider_table(session, kSpiderStandby)) {
    // An append, or a dry run of a replace, gets here without it
    // (detect_layout refuses a real replace). A layout that cannot take the
    // path, so a warning, as for the others.
    why = fmt::format(
        "the Spider table {} is missing, through which the direct path proves where each node's rows "
        "go; create it as schema-spider-head.sql does, or pass --spider-path head",
        kSpiderStandby);
    not_built = false;
  } else {
    SpiderDiscovery found = discover_spider_nodes(session, request.connection, request.spider_nodes);
    if (found.nodes) {
      spdlog::info("people is spread over {} Spider data nodes by HASH (id); {}", found.nodes->nodes.size(),
                   request.dry_run ? "a run that is not a dry run streams the rows straight into them"
                                   : "streaming the rows straight into them");
      return std::move(found.nodes);
    }
    why = found.why_not;
    not_built = false;
  }
  if (request.spider_path == SpiderPath::kDirect) {
    throw Error(ExitCode::kUsage, fmt::format("--spider-path direct: {}; pass --spider-path auto to load through "
                                              "the head instead",
                                              why));
  }
  if (not_built) {
    spdlog::info("loading through the Spider head: {}", why);
  } else {
    spdlog::warn("loading through the Spider head, not directly into the data nodes: {}", why);
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(SpiderPath path) {
  switch (path) {
    case SpiderPath::kAuto:
      return "auto";
    case SpiderPath::kDirect:
      return "direct";
    case SpiderPath::kHead:
      return "head";
  }
  return "?";
}

SpiderPath parse_spider_path(std::string_view text) {
  for (SpiderPath path : {SpiderPath::kAuto, SpiderPath::kDirect, SpiderPath::kHead}) {
    if (text == to_string(path)) return path;
  }
  throw Error(ExitCode::kUsage, fmt::format("--spider-path {}: expected auto, direct or head", text));
}

std::unique_ptr<Layout> detect_layout(db::Session& session, const LayoutRequest& request) {
  if (!is_spider_table(session, "people")) {
    if (request.spider_path == SpiderPath::kDirect) {
      throw Error(ExitCode::kUsage, "--spider-path direct: people is not a Spider table; leave --spider-path out");
    }
    return std::make_unique<OneServer>();
  }
  if (request.mode == Mode::kReplace && !request.dry_run && !is_spider_table(session, kSpiderStandby)) {
    throw Error(ExitCode::kUsage,
                fmt::format("people is a Spider table, but the Spider table {} that --mode replace fills and swaps "
                            "in is missing; create it as schema-spider-head.sql does",
                            kSpiderStandby));
  }
  return std::make_unique<SpiderHead>(request.mode, choose_direct(session, request));
}

}  // namespace pipeline::load
