// What TLS a connection demands: one pure decision from ConnectionOptions,
// which both client libraries apply (session.cpp maps it to Connector/C++
// properties, bulk_load.cpp to Connector/C options), and the words of a
// refusal. Both libraries run on MariaDB Connector/C 3.3, which does, as
// tests/system/tls_test.cpp shows:
//
// - MYSQL_OPT_SSL_ENFORCE (Connector/C++'s sslEnforce) only asks for TLS:
//   against a server without TLS it connects in plain text.
// - MYSQL_OPT_SSL_VERIFY_SERVER_CERT (sslVerify) is the one setting that
//   refuses a server without TLS before the client authenticates. It also
//   verifies the chain (against the CA given, else the system's store) and
//   that the certificate names the host connected to.
// - A CA given makes the handshake verify the chain, host check or not.
// - Connector/C++'s OPT_SSL_MODE is accepted and does nothing.
//
// So VERIFY_CA cannot be had without the host check except by letting a
// server that strips TLS see the authentication (and relay it): here
// VERIFY_CA checks the host too. REQUIRED, which checks no certificate, is
// enforced once connected: an unencrypted connection is closed and refused.
#pragma once

#include <string>
#include <string_view>

#include "pipeline/db/connection_options.hpp"

namespace pipeline::db {

struct TlsSettings {
  // The mode in force (given, or implied by the files), for messages.
  SslMode mode = SslMode::kDisabled;
  // Ask for TLS; the server may still not offer it.
  bool use_tls = false;
  // Refuse a connection that is not encrypted (see require_encrypted).
  bool enforce = false;
  // The server's certificate must chain to `ca`, or to the system's store
  // when `ca` is empty.
  bool verify_chain = false;
  // The certificate must name the host; set, the library refuses a server
  // without TLS before authenticating.
  bool verify_host = false;
  // Files to hand to the library; empty: none.
  std::string ca;
  std::string cert;
  std::string key;
};

// options.ssl_mode if given; else VERIFY_IDENTITY when a CA is given,
// REQUIRED when a client certificate or key is, DISABLED otherwise.
SslMode effective_ssl_mode(const ConnectionOptions& options);

// The settings both libraries apply. DISABLED hands them no file. Throws
// Error(kUsage) for a client certificate without its key or a key without
// its certificate.
TlsSettings decide_tls(const ConnectionOptions& options);

// For a connection attempt that failed with `error_number` and `message`:
// why TLS refused it and what to change, or empty if it was not TLS.
std::string tls_refusal_hint(const TlsSettings& tls, const ConnectionOptions& options, int error_number,
                             std::string_view message);

// Throws Error(kUsage), saying why and what to change, when `tls` enforces
// encryption and the connection to `options` is not `encrypted`.
void require_encrypted(const TlsSettings& tls, const ConnectionOptions& options, bool encrypted);

}  // namespace pipeline::db
