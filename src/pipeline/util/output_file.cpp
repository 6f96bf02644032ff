#include "pipeline/util/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "pipeline/error.hpp"
#include "pipeline/util/write_fully.hpp"

namespace pipeline::util {
namespace {

bool same_file(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

bool is_open_as_standard_output(const struct stat& st) {
  struct stat out {};
  return ::fstat(STDOUT_FILENO, &out) == 0 && same_file(out, st);
}

[[noreturn]] void fail(const std::filesystem::path& path, const char* what, int error_number) {
  throw Error(ExitCode::kCantCreate,
              fmt::format("cannot write {}: {}: {}", output_name(path), what, std::strerror(error_number)));
}

// Writes all of `content` to `fd`, which may be a pipe, a terminal or a
// non-blocking descriptor. A reader that went away (EPIPE; SIGPIPE is
// ignored by the tools) ends it with one error.
void write_all(int fd, std::string_view content, const std::filesystem::path& path) {
  const WriteResult result = write_fully(fd, content);
  if (result.error == EPIPE) {
    throw Error(ExitCode::kIoError, fmt::format("cannot write {}: its reader closed it after {} of {} bytes",
                                                output_name(path), result.written, content.size()));
  }
  if (result.error != 0) fail(path, "write failed", result.error);
}

// Opens what `path` names (following links) without creating or renaming
// anything, and writes `content` to it. O_TRUNC only affects a regular file
// reached this way (Linux ignores it for FIFOs and devices).
void write_in_place(const std::filesystem::path& path, std::string_view content) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);  // a FIFO's open waits for a reader
  if (fd < 0) fail(path, "cannot open it", errno);
  try {
    write_all(fd, content, path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0 && errno != EINTR) fail(path, "close failed", errno);
}

}  // namespace

bool is_standard_output(const std::filesystem::path& path) { return path == "-"; }

std::string output_name(const std::filesystem::path& path) {
  return is_standard_output(path) ? "standard output" : path.string();
}

OutputTarget resolve_output(const std::filesystem::path& path) {
  if (is_standard_output(path)) return {OutputWay::kStandardOutput, path};
  struct stat link {};
  // Nothing there yet, or it cannot be inspected (the write will say why).
  if (::lstat(path.c_str(), &link) != 0 || S_ISREG(link.st_mode)) return {OutputWay::kReplace, path};
  if (S_ISDIR(link.st_mode)) return {OutputWay::kDirectory, path};
  struct stat target {};
  // A dangling link is replaced by the new file, as a missing file is created.
  if (::stat(path.c_str(), &target) != 0) return {OutputWay::kReplace, path};
  if (S_ISDIR(target.st_mode)) return {OutputWay::kDirectory, path};
  // /dev/stdout or /proc/self/fd/1: reopening it would write from offset 0
  // even when standard output appends (>>); use the open descriptor.
  if (is_open_as_standard_output(target)) return {OutputWay::kStandardOutput, path};
  if (!S_ISREG(target.st_mode)) return {OutputWay::kInPlace, path};
  // A link to a regular file: that file is replaced, the link stays. If the
  // resolved name is not that file (a /proc/<pid>/fd link to a deleted file),
  // only the link reaches it: write through the link.
  std::error_code error;
  std::filesystem::path resolved = std::filesystem::canonical(path, error);
  struct stat again {};
  if (!error && ::stat(resolved.c_str(), &again) == 0 && same_file(again, target)) {
    return {OutputWay::kReplace, std::move(resolved)};
  }
  return {OutputWay::kInPlace, path};
}

void write_outputs(std::span<const FileContent> files) {
  std::vector<OutputTarget> targets;
  targets.reserve(files.size());
  for (const FileContent& file : files) {
    targets.push_back(resolve_output(file.path));
    if (targets.back().way == OutputWay::kDirectory) fail(file.path, "cannot replace it", EISDIR);
  }
  std::vector<FileContent> regular;
  for (std::size_t i = 0; i < files.size(); ++i) {
    switch (targets[i].way) {
      case OutputWay::kStandardOutput:
        write_all(STDOUT_FILENO, files[i].content, files[i].path);
        break;
      case OutputWay::kInPlace:
        write_in_place(files[i].path, files[i].content);
        break;
      case OutputWay::kReplace:
      case OutputWay::kDirectory:
        regular.push_back({targets[i].path, files[i].content, files[i].permissions});
        break;
    }
  }
  if (!regular.empty()) write_files_atomically(regular);
}

void write_output(const std::filesystem::path& path, std::string_view content, mode_t permissions) {
  const FileContent file{path, content, permissions};
  write_outputs(std::span(&file, 1));
}

}  // namespace pipeline::util
