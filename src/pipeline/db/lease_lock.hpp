// A lock that holds across every node of a Galera cluster, where GET_LOCK
// is local to the node that grants it: a row of the table load_locks, taken
// by inserting it and kept by renewing a lease on it.
// - Taking: an INSERT of the row. Two loaders on two nodes that insert it at
//   once are ordered by the cluster's certification: one commits, the other
//   gets a duplicate key or a certification conflict, and is busy.
// - Keeping: a thread renews the lease every 10 s on a connection of its
//   own, so that long statements on the run's other connections do not let
//   it lapse. A holder that dies (or whose node does) stops renewing, and
//   after 30 s the next loader deletes the expired row and takes the lock.
// - Checking: check_held() renews at once and throws if the row is gone or
//   the lease has lapsed; fence() renews inside the caller's transaction, so
//   that its COMMIT conflicts with a loader that took the lock over; call it
//   last before COMMIT, since the row stays locked until then. A renewal
//   never brings back a lease that has run out.
// The expiry is in UTC (UTC_TIMESTAMP(6)) by the clock of the node that wrote
// it, so time zones and daylight saving do not matter, but the nodes' clocks
// must agree to well within the lease (NTP does).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "pipeline/db/session.hpp"

namespace pipeline::db {

class LeaseLock {
 public:
  static constexpr std::chrono::seconds kLease{30};
  static constexpr std::chrono::seconds kRenewEvery{10};

  // Takes lock `name` on a new connection to the server of `options`
  // (creating load_locks if it is missing), waiting up to `wait`. If it
  // cannot be had, throws Error(kTempFail): `busy`, then who holds it. A wait
  // stops within a second of SIGINT or SIGTERM.
  LeaseLock(const ConnectionOptions& options, std::string name, std::chrono::seconds wait, const std::string& busy);
  // Stops renewing and deletes the row.
  ~LeaseLock();
  LeaseLock(const LeaseLock&) = delete;
  LeaseLock& operator=(const LeaseLock&) = delete;

  // Renews the lease now; throws Error(kTempFail) if the lock is lost.
  void check_held();
  // Renews the lease in `transaction`'s open transaction (the row then
  // stays locked until it ends); throws Error(kTempFail) if the lock is lost.
  void fence(Session& transaction);

  // SQL that is true while some loader holds the lock named by the SQL
  // expression `name_sql`.
  static std::string held_sql(std::string_view name_sql);

 private:
  bool try_take(const std::string& held_by);
  std::string holder_info();
  void renew_loop();
  // Under mutex_: one renewal; marks the lock lost when it is.
  void renew();
  [[noreturn]] void throw_lost() const;

  Session session_;
  std::string name_;
  std::string token_;  // this holder's own value of load_locks.holder

  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  bool lost_ = false;
  std::string lost_reason_;
  std::chrono::steady_clock::time_point renewed_;
  std::thread renewer_;
};

}  // namespace pipeline::db
