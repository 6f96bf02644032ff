#include "pipeline/load/progress.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/util/log_text.hpp"
#include "pipeline/util/phase_log.hpp"

namespace pipeline::load {
namespace {

constexpr auto kLiveInterval = std::chrono::milliseconds(200);

std::string duration_text(double seconds) {
  const auto total = static_cast<long long>(seconds + 0.5);
  return fmt::format("{}:{:02}:{:02}", total / 3600, (total / 60) % 60, total % 60);
}

}  // namespace

Progress::Progress(ProgressMode mode, std::string label, std::uint64_t total_bytes)
    : mode_(mode),
      live_(mode == ProgressMode::kAlways || (mode == ProgressMode::kAuto && ::isatty(STDERR_FILENO) == 1)),
      label_(std::move(label)),
      total_bytes_(total_bytes),
      start_(Clock::now()),
      last_(start_) {}

void Progress::report(std::uint64_t rows, std::uint64_t bytes, bool final) {
  const Clock::time_point now = Clock::now();
  if (!final && now - last_ < (live_ ? Clock::duration(kLiveInterval) : Clock::duration(util::kHeartbeatEvery))) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(rows) / elapsed : 0.0;
  std::string text = fmt::format("{}: {} rows, {} rows/s", label_, util::grouped(rows),
                                 util::grouped(static_cast<std::uint64_t>(rate + 0.5)));
  const double fraction = total_bytes_ > 0 ? static_cast<double>(bytes) / static_cast<double>(total_bytes_) : 0.0;
  if (total_bytes_ > 0) text += fmt::format(", {:.0f}%", fraction * 100);
  text += ", " + duration_text(elapsed) + " elapsed";
  // Before 1% and 2 s the rate is mostly start-up: no ETA yet.
  if (total_bytes_ > 0 && fraction > 0.01 && elapsed >= 2 && !final) {
    text += ", ETA " + duration_text(elapsed / fraction - elapsed);
  }
  if (live_) {
    // The label is a file name: escaped here as the logger escapes log lines.
    std::fprintf(stderr, "\r\033[K%s", util::escape_log_text(text).c_str());
    std::fflush(stderr);
    drawn_ = true;
  } else if (!final) {
    spdlog::info("progress {}", text);
  }
}

void Progress::finish() {
  if (mode_ == ProgressMode::kNever) return;
  if (drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
}

}  // namespace pipeline::load
