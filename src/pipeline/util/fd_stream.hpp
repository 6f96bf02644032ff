// A std::ostream over a file descriptor it owns, for files that must be
// opened with flags std::ofstream cannot pass (util/private_file.hpp).
#pragma once

#include <ostream>
#include <streambuf>
#include <vector>

namespace pipeline::util {

class FdStreamBuf : public std::streambuf {
 public:
  explicit FdStreamBuf(int fd);
  ~FdStreamBuf() override;
  FdStreamBuf(const FdStreamBuf&) = delete;
  FdStreamBuf& operator=(const FdStreamBuf&) = delete;

  // Flushes and closes the descriptor; false if either failed (errno set).
  bool close();
  bool is_open() const { return fd_ >= 0; }

 protected:
  int_type overflow(int_type c) override;
  int sync() override;

 private:
  bool flush_buffer();

  int fd_;
  std::vector<char> buffer_;
};

class FdOStream : public std::ostream {
 public:
  // Takes ownership of `fd`.
  explicit FdOStream(int fd) : std::ostream(nullptr), buf_(fd) { rdbuf(&buf_); }

  // Flushes and closes; sets badbit if that fails.
  void close() {
    if (!buf_.close()) setstate(std::ios::badbit);
  }
  bool is_open() const { return buf_.is_open(); }

 private:
  FdStreamBuf buf_;
};

}  // namespace pipeline::util
