#include "pipeline/load/place_set.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace pipeline::load {

void PlaceSet::add_stored(std::uint32_t id, std::string city, std::string county, std::string country) {
  max_id_ = std::max(max_id_, id);
  by_city_.emplace(city, places_.size());
  places_.push_back(Place{id, std::move(city), std::move(county), std::move(country), 0, Place::Change::kStored});
}

std::optional<std::string> PlaceSet::add_from_file(const PlaceRow& row, std::size_t line) {
  const auto found = by_city_.find(row.city);
  if (found == by_city_.end()) {
    by_city_.emplace(std::string(row.city), places_.size());
    places_.push_back(Place{++max_id_, std::string(row.city), std::string(row.county), std::string(row.country), line,
                            Place::Change::kNew});
    return std::nullopt;
  }
  Place& place = places_[found->second];
  if (place.line != 0) {
    return fmt::format("'{}' is listed twice: first at line {}", row.city, place.line);
  }
  place.line = line;
  if (place.county == row.county && place.country == row.country) {
    place.change = Place::Change::kUnchanged;
  } else {
    place.county = row.county;
    place.country = row.country;
    place.change = Place::Change::kChanged;
  }
  return std::nullopt;
}

void PlaceSet::note_rejected(std::string_view city, std::size_t line) { rejected_.emplace(std::string(city), line); }

const Place* PlaceSet::find(std::string_view city) const {
  const auto found = by_city_.find(city);
  return found == by_city_.end() ? nullptr : &places_[found->second];
}

std::string PlaceSet::unknown_reason(std::string_view city, bool stored_places_count) const {
  const auto rejected = rejected_.find(city);
  if (rejected != rejected_.end()) {
    return fmt::format("'{}' names a places.csv row that was rejected (line {})", city, rejected->second);
  }
  return fmt::format("'{}' is not a city in places.csv{}", city, stored_places_count ? " or the places table" : "");
}

std::vector<const Place*> PlaceSet::changes() const {
  std::vector<const Place*> out;
  for (const Place& place : places_) {
    if (place.change == Place::Change::kNew || place.change == Place::Change::kChanged) out.push_back(&place);
  }
  std::sort(out.begin(), out.end(), [](const Place* a, const Place* b) { return a->line < b->line; });
  return out;
}

}  // namespace pipeline::load
