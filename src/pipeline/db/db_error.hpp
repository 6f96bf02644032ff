// Database errors, classified into the exit code an operator acts on.
#pragma once

#include <string>

#include "pipeline/error.hpp"

namespace pipeline::db {

// Maps a MySQL/MariaDB server or client error number to an exit code:
// kTempFail for "try again later" (unreachable, gone, too many connections,
// lock wait, deadlock), kNoPerm for refused credentials or privileges or a
// setting the run needs (LOAD DATA LOCAL refused: local_infile),
// kUsage for an unknown database or a TLS setup that fails, kSoftware
// otherwise.
ExitCode classify_error(int error_number);

class DbError : public Error {
 public:
  // `what` describes the operation ("connecting to ...", "LOAD DATA into people");
  // the server's message and numbers are appended, then `hint` (what to do
  // about it) if any.
  DbError(const std::string& what, int error_number, const std::string& sql_state, const std::string& server_message,
          const std::string& hint = "");

  // The same error, its message followed by "; " and `hint` (the fix).
  DbError with_hint(const std::string& hint) const;

  int error_number() const noexcept { return error_number_; }
  bool transient() const noexcept { return code() == ExitCode::kTempFail; }

 private:
  DbError(ExitCode code, const std::string& message, int error_number)
      : Error(code, message), error_number_(error_number) {}

  int error_number_;
};

}  // namespace pipeline::db
