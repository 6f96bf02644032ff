#!/bin/bash
# Entrypoint of the test-only MariaDB stand-in for mysql:8.4 (see Dockerfile).
# Follows the official MySQL image's entrypoint where compose relies on it:
#
#   - a command starting with "-" is options for mariadbd;
#   - on first start (empty /var/lib/mysql) it initialises the data directory,
#     starts a temporary server WITHOUT networking (so a TCP healthcheck fails
#     until initialisation is over), sets the root password from
#     MYSQL_ROOT_PASSWORD, or a random one (MYSQL_RANDOM_ROOT_PASSWORD), or
#     none (MYSQL_ALLOW_EMPTY_PASSWORD); creates MYSQL_DATABASE and
#     MYSQL_USER@'%' identified by MYSQL_PASSWORD with all privileges on that
#     database; runs /docker-entrypoint-initdb.d/*.sql, *.sql.gz (into
#     MYSQL_DATABASE) and *.sh in name order; then stops it;
#   - each VAR may instead be given as VAR_FILE, a file holding the value;
#   - then it runs the server in the foreground as the mysql user.
set -euo pipefail

log() { echo "$(date -u '+%Y-%m-%d %H:%M:%S') [entrypoint] $*" >&2; }
die() { log "error: $*"; exit 1; }

# VAR or VAR_FILE, never both.
file_env() {
  local var=$1 file_var="${1}_FILE"
  if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then die "both $var and $file_var are set"; fi
  if [ -n "${!file_var:-}" ]; then
    export "$var"="$(cat "${!file_var}")"
    unset "$file_var"
  fi
}

# A value as a single-quoted SQL string literal.
sql_string() {
  local s=${1//\\/\\\\}
  printf "'%s'" "${s//\'/\\\'}"
}
sql_ident() { printf '`%s`' "${1//\`/\`\`}"; }

socket=/run/mysqld/mysqld.sock
datadir=/var/lib/mysql

if [ "${1:0:1}" = - ]; then set -- mariadbd "$@"; fi
case "$1" in
  mariadbd | mysqld) ;;
  *) exec "$@" ;;
esac

for var in MYSQL_ROOT_PASSWORD MYSQL_DATABASE MYSQL_USER MYSQL_PASSWORD; do file_env "$var"; done
mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld "$datadir"

if [ ! -d "$datadir/mysql" ]; then
  if [ -z "${MYSQL_ROOT_PASSWORD:-}" ] && [ -z "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" ] && [ -z "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]; then
    die "database is uninitialized and no root password option is given: set MYSQL_ROOT_PASSWORD, MYSQL_ALLOW_EMPTY_PASSWORD or MYSQL_RANDOM_ROOT_PASSWORD"
  fi
  if [ -n "${MYSQL_USER:-}" ] && [ -z "${MYSQL_PASSWORD:-}" ]; then die "MYSQL_USER is set but MYSQL_PASSWORD is not"; fi
  if [ "${MYSQL_USER:-}" = root ]; then die "MYSQL_USER=root: set MYSQL_ROOT_PASSWORD instead"; fi

  log "initialising the data directory"
  mariadb-install-db --user=mysql --datadir="$datadir" --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve >/dev/null

  log "starting a temporary server without networking"
  "$@" --user=mysql --skip-networking --socket="$socket" &
  pid=$!
  for ((i = 0; i < 120; i++)); do
    if mariadb --protocol=socket --socket="$socket" -uroot -e 'SELECT 1' >/dev/null 2>&1; then break; fi
    kill -0 "$pid" 2>/dev/null || die "the temporary server exited"
    sleep 0.5
  done
  mariadb --protocol=socket --socket="$socket" -uroot -e 'SELECT 1' >/dev/null || die "the temporary server did not answer"

  if [ -n "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]; then
    MYSQL_ROOT_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
    log "root password: random, not shown (MYSQL_RANDOM_ROOT_PASSWORD)"
  fi
  root_pw=$(sql_string "${MYSQL_ROOT_PASSWORD:-}")
  {
    echo "SET @@SESSION.SQL_LOG_BIN = 0;"
    # No anonymous accounts and no accounts for the build host's name; root
    # by password from anywhere, and through the unix socket as the OS root
    # (this script) locally.
    echo "DELETE FROM mysql.global_priv WHERE User = '' OR Host NOT IN ('localhost', '%');"
    echo "DELETE FROM mysql.proxies_priv WHERE Host NOT IN ('localhost', '%');"
    echo "FLUSH PRIVILEGES;"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD($root_pw);"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY $root_pw;"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "${MYSQL_DATABASE:-}" ]; then
      echo "CREATE DATABASE IF NOT EXISTS $(sql_ident "$MYSQL_DATABASE");"
    fi
    if [ -n "${MYSQL_USER:-}" ]; then
      echo "CREATE USER $(sql_string "$MYSQL_USER")@'%' IDENTIFIED BY $(sql_string "$MYSQL_PASSWORD");"
      if [ -n "${MYSQL_DATABASE:-}" ]; then
        echo "GRANT ALL ON $(sql_ident "$MYSQL_DATABASE").* TO $(sql_string "$MYSQL_USER")@'%';"
      fi
    fi
  } | mariadb --protocol=socket --socket="$socket" -uroot

  client=(mariadb --protocol=socket --socket="$socket" -uroot)
  if [ -n "${MYSQL_DATABASE:-}" ]; then client+=("--database=$MYSQL_DATABASE"); fi
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh) log "running $f"; # shellcheck disable=SC1090
        . "$f" ;;
      *.sql) log "running $f"; "${client[@]}" <"$f" ;;
      *.sql.gz) log "running $f"; gunzip -c "$f" | "${client[@]}" ;;
      *) log "ignoring $f" ;;
    esac
  done

  log "stopping the temporary server"
  mariadb-admin --protocol=socket --socket="$socket" -uroot shutdown
  wait "$pid" || true
  log "initialisation done"
fi

log "starting $1"
exec "$@" --user=mysql
