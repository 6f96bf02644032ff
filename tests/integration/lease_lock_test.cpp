// LeaseLock, the load lock of a Galera cluster, against the throwaway server:
// its SQL is the same on a plain server, where only certification (two
// nodes inserting at once) cannot be shown; tests/system/galera_test.cpp
// runs it on a cluster.
#include "pipeline/db/lease_lock.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "pipeline/error.hpp"
#include "support/test_database.hpp"

namespace pipeline::db {
namespace {

using testing::TestDatabase;

// Makes the lease of `name` lapse now, as if its holder had died 30 s ago.
void expire(Session& session, const std::string& name) {
  session.execute("UPDATE load_locks SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE name = ?", {name});
}

ExitCode code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.code();
  }
  return ExitCode::kOk;
}

TEST(LeaseLockTest, TheSecondTakerIsBusyUntilTheFirstLetsGo) {
  TestDatabase db("lease");
  std::string message;
  {
    LeaseLock first(db.options(), "lock-a", std::chrono::seconds(0), "busy");
    EXPECT_EQ(db.session().query_value("SELECT COUNT(*) FROM load_locks WHERE name = 'lock-a'"), "1");
    try {
      LeaseLock second(db.options(), "lock-a", std::chrono::seconds(0), "another loader has it");
      ADD_FAILURE() << "the second taker got a held lock";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::kTempFail);
      message = e.what();
    }
    first.check_held();
    // Another name is another lock.
    LeaseLock other(db.options(), "lock-b", std::chrono::seconds(0), "busy");
  }
  EXPECT_NE(message.find("another loader has it"), std::string::npos) << message;
  EXPECT_NE(message.find("dataloader pid"), std::string::npos) << message;
  EXPECT_EQ(db.session().query_value("SELECT COUNT(*) FROM load_locks"), "0");
  LeaseLock again(db.options(), "lock-a", std::chrono::seconds(0), "busy");
}

TEST(LeaseLockTest, ALapsedLeaseIsTakenOverAndItsHolderFindsOut) {
  TestDatabase db("lease");
  LeaseLock dead(db.options(), "lock-a", std::chrono::seconds(0), "busy");
  expire(db.session(), "lock-a");
  LeaseLock next(db.options(), "lock-a", std::chrono::seconds(0), "busy");
  next.check_held();
  EXPECT_EQ(code_of([&] { dead.check_held(); }), ExitCode::kTempFail);
}

// A holder that could not renew in time (a stalled node) must not bring its
// lease back: another loader may already have seen the lock free.
TEST(LeaseLockTest, ARenewalDoesNotReviveALapsedLease) {
  TestDatabase db("lease");
  LeaseLock lock(db.options(), "lock-a", std::chrono::seconds(0), "busy");
  expire(db.session(), "lock-a");
  EXPECT_EQ(code_of([&] { lock.check_held(); }), ExitCode::kTempFail);
  EXPECT_EQ(db.session().query_value("SELECT " + LeaseLock::held_sql("'lock-a'")), "0");
}

TEST(LeaseLockTest, AFenceInATransactionFailsOnceTheLeaseLapsed) {
  TestDatabase db("lease");
  LeaseLock lock(db.options(), "lock-a", std::chrono::seconds(0), "busy");
  Session& tx = db.session();
  tx.execute("START TRANSACTION");
  lock.fence(tx);
  tx.execute("COMMIT");
  expire(tx, "lock-a");
  tx.execute("START TRANSACTION");
  EXPECT_EQ(code_of([&] { lock.fence(tx); }), ExitCode::kTempFail);
  tx.execute("ROLLBACK");
  EXPECT_EQ(code_of([&] { lock.check_held(); }), ExitCode::kTempFail);
}

TEST(LeaseLockTest, AWaiterGetsTheLockWhenTheLeaseLapses) {
  TestDatabase db("lease");
  LeaseLock dead(db.options(), "lock-a", std::chrono::seconds(0), "busy");
  // Lapsing in 2 s: a waiter with 20 s gets it then, and not before.
  db.session().execute("UPDATE load_locks SET expires_at = UTC_TIMESTAMP(6) + INTERVAL 2 SECOND WHERE name = 'lock-a'");
  const std::string lapses = db.session().query_value("SELECT expires_at FROM load_locks").value();
  LeaseLock waiter(db.options(), "lock-a", std::chrono::seconds(20), "busy");
  EXPECT_EQ(db.session().query_value("SELECT UTC_TIMESTAMP(6) >= ?", {lapses}), "1");
  waiter.check_held();
  EXPECT_EQ(code_of([&] { dead.check_held(); }), ExitCode::kTempFail);
}

}  // namespace
}  // namespace pipeline::db
