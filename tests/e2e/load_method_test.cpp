// --load-method insert against LOAD DATA LOCAL on the throwaway server (which
// has local_infile=ON): the same tables, rejects and ledger counts, in
// replace and append, with --jobs and --streams. Two databases, one per
// path, given the same runs.
#include <gtest/gtest.h>

#include "support/generate.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

constexpr const char* kCounts =
    "SELECT status, people_read, people_loaded, people_duplicate, people_rejected, places_loaded FROM load_runs "
    "ORDER BY id DESC LIMIT 1";

struct Path {
  TestDatabase db;
  std::string method;
};

TEST(InsertPathTest, GivesTheTablesRejectsAndCountsOfLoadData) {
  TempDir tmp;
  write_people(tmp / "people.csv", 30000, 11);
  {
    // Bad rows among the good, and rows repeated (append skips them).
    std::string text = read_file(tmp / "people.csv");
    const std::string body = text.substr(text.find('\n') + 1);
    text += "Ann,Smith,1990-02-30,Kelso\n\"Quote \"inside\",X,1990-01-01,Kelso\nO'Brien,Back\\slash,1980-05-05,Kelso\n";
    text += body.substr(0, body.size() / 3);
    write_file(tmp / "people.csv", text);
  }
  write_people(tmp / "more.csv", 5000, 12);

  Path paths[] = {{TestDatabase("ld"), "load-data"}, {TestDatabase("ins"), "insert"}};
  const std::vector<std::vector<std::string>> runs = {
      {"--mode", "replace", "--people", (tmp / "people.csv").string(), "--max-rejects", "10"},
      {"--mode", "append", "--people", (tmp / "people.csv").string(), "--max-rejects", "10", "--jobs", "2"},
      {"--mode", "append", "--people", (tmp / "more.csv").string(), "--streams", "3"},
  };
  for (std::size_t r = 0; r < runs.size(); ++r) {
    SCOPED_TRACE("run " + std::to_string(r));
    std::vector<std::vector<std::optional<std::string>>> counts;
    std::vector<std::string> checksums, rejects;
    for (Path& path : paths) {
      SCOPED_TRACE(path.method);
      TempDir logs;
      std::vector<std::string> args = runs[r];
      args.insert(args.end(), {"--places", shipped("places.csv"), "--rejects", (logs / "rejects.csv").string()});
      // The insert path is chosen through the environment, load-data by the flag.
      EnvOverrides env;
      if (path.method == "insert") {
        env["DATALOADER_LOAD_METHOD"] = "insert";
      } else {
        args.insert(args.end(), {"--load-method", "load-data"});
      }
      const auto result = run_dataloader(path.db, logs, args, env);
      ASSERT_EQ(result.exit_code, 0) << describe(result);
      const std::string said = path.method == "insert" ? "loading with INSERT: --load-method insert"
                                                       : "loading with LOAD DATA LOCAL: --load-method load-data";
      EXPECT_NE(result.err.find(said), std::string::npos) << result.err;
      counts.push_back(path.db.session().query(kCounts).rows.at(0));
      checksums.push_back(path.db.checksum("people") + "/" + path.db.checksum("places"));
      rejects.push_back(std::filesystem::exists(logs / "rejects.csv") ? read_file(logs / "rejects.csv") : "");
    }
    EXPECT_EQ(counts[0], counts[1]);
    EXPECT_EQ(checksums[0], checksums[1]);
    EXPECT_EQ(rejects[0], rejects[1]);
    EXPECT_EQ(counts[0].at(0), "succeeded");
  }
  // The append of the same file skipped every row already stored.
  EXPECT_EQ(paths[1].db.session().query_value("SELECT people_loaded FROM load_runs ORDER BY id LIMIT 1 OFFSET 1"), "0");
}

}  // namespace
}  // namespace pipeline::testing
