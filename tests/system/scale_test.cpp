// Scaling out: --jobs (byte ranges of one file over several connections) and
// --shard (several processes, published together by the last one), against
// the real server. Results must equal a plain load; a failed shard must never
// be published.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "support/generate.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

// A people.csv with quoted records that span lines, so that byte ranges
// must split on record boundaries and count lines right, plus bad rows.
std::filesystem::path tricky_file(const TempDir& tmp, std::uint64_t rows) {
  const auto base = tmp / "base.csv";
  write_people(base, rows, 11);
  std::istringstream in(read_file(base));
  std::string out, line;
  std::getline(in, line);
  out += line + "\n";
  std::uint64_t i = 0;
  while (std::getline(in, line)) {
    ++i;
    if (i % 997 == 0) {
      out += "\"Multi\nLine " + std::to_string(i) + "\",\"O'Neil, \"\"Jr\"\"\",1950-01-01,Kelso\n";
    } else if (i % 4999 == 0) {
      out += "Bad,Date,1950-02-30,Kelso\n";
    } else {
      out += line + "\n";
    }
  }
  const auto path = tmp / "tricky.csv";
  write_file(path, out);
  return path;
}

TEST(ScaleTest, JobsGiveExactlyWhatOneJobGives) {
  TestDatabase db("jobs");
  TempDir tmp;
  const auto people = tricky_file(tmp, 120000);
  std::string expected_checksum, expected_rejects;
  for (const char* jobs : {"1", "2", "3", "5"}) {
    SCOPED_TRACE(std::string("--jobs ") + jobs);
    const auto rejects = tmp / (std::string("rejects-") + jobs + ".csv");
    const auto r =
        run(dataloader_argv(tmp, people, {"--jobs", jobs, "--max-rejects", "100", "--rejects", rejects.string()}),
            db.env());
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const std::string checksum = db.checksum("people") + "/" + db.checksum("places");
    const std::string listed = read_file(rejects);
    if (expected_checksum.empty()) {
      expected_checksum = checksum;
      expected_rejects = listed;
      // The bad rows are reported at their true physical lines, after the
      // multi-line records above them.
      EXPECT_NE(listed.find(",5005,date_of_birth,"), std::string::npos) << listed;  // 1 + 4999 + 5 two-line records
      continue;
    }
    EXPECT_EQ(checksum, expected_checksum);
    EXPECT_EQ(listed, expected_rejects) << "same rejects, same order, same line numbers";
  }
  EXPECT_EQ(db.count("people"), 120000u - 120000u / 4999);
}

TEST(ScaleTest, AppendWithJobsKeepsTheEarliestOfRepeatedRows) {
  TempDir tmp;
  // The same rows twice: every row of the second half repeats one of the first.
  write_people(tmp / "half.csv", 20000, 3);
  const std::string half = read_file(tmp / "half.csv");
  write_file(tmp / "twice.csv", half + half.substr(half.find('\n') + 1));
  std::string expected;
  for (const char* jobs : {"1", "4"}) {
    TestDatabase db("appendjobs");
    const auto r = run(dataloader_argv(tmp, tmp / "twice.csv", {"--mode", "append", "--jobs", jobs}), db.env());
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_EQ(db.session().query_value("SELECT MAX(id) <= 20001 FROM people"), "1") << "a later copy was kept";
    const std::string checksum = db.checksum("people");
    if (expected.empty()) {
      expected = checksum;
    } else {
      EXPECT_EQ(checksum, expected);
    }
  }
}

TEST(ScaleTest, ShardsTogetherGiveWhatOneLoadGives) {
  TempDir tmp;
  const auto people = tricky_file(tmp, 90000);
  std::string single;
  {
    TestDatabase db("single");
    ASSERT_EQ(run(dataloader_argv(tmp, people, {"--max-rejects", "100"}), db.env()).exit_code, 0);
    single = db.checksum("people") + "/" + db.checksum("places");
  }
  TestDatabase db("shards");
  std::vector<std::unique_ptr<Process>> shards;
  for (const char* shard : {"1/3", "2/3", "3/3"}) {
    shards.push_back(std::make_unique<Process>(
        dataloader_argv(tmp, people, {"--shard", shard, "--run-id", "three-shards", "--max-rejects", "100"}),
        db.env()));
  }
  for (auto& shard : shards) {
    const auto r = shard->wait();
    EXPECT_EQ(r.exit_code, 0) << describe(r);
  }
  EXPECT_EQ(db.checksum("people") + "/" + db.checksum("places"), single);
  const auto run_row = db.session().query(
      "SELECT status, shards, people_read, people_loaded, people_rejected FROM load_runs WHERE run_id = "
      "'three-shards'");
  EXPECT_EQ(run_row.rows.at(0).at(0), "succeeded");
  EXPECT_EQ(run_row.rows.at(0).at(1), "3");
  EXPECT_EQ(run_row.rows.at(0).at(2), "90000");
  EXPECT_EQ(run_row.rows.at(0).at(4), std::to_string(90000 / 4999));
  EXPECT_EQ(db.session().query_value(
                "SELECT COUNT(*) FROM load_shards WHERE run_id = 'three-shards' AND status = 'published'"),
            "3");
  EXPECT_EQ(db.session().query_value("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                                     "AND table_name LIKE '%\\_\\_%'"),
            "0");
}

class ShardKilledTest : public ::testing::Test {
 protected:
  ShardKilledTest() : db("shardkill") {
    EXPECT_EQ(run_dataloader(db, tmp, {"--places", shipped("places.csv"), "--people", shipped("people.csv")}).exit_code,
              0);
    before = db.checksum("people") + "/" + db.checksum("places");
    write_people(tmp / "big.csv", 30000, 5);
  }

  // Starts shard 2/2 and SIGKILLs it while it runs.
  void start_and_kill_shard_two() {
    ASSERT_TRUE(start_and_kill_shard(dataloader_argv(tmp, tmp / "big.csv", {"--shard", "2/2", "--run-id", run_id}),
                                     db.env(), db.session(), run_id));
  }

  std::string summary() {
    const auto r = run_datasummarizer(db, tmp, {"--output", (tmp / "s.json").string()});
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    return read_file(tmp / "s.json");
  }

  TestDatabase db;
  TempDir tmp;
  std::string before;
  const std::string run_id = "killed-shard";
};

TEST_F(ShardKilledTest, TheRunIsNeverPublishedAndTheOtherShardSaysSo) {
  start_and_kill_shard_two();
  EXPECT_EQ(summary(), read_file(shipped("sample_output.json"))) << "readers see the old data";
  const auto first = run(dataloader_argv(tmp, tmp / "big.csv", {"--shard", "1/2", "--run-id", run_id}), db.env());
  EXPECT_EQ(first.exit_code, 75) << describe(first);
  EXPECT_NE(first.err.find("shard 2 died while loading"), std::string::npos) << first.err;
  EXPECT_EQ(db.checksum("people") + "/" + db.checksum("places"), before);
  EXPECT_EQ(summary(), read_file(shipped("sample_output.json")));
  EXPECT_EQ(db.session().query_value("SELECT status FROM load_runs WHERE run_id = ?", {run_id}), "failed");
  EXPECT_EQ(db.session().query_value("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                                     "AND table_name LIKE '%\\_\\_%'"),
            "0")
      << "the failed run's tables were left behind";
}

TEST_F(ShardKilledTest, CleanupDropsARunThatWillNeverFinish) {
  start_and_kill_shard_two();
  EXPECT_EQ(db.session().query_value("SELECT status FROM load_runs WHERE run_id = ?", {run_id}), "running");
  const auto cleanup = run_dataloader(db, tmp, {"--cleanup", run_id});
  EXPECT_EQ(cleanup.exit_code, 0) << describe(cleanup);
  EXPECT_EQ(db.session().query_value("SELECT status FROM load_runs WHERE run_id = ?", {run_id}), "abandoned");
  EXPECT_EQ(db.session().query_value("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                                     "AND table_name LIKE '%\\_\\_%'"),
            "0");
  EXPECT_EQ(db.checksum("people") + "/" + db.checksum("places"), before);
  // An abandoned run cannot be resumed: its shards are refused.
  const auto late = run(dataloader_argv(tmp, tmp / "big.csv", {"--shard", "1/2", "--run-id", run_id}), db.env());
  EXPECT_EQ(late.exit_code, 64) << describe(late);
  EXPECT_NE(late.err.find("is already over"), std::string::npos) << late.err;
  // Nor can a published run be "cleaned up".
  ASSERT_EQ(
      run_dataloader(
          db, tmp, {"--places", shipped("places.csv"), "--people", shipped("people.csv"), "--run-id", "published-run"})
          .exit_code,
      0);
  EXPECT_EQ(run_dataloader(db, tmp, {"--cleanup", "published-run"}).exit_code, 64);
}

TEST(ScaleTest, ARejectedShardRejectsTheWholeRun) {
  TestDatabase db("shardreject");
  TempDir tmp;
  ASSERT_EQ(run_dataloader(db, tmp, {"--places", shipped("places.csv"), "--people", shipped("people.csv")}).exit_code,
            0);
  const auto before = db.checksum("people");
  const auto people = tricky_file(tmp, 30000);  // has bad dates; --max-rejects 0
  const auto one = run(dataloader_argv(tmp, people, {"--shard", "1/2", "--run-id", "rejected-run"}), db.env());
  const auto two = run(dataloader_argv(tmp, people, {"--shard", "2/2", "--run-id", "rejected-run"}), db.env());
  EXPECT_EQ(one.exit_code, 65) << describe(one);
  EXPECT_EQ(two.exit_code, 65) << describe(two);
  EXPECT_EQ(db.checksum("people"), before);
  EXPECT_EQ(db.session().query_value("SELECT status FROM load_runs WHERE run_id = 'rejected-run'"), "rejected");
}

TEST(ScaleTest, ShardsMustAgreeOnTheirSettings) {
  TestDatabase db("shardsettings");
  TempDir tmp;
  EXPECT_EQ(run_dataloader(db, tmp, {"--shard", "1/2"}).exit_code, 64) << "--shard without --run-id";
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv"), {"--shard", "1/2", "--run-id", "r1"}), db.env()).exit_code,
            0);
  const auto wrong_mode = run(
      dataloader_argv(tmp, shipped("people.csv"), {"--shard", "2/2", "--run-id", "r1", "--mode", "append"}), db.env());
  EXPECT_EQ(wrong_mode.exit_code, 64) << describe(wrong_mode);
  const auto wrong_count =
      run(dataloader_argv(tmp, shipped("people.csv"), {"--shard", "2/3", "--run-id", "r1"}), db.env());
  EXPECT_EQ(wrong_count.exit_code, 64) << describe(wrong_count);
  const auto twice = run(dataloader_argv(tmp, shipped("people.csv"), {"--shard", "1/2", "--run-id", "r1"}), db.env());
  EXPECT_EQ(twice.exit_code, 64) << describe(twice);
  EXPECT_EQ(run_dataloader(db, tmp, {"--shard", "3/2", "--run-id", "r1"}).exit_code, 64);
  const auto last = run(dataloader_argv(tmp, shipped("people.csv"), {"--shard", "2/2", "--run-id", "r1"}), db.env());
  EXPECT_EQ(last.exit_code, 0) << describe(last);
  EXPECT_EQ(db.count("people"), 10000u);
}

// Loads `people` plainly, with --jobs 3 and 5, and as two shards, into fresh
// databases, and expects the same tables and the same rejects every time.
void expect_every_split_alike(const TempDir& tmp, const std::filesystem::path& people, const std::string& name) {
  auto load = [&](const std::string& how, const std::vector<std::vector<std::string>>& runs) {
    TestDatabase db("split");
    std::string rejects;
    for (std::size_t k = 0; k < runs.size(); ++k) {
      const auto file = tmp / (name + "-" + how + "-" + std::to_string(k) + ".csv");
      std::vector<std::string> args = {"--max-rejects", "1000000", "--rejects", file.string()};
      args.insert(args.end(), runs[k].begin(), runs[k].end());
      const auto r = run(dataloader_argv(tmp, people, args), db.env());
      EXPECT_EQ(r.exit_code, 0) << how << "\n" << describe(r);
      const std::string listed = read_file(file);
      rejects += k == 0 ? listed : listed.substr(listed.find('\n') + 1);  // one header
    }
    return db.checksum("people") + "/" + db.checksum("places") + "\n" + rejects;
  };
  const std::string plain = load("plain", {{}});
  EXPECT_EQ(load("jobs3", {{"--jobs", "3"}}), plain) << name << ": --jobs 3 differs from a plain load";
  EXPECT_EQ(load("jobs5", {{"--jobs", "5"}}), plain) << name << ": --jobs 5 differs from a plain load";
  EXPECT_EQ(load("shards", {{"--shard", "1/2", "--run-id", "split"}, {"--shard", "2/2", "--run-id", "split"}}), plain)
      << name << ": two shards differ from a plain load";
}

TEST(ScaleTest, AnUnterminatedQuoteBeforeAMultiLineRecordSplitsLikeAPlainLoad) {
  TempDir tmp;
  std::string text = "given_name,family_name,date_of_birth,place_of_birth\n";
  for (int i = 0; i < 1000; ++i) text += "A" + std::to_string(i) + ",B,1990-01-01,Kelso\n";
  text += "X,\"Y,1990-01-01,Kelso\n";
  for (int i = 0; i < 300; ++i) text += "C" + std::to_string(i) + ",D,1990-01-01,Kelso\n";
  text += "\"Ann\nMarie\",Smith,1990-01-01,Kelso\n";
  for (int i = 0; i < 1000; ++i) text += "E" + std::to_string(i) + ",F,1990-01-01,Kelso\n";
  write_file(tmp / "quotes.csv", text);
  expect_every_split_alike(tmp, tmp / "quotes.csv", "quotes");
  TestDatabase db("annmarie");
  ASSERT_EQ(run(dataloader_argv(tmp, tmp / "quotes.csv", {"--jobs", "2", "--max-rejects", "1"}), db.env()).exit_code,
            0);
  EXPECT_EQ(db.session().query_value("SELECT COUNT(*) FROM people WHERE given_name = 'Ann\nMarie'"), "1");
}

// Random files with every kind of record the reader handles: any split must
// give the tables and rejects of a plain load.
TEST(ScaleTest, RandomFilesSplitLikeAPlainLoad) {
  TempDir tmp;
  const std::vector<std::string> fragments = {
      "Ann,Smith,1990-01-01,Kelso\n",
      "\"Multi\nLine\",\"O'Neil, \"\"Jr\"\"\",1950-01-01,Kelso\n",
      "\"Three\r\nline\nname\",Roe,1960-03-03,Wishaw\n",
      "X,\"Y,1990-01-01,Kelso\n",            // unterminated quote
      "Bad\"quote,Z,1990-01-01,Kelso\n",     // quote inside an unquoted field
      "\"Text\"after,Z,1990-01-01,Kelso\n",  // text after a closing quote
      "Cr\ronly,Z,1990-01-01,Kelso\n",       // bare CR
      "Bad,Date,1950-02-30,Kelso\n",
      "Too,Few,1990-01-01\n",
      "\n",
      "Crlf,Row,1970-07-07,Aberdeen\r\n",
  };
  for (unsigned seed = 1; seed <= 4; ++seed) {
    std::mt19937 random(seed);
    // Quotes are rare, so that a quote left open spans many lines, where a
    // split point may fall.
    std::discrete_distribution<std::size_t> pick({400, 2, 2, 2, 2, 2, 1, 3, 2, 2, 6});
    std::string text = "given_name,family_name,date_of_birth,place_of_birth\n";
    for (int i = 0; i < 4000; ++i) text += fragments[pick(random)];
    const std::string name = "random" + std::to_string(seed);
    write_file(tmp / (name + ".csv"), text);
    SCOPED_TRACE("seed " + std::to_string(seed));
    expect_every_split_alike(tmp, tmp / (name + ".csv"), name);
  }
}

}  // namespace
}  // namespace pipeline::testing
