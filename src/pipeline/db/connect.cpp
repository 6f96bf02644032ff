#include "pipeline/db/connect.hpp"

#include <algorithm>
#include <optional>

#include <fmt/chrono.h>
#include <spdlog/spdlog.h>

#include "pipeline/db/db_error.hpp"
#include "pipeline/util/interrupt.hpp"

namespace pipeline::db {

void retry_connect(const ConnectionOptions& options, const std::function<void()>& attempt) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + options.connect_timeout;
  std::chrono::milliseconds backoff{250};
  constexpr std::chrono::milliseconds kMaxBackoff{8000};
  for (int tries = 1;; ++tries) {
    try {
      attempt();
      if (tries > 1) spdlog::info("connected to {} on attempt {}", options.describe(), tries);
      return;
    } catch (const DbError& e) {
      if (!e.transient()) throw;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= std::chrono::milliseconds::zero()) {
        throw Error(ExitCode::kTempFail,
                    fmt::format("database unreachable: gave up after {} attempts in {} (--connect-timeout); "
                                "last error: {}",
                                tries, options.connect_timeout, e.what()));
      }
      const auto wait = std::min(backoff, left);
      spdlog::warn("connect attempt {} failed, retrying in {}: {}", tries, wait, e.what());
      util::sleep_interruptibly(wait);
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }
}

Session connect_with_retry(const ConnectionOptions& options) {
  std::optional<Session> session;
  retry_connect(options, [&] { session.emplace(options); });
  return std::move(*session);
}

}  // namespace pipeline::db
