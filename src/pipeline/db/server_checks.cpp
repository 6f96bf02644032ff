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

// `text` as a string literal in a statement the message shows (never run
// here): quotes doubled, backslashes escaped.
std::string quote_string(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') quoted += c;
    quoted += c;
  }
  return quoted + "'";
}

}  // namespace

Grants read_grants(Session& session, const std::string& database) {
  Grants grants;
  // CURRENT_USER() is user@host; a user name may hold '@', a host name not.
  const ResultTable account = session.query(
      "SELECT SUBSTRING(CURRENT_USER(), 1, CHAR_LENGTH(CURRENT_USER()) - "
      "CHAR_LENGTH(SUBSTRING_INDEX(CURRENT_USER(), '@', -1)) - 1), SUBSTRING_INDEX(CURRENT_USER(), '@', -1)");
  grants.user = account.rows.at(0).at(0).value_or("");
  grants.host = account.rows.at(0).at(1).value_or("");
  // information_schema names the grantee 'user'@'host', quotes unescaped.
  const std::string grantee = "'" + grants.user + "'@'" + grants.host + "'";
  // A database grant may name a pattern (`code%`.*): LIKE matches as GRANT
  // does, and byte for byte, as database names compare on Linux.
  const ResultTable rows = session.query(
      "SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ? "
      "UNION SELECT PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ? "
      "AND CAST(? AS BINARY) LIKE CAST(TABLE_SCHEMA AS BINARY)",
      {grantee, grantee, database});
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

std::string Grants::account() const { return quote_string(user) + "@" + quote_string(host); }

std::optional<std::string> privileges_refusal(const std::vector<std::string>& missing, const Grants& grants,
                                              const std::string& database, std::string_view tool) {
  if (missing.empty()) return std::nullopt;
  return fmt::format(
      "{} needs {} on database '{}', which {} lacks: as an administrator, run GRANT {} ON {}.* TO {}", tool,
      joined(missing), database, grants.account(), joined(missing), quote_identifier(database), grants.account());
}

void require_privileges(Session& session, const std::string& database, const Privileges& required,
                        std::string_view tool) {
  const Grants grants = read_grants(session, database);
  const std::vector<std::string> missing = missing_privileges(required, grants);
  if (missing.empty()) return;
  if (grants.has_roles) {
    // Roles' grants are not listed to the account: this may be no gap at all.
    spdlog::warn(
        "{} could not confirm {} on database '{}' for {}: the account has roles, whose privileges this check cannot "
        "see; if a statement is refused, grant them to the role",
        tool, joined(missing), database, grants.account());
    return;
  }
  throw Error(ExitCode::kNoPerm, *privileges_refusal(missing, grants, database, tool));
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

std::optional<std::string> replication_refusal(const std::vector<TableShape>& tables, const std::string& database) {
  std::vector<std::string> problems;
  for (const TableShape& table : tables) {
    if (table.engine != "InnoDB") {
      problems.push_back(fmt::format("{} is {} (ALTER TABLE {} ENGINE=InnoDB)", table.name, table.engine, table.name));
    } else if (!table.primary_key) {
      problems.push_back(fmt::format("{} has no primary key (see schema.sql for its key)", table.name));
    }
  }
  if (problems.empty()) return std::nullopt;
  std::string list;
  for (const std::string& problem : problems) list.append(list.empty() ? "" : "; ").append(problem);
  return fmt::format(
      "the server is a Galera node, which replicates only InnoDB tables with a primary key, and in database '{}' {}: "
      "the nodes' copies would differ, so nothing is loaded",
      database, list);
}

void require_replicated_tables(Session& session, const std::string& database) {
  if (!session.galera()) return;
  const auto rows = session.query(
      "SELECT t.table_name, COALESCE(t.engine, ''), EXISTS (SELECT 1 FROM information_schema.table_constraints c "
      "WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.constraint_type = 'PRIMARY KEY') "
      "FROM information_schema.tables t WHERE t.table_schema = DATABASE() "
      "AND t.table_name IN ('people', 'places', 'load_runs', 'load_shards', 'load_locks') ORDER BY t.table_name");
  std::vector<TableShape> tables;
  for (const auto& row : rows.rows) {
    tables.push_back({row.at(0).value_or(""), row.at(1).value_or(""), row.at(2) == "1"});
  }
  if (auto refusal = replication_refusal(tables, database)) throw Error(ExitCode::kUsage, *refusal);
}

}  // namespace pipeline::db
