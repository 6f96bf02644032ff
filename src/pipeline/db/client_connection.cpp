#include "pipeline/db/client_connection.hpp"

#include <mysql.h>

#include <cstdlib>
#include <mutex>

#include "pipeline/db/connect.hpp"
#include "pipeline/db/session.hpp"

namespace pipeline::db {

ClientConnection::ClientConnection(const ConnectionOptions& options, bool local_infile) {
  static std::once_flag library_initialised;
  std::call_once(library_initialised, [] { mysql_library_init(0, nullptr, nullptr); });

  retry_connect(options, [&] {
    MYSQL* mysql = mysql_init(nullptr);
    if (mysql == nullptr) throw Error(ExitCode::kSoftware, "out of memory creating a client handle");
    unsigned int timeout = 10;
    unsigned int infile = local_infile ? 1 : 0;
    mysql_optionsv(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(mysql, MYSQL_OPT_LOCAL_INFILE, &infile);
    mysql_optionsv(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!options.tls_ca.empty()) mysql_optionsv(mysql, MYSQL_OPT_SSL_CA, options.tls_ca.c_str());
    if (options.tls_required) {
      my_bool on = 1;
      mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &on);
      mysql_optionsv(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
    }
    const bool socket = options.uses_socket();
    if (mysql_real_connect(mysql, socket ? "localhost" : options.host.c_str(), options.user.c_str(),
                           options.password.c_str(), options.database.c_str(), socket ? 0 : options.port,
                           socket ? options.socket.c_str() : nullptr, 0) == nullptr) {
      DbError error(std::string("connecting to ") + options.describe(), static_cast<int>(mysql_errno(mysql)),
                    mysql_sqlstate(mysql), mysql_error(mysql));
      mysql_close(mysql);
      throw error;
    }
    mysql_ = mysql;
  });
  try {
    for (std::string_view sql : kSessionSetup) execute(sql, "setting up the load connection");
  } catch (...) {
    mysql_close(mysql_);
    throw;
  }
}

ClientConnection::~ClientConnection() { mysql_close(mysql_); }

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

std::uint64_t ClientConnection::affected_rows() const { return mysql_affected_rows(mysql_); }

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

void ClientConnection::append_escaped(std::string& out, std::string_view value) const {
  const std::size_t at = out.size();
  out.resize(at + value.size() * 2 + 1);
  const unsigned long length = mysql_real_escape_string(mysql_, out.data() + at, value.data(), value.size());
  out.resize(at + length);
}

}  // namespace pipeline::db
