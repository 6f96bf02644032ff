// A connection through MariaDB Connector/C, for the row streams (BulkLoad,
// BatchInsert): Connector/C++ 1.1 can neither feed LOAD DATA from memory
// nor run MariaDB's bulk execution. client_connection.cpp and bulk_load.cpp
// (its local-infile hooks) are the only files that include Connector/C
// headers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/db/connection_options.hpp"
#include "pipeline/db/db_error.hpp"
#include "pipeline/db/galera.hpp"

struct st_mysql;
struct st_mysql_stmt;
struct st_mysql_bind;

namespace pipeline::db {

class ClientConnection;

// A server-side prepared statement of a ClientConnection, closed with the
// object. Its values travel in the binary protocol: the server parses the
// statement once, never the values.
class PreparedStatement {
 public:
  PreparedStatement(ClientConnection& connection, std::string_view sql, const std::string& what);
  ~PreparedStatement();
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;

  // Runs it with `values` (one per placeholder, all sent as strings, which
  // the server converts to the columns' types). Returns the rows it changed;
  // its warnings are the connection's. Throws DbError naming `what`.
  std::uint64_t execute(const std::vector<std::string_view>& values);

  // Runs it once for each of `rows` rows of values (`values` row after row,
  // one value per placeholder each), in one command. Only when
  // ClientConnection::supports_bulk_execution(). Returns the rows changed. Throws DbError.
  std::uint64_t execute_bulk(std::size_t rows, const std::vector<std::string_view>& values);

  unsigned parameter_count() const { return parameters_; }

 private:
  st_mysql_stmt* stmt_ = nullptr;
  std::string what_;
  // Reused by every execute(): one per placeholder.
  std::vector<::st_mysql_bind> binds_;
  std::vector<unsigned long> lengths_;
  std::vector<const char*> pointers_;  // execute_bulk: column after column
  unsigned parameters_ = 0;
};

class ClientConnection {
 public:
  // Connects, retrying as connect_with_retry does, and runs kSessionSetup
  // (and, on a Galera node, cluster_session_setup()).
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
  // The last statement's warnings.
  // Exact: the protocol's count stops at 65535, and then the server is asked.
  std::uint64_t warning_count();
  // The last statement's first `limit` warnings: error number and message.
  std::vector<std::pair<int, std::string>> warnings(unsigned limit);
  // Whether the server runs a prepared statement for many rows of values
  // in one command (MariaDB's bulk execution, COM_STMT_BULK_EXECUTE; not
  // MySQL).
  bool supports_bulk_execution() const;

  // The last statement's error, as a DbError naming `what`.
  DbError last_error(const std::string& what) const;

  // For the local-infile hooks and statements whose errors are kept as values.
  st_mysql* handle() const { return mysql_; }

 private:
  Wsrep ask_wsrep();

  st_mysql* mysql_ = nullptr;
};

}  // namespace pipeline::db
