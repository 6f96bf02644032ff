// The people table as the loader writes it: its columns, a person's natural
// key, and the checksum of a row, each defined once. The checksum exists in
// two halves that must agree, one computed in C++ over the rows a shard sends
// and one in SQL over the rows the staging table holds; they stand side by
// side here, and a test checks them against each other on a real server.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::load {

// The columns, in the order the loader sends them.
inline const std::vector<std::string> kPeopleTableColumns = {"id", "given_name", "family_name", "date_of_birth",
                                                             "place_of_birth_id"};
// The same columns as an SQL list, for copying rows between tables.
inline constexpr std::string_view kPeopleColumnList = "id, given_name, family_name, date_of_birth, place_of_birth_id";

// Two people are the same person when these four columns are equal: as a
// join condition between rows `s` and `t`, and as the index that serves it.
inline constexpr std::string_view kSamePerson =
    "t.place_of_birth_id = s.place_of_birth_id AND t.date_of_birth = s.date_of_birth "
    "AND t.family_name = s.family_name AND t.given_name = s.given_name";
inline constexpr std::string_view kNaturalKeyIndex =
    "natural_key (place_of_birth_id, date_of_birth, family_name, given_name, id)";

// The checksum of one row: CRC32 of its columns' text joined by tabs.
// SQL half: the same over a table's columns (sum it over the rows).
inline constexpr std::string_view kRowChecksumSql =
    "CRC32(CONCAT_WS(CHAR(9), id, given_name, family_name, date_of_birth, place_of_birth_id))";

// C++ half. Keeps its buffer between rows; one per thread.
class RowChecksum {
 public:
  // The columns as sent: id and place id in decimal, the date as YYYY-MM-DD.
  std::uint32_t operator()(std::string_view id, std::string_view given_name, std::string_view family_name,
                           std::string_view date_of_birth, std::string_view place_of_birth_id);

 private:
  std::string text_;
};

}  // namespace pipeline::load
