// The XA ids of a direct append's branches, and how a branch left prepared
// is resolved: only a dataloader's branches are touched, only a run that
// load_runs records as succeeded commits, and one it does not know is left.
#include <gtest/gtest.h>

#include "pipeline/load/node_branches.hpp"

namespace pipeline::load {
namespace {

TEST(NodeBranchesTest, AnXidNamesItsRunAndNode) {
  const Xid xid = branch_xid("20261201T194207Z-3fa2c1", "codetest");
  EXPECT_EQ(xid.gtrid, "dataloader:20261201T194207Z-3fa2c1");
  EXPECT_EQ(xid.bqual, "codetest");
  EXPECT_EQ(run_of_xid(xid), "20261201T194207Z-3fa2c1");
}

TEST(NodeBranchesTest, OtherTransactionsAreNotOurs) {
  EXPECT_EQ(run_of_xid(Xid{"dataloader:", "d1"}), std::nullopt);
  EXPECT_EQ(run_of_xid(Xid{"other:20261201T194207Z-3fa2c1", "d1"}), std::nullopt);
  EXPECT_EQ(run_of_xid(Xid{"datal", ""}), std::nullopt);
}

TEST(NodeBranchesTest, XaRecoverRowsSplitByTheirLengths) {
  EXPECT_EQ(parse_xa_recover_row("11", "2", "codetest:t1d1"), (Xid{"codetest:t1", "d1"}));
  EXPECT_EQ(parse_xa_recover_row("13", "0", "codetest:t1d1"), (Xid{"codetest:t1d1", ""}));
  EXPECT_EQ(parse_xa_recover_row("11", "3", "codetest:t1d1"), std::nullopt);
  EXPECT_EQ(parse_xa_recover_row("x", "2", "codetest:t1d1"), std::nullopt);
  EXPECT_EQ(parse_xa_recover_row("", "2", "d1"), std::nullopt);
}

TEST(NodeBranchesTest, XidsAreHexLiteralsWhateverTheirBytes) {
  EXPECT_EQ(xid_sql(Xid{"a'b", "d1"}), "X'612762', X'6431'");
  EXPECT_EQ(xid_sql(Xid{"\xff", ""}), "X'ff', X''");
}

TEST(NodeBranchesTest, OnlyASucceededRunCommitsAndAnUnknownOneIsLeftAlone) {
  EXPECT_EQ(fate_of(RunStatus::kSucceeded), BranchFate::kCommit);
  for (RunStatus status : {RunStatus::kRunning, RunStatus::kRejected, RunStatus::kFailed, RunStatus::kAbandoned}) {
    EXPECT_EQ(fate_of(status), BranchFate::kRollback) << to_string(status);
  }
  EXPECT_EQ(fate_of(std::nullopt), BranchFate::kLeave);
}

}  // namespace
}  // namespace pipeline::load
