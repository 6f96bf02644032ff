// datasummarizer's work: run reports from the catalogue in one consistent
// snapshot and write their files as one all-or-nothing set.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/db/connection_options.hpp"
#include "pipeline/error.hpp"
#include "pipeline/report/writers.hpp"
#include "pipeline/util/logging.hpp"
#include "pipeline/util/metrics_file.hpp"

namespace pipeline::report {

struct SummarizerOptions {
  db::ConnectionOptions connection;
  // Report names. Empty (the default) means people_per_country.
  std::vector<std::string> reports;
  // Run every report in the catalogue. Default off.
  bool all = false;
  // json or csv. Unset (the default): from --output's extension; json for
  // "-" or when no output is given.
  std::optional<Format> format;
  // File for a single report; "-" is standard output. Default
  // data/summary_output.json when neither this nor output_dir is given.
  std::filesystem::path output;
  // Directory for several reports: DIR/<report>.<json|csv>.
  std::filesystem::path output_dir;
  // --metrics-file: a Prometheus textfile written after the run. Empty: none.
  std::filesystem::path metrics_file;
  util::LogOptions log;
};

// What a run wrote, for --metrics-file: zero until the files are written.
struct SummaryOutcome {
  std::size_t reports = 0;
  std::uint64_t bytes = 0;
};

// The summarizer's own gauges: reports_written and bytes_written.
std::vector<util::Gauge> summary_gauges(const SummaryOutcome& outcome);

// Where each report goes and in which format.
struct Target {
  const ReportSpec* spec;
  std::filesystem::path path;
  Format format;
};

// Resolves reports, formats and paths from the options. Throws
// Error(kUsage) for an unknown report, several reports without
// --output-dir, or an output extension that names no known format.
std::vector<Target> plan_outputs(const SummarizerOptions& options);

// Runs the reports and writes them (util::write_outputs). Returns kOk; throws
// Error otherwise (kCantCreate when an output cannot be written: then every
// previous regular file stays as it was, none is replaced; kIoError when the
// reader of standard output or a FIFO went away part-way; after SIGINT or
// SIGTERM, which kill a running query, util::interrupt_error() with every
// previous file kept).
// `outcome`, when given, is filled once every file is written.
ExitCode run_summarize(const SummarizerOptions& options, SummaryOutcome* outcome = nullptr);

}  // namespace pipeline::report
