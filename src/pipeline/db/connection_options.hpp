// Where and how to connect; shared by both tools and both client libraries.
#pragma once

#include <chrono>
#include <string>

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
  // CA certificate file to verify the server against. Empty: no verification
  // unless tls_required, which then uses the system's CA store.
  std::string tls_ca;
  // Refuse to talk to a server without TLS, and verify its certificate.
  // Default off (the local socket and compose's private network need none).
  bool tls_required = false;

  bool uses_socket() const { return host == "localhost"; }
  // "user@host:port/database" or "user@localhost(socket)/database", for messages.
  std::string describe() const;
};

}  // namespace pipeline::db
