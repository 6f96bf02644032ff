#include "pipeline/load/load_method.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "pipeline/error.hpp"

namespace pipeline::load {

std::string_view to_string(LoadMethod method) {
  switch (method) {
    case LoadMethod::kAuto:
      return "auto";
    case LoadMethod::kLoadData:
      return "load-data";
    case LoadMethod::kInsert:
      return "insert";
  }
  return "auto";
}

LoadMethod parse_load_method(std::string_view text) {
  for (LoadMethod method : {LoadMethod::kAuto, LoadMethod::kLoadData, LoadMethod::kInsert}) {
    if (to_string(method) == text) return method;
  }
  throw Error(ExitCode::kUsage, fmt::format("--load-method {}: expected auto, load-data or insert", text));
}

LoadPath choose_load_path(LoadMethod requested, bool server_local_infile) {
  const std::string_view setting = server_local_infile ? "ON" : "OFF";
  switch (requested) {
    case LoadMethod::kAuto:
      if (server_local_infile) {
        return {LoadMethod::kLoadData, "loading with LOAD DATA LOCAL: the server has local_infile=ON"};
      }
      return {LoadMethod::kInsert,
              "loading with INSERT: the server has local_infile=OFF (SET GLOBAL local_infile=1 allows the faster "
              "LOAD DATA LOCAL)"};
    case LoadMethod::kLoadData:
      if (!server_local_infile) {
        throw Error(ExitCode::kNoPerm,
                    "--load-method load-data needs LOAD DATA LOCAL, but the server has local_infile=OFF: run SET "
                    "GLOBAL local_infile=1 on it (or start it with --local-infile=1), or use --load-method auto or "
                    "insert");
      }
      return {LoadMethod::kLoadData, "loading with LOAD DATA LOCAL: --load-method load-data"};
    case LoadMethod::kInsert:
      return {LoadMethod::kInsert,
              fmt::format("loading with INSERT: --load-method insert (the server has local_infile={})", setting)};
  }
  throw Error(ExitCode::kSoftware, "choose_load_path: unknown load method");
}

LoadPath choose_direct_load_path(LoadMethod requested, const std::vector<std::string>& without) {
  if (without.empty()) {
    LoadPath path = choose_load_path(requested, true);
    path.reason += " on every data node";
    return path;
  }
  const std::string nodes = fmt::format("{}", fmt::join(without, ", "));
  if (requested == LoadMethod::kLoadData) {
    throw Error(ExitCode::kNoPerm,
                fmt::format("--load-method load-data needs LOAD DATA LOCAL on every Spider data node, but {} "
                            "{} local_infile=OFF: run SET GLOBAL local_infile=1 there (the head's setting does not "
                            "matter), or use --load-method auto or insert",
                            nodes, without.size() == 1 ? "has" : "have"));
  }
  return {
      LoadMethod::kInsert,
      fmt::format("loading with INSERT into every data node: {} {} local_infile=OFF{}", nodes,
                  without.size() == 1 ? "has" : "have",
                  requested == LoadMethod::kAuto ? " (SET GLOBAL local_infile=1 there allows LOAD DATA LOCAL)" : "")};
}

}  // namespace pipeline::load
