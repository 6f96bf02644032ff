#include "pipeline/load/load_lock.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/db/session.hpp"
#include "pipeline/error.hpp"

namespace pipeline::load {

std::string LoadLock::name_for(const std::string& database) {
  std::string name = "pipeline.dataloader." + database;
  if (name.size() > 64) name.resize(64);  // the servers' limit for lock names
  return name;
}

LoadLock::LoadLock(db::Session& session, const std::string& database, std::chrono::seconds wait)
    : session_(session), name_(name_for(database)) {
  if (wait.count() > 0) spdlog::info("waiting up to {} s for the load lock '{}'", wait.count(), name_);
  const auto got = session_.query_value("SELECT GET_LOCK(?, ?)", {name_, std::int64_t{wait.count()}});
  if (got == "1") return;
  const auto holder = session_.query_value("SELECT IS_USED_LOCK(?)", {name_});
  throw Error(ExitCode::kTempFail,
              fmt::format("another dataloader is loading database '{}' (server connection {} holds lock '{}'); "
                          "try again later, or pass --wait-lock SECONDS to wait for it",
                          database, holder.value_or("?"), name_));
}

LoadLock::~LoadLock() {
  try {
    session_.query_value("SELECT RELEASE_LOCK(?)", {name_});
  } catch (const std::exception& e) {
    spdlog::debug("releasing the load lock: {}", e.what());  // the connection is gone, and the lock with it
  }
}

}  // namespace pipeline::load
