// The three standard file descriptors, made safe before anything else opens a
// file or a socket.
#pragma once

namespace pipeline::util {

// Opens /dev/null on each of file descriptors 0, 1 and 2 that is closed. Run
// first thing in main: a tool started with `>&- 2>&-` (cron, a supervisor)
// would otherwise get a log file or a database socket as fd 1 or 2, and log
// text would go into it. Returns false if /dev/null cannot be opened, in
// which case nothing can be trusted to be printed either.
bool ensure_standard_streams() noexcept;

}  // namespace pipeline::util
