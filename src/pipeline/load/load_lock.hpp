// The named server lock (GET_LOCK) that keeps two loaders off one database.
// It lives as long as the connection that took it, so a loader that dies
// releases it.
#pragma once

#include <chrono>
#include <string>

namespace pipeline::db {
class Session;
}

namespace pipeline::load {

class LoadLock {
 public:
  // Takes the lock for `database`, waiting up to `wait`. Throws
  // Error(kTempFail) naming the connection that holds it.
  LoadLock(db::Session& session, const std::string& database, std::chrono::seconds wait);
  ~LoadLock();
  LoadLock(const LoadLock&) = delete;
  LoadLock& operator=(const LoadLock&) = delete;

  // The lock's name on the server.
  static std::string name_for(const std::string& database);

 private:
  db::Session& session_;
  std::string name_;
};

}  // namespace pipeline::load
