// The tools' log file: spdlog's size-based rotation (<stem>.log, then
// <stem>.1.log ... <stem>.<N>.log), but every file is opened through
// open_private_file, so a planted symbolic link is refused instead of
// followed, and the log, which quotes rejected rows, is mode 0640 at most.
#pragma once

#include <cstddef>
#include <filesystem>
#include <mutex>

#include <spdlog/sinks/base_sink.h>

namespace pipeline::util {

class LogFileSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // Opens (appends to) `path`. Throws Error(kCantCreate) as open_private_file
  // does. Keeps `max_files` rotated files of about `max_bytes` each.
  LogFileSink(std::filesystem::path path, std::size_t max_bytes, std::size_t max_files);
  ~LogFileSink() override;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  std::filesystem::path rotated(std::size_t index) const;
  void open();
  void rotate();

  std::filesystem::path path_;
  std::size_t max_bytes_;
  std::size_t max_files_;
  int fd_ = -1;           // guarded by base_sink::mutex_
  std::size_t size_ = 0;  // guarded by base_sink::mutex_
};

}  // namespace pipeline::util
