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

#include "pipeline/error.hpp"
#include "pipeline/util/interrupt.hpp"
#include "pipeline/util/sha256.hpp"

namespace pipeline::util {
namespace {

constexpr int kStallSliceMs = 100;

}  // namespace

class InputFile::Buffer : public std::streambuf {
 public:
  Buffer(int fd, std::filesystem::path path, std::uint64_t limit, bool may_stall)
      : fd_(fd), path_(std::move(path)), data_(64 * 1024), left_(limit), may_stall_(may_stall) {}
  ~Buffer() override { ::close(fd_); }

  std::uint64_t bytes() const { return bytes_; }
  std::string digest() { return sha_.hex_digest(); }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (left_ == 0) return traits_type::eof();
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
      throw Error(ExitCode::kNoInput, fmt::format("read error on {}: {}", path_.string(), std::strerror(errno)));
    }
    if (got == 0) return traits_type::eof();
    sha_.update(std::string_view(data_.data(), static_cast<std::size_t>(got)));
    bytes_ += static_cast<std::uint64_t>(got);
    left_ -= static_cast<std::uint64_t>(got);
    setg(data_.data(), data_.data(), data_.data() + got);
    return traits_type::to_int_type(*gptr());
  }

 private:
  int fd_;
  std::filesystem::path path_;
  std::vector<char> data_;
  Sha256 sha_;
  std::uint64_t bytes_ = 0;
  std::uint64_t left_;
  // Not a regular file: a read may block.
  bool may_stall_;
};

InputFile::InputFile(std::filesystem::path path)
    : InputFile(std::move(path), 0, std::numeric_limits<std::uint64_t>::max()) {}

void check_input_path(const std::filesystem::path& path, std::string_view flag) {
  const auto refuse = [&](const std::string& why) {
    throw Error(ExitCode::kNoInput, fmt::format("cannot read {} {}: {}", flag, path.string(), why));
  };
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

InputFile::InputFile(std::filesystem::path path, std::uint64_t begin, std::uint64_t end) : path_(std::move(path)) {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(ExitCode::kNoInput, fmt::format("cannot open {}: {}", path_.string(), std::strerror(errno)));
  }
  struct stat st {};
  bool regular = false;
  if (::fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      throw Error(ExitCode::kNoInput, fmt::format("cannot read {}: it is a directory", path_.string()));
    }
    regular = S_ISREG(st.st_mode);
    if (regular) size_ = static_cast<std::uint64_t>(st.st_size);
  }
  if (begin > 0 && ::lseek(fd, static_cast<off_t>(begin), SEEK_SET) < 0) {
    const int error_number = errno;
    ::close(fd);
    throw Error(ExitCode::kNoInput, fmt::format("cannot seek in {}: {}", path_.string(), std::strerror(error_number)));
  }
  buffer_ = std::make_unique<Buffer>(fd, path_, end - begin, !regular);
  stream_ = std::make_unique<std::istream>(buffer_.get());
  // Let the read error's own message out instead of a bare badbit.
  stream_->exceptions(std::ios::badbit);
}

InputFile::~InputFile() = default;

std::istream& InputFile::stream() { return *stream_; }
std::uint64_t InputFile::bytes_read() const { return buffer_->bytes(); }
std::string InputFile::sha256() { return buffer_->digest(); }

}  // namespace pipeline::util
