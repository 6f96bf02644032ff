// What a run stores and reports when the world around it moves: a replace
// between a sharded append's shards, rows all rejected, leftovers of dead
// runs, an idle reader at the cut-over, outputs that cannot be written, too
// many connections, shards given different files. Each test holds the
// loader where it needs it with a lock or a FIFO, never with a race.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pipeline/db/named_lock.hpp"
#include "pipeline/error.hpp"
#include "support/generate.hpp"
#include "support/held_input.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

using namespace std::chrono_literals;

class RunOutcomeTest : public ::testing::Test {
 protected:
  RunOutcomeTest() : db("outcome") {
    EXPECT_EQ(load(shipped("people.csv")).exit_code, 0);
    before = checksums();
  }

  ProcessResult load(const std::filesystem::path& people, std::vector<std::string> extra = {}) {
    return run(dataloader_argv(tmp, people, std::move(extra)), db.env());
  }
  ProcessResult load_with_places(const std::filesystem::path& places, const std::filesystem::path& people,
                                 std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--places", places.string(), "--people", people.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_dataloader(db, tmp, args);
  }
  std::string checksums() { return db.checksum("people") + "/" + db.checksum("places"); }
  std::string status(const std::string& run_id) {
    return db.session().query_value("SELECT status FROM load_runs WHERE run_id = ?", {run_id}).value_or("none");
  }
  std::vector<std::string> scratch_tables() {
    std::vector<std::string> names;
    for (const auto& row : db.session()
                               .query("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                      "DATABASE() AND table_name LIKE '%\\_\\_%' ORDER BY table_name")
                               .rows) {
      names.push_back(row.at(0).value());
    }
    return names;
  }
  // A people.csv of `rows` people born in `city`, named New1..NewN.
  std::filesystem::path born_in(const std::string& name, const std::string& city, int rows) {
    std::string text = "given_name,family_name,date_of_birth,place_of_birth\n";
    for (int i = 1; i <= rows; ++i) text += "New" + std::to_string(i) + ",Person,1990-01-01," + city + "\n";
    write_file(tmp / name, text);
    return tmp / name;
  }

  TestDatabase db;
  TempDir tmp;
  std::string before;
};

// Shard 2 of an append reads places, then waits (for the run's setup lock,
// held here) while another load publishes; it must not publish afterwards
// with place ids or person ids that no longer hold.
class OverlapTest : public RunOutcomeTest {
 protected:
  ProcessResult second_shard_after(const std::function<void()>& meanwhile) {
    const auto people = born_in("new.csv", "Aberdeen", 2000);
    const auto first = load(people, {"--mode", "append", "--shard", "1/2", "--run-id", "race3"});
    EXPECT_EQ(first.exit_code, 0) << describe(first);
    db::Session holder(db.options());
    const std::string lock = db::lock_names::setup(db.name(), "race3");
    EXPECT_EQ(holder.query_value("SELECT GET_LOCK(?, 0)", {lock}), "1");
    Process second(dataloader_argv(tmp, people, {"--mode", "append", "--shard", "2/2", "--run-id", "race3"}), db.env());
    EXPECT_TRUE(eventually([&] { return !second.running() || someone_waits_for_a_lock(db.session()); }));
    EXPECT_TRUE(second.running()) << "shard 2 never waited\n" << describe(second.wait());
    meanwhile();
    holder.query_value("SELECT RELEASE_LOCK(?)", {lock});
    return second.wait();
  }
  std::string new_people_born_in() {
    return db.session()
        .query_value(
            "SELECT GROUP_CONCAT(DISTINCT pl.city) FROM people p JOIN places pl ON pl.id = "
            "p.place_of_birth_id WHERE p.family_name = 'Person' AND p.given_name LIKE 'New%'")
        .value_or("none");
  }
};

TEST_F(OverlapTest, AReplaceBetweenTheShardsOfAnAppendIsNotOverwrittenWithStaleIds) {
  std::string places = read_file(shipped("places.csv"));
  if (places.back() != '\n') places += '\n';
  const CsvParts parts = split_header(places);
  std::vector<std::string> lines;
  std::istringstream in(parts.rows);
  for (std::string line; std::getline(in, line);) lines.insert(lines.begin(), line + "\n");
  std::string reversed = parts.header;
  for (const auto& line : lines) reversed += line;
  write_file(tmp / "reversed.csv", reversed);
  std::string after_replace;
  const auto second = second_shard_after([&] {
    const auto replace = load_with_places(tmp / "reversed.csv", shipped("people.csv"));
    EXPECT_EQ(replace.exit_code, 0) << describe(replace);
    after_replace = checksums();
  });
  EXPECT_EQ(second.exit_code, 75) << describe(second);
  EXPECT_NE(second.err.find("the places table changed while the run loaded"), std::string::npos) << second.err;
  EXPECT_EQ(new_people_born_in(), "none") << "the stale run was published";
  EXPECT_EQ(checksums(), after_replace);
  EXPECT_EQ(status("race3"), "failed");
  EXPECT_TRUE(scratch_tables().empty());
}

TEST_F(OverlapTest, AnAppendBetweenTheShardsOfAnAppendMakesItStopCleanly) {
  std::string after_append;
  const auto second = second_shard_after([&] {
    const auto append = load(born_in("other.csv", "Kelso", 50), {"--mode", "append"});
    EXPECT_EQ(append.exit_code, 0) << describe(append);
    after_append = checksums();
  });
  EXPECT_EQ(second.exit_code, 75) << describe(second);
  EXPECT_NE(second.err.find("the people table changed while the run loaded"), std::string::npos) << second.err;
  EXPECT_EQ(checksums(), after_append);
  EXPECT_EQ(status("race3"), "failed");
}

TEST_F(RunOutcomeTest, AReplaceWhoseRowsAreAllRejectedIsRefusedUnlessAllowed) {
  // Every date written dd/mm/yyyy: every row is rejected, within the limit.
  std::string text = read_file(shipped("people.csv"));
  text = std::regex_replace(text, std::regex(",(\\d{4})-(\\d{2})-(\\d{2})"), ",$3/$2/$1");
  write_file(tmp / "ddmmyyyy.csv", text);
  for (const char* shards : {"1", "2"}) {
    SCOPED_TRACE(std::string("shards: ") + shards);
    ProcessResult refused;
    if (std::string(shards) == "1") {
      refused = load(tmp / "ddmmyyyy.csv", {"--max-rejects", "1000000"});
    } else {
      const auto one =
          load(tmp / "ddmmyyyy.csv", {"--max-rejects", "1000000", "--shard", "1/2", "--run-id", "all-bad"});
      EXPECT_EQ(one.exit_code, 0) << describe(one);
      refused = load(tmp / "ddmmyyyy.csv", {"--max-rejects", "1000000", "--shard", "2/2", "--run-id", "all-bad"});
      EXPECT_EQ(status("all-bad"), "rejected");
    }
    EXPECT_EQ(refused.exit_code, 65) << describe(refused);
    EXPECT_NE(refused.err.find("has no valid data rows (10000 read, all rejected): replacing would empty the "
                               "people table"),
              std::string::npos)
        << refused.err;
    EXPECT_EQ(checksums(), before);
    EXPECT_TRUE(scratch_tables().empty());
  }
  // Every place rejected: refused before people are read.
  write_file(tmp / "places-bad.csv", "city,county,country\n Aberdeen,Aberdeenshire,Scotland\n");
  const auto places = load_with_places(tmp / "places-bad.csv", tmp / "ddmmyyyy.csv", {"--max-rejects", "1000000"});
  EXPECT_EQ(places.exit_code, 65) << describe(places);
  EXPECT_NE(places.err.find("replacing would empty the places table"), std::string::npos) << places.err;
  EXPECT_EQ(checksums(), before);
  const auto allowed = load(tmp / "ddmmyyyy.csv", {"--max-rejects", "1000000", "--allow-empty"});
  EXPECT_EQ(allowed.exit_code, 0) << describe(allowed);
  EXPECT_EQ(db.count("people"), 0u);
}

TEST_F(RunOutcomeTest, EveryRunDropsTheTablesOfRunsThatAreOver) {
  auto& s = db.session();
  auto ledger_row = [&](const std::string& run_id, const std::string& status_text) {
    s.execute(
        "INSERT INTO load_runs (run_id, mode, shards, status, started_at, places_path, people_path, loader_version, "
        "client_host) VALUES (?, 'replace', 1, ?, UTC_TIMESTAMP(), 'p', 'q', 'test', 'test')",
        {run_id, status_text});
  };
  // A sweeper that died after marking a run abandoned, before dropping its tables.
  ledger_row("swept-late", "abandoned");
  s.execute("CREATE TABLE `places__run_swept-late` LIKE places");
  s.execute("CREATE TABLE `people__run_swept-late` LIKE people");
  // A failed run's parked table, and tables whose run has no ledger row at all.
  ledger_row("failed-one", "failed");
  s.execute("CREATE TABLE `people__old_failed-one` LIKE people");
  s.execute("CREATE TABLE `people__run_no-row` LIKE people");
  // A sharded run still waiting for its second shard keeps its tables.
  const auto waiting = load(shipped("people.csv"), {"--mode", "append", "--shard", "1/2", "--run-id", "waiting"});
  ASSERT_EQ(waiting.exit_code, 0) << describe(waiting);

  const auto next = load(shipped("people.csv"));
  ASSERT_EQ(next.exit_code, 0) << describe(next);
  EXPECT_EQ(scratch_tables(), std::vector<std::string>{"people__run_waiting"});
  EXPECT_EQ(status("swept-late"), "abandoned");
}

TEST_F(RunOutcomeTest, ARunPublishedButNeverRecordedIsRecordedAsSucceeded) {
  auto& s = db.session();
  // An unsharded run, and a sharded one whose shards had all loaded.
  for (const auto& [run_id, shards] : {std::pair<std::string, unsigned>{"quiet-one", 1}, {"quiet-sharded", 2}}) {
    s.execute(
        "INSERT INTO load_runs (run_id, mode, shards, status, started_at, places_path, people_path, loader_version, "
        "client_host, people_loaded) VALUES (?, 'replace', ?, 'running', UTC_TIMESTAMP(), 'p', 'q', 'test', 'test', "
        "10000)",
        {run_id, std::uint64_t{shards}});
    for (unsigned k = 1; k <= shards; ++k) {
      s.execute(
          "INSERT INTO load_shards (run_id, shard, shards, status, client_host, started_at) VALUES (?, ?, ?, "
          "'loaded', 'test', UTC_TIMESTAMP())",
          {run_id, std::uint64_t{k}, std::uint64_t{shards}});
    }
    // What its RENAME left: the previous tables, parked under the run's name.
    s.execute(fmt::format("CREATE TABLE `places__old_{}` LIKE places", run_id));
    s.execute(fmt::format("CREATE TABLE `people__old_{}` LIKE people", run_id));
  }
  const auto next = load(shipped("people.csv"), {"--mode", "append"});
  ASSERT_EQ(next.exit_code, 0) << describe(next);
  EXPECT_EQ(status("quiet-one"), "succeeded");
  EXPECT_EQ(s.query_value("SELECT people_loaded FROM load_runs WHERE run_id = 'quiet-one'"), "10000");
  EXPECT_EQ(s.query_value("SELECT status FROM load_shards WHERE run_id = 'quiet-one'"), "published");
  EXPECT_EQ(status("quiet-sharded"), "succeeded");
  EXPECT_EQ(s.query_value("SELECT GROUP_CONCAT(DISTINCT status) FROM load_shards WHERE run_id = 'quiet-sharded'"),
            "published");
  EXPECT_TRUE(scratch_tables().empty());
}

TEST_F(RunOutcomeTest, CleanupOfARunThatWasPublishedRecordsItAsSucceeded) {
  auto& s = db.session();
  const auto waiting = load(shipped("people.csv"), {"--shard", "1/2", "--run-id", "quiet"});
  ASSERT_EQ(waiting.exit_code, 0) << describe(waiting);
  s.execute("CREATE TABLE `places__old_quiet` LIKE places");
  const auto cleanup = run_dataloader(db, tmp, {"--cleanup", "quiet"});
  EXPECT_EQ(cleanup.exit_code, 0) << describe(cleanup);
  EXPECT_EQ(status("quiet"), "succeeded");
  EXPECT_TRUE(scratch_tables().empty());
}

// One reader idle in a transaction that has read people: the RENAME of a
// replace must not make every other reader queue behind it.
TEST_F(RunOutcomeTest, AnIdleReaderDoesNotStallOtherReadersDuringTheCutOver) {
  db::Session idle(db.options());
  idle.execute("START TRANSACTION");
  idle.query("SELECT COUNT(*) FROM people");
  write_people(tmp / "new.csv", 3000, 21);
  Process loader(dataloader_argv(tmp, tmp / "new.csv"), db.env());
  ASSERT_TRUE(eventually([&] {
    return db.session().query_value(
               "SELECT COUNT(*) FROM information_schema.processlist WHERE db = DATABASE() "
               "AND state = 'Waiting for table metadata lock'") != "0";
  })) << "the loader never tried its cut-over";
  db::Session reader(db.options());
  reader.execute("SET SESSION lock_wait_timeout = 20");
  const auto start = std::chrono::steady_clock::now();
  std::optional<std::string> count;
  try {
    count = reader.query_value("SELECT COUNT(*) FROM people");
  } catch (const Error& e) {
    ADD_FAILURE() << "the reader waited behind the cut-over: " << e.what();
  }
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_LT(waited, 8s) << "the reader queued behind the cut-over for too long";
  EXPECT_EQ(count, "10000");
  idle.execute("COMMIT");
  const auto result = loader.wait();
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(db.count("people"), 3000u);
}

TEST_F(RunOutcomeTest, ACutOverThatCannotHappenGivesUpWithNothingChanged) {
  db::Session idle(db.options());
  idle.execute("START TRANSACTION");
  idle.query("SELECT COUNT(*) FROM people");
  const std::string idle_id = idle.query_value("SELECT CONNECTION_ID()").value();
  write_people(tmp / "new.csv", 3000, 22);
  const auto result = load(tmp / "new.csv", {"--publish-timeout", "5"});
  idle.execute("COMMIT");
  EXPECT_EQ(result.exit_code, 75) << describe(result);
  EXPECT_NE(result.err.find("publishing waits for people and places"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("connection " + idle_id + " "), std::string::npos) << "the blocker is not named";
  EXPECT_NE(result.err.find("could not publish within --publish-timeout 5 s"), std::string::npos) << result.err;
  EXPECT_EQ(checksums(), before);
  EXPECT_TRUE(scratch_tables().empty());
}

TEST_F(RunOutcomeTest, AnOutputThatCannotBeWrittenIsRefusedBeforeLoading) {
  write_people(tmp / "new.csv", 500, 23);
  const auto result = load(tmp / "new.csv", {"--report-json", (tmp / "missing-dir" / "report.json").string()});
  EXPECT_EQ(result.exit_code, 73) << describe(result);
  EXPECT_NE(result.err.find("cannot write the run report to"), std::string::npos) << result.err;
  EXPECT_EQ(checksums(), before) << "the run loaded before finding its report could not be written";
}

TEST_F(RunOutcomeTest, MoreConnectionsThanTheServerTakesAreRefusedAtOnce) {
  const auto start = std::chrono::steady_clock::now();
  const auto result = load(shipped("people.csv"), {"--jobs", "64", "--streams", "16", "--connect-timeout", "5"});
  EXPECT_EQ(result.exit_code, 64) << describe(result);
  EXPECT_NE(result.err.find("1025 connections (1 control + --jobs 64 x --streams 16)"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("max_connections"), std::string::npos) << result.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(checksums(), before);
}

TEST_F(RunOutcomeTest, ShardsGivenDifferentFilesAreRejectedBeforeAnyRowIsSent) {
  // Half as long: its second half has the line numbers, and so the ids, of
  // shard 1's rows, which collide in the stage if it is ever sent.
  write_people(tmp / "other.csv", 5000, 24);
  const auto one = load(shipped("people.csv"), {"--shard", "1/2", "--run-id", "mixed"});
  EXPECT_EQ(one.exit_code, 0) << describe(one);
  const auto two = load(tmp / "other.csv", {"--shard", "2/2", "--run-id", "mixed"});
  EXPECT_EQ(two.exit_code, 65) << describe(two);
  EXPECT_NE(two.err.find("shards 1 and 2 read different files: people.csv has SHA-256"), std::string::npos) << two.err;
  EXPECT_EQ(status("mixed"), "rejected");
  EXPECT_EQ(checksums(), before);
  EXPECT_TRUE(scratch_tables().empty());
}

TEST_F(RunOutcomeTest, TheReportNamesTheRejectsFile) {
  write_file(tmp / "one-bad.csv",
             "given_name,family_name,date_of_birth,place_of_birth\n"
             "Ann,Smith,1990-01-01,Kelso\nBad,Date,1990-02-30,Kelso\n");
  const auto rejects = tmp / "rejects.csv";
  const auto report = tmp / "report.json";
  const auto result = load(tmp / "one-bad.csv", {"--max-rejects", "1", "--report-json", report.string()});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  const auto json = nlohmann::json::parse(read_file(report));
  ASSERT_TRUE(json["rejects_file"].is_string()) << json.dump();
  EXPECT_NE(read_file(json["rejects_file"].get<std::string>()).find("1990-02-30"), std::string::npos);
  const auto explicit_path = load(
      tmp / "one-bad.csv", {"--max-rejects", "1", "--rejects", rejects.string(), "--report-json", report.string()});
  ASSERT_EQ(explicit_path.exit_code, 0) << describe(explicit_path);
  EXPECT_EQ(nlohmann::json::parse(read_file(report))["rejects_file"], rejects.string());
}

// Run ids are unique only within a database, and locks are server-wide: a
// shard alive in one database must not pass for a dead one of a run with the
// same id in another.
TEST_F(RunOutcomeTest, RunsOfOneIdInTwoDatabasesDoNotShareTheirLocks) {
  TestDatabase other("otherdb");
  const auto people = shipped("people.csv");
  const auto first = run(dataloader_argv(tmp, people, {"--shard", "1/2", "--run-id", "nightly"}), other.env());
  ASSERT_EQ(first.exit_code, 0) << describe(first);
  // The other database's shard 2 is alive, held in join_run by its ledger row.
  db::Session holder(other.options());
  holder.execute("START TRANSACTION");
  holder.query("SELECT * FROM load_runs WHERE run_id = 'nightly' FOR UPDATE");
  Process alive(dataloader_argv(tmp, people, {"--shard", "2/2", "--run-id", "nightly"}), other.env());
  ASSERT_TRUE(eventually([&] {
    return other.session().query_value(
               "SELECT COUNT(*) FROM information_schema.processlist WHERE db = DATABASE() "
               "AND info LIKE 'INSERT INTO load\\_runs%'") != "0";
  }));
  // Here, shard 2 of run nightly joined and died.
  db.session().execute(
      "INSERT INTO load_runs (run_id, mode, shards, status, started_at, places_path, people_path, loader_version, "
      "client_host) VALUES ('nightly', 'replace', 2, 'running', UTC_TIMESTAMP(), 'p', 'q', 'test', 'test')");
  db.session().execute(
      "INSERT INTO load_shards (run_id, shard, shards, status, client_host, started_at) VALUES ('nightly', 2, 2, "
      "'running', 'test', UTC_TIMESTAMP())");
  const auto here = load(people, {"--shard", "1/2", "--run-id", "nightly"});
  EXPECT_EQ(here.exit_code, 75) << describe(here);
  EXPECT_NE(here.err.find("shard 2 died while loading"), std::string::npos) << here.err;
  EXPECT_EQ(status("nightly"), "failed");
  holder.execute("COMMIT");
  const auto there = alive.wait();
  EXPECT_EQ(there.exit_code, 0) << describe(there);
}

// A replace whose control connection is lost after its RENAME, while it
// records the outcome: the data is live, so the exit code is 0, and the
// next run records the run as succeeded.
TEST_F(RunOutcomeTest, AReplaceThatWentLiveSaysSoEvenIfItsConnectionIsLostAfterTheRename) {
  auto& s = db.session();
  db::Session idle(db.options());
  idle.execute("START TRANSACTION");
  idle.query("SELECT COUNT(*) FROM people");
  write_people(tmp / "new.csv", 3000, 31);
  Process loader(dataloader_argv(tmp, tmp / "new.csv", {"--run-id", "lost-after"}), db.env());
  auto processlist_shows = [&](const std::string& condition) {
    return eventually([&] {
      return s.query_value("SELECT COUNT(*) FROM information_schema.processlist WHERE db = DATABASE() AND " +
                           condition) != "0";
    });
  };
  ASSERT_TRUE(processlist_shows("state = 'Waiting for table metadata lock'")) << "never reached its RENAME";
  // Its shard row is held: recording the outcome after the RENAME waits.
  db::Session holder(db.options());
  holder.execute("START TRANSACTION");
  holder.query("SELECT * FROM load_shards WHERE run_id = 'lost-after' FOR UPDATE");
  idle.execute("COMMIT");
  ASSERT_TRUE(processlist_shows("info LIKE 'UPDATE load\\_shards%'")) << "never recorded its outcome";
  const auto control = s.query_value("SELECT IS_USED_LOCK(?)", {db::lock_names::load(db.name())});
  ASSERT_TRUE(control);
  s.execute("KILL " + *control);
  holder.execute("ROLLBACK");
  const auto result = loader.wait();
  EXPECT_EQ(result.exit_code, 0) << "the data is live\n" << describe(result);
  EXPECT_EQ(db.count("people"), 3000u);
  EXPECT_EQ(status("lost-after"), "running") << "the killed connection's write went through after all";
  const auto next = load(shipped("people.csv"), {"--mode", "append", "--dry-run"});
  ASSERT_EQ(next.exit_code, 0) << describe(next);
  EXPECT_EQ(status("lost-after"), "succeeded");
  EXPECT_TRUE(scratch_tables().empty());
}

}  // namespace
}  // namespace pipeline::testing
