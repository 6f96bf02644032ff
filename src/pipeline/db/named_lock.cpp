#include "pipeline/db/named_lock.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/util/phase_log.hpp"

#include "pipeline/db/lease_lock.hpp"
#include "pipeline/db/session.hpp"
#include "pipeline/error.hpp"
#include "pipeline/util/interrupt.hpp"
#include "pipeline/util/sha256.hpp"

namespace pipeline::db {
namespace {

constexpr std::chrono::seconds kWaitSlice{1};

}  // namespace

namespace lock_names {
namespace {

constexpr std::size_t kMaxLockName = 64;

// A short tag for a database, for names too short to hold its name: the
// first 8 hex digits of its SHA-256, as LEFT(SHA2(name, 256), 8) in SQL.
std::string database_tag(const std::string& database) {
  util::Sha256 sha;
  sha.update(database);
  return sha.hex_digest().substr(0, 8);
}

}  // namespace

std::string load(const std::string& database) {
  std::string name = "pipeline.dataloader." + database;
  if (name.size() <= kMaxLockName) return name;
  util::Sha256 sha;
  sha.update(database);
  const std::string hash = sha.hex_digest().substr(0, 16);
  name.resize(kMaxLockName - hash.size() - 1);
  return name.append(".").append(hash);
}

std::string shard(const std::string& database, const std::string& run_id, unsigned shard) {
  return fmt::format("dl.{}.shard.{}.{}", database_tag(database), run_id, shard);
}

std::string shard_sql(std::string_view table) {
  return fmt::format("CONCAT('dl.', LEFT(SHA2(DATABASE(), 256), 8), '.shard.', {0}.run_id, '.', {0}.shard)", table);
}

std::string setup(const std::string& database, const std::string& run_id) {
  return fmt::format("dl.{}.setup.{}", database_tag(database), run_id);
}

std::string direct(const std::string& database) { return fmt::format("dl.{}.direct", database_tag(database)); }

}  // namespace lock_names

NamedLock::NamedLock(Session& session, std::string name, std::chrono::seconds wait, const std::string& busy)
    : session_(session), name_(std::move(name)) {
  if (session_.galera()) {
    lease_ = std::make_unique<LeaseLock>(session_.options(), name_, wait, busy);
    return;
  }
  if (session_.query_value("SELECT GET_LOCK(?, 0)", {name_}) == "1") return;
  if (wait.count() > 0) {
    const auto holder = session_.query_value("SELECT IS_USED_LOCK(?)", {name_});
    const util::PhaseLog waiting(util::Phase::kWaitingForLock,
                                 fmt::format("lock '{}', held by server connection {}, for up to {} s", name_,
                                             holder.value_or("?"), wait.count()));
    // In slices, so that a signal stops the wait within one.
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < deadline) {
      util::check_interrupted();
      if (session_.query_value("SELECT GET_LOCK(?, ?)", {name_, std::int64_t{kWaitSlice.count()}}) == "1") return;
    }
  }
  const auto holder = session_.query_value("SELECT IS_USED_LOCK(?)", {name_});
  throw Error(ExitCode::kTempFail,
              fmt::format("{} (server connection {} holds lock '{}')", busy, holder.value_or("?"), name_));
}

NamedLock::~NamedLock() {
  if (lease_) return;  // its own destructor lets it go
  const InterruptibleStatements cleanup(session_, false);
  try {
    session_.query_value("SELECT RELEASE_LOCK(?)", {name_});
  } catch (const std::exception& e) {
    spdlog::debug("releasing lock '{}': {}", name_, e.what());  // the connection is gone, and the lock with it
  }
}

std::string NamedLock::held_sql(const Session& session, std::string_view name_sql) {
  if (session.galera()) return LeaseLock::held_sql(name_sql);
  return fmt::format("IS_USED_LOCK({}) IS NOT NULL", name_sql);
}

void NamedLock::fence(Session& transaction) const {
  if (lease_) {
    lease_->fence(transaction);
  } else {
    check_held();
  }
}

void NamedLock::check_held() const {
  if (lease_) {
    lease_->check_held();
    return;
  }
  std::optional<std::string> held;
  try {
    held = session_.query_value("SELECT IS_USED_LOCK(?) = CONNECTION_ID()", {name_});
  } catch (const Error& e) {
    util::check_interrupted();  // a signal's doing, not a lost connection
    throw Error(
        ExitCode::kTempFail,
        fmt::format("lost the server connection that holds lock '{}', and the lock with it: {}", name_, e.what()));
  }
  if (held != "1") {
    throw Error(ExitCode::kTempFail, fmt::format("this loader no longer holds lock '{}'", name_));
  }
}

}  // namespace pipeline::db
