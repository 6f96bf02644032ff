#include "pipeline/util/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "pipeline/error.hpp"
#include "pipeline/util/write_fully.hpp"

namespace pipeline::util {
namespace {

// One file of a set on its way to its target.
struct Staged {
  std::filesystem::path target;
  // The temporary file holding the new bytes, fsynced; gone once renamed.
  std::string temp;
  // A hard link to the old file while the renames run; empty when there is no
  // old file or none is needed (the last file of a set).
  std::string backup;
  bool renamed = false;
};

std::string failure(const std::filesystem::path& path, const char* what, int error_number) {
  return fmt::format("cannot write {}: {}: {}", path.string(), what, std::strerror(error_number));
}

[[noreturn]] void fail(const std::filesystem::path& path, const char* what, int error_number) {
  throw Error(ExitCode::kCantCreate, failure(path, what, error_number));
}

mode_t current_umask() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return mask;
}

std::filesystem::path directory_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : ".";
}

// Writes `file`'s bytes to a new temporary file beside its target, fsyncs and
// closes it. On error the temporary file is removed.
Staged stage(const FileContent& file, mode_t mode) {
  // fmt::format rather than operator+: GCC 12 -O2 warns (-Wrestrict, a false
  // positive) about the inlined concatenation.
  Staged staged;
  staged.target = file.path;
  staged.temp = (directory_of(file.path) / fmt::format(".{}.tmp.XXXXXX", file.path.filename().string())).string();
  const int fd = ::mkstemp(staged.temp.data());
  if (fd < 0) fail(file.path, "cannot create a temporary file beside it", errno);

  auto discard = [&](const char* what, int error_number) {
    ::close(fd);
    ::unlink(staged.temp.c_str());
    fail(file.path, what, error_number);
  };

  if (::fchmod(fd, mode) != 0) discard("cannot set permissions", errno);
  if (const WriteResult result = write_fully(fd, file.content); result.error != 0) {
    discard("write failed", result.error);
  }
  if (::fsync(fd) != 0) discard("fsync failed", errno);
  if (::close(fd) != 0) {
    const int error_number = errno;
    ::unlink(staged.temp.c_str());
    fail(file.path, "close failed", error_number);
  }
  return staged;
}

// Refuses, before the first rename, a target that no rename could replace,
// and one that must not be replaced: a FIFO, a device or a socket, or a link
// to one (output_file.hpp writes those in place).
void check_target(const Staged& staged) {
  struct stat st {};
  if (::lstat(staged.target.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    fail(staged.target, "cannot inspect it", errno);
  }
  if (S_ISDIR(st.st_mode)) fail(staged.target, "cannot replace it", EISDIR);
  if (S_ISLNK(st.st_mode) && ::stat(staged.target.c_str(), &st) != 0) return;  // a dangling link
  if (S_ISDIR(st.st_mode)) fail(staged.target, "cannot replace it", EISDIR);
  if (!S_ISREG(st.st_mode)) {
    throw Error(ExitCode::kCantCreate,
                fmt::format("cannot write {}: it is not a regular file, and only a regular file is replaced",
                            staged.target.string()));
  }
}

// Keeps the old file under a second name until every rename has succeeded.
void keep_old(Staged& staged) {
  std::string backup = staged.temp + ".old";
  // linkat without AT_SYMLINK_FOLLOW: an old symlink is kept as the symlink.
  if (::linkat(AT_FDCWD, staged.target.c_str(), AT_FDCWD, backup.c_str(), 0) == 0) {
    staged.backup = std::move(backup);
  } else if (errno != ENOENT) {  // ENOENT: no old file, so a roll-back removes the new one
    fail(staged.target, "cannot keep a hard link to the old file", errno);
  }
}

// Undoes the renames done so far. Returns what could not be undone, for the
// error message; a link that could not be restored is kept.
std::string roll_back(std::vector<Staged>& staged) {
  std::string problems;
  for (Staged& s : staged) {
    if (!s.renamed) continue;
    if (s.backup.empty()) {
      if (::unlink(s.target.c_str()) != 0) {
        problems += fmt::format("; could not remove the new {}: {}", s.target.string(), std::strerror(errno));
      }
    } else if (::rename(s.backup.c_str(), s.target.c_str()) != 0) {
      problems += fmt::format("; could not restore {} (its old bytes are in {}): {}", s.target.string(), s.backup,
                              std::strerror(errno));
    }
    s.backup.clear();
  }
  return problems;
}

// Removes the temporary files not renamed and the links to old files.
void remove_leftovers(const std::vector<Staged>& staged) {
  for (const Staged& s : staged) {
    if (!s.renamed) ::unlink(s.temp.c_str());
    if (!s.backup.empty()) ::unlink(s.backup.c_str());
  }
}

// Makes the renames durable: each directory once.
void sync_directories(const std::vector<Staged>& staged) {
  std::vector<std::filesystem::path> dirs;
  for (const Staged& s : staged) {
    std::filesystem::path dir = directory_of(s.target);
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(std::move(dir));
  }
  for (const std::filesystem::path& dir : dirs) {
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
      ::fsync(dir_fd);
      ::close(dir_fd);
    }
  }
}

}  // namespace

void write_files_atomically(std::span<const FileContent> files, RenameFunction rename_file) {
  if (rename_file == nullptr) rename_file = &::rename;
  const mode_t mask = current_umask();
  std::vector<Staged> staged;
  staged.reserve(files.size());
  try {
    for (const FileContent& file : files) staged.push_back(stage(file, file.permissions & ~mask));
    for (const Staged& s : staged) check_target(s);
    // The last file needs no link: when its rename fails, its old file is still in place.
    for (std::size_t i = 0; i + 1 < staged.size(); ++i) keep_old(staged[i]);
  } catch (...) {
    remove_leftovers(staged);
    throw;
  }
  for (Staged& s : staged) {
    if (rename_file(s.temp.c_str(), s.target.c_str()) != 0) {
      const int error_number = errno;
      const std::string problems = roll_back(staged);
      remove_leftovers(staged);
      sync_directories(staged);
      throw Error(ExitCode::kCantCreate, failure(s.target, "rename failed", error_number) + problems);
    }
    s.renamed = true;
  }
  remove_leftovers(staged);
  sync_directories(staged);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content, mode_t permissions) {
  const FileContent file{path, content, permissions};
  write_files_atomically(std::span(&file, 1));
}

}  // namespace pipeline::util
