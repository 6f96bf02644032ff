#include "pipeline/cli/datasummarizer_cli.hpp"

int main(int argc, char** argv) { return pipeline::cli::datasummarizer_main(argc, argv); }
