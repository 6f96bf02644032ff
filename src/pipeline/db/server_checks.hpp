// What a run needs of the server, checked once it is connected and before any
// input is read: the account's privileges on the database, and a server that
// takes writes. Each check fails with every cause at once, the fix, and
// kNoPerm; it is never a late "internal error" from the first statement the
// server refuses.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::db {

class Session;

// Privileges as the server names them (information_schema.*_PRIVILEGES).
using Privileges = std::vector<std::string_view>;

// What the account was granted, on all databases or on `database`.
struct Grants {
  // CURRENT_USER()'s two parts.
  std::string user, host;
  std::set<std::string> privileges;
  // The account has roles: what they grant is not listed here.
  bool has_roles = false;

  // The account as a GRANT statement names it: 'user'@'host', quotes escaped.
  std::string account() const;
};

Grants read_grants(Session& session, const std::string& database);

// `required` less what `grants` holds, in `required`'s order.
std::vector<std::string> missing_privileges(const Privileges& required, const Grants& grants);

// The message for missing privileges, with the GRANT statement that fixes
// it; nullopt when nothing is missing.
std::optional<std::string> privileges_refusal(const std::vector<std::string>& missing, const Grants& grants,
                                              const std::string& database, std::string_view tool);

// Throws Error(kNoPerm) listing every privilege of `required` the account
// lacks on `database`. When the account has roles and something seems to be
// missing, warns instead: a role may grant it.
void require_privileges(Session& session, const std::string& database, const Privileges& required,
                        std::string_view tool);

// The server's read-only settings (SHOW GLOBAL VARIABLES; super_read_only is
// MySQL's only).
struct ReadOnlySettings {
  bool read_only = false;
  bool super_read_only = false;
  bool innodb_read_only = false;
};

ReadOnlySettings read_read_only_settings(Session& session);

// Why the server refuses writes, with the fix; nullopt when it takes them.
std::optional<std::string> read_only_refusal(const ReadOnlySettings& settings, const std::string& server);

// Throws Error(kNoPerm) when the server is read-only. Even an account that
// may write past read_only is refused: a read-only server is a replica or one
// being maintained, and a load there diverges from its primary.
void require_writable(Session& session, const std::string& server);

// A table as Galera sees it: only InnoDB tables replicate, and a table
// without a primary key replicates slowly, or not at all under
// innodb_force_primary_key or wsrep_mode=REQUIRED_PRIMARY_KEY.
struct TableShape {
  std::string name;
  std::string engine;
  bool primary_key = false;
};

// Why a Galera node would not keep the nodes' copies of `tables` equal, with
// the fix; nullopt when every one replicates.
std::optional<std::string> replication_refusal(const std::vector<TableShape>& tables, const std::string& database);

// On a Galera node (session.galera()), throws Error(kUsage) when a table
// the loader writes (people, places, the ledger) would not replicate.
// Does nothing elsewhere.
void require_replicated_tables(Session& session, const std::string& database);

}  // namespace pipeline::db
