#include "pipeline/load/people_job.hpp"

#include <charconv>

#include <spdlog/spdlog.h>

#include "pipeline/load/people_table.hpp"

namespace pipeline::load {

PeopleJob::PeopleJob(JobShared& shared, RejectLog& rejects, std::vector<std::unique_ptr<db::RowStream>> streams)
    : shared_(shared), rejects_(rejects), streams_(std::move(streams)) {}

std::size_t PeopleJob::stream_of(std::uint64_t id, std::uint32_t place_id) const {
  if (shared_.direct == nullptr) return place_id % streams_.size();
  const std::size_t per_node = streams_.size() / shared_.direct->nodes.size();
  return shared_.direct->node_of(id) * per_node + place_id % per_node;
}

void PeopleJob::send(std::uint64_t id, std::uint32_t place_id, std::initializer_list<std::string_view> row) {
  if (shared_.direct == nullptr || !shared_.broadcast) {
    streams_[stream_of(id, place_id)]->write_row(row);
    return;
  }
  const std::size_t per_node = streams_.size() / shared_.direct->nodes.size();
  for (std::size_t node = 0; node < shared_.direct->nodes.size(); ++node) {
    streams_[node * per_node + place_id % per_node]->write_row(row);
  }
}

PeopleCounts PeopleJob::run(csv::Reader& reader) {
  PeopleCounts counts;
  csv::Record record;
  char id_text[24];
  char place_text[12];
  RowChecksum row_checksum;
  std::uint64_t reported_bytes = 0;
  auto reject = [&](std::string_view field, std::string_view reason) {
    ++counts.rejected;
    shared_.rejects.fetch_add(1, std::memory_order_relaxed);
    rejects_.add(shared_.file_name, record.line, field, reason, record.raw_text());
  };
  while (!shared_.stop.load(std::memory_order_relaxed) && reader.next(record)) {
    ++counts.read;
    if ((counts.read & 1023) == 0) {
      shared_.rows.fetch_add(1024, std::memory_order_relaxed);
      shared_.bytes.fetch_add(reader.bytes_read() - reported_bytes, std::memory_order_relaxed);
      reported_bytes = reader.bytes_read();
    }
    if (!record.error.empty()) {
      reject(kWholeRecord, record.error);
    } else {
      auto validated = validate_person(record, *shared_.header, shared_.limits, shared_.today);
      if (auto* error = std::get_if<FieldError>(&validated)) {
        reject(error->field, error->reason);
      } else {
        const PersonRow& person = std::get<PersonRow>(validated);
        const Place* place = shared_.places->find(person.place_of_birth);
        if (place == nullptr) {
          reject("place_of_birth", shared_.places->unknown_reason(person.place_of_birth, shared_.stored_places));
        } else {
          ++counts.valid;
          if (!streams_.empty()) {
            const std::string_view id(
                id_text,
                static_cast<std::size_t>(
                    std::to_chars(id_text, id_text + sizeof id_text, shared_.id_base + record.line).ptr - id_text));
            const std::string_view place_id(
                place_text, static_cast<std::size_t>(
                                std::to_chars(place_text, place_text + sizeof place_text, place->id).ptr - place_text));
            send(shared_.id_base + record.line, place->id,
                 {id, person.given_name, person.family_name, person.date_of_birth, place_id});
            if (shared_.checksum) {
              counts.checksum +=
                  row_checksum(id, person.given_name, person.family_name, person.date_of_birth, place_id);
            }
          }
        }
      }
    }
    if (!streams_.empty() && shared_.over_limit()) {
      spdlog::warn("over --max-rejects {}: loading stopped; still validating to report every bad row",
                   shared_.max_rejects);
      abort();
    }
  }
  shared_.rows.fetch_add(counts.read & 1023, std::memory_order_relaxed);
  shared_.bytes.fetch_add(reader.bytes_read() - reported_bytes, std::memory_order_relaxed);
  return counts;
}

std::uint64_t PeopleJob::finish() {
  std::uint64_t stored = 0;
  for (auto& stream : streams_) stored += stream->finish();
  return stored;
}

void PeopleJob::abort() noexcept {
  for (auto& stream : streams_) stream->abort();
  streams_.clear();
}

}  // namespace pipeline::load
