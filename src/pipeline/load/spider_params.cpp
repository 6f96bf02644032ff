#include "pipeline/load/spider_params.hpp"

#include <cctype>

namespace pipeline::load {
namespace {

std::string canonical(std::string name) {
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name == "srv") return "server";
  if (name == "tbl") return "table";
  if (name == "db") return "database";
  return name;
}

void skip_space(std::string_view text, std::size_t& at) {
  while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at]))) ++at;
}

}  // namespace

std::optional<SpiderParams> parse_spider_params(std::string_view text) {
  SpiderParams params;
  std::size_t at = 0;
  skip_space(text, at);
  while (at < text.size()) {
    const std::size_t name_begin = at;
    while (at < text.size() && (std::isalnum(static_cast<unsigned char>(text[at])) || text[at] == '_')) ++at;
    if (at == name_begin) return std::nullopt;
    std::string name = canonical(std::string(text.substr(name_begin, at - name_begin)));
    skip_space(text, at);
    if (at >= text.size() || (text[at] != '"' && text[at] != '\'')) return std::nullopt;
    const char quote = text[at++];
    std::string value;
    for (;;) {
      if (at >= text.size()) return std::nullopt;
      const char c = text[at++];
      if (c == quote) break;
      if (c == '\\') {
        if (at >= text.size()) return std::nullopt;
        value += text[at++];
      } else {
        value += c;
      }
    }
    if (!params.emplace(std::move(name), std::move(value)).second) return std::nullopt;
    skip_space(text, at);
    if (at == text.size()) break;
    if (text[at] != ',') return std::nullopt;
    ++at;
    skip_space(text, at);
    if (at == text.size()) return std::nullopt;
  }
  return params;
}

}  // namespace pipeline::load
