// How the people rows reach the server: LOAD DATA LOCAL where the server
// allows it, multi-row INSERTs otherwise, and the pure choice between them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pipeline::load {

enum class LoadMethod {
  // LOAD DATA LOCAL if the server has local_infile on, else INSERT.
  kAuto,
  // LOAD DATA LOCAL: the fastest; refused by a server with local_infile off.
  kLoadData,
  // Multi-row INSERT statements: taken by every server.
  kInsert,
};

// "auto", "load-data", "insert": the --load-method values.
std::string_view to_string(LoadMethod method);
// The inverse of to_string. Throws Error(kUsage) for any other text.
LoadMethod parse_load_method(std::string_view text);

struct LoadPath {
  // kLoadData or kInsert, never kAuto.
  LoadMethod method = LoadMethod::kLoadData;
  // The one log line saying which path and why.
  std::string reason;
};

// Which path a run takes, given what was asked for and whether the server
// allows LOAD DATA LOCAL (@@GLOBAL.local_infile). Throws Error(kNoPerm) for
// load-data on a server that does not allow it, naming the cause and the fix.
LoadPath choose_load_path(LoadMethod requested, bool server_local_infile);

// The same choice for Spider's direct path, where the rows go to the data
// nodes: `without` names the nodes' servers that have local_infile=OFF.
// LOAD DATA only if every node allows it; the messages name the nodes.
LoadPath choose_direct_load_path(LoadMethod requested, const std::vector<std::string>& without);

}  // namespace pipeline::load
