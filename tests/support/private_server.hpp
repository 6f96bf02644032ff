// A MariaDB server of a test's own, started by scripts/throwaway-db, for
// tests that stop or kill the server and must not disturb the shared one.
#pragma once

#include <filesystem>
#include <string>

#include "pipeline/db/connection_options.hpp"
#include "support/process.hpp"
#include "support/test_database.hpp"

namespace pipeline::testing {

// Where a scripts/throwaway-db server listens, as its DIR/env says, and how
// to reach it as the app user codetest (password from DIR/password).
struct ServerAddress {
  std::filesystem::path dir;
  std::string host, port, socket;

  // Reads DIR/env. Throws if it is missing.
  static ServerAddress read(const std::filesystem::path& dir);
  db::ConnectionOptions options(const std::string& database = "codetest") const;
  // MYSQL_* variables for a child process.
  EnvOverrides env(const std::string& database = "codetest") const;
};

class PrivateServer {
 public:
  // Starts a fresh server, with `server_args` (mariadbd options such as
  // "--wait-timeout=1") and `start_env` (scripts/throwaway-db's variables,
  // such as THROWAWAY_DB_SERVER_CERT) on every start. Throws if it does not
  // come up.
  explicit PrivateServer(std::string server_args = "", EnvOverrides start_env = {});
  // Stops it and removes its directory.
  ~PrivateServer();

  // Starts it again: same data, password and (if free) port.
  void start();
  // Shuts it down cleanly.
  void stop();
  // Stops it and starts it again with `server_args` from now on.
  void restart(std::string server_args);
  // SIGKILLs mariadbd, as a crash would.
  void kill9();
  // Runs `sql` as the server's administrator (SET GLOBAL, say), through
  // scripts/throwaway-db sql. Throws if it fails.
  void admin_sql(const std::string& sql) const;

  db::ConnectionOptions options(const std::string& database = "codetest") const;
  // The server's root account, over its socket (as the OS user root).
  db::ConnectionOptions root_options() const;
  // MYSQL_* variables for a child process.
  EnvOverrides env(const std::string& database = "codetest") const;
  const TempDir& dir() const { return dir_; }

 private:
  std::string server_args_;
  EnvOverrides start_env_;
  TempDir dir_;
  ServerAddress address_;
};

}  // namespace pipeline::testing
