#include "pipeline/util/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <streambuf>
#include <vector>

#include <fmt/format.h>

#include "pipeline/error.hpp"
#include "pipeline/util/sha256.hpp"

namespace pipeline::util {

class InputFile::Buffer : public std::streambuf {
 public:
  Buffer(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)), data_(64 * 1024) {}
  ~Buffer() override { ::close(fd_); }

  std::uint64_t bytes() const { return bytes_; }
  std::string digest() { return sha_.hex_digest(); }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    ssize_t got;
    do {
      got = ::read(fd_, data_.data(), data_.size());
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
      throw Error(ExitCode::kNoInput, fmt::format("read error on {}: {}", path_.string(), std::strerror(errno)));
    }
    if (got == 0) return traits_type::eof();
    sha_.update(std::string_view(data_.data(), static_cast<std::size_t>(got)));
    bytes_ += static_cast<std::uint64_t>(got);
    setg(data_.data(), data_.data(), data_.data() + got);
    return traits_type::to_int_type(*gptr());
  }

 private:
  int fd_;
  std::filesystem::path path_;
  std::vector<char> data_;
  Sha256 sha_;
  std::uint64_t bytes_ = 0;
};

InputFile::InputFile(std::filesystem::path path) : path_(std::move(path)) {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(ExitCode::kNoInput, fmt::format("cannot open {}: {}", path_.string(), std::strerror(errno)));
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      throw Error(ExitCode::kNoInput, fmt::format("cannot read {}: it is a directory", path_.string()));
    }
    if (S_ISREG(st.st_mode)) size_ = static_cast<std::uint64_t>(st.st_size);
  }
  buffer_ = std::make_unique<Buffer>(fd, path_);
  stream_ = std::make_unique<std::istream>(buffer_.get());
  // Let the read error's own message out instead of a bare badbit.
  stream_->exceptions(std::ios::badbit);
}

InputFile::~InputFile() = default;

std::istream& InputFile::stream() { return *stream_; }
std::uint64_t InputFile::bytes_read() const { return buffer_->bytes(); }
std::string InputFile::sha256() { return buffer_->digest(); }

}  // namespace pipeline::util
