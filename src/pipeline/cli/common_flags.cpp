#include "pipeline/cli/common_flags.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/cli/flag_values.hpp"
#include "pipeline/db/option_files.hpp"
#include "pipeline/db/tls_policy.hpp"
#include "pipeline/util/interrupt.hpp"
#include "pipeline/util/log_text.hpp"
#include "pipeline/util/output_file.hpp"
#include "pipeline/util/output_path.hpp"

namespace pipeline::cli {

void add_connection_flags(CLI::App& app, db::ConnectionOptions& options, CommonFlags& flags) {
  // The short flags are the mysql client's, so -h is the host: help is
  // --help or -?.
  app.set_help_flag("--help,-?", "Print this help and exit");
  app.add_option("-h,--host", options.host, "Database host; 'localhost' means the unix socket")
      ->type_name("HOST")
      ->envname("MYSQL_HOST")
      ->each([&flags](const std::string&) { flags.host_given = true; })
      ->capture_default_str()
      ->group("Connection");
  // No envname: MYSQL_TCP_PORT is read in resolve_connection, so that a bad
  // value is reported under its own name.
  app.add_option("-P,--port", options.port, "TCP port (env MYSQL_TCP_PORT)")
      ->check(port_validator())
      ->each([&flags](const std::string&) { flags.port_given = true; })
      ->capture_default_str()
      ->group("Connection");
  app.add_option("-S,--socket", options.socket, "Unix socket, used when --host is localhost")
      ->type_name("SOCKET")
      ->envname("MYSQL_UNIX_PORT")
      ->each([&flags](const std::string&) { flags.socket_given = true; })
      ->capture_default_str()
      ->group("Connection");
  app.add_option("-u,--user", options.user, "Database user")
      ->type_name("USER")
      ->envname("MYSQL_USER")
      ->each([&flags](const std::string&) { flags.user_given = true; })
      ->group("Connection");
  app.add_option("-D,--database", options.database, "Database")
      ->type_name("NAME")
      ->envname("MYSQL_DATABASE")
      ->each([&flags](const std::string&) { flags.database_given = true; })
      ->capture_default_str()
      ->group("Connection");
  app.add_option("--password-file", flags.password_file,
                 "File holding the password (a compose secret, say; env MYSQL_PASSWORD_FILE); otherwise "
                 "MYSQL_PASSWORD is used")
      ->group("Connection");
  // Taken only to be refused, without echoing what followed it.
  app.add_option_function<std::string>(
         "-p,--password",
         [](const std::string&) { throw CLI::ValidationError("--password", std::string(kPasswordOnTheCommandLine)); },
         "Refused: see --password-file")
      ->expected(0, 1)
      ->group("Connection");
  app.add_option("--connect-timeout", flags.connect_timeout_seconds,
                 "Seconds to keep retrying while the database is unreachable, then exit 75 (env "
                 "MYSQL_CONNECT_TIMEOUT)")
      ->check(seconds_validator(kMaxConnectSeconds))
      ->each([&flags](const std::string&) { flags.connect_timeout_given = true; })
      ->capture_default_str()
      ->group("Connection");
  app.add_option("--ssl-mode", flags.ssl_mode,
                 "DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY, as the mysql client's (env "
                 "MYSQL_SSL_MODE). Default: VERIFY_IDENTITY with --ssl-ca, REQUIRED with --ssl-cert, else "
                 "DISABLED. VERIFY_CA checks the host name too with this client library")
      ->check(ssl_mode_validator())
      ->group("Connection");
  app.add_option("--ssl-ca,--tls-ca", options.ssl_ca,
                 "CA certificate to verify the server with; alone, it means --ssl-mode VERIFY_IDENTITY "
                 "(--tls-ca and MYSQL_TLS_CA are its old names)")
      ->type_name("FILE")
      ->envname("MYSQL_SSL_CA")
      ->each([&flags](const std::string&) { flags.ssl_ca_given = true; })
      ->group("Connection");
  app.add_option("--ssl-cert", options.ssl_cert, "Client certificate, for a user created REQUIRE X509; needs --ssl-key")
      ->type_name("FILE")
      ->envname("MYSQL_SSL_CERT")
      ->each([&flags](const std::string&) { flags.ssl_cert_given = true; })
      ->group("Connection");
  app.add_option("--ssl-key", options.ssl_key, "Private key of --ssl-cert")
      ->type_name("FILE")
      ->envname("MYSQL_SSL_KEY")
      ->each([&flags](const std::string&) { flags.ssl_key_given = true; })
      ->group("Connection");
  app.add_flag("--tls-required", flags.tls_required, "Old name of --ssl-mode VERIFY_IDENTITY")
      ->envname("MYSQL_TLS_REQUIRED")
      ->group("Connection");
  app.add_flag("--no-defaults", flags.no_defaults, "Read no option file (~/.my.cnf and the others)")
      ->group("Option files");
  app.add_option("--defaults-file", flags.defaults_file,
                 "Read only this option file, instead of /etc/my.cnf, /etc/mysql/my.cnf and ~/.my.cnf")
      ->group("Option files");
  app.add_option("--defaults-extra-file", flags.defaults_extra_file, "Also read this option file, last")
      ->group("Option files");
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

NamedPath password_file(const CommonFlags& flags) {
  if (!flags.password_file.empty()) return {"--password-file", flags.password_file};
  const char* path = std::getenv("MYSQL_PASSWORD_FILE");
  return {"MYSQL_PASSWORD_FILE", path == nullptr ? "" : path};
}

namespace {

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// The mode (flag, then environment, then --tls-required), and the files
// checked before any connection is tried.
void resolve_tls(db::ConnectionOptions& options, const CommonFlags& flags) {
  std::optional<std::string> mode_text;
  std::string mode_source = "--ssl-mode";
  if (!flags.ssl_mode.empty()) {
    mode_text = flags.ssl_mode;
  } else if ((mode_text = environment("MYSQL_SSL_MODE"))) {
    mode_source = "MYSQL_SSL_MODE";
  }
  if (mode_text) options.ssl_mode = parse_ssl_mode(mode_source, *mode_text);
  if (flags.tls_required) {
    if (options.ssl_mode && *options.ssl_mode != db::SslMode::kVerifyIdentity) {
      throw Error(ExitCode::kUsage,
                  fmt::format("--tls-required (MYSQL_TLS_REQUIRED) means --ssl-mode VERIFY_IDENTITY, but {} says {}",
                              mode_source, db::to_string(*options.ssl_mode)));
    }
    options.ssl_mode = db::SslMode::kVerifyIdentity;
  }
  const db::TlsSettings tls = db::decide_tls(options);
  const std::pair<const std::string*, const char*> files[] = {{&tls.ca, "--ssl-ca (MYSQL_SSL_CA)"},
                                                              {&tls.cert, "--ssl-cert (MYSQL_SSL_CERT)"},
                                                              {&tls.key, "--ssl-key (MYSQL_SSL_KEY)"}};
  for (const auto& [path, flag] : files) {
    if (path->empty()) continue;
    std::error_code ignored;
    errno = 0;
    std::ifstream in(*path, std::ios::binary);
    std::string why = !in.is_open() ? (errno != 0 ? std::strerror(errno) : "it cannot be opened")
                      : std::filesystem::is_directory(*path, ignored) ? "it is a directory"
                                                                      : "";
    if (!why.empty()) {
      throw Error(ExitCode::kNoInput, fmt::format("cannot read the file {} names, {}: {}", flag, *path, why));
    }
  }
}

// Fills what no flag and no environment variable set from the option files.
void apply_option_files(db::ConnectionOptions& options, const CommonFlags& flags, bool port_set, bool password_set,
                        bool ssl_ca_set) {
  if (flags.no_defaults && (!flags.defaults_file.empty() || !flags.defaults_extra_file.empty())) {
    throw Error(ExitCode::kUsage,
                "--no-defaults reads no option file: drop it, or drop --defaults-file and --defaults-extra-file");
  }
  const db::OptionFileValues file =
      db::read_option_files({!flags.no_defaults, flags.defaults_file, flags.defaults_extra_file, flags.option_group});
  const auto fill = [](std::string& value, bool given, const std::optional<std::string>& from_file) {
    if (from_file && !given) value = *from_file;
  };
  fill(options.host, flags.host_given, file.host);
  fill(options.socket, flags.socket_given, file.socket);
  fill(options.user, flags.user_given, file.user);
  fill(options.database, flags.database_given, file.database);
  fill(options.ssl_ca, ssl_ca_set, file.ssl_ca);
  fill(options.ssl_cert, flags.ssl_cert_given, file.ssl_cert);
  fill(options.ssl_key, flags.ssl_key_given, file.ssl_key);
  if (file.port && !port_set) options.port = *file.port;
  if (file.password && !password_set) options.password = *file.password;
}

}  // namespace

void resolve_connection(db::ConnectionOptions& options, const CommonFlags& flags) {
  bool port_set = flags.port_given;
  if (!flags.port_given) {
    if (auto port = environment("MYSQL_TCP_PORT")) {
      options.port = parse_port("MYSQL_TCP_PORT", *port);
      port_set = true;
    }
  }
  bool ssl_ca_set = flags.ssl_ca_given;
  if (!ssl_ca_set) {
    if (auto ca = environment("MYSQL_TLS_CA")) {
      options.ssl_ca = *ca;
      ssl_ca_set = true;
    }
  }
  double seconds = flags.connect_timeout_seconds;
  if (!flags.connect_timeout_given) {
    if (auto text = environment("MYSQL_CONNECT_TIMEOUT")) {
      seconds = parse_seconds("MYSQL_CONNECT_TIMEOUT", *text, kMaxConnectSeconds);
    }
  }
  options.connect_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
  const NamedPath named = password_file(flags);
  const std::string password_file = named.path.string();
  const std::string& named_by = named.flag;
  if (!password_file.empty()) {
    const auto unreadable = [&](const std::string& why) {
      return Error(ExitCode::kNoInput,
                   fmt::format("cannot read the password file {} named by {}: {}", password_file, named_by, why));
    };
    std::error_code ignored;
    if (std::filesystem::is_directory(password_file, ignored)) throw unreadable("it is a directory");
    errno = 0;
    std::ifstream in(password_file, std::ios::binary);
    if (!in.is_open()) throw unreadable(errno != 0 ? std::strerror(errno) : "it cannot be opened");
    std::string password((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw unreadable("a read error");
    if (!password.empty() && password.back() == '\n') password.pop_back();
    if (!password.empty() && password.back() == '\r') password.pop_back();
    options.password = std::move(password);
  } else if (auto password = environment("MYSQL_PASSWORD")) {
    options.password = *password;
  }
  apply_option_files(options, flags, port_set, !password_file.empty() || environment("MYSQL_PASSWORD").has_value(),
                     ssl_ca_set);
  if (options.user.empty()) {
    throw Error(ExitCode::kUsage, "no database user: pass --user (-u), set MYSQL_USER, or name it in an option file");
  }
  resolve_tls(options, flags);
}

void refuse_outputs_that_are_inputs(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs) {
  const auto refuse = [](const NamedPath& output, const NamedPath& other, std::string_view why) {
    throw Error(ExitCode::kUsage, fmt::format("{} {} is the same file as {} {}: {}; choose another path", output.flag,
                                              output.path.string(), other.flag, other.path.string(), why));
  };
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const NamedPath& output = outputs[i];
    if (output.path.empty()) continue;
    for (const NamedPath& input : inputs) {
      if (input.path.empty()) continue;
      // "-" is whatever standard output is: `--report-json - >> people.csv`.
      const bool same = util::is_standard_output(output.path) ? util::same_file_as_descriptor(input.path, 1)
                                                              : util::same_file(output.path, input.path);
      if (same) refuse(output, input, "writing it would destroy that input");
    }
    for (std::size_t k = i + 1; k < outputs.size(); ++k) {
      if (!outputs[k].path.empty() && util::same_output(output.path, outputs[k].path)) {
        refuse(output, outputs[k], "one would overwrite the other");
      }
    }
  }
}

std::optional<int> parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // The message quotes the command line, which may hold any bytes: escaped
    // as log lines are, so that it cannot drive the terminal.
    std::cerr << util::escape_log_text(e.what()) << "\nRun with --help for more information.\n";
    return static_cast<int>(ExitCode::kUsage);
  }
  return std::nullopt;
}

namespace {

// Logs the exception being handled and returns its exit code, passed through
// `map`: an Error's own code, anything else kSoftware.
int code_of_current_exception(const std::function<int(ExitCode)>& map) {
  try {
    throw;
  } catch (const Error& e) {
    spdlog::error("{}", e.what());
    return map(e.code());
  } catch (const std::exception& e) {
    spdlog::critical("internal error: {}", e.what());
    return map(ExitCode::kSoftware);
  }
}

}  // namespace

int run_guarded(const std::function<void()>& prepare, const std::function<ExitCode()>& work) {
  // Before the signal thread exists: the logger's sinks are set up here, and
  // nothing may log from another thread while they change.
  try {
    prepare();
  } catch (...) {
    return code_of_current_exception([](ExitCode code) { return static_cast<int>(code); });
  }
  // A closed socket or pipe must be an error to handle, not a silent death;
  // so must a file-size limit (ulimit -f).
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGXFSZ, SIG_IGN);
  // SIGINT and SIGTERM stop the work through its failure path (interrupt.hpp).
  util::install_interrupt_handling();
  try {
    return static_cast<int>(work());
  } catch (...) {
    // A failure after a signal is the signal's doing, whatever it broke on the way.
    return code_of_current_exception([](ExitCode code) {
      const int signal_number = util::interrupt_signal();
      return static_cast<int>(signal_number != 0 ? util::interrupt_error(signal_number).code() : code);
    });
  }
}

std::string help_footer() {
  return std::string(
             "\nThe password comes from the file named by --password-file or MYSQL_PASSWORD_FILE,\n"
             "else from MYSQL_PASSWORD; it is never a command-line argument.\n\n") +
         kExitCodeHelp;
}

}  // namespace pipeline::cli
