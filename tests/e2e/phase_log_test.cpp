// A run's log tells every phase, and a slow phase says it is alive every
// 5 s: a waiting loader and a publish held up by a reader are held by a lock
// the test owns, never by a guess at the machine's speed.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "pipeline/db/named_lock.hpp"
#include "support/held_input.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

std::string log_text(const TempDir& tmp) {
  const auto path = tmp / "logs" / "dataloader.log";
  return std::filesystem::exists(path) ? read_file(path) : "";
}

TEST(PhaseLogTest, ALoaderWaitingForTheLockSaysSoEveryFiveSeconds) {
  TestDatabase db("phaselock");
  TempDir tmp;
  db::Session holder(db.options());
  const std::string name = db::lock_names::load(db.name());
  ASSERT_EQ(holder.query_value("SELECT GET_LOCK(?, 0)", {name}), "1");
  Process waiting(dataloader_argv(tmp, shipped("people.csv"), {"--wait-lock", "120"}), db.env());
  EXPECT_TRUE(eventually([&] { return log_text(tmp).find("still waiting for a lock after") != std::string::npos; },
                         std::chrono::seconds(90)))
      << log_text(tmp);
  holder.query_value("SELECT RELEASE_LOCK(?)", {name});
  const auto waited = waiting.wait();
  ASSERT_EQ(waited.exit_code, 0) << describe(waited);
  EXPECT_NE(waited.err.find("still waiting for a lock after 5 s: lock '" + name + "'"), std::string::npos)
      << waited.err;
}

TEST(PhaseLogTest, EveryPhaseStartsWithALineAndAHeldPublishBeats) {
  TestDatabase db("phasepub");
  TempDir tmp;
  const auto first = run(dataloader_argv(tmp, shipped("people.csv")), db.env());
  ASSERT_EQ(first.exit_code, 0) << describe(first);
  for (const char* line : {"reading: ", "publishing: run "}) {
    EXPECT_NE(first.err.find(line), std::string::npos) << line << "\n" << first.err;
  }
  std::filesystem::remove(tmp / "logs" / "dataloader.log");

  // A reader in a transaction holds the live tables' metadata lock: the
  // replace's RENAME waits for it, up to --publish-timeout.
  db::Session reader(db.options());
  reader.execute("START TRANSACTION");
  reader.query("SELECT COUNT(*) FROM people");
  Process publishing(dataloader_argv(tmp, shipped("people.csv"), {"--publish-timeout", "300"}), db.env());
  EXPECT_TRUE(eventually([&] { return log_text(tmp).find("still publishing after") != std::string::npos; },
                         std::chrono::seconds(120)))
      << log_text(tmp);
  reader.execute("COMMIT");
  const auto published = publishing.wait();
  ASSERT_EQ(published.exit_code, 0) << describe(published);
  EXPECT_NE(published.err.find("still publishing after 5 s: run "), std::string::npos) << published.err;

  const auto append = run(dataloader_argv(tmp, shipped("people.csv"), {"--mode", "append"}), db.env());
  ASSERT_EQ(append.exit_code, 0) << describe(append);
  EXPECT_NE(append.err.find("deduplicating: 10,000 staged people"), std::string::npos) << append.err;
  EXPECT_NE(append.err.find("  people:      10,000 read           0 loaded      10,000 duplicate"), std::string::npos)
      << append.err;
}

}  // namespace
}  // namespace pipeline::testing
