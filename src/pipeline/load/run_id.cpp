#include "pipeline/load/run_id.hpp"

#include <algorithm>
#include <chrono>
#include <random>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "pipeline/error.hpp"

namespace pipeline::load {

std::string make_run_id() {
  std::random_device device;
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y%m%dT%H%M%SZ}-{:06x}", now, device() & 0xFFFFFF);
}

bool is_valid_run_id(std::string_view id) {
  return !id.empty() && id.size() <= 40 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

void check_run_id(const std::string& id) {
  if (!is_valid_run_id(id))
    throw Error(ExitCode::kUsage, fmt::format("--run-id '{}': use 1 to 40 letters, digits, '-' or '_'", id));
}

}  // namespace pipeline::load
