#include "support/held_input.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace pipeline::testing {

FifoInput::FifoInput(std::filesystem::path path) : path_(std::move(path)) {
  ::signal(SIGPIPE, SIG_IGN);
  if (::mkfifo(path_.c_str(), 0600) != 0) {
    throw std::runtime_error("mkfifo " + path_.string() + ": " + std::strerror(errno));
  }
}

FifoInput::~FifoInput() {
  close();
  ::unlink(path_.c_str());
}

bool FifoInput::write(std::string_view bytes) {
  if (fd_ < 0) {
    // Without a reader, a non-blocking open fails with ENXIO: poll for one.
    const bool opened = eventually([&] {
      fd_ = ::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      return fd_ >= 0;
    });
    if (!opened) return false;
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
  }
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd_, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

void FifoInput::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool eventually(const std::function<bool()>& condition, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

CsvParts split_header(const std::string& people_csv) {
  const auto end = people_csv.find('\n');
  if (end == std::string::npos) return {people_csv, ""};
  return {people_csv.substr(0, end + 1), people_csv.substr(end + 1)};
}

}  // namespace pipeline::testing
