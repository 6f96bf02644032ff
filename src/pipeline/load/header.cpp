#include "pipeline/load/header.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "pipeline/error.hpp"
#include "pipeline/load/forbidden_characters.hpp"
#include "pipeline/load/reject_log.hpp"
#include "pipeline/util/utf8.hpp"

namespace pipeline::load {
namespace {

std::string normalised(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c != ' ' && c != '\t') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// A header name for a message: control bytes, invalid UTF-8 and any name
// holding a forbidden character (a C1 or bidirectional control, say) escaped,
// long names cut, so that a binary file cannot put raw bytes into a log line
// nor make a name display as another.
std::string quoted(std::string_view name) {
  constexpr std::size_t kMaxShown = 40;
  const bool clean =
      util::check_utf8(name).valid &&
      std::none_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }) &&
      !find_forbidden(name);
  std::string shown;
  if (clean) {
    shown = name.size() > kMaxShown ? std::string(name.substr(0, kMaxShown)) + "..." : std::string(name);
  } else {
    for (std::size_t i = 0; i < name.size() && i < kMaxShown; ++i) {
      const auto byte = static_cast<unsigned char>(name[i]);
      shown += byte >= 0x20 && byte < 0x7F ? std::string(1, name[i]) : fmt::format("\\x{:02X}", byte);
    }
    if (name.size() > kMaxShown) shown += "...";
  }
  return "'" + shown + "'";
}

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
  const std::string_view first = header.empty() ? std::string_view() : header.front();
  if (first.substr(0, 2) == "\xFF\xFE" || first.substr(0, 2) == "\xFE\xFF") {
    problems.push_back("the file starts with a UTF-16 byte order mark: save it as UTF-8");
  } else if (header.size() == 1) {
    const std::string_view only = first;
    if (only.find(';') != std::string_view::npos) {
      problems.push_back("the columns are separated by ';': the file must be comma-separated");
    } else if (only.find('\t') != std::string_view::npos) {
      problems.push_back("the columns are separated by tabs: the file must be comma-separated");
    }
  }
  std::vector<std::string> names;
  for (std::string_view name : expected) names.emplace_back(name);
  return fmt::format("bad header: {}; expected the columns {}", fmt::join(problems, "; "), fmt::join(names, ","));
}

HeaderMap read_header(csv::Reader& reader, const std::string& name, std::span<const std::string_view> expected,
                      RejectLog& rejects) {
  csv::Record record;
  std::string problem;
  if (!reader.next(record)) {
    problem = fmt::format("the file is empty: it needs at least the header line {}", fmt::join(expected, ","));
    record.line = 1;
  } else if (!record.error.empty()) {
    problem = "bad header: " + record.error;
  } else {
    auto mapped = map_header(record.fields, expected);
    if (auto* map = std::get_if<HeaderMap>(&mapped)) return *map;
    problem = std::get<std::string>(mapped);
  }
  rejects.add(name, record.line, "(header)", problem, record.raw_text());
  throw Error(ExitCode::kDataError, fmt::format("{}:{}: {}", name, record.line, problem));
}

}  // namespace pipeline::load
