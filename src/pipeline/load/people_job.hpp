// The per-row work of a load: validate people.csv records, resolve each
// place, and stream the good rows to the row streams (LOAD DATA or INSERT). One job reads the
// whole file, or one byte range of it when a load runs several jobs.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/csv/reader.hpp"
#include "pipeline/db/row_stream.hpp"
#include "pipeline/load/header.hpp"
#include "pipeline/load/ledger.hpp"
#include "pipeline/load/place_set.hpp"
#include "pipeline/load/reject_log.hpp"
#include "pipeline/load/spider_nodes.hpp"
#include "pipeline/load/validate.hpp"

namespace pipeline::load {

// What the jobs of one run share: read-only inputs, and counters every job
// updates (for progress and the reject limit).
struct JobShared {
  std::string file_name;
  const HeaderMap* header = nullptr;
  const PlaceSet* places = nullptr;
  Limits limits;
  util::Date today;
  // Added to each record's line number to make its id.
  std::uint64_t id_base = 0;
  // Whether unknown places may also be stored ones (append).
  bool stored_places = false;
  std::uint64_t max_rejects = 0;
  // Sum a CRC32 of every row sent (sharded runs verify it).
  bool checksum = false;
  // A Spider head's data nodes, or null. With them, a job's streams are
  // grouped by node, and each row goes to a stream of the node of its id.
  const SpiderNodes* direct = nullptr;
  // With direct: each row goes to a stream of every node.
  bool broadcast = false;

  std::atomic<std::uint64_t> rows{0};
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<std::uint64_t> rejects{0};
  // Set when a job failed: the others stop reading.
  std::atomic<bool> stop{false};

  bool over_limit() const { return rejects.load(std::memory_order_relaxed) > max_rejects; }
};

class PeopleJob {
 public:
  // `streams` may be empty (a dry run of replace): rows are validated only.
  PeopleJob(JobShared& shared, RejectLog& rejects, std::vector<std::unique_ptr<db::RowStream>> streams);

  // Reads every record of `reader` (no header). Good rows go to the stream of
  // their place (within their data node's streams, direct); once the run is over the reject limit the streams are
  // aborted and the job only validates, so that every bad row is reported.
  // The checksum is summed only when JobShared::checksum.
  PeopleCounts run(csv::Reader& reader);

  // Ends the streams: waits for the server and commits. Returns rows stored.
  std::uint64_t finish();
  void abort() noexcept;

 private:
  // The stream row `id` of place `place_id` goes to: by place (rows of one
  // place on one connection), within its data node when direct.
  std::size_t stream_of(std::uint64_t id, std::uint32_t place_id) const;
  // Sends one row to its stream, or (broadcast) to a stream of every node.
  void send(std::uint64_t id, std::uint32_t place_id, std::initializer_list<std::string_view> row);

  JobShared& shared_;
  RejectLog& rejects_;
  std::vector<std::unique_ptr<db::RowStream>> streams_;
};

}  // namespace pipeline::load
