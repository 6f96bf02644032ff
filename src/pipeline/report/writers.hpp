// Writing a report's rows as JSON or CSV into a stream.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "pipeline/report/catalog.hpp"

namespace pipeline::report {

enum class Format { kJson, kCsv };

using Row = std::vector<std::optional<std::string>>;

// JSON, compact, UTF-8 as is, no trailing newline. A kKeyCount report is one
// object {"key": count}; any other an array of objects with the declared
// column names as keys, in order. Strings are escaped so the output is valid
// JSON for any text (quotes, backslashes, control characters); invalid UTF-8
// becomes U+FFFD. Counts are integers; NULL is null. Throws Error(kSoftware)
// if a count column holds something that is not an integer.
void write_json(std::ostream& out, const ReportSpec& spec, const std::vector<Row>& rows);

// RFC 4180 CSV: a header row of the column names, then the rows; CRLF line
// breaks; fields quoted where needed. NULL is an empty field.
void write_csv(std::ostream& out, const ReportSpec& spec, const std::vector<Row>& rows);

void write_report(std::ostream& out, Format format, const ReportSpec& spec, const std::vector<Row>& rows);

}  // namespace pipeline::report
