// dataloader as users run it: the built binary against the real server.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "pipeline/db/named_lock.hpp"
#include "pipeline/db/session.hpp"
#include "pipeline/util/sha256.hpp"
#include "support/fifo_reader.hpp"
#include "support/held_input.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

constexpr const char* kPeopleHeader = "given_name,family_name,date_of_birth,place_of_birth\n";
constexpr const char* kPlacesHeader = "city,county,country\n";

class DataloaderTest : public ::testing::Test {
 protected:
  DataloaderTest() : db("loader") {}

  ProcessResult load(std::vector<std::string> args) { return run_dataloader(db, tmp, std::move(args)); }
  ProcessResult load_shipped(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--places", shipped("places.csv"), "--people", shipped("people.csv")};
    args.insert(args.end(), extra.begin(), extra.end());
    return load(args);
  }
  std::string file(const std::string& name, const std::string& content) {
    write_file(tmp / name, content);
    return (tmp / name).string();
  }
  std::pair<std::string, std::string> checksums() { return {db.checksum("people"), db.checksum("places")}; }
  db::ResultTable last_run() {
    return db.session().query(
        "SELECT status, mode, dry_run, people_read, people_loaded, people_duplicate, people_rejected, "
        "places_read, places_loaded, places_duplicate, places_rejected, error_text, people_sha256, "
        "people_bytes, finished_at IS NOT NULL FROM load_runs ORDER BY id DESC LIMIT 1");
  }
  static std::string cell(const db::ResultTable& t, std::size_t column) {
    return t.rows.at(0).at(column).value_or("NULL");
  }

  TestDatabase db;
  TempDir tmp;
};

TEST_F(DataloaderTest, ReplaceTwiceGivesTheSameContent) {
  auto first = load_shipped();
  ASSERT_EQ(first.exit_code, 0) << describe(first);
  EXPECT_EQ(db.count("people"), 10000u);
  EXPECT_EQ(db.count("places"), 114u);
  const auto before = checksums();
  auto second = load_shipped();
  ASSERT_EQ(second.exit_code, 0) << describe(second);
  EXPECT_EQ(checksums(), before);
  EXPECT_EQ(db.count("load_runs"), 2u);
}

TEST_F(DataloaderTest, ReplaceLeavesExactlyTheNewFilesRows) {
  ASSERT_EQ(load_shipped().exit_code, 0);
  const auto places = file("places.csv", std::string(kPlacesHeader) + "Aberdeen,Aberdeenshire,Scotland\n");
  const auto people = file("people.csv", std::string(kPeopleHeader) + "Ann,Smith,1990-01-01,Aberdeen\n");
  const auto result = load({"--places", places, "--people", people});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(db.count("people"), 1u);
  EXPECT_EQ(db.count("places"), 1u);
  // No scratch table is left behind.
  EXPECT_EQ(db.session().query_value("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                                     "AND table_name LIKE '%\\_\\_%'"),
            "0");
}

TEST_F(DataloaderTest, ReplaceRefusesToEmptyATableUnlessAllowed) {
  ASSERT_EQ(load_shipped().exit_code, 0);
  const auto before = checksums();
  const auto empty_people = file("people.csv", kPeopleHeader);
  const auto refused = load({"--places", shipped("places.csv"), "--people", empty_people});
  EXPECT_EQ(refused.exit_code, 65) << describe(refused);
  EXPECT_NE(refused.err.find("replacing would empty the people table"), std::string::npos) << refused.err;
  EXPECT_EQ(checksums(), before);
  const auto allowed = load({"--places", shipped("places.csv"), "--people", empty_people, "--allow-empty"});
  EXPECT_EQ(allowed.exit_code, 0) << describe(allowed);
  EXPECT_EQ(db.count("people"), 0u);
  EXPECT_EQ(db.count("places"), 114u);
}

TEST_F(DataloaderTest, AppendTwiceAddsNothingTheSecondTime) {
  auto first = load_shipped({"--mode", "append"});
  ASSERT_EQ(first.exit_code, 0) << describe(first);
  EXPECT_EQ(db.count("people"), 10000u);
  const auto before = checksums();
  auto second = load_shipped({"--mode", "append"});
  ASSERT_EQ(second.exit_code, 0) << describe(second);
  EXPECT_EQ(checksums(), before);
  const auto run = last_run();
  EXPECT_EQ(cell(run, 0), "succeeded");
  EXPECT_EQ(cell(run, 4), "0");      // people loaded
  EXPECT_EQ(cell(run, 5), "10000");  // people duplicate
  EXPECT_EQ(cell(run, 8), "0");      // places loaded
  EXPECT_EQ(cell(run, 9), "114");    // places duplicate (unchanged)
}

TEST_F(DataloaderTest, AppendSkipsPeopleEqualToStoredOrEarlierRows) {
  const auto places = file("places.csv", std::string(kPlacesHeader) + "Kelso,Roxburghshire,Scotland\n");
  ASSERT_EQ(
      load({"--places", places, "--people", file("a.csv", std::string(kPeopleHeader) + "Bea,Roe,1950-05-05,Kelso\n")})
          .exit_code,
      0);
  const auto people = file("b.csv", std::string(kPeopleHeader) +
                                        "Ann,Roe,1950-05-05,Kelso\n"    // new
                                        "Bea,Roe,1950-05-05,Kelso\n"    // stored already
                                        "Ann,Roe,1950-05-05,Kelso\n"    // earlier in this run
                                        "Ann,Roe,1950-05-06,Kelso\n");  // differs by date: new
  const auto result = load({"--mode", "append", "--places", places, "--people", people});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(db.count("people"), 3u);
  const auto run = last_run();
  EXPECT_EQ(cell(run, 4), "2");
  EXPECT_EQ(cell(run, 5), "2");
  // The first of two equal rows is the one kept: its id comes from its line.
  EXPECT_EQ(db.session().query_value("SELECT COUNT(*) FROM people WHERE given_name = 'Ann' AND "
                                     "date_of_birth = '1950-05-05'"),
            "1");
}

TEST_F(DataloaderTest, AppendUpsertsPlacesByCity) {
  ASSERT_EQ(load_shipped().exit_code, 0);
  const auto aberdeen_id = db.session().query_value("SELECT id FROM places WHERE city = 'Aberdeen'");
  const auto places = file("places.csv", std::string(kPlacesHeader) +
                                             "Aberdeen,Aberdeen City,Scotland\n"  // county changed
                                             "Newtown,Powys,Wales\n");            // new city
  const auto people = file("people.csv", std::string(kPeopleHeader) + "Dai,Jones,1970-03-03,Newtown\n");
  const auto result = load({"--mode", "append", "--places", places, "--people", people});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(db.count("places"), 115u);
  EXPECT_EQ(db.count("people"), 10001u);
  EXPECT_EQ(db.session().query_value("SELECT county FROM places WHERE city = 'Aberdeen'"), "Aberdeen City");
  EXPECT_EQ(db.session().query_value("SELECT id FROM places WHERE city = 'Aberdeen'"), aberdeen_id);
  EXPECT_EQ(
      db.session().query_value(
          "SELECT pl.country FROM people p JOIN places pl ON pl.id = p.place_of_birth_id WHERE p.given_name = 'Dai'"),
      "Wales");
  const auto run = last_run();
  EXPECT_EQ(cell(run, 8), "2");  // places loaded: one updated, one inserted
}

TEST_F(DataloaderTest, OverTheRejectLimitNothingIsCommitted) {
  ASSERT_EQ(load_shipped().exit_code, 0);
  const auto before = checksums();
  std::string people = read_file(shipped("people.csv"));
  ASSERT_EQ(people.back(), '\n');
  people += "Ann,Smith,1990-02-30,Kelso\nBob,Brown,1980-01-01,Atlantis\n";
  const auto rejects = (tmp / "rejects.csv").string();
  const auto result =
      load({"--places", shipped("places.csv"), "--people", file("people.csv", people), "--rejects", rejects});
  EXPECT_EQ(result.exit_code, 65) << describe(result);
  EXPECT_EQ(checksums(), before);
  EXPECT_NE(result.err.find("more than --max-rejects 0"), std::string::npos) << result.err;
  const std::string listed = read_file(rejects);
  EXPECT_NE(listed.find("10002,date_of_birth,'1990-02-30': day 30 does not exist in February 1990"), std::string::npos)
      << listed;
  EXPECT_NE(listed.find("10003,place_of_birth,'Atlantis' is not a city in places.csv"), std::string::npos) << listed;
  EXPECT_EQ(cell(last_run(), 0), "rejected");
}

TEST_F(DataloaderTest, AtOrUnderTheLimitGoodRowsAreCommittedAndRejectsListed) {
  const std::string people = std::string(kPeopleHeader) +
                             "Ann,Smith,1990-01-01,Kelso\n"
                             "\"Smith, Jr\",Bob,1990-13-01,Kelso\n"
                             "Cat,,1990-01-01,Kelso\n"
                             "Dan,Doe,1990-01-01,Kelso,extra\n"
                             "Eve,Roe,1991-02-03,Kelso\n";
  const auto rejects = (tmp / "rejects.csv").string();
  const auto result = load({"--places", shipped("places.csv"), "--people", file("people.csv", people), "--max-rejects",
                            "3", "--rejects", rejects});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(db.count("people"), 2u);
  const std::string path = (tmp / "people.csv").string();
  EXPECT_EQ(
      read_file(rejects),
      "file,line,field,reason,raw\r\n" + path +
          ",3,date_of_birth,'1990-13-01': month 13 does not exist,\"\"\"Smith, Jr\"\",Bob,1990-13-01,Kelso\"\r\n" +
          path + ",4,family_name,is empty,\"Cat,,1990-01-01,Kelso\"\r\n" + path +
          ",5,(record),has 5 fields; the header has 4,\"Dan,Doe,1990-01-01,Kelso,extra\"\r\n");
  const auto run = last_run();
  EXPECT_EQ(cell(run, 3), "5");  // read
  EXPECT_EQ(cell(run, 4), "2");  // loaded
  EXPECT_EQ(cell(run, 6), "3");  // rejected
  // Each reject is also a log line.
  const std::string log = read_file(tmp / "logs" / "dataloader.log");
  EXPECT_NE(log.find("rejected " + path + ":3: date_of_birth: '1990-13-01': month 13"), std::string::npos) << log;
  EXPECT_NE(log.find("rejected " + path + ":5: (record): has 5 fields"), std::string::npos) << log;
}

TEST_F(DataloaderTest, DefaultRejectsFileIsNamedAfterTheRun) {
  const auto people = file("people.csv", std::string(kPeopleHeader) + "Ann,Smith,1990-01-01,Nowhere\n");
  const auto result = load({"--places", shipped("places.csv"), "--people", people, "--max-rejects", "1"});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  const auto run_id = db.session().query_value("SELECT run_id FROM load_runs ORDER BY id DESC LIMIT 1").value();
  EXPECT_TRUE(std::filesystem::exists(tmp / "logs" / ("rejects-" + run_id + ".csv")));
}

TEST_F(DataloaderTest, DryRunWritesNoDataTable) {
  ASSERT_EQ(load_shipped().exit_code, 0);
  const auto before = checksums();
  const auto people = file("people.csv", std::string(kPeopleHeader) + "Ann,Smith,1990-01-01,Kelso\n");
  for (const char* mode : {"replace", "append"}) {
    const auto result = load({"--places", shipped("places.csv"), "--people", people, "--dry-run", "--mode", mode});
    ASSERT_EQ(result.exit_code, 0) << describe(result);
    EXPECT_EQ(checksums(), before) << mode;
    const auto run = last_run();
    EXPECT_EQ(cell(run, 2), "1");
    EXPECT_EQ(cell(run, 4), "1");  // what would be loaded
  }
  // A dry run still checks place references, and reports over the limit.
  const auto bad = file("bad.csv", std::string(kPeopleHeader) + "Ann,Smith,1990-01-01,Atlantis\n");
  const auto result = load({"--places", shipped("places.csv"), "--people", bad, "--dry-run"});
  EXPECT_EQ(result.exit_code, 65) << describe(result);
  EXPECT_EQ(checksums(), before);
}

TEST_F(DataloaderTest, LedgerRecordsSuccessfulAndFailedRuns) {
  ASSERT_EQ(load_shipped().exit_code, 0);
  auto run = last_run();
  EXPECT_EQ(cell(run, 0), "succeeded");
  EXPECT_EQ(cell(run, 1), "replace");
  EXPECT_EQ(cell(run, 3), "10000");
  EXPECT_EQ(cell(run, 4), "10000");
  EXPECT_EQ(cell(run, 7), "114");
  EXPECT_EQ(cell(run, 13), "343337");
  util::Sha256 sha;
  sha.update(read_file(shipped("people.csv")));
  EXPECT_EQ(cell(run, 12), sha.hex_digest());
  EXPECT_EQ(cell(run, 14), "1");

  const auto bad_header =
      file("people.csv", "given_name,surname,date_of_birth,place_of_birth\nAnn,Smith,1990-01-01,Kelso\n");
  const auto rejected = load({"--places", shipped("places.csv"), "--people", bad_header});
  EXPECT_EQ(rejected.exit_code, 65) << describe(rejected);
  run = last_run();
  EXPECT_EQ(cell(run, 0), "rejected");
  EXPECT_NE(cell(run, 11).find("missing column 'family_name'"), std::string::npos) << cell(run, 11);
  EXPECT_NE(cell(run, 11).find("unexpected column 'surname'"), std::string::npos) << cell(run, 11);

  // A missing file is refused before the database is reached: no run.
  const auto missing = load({"--places", shipped("places.csv"), "--people", (tmp / "nope.csv").string()});
  EXPECT_EQ(missing.exit_code, 66) << describe(missing);
  EXPECT_EQ(db.count("load_runs"), 2u);

  // A run that fails after it started is recorded as failed.
  db::Session holder(db.options());
  holder.execute("LOCK TABLES places READ");
  const auto failed =
      load({"--places", shipped("places.csv"), "--people", shipped("people.csv"), "--publish-timeout", "1"});
  holder.execute("UNLOCK TABLES");
  EXPECT_EQ(failed.exit_code, 75) << describe(failed);
  run = last_run();
  EXPECT_EQ(cell(run, 0), "failed");
  EXPECT_NE(cell(run, 11), "NULL");
  EXPECT_EQ(cell(run, 14), "1");
  EXPECT_EQ(db.count("load_runs"), 3u);
}

TEST_F(DataloaderTest, ARunThatDiedIsMarkedAbandonedByTheNext) {
  ASSERT_EQ(load_shipped().exit_code, 0);
  db.session().execute("UPDATE load_runs SET status = 'running', finished_at = NULL");
  ASSERT_EQ(load_shipped().exit_code, 0);
  EXPECT_EQ(db.session().query_value("SELECT status FROM load_runs ORDER BY id LIMIT 1"), "abandoned");
}

TEST_F(DataloaderTest, LockContentionExits75OrWaits) {
  db::Session holder(db.options());
  const std::string name = db::lock_names::load(db.name());
  ASSERT_EQ(holder.query_value("SELECT GET_LOCK(?, 0)", {name}), "1");
  const auto busy = load_shipped();
  EXPECT_EQ(busy.exit_code, 75) << describe(busy);
  EXPECT_NE(busy.err.find("another dataloader is loading database"), std::string::npos) << busy.err;
  EXPECT_NE(busy.err.find("--wait-lock"), std::string::npos);

  // Released once the loader waits for it, not after a guess at how long
  // the loader takes to get there.
  Process waiting(dataloader_argv(tmp, shipped("people.csv"), {"--wait-lock", "30"}), db.env());
  EXPECT_TRUE(eventually([&] { return someone_waits_for_a_lock(db.session()); })) << "the loader did not wait";
  holder.query_value("SELECT RELEASE_LOCK(?)", {name});
  const auto waited = waiting.wait();
  EXPECT_EQ(waited.exit_code, 0) << describe(waited);
  EXPECT_NE(waited.err.find("waiting for a lock: lock '" + name + "', held by server connection "), std::string::npos)
      << waited.err;
  EXPECT_NE(waited.err.find(", for up to 30 s"), std::string::npos) << waited.err;
  EXPECT_EQ(db.count("people"), 10000u);
}

TEST_F(DataloaderTest, UnreachableHostExits75AfterTheDeadline) {
  const auto start = std::chrono::steady_clock::now();
  const auto result = run_dataloader(
      db, tmp, {"--places", shipped("places.csv"), "--people", shipped("people.csv"), "--connect-timeout", "2"},
      {{"MYSQL_HOST", "127.0.0.1"}, {"MYSQL_TCP_PORT", "1"}});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.exit_code, 75) << describe(result);
  EXPECT_GE(took, std::chrono::seconds(2));
  EXPECT_LT(took, std::chrono::seconds(15));
  EXPECT_NE(result.err.find("connect attempt 1 failed"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("database unreachable"), std::string::npos) << result.err;
}

TEST_F(DataloaderTest, WrongPasswordExits77WithoutShowingIt) {
  const auto result = run_dataloader(db, tmp, {"--places", shipped("places.csv"), "--people", shipped("people.csv")},
                                     {{"MYSQL_PASSWORD_FILE", std::nullopt}, {"MYSQL_PASSWORD", "Wr0ng-Pa55"}});
  EXPECT_EQ(result.exit_code, 77) << describe(result);
  EXPECT_EQ(result.err.find("Wr0ng-Pa55"), std::string::npos);
}

TEST_F(DataloaderTest, HeaderIsMappedByNameAndFormatVariantsLoad) {
  // Columns in another order, a BOM, CRLF line breaks, quoted fields with a
  // comma, a quote and a line break, multi-byte names, no final line break.
  const std::string people =
      "\xEF\xBB\xBF"
      "place_of_birth,date_of_birth,family_name,given_name\r\n"
      "Kelso,1990-01-01,\"O'Brien, Jr\",Γιώργος\r\n"
      "Crieff,1980-02-02,\"Say \"\"Hi\"\"\",\"Two\r\nLines\"\r\n"
      "Annan,1970-03-03,李,明";
  const auto result = load({"--places", shipped("places.csv"), "--people", file("people.csv", people)});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  const auto rows = db.session().query(
      "SELECT p.given_name, p.family_name, p.date_of_birth, pl.city, p.id FROM people p "
      "JOIN places pl ON pl.id = p.place_of_birth_id ORDER BY p.id");
  ASSERT_EQ(rows.rows.size(), 3u);
  EXPECT_EQ(rows.rows[0].at(0), "Γιώργος");
  EXPECT_EQ(rows.rows[0].at(1), "O'Brien, Jr");
  EXPECT_EQ(rows.rows[0].at(3), "Kelso");
  EXPECT_EQ(rows.rows[0].at(4), "2");  // id: the record's line
  EXPECT_EQ(rows.rows[1].at(0), "Two\r\nLines");
  EXPECT_EQ(rows.rows[1].at(1), "Say \"Hi\"");
  EXPECT_EQ(rows.rows[2].at(0), "明");
  EXPECT_EQ(rows.rows[2].at(2), "1970-03-03");
  EXPECT_EQ(rows.rows[2].at(4), "5");  // after a two-line record
}

TEST_F(DataloaderTest, ReportJsonDescribesTheRun) {
  const auto report = (tmp / "report.json").string();
  ASSERT_EQ(load_shipped({"--report-json", report}).exit_code, 0);
  const auto j = nlohmann::json::parse(read_file(report));
  EXPECT_EQ(j["status"], "succeeded");
  EXPECT_EQ(j["exit_code"], 0);
  EXPECT_EQ(j["mode"], "replace");
  EXPECT_EQ(j["people"]["read"], 10000);
  EXPECT_EQ(j["people"]["loaded"], 10000);
  EXPECT_EQ(j["places"]["loaded"], 114);
  EXPECT_EQ(j["people"]["bytes"], 343337);
  EXPECT_EQ(j["people"]["sha256"].get<std::string>().size(), 64u);
  EXPECT_TRUE(j["rejects_file"].is_null());
  EXPECT_EQ(j["run_id"], db.session().query_value("SELECT run_id FROM load_runs ORDER BY id DESC LIMIT 1"));
}

TEST_F(DataloaderTest, ReportJsonGoesToStandardOutputOrAFifoInPlace) {
  // In tmp: an old binary writes a file named "-" into its working directory.
  Process dash(dataloader_argv(tmp, shipped("people.csv"), {"--report-json", "-"}), db.env(), {.cwd = tmp.path()});
  const auto to_stdout = dash.wait();
  ASSERT_EQ(to_stdout.exit_code, 0) << describe(to_stdout);
  EXPECT_FALSE(std::filesystem::exists(tmp / "-")) << "wrote a file named -";
  const auto j = nlohmann::json::parse(to_stdout.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << "standard output is not just the report: " << to_stdout.out;
  EXPECT_EQ(j["status"], "succeeded");

  const auto fifo = tmp / "report.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  FifoReader reader(fifo);
  const auto to_fifo = load_shipped({"--report-json", fifo.string()});
  const std::string got = reader.finish();
  EXPECT_EQ(to_fifo.exit_code, 0) << describe(to_fifo);
  EXPECT_EQ(nlohmann::json::parse(got, nullptr, false)["status"], "succeeded") << got;
  EXPECT_TRUE(std::filesystem::is_fifo(std::filesystem::symlink_status(fifo))) << "the FIFO was replaced";
}

TEST_F(DataloaderTest, BadUsageExits64) {
  EXPECT_EQ(load({"--mode", "upsert"}).exit_code, 64);
  EXPECT_EQ(load({"--no-such-flag"}).exit_code, 64);
  const auto help = load({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("75  temporary failure"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace pipeline::testing

namespace pipeline::testing {
namespace {

TEST(DataloaderTlsTest, TheWholePipelineRunsOverRequiredTls) {
  TestDatabase db("tls");
  TempDir tmp;
  const char* ca = std::getenv("THROWAWAY_DB_TLS_CA");
  ASSERT_NE(ca, nullptr);
  const EnvOverrides tls = {{"MYSQL_HOST", "127.0.0.1"}, {"MYSQL_TLS_CA", ca}, {"MYSQL_TLS_REQUIRED", "1"}};
  const auto load =
      run_dataloader(db, tmp, {"--places", shipped("places.csv"), "--people", shipped("people.csv")}, tls);
  ASSERT_EQ(load.exit_code, 0) << describe(load);
  EXPECT_EQ(db.count("people"), 10000u);
  const auto summary = run_datasummarizer(db, tmp, {"--output", (tmp / "s.json").string()}, tls);
  ASSERT_EQ(summary.exit_code, 0) << describe(summary);
  EXPECT_EQ(read_file(tmp / "s.json"), read_file(shipped("sample_output.json")));
}

}  // namespace
}  // namespace pipeline::testing
