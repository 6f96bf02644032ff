#include "pipeline/db/session.hpp"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <optional>
#include <utility>

#include <fmt/format.h>

#include "pipeline/db/db_error.hpp"
#include "pipeline/db/galera.hpp"
#include "pipeline/db/tls_policy.hpp"
#include "pipeline/util/interrupt.hpp"

namespace pipeline::db {

const std::vector<std::string_view> kSessionSetup = {
    // Collation pinned so that user variables, literals and columns never mix
    // collations; one statement, one round trip.
    "SET NAMES utf8mb4 COLLATE utf8mb4_bin, SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,ONLY_FULL_GROUP_BY'",
    // A load keeps connections idle on purpose: the control connection while
    // the streams run, a stream while its rows are slow to come (a file
    // sorted by place feeds one stream at a time, a pipe may stall). A
    // server's short idle or read timeout must not drop them mid-run.
    "SET SESSION wait_timeout = 86400, net_read_timeout = 3600, net_write_timeout = 3600",
};

std::string ConnectionOptions::address() const {
  return uses_socket() ? socket : fmt::format("{}:{}", host, port);
}

std::string ConnectionOptions::describe() const {
  if (uses_socket()) return fmt::format("{}@localhost({})/{}", user, socket, database);
  return fmt::format("{}@{}:{}/{}", user, host, port, database);
}

struct Session::Impl {
  std::unique_ptr<sql::Connection> connection;
  std::string target;
  // For the connection that kills a statement after a signal.
  ConnectionOptions options;
  // This connection's CONNECTION_ID(); read when first made interruptible.
  std::string id;
  bool interruptible = false;
  // A node of a Galera cluster (galera.hpp).
  bool galera = false;
};

namespace {

constexpr int kQueryInterrupted = 1317;  // ER_QUERY_INTERRUPTED

// Ends the statement running on connection `id`, from a connection of its own.
void kill_query(const ConnectionOptions& options, const std::string& id) {
  Session killer(options);
  killer.execute("KILL QUERY " + id);
}

// Runs `statement`; when `interruptible`, a signal kills it (connection `id`).
template <class Statement>
auto run_statement(bool interruptible, const ConnectionOptions& options, const std::string& id,
                   const Statement& statement) {
  std::optional<util::CancelOnInterrupt> cancel;
  if (interruptible) {
    cancel.emplace([&options, &id] { kill_query(options, id); });
    util::check_interrupted();
  }
  try {
    return statement();
  } catch (const sql::SQLException& e) {
    if (interruptible && e.getErrorCode() == kQueryInterrupted) util::check_interrupted();
    throw;
  }
}

[[noreturn]] void rethrow(const std::string& what, const sql::SQLException& e) {
  throw DbError(what, e.getErrorCode(), e.getSQLState(), e.what());
}

std::string summarize(std::string_view sql) {
  std::string text(sql.substr(0, 80));
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  return sql.size() > 80 ? text + "..." : text;
}

void bind(sql::PreparedStatement& statement, const std::vector<Value>& params) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto index = static_cast<unsigned int>(i + 1);
    std::visit(
        [&](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            statement.setNull(index, 0);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            statement.setInt64(index, value);
          } else if constexpr (std::is_same_v<T, std::uint64_t>) {
            statement.setUInt64(index, value);
          } else {
            statement.setString(index, sql::SQLString(value));
          }
        },
        params[i]);
  }
}

ResultTable read_all(sql::ResultSet& results) {
  ResultTable table;
  sql::ResultSetMetaData* meta = results.getMetaData();
  const unsigned int count = meta->getColumnCount();
  for (unsigned int i = 1; i <= count; ++i) table.columns.push_back(meta->getColumnLabel(i).asStdString());
  while (results.next()) {
    auto& row = table.rows.emplace_back();
    row.reserve(count);
    for (unsigned int i = 1; i <= count; ++i) {
      if (results.isNull(i)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(results.getString(i).asStdString());
      }
    }
  }
  return table;
}

}  // namespace

Session::Session(const ConnectionOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->target = options.describe();
  impl_->options = options;
  sql::ConnectOptionsMap properties;
  properties["hostName"] = options.uses_socket()
                               ? sql::SQLString("unix://" + options.socket)
                               : sql::SQLString(fmt::format("tcp://{}:{}", options.host, options.port));
  properties["userName"] = sql::SQLString(options.user);
  properties["password"] = sql::SQLString(options.password);
  properties["schema"] = sql::SQLString(options.database);
  properties["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  // Per attempt; the retry loop owns the overall deadline.
  properties["OPT_CONNECT_TIMEOUT"] = 10;
  properties["OPT_RECONNECT"] = false;
  // This connection never reads local files for the server.
  properties["OPT_LOCAL_INFILE"] = 0;
  // The TLS rule of tls_policy.hpp, in Connector/C++'s words (OPT_SSL_MODE
  // does nothing on this library).
  const TlsSettings tls = decide_tls(options);
  if (tls.use_tls) properties["sslEnforce"] = true;
  if (tls.verify_host) properties["sslVerify"] = true;
  if (!tls.ca.empty()) properties["sslCA"] = sql::SQLString(tls.ca);
  if (!tls.cert.empty()) properties["sslCert"] = sql::SQLString(tls.cert);
  if (!tls.key.empty()) properties["sslKey"] = sql::SQLString(tls.key);
  try {
    sql::mysql::MySQL_Driver* driver = sql::mysql::get_mysql_driver_instance();
    impl_->connection.reset(driver->connect(properties));
  } catch (const sql::SQLException& e) {
    throw DbError("connecting to " + impl_->target, e.getErrorCode(), e.getSQLState(), e.what(),
                  tls_refusal_hint(tls, options, e.getErrorCode(), e.what()));
  }
  try {
    std::unique_ptr<sql::Statement> statement(impl_->connection->createStatement());
    // Connector/C++ 1.1 does not say whether it encrypted, so the server is
    // asked. Only REQUIRED relies on the answer (the verifying modes are
    // refused by the library before authenticating), and REQUIRED, which
    // checks no certificate, guards against a server without TLS, not
    // against a machine in the middle.
    if (tls.enforce) {
      std::unique_ptr<sql::ResultSet> cipher(statement->executeQuery("SHOW SESSION STATUS LIKE 'Ssl_cipher'"));
      require_encrypted(tls, options, cipher->next() && !cipher->getString(2).asStdString().empty());
    }
    for (std::string_view setup : kSessionSetup) statement->execute(sql::SQLString(std::string(setup)));
    std::vector<std::pair<std::string, std::string>> variables;
    std::unique_ptr<sql::ResultSet> wsrep(statement->executeQuery(sql::SQLString(std::string(kWsrepQuery))));
    while (wsrep->next()) variables.emplace_back(wsrep->getString(1).asStdString(), wsrep->getString(2).asStdString());
    const Wsrep cluster = parse_wsrep(variables);
    impl_->galera = cluster.galera;
    if (const auto setup = cluster_session_setup(cluster)) statement->execute(sql::SQLString(*setup));
  } catch (const sql::SQLException& e) {
    rethrow("connecting to " + impl_->target, e);
  }
}

Session::~Session() = default;

bool Session::galera() const { return impl_->galera; }

const ConnectionOptions& Session::options() const { return impl_->options; }
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

std::uint64_t Session::execute(std::string_view sql, const std::vector<Value>& params) {
  try {
    return run_statement(impl_->interruptible, impl_->options, impl_->id, [&]() -> std::uint64_t {
      if (params.empty()) {
        std::unique_ptr<sql::Statement> statement(impl_->connection->createStatement());
        statement->execute(sql::SQLString(std::string(sql)));
        return statement->getUpdateCount();
      }
      std::unique_ptr<sql::PreparedStatement> statement(
          impl_->connection->prepareStatement(sql::SQLString(std::string(sql))));
      bind(*statement, params);
      return static_cast<std::uint64_t>(statement->executeUpdate());
    });
  } catch (const sql::SQLException& e) {
    rethrow("running " + summarize(sql), e);
  }
}

ResultTable Session::query(std::string_view sql, const std::vector<Value>& params) {
  try {
    return run_statement(impl_->interruptible, impl_->options, impl_->id, [&] {
      if (params.empty()) {
        std::unique_ptr<sql::Statement> statement(impl_->connection->createStatement());
        std::unique_ptr<sql::ResultSet> results(statement->executeQuery(sql::SQLString(std::string(sql))));
        return read_all(*results);
      }
      std::unique_ptr<sql::PreparedStatement> statement(
          impl_->connection->prepareStatement(sql::SQLString(std::string(sql))));
      bind(*statement, params);
      std::unique_ptr<sql::ResultSet> results(statement->executeQuery());
      return read_all(*results);
    });
  } catch (const sql::SQLException& e) {
    rethrow("running " + summarize(sql), e);
  }
}

bool Session::set_interruptible(bool on) {
  if (on && impl_->id.empty()) impl_->id = query_value("SELECT CONNECTION_ID()").value_or("");
  return std::exchange(impl_->interruptible, on && !impl_->id.empty());
}

std::optional<std::string> Session::query_value(std::string_view sql, const std::vector<Value>& params) {
  ResultTable table = query(sql, params);
  if (table.rows.empty() || table.rows.front().empty()) return std::nullopt;
  return table.rows.front().front();
}

}  // namespace pipeline::db
