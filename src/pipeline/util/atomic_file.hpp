// Writing output files so that readers see the old file or the new one, never
// a partial one: the bytes go to a temporary file in the same directory, which
// is fsynced and then renamed over the target.
#pragma once

#include <filesystem>
#include <string_view>

namespace pipeline::util {

// Replaces `path` with `content` atomically. The new file gets mode 0666 minus
// the umask. Throws Error(kCantCreate) naming the path and the system's reason
// (no directory, no permission, disk full, file size limit); the previous file
// is then untouched and no temporary file is left behind.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace pipeline::util
