// schema.sql, embedded at build time, and applying it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pipeline::db {

class Session;

// The text of schema.sql as it was when this binary was built.
std::string_view schema_sql();

// Splits SQL text into statements on the semicolons that end them, skipping
// comments and respecting quotes. Returns trimmed, non-empty statements.
std::vector<std::string> split_statements(std::string_view sql);

// Tables that schema.sql creates.
extern const std::vector<std::string_view> kSchemaTables;

// Applies schema.sql when any of its tables is missing from the session's
// database; every statement is CREATE ... IF NOT EXISTS, so existing tables
// and data are left alone. Returns the tables that were created.
std::vector<std::string> ensure_schema(Session& session);

}  // namespace pipeline::db
