// Flags both tools share (where the database is, how to log) and the
// process-level plumbing around each tool's main.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "pipeline/db/connection_options.hpp"
#include "pipeline/error.hpp"
#include "pipeline/util/logging.hpp"

namespace pipeline::cli {

// Raw flag values that need work after parsing.
struct CommonFlags {
  std::string password_file;
  double connect_timeout_seconds = 60;
};

// --host, --port, --socket, --user, --database, --password-file,
// --connect-timeout, --tls-ca, --tls-required; each with its MYSQL_*
// environment fallback. The password itself is never a flag: it comes from
// MYSQL_PASSWORD or the password file (see resolve_connection).
void add_connection_flags(CLI::App& app, db::ConnectionOptions& options, CommonFlags& flags);

// --log-dir and --log-level.
void add_logging_flags(CLI::App& app, util::LogOptions& options);

// Completes `options` after parsing: the timeout, and the password from the
// file named by --password-file / MYSQL_PASSWORD_FILE (trailing newline
// dropped), else from MYSQL_PASSWORD. Throws Error(kNoInput) for an
// unreadable password file, Error(kUsage) when no user is given.
void resolve_connection(db::ConnectionOptions& options, const CommonFlags& flags);

// Parses the command line. Returns the exit code to stop with: 0 after
// --help or --version, 64 for a bad command line; nullopt to carry on.
std::optional<int> parse(CLI::App& app, int argc, char** argv);

// Runs a tool's work and maps what escapes it to an exit code: an Error to
// its own code, anything else to 70; either, once SIGINT or SIGTERM came, to
// 130 or 143. The message goes to the log. Installs the signal handling of
// util/interrupt.hpp first, so call it before starting any thread.
int run_guarded(const std::function<ExitCode()>& work);

// The --help footer: exit codes and where the password comes from.
std::string help_footer();

}  // namespace pipeline::cli
