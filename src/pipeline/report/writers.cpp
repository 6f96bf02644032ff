#include "pipeline/report/writers.hpp"

#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pipeline/csv/writer.hpp"
#include "pipeline/error.hpp"

namespace pipeline::report {
namespace {

using Json = nlohmann::ordered_json;

Json cell(const ReportSpec& spec, std::size_t column, const std::optional<std::string>& value) {
  if (!value) return nullptr;
  if (spec.columns.at(column).type == ColumnType::kText) return *value;
  std::int64_t number = 0;
  const auto [end, error] = std::from_chars(value->data(), value->data() + value->size(), number);
  if (error != std::errc() || end != value->data() + value->size()) {
    throw Error(ExitCode::kSoftware, fmt::format("report {}: column {} holds '{}', not a count", spec.name,
                                                 spec.columns.at(column).name, *value));
  }
  return number;
}

}  // namespace

void write_json(std::ostream& out, const ReportSpec& spec, const std::vector<Row>& rows) {
  Json document = spec.shape == Shape::kKeyCount ? Json::object() : Json::array();
  for (const Row& row : rows) {
    if (spec.shape == Shape::kKeyCount) {
      // A NULL key cannot be an object key; the schema makes it impossible.
      document[row.at(0).value_or("")] = cell(spec, 1, row.at(1));
    } else {
      Json object = Json::object();
      for (std::size_t i = 0; i < spec.columns.size(); ++i)
        object[std::string(spec.columns[i].name)] = cell(spec, i, row.at(i));
      document.push_back(std::move(object));
    }
  }
  out << document.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void write_csv(std::ostream& out, const ReportSpec& spec, const std::vector<Row>& rows) {
  std::vector<std::string> fields;
  for (const Column& column : spec.columns) fields.emplace_back(column.name);
  csv::write_record(out, fields);
  for (const Row& row : rows) {
    fields.clear();
    for (const auto& value : row) fields.push_back(value.value_or(""));
    csv::write_record(out, fields);
  }
}

void write_report(std::ostream& out, Format format, const ReportSpec& spec, const std::vector<Row>& rows) {
  if (format == Format::kJson) {
    write_json(out, spec, rows);
  } else {
    write_csv(out, spec, rows);
  }
}

}  // namespace pipeline::report
