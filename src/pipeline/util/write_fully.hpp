// Writing a whole buffer to a descriptor: the loop every writer of the tools
// shares (files, pipes, terminals, the log).
#pragma once

#include <cstddef>
#include <string_view>

namespace pipeline::util {

struct WriteResult {
  std::size_t written = 0;  // bytes written before it ended
  int error = 0;            // errno of the failure; 0 when all was written
};

// Writes all of `data` to `fd`, retrying after EINTR and short writes, and
// waiting (poll) while a non-blocking descriptor is full. Stops at the first
// other failure (EPIPE when a pipe's reader went away; SIGPIPE is ignored by
// the tools) and says which.
WriteResult write_fully(int fd, std::string_view data);

}  // namespace pipeline::util
