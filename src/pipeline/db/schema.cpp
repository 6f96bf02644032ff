#include "pipeline/db/schema.hpp"

#include <algorithm>

#include "pipeline/db/session.hpp"

extern const std::string_view kEmbeddedSchemaSql;

namespace pipeline::db {

const std::vector<std::string_view> kSchemaTables = {"places", "people", "load_runs", "load_shards"};

std::string_view schema_sql() { return kEmbeddedSchemaSql; }

std::vector<std::string> split_statements(std::string_view sql) {
  std::vector<std::string> statements;
  std::string current;
  auto flush = [&] {
    const auto begin = current.find_first_not_of(" \t\r\n");
    if (begin != std::string::npos) {
      const auto end = current.find_last_not_of(" \t\r\n");
      statements.push_back(current.substr(begin, end - begin + 1));
    }
    current.clear();
  };
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      current += c;
      if (c == '\\' && quote != '`' && i + 1 < sql.size()) {
        current += sql[++i];
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '\'' || c == '"' || c == '`') {
      quote = c;
      current += c;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n') ++i;
      current += '\n';
    } else if (c == '#') {
      while (i < sql.size() && sql[i] != '\n') ++i;
      current += '\n';
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const auto end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 1;
      current += ' ';
    } else if (c == ';') {
      flush();
    } else {
      current += c;
    }
  }
  flush();
  return statements;
}

std::vector<std::string> ensure_schema(Session& session) {
  const ResultTable existing =
      session.query("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()");
  std::vector<std::string> missing;
  for (std::string_view table : kSchemaTables) {
    const bool found =
        std::any_of(existing.rows.begin(), existing.rows.end(), [&](const auto& row) { return row.at(0) == table; });
    if (!found) missing.emplace_back(table);
  }
  if (missing.empty()) return missing;
  for (const std::string& statement : split_statements(schema_sql())) session.execute(statement);
  return missing;
}

}  // namespace pipeline::db
