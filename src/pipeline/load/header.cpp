#include "pipeline/load/header.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace pipeline::load {
namespace {

std::string normalised(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c != ' ' && c != '\t') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string quoted(std::string_view name) { return fmt::format("'{}'", name); }

}  // namespace

std::variant<HeaderMap, std::string> map_header(const std::vector<std::string_view>& header,
                                                std::span<const std::string_view> expected) {
  HeaderMap map;
  map.width = header.size();
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < header.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (header[j] == header[i]) {
        problems.push_back(fmt::format("column {} repeats {} (column {})", i + 1, quoted(header[i]), j + 1));
        break;
      }
    }
  }
  std::vector<bool> used(header.size(), false);
  for (std::string_view name : expected) {
    const auto found = std::find(header.begin(), header.end(), name);
    if (found != header.end()) {
      const auto position = static_cast<std::size_t>(found - header.begin());
      map.index.push_back(position);
      used[position] = true;
      continue;
    }
    std::string problem = fmt::format("missing column {}", quoted(name));
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (normalised(header[i]) == normalised(name)) {
        problem += fmt::format(" (column {} is {}: names must match exactly)", i + 1, quoted(header[i]));
        used[i] = true;
        break;
      }
    }
    problems.push_back(problem);
  }
  for (std::size_t i = 0; i < header.size(); ++i) {
    const bool repeated = std::find(header.begin(), header.begin() + static_cast<std::ptrdiff_t>(i), header[i]) !=
                          header.begin() + static_cast<std::ptrdiff_t>(i);
    if (!used[i] && !repeated) problems.push_back(fmt::format("unexpected column {}", quoted(header[i])));
  }
  if (problems.empty()) return map;
  std::vector<std::string> names;
  for (std::string_view name : expected) names.emplace_back(name);
  return fmt::format("bad header: {}; expected the columns {}", fmt::join(problems, "; "), fmt::join(names, ","));
}

}  // namespace pipeline::load
