// A connection through MySQL Connector/C++ 1.1: statements with bound
// parameters, small result sets, transactions. session.cpp is the only file
// that includes Connector/C++ headers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pipeline/db/connection_options.hpp"

namespace pipeline::db {

// A bound parameter. Text is always bound, never pasted into SQL.
using Value = std::variant<std::nullptr_t, std::int64_t, std::uint64_t, std::string>;

struct ResultTable {
  std::vector<std::string> columns;
  // Each cell as the server's text form; nullopt for NULL.
  std::vector<std::vector<std::optional<std::string>>> rows;
};

class Session {
 public:
  // One connection attempt (see connect_with_retry for the retrying kind).
  // The session speaks utf8mb4 with collation utf8mb4_bin and a strict
  // sql_mode, whatever the server's defaults. Throws DbError.
  explicit Session(const ConnectionOptions& options);
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;

  // Runs a statement; returns the rows it changed. Throws DbError.
  std::uint64_t execute(std::string_view sql, const std::vector<Value>& params = {});
  // Runs a query and reads its whole result. Throws DbError.
  ResultTable query(std::string_view sql, const std::vector<Value>& params = {});
  // The first column of the first row, or nullopt if there is no row or it is NULL.
  std::optional<std::string> query_value(std::string_view sql, const std::vector<Value>& params = {});

  // Whether the server is a node of a Galera cluster (galera.hpp), whose
  // session setup this one ran.
  bool galera() const;
  // What the session was opened with: for a second connection to the same server.
  const ConnectionOptions& options() const;

  // Whether SIGINT and SIGTERM cancel this session's statements; returns the
  // previous setting. Use InterruptibleStatements rather than this.
  bool set_interruptible(bool on);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// While it lives, SIGINT and SIGTERM cancel the statements of `session`: one
// running when the signal comes is killed (KILL QUERY, from a connection of
// its own) and throws util::interrupt_error(), and none starts afterwards.
// For steps a run may abandon: never around a clean-up, nor once data is live
// (`on` false shields those inside an interruptible scope).
class InterruptibleStatements {
 public:
  explicit InterruptibleStatements(Session& session, bool on = true)
      : session_(session), previous_(session.set_interruptible(on)) {}
  ~InterruptibleStatements() { session_.set_interruptible(previous_); }
  InterruptibleStatements(const InterruptibleStatements&) = delete;
  InterruptibleStatements& operator=(const InterruptibleStatements&) = delete;

 private:
  Session& session_;
  bool previous_;
};

// Statements every session runs first, on either client library; a Galera
// node's sessions then run cluster_session_setup() (galera.hpp).
extern const std::vector<std::string_view> kSessionSetup;

}  // namespace pipeline::db
