// The mysql client's --ssl-mode, as an enum: how much TLS a connection
// demands. It becomes text only on the command line and in messages.
#pragma once

#include <optional>
#include <string_view>

namespace pipeline::db {

enum class SslMode {
  kDisabled,        // plain text, whatever the server offers
  kPreferred,       // TLS if the server offers it, else plain text
  kRequired,        // TLS or no connection; the certificate is not checked (but see tls_policy.hpp)
  kVerifyCa,        // TLS with a certificate a trusted CA signed
  kVerifyIdentity,  // as kVerifyCa, and the certificate names the host connected to
};

// "DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY".
std::string_view to_string(SslMode mode);
// The mode `text` names, ignoring case as the mysql client does; nullopt if none.
std::optional<SslMode> parse_ssl_mode(std::string_view text);

// "DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY", for messages.
inline constexpr std::string_view kSslModeChoices = "DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY";

}  // namespace pipeline::db
