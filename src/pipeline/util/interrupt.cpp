#include "pipeline/util/interrupt.hpp"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace pipeline::util {
namespace {

constexpr auto kCancelEvery = std::chrono::milliseconds(500);
constexpr auto kPollEvery = std::chrono::milliseconds(50);

std::atomic<int> g_signal{0};

// Never destroyed: the signal threads outlive main's return.
struct Cancellers {
  std::mutex mutex;
  // Only for its timed wait between two rounds of cancelling.
  std::condition_variable pause;
  // GUARDED_BY(mutex); a canceller runs only while holding it.
  std::vector<const std::function<void()>*> live;
};
Cancellers& cancellers() {
  static auto* state = new Cancellers;
  return *state;
}

const char* name_of(int signal_number) { return signal_number == SIGINT ? "SIGINT" : "SIGTERM"; }

// Calls the live cancellers now and every kCancelEvery until the process ends.
void cancel_forever() {
  Cancellers& c = cancellers();
  std::unique_lock lock(c.mutex);
  for (;;) {
    for (const auto* cancel : c.live) {
      try {
        (*cancel)();
      } catch (const std::exception& e) {
        spdlog::debug("cancelling a call after the signal: {}", e.what());
      }
    }
    c.pause.wait_for(lock, kCancelEvery);
  }
}

void take_signals(sigset_t set) {
  int first = 0;
  while (sigwait(&set, &first) != 0 || (first != SIGINT && first != SIGTERM)) {
  }
  g_signal.store(first);
  spdlog::warn("received {}: stopping and cleaning up (a second signal ends the process at once)", name_of(first));
  std::thread(cancel_forever).detach();
  int second = 0;
  while (sigwait(&set, &second) != 0 || (second != SIGINT && second != SIGTERM)) {
  }
  // Die of the signal itself, as if no handling had been installed.
  std::signal(second, SIG_DFL);
  sigset_t just;
  sigemptyset(&just);
  sigaddset(&just, second);
  pthread_sigmask(SIG_UNBLOCK, &just, nullptr);
  raise(second);
  _exit(128 + second);
}

}  // namespace

void install_interrupt_handling() {
  static std::once_flag installed;
  std::call_once(installed, [] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread(take_signals, set).detach();
  });
}

int interrupt_signal() noexcept { return g_signal.load(); }

Error interrupt_error(int signal_number) {
  return Error(signal_number == SIGINT ? ExitCode::kInterrupted : ExitCode::kTerminated,
               fmt::format("interrupted by {}", name_of(signal_number)));
}

void check_interrupted() {
  if (const int signal_number = interrupt_signal(); signal_number != 0) throw interrupt_error(signal_number);
}

void sleep_interruptibly(std::chrono::milliseconds duration) {
  const auto end = std::chrono::steady_clock::now() + duration;
  for (;;) {
    check_interrupted();
    const auto now = std::chrono::steady_clock::now();
    if (now >= end) return;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(kPollEvery, end - now));
  }
}

CancelOnInterrupt::CancelOnInterrupt(std::function<void()> cancel) : cancel_(std::move(cancel)) {
  Cancellers& c = cancellers();
  std::lock_guard lock(c.mutex);
  c.live.push_back(&cancel_);
}

CancelOnInterrupt::~CancelOnInterrupt() {
  Cancellers& c = cancellers();
  std::lock_guard lock(c.mutex);
  c.live.erase(std::find(c.live.begin(), c.live.end(), &cancel_));
}

}  // namespace pipeline::util
