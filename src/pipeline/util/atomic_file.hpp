// Writing output files so that readers see the old files or the new ones,
// never a partial file and, for a set of files, never a mix of the two: every
// file's bytes go to a temporary file in its target's directory and are
// fsynced, and only when all of them are written are they renamed over their
// targets.
//
// What a set write guarantees:
// - A write that fails (no directory, no permission, disk full, file size
//   limit, a target that is a directory) changes nothing: every target keeps
//   its old bytes, or stays absent, and no temporary file is left.
// - A rename that fails part-way is undone: until every rename has succeeded,
//   each old file is also kept under a hard link beside it, and the renames
//   already done are rolled back from those links. Only if that roll-back
//   itself fails does a target keep its new bytes; the error then names it and
//   the link holding its old bytes.
// - Each rename is atomic, so every file is always whole, and the directories
//   are fsynced once after the renames.
// What it does not guarantee:
// - A crash of the machine or a SIGKILL between two renames leaves the set
//   mixed, with hidden temporary files (.<name>.tmp.XXXXXX) and links to the
//   old files (.<name>.tmp.XXXXXX.old) beside the targets.
// - Readers that open the files while the renames run can see some new files
//   and some old ones; two writers of the same targets at once are not
//   serialised.
// - Where no hard link can be made (a file system without them, or another
//   user's old file under fs.protected_hardlinks), a set of two or more files
//   fails before the first rename, saying so; a single file needs no link.
// Only regular files are replaced: a target that is a FIFO, a device or a
// socket, or a link to one, is refused before the first rename
// (output_file.hpp writes those in place instead). A link to a regular file
// is itself replaced by the new file; output_file.hpp resolves it first.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <span>
#include <string_view>

namespace pipeline::util {

// One file of a set: its target and its new bytes.
struct FileContent {
  std::filesystem::path path;
  std::string_view content;
  // Of the new file, minus the umask. Default 0666.
  mode_t permissions = 0666;
};

// How a set's temporary files are renamed over their targets: returns 0, or -1
// with errno set, like rename(2), which is the default (nullptr). Tests
// substitute one that fails part-way; a roll-back always uses rename(2).
using RenameFunction = int (*)(const char* from, const char* to);

// Replaces every target in `files` with its content, all or nothing, as the
// comment at the top of this file describes; the paths should be distinct
// and name regular files (or nothing yet).
// New files get each file's permissions minus the umask. Throws Error(kCantCreate) naming
// the file that failed and the system's reason.
void write_files_atomically(std::span<const FileContent> files, RenameFunction rename_file = nullptr);

// The one-file case: replaces `path` with `content`. The previous file is
// untouched on error and no temporary file is left behind.
void write_file_atomically(const std::filesystem::path& path, std::string_view content, mode_t permissions = 0666);

}  // namespace pipeline::util
