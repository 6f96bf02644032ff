// A session's lock_wait_timeout, lowered for a while: DDL that must not
// queue for long behind another session's metadata lock (and so make every
// reader after it queue too) gives up after a few seconds instead.
#pragma once

#include <chrono>
#include <string>

namespace pipeline::db {

class Session;

class ShortLockWait {
 public:
  // Sets the session's lock_wait_timeout to `wait` (at least 1 s).
  ShortLockWait(Session& session, std::chrono::seconds wait);
  // Puts the previous value back; a connection that is gone has none.
  ~ShortLockWait();
  ShortLockWait(const ShortLockWait&) = delete;
  ShortLockWait& operator=(const ShortLockWait&) = delete;

 private:
  Session& session_;
  std::string previous_;
};

// ER_LOCK_WAIT_TIMEOUT: a row lock, or a metadata lock, was not had in time.
inline constexpr int kLockWaitTimeout = 1205;
// ER_LOCK_DEADLOCK: this transaction was rolled back to break a deadlock.
inline constexpr int kDeadlock = 1213;

}  // namespace pipeline::db
