// Reading what a tool writes into a FIFO, from a thread, without ever
// hanging the test: the read end is opened before the tool starts, so the
// tool's open does not wait and a tool that never opens the FIFO (or renames
// over it) leaves the reader with nothing instead of stuck.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

namespace pipeline::testing {

class FifoReader {
 public:
  // Opens the FIFO at `path` (it must exist) for reading and starts reading.
  explicit FifoReader(const std::filesystem::path& path);
  // Stops and closes, if finish() was not called.
  ~FifoReader();
  FifoReader(const FifoReader&) = delete;
  FifoReader& operator=(const FifoReader&) = delete;

  // Call once the writer has exited: reads what is left, stops, and returns
  // every byte read.
  std::string finish();

 private:
  void read_available();

  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::string bytes_;
  std::thread thread_;
};

}  // namespace pipeline::testing
