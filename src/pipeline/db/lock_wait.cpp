#include "pipeline/db/lock_wait.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/db/session.hpp"
#include "pipeline/error.hpp"

namespace pipeline::db {

ShortLockWait::ShortLockWait(Session& session, std::chrono::seconds wait)
    : session_(session), previous_(session.query_value("SELECT @@SESSION.lock_wait_timeout").value_or("")) {
  session_.execute(fmt::format("SET SESSION lock_wait_timeout = {}", std::max<long long>(1, wait.count())));
}

ShortLockWait::~ShortLockWait() {
  if (previous_.empty() || previous_.find_first_not_of("0123456789") != std::string::npos) return;
  try {
    session_.execute("SET SESSION lock_wait_timeout = " + previous_);
  } catch (const std::exception& e) {
    spdlog::debug("restoring lock_wait_timeout: {}", e.what());
  }
}

}  // namespace pipeline::db
