#include "support/fifo_reader.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <stdexcept>

namespace pipeline::testing {

FifoReader::FifoReader(const std::filesystem::path& path) {
  // Non-blocking: opening a FIFO's read end would otherwise wait for a writer.
  fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error("cannot open the FIFO " + path.string());
  thread_ = std::thread([this] {
    while (!stop_) {
      pollfd ready{fd_, POLLIN, 0};
      if (::poll(&ready, 1, 50) > 0) read_available();
    }
  });
}

FifoReader::~FifoReader() {
  if (thread_.joinable()) finish();
}

void FifoReader::read_available() {
  char buffer[65536];
  ssize_t n = 0;
  // Ends at EAGAIN (the writer may write more) or 0 (no writer now).
  while ((n = ::read(fd_, buffer, sizeof buffer)) > 0) bytes_.append(buffer, static_cast<std::size_t>(n));
}

std::string FifoReader::finish() {
  stop_ = true;
  thread_.join();
  read_available();
  ::close(fd_);
  fd_ = -1;
  return bytes_;
}

}  // namespace pipeline::testing
