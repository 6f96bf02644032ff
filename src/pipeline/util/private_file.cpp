#include "pipeline/util/private_file.hpp"

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

[[noreturn]] void refuse(int fd, const std::filesystem::path& path, std::string_view what, std::string_view why) {
  if (fd >= 0) ::close(fd);
  throw UnsafeFileError(fmt::format("refusing to write {} {}: {}", what, path.string(), why));
}

}  // namespace

int open_private_file(const std::filesystem::path& path, mode_t permissions, OpenMode mode, std::string_view what) {
  // A file to be truncated that others could read is replaced by a new one
  // rather than narrowed: a reader that opened it earlier would keep reading
  // through its descriptor. (lstat: a link is refused by the open below.)
  struct stat before {};
  if (mode == OpenMode::kTruncate && ::lstat(path.c_str(), &before) == 0 && S_ISREG(before.st_mode) &&
      before.st_nlink == 1 && before.st_uid == ::geteuid() && (before.st_mode & 07777 & ~permissions) != 0) {
    ::unlink(path.c_str());
  }
  // O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of hanging; it
  // is cleared again below. No O_TRUNC: what is truncated is checked first.
  int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
  if (mode == OpenMode::kAppend) flags |= O_APPEND;
  const int fd = ::open(path.c_str(), flags, permissions);
  if (fd < 0) {
    const int error = errno;
    if (error == ELOOP) refuse(-1, path, what, "it is a symbolic link; remove it, or choose another path");
    if (error == ENXIO) refuse(-1, path, what, "it is a FIFO or socket that no process is reading");
    throw Error(ExitCode::kCantCreate,
                fmt::format("cannot create {} {}: {}", what, path.string(), std::strerror(error)));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) refuse(fd, path, what, std::strerror(errno));
  // Someone else's file or FIFO in a directory they can write is a trap: what
  // goes into it (rows, log lines) would be theirs to read.
  if ((S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode)) && st.st_uid != ::geteuid()) {
    refuse(fd, path, what, fmt::format("it belongs to another user (uid {}); remove it", st.st_uid));
  }
  if (S_ISREG(st.st_mode)) {
    if (st.st_nlink > 1) {
      refuse(fd, path, what,
             fmt::format("it has {} other hard link(s), so writing it would change another file; remove it",
                         st.st_nlink - 1));
    }
    if ((st.st_mode & 07777) != (st.st_mode & permissions & 07777) &&
        ::fchmod(fd, st.st_mode & permissions & 07777) != 0) {
      refuse(fd, path, what,
             fmt::format("it is readable by others and its permissions cannot be narrowed ({}); remove it",
                         std::strerror(errno)));
    }
    if (mode == OpenMode::kTruncate && ::ftruncate(fd, 0) != 0) refuse(fd, path, what, std::strerror(errno));
  } else if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode)) {
    refuse(fd, path, what, "it is neither a regular file, a character device nor a FIFO");
  }
  const int status = ::fcntl(fd, F_GETFL);
  if (status < 0 || ::fcntl(fd, F_SETFL, status & ~O_NONBLOCK) != 0) refuse(fd, path, what, std::strerror(errno));
  return fd;
}

}  // namespace pipeline::util
