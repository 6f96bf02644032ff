// Flags both tools share (where the database is, how to log) and the
// process-level plumbing around each tool's main.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
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

// A file a run reads or writes, with the flag that named it.
struct NamedPath {
  std::string flag;
  std::filesystem::path path;
};

// Throws Error(kUsage), naming both flags, when an output is the same file as
// an input (same device and inode): run before anything is opened for
// writing, so that `--rejects people.csv` cannot truncate the input. Empty
// paths are skipped.
void refuse_outputs_that_are_inputs(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs);

// Parses the command line. Returns the exit code to stop with: 0 after
// --help or --version, 64 for a bad command line; nullopt to carry on.
std::optional<int> parse(CLI::App& app, int argc, char** argv);

// Runs a tool's work and maps what escapes it to an exit code: an Error to
// its own code, anything else to 70. The message goes to the log.
int run_guarded(const std::function<ExitCode()>& work);

// The --help footer: exit codes and where the password comes from.
std::string help_footer();

}  // namespace pipeline::cli
