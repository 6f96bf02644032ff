#include "pipeline/cli/help_format.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <regex>

namespace pipeline::cli {

namespace {

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t at = text.find(separator); at != std::string_view::npos; at = text.find(separator, start)) {
    parts.emplace_back(text.substr(start, at - start));
    start = at + 1;
  }
  parts.emplace_back(text.substr(start));
  return parts;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

// What CLI11's get_type_name() holds: the type's name, then one description
// per check, each after a ':'.
struct TypeName {
  std::string type;
  std::vector<std::string> checks;
};

TypeName type_name_of(const CLI::Option& opt) {
  std::vector<std::string> parts = split(opt.get_type_name(), ':');
  TypeName name{parts.front(), {}};
  name.checks.assign(parts.begin() + 1, parts.end());
  return name;
}

// The choices of a CLI::IsMember check, whose description is "{a,b,c}" (or
// "{a->x,b->y}" for a map).
std::optional<std::vector<std::string>> choices_of(const std::string& check) {
  if (check.size() < 2 || check.front() != '{' || check.back() != '}') return std::nullopt;
  std::vector<std::string> choices = split(std::string_view(check).substr(1, check.size() - 2), ',');
  for (std::string& choice : choices) choice = choice.substr(0, choice.find("->"));
  return choices;
}

// "1 to 16" for a CLI::Range check, whose description is "INT in [1 - 16]".
std::optional<std::string> range_of(const std::string& check) {
  static const std::regex kRange(R"(^\w+ in \[(.+) - (.+)\]$)");
  std::smatch match;
  if (!std::regex_match(check, match, kRange)) return std::nullopt;
  return match[1].str() + " to " + match[2].str();
}

bool ends_with(std::string_view text, std::string_view end) {
  return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
}

std::string value_name(const CLI::Option& opt) {
  const TypeName name = type_name_of(opt);
  for (const std::string& check : name.checks) {
    if (auto choices = choices_of(check)) return join(*choices, "|");
  }
  // A validator that names its value ("PORT", "SECONDS", "MODE").
  static const std::regex kValueName("[A-Z][A-Z_/]*");
  for (const std::string& check : name.checks) {
    if (std::regex_match(check, kValueName)) return check;
  }
  if (name.type == "INT" || name.type == "UINT" || name.type == "FLOAT") return "N";
  if (name.type == "TEXT" || name.type == "ENUM" || name.type == "CHAR" || name.type == "BOOLEAN") {
    const std::string long_name = opt.get_lnames().empty() ? "" : opt.get_lnames().front();
    if (ends_with(long_name, "-file")) return "FILE";
    if (ends_with(long_name, "-dir")) return "DIR";
    return "VALUE";
  }
  return name.type;
}

// The options' names, sorted: CLI11 keeps them in a set of pointers.
std::string names_of(const std::set<CLI::Option*>& options) {
  std::vector<std::string> names;
  for (const CLI::Option* option : options) names.push_back(option->get_name());
  std::sort(names.begin(), names.end());
  return join(names, ", ");
}

}  // namespace

std::size_t help_columns(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::vector<std::string> wrap_text(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  for (const std::string& paragraph : split(text, '\n')) {
    if (help_columns(paragraph) <= width) {
      lines.push_back(paragraph);
      continue;
    }
    const std::size_t words = paragraph.find_first_not_of(' ');
    if (words == std::string::npos) {
      lines.emplace_back();
      continue;
    }
    const std::string indent(words, ' ');
    std::string line = indent;
    for (const std::string& word : split(std::string_view(paragraph).substr(indent.size()), ' ')) {
      if (word.empty()) continue;
      const bool first = line.size() == indent.size();
      if (!first && help_columns(line) + 1 + help_columns(word) > width) {
        lines.push_back(line);
        line = indent;
      }
      if (line.size() > indent.size()) line += ' ';
      line += word;
    }
    lines.push_back(line);
  }
  return lines;
}

HelpFormatter::HelpFormatter() { column_width(30); }

std::string HelpFormatter::make_option(const CLI::Option* opt, bool is_positional) const {
  std::string out = "  " + make_option_name(opt, is_positional) + make_option_opts(opt);
  const std::string description = make_option_desc(opt);
  if (description.empty()) return out + "\n";
  std::size_t at = help_columns(out);
  // At least two spaces between the name and its description.
  if (at + 2 > column_width_) {
    out += '\n';
    at = 0;
  }
  for (const std::string& line : wrap_text(description, kHelpWidth - column_width_)) {
    out.append(column_width_ - at, ' ');
    out += line + '\n';
    at = 0;
  }
  return out;
}

std::string HelpFormatter::make_option_opts(const CLI::Option* opt) const {
  if (!opt->get_option_text().empty()) return " " + opt->get_option_text();
  if (opt->get_type_size() == 0) return "";
  std::string value = value_name(*opt);
  if (value.empty()) return "";  // a flag
  if (opt->get_expected_min() == 0) value = "[" + value + "]";
  if (opt->get_expected_max() == CLI::detail::expected_max_vector_size) value += " ...";
  return " " + value;
}

std::string HelpFormatter::make_option_desc(const CLI::Option* opt) const {
  std::vector<std::string> notes;
  for (const std::string& check : type_name_of(*opt).checks) {
    if (auto range = range_of(check)) notes.push_back(*range);
  }
  if (!opt->get_default_str().empty()) notes.push_back("default " + opt->get_default_str());
  if (!opt->get_envname().empty()) notes.push_back("env " + opt->get_envname());
  if (opt->get_required()) notes.push_back("required");
  if (!opt->get_needs().empty()) notes.push_back("needs " + names_of(opt->get_needs()));
  if (!opt->get_excludes().empty()) notes.push_back("not with " + names_of(opt->get_excludes()));
  std::string description = opt->get_description();
  if (!notes.empty()) description += (description.empty() ? "(" : " (") + join(notes, ", ") + ")";
  return description;
}

std::string HelpFormatter::make_description(const CLI::App* app) const {
  std::string description = CLI::Formatter::make_description(app);
  if (description.empty()) return description;
  description.pop_back();  // the '\n' CLI11 ends it with
  return join(wrap_text(description, kHelpWidth), "\n") + "\n";
}

std::string HelpFormatter::make_footer(const CLI::App* app) const {
  const std::string& footer = app->get_footer();
  if (footer.empty()) return footer;
  return join(wrap_text(footer, kHelpWidth), "\n") + "\n";
}

void use_help_format(CLI::App& app) { app.formatter(std::make_shared<HelpFormatter>()); }

}  // namespace pipeline::cli
