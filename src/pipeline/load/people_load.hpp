// Loading people.csv into the run's staging table: one job per byte range
// (or one over the whole file), each on its own thread with its own
// streams and its own part of the rejects file, while this thread shows
// progress and keeps the control connection alive. The streams are LOAD
// DATA LOCAL or batched INSERTs, as the run chose. Every job's streams are
// committed as soon as it is done, or rolled back.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/db/connection_options.hpp"
#include "pipeline/db/row_stream.hpp"
#include "pipeline/load/file_scan.hpp"
#include "pipeline/load/ledger.hpp"
#include "pipeline/load/load_method.hpp"
#include "pipeline/load/place_set.hpp"
#include "pipeline/load/progress.hpp"
#include "pipeline/load/spider_nodes.hpp"
#include "pipeline/load/validate.hpp"

namespace pipeline::util {
class InputFile;
}

namespace pipeline::load {

class RejectLog;

// The part of people.csv this process reads: its byte ranges, one per job,
// or (no scan) the whole file, read by one job.
struct Assignment {
  std::optional<FileScan> scan;
  std::vector<ByteRange> ranges;
};

// Throws Error(kUsage) naming `flag` when `people` cannot be split into byte
// ranges (util::why_unsplittable): standard input, a pipe, a compressed file.
void require_splittable(const std::filesystem::path& people, std::string_view flag);

// Splits `people` when there are several jobs or shards: into shards x jobs
// ranges on record boundaries, of which shard `shard_index` (1-based) of
// `shards` takes its consecutive `jobs`. One job of one shard: no scan, the
// whole file; so is a file that cannot be split, with a warning, for several
// jobs (several shards are refused by require_splittable). Throws
// Error(kNoInput) for a file that cannot be read.
Assignment assign(const std::filesystem::path& people, unsigned jobs, unsigned shard_index, unsigned shards);

struct PeopleLoadSetup {
  const PlaceSet* places = nullptr;
  // Whether unknown places may also be stored ones (reject messages).
  bool stored_places = false;
  Limits limits;
  // Added to each record's line number to make its id.
  std::uint64_t id_base = 0;
  std::uint64_t max_rejects = 0;
  // Sum a checksum of every row sent (sharded runs verify it).
  bool checksum = false;
  // Where valid rows go; nullopt for a dry run of replace, which only
  // validates.
  std::optional<db::BulkTarget> target;
  db::ConnectionOptions connection;
  // Connections per job (per job and data node, direct).
  unsigned streams = 1;
  // A Spider head's data nodes, or null: each row goes to the standby table
  // (target's table) of its node, over the node's own connections.
  const SpiderNodes* direct = nullptr;
  // Direct: every row to every node instead (a direct append's stages,
  // node_append.hpp).
  bool broadcast = false;
  // How they send the rows: kLoadData or kInsert (chosen by choose_load_path).
  LoadMethod method = LoadMethod::kLoadData;
  ProgressMode progress = ProgressMode::kAuto;
  // Called on this thread every few seconds while the jobs run. What it
  // throws stops every job at its next record (a job waiting for input
  // waits on), rolls back every stream that has not committed, and is
  // rethrown.
  std::function<void()> heartbeat;
};

struct PeopleLoaded {
  PeopleCounts counts;
  // The bytes of the file this process's rows came from: [begin, end).
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  // The whole file's size and SHA-256 (from the scan, or the one read).
  std::uint64_t file_bytes = 0;
  std::string sha256;
};

// Reads the header, then every record of `assignment`, sending valid rows
// to the target. `file` is people.csv, opened: read through when there is no
// scan, reopened by range otherwise. Rejected rows go to `rejects` in file order. Over the
// reject limit, loading stops (reading goes on, to report every bad row)
// and nothing is committed by the jobs still running. Throws Error for a
// bad header (kDataError), unreadable input, or a failed stream; and
// util::interrupt_error() within a tick of SIGINT or SIGTERM, the streams
// rolled back as for the heartbeat's error.
PeopleLoaded load_people(const Assignment& assignment, util::InputFile& file, const PeopleLoadSetup& setup,
                         RejectLog& rejects);

}  // namespace pipeline::load
