// Which declared column bounds which of the validator's limits, whatever
// declares it: the live server's information_schema (a load, live_tables.cpp)
// or the schema.sql embedded in the binary (`dataloader --check`, which has
// no server). The mapping lives here alone, so both sources feed one rule.
#pragma once

#include <string_view>
#include <vector>

#include "pipeline/db/schema_columns.hpp"
#include "pipeline/load/validate.hpp"

namespace pipeline::load {

// The limits `columns` declare for people.given_name, people.family_name,
// places.city, places.county and places.country (place_of_birth is bounded
// by places.city). Other columns are ignored. Throws Error(kSoftware) naming
// `source` and the first of those five columns that `columns` lacks.
Limits limits_from(const std::vector<db::ColumnLength>& columns, std::string_view source);

// limits_from() the embedded schema.sql's CREATE TABLE statements.
Limits schema_limits();

}  // namespace pipeline::load
