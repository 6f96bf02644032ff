// Where rejected rows go: one line each in a CSV (file, line, field, reason,
// raw) and one log line each. The CSV holds personal data, so it is created
// with mode 0600 and never through a symbolic link (util/private_file.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "pipeline/util/fd_stream.hpp"

namespace pipeline::load {

class RejectLog {
 public:
  // The CSV is created on the first reject, or at once when `create_now`
  // (an explicitly chosen path, which scripts may expect to exist). Creating
  // it throws Error(kCantCreate) as open_private_file does.
  RejectLog(std::filesystem::path path, bool create_now);

  void add(std::string_view file, std::size_t line, std::string_view field, std::string_view reason,
           std::string_view raw);

  std::uint64_t count() const { return count_; }
  // Whether the CSV was created (it has a header even when empty); still
  // true after close().
  bool created() const { return created_; }
  const std::filesystem::path& path() const { return path_; }

  // Flushes and closes the CSV. Throws Error(kCantCreate) if any of it could
  // not be written.
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
};

}  // namespace pipeline::load
