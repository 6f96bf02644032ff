# Shared by the benchmark scripts: build the bench preset, start a throwaway
# server, generate data files. Source it; it sets $root, $bin, $db_dir.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$root/build/bench"

bench_build() {
  "$root/scripts/install-deps"
  (cd "$root" && cmake --preset bench >/dev/null && cmake --build --preset bench >/dev/null)
}

bench_start_db() {
  db_dir=$(mktemp -d /tmp/bench-db.XXXXXX)
  trap 'bench_stop_db' EXIT
  "$root/scripts/throwaway-db" start "$db_dir" >/dev/null
  # shellcheck disable=SC1091
  . "$db_dir/env"
  export MYSQL_PWD
  MYSQL_PWD=$(cat "$MYSQL_PASSWORD_FILE")  # for the mariadb CLI; never on a command line
}

bench_stop_db() {
  "$root/scripts/throwaway-db" stop "$db_dir" >/dev/null 2>&1 || true
  rm -rf "$db_dir"
}

# bench_people_file N: path of a deterministic N-row people.csv (generated once).
bench_people_file() {
  local n=$1 file="$root/bench/data/people_$1.csv"
  mkdir -p "$root/bench/data"
  if [ ! -s "$file" ]; then
    "$bin/bench/gen_people" --rows "$n" --seed 1 --names-from "$root/data/people.csv" \
      --places-from "$root/data/places.csv" >"$file.tmp"
    mv "$file.tmp" "$file"
  fi
  echo "$file"
}

# cli: the mariadb command-line client, as a user would run it, over the same
# TCP connection the tools use.
cli() {
  mariadb --no-defaults --local-infile=1 --host="$MYSQL_HOST" --port="$MYSQL_TCP_PORT" \
    --user="$MYSQL_USER" "$MYSQL_DATABASE" "$@"
}

# div A B: A / B as a decimal
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }

# median of the numbers on stdin
median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
