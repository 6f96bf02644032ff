// `dataloader --check`: validates places.csv and people.csv as a load would
// and writes the same rejects CSV, without a database. Places come from
// places.csv alone and column limits from the embedded schema.sql, so a data
// producer can check a file before shipping it.
#pragma once

#include "pipeline/error.hpp"
#include "pipeline/load/loader.hpp"

namespace pipeline::load {

// Reads both files with the loader's own reading and validation, judging
// them as a replace run into tables that hold data: people must name a city
// of places.csv, and a file left without valid rows is refused unless
// options.allow_empty. Rejected rows go to rejects_path(), which is created
// only if a row is rejected unless --rejects names it. Logs a line per file
// and the run's summary; writes options.report_json if given. Returns kOk,
// or kDataError when more rows were rejected than options.max_rejects, a
// header is bad or a file would empty its table. Never connects: connection
// options are ignored. Throws Error for the rest (an unreadable file, an
// unwritable rejects file).
ExitCode run_check(const LoaderOptions& options, RunRecord* outcome = nullptr);

}  // namespace pipeline::load
