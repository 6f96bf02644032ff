// The XA branches of a direct append (node_append.hpp): one per data node,
// each inserting that node's new rows into its live table. They are
// prepared on every node before the head's transaction records the run as
// succeeded, and committed after it: that transaction is the decision. A
// loader that dies in between leaves prepared branches, which hold their
// rows invisible (and locked) on the nodes until the next direct run
// resolves them by that decision, in load_runs (recover_node_branches).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/load/spider_nodes.hpp"
#include "pipeline/load/status.hpp"

namespace pipeline::db {
class Session;
}

namespace pipeline::load {

// An XA transaction id: the global part names the run, the branch part the
// node's database (unique on a server: two partitions may share a server),
// e.g. "dataloader:20261201T194207Z-3fa2c1" and "codetest".
struct Xid {
  std::string gtrid;
  std::string bqual;
  bool operator==(const Xid&) const = default;
};

// The id of run `run_id`'s branch in node database `database`.
Xid branch_xid(std::string_view run_id, std::string_view database);
// The run whose branch `xid` is; nullopt for a transaction that is not a
// dataloader's (XA RECOVER lists every prepared one on the server).
std::optional<std::string> run_of_xid(const Xid& xid);
// One row of XA RECOVER (gtrid_length, bqual_length, data) as an Xid;
// nullopt when the lengths do not fit the data.
std::optional<Xid> parse_xa_recover_row(std::string_view gtrid_length, std::string_view bqual_length,
                                        std::string_view data);
// `xid` as the XA statements take it: two hex literals, whatever its bytes.
std::string xid_sql(const Xid& xid);

// What becomes of a branch whose loader is gone: the head's decision, that
// is whether load_runs records its run as succeeded. A run load_runs does
// not know is not this head's (its row is written before any prepare):
// another head's loader, sharing the node's server, may be about to decide.
enum class BranchFate { kCommit, kRollback, kLeave };
BranchFate fate_of(std::optional<RunStatus> run_status);

// Under the head's load lock and every node's direct-load lock, so that no
// other loader can be between its prepares and its decision: commits or
// rolls back every dataloader branch prepared in the nodes' databases, each
// by its run's fate, and logs what it did (and what it left). Throws Error(kTempFail) when a node
// cannot be asked or a branch cannot be resolved: the run must not go on
// beside rows it cannot account for.
void recover_node_branches(db::Session& head, const SpiderNodes& nodes);

// One run's branches, one connection per node.
class NodeBranches {
 public:
  // No connection yet: prepare() opens them.
  NodeBranches(const SpiderNodes& nodes, std::string run_id);
  // Closes the connections: a branch not prepared rolls back with its
  // connection, a prepared one stays for the next run (commit or rollback
  // first to end it).
  ~NodeBranches();
  NodeBranches(const NodeBranches&) = delete;
  NodeBranches& operator=(const NodeBranches&) = delete;

  // On every node at once: XA START, the statement node_sql(k) gives, XA
  // END, XA PREPARE. Returns the rows the statements changed, summed.
  // Throws the first failure, after rolling every branch back.
  template <class NodeSql>
  std::uint64_t prepare(const NodeSql& node_sql) {
    std::vector<std::string> statements;
    for (std::size_t k = 0; k < nodes_.nodes.size(); ++k) statements.push_back(node_sql(k));
    return prepare_statements(statements);
  }

  // XA COMMIT on every node. Returns the servers where it failed: their
  // branches stay prepared, and the next direct run commits them.
  std::vector<std::string> commit();
  // XA ROLLBACK on every node whose branch was started; logs what fails
  // (the next direct run rolls those back).
  void rollback() noexcept;
  // Leaves the branches prepared, for the next run (the decision is unknown).
  void leave() noexcept;

 private:
  std::uint64_t prepare_statements(const std::vector<std::string>& statements);

  struct Branch;
  const SpiderNodes& nodes_;
  std::string run_id_;
  std::vector<std::unique_ptr<Branch>> branches_;
};

}  // namespace pipeline::load
