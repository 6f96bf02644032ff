// datasummarizer's command line: flags bound to SummarizerOptions, and its main.
#pragma once

#include <CLI/CLI.hpp>

#include "pipeline/cli/common_flags.hpp"
#include "pipeline/report/summarizer.hpp"

namespace pipeline::cli {

void setup_datasummarizer(CLI::App& app, report::SummarizerOptions& options, CommonFlags& flags, bool& list_reports);

// Parses, sets up logging, writes the reports; returns the process exit code.
int datasummarizer_main(int argc, char** argv);

}  // namespace pipeline::cli
