#include "pipeline/db/option_files.hpp"

#include <mysql.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "pipeline/error.hpp"

namespace pipeline::db {
namespace {

// Where the reading attempt "connects": no server listens on a socket in a
// directory that does not exist, so the attempt fails at once, offline.
constexpr const char* kNowhere = "/nonexistent/pipeline-reads-option-files.sock";

std::optional<std::string> text(const char* value) {
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// An option file is a configuration file: a FIFO or a device would block
// the connector's read (or feed it anything), so only a regular file passes.
void check_readable(const std::filesystem::path& path, const char* flag) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  std::string why;
  if (error) {
    why = error.message();
  } else if (!std::filesystem::is_regular_file(status)) {
    why = std::filesystem::is_directory(status) ? "it is a directory" : "it is not a regular file (a FIFO or a device?)";
  } else {
    errno = 0;
    std::ifstream in(path);
    if (in.is_open()) return;
    why = errno != 0 ? std::strerror(errno) : "it cannot be opened";
  }
  throw Error(ExitCode::kNoInput, fmt::format("cannot read the option file {} named by {}: {}", path.string(), flag, why));
}

// `file` alone, or (empty) the client's default files.
OptionFileValues read_one(const std::filesystem::path& file, const std::string& group) {
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) throw Error(ExitCode::kSoftware, "out of memory creating a client handle");
  const std::string path = file.string();
  if (!file.empty()) mysql_optionsv(mysql, MYSQL_READ_DEFAULT_FILE, path.c_str());
  mysql_optionsv(mysql, MYSQL_READ_DEFAULT_GROUP, group.c_str());
  // CLIENT_REMEMBER_OPTIONS: a failed attempt keeps what the files set. The
  // socket named does not exist, so the attempt fails before any network
  // I/O (a file's protocol=tcp was seen not to change that, Connector/C 3.3).
  mysql_real_connect(mysql, "localhost", "", "", nullptr, 0, kNowhere, CLIENT_REMEMBER_OPTIONS);
  const st_mysql_options& read = mysql->options;
  OptionFileValues values;
  values.host = text(read.host);
  values.socket = text(read.unix_socket);
  values.user = text(read.user);
  if (read.password != nullptr) values.password = std::string(read.password);
  values.database = text(read.db);
  if (read.port != 0) values.port = read.port;
  values.ssl_ca = text(read.ssl_ca);
  values.ssl_cert = text(read.ssl_cert);
  values.ssl_key = text(read.ssl_key);
  mysql_close(mysql);
  // The connector reads "port=-1" as 4294967295: it would be tried, and
  // retried, as a server that does not answer.
  if (values.port && *values.port > 65535) {
    throw Error(ExitCode::kUsage,
                fmt::format("an option file{} gives port = {}, which is not a TCP port (1 to 65535): fix its port line",
                            file.empty() ? "" : " (" + path + ")", static_cast<int>(*values.port)));
  }
  return values;
}

template <class T>
void overlay(std::optional<T>& base, const std::optional<T>& later) {
  if (later) base = later;
}

}  // namespace

OptionFileValues read_option_files(const OptionFileSources& sources) {
  if (!sources.read_defaults) return {};
  if (!sources.defaults_file.empty()) check_readable(sources.defaults_file, "--defaults-file");
  if (!sources.extra_file.empty()) check_readable(sources.extra_file, "--defaults-extra-file");
  OptionFileValues values = read_one(sources.defaults_file, sources.group);
  if (!sources.extra_file.empty()) {
    const OptionFileValues extra = read_one(sources.extra_file, sources.group);
    overlay(values.host, extra.host);
    overlay(values.socket, extra.socket);
    overlay(values.user, extra.user);
    overlay(values.password, extra.password);
    overlay(values.database, extra.database);
    overlay(values.port, extra.port);
    overlay(values.ssl_ca, extra.ssl_ca);
    overlay(values.ssl_cert, extra.ssl_cert);
    overlay(values.ssl_key, extra.ssl_key);
  }
  return values;
}

}  // namespace pipeline::db
