// The catalogue of reports. Each report is declared once, in catalog.cpp:
// a name, a description, one SQL query and the shape of its output. Adding a
// report means adding an entry there (and, if EXPLAIN asks for one, an index
// in schema.sql); nothing else changes.
#pragma once

#include <string_view>
#include <vector>

namespace pipeline::report {

enum class ColumnType {
  kText,   // a JSON string
  kCount,  // a JSON integer
};

struct Column {
  std::string_view name;
  ColumnType type;
};

enum class Shape {
  // Two columns, key then count: one JSON object {"key": count, ...}.
  kKeyCount,
  // Any columns: a JSON array of objects whose keys follow `columns`.
  kRows,
};

struct ReportSpec {
  std::string_view name;
  std::string_view description;
  // Returns exactly `columns`, already in the report's order: count
  // descending, then key columns ascending (by code point: the columns use
  // utf8mb4_bin), so output is deterministic.
  std::string_view sql;
  Shape shape;
  std::vector<Column> columns;
};

// All reports, the default (people_per_country) first.
const std::vector<ReportSpec>& catalog();

// The report called `name`, or nullptr.
const ReportSpec* find_report(std::string_view name);

}  // namespace pipeline::report
