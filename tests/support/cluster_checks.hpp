// What the cluster tests compare between a cluster and a single server.
#pragma once

#include <map>
#include <string>

#include "pipeline/db/session.hpp"
#include "support/process.hpp"
#include "support/test_database.hpp"

namespace pipeline::testing {

// Every report, in both formats, as datasummarizer --all writes them to
// tmp/TAG-json and tmp/TAG-csv through `env`: file name -> bytes.
std::map<std::string, std::string> all_reports(const TempDir& tmp, const EnvOverrides& env, const std::string& tag);

// What people and places hold, as one comparable string: content_checksum
// of each, which works through Spider too.
std::string live_content(db::Session& session);

// How many tables runs left behind in the session's database: staging
// tables (name__run_...) and parked ones (name__old_...).
std::string leftover_tables(db::Session& session);

}  // namespace pipeline::testing
