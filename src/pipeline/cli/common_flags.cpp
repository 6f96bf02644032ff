#include "pipeline/cli/common_flags.hpp"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/util/interrupt.hpp"

namespace pipeline::cli {

void add_connection_flags(CLI::App& app, db::ConnectionOptions& options, CommonFlags& flags) {
  app.add_option("--host", options.host, "Database host; 'localhost' means the unix socket")
      ->envname("MYSQL_HOST")
      ->capture_default_str()
      ->group("Connection");
  app.add_option("--port", options.port, "TCP port")
      ->envname("MYSQL_TCP_PORT")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str()
      ->group("Connection");
  app.add_option("--socket", options.socket, "Unix socket, used when --host is localhost")
      ->envname("MYSQL_UNIX_PORT")
      ->capture_default_str()
      ->group("Connection");
  app.add_option("--user", options.user, "Database user")->envname("MYSQL_USER")->group("Connection");
  app.add_option("--database", options.database, "Database")
      ->envname("MYSQL_DATABASE")
      ->capture_default_str()
      ->group("Connection");
  app.add_option("--password-file", flags.password_file,
                 "File holding the password (a compose secret, say); otherwise MYSQL_PASSWORD is used")
      ->envname("MYSQL_PASSWORD_FILE")
      ->group("Connection");
  app.add_option("--connect-timeout", flags.connect_timeout_seconds,
                 "Seconds to keep retrying while the database is unreachable, then exit 75")
      ->envname("MYSQL_CONNECT_TIMEOUT")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str()
      ->group("Connection");
  app.add_option("--tls-ca", options.tls_ca, "CA certificate to verify the server with (enables TLS)")
      ->envname("MYSQL_TLS_CA")
      ->group("Connection");
  app.add_flag("--tls-required", options.tls_required, "Refuse to connect without TLS and a verified certificate")
      ->envname("MYSQL_TLS_REQUIRED")
      ->group("Connection");
}

void add_logging_flags(CLI::App& app, util::LogOptions& options) {
  app.add_option("--log-dir", options.dir, "Directory of the rotating log file (and default rejects files)")
      ->capture_default_str()
      ->group("Logging");
  app.add_option("--log-level", options.level, "Least severe level logged")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str()
      ->group("Logging");
}

void resolve_connection(db::ConnectionOptions& options, const CommonFlags& flags) {
  options.connect_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(flags.connect_timeout_seconds * 1000.0));
  if (options.user.empty()) throw Error(ExitCode::kUsage, "no database user: pass --user or set MYSQL_USER");
  if (!flags.password_file.empty()) {
    std::ifstream in(flags.password_file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      throw Error(ExitCode::kNoInput, fmt::format("cannot read the password file {}", flags.password_file));
    }
    std::string password = text.str();
    if (!password.empty() && password.back() == '\n') password.pop_back();
    if (!password.empty() && password.back() == '\r') password.pop_back();
    options.password = std::move(password);
  } else if (const char* password = std::getenv("MYSQL_PASSWORD")) {
    options.password = password;
  }
}

std::optional<int> parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(ExitCode::kUsage);
  }
  return std::nullopt;
}

int run_guarded(const std::function<ExitCode()>& work) {
  // A closed socket or pipe must be an error to handle, not a silent death;
  // so must a file-size limit (ulimit -f).
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGXFSZ, SIG_IGN);
  // SIGINT and SIGTERM stop the work through its failure path (interrupt.hpp).
  util::install_interrupt_handling();
  // A failure after a signal is the signal's doing, whatever it broke on the way.
  auto exit_code = [](ExitCode code) {
    const int signal_number = util::interrupt_signal();
    return static_cast<int>(signal_number != 0 ? util::interrupt_error(signal_number).code() : code);
  };
  try {
    return static_cast<int>(work());
  } catch (const Error& e) {
    spdlog::error("{}", e.what());
    return exit_code(e.code());
  } catch (const std::exception& e) {
    spdlog::critical("internal error: {}", e.what());
    return exit_code(ExitCode::kSoftware);
  }
}

std::string help_footer() {
  return std::string(
             "\nThe password comes from the file named by --password-file or MYSQL_PASSWORD_FILE,\n"
             "else from MYSQL_PASSWORD; it is never a command-line argument.\n\n") +
         kExitCodeHelp;
}

}  // namespace pipeline::cli
