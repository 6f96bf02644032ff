// dataloader's command line: flags bound to LoaderOptions, and its main.
#pragma once

#include <CLI/CLI.hpp>

#include "pipeline/cli/common_flags.hpp"
#include "pipeline/load/loader.hpp"

namespace pipeline::cli {

// `cleanup_run` receives --cleanup's run id.
void setup_dataloader(CLI::App& app, load::LoaderOptions& options, CommonFlags& flags, std::string& cleanup_run);

// Parses, sets up logging, runs the load; returns the process exit code.
int dataloader_main(int argc, char** argv);

}  // namespace pipeline::cli
