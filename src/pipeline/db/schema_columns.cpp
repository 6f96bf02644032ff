#include "pipeline/db/schema_columns.hpp"

#include <regex>

#include "pipeline/db/schema.hpp"

namespace pipeline::db {
namespace {

// The definitions between a CREATE TABLE's outer parentheses, split on the
// commas at their top level (not those inside a KEY's column list, a type's
// arguments or a quoted COMMENT).
std::vector<std::string> definitions(std::string_view body) {
  std::vector<std::string> items;
  std::string current;
  int depth = 0;
  char quote = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (quote != 0) {
      if (c == '\\' && quote != '`' && i + 1 < body.size()) {
        current += c;
        current += body[++i];
        continue;
      }
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"' || c == '`') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == ',' && depth == 0) {
      items.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  items.push_back(current);
  return items;
}

}  // namespace

std::vector<ColumnLength> column_lengths(std::string_view sql) {
  static const std::regex kCreate(R"(^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`?(\w+)`?\s*\()", std::regex::icase);
  static const std::regex kTextColumn(R"(^\s*`?(\w+)`?\s+(?:VARCHAR|CHAR)\s*\(\s*(\d+)\s*\))", std::regex::icase);
  std::vector<ColumnLength> columns;
  for (const std::string& statement : split_statements(sql)) {
    std::smatch create;
    if (!std::regex_search(statement, create, kCreate)) continue;
    const auto open = static_cast<std::size_t>(create.position(0) + create.length(0));
    const auto close = statement.rfind(')');
    if (close == std::string::npos || close < open) continue;
    for (const std::string& item : definitions(std::string_view(statement).substr(open, close - open))) {
      std::smatch column;
      if (!std::regex_search(item, column, kTextColumn)) continue;
      columns.push_back({create[1].str(), column[1].str(), std::stoul(column[2].str())});
    }
  }
  return columns;
}

}  // namespace pipeline::db
