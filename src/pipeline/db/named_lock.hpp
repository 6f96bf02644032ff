// Named server locks, and the name of every lock the tools take. On a plain
// server a lock is GET_LOCK's, and lives as long as the connection that took
// it, so a loader that dies releases its locks. On a Galera node, where
// GET_LOCK holds only on the node that grants it, it is a LeaseLock
// (lease_lock.hpp): a row that every node sees, which a loader that dies
// loses when its lease lapses. Three kinds are used:
// - the load lock, one per database: an unsharded run holds it for its whole
//   life, a shard while it settles and publishes its run;
// - a shard's liveness lock, held by the shard's process while it runs, which
//   tells the other shards that it is alive;
// - a run's setup lock, held while a shard checks its files against its
//   siblings' and creates the run's tables;
// and on Spider data nodes the direct path's lock (spider_nodes.hpp).
// Lock names are server-wide, so each names its database (run ids are only
// unique within one), and they are at most 64 characters, MySQL 8's limit:
// shard and setup locks are dl.<8 hex digits of the database name's
// SHA-256>.shard.<run id>.<shard> and dl.<...>.setup.<run id>.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace pipeline::db {

class LeaseLock;
class Session;

namespace lock_names {

// The load lock of `database`. A name too long for the limit keeps its start
// and ends in a hash of the whole database name.
std::string load(const std::string& database);
// The liveness lock of shard `shard` of run `run_id` in `database`.
std::string shard(const std::string& database, const std::string& run_id, unsigned shard);
// The same name as an SQL expression over the columns run_id and shard of
// `table` (a load_shards row) in the session's database, for queries that
// ask which shards are alive.
std::string shard_sql(std::string_view table);
// The setup lock of run `run_id` in `database`.
std::string setup(const std::string& database, const std::string& run_id);
// On a Spider data node: the lock a loader on the direct path holds for its
// whole run, so that no other writes the node's `database` meanwhile.
std::string direct(const std::string& database);

}  // namespace lock_names

class NamedLock {
 public:
  // Takes lock `name` for `session` (on a Galera node, on a connection of its
  // own to the same server), waiting up to `wait` (and logging that it
  // waits, and for whom, when another holds it). If it cannot be had, throws
  // Error(kTempFail): `busy`, then which connection holds it. A wait stops
  // within a second of SIGINT or SIGTERM, with util::interrupt_error().
  NamedLock(Session& session, std::string name, std::chrono::seconds wait, const std::string& busy);
  // Releases the lock; a connection that is gone has released it already.
  ~NamedLock();
  NamedLock(const NamedLock&) = delete;
  NamedLock& operator=(const NamedLock&) = delete;

  // Throws Error(kTempFail) unless this session still holds the lock: the
  // connection was lost (killed, timed out, server restarted) or the lock
  // was released. Call before acting on what the lock protects.
  void check_held() const;
  // Like check_held(), from inside `transaction`'s open transaction, whose
  // COMMIT then cannot succeed if the lock was lost meanwhile (a lease lock
  // renews its row there; GET_LOCK's cannot be taken over while its
  // connection lives, so it is only checked).
  void fence(Session& transaction) const;

  const std::string& name() const { return name_; }

  // SQL that is true while some connection holds the lock named by the SQL
  // expression `name_sql`, in the kind of lock `session`'s server uses.
  static std::string held_sql(const Session& session, std::string_view name_sql);

 private:
  Session& session_;
  std::string name_;
  std::unique_ptr<LeaseLock> lease_;  // on a Galera node
};

}  // namespace pipeline::db
