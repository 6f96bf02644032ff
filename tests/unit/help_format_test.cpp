// --help of both tools, built as each tool builds its command line: every
// line fits 100 columns, values are named in words (`--jobs N`,
// `--mode replace|append`) rather than CLI11's type names, and nothing is lost.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/cli/dataloader_cli.hpp"
#include "pipeline/cli/datasummarizer_cli.hpp"
#include "pipeline/error.hpp"

namespace pipeline::cli {
namespace {

// The help text and every name of every option, as the tool's main sets them up.
struct Help {
  std::string text;
  std::vector<std::string> option_names;
};

Help help_of(CLI::App& app) {
  Help help{app.help(), {}};
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames()) help.option_names.push_back("--" + name);
    for (const std::string& name : option->get_snames()) help.option_names.push_back("-" + name);
  }
  return help;
}

Help dataloader_help() {
  CLI::App app;
  app.name("dataloader");
  load::LoaderOptions options;
  CommonFlags flags;
  std::string cleanup_run;
  setup_dataloader(app, options, flags, cleanup_run);
  return help_of(app);
}

Help datasummarizer_help() {
  CLI::App app;
  app.name("datasummarizer");
  report::SummarizerOptions options;
  CommonFlags flags;
  bool list_reports = false;
  setup_datasummarizer(app, options, flags, list_reports);
  return help_of(app);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Columns a terminal gives `line`: one per UTF-8 code point (the help holds no wide characters).
std::size_t columns(const std::string& line) {
  std::size_t n = 0;
  for (char c : line) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

struct Tool {
  const char* name;
  Help (*help)();
};
void PrintTo(const Tool& tool, std::ostream* out) { *out << tool.name; }

class HelpFormatTest : public ::testing::TestWithParam<Tool> {};

TEST_P(HelpFormatTest, EveryLineFitsOneHundredColumns) {
  for (const std::string& line : lines_of(GetParam().help().text)) {
    EXPECT_LE(columns(line), 100u) << line;
  }
}

TEST_P(HelpFormatTest, NoTypeNoiseFromCli11) {
  const std::vector<std::regex> noise = {std::regex(R"(\b(UINT|INT|TEXT|FLOAT|ENUM|FILE|PATH):)"),
                                         std::regex(R"( in \[)"), std::regex(R"(:value in)"), std::regex(R"(OR \{)")};
  for (const std::string& line : lines_of(GetParam().help().text)) {
    for (const std::regex& pattern : noise) EXPECT_FALSE(std::regex_search(line, pattern)) << line;
  }
}

TEST_P(HelpFormatTest, EveryOptionIsShown) {
  const Help help = GetParam().help();
  ASSERT_GT(help.option_names.size(), 20u);
  for (const std::string& name : help.option_names) {
    EXPECT_TRUE(std::regex_search(help.text, std::regex("(^|[ ,])" + name + "([ ,\n]|$)"))) << name;
  }
}

TEST_P(HelpFormatTest, TheExitCodeTableIsShownWhole) {
  const std::string text = GetParam().help().text;
  for (const std::string& line : lines_of(kExitCodeHelp)) EXPECT_NE(text.find(line + "\n"), std::string::npos) << line;
}

INSTANTIATE_TEST_SUITE_P(BothTools, HelpFormatTest,
                         ::testing::Values(Tool{"dataloader", &dataloader_help},
                                           Tool{"datasummarizer", &datasummarizer_help}),
                         [](const auto& tool) { return std::string(tool.param.name); });

// The flags' value names, ranges and defaults, in words.
TEST(HelpFormatTest, ValuesAreNamedInWords) {
  // Continuation lines of a wrapped description joined to their first line.
  const auto unwrapped = [](const std::string& text) { return std::regex_replace(text, std::regex("\n {20,}"), " "); };
  const std::string loader = unwrapped(dataloader_help().text);
  const std::string summarizer = unwrapped(datasummarizer_help().text);
  const auto shows = [](const std::string& text, const std::string& what) {
    return std::regex_search(text, std::regex(what)) ? ::testing::AssertionSuccess()
                                                     : ::testing::AssertionFailure() << what << " in\n"
                                                                                     << text;
  };
  EXPECT_TRUE(shows(loader, R"(\n  --jobs N +Parser threads)"));
  EXPECT_TRUE(shows(loader, R"(\(1 to 64, default 1\))"));
  EXPECT_TRUE(shows(loader, R"(\n  --streams N +.*\(1 to 16, default 2[,)])"));
  EXPECT_TRUE(shows(loader, R"(\n  --mode replace\|append +)"));
  EXPECT_TRUE(shows(loader, R"(\n  --people FILE +)"));
  EXPECT_TRUE(shows(loader, R"(\n  --publish-timeout SECONDS +)"));
  EXPECT_TRUE(shows(loader, R"(\n  --shard K/N +)"));
  EXPECT_TRUE(shows(loader, R"(\n  --log-level trace\|debug\|info\|warn\|error\|critical\|off +Least)"));
  EXPECT_TRUE(shows(loader, R"(\n  -P,--port PORT +)"));
  EXPECT_TRUE(shows(loader, R"(\n  -h,--host HOST +.*\(default localhost, env MYSQL_HOST\))"));
  EXPECT_TRUE(shows(summarizer, R"(\n  --format json\|csv +)"));
  EXPECT_TRUE(shows(summarizer, R"(\n  --output-dir DIR +)"));
  EXPECT_TRUE(shows(summarizer, R"(\n  --metrics-file FILE +)"));
}

}  // namespace
}  // namespace pipeline::cli
