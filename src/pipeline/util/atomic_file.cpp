#include "pipeline/util/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "pipeline/error.hpp"

namespace pipeline::util {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const char* what, int error_number) {
  throw Error(ExitCode::kCantCreate,
              fmt::format("cannot write {}: {}: {}", path.string(), what, std::strerror(error_number)));
}

mode_t current_umask() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return mask;
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  // fmt::format rather than operator+: GCC 12 -O2 warns (-Wrestrict, a false
  // positive) about the inlined concatenation.
  std::string temp = (dir / fmt::format(".{}.tmp.XXXXXX", path.filename().string())).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) fail(path, "cannot create a temporary file beside it", errno);

  auto discard = [&](const char* what, int error_number) {
    ::close(fd);
    ::unlink(temp.c_str());
    fail(path, what, error_number);
  };

  if (::fchmod(fd, 0666 & ~current_umask()) != 0) discard("cannot set permissions", errno);
  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t written = ::write(fd, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      discard("write failed", errno);
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
  if (::fsync(fd) != 0) discard("fsync failed", errno);
  if (::close(fd) != 0) {
    const int error_number = errno;
    ::unlink(temp.c_str());
    fail(path, "close failed", error_number);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error_number = errno;
    ::unlink(temp.c_str());
    fail(path, "rename failed", error_number);
  }
  // Make the rename itself durable.
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace pipeline::util
