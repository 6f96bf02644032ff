// Opening the files a tool creates for itself (the rejects CSV, the log) so
// that nobody else can read the personal data in them and nobody can redirect
// them: the last path component is never followed if it is a symbolic link,
// and a regular file that has other hard links is refused.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string_view>

#include "pipeline/error.hpp"

namespace pipeline::util {

// A path that is not safe to write (a symbolic link, other hard links, a
// file that stays readable by others): exit kCantCreate, never worked around.
class UnsafeFileError : public Error {
 public:
  explicit UnsafeFileError(const std::string& message) : Error(ExitCode::kCantCreate, message) {}
};

enum class OpenMode { kTruncate, kAppend };

// Opens `path` for writing and returns the file descriptor (close-on-exec).
// A new regular file gets `permissions` minus the umask; an existing one owned
// by this user is appended to with its permissions narrowed to `permissions`,
// or, to truncate, replaced by a new file if others could read it. A file or
// FIFO owned by another user is refused. A character device or a FIFO is written in place (a FIFO
// needs a reader already). Throws Error(kCantCreate), the message naming
// `what` and the path: UnsafeFileError ("refusing to write ...") for a
// symbolic link, a file with other hard links, a file whose permissions cannot
// be narrowed or a FIFO nobody reads; Error(kCantCreate) with the system's
// reason otherwise.
int open_private_file(const std::filesystem::path& path, mode_t permissions, OpenMode mode, std::string_view what);

}  // namespace pipeline::util
