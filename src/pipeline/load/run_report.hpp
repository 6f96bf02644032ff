// Reporting a finished run: one summary line for the log, and the JSON
// report that --report-json asks for.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "pipeline/error.hpp"
#include "pipeline/load/ledger.hpp"
#include "pipeline/util/metrics_file.hpp"

namespace pipeline::load {

std::string summary_line(const RunRecord& run, double seconds);

// The run's per-file counts for --metrics-file: rows_read, rows_loaded,
// rows_duplicate and rows_rejected, each with file="places" and "people".
std::vector<util::Gauge> run_gauges(const RunRecord& run);

// The report as compact JSON: run id, status, exit code, mode, whether it
// was a dry run or a check (--check, no database), timings, and
// per file its path, bytes, sha256 and counts; the rejects file if any.
std::string report_json(const RunRecord& run, std::chrono::system_clock::time_point started, double seconds,
                        const std::filesystem::path& rejects_file, ExitCode code);

// Writes report_json() to `path` as util::write_output does: "-" is standard
// output, a FIFO or device is written in place, a regular file replaced
// atomically. Throws Error(kCantCreate), or Error(kIoError) for a closed pipe.
void write_report_json(const std::filesystem::path& path, const RunRecord& run,
                       std::chrono::system_clock::time_point started, double seconds,
                       const std::filesystem::path& rejects_file, ExitCode code);

// The run's report: summary_line() logged (info when it succeeded or is
// staged, else error) and, unless `report_json` is empty, written there. The
// exit code stays the run's: a report that cannot be written is logged, not
// thrown (its path was checked before the run began). `rejects_file` is
// empty when no rejects file was written.
void report_run(const std::filesystem::path& report_json, const RunRecord& run,
                const std::filesystem::path& rejects_file, std::chrono::system_clock::time_point started,
                ExitCode code);

}  // namespace pipeline::load
