// An input file read through a stream that fingerprints it on the way: bytes
// read (for progress) and SHA-256 (for the ledger), in the same single pass
// that parses it. "-" is standard input. A gzip or zstd file, told by its
// first bytes, is decompressed as it is read: the stream gives the CSV text,
// while the size, the bytes read and the SHA-256 are the file's own.
#pragma once

#include <cstdint>
#include <filesystem>
#include <istream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline::util {

// Checks, without opening it (a FIFO must not lose its writer), that `path`
// exists, is not a directory and may be read. Throws Error(kNoInput) naming
// `flag`, the path and the reason, with a hint for a missing file. Run before
// connecting: a missing file must not wait out a connect timeout.
// "-" is standard input.
void check_input_path(const std::filesystem::path& path, std::string_view flag);

// How messages name `path`: "standard input" for "-".
std::string display_name(const std::filesystem::path& path);

// Why `path` cannot be split into byte ranges read on their own (standard
// input, a pipe or other non-regular file, a compressed file), or nullopt
// when it can. Opens nothing that could block (a FIFO is opened
// non-blocking).
std::optional<std::string> why_unsplittable(const std::filesystem::path& path);

class InputFile {
 public:
  // Opens `path` for reading. Throws Error(kNoInput) naming the path and the
  // reason (missing, a directory, no permission).
  explicit InputFile(std::filesystem::path path);
  // Opens only the bytes [begin, end) of `path`, a plain regular file (never
  // decompressed); by default from begin to the end of the file.
  InputFile(std::filesystem::path path, std::uint64_t begin,
            std::uint64_t end = std::numeric_limits<std::uint64_t>::max());
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // The stream to parse. A read error throws Error(kNoInput) out of it, and
  // util::interrupt_error() once SIGINT or SIGTERM came, also while a read
  // waits on a pipe (opening a FIFO still waits for its writer).
  std::istream& stream();
  const std::filesystem::path& path() const { return path_; }
  // Size when opened; 0 when unknown (a pipe). Compressed: the file's size.
  std::uint64_t size() const { return size_; }
  std::uint64_t bytes_read() const;
  // SHA-256 of every byte read (of the file, compressed or not); call after
  // reading to the end.
  std::string sha256();

 private:
  InputFile(std::filesystem::path path, std::uint64_t begin, std::uint64_t end, bool whole);

  class Buffer;
  std::filesystem::path path_;
  std::uint64_t size_ = 0;
  std::unique_ptr<Buffer> buffer_;
  std::unique_ptr<std::istream> stream_;
};

}  // namespace pipeline::util
