// The TLS decision both client libraries apply: every mode, with and without
// a CA and a client certificate, and the words of a refusal.
#include "pipeline/db/tls_policy.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "pipeline/error.hpp"

namespace pipeline::db {
namespace {

TEST(SslModeTest, NamesRoundTripAndParseIgnoresCase) {
  for (const auto mode :
       {SslMode::kDisabled, SslMode::kPreferred, SslMode::kRequired, SslMode::kVerifyCa, SslMode::kVerifyIdentity}) {
    EXPECT_EQ(parse_ssl_mode(to_string(mode)), mode);
  }
  EXPECT_EQ(parse_ssl_mode("verify_identity"), SslMode::kVerifyIdentity);
  EXPECT_EQ(parse_ssl_mode("Required"), SslMode::kRequired);
  EXPECT_FALSE(parse_ssl_mode("VERIFY"));
  EXPECT_FALSE(parse_ssl_mode("REQUIRED "));
  EXPECT_FALSE(parse_ssl_mode(""));
}

struct Case {
  std::optional<SslMode> mode;
  bool ca, cert;
  // Expected:
  SslMode effective;
  bool use_tls, enforce, verify_chain, verify_host;
};

// Every given mode, and none, with and without a CA and a client certificate.
const Case kCases[] = {
    // Nothing given: plain text, as before; a CA alone means VERIFY_IDENTITY,
    // a client certificate alone REQUIRED.
    {std::nullopt, false, false, SslMode::kDisabled, false, false, false, false},
    {std::nullopt, true, false, SslMode::kVerifyIdentity, true, true, true, true},
    {std::nullopt, false, true, SslMode::kRequired, true, true, false, false},
    {std::nullopt, true, true, SslMode::kVerifyIdentity, true, true, true, true},
    // DISABLED ignores every file.
    {SslMode::kDisabled, false, false, SslMode::kDisabled, false, false, false, false},
    {SslMode::kDisabled, true, true, SslMode::kDisabled, false, false, false, false},
    // PREFERRED falls back to plain text; a CA given is still checked against.
    {SslMode::kPreferred, false, false, SslMode::kPreferred, true, false, false, false},
    {SslMode::kPreferred, true, true, SslMode::kPreferred, true, false, true, false},
    {SslMode::kRequired, false, false, SslMode::kRequired, true, true, false, false},
    {SslMode::kRequired, true, false, SslMode::kRequired, true, true, true, false},
    // VERIFY_CA checks the host too: the only fail-closed setting this
    // client library has (tls_policy.hpp). Without a CA: the system's store.
    {SslMode::kVerifyCa, false, false, SslMode::kVerifyCa, true, true, true, true},
    {SslMode::kVerifyCa, true, true, SslMode::kVerifyCa, true, true, true, true},
    {SslMode::kVerifyIdentity, false, false, SslMode::kVerifyIdentity, true, true, true, true},
    {SslMode::kVerifyIdentity, true, true, SslMode::kVerifyIdentity, true, true, true, true},
};

TEST(TlsPolicyTest, DecidesEveryModeWithAndWithoutFiles) {
  for (const Case& c : kCases) {
    ConnectionOptions options;
    options.ssl_mode = c.mode;
    if (c.ca) options.ssl_ca = "ca.pem";
    if (c.cert) {
      options.ssl_cert = "cert.pem";
      options.ssl_key = "key.pem";
    }
    const std::string label =
        fmt::format("mode {} ca {} cert {}", c.mode ? to_string(*c.mode) : "(none)", c.ca, c.cert);
    const TlsSettings tls = decide_tls(options);
    EXPECT_EQ(tls.mode, c.effective) << label;
    EXPECT_EQ(effective_ssl_mode(options), c.effective) << label;
    EXPECT_EQ(tls.use_tls, c.use_tls) << label;
    EXPECT_EQ(tls.enforce, c.enforce) << label;
    EXPECT_EQ(tls.verify_chain, c.verify_chain) << label;
    EXPECT_EQ(tls.verify_host, c.verify_host) << label;
    // Files reach the library only when TLS is asked for.
    EXPECT_EQ(tls.ca, c.use_tls && c.ca ? "ca.pem" : "") << label;
    EXPECT_EQ(tls.cert, c.use_tls && c.cert ? "cert.pem" : "") << label;
    EXPECT_EQ(tls.key, c.use_tls && c.cert ? "key.pem" : "") << label;
    // What the libraries can do: a chain is checked without the host only
    // against a CA given (the handshake's own check), and every mode that
    // verifies also enforces.
    EXPECT_TRUE(!tls.verify_chain || tls.verify_host || !tls.ca.empty()) << label;
    EXPECT_TRUE(!tls.verify_host || (tls.enforce && tls.verify_chain)) << label;
    EXPECT_TRUE(!tls.enforce || tls.use_tls) << label;
  }
}

TEST(TlsPolicyTest, NeverWeakerThanAModeAsks) {
  for (const auto mode : {SslMode::kRequired, SslMode::kVerifyCa, SslMode::kVerifyIdentity}) {
    for (const bool ca : {false, true}) {
      ConnectionOptions options;
      options.ssl_mode = mode;
      if (ca) options.ssl_ca = "ca.pem";
      const TlsSettings tls = decide_tls(options);
      EXPECT_TRUE(tls.enforce) << to_string(mode);
      EXPECT_TRUE(mode == SslMode::kRequired || (tls.verify_chain && tls.verify_host)) << to_string(mode);
    }
  }
}

TEST(TlsPolicyTest, ACertificateWithoutItsKeyOrTheReverseIsAUsageError) {
  for (const bool cert_only : {true, false}) {
    ConnectionOptions options;
    (cert_only ? options.ssl_cert : options.ssl_key) = "x.pem";
    try {
      decide_tls(options);
      ADD_FAILURE() << "accepted a lone " << (cert_only ? "certificate" : "key");
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::kUsage);
      EXPECT_NE(std::string(e.what()).find(cert_only ? "no --ssl-key" : "no --ssl-cert"), std::string::npos)
          << e.what();
    }
  }
}

TEST(TlsPolicyTest, RefusalsSayWhyAndWhatToChange) {
  ConnectionOptions options;
  options.host = "db.example";
  options.ssl_ca = "/etc/ca.pem";
  const TlsSettings tls = decide_tls(options);
  const auto hint = [&](std::string_view message) { return tls_refusal_hint(tls, options, 2026, message); };
  EXPECT_NE(hint("TLS/SSL error: SSL is required, but the server does not support it")
                .find("the server offers no TLS and --ssl-mode VERIFY_IDENTITY (implied by --ssl-ca) requires it"),
            std::string::npos);
  EXPECT_NE(
      hint("TLS/SSL error: Validation of SSL server certificate failed").find("does not name the host 'db.example'"),
      std::string::npos);
  EXPECT_NE(hint("TLS/SSL error: self-signed certificate in certificate chain")
                .find("did not verify against the CA in /etc/ca.pem"),
            std::string::npos);
  EXPECT_NE(hint("TLS/SSL error: no certificate or crl found").find("holds no PEM certificate or key"),
            std::string::npos);
  EXPECT_NE(hint("TLS/SSL error: error:0480006C:PEM routines::no start line").find("holds no PEM"), std::string::npos);
  EXPECT_NE(hint("TLS/SSL error: tlsv1 alert unknown ca").find("did not accept the client certificate"),
            std::string::npos);
  EXPECT_NE(hint("TLS/SSL error: something new").find("TLS failed under"), std::string::npos);
  EXPECT_EQ(tls_refusal_hint(tls, options, 1045, "Access denied"), "");
}

TEST(TlsPolicyTest, AnUnencryptedConnectionIsRefusedOnlyWhenTheModeEnforces) {
  ConnectionOptions options;
  options.ssl_mode = SslMode::kPreferred;
  EXPECT_NO_THROW(require_encrypted(decide_tls(options), options, false));
  options.ssl_mode = SslMode::kRequired;
  EXPECT_NO_THROW(require_encrypted(decide_tls(options), options, true));
  try {
    require_encrypted(decide_tls(options), options, false);
    FAIL() << "REQUIRED accepted plain text";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("did not encrypt the connection and --ssl-mode REQUIRED requires it"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace pipeline::db
