#include "pipeline/load/status.hpp"

#include <array>
#include <utility>

#include <fmt/format.h>

#include "pipeline/error.hpp"

namespace pipeline::load {
namespace {

constexpr std::array<std::pair<Mode, std::string_view>, 2> kModes = {{
    {Mode::kReplace, "replace"},
    {Mode::kAppend, "append"},
}};

constexpr std::array<std::pair<RunStatus, std::string_view>, 6> kRunStatuses = {{
    {RunStatus::kRunning, "running"},
    {RunStatus::kSucceeded, "succeeded"},
    {RunStatus::kRejected, "rejected"},
    {RunStatus::kFailed, "failed"},
    {RunStatus::kAbandoned, "abandoned"},
    {RunStatus::kStaged, "staged"},
}};

constexpr std::array<std::pair<ShardStatus, std::string_view>, 6> kShardStatuses = {{
    {ShardStatus::kRunning, "running"},
    {ShardStatus::kLoaded, "loaded"},
    {ShardStatus::kPublished, "published"},
    {ShardStatus::kRejected, "rejected"},
    {ShardStatus::kFailed, "failed"},
    {ShardStatus::kAbandoned, "abandoned"},
}};

template <class Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
  for (const auto& [known, name] : names) {
    if (known == value) return name;
  }
  throw Error(ExitCode::kSoftware, fmt::format("no name for value {}", static_cast<int>(value)));
}

template <class Enum, std::size_t N>
Enum value_of(const std::array<std::pair<Enum, std::string_view>, N>& names, std::string_view text,
              std::string_view what) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  throw Error(ExitCode::kSoftware, fmt::format("unknown {} '{}' in the ledger", what, text));
}

}  // namespace

std::string_view to_string(Mode mode) { return name_of(kModes, mode); }
std::string_view to_string(RunStatus status) { return name_of(kRunStatuses, status); }
std::string_view to_string(ShardStatus status) { return name_of(kShardStatuses, status); }

Mode parse_mode(std::string_view text) { return value_of(kModes, text, "mode"); }
RunStatus parse_run_status(std::string_view text) { return value_of(kRunStatuses, text, "run status"); }
ShardStatus parse_shard_status(std::string_view text) { return value_of(kShardStatuses, text, "shard status"); }

}  // namespace pipeline::load
