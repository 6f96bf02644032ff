// Read-only questions about the database a load writes to: its live people
// and places tables, their column limits and engine, and which tables exist.
// Nothing here changes anything.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/load/validate.hpp"

namespace pipeline::db {
class Session;
}

namespace pipeline::load {

// The column lengths of people and places, as the live schema declares them
// (column_limits.hpp maps them). Throws Error(kSoftware) if a column is missing.
Limits read_limits(db::Session& session);

bool table_exists(db::Session& session, std::string_view table);

// Whether `table` is a Spider table: its rows live on other servers, and
// CREATE TABLE ... LIKE it would make a table that reads and writes those
// same remote tables.
bool is_spider_table(db::Session& session, std::string_view table);

// The COMMENT of `table` in the session's database ("" if none): on a Spider
// table, its connection parameters (spider_params.hpp).
std::string table_comment(db::Session& session, std::string_view table);

// Whether `table` holds at least one row.
bool has_rows(db::Session& session, std::string_view table);

struct StoredPlace {
  std::uint32_t id = 0;
  std::string city, county, country;
};

// Every row of places.
std::vector<StoredPlace> stored_places(db::Session& session);

// Whether the server allows LOAD DATA LOCAL: @@GLOBAL.local_infile.
bool server_allows_local_infile(db::Session& session);

// The largest person id stored, 0 for none: an append's ids start above it.
std::uint64_t max_person_id(db::Session& session);

}  // namespace pipeline::load
