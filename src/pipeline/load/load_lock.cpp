#include "pipeline/load/load_lock.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/db/session.hpp"
#include "pipeline/error.hpp"

namespace pipeline::load {

std::string NamedLock::load_lock_name(const std::string& database) {
  std::string name = "pipeline.dataloader." + database;
  if (name.size() > 64) name.resize(64);  // the servers' limit for lock names
  return name;
}

NamedLock::NamedLock(db::Session& session, std::string name, std::chrono::seconds wait, const std::string& busy)
    : session_(session), name_(std::move(name)) {
  if (wait.count() > 0) spdlog::info("waiting up to {} s for lock '{}'", wait.count(), name_);
  const auto got = session_.query_value("SELECT GET_LOCK(?, ?)", {name_, std::int64_t{wait.count()}});
  if (got == "1") return;
  const auto holder = session_.query_value("SELECT IS_USED_LOCK(?)", {name_});
  throw Error(ExitCode::kTempFail,
              fmt::format("{} (server connection {} holds lock '{}')", busy, holder.value_or("?"), name_));
}

NamedLock::~NamedLock() {
  try {
    session_.query_value("SELECT RELEASE_LOCK(?)", {name_});
  } catch (const std::exception& e) {
    spdlog::debug("releasing lock '{}': {}", name_, e.what());  // the connection is gone, and the lock with it
  }
}

}  // namespace pipeline::load
