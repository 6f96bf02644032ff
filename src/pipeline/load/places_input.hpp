// Reading places.csv: every row validated, a city listed twice rejected, and
// the set of cities that people.csv may name, each with the id it has or
// will get. In append mode the set starts from the places already stored.
#pragma once

#include <string>
#include <vector>

#include "pipeline/load/ledger.hpp"
#include "pipeline/load/live_tables.hpp"
#include "pipeline/load/place_set.hpp"

namespace pipeline::util {
class InputFile;
}

namespace pipeline::load {

class RejectLog;

struct PlacesInput {
  // Path, bytes, SHA-256, and the rows read and rejected.
  FileRecord file;
  // The stored places (append) and the file's.
  PlaceSet places;
  // The file's accepted rows, in file order: what build_place_set needs to
  // give the ids a publish would use against the places stored by then.
  std::vector<Place> accepted;
  // Whether any place was stored before the run (reject messages say so).
  bool stored_places = false;
};

// Reads `file` to the end. Rejected rows go to `rejects`; a bad header is
// thrown as Error(kDataError).
PlacesInput read_places(util::InputFile& file, const std::vector<StoredPlace>& stored, const Limits& limits,
                        RejectLog& rejects);

// The set of `stored` places with `accepted` file rows applied, as
// read_places builds it.
PlaceSet build_place_set(const std::vector<StoredPlace>& stored, const std::vector<Place>& accepted);

// What every shard of a run must agree on, and a publish must still find:
// the id, city, county and country of each place, as a SHA-256.
std::string places_fingerprint(const PlaceSet& places);

}  // namespace pipeline::load
