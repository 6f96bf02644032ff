#include "pipeline/cli/dataloader_cli.hpp"

int main(int argc, char** argv) { return pipeline::cli::dataloader_main(argc, argv); }
