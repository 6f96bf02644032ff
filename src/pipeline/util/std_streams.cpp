#include "pipeline/util/std_streams.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace pipeline::util {

bool ensure_standard_streams() noexcept {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    // open() returns the lowest free descriptor, which is this one: the ones
    // below it are open already.
    const int opened = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (opened < 0) return false;
    if (opened != fd) {
      ::close(opened);
      return false;
    }
  }
  return true;
}

}  // namespace pipeline::util
