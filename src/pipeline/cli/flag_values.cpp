#include "pipeline/cli/flag_values.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "pipeline/error.hpp"

namespace pipeline::cli {
namespace {

[[noreturn]] void refuse(std::string_view source, std::string_view text, const std::string& problem) {
  throw Error(ExitCode::kUsage, fmt::format("{}={}: {}", source, text, problem));
}

}  // namespace

std::string port_problem(std::string_view text) {
  unsigned long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error == std::errc::invalid_argument || end != text.data() + text.size()) {
    return "not a number: a TCP port is a whole number from 1 to 65535";
  }
  if (error == std::errc::result_out_of_range || value < 1 || value > 65535) {
    return "out of range: a TCP port is from 1 to 65535";
  }
  return "";
}

std::string seconds_problem(std::string_view text, double max) {
  const std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || std::isspace(static_cast<unsigned char>(copy.front()))) {
    return "not a number of seconds";
  }
  if (!std::isfinite(value)) return "not a finite number of seconds";
  if (value < 0 || value > max) return fmt::format("out of range: from 0 to {:.0f} seconds", max);
  return "";
}

std::string ssl_mode_problem(std::string_view text) {
  if (db::parse_ssl_mode(text)) return "";
  return fmt::format("not an SSL mode: use {}", db::kSslModeChoices);
}

unsigned parse_port(std::string_view source, std::string_view text) {
  if (std::string problem = port_problem(text); !problem.empty()) refuse(source, text, problem);
  return static_cast<unsigned>(std::stoul(std::string(text)));
}

double parse_seconds(std::string_view source, std::string_view text, double max) {
  if (std::string problem = seconds_problem(text, max); !problem.empty()) refuse(source, text, problem);
  return std::strtod(std::string(text).c_str(), nullptr);
}

db::SslMode parse_ssl_mode(std::string_view source, std::string_view text) {
  if (std::string problem = ssl_mode_problem(text); !problem.empty()) refuse(source, text, problem);
  return *db::parse_ssl_mode(text);
}

CLI::Validator port_validator() {
  return CLI::Validator([](std::string& value) { return port_problem(value); }, "PORT");
}

CLI::Validator seconds_validator(double max) {
  return CLI::Validator([max](std::string& value) { return seconds_problem(value, max); }, "SECONDS");
}

CLI::Validator ssl_mode_validator() {
  return CLI::Validator([](std::string& value) { return ssl_mode_problem(value); }, "MODE");
}

}  // namespace pipeline::cli
