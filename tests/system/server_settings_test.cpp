// The loader against servers configured as real ones can be: short idle
// and read timeouts, a short lock wait timeout, and another session holding
// the run's ledger row. Each server is a test's own, since these are global
// settings. The loader is held mid-load by a FIFO, never by a race.
#include <gtest/gtest.h>

#include <signal.h>

#include <thread>

#include "pipeline/db/lease_lock.hpp"
#include "pipeline/db/named_lock.hpp"
#include "support/generate.hpp"
#include "support/held_input.hpp"
#include "support/private_server.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

using namespace std::chrono_literals;

std::string tables_checksum(db::Session& s) {
  auto value = [&](const char* table) {
    return s.query(std::string("CHECKSUM TABLE ") + table).rows.at(0).at(1).value_or("missing");
  };
  return value("people") + "/" + value("places");
}

// A loader that idles past wait_timeout and net_read_timeout mid-load: the
// control connection waits for the streams, and the streams wait for rows.
TEST(ServerSettingsTest, ALoadOutlastsShortServerTimeouts) {
  PrivateServer server("--wait-timeout=1 --net-read-timeout=1");
  TempDir tmp;
  write_people(tmp / "generated.csv", 20000, 8);
  const CsvParts parts = split_header(read_file(tmp / "generated.csv"));
  for (const char* mode : {"replace", "append"}) {
    SCOPED_TRACE(mode);
    FifoInput fifo(tmp / (std::string("people-") + mode + ".csv"));
    Process loader(dataloader_argv(tmp, fifo.path(), {"--mode", mode}), server.env());
    ASSERT_TRUE(fifo.write(parts.header + parts.rows.substr(0, parts.rows.size() / 2)));
    std::this_thread::sleep_for(3s);  // idle for three times both timeouts
    ASSERT_TRUE(fifo.write(parts.rows.substr(parts.rows.size() / 2)));
    fifo.close();
    const auto result = loader.wait();
    EXPECT_EQ(result.exit_code, 0) << describe(result);
  }
  db::Session s(server.options());
  EXPECT_EQ(s.query_value("SELECT COUNT(*) FROM people"), "20000");
}

// A Galera lock's lease on a server whose clock reads another zone (a
// node abroad, or local time across a daylight-saving jump): its expiry is
// kept in UTC, 30 s ahead, so every node reads the same lease.
TEST(ServerSettingsTest, ALeaseRunsInUtcWhateverTheServersTimeZone) {
  PrivateServer server("--default-time-zone=-05:00");
  db::Session session(server.options());
  db::LeaseLock lock(server.options(), "lock-utc", 0s, "busy");
  const auto left = session.query_value(
      "SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), expires_at) FROM load_locks WHERE name = 'lock-utc'");
  ASSERT_TRUE(left.has_value());
  EXPECT_GE(std::stoi(*left), 20) << "the lease does not run 30 s in UTC";
  EXPECT_LE(std::stoi(*left), 30) << "the lease does not run 30 s in UTC";
  EXPECT_EQ(session.query_value("SELECT " + db::LeaseLock::held_sql("'lock-utc'")), "1");
  lock.check_held();
}

// The connection that holds the load lock is killed mid-load (as a server
// timeout or a DBA would): another loader can then take the lock, and the
// first must stop without publishing, nor stall the second.
TEST(ServerSettingsTest, ALoaderThatLosesItsLockStopsAndPublishesNothing) {
  PrivateServer server;
  TempDir tmp;
  db::Session session(server.options());
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv")), server.env()).exit_code, 0);
  const std::string before = tables_checksum(session);
  write_people(tmp / "new.csv", 20000, 4);
  const CsvParts parts = split_header(read_file(tmp / "new.csv"));
  FifoInput fifo(tmp / "people.csv");
  Process first(dataloader_argv(tmp, fifo.path(), {"--run-id", "lost-lock"}), server.env());
  ASSERT_TRUE(fifo.write(parts.header + parts.rows.substr(0, parts.rows.size() / 2)));
  std::optional<std::string> holder;
  ASSERT_TRUE(eventually([&] {
    holder = session.query_value("SELECT IS_USED_LOCK(?)", {db::lock_names::load("codetest")});
    return holder.has_value();
  }));
  session.execute("KILL " + *holder);

  Process second(dataloader_argv(tmp, shipped("people.csv"), {"--run-id", "after-it"}), server.env());
  const auto other = second.wait(60s);
  EXPECT_EQ(other.exit_code, 0) << "the second loader was stalled or refused\n" << describe(other);

  ASSERT_TRUE(fifo.write(parts.rows.substr(parts.rows.size() / 2)));
  fifo.close();
  const auto lost = first.wait();
  EXPECT_EQ(lost.exit_code, 75) << describe(lost);
  EXPECT_NE(lost.err.find("lock"), std::string::npos) << lost.err;
  EXPECT_EQ(tables_checksum(session), before) << "the loader that lost its lock published";
  const auto third = run(dataloader_argv(tmp, shipped("people.csv")), server.env());
  EXPECT_EQ(third.exit_code, 0) << describe(third);
  EXPECT_EQ(session.query_value("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                                "AND table_name LIKE '%\\_\\_%'"),
            "0")
      << "scratch tables were left behind";
}

// A ledger row held by another session when the run publishes: whatever
// happens, the exit code and load_runs say whether the data went live.
class LedgerRowHeldTest : public ::testing::Test {
 protected:
  LedgerRowHeldTest() : server("--innodb-lock-wait-timeout=1"), session(server.options()) {
    EXPECT_EQ(run(dataloader_argv(tmp, shipped("people.csv")), server.env()).exit_code, 0);
    before = tables_checksum(session);
    write_people(tmp / "new.csv", 3000, 12);
    parts = split_header(read_file(tmp / "new.csv"));
  }

  // Starts a replace reading from a FIFO, holds its load_runs row once the
  // run has joined, and feeds it all: it then waits on the row.
  std::unique_ptr<Process> start_with_row_held(db::Session& holder, FifoInput& fifo) {
    auto loader = std::make_unique<Process>(dataloader_argv(tmp, fifo.path(), {"--run-id", run_id}), server.env());
    EXPECT_TRUE(fifo.write(parts.header));  // returns once the loader has opened it, after joining
    holder.execute("START TRANSACTION");
    holder.query("SELECT * FROM load_runs WHERE run_id = ? FOR UPDATE", {run_id});
    EXPECT_TRUE(fifo.write(parts.rows));
    fifo.close();
    EXPECT_TRUE(eventually([&] { return waiting_on_row(); })) << "the loader never tried to write its row";
    return loader;
  }

  // Whether a statement is writing load_runs (waiting on the held row).
  bool waiting_on_row() {
    return session.query_value(
               "SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE "
               "'UPDATE load\\_runs%'") != "0";
  }

  std::string status() {
    return session.query_value("SELECT status FROM load_runs WHERE run_id = ?", {run_id}).value();
  }

  PrivateServer server;
  db::Session session;
  TempDir tmp;
  std::string before;
  CsvParts parts;
  const std::string run_id = "held-row";
};

TEST_F(LedgerRowHeldTest, TheRunWaitsForTheRowAndTellsTheTruth) {
  db::Session holder(server.options());
  FifoInput fifo(tmp / "people.csv");
  auto loader = start_with_row_held(holder, fifo);
  std::this_thread::sleep_for(2500ms);  // past the lock wait timeout, twice
  holder.execute("COMMIT");
  const auto result = loader->wait();
  const bool live = tables_checksum(session) != before;
  EXPECT_EQ(result.exit_code == 0, live) << "the exit code lies about the data\n" << describe(result);
  EXPECT_EQ(status() == "succeeded", live) << "load_runs lies about the data: " << status();
  EXPECT_EQ(result.exit_code, 0) << "the run gave up on a row that was released\n" << describe(result);
  EXPECT_EQ(session.query_value("SELECT COUNT(*) FROM people"), "3000");
}

TEST_F(LedgerRowHeldTest, ALoaderKilledWhileItWaitsIsJudgedRightByTheNextRun) {
  {
    db::Session holder(server.options());
    FifoInput fifo(tmp / "people.csv");
    auto loader = start_with_row_held(holder, fifo);
    ::kill(loader->pid(), SIGKILL);
    loader->wait();
    // The server still runs the dead loader's statement: hold the row until
    // it has timed out, or it would go through once the row is free.
    EXPECT_TRUE(eventually([&] { return !waiting_on_row(); }));
    holder.execute("COMMIT");
  }
  const bool live = tables_checksum(session) != before;
  const auto next = run(dataloader_argv(tmp, shipped("people.csv"), {"--mode", "append"}), server.env());
  ASSERT_EQ(next.exit_code, 0) << describe(next);
  EXPECT_EQ(status() == "succeeded", live)
      << "the next run judged the killed one wrong: " << status() << (live ? ", but its data is live" : "");
  EXPECT_EQ(session.query_value("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                                "AND table_name LIKE '%\\_\\_%'"),
            "0")
      << "scratch tables were left behind";
}

// A rejected run whose ledger row is held: it waits, and stays rejected
// (65, with its reason), instead of turning into a failure.
TEST_F(LedgerRowHeldTest, ARejectedRunStaysRejected) {
  db::Session holder(server.options());
  FifoInput fifo(tmp / "people.csv");
  Process loader(dataloader_argv(tmp, fifo.path(), {"--run-id", run_id}), server.env());
  ASSERT_TRUE(fifo.write(parts.header));
  holder.execute("START TRANSACTION");
  holder.query("SELECT * FROM load_runs WHERE run_id = ? FOR UPDATE", {run_id});
  ASSERT_TRUE(fifo.write("Bad,Date,1950-02-30,Kelso\n"));
  fifo.close();
  ASSERT_TRUE(eventually([&] { return waiting_on_row(); })) << "the loader never tried to write its row";
  std::this_thread::sleep_for(2500ms);  // past the lock wait timeout, twice
  holder.execute("COMMIT");
  const auto result = loader.wait();
  EXPECT_EQ(result.exit_code, 65) << describe(result);
  EXPECT_EQ(status(), "rejected");
  EXPECT_EQ(session.query_value("SELECT error_text FROM load_shards WHERE run_id = ?", {run_id}),
            "1 row(s) rejected, more than --max-rejects 0");
  EXPECT_EQ(tables_checksum(session), before);
}

}  // namespace
}  // namespace pipeline::testing
