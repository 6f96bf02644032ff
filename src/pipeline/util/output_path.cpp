#include "pipeline/util/output_path.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "pipeline/error.hpp"

namespace pipeline::util {

void check_output_path(const std::filesystem::path& path, std::string_view what) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw Error(ExitCode::kCantCreate, fmt::format("cannot write {} to {}: it is a directory", what, path.string()));
  }
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string probe = (dir / ".").string();
  probe.append(path.filename().string()).append(".probe.XXXXXX");
  const int fd = ::mkstemp(probe.data());
  if (fd < 0) {
    throw Error(ExitCode::kCantCreate,
                fmt::format("cannot write {} to {}: {}", what, path.string(), std::strerror(errno)));
  }
  ::close(fd);
  ::unlink(probe.c_str());
}

bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  struct stat sa {
  }, sb{};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace pipeline::util
