// SIGINT and SIGTERM as an orderly stop (docker stop sends SIGTERM, then
// SIGKILL 10 s later). The signals are blocked in every thread and taken by
// one thread of their own, so no system call anywhere sees EINTR: the first
// signal only sets a flag that the work polls (check_interrupted) and runs the
// cancellers of blocking calls in flight (CancelOnInterrupt); the work then
// fails through its usual path, cleaning up as for any other error. A second
// signal ends the process at once, with 128 + its number.
#pragma once

#include <chrono>
#include <functional>

#include "pipeline/error.hpp"

namespace pipeline::util {

// Blocks SIGINT and SIGTERM and starts the thread that takes them. Call once,
// from the main thread, before any other thread starts (threads inherit the
// blocked set). Without it the flag never rises.
void install_interrupt_handling();

// The signal that asked the tool to stop (SIGINT or SIGTERM), or 0.
int interrupt_signal() noexcept;

// The Error an interrupt ends the run with: "interrupted by SIGTERM", exit
// 143 (kTerminated); "interrupted by SIGINT", exit 130 (kInterrupted).
Error interrupt_error(int signal_number);

// Throws interrupt_error() once a signal has come; otherwise does nothing.
void check_interrupted();

// Sleeps for `duration`, or throws interrupt_error() as soon as a signal
// comes (checked every 50 ms).
void sleep_interruptibly(std::chrono::milliseconds duration);

// While it lives, `cancel` is called on the signal thread when a signal comes,
// and again every 500 ms until this object is destroyed: it should make a
// blocking call in flight return (KILL QUERY, say). It is never called after
// the destructor returns. If a signal came before, `cancel` is not called for
// it: check_interrupted() after constructing, before the blocking call.
class CancelOnInterrupt {
 public:
  explicit CancelOnInterrupt(std::function<void()> cancel);
  ~CancelOnInterrupt();
  CancelOnInterrupt(const CancelOnInterrupt&) = delete;
  CancelOnInterrupt& operator=(const CancelOnInterrupt&) = delete;

 private:
  std::function<void()> cancel_;
};

}  // namespace pipeline::util
