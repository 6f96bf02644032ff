#include "pipeline/util/input_file.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <streambuf>
#include <vector>

#include <fmt/format.h>

#include <spdlog/spdlog.h>

#include "pipeline/error.hpp"
#include "pipeline/util/decompress.hpp"
#include "pipeline/util/interrupt.hpp"
#include "pipeline/util/sha256.hpp"

namespace pipeline::util {
namespace {

constexpr int kStallSliceMs = 100;

bool is_standard_input(const std::filesystem::path& path) { return path == "-"; }

}  // namespace

class InputFile::Buffer : public std::streambuf {
 public:
  // `detect`: tell the format by the first bytes (a whole file); a byte
  // range of a file is always plain text.
  Buffer(int fd, std::string name, std::uint64_t limit, bool may_stall, bool detect)
      : fd_(fd), name_(std::move(name)), data_(64 * 1024), left_(limit), may_stall_(may_stall), decided_(!detect) {}
  ~Buffer() override { ::close(fd_); }

  std::uint64_t bytes() const { return bytes_; }
  std::string digest() { return sha_.hex_digest(); }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (!decided_) decide();
    if (decoder_) return decode();
    if (!head_served_ && !head_.empty()) {
      // The bytes read to tell the format, served once.
      setg(head_.data(), head_.data(), head_.data() + head_.size());
      head_served_ = true;
      return traits_type::to_int_type(*gptr());
    }
    const std::string_view chunk = read_chunk();
    if (chunk.empty()) return traits_type::eof();
    setg(data_.data(), data_.data(), data_.data() + chunk.size());
    return traits_type::to_int_type(*gptr());
  }

 private:
  // The next bytes of the file, in data_; empty at its end.
  std::string_view read_chunk() {
    if (left_ == 0) return {};
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(data_.size(), left_));
    // A signal stops the reading: of a big file within one buffer, and of a
    // pipe, which may keep the reader waiting for ever, within one slice.
    check_interrupted();
    while (may_stall_) {
      pollfd ready{.fd = fd_, .events = POLLIN, .revents = 0};
      if (::poll(&ready, 1, kStallSliceMs) != 0) break;
      check_interrupted();
    }
    ssize_t got;
    do {
      got = ::read(fd_, data_.data(), want);
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
      throw Error(ExitCode::kNoInput, fmt::format("read error on {}: {}", name_, std::strerror(errno)));
    }
    const std::string_view chunk(data_.data(), static_cast<std::size_t>(got));
    sha_.update(chunk);
    bytes_ += static_cast<std::uint64_t>(got);
    left_ -= static_cast<std::uint64_t>(got);
    if (got == 0) left_ = 0;
    return chunk;
  }

  // Reads the first bytes and picks plain text or a decoder.
  void decide() {
    decided_ = true;
    while (head_.size() < kMagicBytes) {
      const std::string_view chunk = read_chunk();
      if (chunk.empty()) break;
      head_.append(chunk);
    }
    if (const auto format = unreadable_format(head_)) {
      throw Error(ExitCode::kDataError,
                  fmt::format("{} is {}-compressed, which is not read here: decompress it first, or compress it "
                              "with gzip or zstd (read as they are)",
                              name_, *format));
    }
    const Compression compression = detect_compression(head_);
    if (compression == Compression::kNone) return;
    spdlog::info("{}: {}-compressed; decompressing it as it is read", name_, to_string(compression));
    decoder_ = make_decoder(compression, name_);
    out_.resize(256 * 1024);
    pending_ = head_;
  }

  int_type decode() {
    for (;;) {
      if (pending_.empty()) {
        pending_ = read_chunk();
        if (pending_.empty()) {
          decoder_->finish();
          return traits_type::eof();
        }
      }
      const std::size_t made = decoder_->decode(pending_, out_.data(), out_.size());
      if (made > 0) {
        setg(out_.data(), out_.data(), out_.data() + made);
        return traits_type::to_int_type(*gptr());
      }
    }
  }

  int fd_;
  std::string name_;
  std::vector<char> data_;
  Sha256 sha_;
  std::uint64_t bytes_ = 0;
  std::uint64_t left_;
  // Not a regular file: a read may block.
  bool may_stall_;
  bool decided_;
  // The bytes read to tell the format: served first (plain), or decoded
  // first (compressed).
  std::string head_;
  // Plain text: head_ was served.
  bool head_served_ = false;
  std::unique_ptr<Decoder> decoder_;
  // Compressed bytes not yet decoded: in head_ or data_.
  std::string_view pending_;
  std::vector<char> out_;
};

std::string display_name(const std::filesystem::path& path) {
  return is_standard_input(path) ? "standard input" : path.string();
}

void check_input_path(const std::filesystem::path& path, std::string_view flag) {
  const auto refuse = [&](const std::string& why) {
    throw Error(ExitCode::kNoInput, fmt::format("cannot read {} {}: {}", flag, path.string(), why));
  };
  if (is_standard_input(path)) return;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int error_number = errno;
    if (error_number == ENOENT && path.is_relative()) {
      std::error_code ignored;
      refuse(fmt::format("no such file (relative to the working directory {})",
                         std::filesystem::current_path(ignored).string()));
    }
    refuse(std::strerror(error_number));
  }
  if (S_ISDIR(st.st_mode)) refuse("it is a directory");
  if (::access(path.c_str(), R_OK) != 0) refuse(std::strerror(errno));
}

std::optional<std::string> why_unsplittable(const std::filesystem::path& path) {
  if (is_standard_input(path)) return "it is standard input";
  // stat, not open: opening a FIFO and closing it again would end its
  // writer's stream before the load has read a byte.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;  // opening it for reading says why
  if (!S_ISREG(st.st_mode)) return "it is not a regular file (a pipe?)";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  std::string head(kMagicBytes, '\0');
  const ssize_t got = ::pread(fd, head.data(), head.size(), 0);
  ::close(fd);
  head.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  const Compression compression = detect_compression(head);
  if (compression != Compression::kNone) return fmt::format("it is {}-compressed", to_string(compression));
  return std::nullopt;
}

InputFile::InputFile(std::filesystem::path path)
    : InputFile(std::move(path), 0, std::numeric_limits<std::uint64_t>::max(), true) {}

InputFile::InputFile(std::filesystem::path path, std::uint64_t begin, std::uint64_t end)
    : InputFile(std::move(path), begin, end, false) {}

InputFile::InputFile(std::filesystem::path path, std::uint64_t begin, std::uint64_t end, bool whole)
    : path_(std::move(path)) {
  const std::string name = display_name(path_);
  // Standard input is read through a copy of its descriptor, which closing
  // this file closes.
  const int fd = is_standard_input(path_) ? ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0)
                                          : ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(ExitCode::kNoInput, fmt::format("cannot open {}: {}", name, std::strerror(errno)));
  }
  struct stat st {};
  bool regular = false;
  if (::fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      throw Error(ExitCode::kNoInput, fmt::format("cannot read {}: it is a directory", name));
    }
    regular = S_ISREG(st.st_mode);
    if (regular) size_ = static_cast<std::uint64_t>(st.st_size);
  }
  if (begin > 0 && ::lseek(fd, static_cast<off_t>(begin), SEEK_SET) < 0) {
    const int error_number = errno;
    ::close(fd);
    throw Error(ExitCode::kNoInput, fmt::format("cannot seek in {}: {}", name, std::strerror(error_number)));
  }
  buffer_ = std::make_unique<Buffer>(fd, name, end - begin, !regular, whole && begin == 0);
  stream_ = std::make_unique<std::istream>(buffer_.get());
  // Let the read error's own message out instead of a bare badbit.
  stream_->exceptions(std::ios::badbit);
}

InputFile::~InputFile() = default;

std::istream& InputFile::stream() { return *stream_; }
std::uint64_t InputFile::bytes_read() const { return buffer_->bytes(); }
std::string InputFile::sha256() { return buffer_->digest(); }

}  // namespace pipeline::util
