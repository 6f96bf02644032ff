// Spider's connection strings: the COMMENT of a Spider table or of one of
// its partitions, `wrapper "mysql", srv "d1", table "people_a"`. A pure
// parser, so that the direct path reads them exactly one way.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline::load {

// Parameter names as Spider's canonical long names: "srv" is "server",
// "tbl" is "table", "db" is "database"; the rest as written, lower-cased.
using SpiderParams = std::map<std::string, std::string>;

// Parses `name "value", name 'value', ...` (values quoted with ' or ", a
// backslash escaping the next character). Empty text is no parameters.
// nullopt for anything else: an unquoted value, a name given twice, a
// missing comma; the caller then does not understand the table.
std::optional<SpiderParams> parse_spider_params(std::string_view text);

}  // namespace pipeline::load
