#include "pipeline/util/fd_stream.hpp"

#include <unistd.h>

#include <cerrno>

#include "pipeline/util/write_fully.hpp"

namespace pipeline::util {

namespace {
constexpr std::size_t kBufferBytes = 64 * 1024;
}  // namespace

FdStreamBuf::FdStreamBuf(int fd) : fd_(fd), buffer_(kBufferBytes) {
  setp(buffer_.data(), buffer_.data() + buffer_.size());
}

FdStreamBuf::~FdStreamBuf() { close(); }

bool FdStreamBuf::flush_buffer() {
  const WriteResult result = write_fully(fd_, {pbase(), static_cast<std::size_t>(pptr() - pbase())});
  // On a failure what is left is dropped: written again later (close), it
  // would follow bytes that were never written.
  setp(buffer_.data(), buffer_.data() + buffer_.size());
  return result.error == 0;
}

FdStreamBuf::int_type FdStreamBuf::overflow(int_type c) {
  if (fd_ < 0 || !flush_buffer()) return traits_type::eof();
  if (!traits_type::eq_int_type(c, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
  }
  return traits_type::not_eof(c);
}

int FdStreamBuf::sync() { return fd_ >= 0 && flush_buffer() ? 0 : -1; }

bool FdStreamBuf::close() {
  if (fd_ < 0) return true;
  const bool flushed = flush_buffer();
  const bool closed = ::close(fd_) == 0;
  fd_ = -1;
  return flushed && closed;
}

}  // namespace pipeline::util
