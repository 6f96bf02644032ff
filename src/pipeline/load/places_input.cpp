#include "pipeline/load/places_input.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/csv/reader.hpp"
#include "pipeline/load/header.hpp"
#include "pipeline/load/reject_log.hpp"
#include "pipeline/util/input_file.hpp"
#include "pipeline/util/phase_log.hpp"
#include "pipeline/util/sha256.hpp"

namespace pipeline::load {
namespace {

void add_stored(PlaceSet& set, const std::vector<StoredPlace>& stored) {
  for (const StoredPlace& place : stored) set.add_stored(place.id, place.city, place.county, place.country);
}

}  // namespace

PlacesInput read_places(util::InputFile& file, const std::vector<StoredPlace>& stored, const Limits& limits,
                        RejectLog& rejects) {
  PlacesInput input;
  input.file.path = util::display_name(file.path());
  input.stored_places = !stored.empty();
  add_stored(input.places, stored);
  const std::string& name = input.file.path;
  util::log_phase_start(util::Phase::kReading, name);
  csv::Reader reader(file.stream());
  const HeaderMap header = read_header(reader, name, kPlaceColumns, rejects);
  FileCounts& counts = input.file.counts;
  csv::Record record;
  while (reader.next(record)) {
    ++counts.read;
    auto reject = [&](std::string_view field, std::string_view reason) {
      ++counts.rejected;
      rejects.add(name, record.line, field, reason, record.raw_text());
    };
    if (!record.error.empty()) {
      reject(kWholeRecord, record.error);
      continue;
    }
    auto validated = validate_place(record, header, limits);
    if (auto* error = std::get_if<FieldError>(&validated)) {
      if (record.fields.size() == header.width) input.places.note_rejected(record.fields[header.index[0]], record.line);
      reject(error->field, error->reason);
      continue;
    }
    const PlaceRow& row = std::get<PlaceRow>(validated);
    if (auto duplicate = input.places.add_from_file(row, record.line)) {
      reject("city", *duplicate);
      continue;
    }
    input.accepted.push_back(Place{0, std::string(row.city), std::string(row.county), std::string(row.country),
                                   record.line, Place::Change::kNew});
  }
  input.file.bytes = file.bytes_read();
  input.file.sha256 = file.sha256();
  spdlog::info("{}: {} rows read, {} rejected", name, util::grouped(counts.read), util::grouped(counts.rejected));
  return input;
}

PlaceSet build_place_set(const std::vector<StoredPlace>& stored, const std::vector<Place>& accepted) {
  PlaceSet set;
  add_stored(set, stored);
  for (const Place& place : accepted) set.add_from_file(PlaceRow{place.city, place.county, place.country}, place.line);
  return set;
}

std::string places_fingerprint(const PlaceSet& places) {
  std::vector<const Place*> all;
  for (const Place& place : places.all()) all.push_back(&place);
  std::sort(all.begin(), all.end(), [](const Place* a, const Place* b) { return a->id < b->id; });
  util::Sha256 sha;
  for (const Place* place : all) {
    sha.update(fmt::format("{}\t{}\t{}\t{}\n", place->id, place->city, place->county, place->country));
  }
  return sha.hex_digest();
}

}  // namespace pipeline::load
