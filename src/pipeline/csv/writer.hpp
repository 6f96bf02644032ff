// Writing RFC 4180 CSV: comma-separated, CRLF line breaks, a field quoted only
// when it holds a comma, a quote, CR or LF (quotes doubled inside).
#pragma once

#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::csv {

// Appends `field` to `out`, quoted if it needs to be.
void append_field(std::string& out, std::string_view field);

// Writes one record, terminated by CRLF.
void write_record(std::ostream& out, std::initializer_list<std::string_view> fields);
void write_record(std::ostream& out, const std::vector<std::string>& fields);

}  // namespace pipeline::csv
