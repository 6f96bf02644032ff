#include "pipeline/report/summarizer.hpp"

#include <algorithm>
#include <chrono>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/db/connect.hpp"
#include "pipeline/db/db_error.hpp"
#include "pipeline/db/session.hpp"
#include "pipeline/util/interrupt.hpp"
#include "pipeline/util/output_file.hpp"

namespace pipeline::report {
namespace {

const std::filesystem::path kDefaultOutput = "data/summary_output.json";
constexpr int kNoSuchTable = 1146;  // ER_NO_SUCH_TABLE
// How large an internal temporary table may grow in memory before the server
// moves it to disk. Reports that group by name or decade per place build
// one; with the servers' default of 16 MiB, 1M rows' 95,000 (place, name)
// groups spilled to disk and top_given_names took 8 s instead of 0.7 s. The
// number of groups is bounded by places × distinct names, not by rows.
constexpr std::uint64_t kTempTableBytes = 256ULL << 20;

const char* extension(Format format) { return format == Format::kJson ? ".json" : ".csv"; }

std::optional<Format> format_of(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".json") return Format::kJson;
  if (ext == ".csv") return Format::kCsv;
  return std::nullopt;
}

}  // namespace

std::vector<Target> plan_outputs(const SummarizerOptions& options) {
  std::vector<const ReportSpec*> specs;
  if (options.all) {
    for (const ReportSpec& spec : catalog()) specs.push_back(&spec);
  }
  for (const std::string& name : options.reports) {
    const ReportSpec* spec = find_report(name);
    if (spec == nullptr) {
      std::string names;
      for (const ReportSpec& known : catalog()) names += (names.empty() ? "" : ", ") + std::string(known.name);
      throw Error(ExitCode::kUsage, fmt::format("unknown report '{}'; reports: {}", name, names));
    }
    if (std::find(specs.begin(), specs.end(), spec) == specs.end()) specs.push_back(spec);
  }
  if (specs.empty()) specs.push_back(&catalog().front());

  if (!options.output.empty() && !options.output_dir.empty()) {
    throw Error(ExitCode::kUsage, "give --output (one report) or --output-dir (several), not both");
  }
  if (specs.size() > 1 && options.output_dir.empty()) {
    throw Error(ExitCode::kUsage,
                fmt::format("{} reports need --output-dir DIR (each goes to DIR/<report>.<ext>)", specs.size()));
  }
  std::vector<Target> targets;
  if (!options.output_dir.empty()) {
    const Format format = options.format.value_or(Format::kJson);
    for (const ReportSpec* spec : specs) {
      targets.push_back({spec, options.output_dir / (std::string(spec->name) + extension(format)), format});
    }
    return targets;
  }
  const std::filesystem::path path = options.output.empty() ? kDefaultOutput : options.output;
  std::optional<Format> format = options.format;
  if (!format && util::is_standard_output(path)) format = Format::kJson;
  if (!format) {
    format = format_of(path);
    if (!format) {
      throw Error(ExitCode::kUsage,
                  fmt::format("cannot tell the format of {} from its extension: use .json or .csv, or --format",
                              path.string()));
    }
  }
  targets.push_back({specs.front(), path, *format});
  return targets;
}

std::vector<util::Gauge> summary_gauges(const SummaryOutcome& outcome) {
  return {{"reports_written", "Report files the last run wrote", {{"", static_cast<double>(outcome.reports)}}},
          {"bytes_written", "Bytes of report files the last run wrote", {{"", static_cast<double>(outcome.bytes)}}}};
}

ExitCode run_summarize(const SummarizerOptions& options, SummaryOutcome* outcome) {
  const std::vector<Target> targets = plan_outputs(options);
  const auto started = std::chrono::steady_clock::now();
  db::Session session = db::connect_with_retry(options.connection);
  // It only reads: a signal may stop any of its statements.
  const db::InterruptibleStatements abandonable(session);
  session.execute(fmt::format("SET SESSION tmp_table_size = {0}, max_heap_table_size = {0}", kTempTableBytes));
  // One snapshot for every report. The read view is created by the first
  // read, after that statement has opened (and metadata-locked) both tables,
  // so a concurrent replace's RENAME waits for this transaction instead of
  // showing it tables that were filled after its snapshot.
  session.execute("START TRANSACTION READ ONLY");
  try {
    session.query(
        "SELECT (SELECT COUNT(*) FROM places WHERE id = 0) + "
        "(SELECT COUNT(*) FROM people WHERE place_of_birth_id = 0)");
  } catch (const db::DbError& e) {
    // The summarizer only reads: it never creates tables, so say plainly when there are none.
    if (e.error_number() != kNoSuchTable) throw;
    throw Error(ExitCode::kNoInput, fmt::format("database {} has no people and places tables yet: load data "
                                                "with dataloader first ({})",
                                                options.connection.database, e.what()));
  }
  std::vector<std::string> contents;
  for (const Target& target : targets) {
    const auto t0 = std::chrono::steady_clock::now();
    const db::ResultTable result = session.query(target.spec->sql);
    if (result.columns.size() != target.spec->columns.size()) {
      throw Error(ExitCode::kSoftware, fmt::format("report {} returned {} columns, declared {}", target.spec->name,
                                                   result.columns.size(), target.spec->columns.size()));
    }
    std::ostringstream text;
    write_report(text, target.format, *target.spec, result.rows);
    contents.push_back(text.str());
    spdlog::debug("report {}: {} rows in {:.3f} s", target.spec->name, result.rows.size(),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  session.execute("COMMIT");
  // The last moment a signal leaves the old reports; once begun, the write
  // (milliseconds, all or nothing) completes.
  util::check_interrupted();

  if (!options.output_dir.empty()) {
    std::error_code error;
    std::filesystem::create_directories(options.output_dir, error);
    if (error) {
      throw Error(ExitCode::kCantCreate, fmt::format("cannot create the output directory {}: {}",
                                                     options.output_dir.string(), error.message()));
    }
  }
  // One set: a failure part-way must not leave some files from this run and
  // some from the previous one. Standard output, a FIFO or a device is
  // written in place first (output_file.hpp).
  std::vector<util::FileContent> files;
  for (std::size_t i = 0; i < targets.size(); ++i) files.push_back({targets[i].path, contents[i]});
  util::write_outputs(files);
  if (outcome != nullptr) {
    outcome->reports = files.size();
    for (const util::FileContent& file : files) outcome->bytes += file.content.size();
  }
  for (const Target& target : targets) {
    spdlog::info("wrote {} ({})", util::output_name(target.path), target.spec->name);
  }
  spdlog::info("{} report(s) in {:.2f} s", targets.size(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return ExitCode::kOk;
}

}  // namespace pipeline::report
