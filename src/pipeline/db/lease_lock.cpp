#include "pipeline/db/lease_lock.hpp"

#include <unistd.h>

#include <array>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/db/connect.hpp"
#include "pipeline/db/db_error.hpp"
#include "pipeline/error.hpp"
#include "pipeline/util/interrupt.hpp"

namespace pipeline::db {
namespace {

constexpr int kDuplicateKey = 1062;   // ER_DUP_ENTRY
constexpr int kDeadlock = 1213;       // ER_LOCK_DEADLOCK: a certification conflict
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

const std::string kLeaseSql = fmt::format("NOW(6) + INTERVAL {} SECOND", LeaseLock::kLease.count());

std::string random_token() {
  std::random_device device;
  std::array<unsigned, 4> words{};
  for (unsigned& word : words) word = device();
  return fmt::format("{:08x}{:08x}{:08x}{:08x}", words[0], words[1], words[2], words[3]);
}

}  // namespace

std::string LeaseLock::held_sql(std::string_view name_sql) {
  return fmt::format("EXISTS (SELECT 1 FROM load_locks l WHERE l.name = {} AND l.expires_at > NOW(6))", name_sql);
}

LeaseLock::LeaseLock(const ConnectionOptions& options, std::string name, std::chrono::seconds wait,
                     const std::string& busy)
    : session_(connect_with_retry(options)), name_(std::move(name)), token_(random_token()) {
  if (session_.query_value("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                           "AND table_name = 'load_locks'") != "1") {
    session_.execute(kCreateTable);
  }
  const std::string held_by = holder_info();
  const auto deadline = std::chrono::steady_clock::now() + wait;
  bool waiting = false;
  while (!try_take(held_by)) {
    const auto holder = session_.query(
        "SELECT held_by, GREATEST(0, TIMESTAMPDIFF(SECOND, NOW(6), expires_at)) FROM load_locks WHERE name = ?",
        {name_});
    const std::string who = holder.rows.empty()
                                ? "a loader that has just let it go"
                                : fmt::format("{} (its lease runs {} s more unless renewed)",
                                              holder.rows[0][0].value_or("?"), holder.rows[0][1].value_or("?"));
    if (std::chrono::steady_clock::now() >= deadline) {
      throw Error(ExitCode::kTempFail, fmt::format("{} (lock '{}' in load_locks is held by {})", busy, name_, who));
    }
    if (!waiting) {
      spdlog::info("waiting up to {} s for lock '{}' in load_locks, held by {}", wait.count(), name_, who);
      waiting = true;
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
  session_.execute("DELETE FROM load_locks WHERE name = ? AND expires_at < NOW(6)", {name_});
  try {
    session_.execute(
        fmt::format("INSERT INTO load_locks (name, holder, held_by, expires_at) VALUES (?, ?, ?, {})", kLeaseSql),
        {name_, token_, held_by});
    return true;
  } catch (const DbError& e) {
    if (e.error_number() == kDuplicateKey || e.error_number() == kDeadlock) return false;
    throw;
  }
}

std::string LeaseLock::holder_info() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  const auto node = session_.query_value("SELECT @@wsrep_node_name");
  return fmt::format("dataloader pid {} on {} through node {}", getpid(), host.data(), node.value_or("?"))
      .substr(0, 255);
}

void LeaseLock::renew() {
  try {
    if (session_.execute(fmt::format("UPDATE load_locks SET expires_at = {} WHERE name = ? AND holder = ?", kLeaseSql),
                         {name_, token_}) == 0) {
      lost_ = true;
      lost_reason_ = "its row in load_locks is gone: the lease ran out, and another loader may hold the lock";
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
  if (transaction.execute(
          fmt::format("UPDATE load_locks SET expires_at = {} WHERE name = ? AND holder = ? AND expires_at > NOW(6)",
                      kLeaseSql),
          {name_, token_}) != 1) {
    const std::lock_guard<std::mutex> lock(mutex_);
    lost_ = true;
    lost_reason_ = "its lease ran out before the publishing transaction could renew it";
    throw_lost();
  }
}

}  // namespace pipeline::db
