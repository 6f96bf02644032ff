// Named server locks (GET_LOCK). They live as long as the connection that
// took them, so a loader that dies releases them. Three are used: the load
// lock, one per database, held by an unsharded run for its whole life and by a
// shard while it publishes; each shard's liveness lock; and a run's setup lock.
#pragma once

#include <chrono>
#include <string>

namespace pipeline::db {
class Session;
}

namespace pipeline::load {

class NamedLock {
 public:
  // Takes lock `name`, waiting up to `wait`. If another connection holds it,
  // throws Error(kTempFail): `busy`, then which connection holds it.
  NamedLock(db::Session& session, std::string name, std::chrono::seconds wait, const std::string& busy);
  ~NamedLock();
  NamedLock(const NamedLock&) = delete;
  NamedLock& operator=(const NamedLock&) = delete;

  // The load lock's name for `database`.
  static std::string load_lock_name(const std::string& database);

 private:
  db::Session& session_;
  std::string name_;
};

}  // namespace pipeline::load
