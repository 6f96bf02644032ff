#include "pipeline/load/people_load.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/csv/reader.hpp"
#include "pipeline/db/batch_insert.hpp"
#include "pipeline/db/bulk_load.hpp"
#include "pipeline/error.hpp"
#include "pipeline/load/header.hpp"
#include "pipeline/load/people_job.hpp"
#include "pipeline/load/reject_log.hpp"
#include "pipeline/util/date.hpp"
#include "pipeline/util/input_file.hpp"
#include "pipeline/util/interrupt.hpp"
#include "pipeline/util/phase_log.hpp"

namespace pipeline::load {
namespace {

constexpr auto kTick = std::chrono::milliseconds(100);
// How often the run checks its locks and leases while rows stream (setup.heartbeat).
constexpr auto kLockCheckEvery = std::chrono::seconds(5);

// One job's streams: setup.streams of them, or (direct) that many per data
// node, node by node, as PeopleJob expects them.
std::vector<std::unique_ptr<db::RowStream>> open_streams(const PeopleLoadSetup& setup) {
  std::vector<std::unique_ptr<db::RowStream>> streams;
  if (!setup.target) return streams;
  std::vector<const db::ConnectionOptions*> servers;
  if (setup.direct != nullptr) {
    for (const SpiderNode& node : setup.direct->nodes) servers.push_back(&node.connection);
  } else {
    servers.push_back(&setup.connection);
  }
  for (const db::ConnectionOptions* server : servers) {
    for (unsigned i = 0; i < std::max(1u, setup.streams); ++i) {
      if (setup.method == LoadMethod::kInsert) {
        streams.push_back(std::make_unique<db::BatchInsert>(*server, *setup.target));
      } else {
        streams.push_back(std::make_unique<db::BulkLoad>(*server, *setup.target));
      }
    }
  }
  return streams;
}

}  // namespace

void require_splittable(const std::filesystem::path& people, std::string_view flag) {
  if (const auto why = util::why_unsplittable(people)) {
    throw Error(ExitCode::kUsage,
                fmt::format("{} needs people.csv as a plain regular file, split into byte ranges, but {} {}; "
                            "decompress it to a file first, or load it without {}",
                            flag, util::display_name(people), *why, flag));
  }
}

Assignment assign(const std::filesystem::path& people, unsigned jobs, unsigned shard_index, unsigned shards) {
  Assignment assignment;
  jobs = std::max(1u, jobs);
  if (jobs == 1 && shards == 1) return assignment;
  if (shards > 1) require_splittable(people, "--shard");
  if (const auto why = util::why_unsplittable(people); why && shards == 1) {
    spdlog::warn("{} cannot be split between --jobs {}: {}; reading it with one job", util::display_name(people), jobs,
                 *why);
    return assignment;
  }
  spdlog::info("{}: finding record boundaries to split it into {} ranges", people.string(), jobs * shards);
  util::InputFile whole(people);
  assignment.scan = scan_file(whole.stream(), static_cast<std::size_t>(jobs) * shards);
  const auto first = static_cast<std::ptrdiff_t>(shard_index - 1) * jobs;
  assignment.ranges.assign(assignment.scan->ranges.begin() + first, assignment.scan->ranges.begin() + first + jobs);
  return assignment;
}

PeopleLoaded load_people(const Assignment& assignment, util::InputFile& file, const PeopleLoadSetup& setup,
                         RejectLog& rejects) {
  const std::string name = util::display_name(file.path());
  PeopleLoaded loaded;
  std::optional<csv::Reader> whole_reader;
  HeaderMap header;
  if (assignment.scan) {
    // Read as a whole-file reader reads it: it may look past header_end to
    // judge a quote the header opens.
    util::InputFile header_file(file.path());
    csv::Reader reader(header_file.stream(), csv::ReaderOptions{.end_offset = assignment.scan->header_end});
    header = read_header(reader, name, kPersonColumns, rejects);
    loaded.begin = assignment.ranges.front().begin;
    loaded.end = assignment.ranges.back().end;
    loaded.file_bytes = assignment.scan->size;
    loaded.sha256 = assignment.scan->sha256;
  } else {
    whole_reader.emplace(file.stream());
    header = read_header(*whole_reader, name, kPersonColumns, rejects);
    loaded.begin = file.bytes_read();
  }

  JobShared shared;
  shared.file_name = name;
  shared.header = &header;
  shared.places = setup.places;
  shared.limits = setup.limits;
  shared.today = util::today_utc();
  shared.id_base = setup.id_base;
  shared.stored_places = setup.stored_places;
  shared.max_rejects = setup.max_rejects;
  shared.rejects = rejects.count();  // places.csv's count towards the limit too
  shared.checksum = setup.checksum;
  shared.direct = setup.direct;
  shared.broadcast = setup.broadcast;

  const std::size_t job_count = assignment.scan ? assignment.ranges.size() : 1;
  std::vector<std::unique_ptr<RejectLog>> parts;
  std::vector<std::unique_ptr<PeopleJob>> jobs;
  for (std::size_t k = 0; k < job_count; ++k) {
    RejectLog* log = &rejects;
    if (job_count > 1) {
      parts.push_back(rejects.part(rejects.path().string() + ".part" + std::to_string(k)));
      log = parts.back().get();
    }
    jobs.push_back(std::make_unique<PeopleJob>(shared, *log, open_streams(setup)));
  }

  std::vector<PeopleCounts> counts(job_count);
  std::vector<std::exception_ptr> errors(job_count);
  std::atomic<std::size_t> done{0};
  std::vector<std::thread> threads;
  for (std::size_t k = 0; k < job_count; ++k) {
    threads.emplace_back([&, k] {
      try {
        if (assignment.scan) {
          const ByteRange& range = assignment.ranges[k];
          util::InputFile input(file.path(), range.begin);
          csv::Reader reader(input.stream(), range_reader_options(range));
          counts[k] = jobs[k]->run(reader);
        } else {
          counts[k] = jobs[k]->run(*whole_reader);
        }
        // Commit this job's streams now rather than when every job is done:
        // an idle stream connection would meet the server's read timeout.
        // A job that was stopped (another failed, the heartbeat, a signal)
        // read only part of its range: it is aborted, and what it sent stays
        // in the scratch table, which the failed run drops; it is never
        // published.
        if (!shared.over_limit() && !shared.stop.load()) jobs[k]->finish();
      } catch (...) {
        errors[k] = std::current_exception();
        shared.stop = true;
      }
      done.fetch_add(1);
    });
  }

  const std::uint64_t total = assignment.scan ? loaded.end - loaded.begin : file.size();
  util::log_phase_start(util::Phase::kReading, fmt::format("{}, staging its rows as they are read{}", name,
                                                           job_count > 1 ? fmt::format(" ({} jobs)", job_count) : ""));
  Progress progress(setup.progress, name, total);
  std::exception_ptr stopped;
  auto next_beat = std::chrono::steady_clock::now() + kLockCheckEvery;
  while (done.load() < job_count) {
    progress.update(shared.rows.load(), shared.bytes.load());
    if (!stopped && util::interrupt_signal() != 0) {
      // A signal: every job stops within a tick (a pipe's read waits in slices too).
      stopped = std::make_exception_ptr(util::interrupt_error(util::interrupt_signal()));
      shared.stop = true;
    }
    if (setup.heartbeat && !stopped && std::chrono::steady_clock::now() >= next_beat) {
      next_beat += kLockCheckEvery;
      try {
        setup.heartbeat();
      } catch (...) {
        stopped = std::current_exception();
        shared.stop = true;
      }
    }
    std::this_thread::sleep_for(kTick);
  }
  for (auto& thread : threads) thread.join();
  progress.finish();
  for (const auto& error : errors) {
    if (error && !stopped) stopped = error;
  }
  if (stopped) {
    for (auto& job : jobs) job->abort();
    std::rethrow_exception(stopped);
  }
  for (auto& job : jobs) job->abort();  // the streams of jobs that ended over the limit
  rejects.merge(parts);

  for (const PeopleCounts& c : counts) loaded.counts += c;
  if (!assignment.scan) {
    loaded.end = file.bytes_read();
    loaded.file_bytes = file.bytes_read();
    loaded.sha256 = file.sha256();
  }
  spdlog::info("{}: {} rows read, {} valid, {} rejected", name, util::grouped(loaded.counts.read),
               util::grouped(loaded.counts.valid), util::grouped(loaded.counts.rejected));
  return loaded;
}

}  // namespace pipeline::load
