#include "pipeline/load/cutover.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/db/db_error.hpp"
#include "pipeline/db/lock_wait.hpp"
#include "pipeline/db/session.hpp"
#include "pipeline/error.hpp"
#include "pipeline/util/interrupt.hpp"

namespace pipeline::load {
namespace {

constexpr auto kLogEvery = std::chrono::seconds(10);

// The first of `queries` that this user may run and that finds anyone,
// formatted by `line` one row each; empty if none does.
std::string first_answer(db::Session& session, const std::vector<std::string_view>& queries) {
  for (std::string_view sql : queries) {
    try {
      const db::ResultTable rows = session.query(sql);
      if (rows.rows.empty()) continue;
      std::string text;
      for (const auto& row : rows.rows) {
        if (!text.empty()) text += ", ";
        text += fmt::format("connection {} ({}@{}, {} for {} s)", row.at(0).value_or("?"), row.at(1).value_or("?"),
                            row.at(2).value_or("?"), row.at(3).value_or("?"), row.at(4).value_or("?"));
      }
      return text;
    } catch (const Error& e) {
      spdlog::debug("finding who holds the tables: {}", e.what());
    }
  }
  return "";
}

}  // namespace

std::string describe_blockers(db::Session& session) {
  // Exact where the server tells (MySQL 8's performance_schema), then the
  // open transactions (InnoDB, with PROCESS), then the idle connections this
  // user can see, any of which may hold a transaction open.
  const std::string exact = first_answer(
      session, {"SELECT t.processlist_id, t.processlist_user, t.processlist_host, 'holding the tables', "
                "t.processlist_time FROM performance_schema.metadata_locks m JOIN performance_schema.threads t "
                "ON t.thread_id = m.owner_thread_id WHERE m.object_schema = DATABASE() "
                "AND m.object_name IN ('people', 'places') AND m.lock_status = 'GRANTED' "
                "AND t.processlist_id <> CONNECTION_ID() GROUP BY t.processlist_id, t.processlist_user, "
                "t.processlist_host, t.processlist_time LIMIT 5",
                "SELECT t.trx_mysql_thread_id, p.user, p.host, 'in a transaction', "
                "TIMESTAMPDIFF(SECOND, t.trx_started, NOW()) FROM information_schema.innodb_trx t "
                "LEFT JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id "
                "WHERE t.trx_mysql_thread_id <> CONNECTION_ID() ORDER BY t.trx_started LIMIT 5"});
  if (!exact.empty()) return exact;
  const std::string idle =
      first_answer(session, {"SELECT id, user, host, 'idle', time FROM information_schema.processlist "
                             "WHERE id <> CONNECTION_ID() AND command = 'Sleep' ORDER BY time DESC LIMIT 5"});
  if (idle.empty()) return "a connection this user cannot see (grant PROCESS to see who)";
  return "perhaps one of " + idle + ", idle in an open transaction";
}

void cut_over(db::Session& session, std::string_view rename_sql, const CutoverTiming& timing) {
  const db::ShortLockWait short_wait(session, timing.attempt);
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + timing.total;
  Clock::time_point logged{};
  std::chrono::milliseconds pause = timing.first_pause;
  for (int attempt = 1;; ++attempt) {
    util::check_interrupted();
    try {
      session.execute(rename_sql);
      if (attempt > 1) spdlog::info("got the tables on attempt {}", attempt);
      return;
    } catch (const db::DbError& e) {
      if (e.error_number() != db::kLockWaitTimeout) throw;
    }
    const std::string blockers = describe_blockers(session);
    const Clock::time_point now = Clock::now();
    if (now + pause >= deadline) {
      throw Error(ExitCode::kTempFail,
                  fmt::format("could not publish within --publish-timeout {} s: people and places stayed in use by "
                              "{}; nothing was changed. End that transaction, or try again later",
                              timing.total.count(), blockers));
    }
    if (attempt == 1 || now - logged >= kLogEvery) {
      logged = now;
      spdlog::warn(
          "publishing waits for people and places, held open by {}; retrying for up to {} s more, {} s at a time, "
          "so that other readers wait no longer than that",
          blockers, std::chrono::duration_cast<std::chrono::seconds>(deadline - now).count(), timing.attempt.count());
    }
    util::sleep_interruptibly(pause);
    pause = std::min(pause * 2, timing.max_pause);
  }
}

}  // namespace pipeline::load
