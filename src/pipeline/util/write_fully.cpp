#include "pipeline/util/write_fully.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace pipeline::util {

WriteResult write_fully(int fd, std::string_view data) {
  WriteResult result;
  while (result.written < data.size()) {
    const ssize_t written = ::write(fd, data.data() + result.written, data.size() - result.written);
    if (written >= 0) {
      result.written += static_cast<std::size_t>(written);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      pollfd ready{fd, POLLOUT, 0};
      ::poll(&ready, 1, -1);
      continue;
    }
    result.error = errno;
    return result;
  }
  return result;
}

}  // namespace pipeline::util
