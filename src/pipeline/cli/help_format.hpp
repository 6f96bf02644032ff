// The --help layout both tools share: a value is named in words (`--jobs N`,
// `--mode replace|append`, `--people FILE`) instead of CLI11's type names and
// validator descriptions, the range, default and environment variable follow
// the description once in plain words ("1 to 16, default 1"), and every line is
// wrapped to kHelpWidth columns.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace pipeline::cli {

// The widest line --help prints.
inline constexpr std::size_t kHelpWidth = 100;

// Columns a terminal gives `text`: one per UTF-8 code point.
std::size_t help_columns(std::string_view text);

// `text` broken at spaces into lines of at most `width` columns; a word longer
// than that has a line of its own, and a '\n' in `text` always breaks. A line
// that is broken keeps its leading spaces on every piece, so that an indented
// table wraps under itself.
std::vector<std::string> wrap_text(std::string_view text, std::size_t width);

// CLI11's formatter with the layout above. A value's name is, in this order:
// the choices of a CLI::IsMember check joined by '|'; a check named in
// capitals ("PORT", "SECONDS"); the option's own type_name() ("HOST", "K/N"); FILE or DIR for a text option whose long
// name ends in -file or -dir; N for a number; VALUE for any other text.
class HelpFormatter : public CLI::Formatter {
 public:
  HelpFormatter();
  std::string make_option(const CLI::Option* opt, bool is_positional) const override;
  std::string make_option_opts(const CLI::Option* opt) const override;
  // The description, then in brackets what CLI11 would print as type noise:
  // the range of a CLI::Range check, the default, the environment variable,
  // and the options it needs or excludes.
  std::string make_option_desc(const CLI::Option* opt) const override;
  std::string make_description(const CLI::App* app) const override;
  std::string make_footer(const CLI::App* app) const override;
};

// Makes `app` print its --help with HelpFormatter.
void use_help_format(CLI::App& app);

}  // namespace pipeline::cli
