// Where rejected rows go: one line each in a CSV (file, line, field, reason,
// raw), and a log line each for the first kLoggedRejects of a run (100,000
// bad rows must not make 16 MB of log); close() then logs how many more the
// CSV holds. The CSV holds personal data, so it is created with mode 0600
// and never through a symbolic link (util/private_file.hpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "pipeline/util/fd_stream.hpp"

namespace pipeline::load {

// Rejected rows of a run logged one by one; the rest are only counted.
inline constexpr std::uint64_t kLoggedRejects = 100;

class RejectLog {
 public:
  // The CSV is created on the first reject, or at once when `create_now`
  // (an explicitly chosen path, which scripts may expect to exist). Creating
  // it throws Error(kCantCreate) as open_private_file does.
  RejectLog(std::filesystem::path path, bool create_now);

  // A log for one job's rows, at `path`, merged back with merge(); its rows
  // count towards this log's kLoggedRejects.
  std::unique_ptr<RejectLog> part(std::filesystem::path path) const;

  void add(std::string_view file, std::size_t line, std::string_view field, std::string_view reason,
           std::string_view raw);

  std::uint64_t count() const { return count_; }
  // Whether the CSV was created (it has a header even when empty); still
  // true after close().
  bool created() const { return created_; }
  const std::filesystem::path& path() const { return path_; }

  // Flushes and closes the CSV, and logs how many rejected rows were not
  // logged one by one. Throws Error(kCantCreate) if any of it could not be
  // written.
  void close();

  // Appends the rows of `parts` (the logs of a run's jobs, in file order) to
  // this one and removes their files.
  void merge(const std::vector<std::unique_ptr<RejectLog>>& parts);

 private:
  void open();

  std::filesystem::path path_;
  std::unique_ptr<util::FdOStream> out_;
  bool created_ = false;
  std::uint64_t count_ = 0;
  // Rows logged one by one, shared by a log and its parts (jobs' threads).
  std::shared_ptr<std::atomic<std::uint64_t>> logged_ = std::make_shared<std::atomic<std::uint64_t>>(0);
  bool is_part_ = false;
};

}  // namespace pipeline::load
