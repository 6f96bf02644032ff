// The cities people.csv may name, each with its id in places: the rows of
// places.csv and, in append mode, the places already stored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pipeline/load/validate.hpp"

namespace pipeline::load {

struct Place {
  enum class Change {
    kStored,     // in the database, not in places.csv
    kNew,        // from places.csv, to be inserted
    kChanged,    // from places.csv, stored with another county or country
    kUnchanged,  // from places.csv, stored exactly so already
  };
  std::uint32_t id = 0;
  std::string city;
  std::string county;
  std::string country;
  // Line in places.csv, or 0 for a stored place the file does not list.
  std::size_t line = 0;
  Change change = Change::kNew;
};

class PlaceSet {
 public:
  // Adds a place already in the database.
  void add_stored(std::uint32_t id, std::string city, std::string county, std::string country);

  // Adds a validated places.csv row found at `line`. A new city gets the next
  // id after the largest one seen. Returns why the row is rejected: its city
  // was listed earlier in the file.
  std::optional<std::string> add_from_file(const PlaceRow& row, std::size_t line);

  // Remembers that places.csv listed `city` at `line` but the row was rejected.
  void note_rejected(std::string_view city, std::size_t line);

  const Place* find(std::string_view city) const;
  // Why `city` is unknown, for a reject message.
  std::string unknown_reason(std::string_view city, bool stored_places_count) const;

  // The places to insert or update, in file order.
  std::vector<const Place*> changes() const;
  const std::vector<Place>& all() const { return places_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<Place> places_;
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> by_city_;
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> rejected_;
  std::uint32_t max_id_ = 0;
};

}  // namespace pipeline::load
