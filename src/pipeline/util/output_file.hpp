// Writing the tools' output files according to what their paths name: a
// regular file (or none yet) is replaced atomically (atomic_file.hpp); what is
// not a regular file -- a terminal, a pipe, a FIFO, a device, or a link to one
// -- is written in place and never renamed over; "-" is standard output.
//
// Renaming over such a target would replace a device node or a FIFO with a
// regular file: run as root, `--output /dev/stdout` used to replace the
// /dev/stdout link itself, and its reader got nothing.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "pipeline/util/atomic_file.hpp"

namespace pipeline::util {

// How an output path is written.
enum class OutputWay {
  kStandardOutput,  // "-", or a link to the file open as standard output (/dev/stdout)
  kReplace,         // a regular file, a link to one, or nothing yet: atomically
  kInPlace,         // anything else that exists (a FIFO, a device, a socket): opened and written
  kDirectory,       // cannot be written
};

struct OutputTarget {
  OutputWay way;
  // For kReplace, the file to replace: a link is resolved, so the link stays
  // a link. Otherwise the path as given.
  std::filesystem::path path;
};

// Whether `path` is "-", the name for standard output.
bool is_standard_output(const std::filesystem::path& path);

// Decides how `path` is written from what it names now. Never throws: a path
// that cannot be inspected is kReplace, and the write then reports why.
OutputTarget resolve_output(const std::filesystem::path& path);

// How messages name `path`: "standard output" for "-", else the path.
std::string output_name(const std::filesystem::path& path);

// Writes every file in `files` its way (resolve_output). A directory is
// refused before anything is written. The in-place ones and standard output
// are written first, in order; then the regular files are replaced as one
// all-or-nothing set. So a failure anywhere leaves every regular file as it
// was; what went to a pipe or a device cannot be taken back, and its reader
// may have got a report that the files then did not (if the set fails).
// A FIFO without a reader blocks until one opens it.
// Throws Error(kCantCreate) naming the file and the system's reason, or
// Error(kIoError) when the reader of a pipe or FIFO went away part-way: that
// is one error, however much was left to write.
void write_outputs(std::span<const FileContent> files);

// The one-file case of write_outputs; a new regular file gets `permissions`
// minus the umask.
void write_output(const std::filesystem::path& path, std::string_view content, mode_t permissions = 0666);

}  // namespace pipeline::util
