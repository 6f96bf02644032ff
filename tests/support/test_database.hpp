// A database of its own for one test, on the throwaway server that
// scripts/test starts (found through the MYSQL_* variables its env file
// exports). Created empty, dropped afterwards.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "pipeline/db/connection_options.hpp"
#include "pipeline/db/session.hpp"
#include "support/process.hpp"

namespace pipeline::testing {

// Connection settings of the throwaway server, for database `database`.
// Throws, with a message saying to run scripts/test, when they are missing.
db::ConnectionOptions server_options(const std::string& database = "codetest");

class TestDatabase {
 public:
  // `hint` becomes part of the database's name.
  explicit TestDatabase(const std::string& hint);
  ~TestDatabase();

  const std::string& name() const { return options_.database; }
  const db::ConnectionOptions& options() const { return options_; }
  db::Session& session() { return *session_; }

  // MYSQL_* variables pointing a child process at this database.
  EnvOverrides env() const;
  // CHECKSUM TABLE's value, or "missing" if the table does not exist.
  std::string checksum(const std::string& table);
  std::uint64_t count(const std::string& table);

 private:
  db::ConnectionOptions options_;
  std::unique_ptr<db::Session> session_;
};

// The repository's root (for data/ and schema.sql) and the built tools. The
// environment variables PIPELINE_TEST_DATALOADER and
// PIPELINE_TEST_DATASUMMARIZER, when set, name other binaries to test
// instead: that is how a regression test is shown to fail on an older build.
std::filesystem::path source_dir();
std::string dataloader_path();
std::string datasummarizer_path();

// A fresh temporary directory, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& content);

}  // namespace pipeline::testing
