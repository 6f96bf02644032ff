#include "pipeline/db/tls_policy.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "pipeline/error.hpp"

namespace pipeline::db {
namespace {

constexpr int kSslConnectionError = 2026;  // CR_SSL_CONNECTION_ERROR

bool contains(std::string_view text, std::string_view part) {
  return std::search(text.begin(), text.end(), part.begin(), part.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         }) != text.end();
}

// "--ssl-mode VERIFY_IDENTITY", or what implied it.
std::string mode_phrase(const TlsSettings& tls, const ConnectionOptions& options) {
  if (options.ssl_mode) return fmt::format("--ssl-mode {}", to_string(tls.mode));
  const char* implied_by = options.ssl_ca.empty() ? "--ssl-cert" : "--ssl-ca";
  return fmt::format("--ssl-mode {} (implied by {})", to_string(tls.mode), implied_by);
}

std::string host_of(const ConnectionOptions& options) {
  return options.uses_socket() ? std::string("localhost") : options.host;
}

}  // namespace

SslMode effective_ssl_mode(const ConnectionOptions& options) {
  if (options.ssl_mode) return *options.ssl_mode;
  if (!options.ssl_ca.empty()) return SslMode::kVerifyIdentity;
  if (!options.ssl_cert.empty() || !options.ssl_key.empty()) return SslMode::kRequired;
  return SslMode::kDisabled;
}

TlsSettings decide_tls(const ConnectionOptions& options) {
  if (options.ssl_cert.empty() != options.ssl_key.empty()) {
    throw Error(ExitCode::kUsage, options.ssl_cert.empty()
                                      ? "--ssl-key names a private key but no --ssl-cert names its certificate"
                                      : "--ssl-cert names a client certificate but no --ssl-key names its key");
  }
  TlsSettings tls;
  tls.mode = effective_ssl_mode(options);
  if (tls.mode == SslMode::kDisabled) return tls;
  tls.use_tls = true;
  tls.ca = options.ssl_ca;
  tls.cert = options.ssl_cert;
  tls.key = options.ssl_key;
  // A CA given is always checked against: the library verifies the chain
  // whenever it has one, even for PREFERRED and REQUIRED.
  tls.verify_chain = !tls.ca.empty();
  switch (tls.mode) {
    case SslMode::kDisabled:
    case SslMode::kPreferred:
      break;
    case SslMode::kRequired:
      tls.enforce = true;
      break;
    case SslMode::kVerifyCa:  // checks the host as well: see the header
    case SslMode::kVerifyIdentity:
      tls.enforce = true;
      tls.verify_chain = true;
      tls.verify_host = true;
      break;
  }
  return tls;
}

std::string tls_refusal_hint(const TlsSettings& tls, const ConnectionOptions& options, int error_number,
                             std::string_view message) {
  if (error_number != kSslConnectionError) return "";
  const std::string mode = mode_phrase(tls, options);
  if (contains(message, "does not support it")) {
    return fmt::format(
        "the server offers no TLS and {} requires it: turn TLS on in the server, or, only on a network you "
        "trust, pass --ssl-mode PREFERRED or DISABLED",
        mode);
  }
  if (contains(message, "validation of ssl server certificate failed")) {
    return fmt::format(
        "the server's certificate does not name the host '{}' and {} requires it to (VERIFY_CA checks the name "
        "too with this client library): connect with --host set to a name the certificate holds, or give the "
        "server a certificate that names '{}'",
        host_of(options), mode, host_of(options));
  }
  if (contains(message, "no certificate or crl found") || contains(message, "no start line") ||
      contains(message, "pem")) {
    return fmt::format(
        "a file given as --ssl-ca, --ssl-cert or --ssl-key holds no PEM certificate or key ({}): check that each "
        "names the right file",
        mode);
  }
  if (contains(message, "unknown ca") || contains(message, "bad certificate")) {
    return fmt::format(
        "the server did not accept the client certificate ({}): use a certificate signed by a CA the server trusts "
        "(its ssl_ca)",
        mode);
  }
  if (contains(message, "certificate") || contains(message, "verify")) {
    const std::string against =
        tls.ca.empty() ? std::string("any CA in the system's store") : fmt::format("the CA in {}", tls.ca);
    return fmt::format(
        "the server's certificate did not verify against {} ({}): pass the CA that signed it with --ssl-ca", against,
        mode);
  }
  return fmt::format("TLS failed under {}: check --ssl-ca, --ssl-cert and --ssl-key, and the server's TLS setup", mode);
}

void require_encrypted(const TlsSettings& tls, const ConnectionOptions& options, bool encrypted) {
  if (!tls.enforce || encrypted) return;
  throw Error(ExitCode::kUsage,
              fmt::format("connecting to {}: the server did not encrypt the connection and {} requires it: turn "
                          "TLS on in the server, or, only on a network you trust, pass --ssl-mode PREFERRED or "
                          "DISABLED",
                          options.describe(), mode_phrase(tls, options)));
}

}  // namespace pipeline::db
