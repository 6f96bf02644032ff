#include "pipeline/load/run_report.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "pipeline/util/output_file.hpp"
#include "pipeline/util/phase_log.hpp"

namespace pipeline::load {
namespace {

std::string counts_text(const FileCounts& c) {
  return fmt::format("{} read, {} loaded, {} duplicate, {} rejected", c.read, c.loaded, c.duplicate, c.rejected);
}

nlohmann::ordered_json file_json(const FileRecord& file) {
  nlohmann::ordered_json j;
  j["path"] = file.path;
  j["bytes"] = file.bytes ? nlohmann::ordered_json(*file.bytes) : nlohmann::ordered_json(nullptr);
  j["sha256"] = file.sha256.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(file.sha256);
  j["read"] = file.counts.read;
  j["loaded"] = file.counts.loaded;
  j["duplicate"] = file.counts.duplicate;
  j["rejected"] = file.counts.rejected;
  return j;
}

}  // namespace

std::vector<util::Gauge> run_gauges(const RunRecord& run) {
  const auto per_file = [&](std::string name, std::string help, std::uint64_t FileCounts::*count) {
    return util::Gauge{std::move(name),
                       std::move(help),
                       {{"file=\"places\"", static_cast<double>(run.places.counts.*count)},
                        {"file=\"people\"", static_cast<double>(run.people.counts.*count)}}};
  };
  return {per_file("rows_read", "Data rows read in the last run, rejected ones included", &FileCounts::read),
          per_file("rows_loaded", "Rows the last run loaded", &FileCounts::loaded),
          per_file("rows_duplicate", "Rows the last run skipped as duplicates (append)", &FileCounts::duplicate),
          per_file("rows_rejected", "Rows the last run rejected", &FileCounts::rejected)};
}

std::string summary_line(const RunRecord& run, double seconds) {
  const char* kind = run.check ? ", check: no database" : run.dry_run ? ", dry run: nothing written" : "";
  std::string line =
      fmt::format("run {} {} in {:.2f} s ({}{}): places {}; people {}", run.run_id, to_string(run.status), seconds,
                  to_string(run.mode), kind, counts_text(run.places.counts), counts_text(run.people.counts));
  if (!run.error.empty()) line += "; error: " + run.error;
  return line;
}

std::string report_json(const RunRecord& run, std::chrono::system_clock::time_point started, double seconds,
                        const std::filesystem::path& rejects_file, ExitCode code) {
  nlohmann::ordered_json j;
  j["run_id"] = run.run_id;
  j["status"] = std::string(to_string(run.status));
  j["exit_code"] = static_cast<int>(code);
  j["mode"] = std::string(to_string(run.mode));
  j["dry_run"] = run.dry_run;
  j["check"] = run.check;
  j["started_at"] = fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(started));
  j["seconds"] = seconds;
  j["places"] = file_json(run.places);
  j["people"] = file_json(run.people);
  j["rejects_file"] =
      rejects_file.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(rejects_file.string());
  j["error"] = run.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(run.error);
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void write_report_json(const std::filesystem::path& path, const RunRecord& run,
                       std::chrono::system_clock::time_point started, double seconds,
                       const std::filesystem::path& rejects_file, ExitCode code) {
  // It names files and the run's counts: not for every user of the machine.
  constexpr mode_t kReportPermissions = 0640;
  util::write_output(path, report_json(run, started, seconds, rejects_file, code), kReportPermissions);
}

void report_run(const std::filesystem::path& report_json, const RunRecord& run,
                const std::filesystem::path& rejects_file, std::chrono::system_clock::time_point started,
                ExitCode code) {
  const double seconds = std::chrono::duration<double>(std::chrono::system_clock::now() - started).count();
  const bool good = run.status == RunStatus::kSucceeded || run.status == RunStatus::kStaged;
  const auto level = good ? spdlog::level::info : spdlog::level::err;
  spdlog::log(level, "{}", summary_line(run, seconds));
  // Then per file, grouped for a reader: the line above is for grep.
  for (const auto& [label, file] : {std::pair{"places", &run.places}, std::pair{"people", &run.people}}) {
    const FileCounts& n = file->counts;
    spdlog::log(level, "  {}: {:>11} read {:>11} loaded {:>11} duplicate {:>11} rejected", label, util::grouped(n.read),
                util::grouped(n.loaded), util::grouped(n.duplicate), util::grouped(n.rejected));
  }
  spdlog::log(level, "  time: {:.2f} s", seconds);
  if (report_json.empty()) return;
  try {
    write_report_json(report_json, run, started, seconds, rejects_file, code);
  } catch (const Error& e) {
    spdlog::error("the run report was not written (the exit code is the run's): {}", e.what());
  }
}

}  // namespace pipeline::load
