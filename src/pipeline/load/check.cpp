#include "pipeline/load/check.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/load/column_limits.hpp"
#include "pipeline/load/people_load.hpp"
#include "pipeline/load/places_input.hpp"
#include "pipeline/load/reject_log.hpp"
#include "pipeline/load/run_id.hpp"
#include "pipeline/load/run_report.hpp"
#include "pipeline/load/verify.hpp"
#include "pipeline/util/input_file.hpp"
#include "pipeline/util/output_path.hpp"

namespace pipeline::load {
namespace {

// Without a database the tables' contents are unknown: judged as the nightly
// replace finds them, holding data, so that a file without valid rows fails
// the check as it would fail that load.
constexpr bool kTablesHoldData = true;

// What the load does in ShardLoad::load() and publish(), in the same order,
// minus the database: places, then people, then the reject limit, then
// whether people would be emptied. Returns kOk or kDataError; a refusal is
// thrown as Error(kDataError).
ExitCode validate_files(const LoaderOptions& options, RunRecord& record, RejectLog& rejects) {
  util::InputFile places_file(options.places);
  util::InputFile people_file(options.people);
  record.places.bytes = places_file.size();
  record.people.bytes = people_file.size();
  const Limits limits = schema_limits();

  const PlacesInput places = read_places(places_file, {}, limits, rejects);
  record.places = places.file;
  const FileCounts& place_counts = places.file.counts;
  refuse(check_not_emptying({"places", record.places.path, place_counts.read, place_counts.read - place_counts.rejected,
                             kTablesHoldData, options.allow_empty}));
  record.places.counts.loaded = place_counts.read - place_counts.rejected;

  PeopleLoadSetup setup;
  setup.places = &places.places;
  setup.limits = limits;
  setup.max_rejects = options.max_rejects;
  setup.progress = options.progress;
  const PeopleLoaded people = load_people(assign(options.people, options.jobs, 1, 1), people_file, setup, rejects);
  record.people.bytes = people.file_bytes;
  record.people.sha256 = people.sha256;
  record.people.counts = {people.counts.read, people.counts.valid, 0, people.counts.rejected};
  if (rejects.count() > options.max_rejects) {
    record.error = fmt::format("{} row(s) rejected, more than --max-rejects {}", rejects.count(), options.max_rejects);
    spdlog::error("{}", record.error);
    return ExitCode::kDataError;
  }
  refuse(check_not_emptying(
      {"people", record.people.path, people.counts.read, people.counts.valid, kTablesHoldData, options.allow_empty}));
  return ExitCode::kOk;
}

}  // namespace

ExitCode run_check(const LoaderOptions& options, RunRecord* outcome) {
  const auto started = std::chrono::system_clock::now();
  RunRecord record;
  record.run_id = options.run_id.empty() ? make_run_id() : options.run_id;
  check_run_id(record.run_id);
  record.mode = Mode::kReplace;
  record.check = true;
  record.places.path = options.places.string();
  record.people.path = options.people.string();
  if (!options.report_json.empty()) util::check_output_path(options.report_json, "the run report");
  spdlog::info("run {}: check of {} and {} against the embedded schema.sql, without a database", record.run_id,
               record.places.path, record.people.path);

  RejectLog rejects(rejects_path(options, record.run_id), !options.rejects.empty());
  const auto report = [&](ExitCode reported) {
    report_run(options.report_json, record, rejects.created() ? rejects.path() : "", started, reported);
    if (outcome != nullptr) *outcome = record;
  };
  ExitCode code = ExitCode::kOk;
  try {
    code = validate_files(options, record, rejects);
    rejects.close();
  } catch (const Error& e) {
    if (e.code() != ExitCode::kDataError) {
      record.status = RunStatus::kFailed;
      record.error = e.what();
      report(e.code());
      throw;
    }
    record.error = e.what();
    code = ExitCode::kDataError;
    rejects.close();
  }
  record.status = code == ExitCode::kOk ? RunStatus::kSucceeded : RunStatus::kRejected;
  report(code);
  if (rejects.created()) spdlog::info("rejected rows are listed in {}", rejects.path().string());
  return code;
}

}  // namespace pipeline::load
