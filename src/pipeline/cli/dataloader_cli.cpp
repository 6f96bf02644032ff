#include "pipeline/cli/dataloader_cli.hpp"

#include <sstream>

#include <spdlog/spdlog.h>

#include "pipeline/cli/help_format.hpp"
#include "pipeline/cli/metrics_flag.hpp"
#include "pipeline/load/check.hpp"
#include "pipeline/load/people_load.hpp"
#include "pipeline/load/rejects_prune.hpp"
#include "pipeline/load/run_report.hpp"
#include "pipeline/util/input_file.hpp"
#include "pipeline/util/std_streams.hpp"
#include "pipeline/version.hpp"

namespace pipeline::cli {

void setup_dataloader(CLI::App& app, load::LoaderOptions& options, CommonFlags& flags, std::string& cleanup_run) {
  use_help_format(app);
  app.description(
      "Validates data/places.csv and data/people.csv and loads them into MySQL, all or nothing.\n"
      "Rejected rows are listed in a rejects CSV; every run is recorded in the load_runs table.\n"
      "With --check it only validates, without connecting to any database.");
  app.set_version_flag("--version", kVersion);
  app.add_option("--places", options.places, "places.csv (city,county,country); - reads standard input")
      ->type_name("FILE")
      ->capture_default_str()
      ->group("Input");
  app.add_option("--people", options.people,
                 "people.csv (given_name,family_name,date_of_birth,place_of_birth); - reads standard input. "
                 "Either file may be gzip- or zstd-compressed")
      ->type_name("FILE")
      ->capture_default_str()
      ->group("Input");
  app.add_option_function<std::string>(
         "--mode",
         [&options](const std::string& mode) {
           options.mode = mode == "append" ? load::Mode::kAppend : load::Mode::kReplace;
         },
         "replace: the tables end up holding exactly the files' valid rows; "
         "append: add rows, skipping people already stored or repeated, upserting places by city")
      ->check(CLI::IsMember({"replace", "append"}))
      ->default_str("replace")
      ->group("Loading");
  app.add_flag("--dry-run", options.dry_run, "Validate and report; change no data table")->group("Loading");
  app.add_flag("--skip-unchanged", options.skip_unchanged,
               "Exit 0 at once if both files have the SHA-256 and size of those the last succeeded run loaded, "
               "and its data is still live (a replace needs a replace before it)")
      ->group("Loading");
  app.add_flag("--allow-empty", options.allow_empty,
               "Let --mode replace empty a table with a file that has no data rows (refused by default)")
      ->group("Loading");
  app.add_option("--max-rejects", options.max_rejects,
                 "Rejected rows tolerated; over this nothing is committed and the exit code is 65")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str()
      ->group("Loading");
  app.add_option("--rejects", options.rejects, "Rejects CSV (default: <log-dir>/rejects-<run id>.csv)")
      ->type_name("FILE")
      ->group("Loading");
  app.add_option("--rejects-keep", options.rejects_keep,
                 "Rejects files of earlier runs to keep in --log-dir; older ones are deleted after each run "
                 "(they hold personal data). 0 keeps them all")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str()
      ->group("Loading");
  app.add_option("--report-json", options.report_json,
                 "Also write the run report as JSON to this file (- for standard output)")
      ->type_name("FILE")
      ->group("Loading");
  app.add_option_function<std::string>(
         "--progress",
         [&options](const std::string& mode) {
           options.progress = mode == "always"  ? load::ProgressMode::kAlways
                              : mode == "never" ? load::ProgressMode::kNever
                                                : load::ProgressMode::kAuto;
         },
         "auto: a live line on a terminal, a log line every 5 s otherwise; always; never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->default_str("auto")
      ->group("Loading");
  app.add_option("--wait-lock", options.wait_lock,
                 "Seconds to wait while another dataloader holds the load lock (default 0: exit 75 at once)")
      ->type_name("SECONDS")
      ->check(CLI::NonNegativeNumber)
      ->group("Loading");
  app.add_option_function<unsigned>(
         "--publish-timeout", [&options](unsigned seconds) { options.publish_timeout = std::chrono::seconds(seconds); },
         "Seconds a replace keeps trying to swap its tables in while readers hold them open, blocking them for at "
         "most 2 s per attempt; then exit 75 with nothing changed")
      ->type_name("SECONDS")
      ->default_str("120")
      ->check(CLI::Range(1, 86400))
      ->group("Loading");
  app.add_option_function<std::string>(
         "--load-method",
         [&options](const std::string& method) { options.load_method = load::parse_load_method(method); },
         "auto: LOAD DATA LOCAL where the server allows it (local_infile=ON), else batched INSERTs; load-data: "
         "LOAD DATA LOCAL or exit 77 before reading the input; insert: batched INSERTs, slower, on any server")
      ->check(CLI::IsMember({"auto", "load-data", "insert"}))
      ->default_str("auto")
      ->envname("DATALOADER_LOAD_METHOD")
      ->group("Loading");
  app.add_option("--streams", options.streams, "Connections (LOAD DATA or INSERT) people rows are spread over")
      ->check(CLI::Range(1, 16))
      ->capture_default_str()
      ->group("Loading");
  app.add_option("--jobs", options.jobs,
                 "Parser threads, each reading its own byte range of people.csv, split on record boundaries")
      ->check(CLI::Range(1, 64))
      ->capture_default_str()
      ->group("Scaling out");
  app.add_option_function<std::string>(
         "--shard",
         [&options](const std::string& text) {
           unsigned k = 0, n = 0;
           char slash = 0;
           std::istringstream in(text);
           if (!(in >> k >> slash >> n) || slash != '/' || !in.eof() || k < 1 || n < 1 || k > n || n > 1024) {
             throw CLI::ValidationError("--shard", "expected K/N with 1 <= K <= N <= 1024, e.g. 2/3");
           }
           options.shard = load::ShardSpec{k, n};
         },
         "Load shard K of N: this process's share of people.csv; every shard needs the same --run-id, and the "
         "last to finish publishes the whole run")
      ->type_name("K/N")
      ->group("Scaling out");
  app.add_option_function<std::string>(
         "--spider-path", [&options](const std::string& path) { options.spider_path = load::parse_spider_path(path); },
         "On a Spider head, how a load reaches the data nodes (an append commits there with XA). auto: straight into "
         "them where the loader "
         "understands the layout (HASH (id) partitions, one server each), else through the head; direct: straight "
         "into them or exit 64 saying why; head: staged on the head and copied by Spider")
      ->check(CLI::IsMember({"auto", "direct", "head"}))
      ->default_str("auto")
      ->envname("DATALOADER_SPIDER_PATH")
      ->group("Scaling out");
  app.add_option("--spider-nodes", options.spider_nodes,
                 "Option file with the data nodes' addresses and credentials, a [client] group and one group per "
                 "server named as on the head ([d1] host=... port=...); default: the head's mysql.servers")
      ->type_name("FILE")
      ->envname("DATALOADER_SPIDER_NODES")
      ->group("Scaling out");
  app.add_option("--run-id", options.run_id, "The run a shard belongs to; by default a new one per process")
      ->type_name("RUN_ID")
      ->envname("DATALOADER_RUN_ID")
      ->group("Scaling out");
  app.add_option("--cleanup", cleanup_run,
                 "Do not load: mark run RUN_ID abandoned and drop its staging tables (for a run that will never be "
                 "published, e.g. after a shard died)")
      ->type_name("RUN_ID")
      ->group("Scaling out");
  app.add_flag("--check", options.check,
               "Do not connect: validate both files as a replace load would, with places from --places and column "
               "limits from the embedded schema.sql, and write the rejects CSV; exit 0, or 65 when more rows are "
               "rejected than --max-rejects (default 0: any). For a data producer checking files before shipping")
      ->excludes("--cleanup")
      ->excludes("--dry-run")
      ->excludes("--shard")
      ->excludes("--streams")
      ->excludes("--wait-lock")
      ->excludes("--publish-timeout")
      ->excludes("--skip-unchanged")
      ->excludes("--spider-path")
      ->excludes("--spider-nodes")
      ->group("Checking");
  add_connection_flags(app, options.connection, flags);
  add_logging_flags(app, options.log);
  add_metrics_flag(app, options.metrics_file);
  app.footer(help_footer());
}

int dataloader_main(int argc, char** argv) {
  if (!util::ensure_standard_streams()) return static_cast<int>(ExitCode::kOsError);
  CLI::App app;
  load::LoaderOptions options;
  options.log.tool = "dataloader";
  CommonFlags flags;
  flags.option_group = "dataloader";
  std::string cleanup_run;
  setup_dataloader(app, options, flags, cleanup_run);
  if (auto code = parse(app, argc, argv)) return *code;
  MetricsRecorder metrics(options.metrics_file, "dataloader");
  load::RunRecord outcome;
  util::setup_logging(options.log);
  const auto prepare = [&] {
    if (options.check && options.mode == load::Mode::kAppend) {
      throw Error(ExitCode::kUsage,
                  "--check judges the files as a replace run: an append also accepts places already stored, which "
                  "--check cannot see without a database; drop --mode append");
    }
    if (options.places == "-" && options.people == "-") {
      throw Error(ExitCode::kUsage, "--places - and --people - cannot both read standard input; give one a file");
    }
    if (options.skip_unchanged && (options.places == "-" || options.people == "-" || options.shard.count > 1)) {
      throw Error(ExitCode::kUsage,
                  "--skip-unchanged reads both files before the load to compare them: it needs files, not standard "
                  "input, and a whole run, not a --shard");
    }
    if (options.shard.count > 1 && options.run_id.empty()) {
      throw Error(ExitCode::kUsage, "--shard needs --run-id (or DATALOADER_RUN_ID): every shard of a run shares it");
    }
    refuse_outputs_that_are_inputs({{"--places", options.places}, {"--people", options.people}, password_file(flags)},
                                   {{"--rejects", options.rejects},
                                    {"--report-json", options.report_json},
                                    {"--metrics-file", options.metrics_file},
                                    {"the log file (--log-dir)", util::log_file_path(options.log)}});
    check_metrics_path(options.metrics_file);
    util::open_log_file(options.log);
  };
  const int code = run_guarded(prepare, [&] {
    if (cleanup_run.empty()) {
      util::check_input_path(options.places, "--places");
      util::check_input_path(options.people, "--people");
      if (options.shard.count > 1) load::require_splittable(options.people, "--shard");
    }
    // However the run ends, its rejects file is counted among the kept.
    struct PruneRejects {
      const load::LoaderOptions* options;
      ~PruneRejects() {
        if (options == nullptr) return;
        try {  // a destructor, maybe during unwinding: nothing may escape
          load::prune_rejects(options->log.dir, options->rejects_keep);
        } catch (const std::exception& e) {
          spdlog::warn("--rejects-keep: {}", e.what());
        }
      }
    };
    const PruneRejects prune{cleanup_run.empty() ? &options : nullptr};
    // No user, password or server is needed: nothing is connected to.
    if (options.check) return load::run_check(options, &outcome);
    resolve_connection(options.connection, flags);
    if (!cleanup_run.empty()) return load::run_cleanup(options.connection, cleanup_run);
    return load::run_load(options, &outcome);
  });
  metrics.gauges() = load::run_gauges(outcome);
  return metrics.finish(code);
}

}  // namespace pipeline::cli
