// Building SQL text around names the code controls. Values never go into SQL
// text: they are bound as parameters (db::Value). Identifiers cannot be bound,
// so they are quoted here, in the one way both MySQL and MariaDB read.
#pragma once

#include <string>
#include <string_view>

namespace pipeline::db {

// `name` as a backquoted identifier, any backquote inside it doubled.
inline std::string quote_identifier(std::string_view name) {
  std::string quoted;
  quoted.reserve(name.size() + 2);
  quoted += '`';
  for (char c : name) {
    if (c == '`') quoted += '`';
    quoted += c;
  }
  quoted += '`';
  return quoted;
}

}  // namespace pipeline::db
