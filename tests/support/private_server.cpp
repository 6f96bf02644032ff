#include "support/private_server.hpp"

#include <signal.h>

#include <sstream>
#include <stdexcept>
#include <thread>

namespace pipeline::testing {
namespace {

std::string script() { return (source_dir() / "scripts" / "throwaway-db").string(); }

}  // namespace

PrivateServer::PrivateServer(std::string server_args, EnvOverrides start_env)
    : server_args_(std::move(server_args)), start_env_(std::move(start_env)) {
  start();
}

PrivateServer::~PrivateServer() { run({script(), "stop", dir_.path().string()}); }

void PrivateServer::start() {
  EnvOverrides env = start_env_;
  env["THROWAWAY_DB_ARGS"] = server_args_;
  const auto result = run({script(), "start", dir_.path().string()}, env, std::chrono::seconds(120));
  if (result.exit_code != 0) throw std::runtime_error("throwaway-db start failed: " + result.err);
  address_ = ServerAddress::read(dir_.path());
}

void PrivateServer::stop() {
  const auto result = run({script(), "stop", dir_.path().string()});
  if (result.exit_code != 0) throw std::runtime_error("throwaway-db stop failed: " + result.err);
}

void PrivateServer::restart(std::string server_args) {
  stop();
  server_args_ = std::move(server_args);
  start();
}

void PrivateServer::kill9() {
  const pid_t pid = static_cast<pid_t>(std::stol(read_file(dir_ / "mariadbd.pid")));
  ::kill(pid, SIGKILL);
  for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

void PrivateServer::admin_sql(const std::string& sql) const {
  const auto result =
      run({"/bin/sh", "-c", "printf '%s\\n' \"$1\" | \"$2\" sql \"$3\"", "sh", sql, script(), dir_.path().string()});
  if (result.exit_code != 0) throw std::runtime_error("throwaway-db sql failed: " + result.err);
}

ServerAddress ServerAddress::read(const std::filesystem::path& dir) {
  std::istringstream env(read_file(dir / "env"));
  std::string line;
  auto value = [](const std::string& l) {
    std::string v = l.substr(l.find('=') + 1);
    if (!v.empty() && v.front() == '\'') v = v.substr(1, v.size() - 2);
    return v;
  };
  ServerAddress address;
  address.dir = dir;
  while (std::getline(env, line)) {
    if (line.rfind("export MYSQL_HOST=", 0) == 0) address.host = value(line);
    if (line.rfind("export MYSQL_TCP_PORT=", 0) == 0) address.port = value(line);
    if (line.rfind("export MYSQL_UNIX_PORT=", 0) == 0) address.socket = value(line);
  }
  if (address.port.empty()) throw std::runtime_error("no MYSQL_TCP_PORT in " + (dir / "env").string());
  return address;
}

db::ConnectionOptions ServerAddress::options(const std::string& database) const {
  db::ConnectionOptions options;
  options.host = host;
  options.port = static_cast<unsigned>(std::stoul(port));
  options.socket = socket;
  options.user = "codetest";
  options.password = read_file(dir / "password");
  options.database = database;
  options.connect_timeout = std::chrono::seconds(10);
  return options;
}

EnvOverrides ServerAddress::env(const std::string& database) const {
  return {{"MYSQL_HOST", host},
          {"MYSQL_TCP_PORT", port},
          {"MYSQL_UNIX_PORT", socket},
          {"MYSQL_USER", "codetest"},
          {"MYSQL_PASSWORD_FILE", (dir / "password").string()},
          {"MYSQL_PASSWORD", std::nullopt},
          {"MYSQL_DATABASE", database}};
}

db::ConnectionOptions PrivateServer::options(const std::string& database) const { return address_.options(database); }

db::ConnectionOptions PrivateServer::root_options() const {
  db::ConnectionOptions options = address_.options();
  options.host = "localhost";
  options.user = "root";
  options.password.clear();
  return options;
}

EnvOverrides PrivateServer::env(const std::string& database) const { return address_.env(database); }

}  // namespace pipeline::testing
