// Checking, before a run does any work, that an output file it will write
// at the end can be written at all: a report that fails after the data was
// published would turn a success (or a rejection) into an output error.
#pragma once

#include <filesystem>
#include <string_view>

namespace pipeline::util {

// Throws Error(kCantCreate), naming `what` (e.g. "the run report"), the path
// and the system's reason, unless the output can be written the way
// write_outputs (output_file.hpp) will write it: "-" (standard output) always
// passes; a FIFO or device must be writable (it is not opened: a FIFO would
// wait for its reader), a socket is refused; otherwise a file must be
// creatable beside the file to replace (a link resolved): its directory
// exists and takes a new file, and `path` is not a directory. Creates and
// removes a probe file; leaves an existing `path` alone.
void check_output_path(const std::filesystem::path& path, std::string_view what);

// Whether `a` and `b` both exist and are the same file (device and inode),
// whatever the names or links that lead there.
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b);

// Whether `path` exists and is the file open as descriptor `fd`.
bool same_file_as_descriptor(const std::filesystem::path& path, int fd);

// Whether two output paths would write the same file: the same file now, or,
// for paths that do not exist yet, the same absolute path. "-" is never the
// same as another path (it is standard output, not a file name).
bool same_output(const std::filesystem::path& a, const std::filesystem::path& b);

}  // namespace pipeline::util
