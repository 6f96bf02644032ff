// Progress of a long read: a live line on stderr (rows, rows/s, percent of
// bytes, ETA) when stderr is a terminal, otherwise a log line every few
// seconds, so that cron logs show a run is alive.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace pipeline::load {

enum class ProgressMode {
  kAuto,    // live line on a terminal, periodic log lines otherwise
  kAlways,  // live line even when stderr is not a terminal
  kNever,   // nothing
};

class Progress {
 public:
  Progress(ProgressMode mode, std::string label, std::uint64_t total_bytes);

  // Shows `rows` and `bytes` done so far, at most every 200 ms on a terminal
  // and every 5 s in a log. Call it every 100 ms or so.
  void update(std::uint64_t rows, std::uint64_t bytes) {
    if (mode_ != ProgressMode::kNever) report(rows, bytes, false);
  }
  // Clears the live line.
  void finish();

 private:
  void report(std::uint64_t rows, std::uint64_t bytes, bool final);

  using Clock = std::chrono::steady_clock;
  ProgressMode mode_;
  bool live_;
  std::string label_;
  std::uint64_t total_bytes_;
  Clock::time_point start_;
  Clock::time_point last_;
  bool drawn_ = false;
};

}  // namespace pipeline::load
