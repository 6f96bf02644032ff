// Connecting with retries: a database that is still starting (compose brings
// it up beside the tools) or briefly unreachable must not fail a run.
#pragma once

#include <functional>

#include "pipeline/db/connection_options.hpp"
#include "pipeline/db/session.hpp"

namespace pipeline::db {

// Calls `attempt` until it returns. A transient DbError (see classify_error)
// is retried after 250 ms, doubling to at most 8 s, until
// options.connect_timeout has passed since the first try; each failure is
// logged. At the deadline throws Error(kTempFail) naming the last failure.
// Any other error (bad password, unknown database) is thrown at once, and so
// is util::interrupt_error() when SIGINT or SIGTERM comes during a pause.
void retry_connect(const ConnectionOptions& options, const std::function<void()>& attempt);

// What to check when connecting to `options` failed with `error_number`:
// the flags and variables that name the server, the account or the
// database, or the statement that fixes it. Empty when there is no advice.
std::string connect_hint(int error_number, const ConnectionOptions& options);

// A Session, connected through retry_connect.
Session connect_with_retry(const ConnectionOptions& options);

}  // namespace pipeline::db
