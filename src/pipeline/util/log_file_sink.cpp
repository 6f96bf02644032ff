#include "pipeline/util/log_file_sink.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include <fmt/format.h>

#include "pipeline/util/private_file.hpp"
#include "pipeline/util/write_fully.hpp"

namespace pipeline::util {
namespace {

// It quotes rejected rows: the owner writes, the group (an operator) reads.
constexpr mode_t kLogPermissions = 0640;

}  // namespace

LogFileSink::LogFileSink(std::filesystem::path path, std::size_t max_bytes, std::size_t max_files)
    : path_(std::move(path)), max_bytes_(max_bytes), max_files_(max_files) {
  open();
}

LogFileSink::~LogFileSink() {
  if (fd_ >= 0) ::close(fd_);
}

std::filesystem::path LogFileSink::rotated(std::size_t index) const {
  if (index == 0) return path_;
  std::filesystem::path name = path_;
  name.replace_filename(fmt::format("{}.{}{}", path_.stem().string(), index, path_.extension().string()));
  return name;
}

void LogFileSink::open() {
  fd_ = open_private_file(path_, kLogPermissions, OpenMode::kAppend, "the log file");
  struct stat st {};
  size_ = ::fstat(fd_, &st) == 0 ? static_cast<std::size_t>(st.st_size) : 0;
}

void LogFileSink::rotate() {
  ::close(fd_);
  fd_ = -1;
  // rename(2) replaces a symbolic link at the target rather than following
  // it, so the shuffle itself cannot be redirected.
  for (std::size_t i = max_files_; i > 0; --i) {
    const std::filesystem::path from = rotated(i - 1);
    struct stat st {};
    if (::lstat(from.c_str(), &st) != 0) continue;
    if (std::rename(from.c_str(), rotated(i).c_str()) != 0) break;
  }
  open();
}

void LogFileSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t formatted;
  formatter_->format(msg, formatted);
  if (fd_ < 0) open();
  if (size_ > 0 && size_ + formatted.size() > max_bytes_) rotate();
  const WriteResult result = write_fully(fd_, {formatted.data(), formatted.size()});
  if (result.error != 0) spdlog::throw_spdlog_ex("cannot write the log file " + path_.string(), result.error);
  size_ += formatted.size();
}

}  // namespace pipeline::util
