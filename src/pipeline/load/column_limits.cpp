#include "pipeline/load/column_limits.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "pipeline/db/schema.hpp"
#include "pipeline/error.hpp"

namespace pipeline::load {

Limits limits_from(const std::vector<db::ColumnLength>& columns, std::string_view source) {
  Limits limits;
  const struct {
    std::string_view table, column;
    std::size_t Limits::*field;
  } kBounds[] = {
      {"people", "given_name", &Limits::given_name},
      {"people", "family_name", &Limits::family_name},
      {"places", "city", &Limits::city},
      {"places", "county", &Limits::county},
      {"places", "country", &Limits::country},
  };
  for (const auto& bound : kBounds) {
    const auto found = std::find_if(columns.begin(), columns.end(), [&](const db::ColumnLength& c) {
      return c.table == bound.table && c.column == bound.column;
    });
    if (found == columns.end()) {
      throw Error(ExitCode::kSoftware,
                  fmt::format("{} declares no length for {}.{}", source, bound.table, bound.column));
    }
    limits.*bound.field = found->length;
  }
  return limits;
}

Limits schema_limits() { return limits_from(db::column_lengths(db::schema_sql()), "the embedded schema.sql"); }

}  // namespace pipeline::load
