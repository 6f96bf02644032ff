// The mysql client's option files, read by MariaDB Connector/C's own parser:
// the [client] group and the tool's own ([dataloader], [datasummarizer]),
// from the files the client reads (/etc/my.cnf, /etc/mysql/my.cnf with its
// !includedir, ~/.my.cnf) or from --defaults-file, then --defaults-extra-file.
// The connector reads option files only while it connects; so they are read
// here, once, by a connection attempt to a socket that does not exist, and
// their values become defaults that the environment and flags override.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace pipeline::db {

struct OptionFileSources {
  // --no-defaults: read no option file at all.
  bool read_defaults = true;
  // --defaults-file: read this file instead of the client's default files.
  std::filesystem::path defaults_file;
  // --defaults-extra-file: read this file after the others; it wins.
  std::filesystem::path extra_file;
  // The tool's own group, read with [client]. Within and across files the
  // setting read last wins, as in the mysql client.
  std::string group;
};

// The connection settings the files hold; unset where they hold none.
struct OptionFileValues {
  std::optional<std::string> host, socket, user, password, database;
  std::optional<unsigned> port;
  std::optional<std::string> ssl_ca, ssl_cert, ssl_key;
};

// Throws Error(kNoInput) when --defaults-file or --defaults-extra-file names
// a file that cannot be read, naming the flag.
OptionFileValues read_option_files(const OptionFileSources& sources);

}  // namespace pipeline::db
