#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for the BotResilience.PostgreSql tests and benchmarks.
#
#   scripts/postgres.sh start [DIR]   initdb + start on a free port; prints the Npgsql connection string
#   scripts/postgres.sh stop  [DIR]   stop the cluster and delete DIR
#   scripts/postgres.sh status [DIR]  print the connection string when running
#
# DIR defaults to $BOTRESILIENCE_PG_DIR or /tmp/botresilience-pg. initdb refuses to run as root, so as root
# the cluster runs as the 'postgres' user (created by the Debian package; see scripts/ensure-postgres.sh).
# Nothing listens on anything but 127.0.0.1; fsync is off (test data only).
set -euo pipefail
cmd="${1:-start}"
dir="${2:-${BOTRESILIENCE_PG_DIR:-/tmp/botresilience-pg}}"

pgbin=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && pgbin="$d"
done
if [ -z "$pgbin" ]; then
  echo "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (run scripts/ensure-postgres.sh)" >&2
  exit 2
fi

as_owner() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$(( 20000 + RANDOM % 30000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

case "$cmd" in
  start)
    if [ -f "$dir/connection-string" ] && as_owner "$pgbin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      cat "$dir/connection-string"
      exit 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" = "0" ] && chown postgres "$dir"
    as_owner "$pgbin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      exit 1
    }
    port=$(free_port)
    as_owner "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null || {
      cat "$dir/server.log" >&2
      exit 1
    }
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres" | tee "$dir/connection-string"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_owner "$pgbin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  status)
    as_owner "$pgbin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 && cat "$dir/connection-string"
    ;;
  *)
    echo "usage: scripts/postgres.sh start|stop|status [DIR]" >&2
    exit 2
    ;;
esac
