// A connection through MariaDB Connector/C, for the row streams (BulkLoad,
// BatchInsert): Connector/C++ 1.1 can neither feed LOAD DATA from memory nor
// escape text for a statement. client_connection.cpp and bulk_load.cpp (its
// local-infile hooks) are the only files that include Connector/C headers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/db/connection_options.hpp"
#include "pipeline/db/db_error.hpp"

struct st_mysql;

namespace pipeline::db {

class ClientConnection {
 public:
  // Connects, retrying as connect_with_retry does, and runs kSessionSetup.
  // `local_infile` lets the server ask for a local file (which the caller's
  // hooks then serve). Throws DbError/Error.
  ClientConnection(const ConnectionOptions& options, bool local_infile);
  ~ClientConnection();
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  // Runs a statement and discards any result. Throws DbError naming `what`.
  void execute(std::string_view sql, const std::string& what);
  // The first column of the first row of a query; empty for NULL or no row.
  // Throws DbError naming `what`.
  std::string query_value(std::string_view sql, const std::string& what);
  // Of the last statement: the rows it changed, and its warnings.
  std::uint64_t affected_rows() const;
  // Exact: the protocol's count stops at 65535, and then the server is asked.
  std::uint64_t warning_count();
  // The last statement's first `limit` warnings: error number and message.
  std::vector<std::pair<int, std::string>> warnings(unsigned limit);
  // Appends `value` escaped for a string literal, by the client library for
  // this connection's character set (mysql_real_escape_string). Not while
  // another thread uses the connection.
  void append_escaped(std::string& out, std::string_view value) const;

  // The last statement's error, as a DbError naming `what`.
  DbError last_error(const std::string& what) const;

  // For the local-infile hooks and statements whose errors are kept as values.
  st_mysql* handle() const { return mysql_; }

 private:
  st_mysql* mysql_ = nullptr;
};

}  // namespace pipeline::db
