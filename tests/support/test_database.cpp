#include "support/test_database.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace pipeline::testing {
namespace {

std::string required_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(fmt::format(
        "{} is not set: integration tests run against the throwaway database that scripts/test starts", name));
  }
  return value;
}

}  // namespace

db::ConnectionOptions server_options(const std::string& database) {
  db::ConnectionOptions options;
  options.host = required_env("MYSQL_HOST");
  options.port = static_cast<unsigned>(std::stoul(required_env("MYSQL_TCP_PORT")));
  options.socket = required_env("MYSQL_UNIX_PORT");
  options.user = required_env("MYSQL_USER");
  options.password = read_file(required_env("MYSQL_PASSWORD_FILE"));
  options.database = database;
  options.connect_timeout = std::chrono::seconds(10);
  return options;
}

TestDatabase::TestDatabase(const std::string& hint) {
  static std::atomic<int> counter{0};
  std::string name = fmt::format("codetest_{}_{}_{}", hint, ::getpid(), counter++);
  if (name.size() > 64) name = fmt::format("codetest_{}_{}", ::getpid(), counter++);
  options_ = server_options("codetest");
  {
    db::Session admin(options_);
    admin.execute(fmt::format("DROP DATABASE IF EXISTS `{}`", name));
    admin.execute(fmt::format("CREATE DATABASE `{}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", name));
  }
  options_.database = name;
  session_ = std::make_unique<db::Session>(options_);
}

TestDatabase::~TestDatabase() {
  try {
    session_->execute(fmt::format("DROP DATABASE IF EXISTS `{}`", options_.database));
  } catch (...) {
    // The server may be down on purpose (fault tests); scripts/test discards it anyway.
  }
}

EnvOverrides TestDatabase::env() const {
  return {{"MYSQL_HOST", options_.host},
          {"MYSQL_TCP_PORT", std::to_string(options_.port)},
          {"MYSQL_UNIX_PORT", options_.socket},
          {"MYSQL_USER", options_.user},
          {"MYSQL_PASSWORD_FILE", required_env("MYSQL_PASSWORD_FILE")},
          {"MYSQL_PASSWORD", std::nullopt},
          {"MYSQL_DATABASE", options_.database}};
}

std::string TestDatabase::checksum(const std::string& table) {
  const auto rows = session_->query(fmt::format("CHECKSUM TABLE `{}`", table)).rows;
  if (rows.empty() || !rows.front().at(1)) return "missing";
  return *rows.front().at(1);
}

std::uint64_t TestDatabase::count(const std::string& table) {
  return std::stoull(session_->query_value(fmt::format("SELECT COUNT(*) FROM `{}`", table)).value_or("0"));
}

std::filesystem::path source_dir() { return PIPELINE_SOURCE_DIR; }
namespace {
// The built tool, unless `variable` names another binary: to run the tests
// against an older build and see a regression test fail there.
std::string tool_path(const char* variable, const char* built) {
  const char* other = std::getenv(variable);
  return other != nullptr && *other != '\0' ? other : built;
}
}  // namespace

std::string dataloader_path() { return tool_path("PIPELINE_TEST_DATALOADER", PIPELINE_DATALOADER_PATH); }
std::string datasummarizer_path() { return tool_path("PIPELINE_TEST_DATASUMMARIZER", PIPELINE_DATASUMMARIZER_PATH); }

TempDir::TempDir() {
  char pattern[] = "/tmp/pipeline-test.XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all, std::filesystem::perm_options::add, ignored);
  std::filesystem::remove_all(path_, ignored);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace pipeline::testing
