#include "pipeline/load/node_branches.hpp"

#include <algorithm>
#include <charconv>
#include <exception>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/db/connect.hpp"
#include "pipeline/db/session.hpp"
#include "pipeline/error.hpp"
#include "pipeline/load/ledger.hpp"

namespace pipeline::load {
namespace {

constexpr std::string_view kGtridPrefix = "dataloader:";

std::string hex(std::string_view bytes) {
  std::string text;
  for (char c : bytes) text += fmt::format("{:02x}", static_cast<unsigned char>(c));
  return text;
}

std::optional<std::size_t> length_of(std::string_view text) {
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

enum class BranchState { kNone, kPrepared, kEnded };

// The xids XA RECOVER lists on the session's server (rows it cannot read are skipped).
std::vector<Xid> prepared_xids(db::Session& session) {
  std::vector<Xid> xids;
  for (const auto& row : session.query("XA RECOVER").rows) {
    if (auto xid = parse_xa_recover_row(row.at(1).value_or(""), row.at(2).value_or(""), row.at(3).value_or(""))) {
      xids.push_back(std::move(*xid));
    }
  }
  return xids;
}

}  // namespace

Xid branch_xid(std::string_view run_id, std::string_view database) {
  return Xid{std::string(kGtridPrefix).append(run_id), std::string(database)};
}

std::optional<std::string> run_of_xid(const Xid& xid) {
  if (xid.gtrid.size() <= kGtridPrefix.size() || xid.gtrid.compare(0, kGtridPrefix.size(), kGtridPrefix) != 0) {
    return std::nullopt;
  }
  return xid.gtrid.substr(kGtridPrefix.size());
}

std::optional<Xid> parse_xa_recover_row(std::string_view gtrid_length, std::string_view bqual_length,
                                        std::string_view data) {
  const auto g = length_of(gtrid_length);
  const auto b = length_of(bqual_length);
  if (!g || !b || *g + *b != data.size()) return std::nullopt;
  return Xid{std::string(data.substr(0, *g)), std::string(data.substr(*g))};
}

std::string xid_sql(const Xid& xid) { return fmt::format("X'{}', X'{}'", hex(xid.gtrid), hex(xid.bqual)); }

BranchFate fate_of(std::optional<RunStatus> run_status) {
  if (!run_status) return BranchFate::kLeave;
  return run_status == RunStatus::kSucceeded ? BranchFate::kCommit : BranchFate::kRollback;
}

void recover_node_branches(db::Session& head, const SpiderNodes& nodes) {
  for (const SpiderNode& node : nodes.nodes) {
    try {
      db::Session session = db::connect_with_retry(node.connection);
      for (const Xid& found : prepared_xids(session)) {
        const auto run = run_of_xid(found);
        if (!run || found.bqual != node.connection.database) continue;
        const std::optional<RunStatus> status = run_status(head, *run);
        const BranchFate fate = fate_of(status);
        if (fate == BranchFate::kLeave) {
          spdlog::warn(
              "data node {}: an XA branch of run {} is prepared in database {}, but this head's load_runs has no "
              "such run, so it is left alone (another head's loader may own it); if none does, end it by hand "
              "with XA ROLLBACK {}",
              node.server, *run, node.connection.database, xid_sql(found));
          continue;
        }
        session.execute(fmt::format("XA {} {}", fate == BranchFate::kCommit ? "COMMIT" : "ROLLBACK", xid_sql(found)));
        spdlog::warn(
            "data node {}: run {} left its XA branch prepared (its loader stopped between the prepares and the "
            "commits); load_runs says the run is {}, so the branch is {}",
            node.server, *run, to_string(*status), fate == BranchFate::kCommit ? "committed" : "rolled back");
      }
    } catch (const Error& e) {
      throw Error(ExitCode::kTempFail,
                  fmt::format("data node {} ({}): cannot resolve the XA branches earlier runs left prepared: {}; "
                              "the run stops before loading anything; try again once the node answers",
                              node.server, node.connection.address(), e.what()));
    }
  }
}

struct NodeBranches::Branch {
  std::unique_ptr<db::Session> session;
  Xid xid;
  BranchState state = BranchState::kNone;
};

NodeBranches::NodeBranches(const SpiderNodes& nodes, std::string run_id) : nodes_(nodes), run_id_(std::move(run_id)) {}

NodeBranches::~NodeBranches() = default;

std::uint64_t NodeBranches::prepare_statements(const std::vector<std::string>& statements) {
  for (const SpiderNode& node : nodes_.nodes) {
    auto branch = std::make_unique<Branch>();
    branch->xid = branch_xid(run_id_, node.connection.database);
    branches_.push_back(std::move(branch));
  }
  auto prepare_one = [&](std::size_t k) -> std::uint64_t {
    Branch& branch = *branches_[k];
    branch.session = std::make_unique<db::Session>(db::connect_with_retry(nodes_.nodes[k].connection));
    const std::string xid = xid_sql(branch.xid);
    branch.session->execute("XA START " + xid);
    const std::uint64_t changed = branch.session->execute(statements[k]);
    branch.session->execute("XA END " + xid);
    branch.session->execute("XA PREPARE " + xid);
    branch.state = BranchState::kPrepared;
    return changed;
  };
  std::vector<std::uint64_t> changed(branches_.size());
  try {
    on_every_node(nodes_, [&](std::size_t k) { changed[k] = prepare_one(k); });
  } catch (const Error& e) {
    rollback();
    throw Error(e.code(), fmt::format("preparing the run's XA branches failed: {}", e.what()));
  } catch (...) {
    rollback();
    throw;
  }
  std::uint64_t total = 0;
  for (std::uint64_t rows : changed) total += rows;
  return total;
}

std::vector<std::string> NodeBranches::commit() {
  std::vector<std::string> failed;
  for (std::size_t k = 0; k < branches_.size(); ++k) {
    Branch& branch = *branches_[k];
    const SpiderNode& node = nodes_.nodes[k];
    const std::string xid = xid_sql(branch.xid);
    try {
      branch.session->execute("XA COMMIT " + xid);
      branch.state = BranchState::kEnded;
      continue;
    } catch (const Error& e) {
      spdlog::warn("data node {}: XA COMMIT of run {}'s branch failed ({}); trying again on a new connection",
                   node.server, run_id_, e.what());
    }
    // Once more, on a new connection (retried up to --connect-timeout). A
    // branch no longer prepared was committed by the first try, whose
    // answer was lost.
    try {
      db::Session again = db::connect_with_retry(node.connection);
      try {
        again.execute("XA COMMIT " + xid);
      } catch (const Error&) {
        const std::vector<Xid> still = prepared_xids(again);
        if (std::find(still.begin(), still.end(), branch.xid) != still.end()) throw;
      }
      branch.state = BranchState::kEnded;
    } catch (const Error& e) {
      spdlog::error(
          "data node {} ({}): XA COMMIT of run {}'s branch failed ({}); the branch stays prepared, and the next "
          "run commits it",
          node.server, node.connection.address(), run_id_, e.what());
      failed.push_back(node.server);
    }
  }
  return failed;
}

void NodeBranches::rollback() noexcept {
  for (std::size_t k = 0; k < branches_.size(); ++k) {
    Branch& branch = *branches_[k];
    if (branch.state != BranchState::kPrepared || !branch.session) {
      // Not prepared: it ends with its connection.
      branch.session.reset();
      continue;
    }
    try {
      branch.session->execute("XA ROLLBACK " + xid_sql(branch.xid));
      branch.state = BranchState::kEnded;
    } catch (const std::exception& e) {
      spdlog::warn("data node {}: rolling back run {}'s XA branch failed ({}); the next run rolls it back",
                   nodes_.nodes[k].server, run_id_, e.what());
    }
  }
}

void NodeBranches::leave() noexcept {
  for (auto& branch : branches_) branch->session.reset();
}

}  // namespace pipeline::load
