#include "pipeline/db/ssl_mode.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace pipeline::db {
namespace {

constexpr std::array<std::pair<SslMode, std::string_view>, 5> kNames = {{
    {SslMode::kDisabled, "DISABLED"},
    {SslMode::kPreferred, "PREFERRED"},
    {SslMode::kRequired, "REQUIRED"},
    {SslMode::kVerifyCa, "VERIFY_CA"},
    {SslMode::kVerifyIdentity, "VERIFY_IDENTITY"},
}};

}  // namespace

std::string_view to_string(SslMode mode) {
  for (const auto& [value, name] : kNames) {
    if (value == mode) return name;
  }
  return "?";
}

std::optional<SslMode> parse_ssl_mode(std::string_view text) {
  for (const auto& [value, name] : kNames) {
    const bool same = std::equal(text.begin(), text.end(), name.begin(), name.end(), [](char a, char b) {
      return std::toupper(static_cast<unsigned char>(a)) == static_cast<unsigned char>(b);
    });
    if (same) return value;
  }
  return std::nullopt;
}

}  // namespace pipeline::db
