// dataloader's work: validate places.csv and people.csv, then load them so
// that the tables change all at once or not at all.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "pipeline/db/connection_options.hpp"
#include "pipeline/error.hpp"
#include "pipeline/load/layout.hpp"
#include "pipeline/load/ledger.hpp"
#include "pipeline/load/load_method.hpp"
#include "pipeline/load/progress.hpp"
#include "pipeline/load/rejects_prune.hpp"
#include "pipeline/load/status.hpp"
#include "pipeline/util/logging.hpp"

namespace pipeline::load {

// This process's share of a sharded run: shard `index` of `count`.
struct ShardSpec {
  unsigned index = 1;
  unsigned count = 1;
};

struct LoaderOptions {
  db::ConnectionOptions connection;
  // Default data/places.csv.
  std::filesystem::path places = "data/places.csv";
  // Default data/people.csv.
  std::filesystem::path people = "data/people.csv";
  // Default replace.
  Mode mode = Mode::kReplace;
  // Validate and report, but change no data table. Default off.
  bool dry_run = false;
  // Exit 0 at once when both files are those the live run loaded
  // (skip_unchanged.hpp). Default off.
  bool skip_unchanged = false;
  // Validate both files without a database (--check): the CLI runs
  // run_check (check.hpp) instead of run_load, and never connects. Default off.
  bool check = false;
  // Let replace empty a table: by default a file without data rows is
  // refused when its table holds data (a truncated export must not wipe the
  // database). Default off.
  bool allow_empty = false;
  // Rejected rows a run tolerates; over this nothing is committed. Default 0.
  std::uint64_t max_rejects = 0;
  // Rejects CSV. Empty (the default) means <log dir>/rejects-<run id>.csv,
  // created only if a row is rejected.
  std::filesystem::path rejects;
  // Rejects files of earlier runs kept in the log directory: after the run
  // the older ones are deleted (rejects_prune.hpp). 0 keeps them all.
  // Default 30.
  unsigned rejects_keep = kDefaultRejectsKeep;
  // Where to write the run report as JSON. Empty (the default): nowhere.
  std::filesystem::path report_json;
  // --metrics-file: written by the CLI after the run (cli/metrics_flag.hpp).
  // Empty (the default): nowhere.
  std::filesystem::path metrics_file;
  // Default auto.
  ProgressMode progress = ProgressMode::kAuto;
  // How long to wait for another loader's lock. Default 0: fail at once.
  std::chrono::seconds wait_lock{0};
  // How long a replace may keep trying to swap its tables in while readers
  // hold them open, a couple of seconds per attempt. Default 120 s.
  std::chrono::seconds publish_timeout{120};
  // Connections each job spreads its rows over, by place. Default 2.
  unsigned streams = 2;
  // How the rows reach the server. Default auto: LOAD DATA LOCAL where the
  // server allows it, else INSERT.
  LoadMethod load_method = LoadMethod::kAuto;
  // Parser threads, each reading its own byte range of people.csv (split on
  // record boundaries). Default 1.
  unsigned jobs = 1;
  // On a Spider head: direct into the data nodes, or through the head. Default auto.
  SpiderPath spider_path = SpiderPath::kAuto;
  // --spider-nodes: the data nodes' addresses. Empty (the default): mysql.servers.
  std::filesystem::path spider_nodes;
  // This process's share of a sharded run (--shard K/N). Default 1/1: all.
  ShardSpec shard;
  // The run this process belongs to; every shard of a run must be given the
  // same one. Empty (the default): a new id.
  std::string run_id;
  util::LogOptions log;
};

// The rejects CSV of run `run_id`: --rejects if given, else
// <log dir>/rejects-<run id>.csv (with -shard<K> for a shard of a sharded run).
std::filesystem::path rejects_path(const LoaderOptions& options, const std::string& run_id);

// Runs one load, or one shard of a sharded load. Returns kOk (published, or
// staged and waiting for sibling shards), kDataError when input was rejected
// (over --max-rejects, or a bad header), kTempFail when a sibling shard failed.
// Throws Error for everything fatal; the ledger records the outcome either way.
// `outcome`, if given, receives the run's record (status and per-file counts)
// however it ends, once there is one.
ExitCode run_load(const LoaderOptions& options, RunRecord* outcome = nullptr);

// dataloader --cleanup RUN_ID: marks a run that will never be published
// abandoned and drops its staging tables. Refuses (kTempFail) while one of its
// shards is still running, and (kUsage) a run that was published.
ExitCode run_cleanup(const db::ConnectionOptions& connection, const std::string& run_id);

}  // namespace pipeline::load
