// The cut-over of a replace: the one RENAME TABLE that makes a run live,
// done the way online schema-change tools do it. RENAME needs an exclusive
// metadata lock on people and places, so it waits for every open transaction
// that has read them, and while it waits every new reader queues behind it.
// So each attempt waits only briefly (lock_wait_timeout), readers flow
// between attempts, and after --publish-timeout the run gives up with
// nothing changed.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace pipeline::db {
class Session;
}

namespace pipeline::load {

struct CutoverTiming {
  // The longest one attempt waits for the metadata lock, and so the longest
  // a reader queues behind it. Default 2 s.
  std::chrono::seconds attempt{2};
  // Pause after the first failed attempt, doubling up to `max_pause`.
  std::chrono::milliseconds first_pause{250};
  std::chrono::milliseconds max_pause{4000};
  // When to give up. Default 120 s (--publish-timeout).
  std::chrono::seconds total{120};
};

// Runs `rename_sql` on `session`, retrying while it cannot get its locks,
// and logging who it waits for. Throws Error(kTempFail) once `timing.total`
// has passed, naming the connections that held the tables open; any other
// error is thrown at once, and so is util::interrupt_error() once SIGINT or
// SIGTERM came (checked before each attempt and while pausing). The
// session's lock_wait_timeout is restored before it returns or throws.
void cut_over(db::Session& session, std::string_view rename_sql, const CutoverTiming& timing);

// The connections that may be holding the metadata lock a cut-over waits
// for, as text for a message: id, user, host and how long each has been
// idle or busy. Says so when the server does not let this user see them.
std::string describe_blockers(db::Session& session);

}  // namespace pipeline::load
