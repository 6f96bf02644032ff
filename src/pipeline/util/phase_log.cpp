#include "pipeline/util/phase_log.hpp"

#include <spdlog/spdlog.h>

namespace pipeline::util {

std::string_view to_string(Phase phase) {
  switch (phase) {
    case Phase::kReading:
      return "reading";
    case Phase::kDeduplicating:
      return "deduplicating";
    case Phase::kPublishing:
      return "publishing";
    case Phase::kWaitingForLock:
      return "waiting for a lock";
  }
  return "working";
}

std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (auto at = static_cast<std::ptrdiff_t>(digits.size()) - 3; at > 0; at -= 3) digits.insert(at, ",");
  return digits;
}

void log_phase_start(Phase phase, std::string_view what) { spdlog::info("{}: {}", to_string(phase), what); }

PhaseLog::PhaseLog(Phase phase, std::string what) : phase_(phase), what_(std::move(what)) {
  log_phase_start(phase_, what_);
  thread_ = std::thread([this] { beat(); });
}

PhaseLog::~PhaseLog() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void PhaseLog::beat() {
  const auto start = std::chrono::steady_clock::now();
  auto next = start + kHeartbeatEvery;
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_until(lock, next, [this] { return done_; })) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start);
    spdlog::info("still {} after {} s: {}", to_string(phase_), seconds.count(), what_);
    next += kHeartbeatEvery;
  }
}

}  // namespace pipeline::util
