#include "support/cluster_checks.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/spider_cluster.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {

std::map<std::string, std::string> all_reports(const TempDir& tmp, const EnvOverrides& env, const std::string& tag) {
  std::map<std::string, std::string> files;
  for (const char* format : {"json", "csv"}) {
    const auto dir = tmp / (tag + "-" + format);
    const auto r = run(datasummarizer_argv(tmp, {"--all", "--format", format, "--output-dir", dir.string()}), env);
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    if (r.exit_code != 0) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      files[entry.path().filename().string()] = read_file(entry.path());
    }
  }
  return files;
}

std::string live_content(db::Session& session) {
  return content_checksum(session, "people") + "/" + content_checksum(session, "places");
}

std::string leftover_tables(db::Session& session) {
  return session
      .query_value(
          "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
          "AND (table_name LIKE '%\\_\\_run\\_%' OR table_name LIKE '%\\_\\_old\\_%')")
      .value_or("?");
}

}  // namespace pipeline::testing
