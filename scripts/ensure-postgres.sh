#!/usr/bin/env bash
# Makes sure PostgreSQL server binaries (initdb, pg_ctl, postgres) are installed. Tests start their own
# throwaway cluster from them on 127.0.0.1; nothing is started here.
set -euo pipefail
pgbin=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && pgbin="$d"
done
if [ -z "$pgbin" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing PostgreSQL server binaries with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    # The package may auto-start a cluster on 5432; the tests do not use it.
    (service postgresql stop >/dev/null 2>&1 || true)
  else
    echo "WARNING: PostgreSQL server binaries not found and cannot be installed; PostgreSQL tests will report that they could not start a server." >&2
    exit 0
  fi
fi
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && pgbin="$d"; done
echo "PostgreSQL binaries: $pgbin ($("$pgbin/postgres" --version))"
