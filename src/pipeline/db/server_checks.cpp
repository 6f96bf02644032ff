#include "pipeline/db/server_checks.hpp"


#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/db/db_error.hpp"
#include "pipeline/db/session.hpp"
#include "pipeline/db/sql.hpp"

namespace pipeline::db {
namespace {

std::string joined(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : std::string(separator)) + item;
  return text;
}

}  // namespace

Grants read_grants(Session& session, const std::string& database) {
  Grants grants;
  grants.account =
      session
          .query_value("SELECT CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', "
                       "SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')")
          .value_or("");
  // A database grant may name a pattern (`code%`.*): LIKE matches as GRANT does.
  const ResultTable rows = session.query(
      "SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ? "
      "UNION SELECT PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ? AND ? LIKE TABLE_SCHEMA",
      {grants.account, grants.account, database});
  for (const auto& row : rows.rows) {
    if (row.at(0)) grants.privileges.insert(*row.at(0));
  }
  try {
    grants.has_roles = session.query_value("SELECT COUNT(*) FROM information_schema.APPLICABLE_ROLES").value_or("0") != "0";
  } catch (const DbError&) {
    grants.has_roles = false;  // a server without roles (MySQL before 8.0.19)
  }
  return grants;
}

std::vector<std::string> missing_privileges(const Privileges& required, const Grants& grants) {
  std::vector<std::string> missing;
  for (std::string_view privilege : required) {
    if (grants.privileges.count(std::string(privilege)) == 0) missing.emplace_back(privilege);
  }
  return missing;
}

std::optional<std::string> privileges_refusal(const std::vector<std::string>& missing, const Grants& grants,
                                              const std::string& database, std::string_view tool) {
  if (missing.empty()) return std::nullopt;
  return fmt::format(
      "{} needs {} on database '{}', which {} lacks: as an administrator, run GRANT {} ON {}.* TO {}", tool,
      joined(missing), database, grants.account, joined(missing), quote_identifier(database), grants.account);
}

void require_privileges(Session& session, const std::string& database, const Privileges& required,
                        std::string_view tool) {
  const Grants grants = read_grants(session, database);
  const auto refusal = privileges_refusal(missing_privileges(required, grants), grants, database, tool);
  if (!refusal) return;
  if (grants.has_roles) {
    spdlog::warn("{} (unless a role of the account grants them: roles are not checked)", *refusal);
    return;
  }
  throw Error(ExitCode::kNoPerm, *refusal);
}

ReadOnlySettings read_read_only_settings(Session& session) {
  ReadOnlySettings settings;
  const ResultTable rows = session.query(
      "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('read_only', 'super_read_only', 'innodb_read_only')");
  for (const auto& row : rows.rows) {
    const std::string name = row.at(0).value_or("");
    const bool on = row.at(1).value_or("") == "ON" || row.at(1).value_or("") == "1";
    if (name == "read_only") settings.read_only = on;
    if (name == "super_read_only") settings.super_read_only = on;
    if (name == "innodb_read_only") settings.innodb_read_only = on;
  }
  return settings;
}

std::optional<std::string> read_only_refusal(const ReadOnlySettings& settings, const std::string& server) {
  std::vector<std::string> on;
  if (settings.read_only) on.emplace_back("read_only");
  if (settings.super_read_only) on.emplace_back("super_read_only");
  if (settings.innodb_read_only) on.emplace_back("innodb_read_only");
  if (on.empty()) return std::nullopt;
  const std::string fix = settings.innodb_read_only
                              ? "restart it without --innodb-read-only"
                              : "SET GLOBAL " + on.front() + " = OFF, if it is meant to take writes";
  return fmt::format(
      "the server {} is read-only (a replica?): {} is ON; point --host at the primary, or {}", server,
      joined(on, " and "), fix);
}

void require_writable(Session& session, const std::string& server) {
  if (auto refusal = read_only_refusal(read_read_only_settings(session), server)) {
    throw Error(ExitCode::kNoPerm, *refusal);
  }
}

}  // namespace pipeline::db
