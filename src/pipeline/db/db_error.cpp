#include "pipeline/db/db_error.hpp"

#include <fmt/format.h>

namespace pipeline::db {

ExitCode classify_error(int error_number) {
  switch (error_number) {
    case 1040:  // ER_CON_COUNT_ERROR: too many connections
    // MariaDB's "WSREP has not yet prepared node for application use": a
    // Galera node that is not (or no longer) part of the cluster's primary
    // component. (MySQL's "unknown command" under this number is never sent
    // to a client speaking the protocol.)
    case 1047:  // ER_UNKNOWN_COM_ERROR
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1205:  // ER_LOCK_WAIT_TIMEOUT
    case 1213:  // ER_LOCK_DEADLOCK
    case 1927:  // ER_CONNECTION_KILLED (MariaDB)
    case 2002:  // CR_CONNECTION_ERROR: no socket
    case 2003:  // CR_CONN_HOST_ERROR: nothing listening
    case 2005:  // CR_UNKNOWN_HOST: compose's DNS before the service exists
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2012:  // CR_SERVER_HANDSHAKE_ERR
    case 2013:  // CR_SERVER_LOST
    case 2055:  // CR_SERVER_LOST_EXTENDED
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8)
      return ExitCode::kTempFail;
    case 1044:  // ER_DBACCESS_DENIED_ERROR
    case 1045:  // ER_ACCESS_DENIED_ERROR
    case 1142:  // ER_TABLEACCESS_DENIED_ERROR
    case 1143:  // ER_COLUMNACCESS_DENIED_ERROR
    case 1227:  // ER_SPECIFIC_ACCESS_DENIED_ERROR
    case 1290:  // ER_OPTION_PREVENTS_STATEMENT: read_only, set after the run's checks
    case 1698:  // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
    // LOAD DATA LOCAL refused by a setting (local_infile=OFF): --load-method
    // auto or insert avoids it.
    case 1148:  // ER_NOT_ALLOWED_COMMAND (MariaDB)
    case 3948:  // ER_CLIENT_LOCAL_FILES_DISABLED (MySQL 8)
    case 4166:  // ER_LOAD_INFILE_CAPABILITY_DISABLED (MySQL 8)
      return ExitCode::kNoPerm;
    case 1049:  // ER_BAD_DB_ERROR
    // Never transient: a server without TLS, or a certificate that does not
    // verify, stays so however long the retries last.
    case 2026:  // CR_SSL_CONNECTION_ERROR: TLS refused or the certificate did not verify
      return ExitCode::kUsage;
    default:
      return ExitCode::kSoftware;
  }
}

DbError::DbError(const std::string& what, int error_number, const std::string& sql_state,
                 const std::string& server_message, const std::string& hint)
    : Error(classify_error(error_number), fmt::format("{}: {} (error {}, SQLSTATE {}){}{}", what, server_message,
                                                      error_number, sql_state, hint.empty() ? "" : "; ", hint)),
      error_number_(error_number) {}

DbError DbError::with_hint(const std::string& hint) const {
  if (hint.empty()) return *this;
  return DbError(code(), std::string(what()) + "; " + hint, error_number_);
}

}  // namespace pipeline::db
