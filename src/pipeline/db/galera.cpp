#include "pipeline/db/galera.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace pipeline::db {
namespace {

constexpr std::uint64_t kMaxFragment = 16ull << 20;
constexpr std::uint64_t kMinFragment = 64ull << 10;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

Wsrep parse_wsrep(const std::vector<std::pair<std::string, std::string>>& variables) {
  bool on = false;
  bool provider = false;
  Wsrep wsrep;
  for (const auto& [name, value] : variables) {
    const std::string key = lower(name);
    if (key == "wsrep_on") on = lower(value) == "on" || value == "1";
    if (key == "wsrep_provider") provider = !value.empty() && lower(value) != "none";
    if (key == "wsrep_max_ws_size") {
      try {
        wsrep.max_ws_size = std::stoull(value);
      } catch (const std::exception&) {
        wsrep.max_ws_size = 0;
      }
    }
  }
  wsrep.galera = on && provider;
  return wsrep;
}

std::uint64_t fragment_bytes(const Wsrep& wsrep) {
  if (wsrep.max_ws_size == 0) return kMaxFragment;
  return std::clamp(wsrep.max_ws_size / 4, kMinFragment, kMaxFragment);
}

std::optional<std::string> cluster_session_setup(const Wsrep& wsrep) {
  if (!wsrep.galera) return std::nullopt;
  return fmt::format(
      "SET SESSION wsrep_trx_fragment_unit = 'bytes', wsrep_trx_fragment_size = {}, wsrep_sync_wait = 1",
      fragment_bytes(wsrep));
}

}  // namespace pipeline::db
