#include "pipeline/cli/datasummarizer_cli.hpp"

#include <iostream>

#include "pipeline/cli/help_format.hpp"
#include "pipeline/cli/metrics_flag.hpp"
#include "pipeline/util/std_streams.hpp"
#include "pipeline/version.hpp"

namespace pipeline::cli {

void setup_datasummarizer(CLI::App& app, report::SummarizerOptions& options, CommonFlags& flags, bool& list_reports) {
  use_help_format(app);
  app.description(
      "Runs reports on the loaded data and writes them as JSON or CSV, each file atomically.\n"
      "A FIFO or device (/dev/stdout) is written in place, never replaced.\n"
      "By default: people_per_country to data/summary_output.json.");
  app.set_version_flag("--version", kVersion);
  app.add_option("--report", options.reports, "Report to run (repeatable); see --list-reports")
      ->type_name("NAME")
      ->group("Reports");
  app.add_flag("--all", options.all, "Run every report (needs --output-dir)")->group("Reports");
  app.add_flag("--list-reports", list_reports, "Print the reports' names and descriptions, and exit")->group("Reports");
  app.add_option_function<std::string>(
         "--format",
         [&options](const std::string& format) {
           options.format = format == "csv" ? report::Format::kCsv : report::Format::kJson;
         },
         "json or csv (default: from --output's extension)")
      ->check(CLI::IsMember({"json", "csv"}))
      ->group("Output");
  app.add_option("--output", options.output,
                 "File for one report (default data/summary_output.json); - for standard output")
      ->type_name("FILE")
      ->group("Output");
  app.add_option("--output-dir", options.output_dir, "Directory for several reports: DIR/<report>.<ext>")
      ->group("Output");
  add_connection_flags(app, options.connection, flags);
  add_logging_flags(app, options.log);
  add_metrics_flag(app, options.metrics_file);
  app.footer(help_footer());
}

int datasummarizer_main(int argc, char** argv) {
  if (!util::ensure_standard_streams()) return static_cast<int>(ExitCode::kOsError);
  CLI::App app;
  report::SummarizerOptions options;
  options.log.tool = "datasummarizer";
  CommonFlags flags;
  flags.option_group = "datasummarizer";
  bool list_reports = false;
  setup_datasummarizer(app, options, flags, list_reports);
  if (auto code = parse(app, argc, argv)) return *code;
  if (list_reports) {
    for (const report::ReportSpec& spec : report::catalog()) {
      std::cout << spec.name << "\n    " << spec.description << "\n";
    }
    return 0;
  }
  MetricsRecorder metrics(options.metrics_file, "datasummarizer");
  report::SummaryOutcome outcome;
  util::setup_logging(options.log);
  const auto prepare = [&] {
    std::vector<NamedPath> outputs = {{"the log file (--log-dir)", util::log_file_path(options.log)},
                                      {"--metrics-file", options.metrics_file}};
    for (const report::Target& target : report::plan_outputs(options)) outputs.push_back({"the report", target.path});
    refuse_outputs_that_are_inputs({password_file(flags)}, outputs);
    check_metrics_path(options.metrics_file);
    util::open_log_file(options.log);
  };
  const int code = run_guarded(prepare, [&] {
    resolve_connection(options.connection, flags);
    return report::run_summarize(options, &outcome);
  });
  metrics.gauges() = report::summary_gauges(outcome);
  return metrics.finish(code);
}

}  // namespace pipeline::cli
