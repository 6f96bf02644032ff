// The phases of a run as the log tells them: a line when each starts, then,
// for the slow ones, a heartbeat every 5 s until it ends, so that a log
// (cron's, a container's) shows a run that is alive, and what it waits on.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace pipeline::util {

enum class Phase {
  kReading,        // parsing a file, and streaming its rows to the stage
  kDeduplicating,  // append: dropping staged rows already stored
  kPublishing,     // making the staged rows live
  kWaitingForLock,
};

std::string_view to_string(Phase phase);

// How often a phase that is still running says so.
inline constexpr std::chrono::seconds kHeartbeatEvery{5};

// 1234567 as "1,234,567": the figures in log lines and progress.
std::string grouped(std::uint64_t n);

// Logs "<phase>: <what>" now and, every kHeartbeatEvery until destroyed,
// "still <phase> after N s: <what>". The heartbeat runs on a thread of its
// own, so a statement that blocks the caller's connection does not stop it.
class PhaseLog {
 public:
  PhaseLog(Phase phase, std::string what);
  ~PhaseLog();
  PhaseLog(const PhaseLog&) = delete;
  PhaseLog& operator=(const PhaseLog&) = delete;

 private:
  void beat();

  Phase phase_;
  std::string what_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

// Logs the start of a phase without a heartbeat: for one that reports its
// own progress (reading, through load/progress.hpp).
void log_phase_start(Phase phase, std::string_view what);

}  // namespace pipeline::util
