// Flags both tools share (where the database is, how to log) and the
// process-level plumbing around each tool's main.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "pipeline/db/connection_options.hpp"
#include "pipeline/error.hpp"
#include "pipeline/util/logging.hpp"

namespace pipeline::cli {

// Raw flag values that need work after parsing.
struct CommonFlags {
  std::string password_file;
  double connect_timeout_seconds = 60;
  // Whether --port / --connect-timeout were given: else the environment's
  // value, if any, is checked and used by resolve_connection.
  bool port_given = false;
  bool connect_timeout_given = false;
  // --ssl-mode as given (MYSQL_SSL_MODE is read by resolve_connection).
  std::string ssl_mode;
  // --tls-required / MYSQL_TLS_REQUIRED: the old spelling of --ssl-mode VERIFY_IDENTITY.
  bool tls_required = false;
  // Option files (db/option_files.hpp): --no-defaults, --defaults-file,
  // --defaults-extra-file, and the tool's own group, set by its main.
  bool no_defaults = false;
  std::string defaults_file;
  std::string defaults_extra_file;
  std::string option_group;
  // Whether the flag or its environment variable gave a value: else an
  // option file may supply it.
  bool host_given = false;
  bool socket_given = false;
  bool user_given = false;
  bool database_given = false;
  bool ssl_ca_given = false;
  bool ssl_cert_given = false;
  bool ssl_key_given = false;
};

// What -p and --password say.
inline constexpr std::string_view kPasswordOnTheCommandLine =
    "passwords are never taken on the command line, where other users can see them: use --password-file, "
    "MYSQL_PASSWORD_FILE or MYSQL_PASSWORD";

// The mysql client's connection flags, each with its MYSQL_* environment
// fallback: -h/--host, -P/--port, -S/--socket, -u/--user, -D/--database,
// --ssl-mode, --ssl-ca, --ssl-cert, --ssl-key, and --password-file,
// --connect-timeout; --tls-ca and --tls-required are the old spellings of
// --ssl-ca and --ssl-mode VERIFY_IDENTITY; and the option file flags --no-defaults,
// --defaults-file, --defaults-extra-file. Help is
// --help or -?. -p/--password is refused (exit 64) without echoing its value:
// the password comes from MYSQL_PASSWORD or the password file (see
// resolve_connection).
void add_connection_flags(CLI::App& app, db::ConnectionOptions& options, CommonFlags& flags);

// --log-dir and --log-level.
void add_logging_flags(CLI::App& app, util::LogOptions& options);

// A file a run reads or writes, with the flag that named it.
struct NamedPath {
  std::string flag;
  std::filesystem::path path;
};

// The password file and what named it: --password-file, else
// MYSQL_PASSWORD_FILE; an empty path when neither is set.
NamedPath password_file(const CommonFlags& flags);

// Completes `options` after parsing: MYSQL_TCP_PORT and MYSQL_CONNECT_TIMEOUT
// unless the flag was given, the timeout, the TLS mode (--ssl-mode, else
// MYSQL_SSL_MODE, else --tls-required) and MYSQL_TLS_CA when no --ssl-ca or
// MYSQL_SSL_CA is given, and the password from the file named by
// --password-file / MYSQL_PASSWORD_FILE (trailing newline dropped), else
// from MYSQL_PASSWORD. Then what the option files hold fills each setting that
// no flag and no environment variable gave: a flag wins over the environment,
// which wins over the option files, which win over the built-in defaults.
// Throws Error(kUsage) for a bad environment value (the
// message names the variable), when no user is given, for a client
// certificate without its key (or the reverse) and for --tls-required with
// another --ssl-mode; Error(kNoInput) for an unreadable password file, CA,
// certificate or key (naming the flag or variable that named it).
void resolve_connection(db::ConnectionOptions& options, const CommonFlags& flags);

// Throws Error(kUsage), naming both flags, when an output is the same file as
// an input (same device and inode): run before anything is opened for
// writing, so that `--rejects people.csv` cannot truncate the input. Empty
// paths are skipped.
void refuse_outputs_that_are_inputs(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs);

// Parses the command line. Returns the exit code to stop with: 0 after
// --help or --version, 64 for a bad command line; nullopt to carry on.
std::optional<int> parse(CLI::App& app, int argc, char** argv);

// Runs a tool's work and maps what escapes it to an exit code: an Error to
// its own code, anything else to 70; either, once SIGINT or SIGTERM came, to
// 130 or 143. The message goes to the log. Runs `prepare` (the checks and
// the log file, which must not change while another thread logs) first, then
// installs the signal handling of util/interrupt.hpp, then runs `work`; call
// it before starting any thread.
int run_guarded(const std::function<void()>& prepare, const std::function<ExitCode()>& work);

// The --help footer: exit codes and where the password comes from.
std::string help_footer();

}  // namespace pipeline::cli
