// Statuses and modes to text and back, the names of a run's tables, and the
// lock names: the strings the ledger and the server see.
#include "pipeline/load/status.hpp"

#include <gtest/gtest.h>

#include "pipeline/db/named_lock.hpp"
#include "pipeline/error.hpp"
#include "pipeline/load/run_id.hpp"
#include "pipeline/load/run_tables.hpp"

namespace pipeline::load {
namespace {

TEST(StatusTest, EveryValueRoundTrips) {
  for (const RunStatus s : {RunStatus::kRunning, RunStatus::kSucceeded, RunStatus::kRejected, RunStatus::kFailed,
                            RunStatus::kAbandoned, RunStatus::kStaged}) {
    EXPECT_EQ(parse_run_status(to_string(s)), s);
  }
  for (const ShardStatus s : {ShardStatus::kRunning, ShardStatus::kLoaded, ShardStatus::kPublished,
                              ShardStatus::kRejected, ShardStatus::kFailed, ShardStatus::kAbandoned}) {
    EXPECT_EQ(parse_shard_status(to_string(s)), s);
  }
  EXPECT_EQ(parse_mode(to_string(Mode::kAppend)), Mode::kAppend);
  EXPECT_EQ(to_string(Mode::kReplace), "replace");
  EXPECT_EQ(to_string(RunStatus::kSucceeded), "succeeded");
  EXPECT_EQ(to_string(ShardStatus::kLoaded), "loaded");
}

TEST(StatusTest, UnknownTextIsAnError) {
  try {
    parse_run_status("succeded");
    FAIL() << "a misspelt status was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kSoftware);
    EXPECT_NE(std::string(e.what()).find("unknown run status 'succeded'"), std::string::npos);
  }
  EXPECT_THROW(parse_shard_status(""), Error);
  EXPECT_THROW(parse_mode("Replace"), Error);
}

TEST(RunTablesTest, TableNamesAndTheirRun) {
  const RunTables tables("20261201T000000Z-abc123");
  EXPECT_EQ(tables.people, "people__run_20261201T000000Z-abc123");
  EXPECT_EQ(tables.places_old, "places__old_20261201T000000Z-abc123");
  for (const std::string& name : {tables.people, tables.places, tables.people_old, tables.places_old}) {
    EXPECT_EQ(run_of_table(name), "20261201T000000Z-abc123") << name;
  }
  EXPECT_FALSE(run_of_table("people"));
  EXPECT_FALSE(run_of_table("people__standby"));
  EXPECT_FALSE(run_of_table("people__run_"));
}

TEST(LockNamesTest, NamesFitTheServersLimit) {
  const std::string longest_run(40, 'r');
  EXPECT_NO_THROW(check_run_id(longest_run));
  const std::string longest_database(64, 'd');
  EXPECT_LE(db::lock_names::shard(longest_database, longest_run, 1024).size(), 64u);
  EXPECT_LE(db::lock_names::setup(longest_database, longest_run).size(), 64u);
  EXPECT_NE(db::lock_names::setup("a", "run"), db::lock_names::setup("b", "run"));
  EXPECT_EQ(db::lock_names::load("codetest"), "pipeline.dataloader.codetest");
  const std::string a = db::lock_names::load(std::string(60, 'd') + "a");
  const std::string b = db::lock_names::load(std::string(60, 'd') + "b");
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b) << "two long database names that share a prefix share a lock";
  EXPECT_LE(RunTables(longest_run).people_old.size(), 64u) << "MySQL's limit for table names";
}

}  // namespace
}  // namespace pipeline::load
