#include "pipeline/db/client_connection.hpp"

#include <mysql.h>

#include <cstdlib>
#include <mutex>

#include "pipeline/db/connect.hpp"
#include "pipeline/db/session.hpp"
#include "pipeline/db/tls_policy.hpp"

namespace pipeline::db {
namespace {

// The TLS rule of tls_policy.hpp, in Connector/C's words.
void apply_tls(MYSQL* mysql, const TlsSettings& tls) {
  my_bool on = 1;
  if (tls.use_tls) mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &on);
  if (tls.verify_host) mysql_optionsv(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
  if (!tls.ca.empty()) mysql_optionsv(mysql, MYSQL_OPT_SSL_CA, tls.ca.c_str());
  if (!tls.cert.empty()) mysql_optionsv(mysql, MYSQL_OPT_SSL_CERT, tls.cert.c_str());
  if (!tls.key.empty()) mysql_optionsv(mysql, MYSQL_OPT_SSL_KEY, tls.key.c_str());
}

}  // namespace

ClientConnection::ClientConnection(const ConnectionOptions& options, bool local_infile) {
  static std::once_flag library_initialised;
  std::call_once(library_initialised, [] { mysql_library_init(0, nullptr, nullptr); });

  const TlsSettings tls = decide_tls(options);
  retry_connect(options, [&] {
    MYSQL* mysql = mysql_init(nullptr);
    if (mysql == nullptr) throw Error(ExitCode::kSoftware, "out of memory creating a client handle");
    unsigned int timeout = 10;
    unsigned int infile = local_infile ? 1 : 0;
    mysql_optionsv(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(mysql, MYSQL_OPT_LOCAL_INFILE, &infile);
    mysql_optionsv(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    apply_tls(mysql, tls);
    const bool socket = options.uses_socket();
    if (mysql_real_connect(mysql, socket ? "localhost" : options.host.c_str(), options.user.c_str(),
                           options.password.c_str(), options.database.c_str(), socket ? 0 : options.port,
                           socket ? options.socket.c_str() : nullptr, 0) == nullptr) {
      const int error_number = static_cast<int>(mysql_errno(mysql));
      DbError error("connecting to " + options.describe(), error_number, mysql_sqlstate(mysql), mysql_error(mysql),
                    tls_refusal_hint(tls, options, error_number, mysql_error(mysql)));
      mysql_close(mysql);
      throw error;
    }
    mysql_ = mysql;
  });
  try {
    require_encrypted(tls, options, mysql_get_ssl_cipher(mysql_) != nullptr);
  } catch (...) {
    mysql_close(mysql_);
    mysql_ = nullptr;
    throw;
  }
  try {
    for (std::string_view sql : kSessionSetup) execute(sql, "setting up the load connection");
    if (const auto setup = cluster_session_setup(ask_wsrep())) execute(*setup, "setting up the load connection");
  } catch (...) {
    mysql_close(mysql_);
    throw;
  }
}

ClientConnection::~ClientConnection() { mysql_close(mysql_); }

Wsrep ClientConnection::ask_wsrep() {
  const std::string what = "asking whether the server is a Galera node";
  if (mysql_real_query(mysql_, kWsrepQuery.data(), kWsrepQuery.size()) != 0) throw last_error(what);
  MYSQL_RES* result = mysql_store_result(mysql_);
  if (result == nullptr) throw last_error(what);
  std::vector<std::pair<std::string, std::string>> variables;
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    const unsigned long* lengths = mysql_fetch_lengths(result);
    variables.emplace_back(std::string(row[0] != nullptr ? row[0] : "", row[0] != nullptr ? lengths[0] : 0),
                           std::string(row[1] != nullptr ? row[1] : "", row[1] != nullptr ? lengths[1] : 0));
  }
  mysql_free_result(result);
  return parse_wsrep(variables);
}

bool ClientConnection::supports_bulk_execution() const {
  unsigned long server = 0;
  unsigned long extended = 0;
  mariadb_get_infov(mysql_, MARIADB_CONNECTION_SERVER_CAPABILITIES, &server);
  mariadb_get_infov(mysql_, MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES, &extended);
  return (server & CLIENT_MYSQL) == 0 && (extended & (MARIADB_CLIENT_STMT_BULK_OPERATIONS >> 32)) != 0;
}

DbError ClientConnection::last_error(const std::string& what) const {
  return DbError(what, static_cast<int>(mysql_errno(mysql_)), mysql_sqlstate(mysql_), mysql_error(mysql_));
}

void ClientConnection::execute(std::string_view sql, const std::string& what) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) throw last_error(what);
  if (MYSQL_RES* result = mysql_store_result(mysql_)) mysql_free_result(result);
}

std::string ClientConnection::query_value(std::string_view sql, const std::string& what) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) throw last_error(what);
  MYSQL_RES* result = mysql_store_result(mysql_);
  if (result == nullptr) throw last_error(what);
  std::string value;
  if (MYSQL_ROW row = mysql_fetch_row(result); row != nullptr && row[0] != nullptr) value = row[0];
  mysql_free_result(result);
  return value;
}

std::uint64_t ClientConnection::warning_count() {
  constexpr unsigned kProtocolMax = 0xFFFF;
  const unsigned count = mysql_warning_count(mysql_);
  if (count < kProtocolMax) return count;
  // A diagnostic statement: it leaves the last statement's warnings in place.
  const std::string exact = query_value("SELECT @@warning_count", "counting warnings");
  return exact.empty() ? count : std::stoull(exact);
}

std::vector<std::pair<int, std::string>> ClientConnection::warnings(unsigned limit) {
  std::vector<std::pair<int, std::string>> found;
  const std::string sql = "SHOW WARNINGS LIMIT " + std::to_string(limit);
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return found;
  if (MYSQL_RES* result = mysql_store_result(mysql_)) {
    while (MYSQL_ROW row = mysql_fetch_row(result)) {
      found.emplace_back(row[1] ? std::atoi(row[1]) : 0, row[2] ? row[2] : "");
    }
    mysql_free_result(result);
  }
  return found;
}

PreparedStatement::PreparedStatement(ClientConnection& connection, std::string_view sql, const std::string& what)
    : stmt_(mysql_stmt_init(connection.handle())), what_(what) {
  if (stmt_ == nullptr) throw connection.last_error(what);
  if (mysql_stmt_prepare(stmt_, sql.data(), sql.size()) != 0) {
    DbError error(what, static_cast<int>(mysql_stmt_errno(stmt_)), mysql_stmt_sqlstate(stmt_), mysql_stmt_error(stmt_));
    mysql_stmt_close(stmt_);
    throw error;
  }
  parameters_ = static_cast<unsigned>(mysql_stmt_param_count(stmt_));
}

PreparedStatement::~PreparedStatement() { mysql_stmt_close(stmt_); }

std::uint64_t PreparedStatement::execute_bulk(std::size_t rows, const std::vector<std::string_view>& values) {
  const std::size_t columns = parameters_;
  if (values.size() != rows * columns) throw Error(ExitCode::kSoftware, what_ + ": wrong number of values");
  binds_.assign(columns, MYSQL_BIND{});
  lengths_.resize(values.size());
  pointers_.resize(values.size());
  for (std::size_t c = 0; c < columns; ++c) {
    for (std::size_t r = 0; r < rows; ++r) {
      const std::string_view value = values[r * columns + c];
      pointers_[c * rows + r] = value.data();
      lengths_[c * rows + r] = static_cast<unsigned long>(value.size());
    }
    MYSQL_BIND& bind = binds_[c];
    bind.buffer_type = MYSQL_TYPE_STRING;
    bind.buffer = pointers_.data() + c * rows;
    bind.length = lengths_.data() + c * rows;
  }
  const auto fail = [&] {
    return DbError(what_, static_cast<int>(mysql_stmt_errno(stmt_)), mysql_stmt_sqlstate(stmt_),
                   mysql_stmt_error(stmt_));
  };
  unsigned int size = static_cast<unsigned int>(rows);
  if (mysql_stmt_attr_set(stmt_, STMT_ATTR_ARRAY_SIZE, &size) != 0) throw fail();
  if (mysql_stmt_bind_param(stmt_, binds_.data()) != 0) throw fail();
  if (mysql_stmt_execute(stmt_) != 0) throw fail();
  return mysql_stmt_affected_rows(stmt_);
}

std::uint64_t PreparedStatement::execute(const std::vector<std::string_view>& values) {
  if (values.size() != parameters_) throw Error(ExitCode::kSoftware, what_ + ": wrong number of values");
  binds_.resize(values.size());
  lengths_.resize(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    lengths_[i] = static_cast<unsigned long>(values[i].size());
    MYSQL_BIND& bind = binds_[i];
    bind = MYSQL_BIND{};
    bind.buffer_type = MYSQL_TYPE_STRING;
    bind.buffer = const_cast<char*>(values[i].data());
    bind.buffer_length = lengths_[i];
    bind.length = &lengths_[i];
  }
  const auto fail = [&] {
    return DbError(what_, static_cast<int>(mysql_stmt_errno(stmt_)), mysql_stmt_sqlstate(stmt_),
                   mysql_stmt_error(stmt_));
  };
  if (mysql_stmt_bind_param(stmt_, binds_.data()) != 0) throw fail();
  if (mysql_stmt_execute(stmt_) != 0) throw fail();
  return mysql_stmt_affected_rows(stmt_);
}

}  // namespace pipeline::db
