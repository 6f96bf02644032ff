#include "pipeline/db/lease_lock.hpp"

#include <unistd.h>

#include <array>
#include <optional>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/util/phase_log.hpp"

#include "pipeline/db/connect.hpp"
#include "pipeline/db/db_error.hpp"
#include "pipeline/db/lock_wait.hpp"
#include "pipeline/error.hpp"
#include "pipeline/util/interrupt.hpp"

namespace pipeline::db {
namespace {

constexpr int kDuplicateKey = 1062;  // ER_DUP_ENTRY
constexpr std::chrono::seconds kTryEvery{1};
// A renewal that fails (the row locked by our own publishing transaction,
// a slow node) is retried; the lock is lost when the lease would lapse
// within this margin.
constexpr std::chrono::seconds kMargin{5};

// The lock table: one row per held lock. A primary key, as Galera wants
// every table to have.
constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS load_locks ("
    "name VARCHAR(64) NOT NULL PRIMARY KEY, "
    "holder CHAR(32) NOT NULL, "
    "held_by VARCHAR(255) NOT NULL, "
    "expires_at DATETIME(6) NOT NULL"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

// The lease's clock: UTC, so that a node's time zone or a jump of daylight
// saving time neither ends a live lease nor stretches a dead one.
constexpr std::string_view kNow = "UTC_TIMESTAMP(6)";
// A new expiry, and the condition of a lease that still runs.
const std::string kLeaseSql = fmt::format("{} + INTERVAL {} SECOND", kNow, LeaseLock::kLease.count());
const std::string kRunning = fmt::format("expires_at > {}", kNow);
// How long the lock's own connection waits for a row lock: a renewal or a
// take that waits behind another transaction's hold on the row is retried
// rather than stalled for innodb_lock_wait_timeout's default 50 s.
constexpr std::string_view kRowWait = "SET SESSION innodb_lock_wait_timeout = 2";

std::string random_token() {
  std::random_device device;
  std::array<unsigned, 4> words{};
  for (unsigned& word : words) word = device();
  return fmt::format("{:08x}{:08x}{:08x}{:08x}", words[0], words[1], words[2], words[3]);
}

}  // namespace

std::string LeaseLock::held_sql(std::string_view name_sql) {
  return fmt::format("EXISTS (SELECT 1 FROM load_locks l WHERE l.name = {} AND l.{})", name_sql, kRunning);
}

LeaseLock::LeaseLock(const ConnectionOptions& options, std::string name, std::chrono::seconds wait,
                     const std::string& busy)
    : session_(connect_with_retry(options)), name_(std::move(name)), token_(random_token()) {
  session_.execute(kRowWait);
  if (session_.query_value("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                           "AND table_name = 'load_locks'") != "1") {
    session_.execute(kCreateTable);
  }
  const std::string held_by = holder_info();
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::optional<util::PhaseLog> waiting;
  while (!try_take(held_by)) {
    const auto holder = session_.query(
        fmt::format("SELECT held_by, GREATEST(0, TIMESTAMPDIFF(SECOND, {}, expires_at)) FROM load_locks WHERE name = ?",
                    kNow),
        {name_});
    const std::string who = holder.rows.empty()
                                ? "a loader that has just let it go"
                                : fmt::format("{} (its lease runs {} s more unless renewed)",
                                              holder.rows[0][0].value_or("?"), holder.rows[0][1].value_or("?"));
    if (std::chrono::steady_clock::now() >= deadline) {
      throw Error(ExitCode::kTempFail, fmt::format("{} (lock '{}' in load_locks is held by {})", busy, name_, who));
    }
    if (!waiting) {
      waiting.emplace(util::Phase::kWaitingForLock,
                      fmt::format("lock '{}' in load_locks, held by {}, for up to {} s", name_, who, wait.count()));
    }
    util::sleep_interruptibly(kTryEvery);
  }
  renewed_ = std::chrono::steady_clock::now();
  renewer_ = std::thread([this] { renew_loop(); });
}

LeaseLock::~LeaseLock() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (renewer_.joinable()) renewer_.join();
  try {
    session_.execute("DELETE FROM load_locks WHERE name = ? AND holder = ?", {name_, token_});
  } catch (const std::exception& e) {
    // The lease lapses by itself.
    spdlog::debug("releasing lock '{}': {}", name_, e.what());
  }
}

bool LeaseLock::try_take(const std::string& held_by) {
  try {
    session_.execute(fmt::format("DELETE FROM load_locks WHERE name = ? AND NOT {}", kRunning), {name_});
    session_.execute(
        fmt::format("INSERT INTO load_locks (name, holder, held_by, expires_at) VALUES (?, ?, ?, {})", kLeaseSql),
        {name_, token_, held_by});
    return true;
  } catch (const DbError& e) {
    // Held, taken by another node at the same moment (a certification
    // conflict), or its row held by the holder's transaction for a moment.
    if (e.error_number() == kDuplicateKey || e.error_number() == kDeadlock || e.error_number() == kLockWaitTimeout) {
      return false;
    }
    throw;
  }
}

std::string LeaseLock::holder_info() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  std::optional<std::string> node;
  try {
    node = session_.query_value("SELECT @@wsrep_node_name");
  } catch (const DbError&) {
    // MySQL has no such variable; the lock then works all the same.
  }
  return fmt::format("dataloader pid {} on {} through node {}", getpid(), host.data(), node.value_or("?"))
      .substr(0, 255);
}

void LeaseLock::renew() {
  try {
    // A lease that ran out stays out: another loader may have seen it free.
    if (session_.execute(fmt::format("UPDATE load_locks SET expires_at = {} WHERE name = ? AND holder = ? AND {}",
                                     kLeaseSql, kRunning),
                         {name_, token_}) == 0) {
      lost_ = true;
      lost_reason_ = "its lease in load_locks ran out or its row is gone: another loader may hold the lock";
      return;
    }
    renewed_ = std::chrono::steady_clock::now();
  } catch (const Error& e) {
    if (std::chrono::steady_clock::now() - renewed_ >= kLease - kMargin) {
      lost_ = true;
      lost_reason_ = fmt::format("its lease could not be renewed for {} s: {}", (kLease - kMargin).count(), e.what());
    } else {
      spdlog::debug("renewing lock '{}': {}", name_, e.what());
    }
  }
}

void LeaseLock::renew_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!lost_) {
    if (stop_.wait_for(lock, kRenewEvery, [this] { return stopping_; })) return;
    renew();
  }
  spdlog::error("this loader lost lock '{}': {}", name_, lost_reason_);
}

void LeaseLock::throw_lost() const {
  throw Error(ExitCode::kTempFail, fmt::format("this loader no longer holds lock '{}': {}", name_, lost_reason_));
}

void LeaseLock::check_held() {
  const std::lock_guard<std::mutex> lock(mutex_);
  if (!lost_) renew();
  if (lost_) throw_lost();
}

void LeaseLock::fence(Session& transaction) {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (lost_) throw_lost();
  }
  if (transaction.execute(fmt::format("UPDATE load_locks SET expires_at = {} WHERE name = ? AND holder = ? AND {}",
                                      kLeaseSql, kRunning),
                          {name_, token_}) != 1) {
    const std::lock_guard<std::mutex> lock(mutex_);
    lost_ = true;
    lost_reason_ = "its lease ran out before the publishing transaction could renew it";
    throw_lost();
  }
}

}  // namespace pipeline::db
