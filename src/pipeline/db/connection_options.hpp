// Where and how to connect; shared by both tools and both client libraries.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "pipeline/db/ssl_mode.hpp"

namespace pipeline::db {

struct ConnectionOptions {
  // Server host. "localhost" (the default) means the unix socket, as with the
  // mysql client; anything else is TCP.
  std::string host = "localhost";
  // TCP port. Default 3306.
  unsigned port = 3306;
  // Unix socket path, used when host is "localhost". Default: Debian's.
  std::string socket = "/run/mysqld/mysqld.sock";
  std::string user;
  // Never logged, never put into a message or the ledger.
  std::string password;
  // Default "codetest".
  std::string database = "codetest";
  // How long connecting may keep retrying transient failures. Default 60 s.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(60)};
  // --ssl-mode. nullopt (the default): decided from the files given, see
  // decide_tls in tls_policy.hpp (VERIFY_IDENTITY with a CA, else REQUIRED
  // with a client certificate, else DISABLED).
  std::optional<SslMode> ssl_mode;
  // CA certificate file to verify the server against. Empty (the default):
  // a mode that verifies uses the system's CA store.
  std::string ssl_ca;
  // Client certificate and its private key, for a user created REQUIRE X509
  // (or SUBJECT/ISSUER). Both or neither. Default: none.
  std::string ssl_cert;
  std::string ssl_key;

  bool uses_socket() const { return host == "localhost"; }
  // "user@host:port/database" or "user@localhost(socket)/database", for messages.
  std::string describe() const;
  // The server alone: "host:port", or the socket's path.
  std::string address() const;
};

}  // namespace pipeline::db
