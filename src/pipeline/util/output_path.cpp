#include "pipeline/util/output_path.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "pipeline/error.hpp"
#include "pipeline/util/output_file.hpp"

namespace pipeline::util {
namespace {

[[noreturn]] void refuse(const std::filesystem::path& path, std::string_view what, std::string_view reason) {
  throw Error(ExitCode::kCantCreate, fmt::format("cannot write {} to {}: {}", what, output_name(path), reason));
}

}  // namespace

void check_output_path(const std::filesystem::path& path, std::string_view what) {
  const OutputTarget target = resolve_output(path);
  switch (target.way) {
    case OutputWay::kStandardOutput:
      return;
    case OutputWay::kDirectory:
      refuse(path, what, "it is a directory");
    case OutputWay::kInPlace: {
      // Not opened: a FIFO's open would wait for its reader.
      struct stat st {};
      if (::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) refuse(path, what, "it is a socket");
      if (::access(path.c_str(), W_OK) != 0) refuse(path, what, std::strerror(errno));
      return;
    }
    case OutputWay::kReplace:
      break;
  }
  // The new file is made beside the file to replace (a link resolved).
  const std::filesystem::path& file = target.path;
  const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  std::string probe = (dir / ".").string();
  probe.append(file.filename().string()).append(".probe.XXXXXX");
  const int fd = ::mkstemp(probe.data());
  if (fd < 0) refuse(path, what, std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  struct stat sa {
  }, sb{};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

bool same_file_as_descriptor(const std::filesystem::path& path, int fd) {
  struct stat sp {
  }, sd{};
  return ::stat(path.c_str(), &sp) == 0 && ::fstat(fd, &sd) == 0 && sp.st_dev == sd.st_dev && sp.st_ino == sd.st_ino;
}

bool same_output(const std::filesystem::path& a, const std::filesystem::path& b) {
  if (a == "-" || b == "-") return a == b;
  if (same_file(a, b)) return true;
  std::error_code error_a, error_b;
  const auto full_a = std::filesystem::weakly_canonical(std::filesystem::absolute(a), error_a);
  const auto full_b = std::filesystem::weakly_canonical(std::filesystem::absolute(b), error_b);
  return !error_a && !error_b && full_a == full_b;
}

}  // namespace pipeline::util
