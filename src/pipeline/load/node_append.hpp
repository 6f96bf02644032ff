// A direct append's staging and deduplication on a Spider head's data
// nodes (docs/scaling.md, "Append on the direct path").
//
// A node is chosen by id, and an appended row's id by its line, not by who
// the person is: a person's stored row, and their repeats within the run,
// can be on any node. So every node gets every row of the run in its stage
// table (the loader streams each row to every node), and each node judges
// them all against its own live rows. The ids a node finds stored are
// deleted from the stage of the node that will hold them, and each node
// then inserts only its own partition's rows that are left, under XA
// (node_branches.hpp). Every node's judgement is local (no rows cross
// between nodes); what crosses, through the loader, is the ids found
// stored.
#pragma once

#include <cstdint>
#include <string>

#include "pipeline/load/run_tables.hpp"
#include "pipeline/load/spider_nodes.hpp"

namespace pipeline::load {

// On every node, under every node's lock (so that any other run's tables
// were left by a run that is gone): drops the stages (people__run_,
// people__dup_) of runs other than `tables`'. One still in use after 2 s is
// left, with a warning, for a later run.
void sweep_node_stages(const SpiderNodes& nodes, const RunTables& tables);

// On every node: the run's empty stage, a copy of the node's live table.
void create_node_stages(const SpiderNodes& nodes, const RunTables& tables);

// Deletes from the nodes' stages what is not new, as the single-server
// append does: a repeat within the run loses to its lowest id, and a row
// equal to a stored one is dropped. Returns the rows left in the nodes'
// own partitions, summed: the rows the append adds.
std::uint64_t deduplicate_on_nodes(const SpiderNodes& nodes, const RunTables& tables, std::uint64_t staged);

// The statement each node's branch runs: its own partition's staged rows
// into its live table.
std::string insert_own_rows(const SpiderNodes& nodes, const RunTables& tables, std::size_t k);

// Drops the run's tables on every node; logs what fails (the next direct
// run drops them).
void drop_node_stages(const SpiderNodes& nodes, const RunTables& tables) noexcept;

}  // namespace pipeline::load
