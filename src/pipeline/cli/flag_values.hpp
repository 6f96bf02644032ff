// The numbers both tools take, checked the same way whether they come from a
// flag or from the environment, with messages that say which and why.
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "pipeline/db/ssl_mode.hpp"

namespace pipeline::cli {

// Longest --connect-timeout: a day.
inline constexpr double kMaxConnectSeconds = 86400;

// Empty if `text` is a TCP port (1 to 65535, digits only); else why not.
std::string port_problem(std::string_view text);
// Empty if `text` is a finite number of seconds from 0 to `max`; else why not
// ("not a number", "not a finite number", the range).
std::string seconds_problem(std::string_view text, double max);

// Empty if `text` names an SSL mode (db::kSslModeChoices, in any case); else why not.
std::string ssl_mode_problem(std::string_view text);

// The value of `text`, which came from `source` (a flag or an environment
// variable). Throws Error(kUsage) "<source>=<text>: <problem>".
unsigned parse_port(std::string_view source, std::string_view text);
double parse_seconds(std::string_view source, std::string_view text, double max);
db::SslMode parse_ssl_mode(std::string_view source, std::string_view text);

// The checks as CLI11 validators, for the flags.
CLI::Validator port_validator();
CLI::Validator seconds_validator(double max);
CLI::Validator ssl_mode_validator();

}  // namespace pipeline::cli
