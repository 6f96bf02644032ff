// The declared lengths of text columns, read from SQL text such as
// schema.sql: what `dataloader --check` validates against when there is no
// server to ask, taken from the very statements a server is given.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::db {

struct ColumnLength {
  std::string table;
  std::string column;
  // In characters, as VARCHAR(n) and CHAR(n) declare it.
  std::size_t length = 0;

  bool operator==(const ColumnLength&) const = default;
};

// Every VARCHAR(n) and CHAR(n) column of every CREATE TABLE statement in
// `sql` (statements as split_statements splits them), in the order declared.
// Names may be backquoted; keywords and types are matched in any case; key
// and constraint clauses are skipped. Other statements are ignored.
std::vector<ColumnLength> column_lengths(std::string_view sql);

}  // namespace pipeline::db
