#include "pipeline/csv/writer.hpp"

namespace pipeline::csv {
namespace {

template <typename Fields>
void write_fields(std::ostream& out, const Fields& fields) {
  std::string line;
  bool first = true;
  for (std::string_view field : fields) {
    if (!first) line += ',';
    first = false;
    append_field(line, field);
  }
  line += "\r\n";
  out << line;
}

}  // namespace

void append_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void write_record(std::ostream& out, std::initializer_list<std::string_view> fields) { write_fields(out, fields); }

void write_record(std::ostream& out, const std::vector<std::string>& fields) { write_fields(out, fields); }

}  // namespace pipeline::csv
