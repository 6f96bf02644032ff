#include "pipeline/db/connect.hpp"

#include <algorithm>
#include <optional>

#include <fmt/chrono.h>
#include <spdlog/spdlog.h>

#include "pipeline/db/db_error.hpp"
#include "pipeline/db/tls_policy.hpp"
#include "pipeline/util/interrupt.hpp"

namespace pipeline::db {

std::string connect_hint(int error_number, const ConnectionOptions& options) {
  switch (error_number) {
    case 2002:  // CR_CONNECTION_ERROR: no socket
      if (options.uses_socket()) {
        return fmt::format(
            "is the server running, with its socket at {}? Check --socket (-S) or MYSQL_UNIX_PORT, or give "
            "--host (-h) and --port (-P) to connect over TCP",
            options.socket);
      }
      [[fallthrough]];
    case 2003:  // CR_CONN_HOST_ERROR: nothing listening
    case 2005:  // CR_UNKNOWN_HOST
      return fmt::format(
          "is the server running and listening on {}:{}? Check --host (-h) or MYSQL_HOST, --port (-P) or "
          "MYSQL_TCP_PORT, and any firewall between",
          options.host, options.port);
    case 1045:  // ER_ACCESS_DENIED_ERROR
    case 1698:  // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
      return fmt::format(
          "check the user '{}' (--user, -u, MYSQL_USER) and the password (--password-file, MYSQL_PASSWORD_FILE, "
          "MYSQL_PASSWORD or an option file), and that the account may connect from this host{}",
          options.user,
          effective_ssl_mode(options) == SslMode::kDisabled
              ? "; an account created REQUIRE SSL also refuses a connection without TLS: pass --ssl-mode REQUIRED, "
                "or --ssl-ca FILE"
              : "");
    case 1044:  // ER_DBACCESS_DENIED_ERROR
      return fmt::format(
          "the account may not use database '{}': an administrator grants it (README: \"Use with your own MySQL "
          "or MariaDB\"), or pass another --database (-D)",
          options.database);
    case 1049:  // ER_BAD_DB_ERROR
      return fmt::format(
          "create it (CREATE DATABASE `{}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci), or pass the right "
          "--database (-D) or MYSQL_DATABASE",
          options.database);
    case 1040:  // ER_CON_COUNT_ERROR
      return "the server is at max_connections: try again later, or raise max_connections";
    default:
      return "";
  }
}

void retry_connect(const ConnectionOptions& options, const std::function<void()>& attempt) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + options.connect_timeout;
  std::chrono::milliseconds backoff{250};
  constexpr std::chrono::milliseconds kMaxBackoff{8000};
  for (int tries = 1;; ++tries) {
    try {
      attempt();
      if (tries > 1) spdlog::info("connected to {} on attempt {}", options.describe(), tries);
      return;
    } catch (const DbError& e) {
      if (!e.transient()) throw e.with_hint(connect_hint(e.error_number(), options));
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= std::chrono::milliseconds::zero()) {
        const std::string hint = connect_hint(e.error_number(), options);
        throw Error(ExitCode::kTempFail,
                    fmt::format("database unreachable: gave up after {} attempts in {} (--connect-timeout); "
                                "last error: {}{}",
                                tries, options.connect_timeout, e.what(), hint.empty() ? "" : "; " + hint));
      }
      const auto wait = std::min(backoff, left);
      spdlog::warn("connect attempt {} failed, retrying in {}: {}", tries, wait, e.what());
      util::sleep_interruptibly(wait);
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }
}

Session connect_with_retry(const ConnectionOptions& options) {
  std::optional<Session> session;
  retry_connect(options, [&] { session.emplace(options); });
  return std::move(*session);
}

}  // namespace pipeline::db
