#!/usr/bin/env bash
# A throwaway PostgreSQL cluster inside the project, on a unix socket in its
# own folder (no TCP port). Idempotent.
#
#   scripts/pg.sh start     create (if needed) and start; prints the conninfo
#   scripts/pg.sh stop      stop (keeps the data)
#   scripts/pg.sh remove    stop and delete the cluster
#   scripts/pg.sh status    exit 0 when running
#   scripts/pg.sh conninfo  print the libpq conninfo
#   scripts/pg.sh env       print shell exports (PGHOST, PGPORT, PGDATABASE, PGUSER)
#
# XIAOAN_PG_DIR picks the folder (default: var/pg in the project);
# XIAOAN_PG_OPTS adds server settings ("-c name=value ...") at start. PostgreSQL
# refuses to run as root: as root the server runs as the 'postgres' user, and
# when that user cannot reach the project folder (a clone under /root) the
# cluster goes to /tmp instead.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$PGBIN/pg_ctl" ] || { echo "pg.sh: no PostgreSQL server found (apt-get install postgresql)" >&2; exit 1; }
PORT=${XIAOAN_PG_PORT:-5432}
DBNAME=${XIAOAN_PG_DB:-xiaoan}

as_server() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

dir=${XIAOAN_PG_DIR:-$top/var/pg}
if [ "$(id -u)" -eq 0 ] && [ -z "${XIAOAN_PG_DIR:-}" ]; then
  # Every parent folder must be traversable by the server's user.
  if ! runuser -u postgres -- test -x "$top"; then
    dir=/tmp/xiaoan-pg-$(printf '%s' "$top" | md5sum | cut -c1-10)
  fi
fi
data=$dir/data
sock=$dir/run
log=$dir/server.log

conninfo() { echo "host=$sock port=$PORT dbname=$DBNAME user=postgres"; }

running() { [ -f "$data/PG_VERSION" ] && as_server "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1; }

start() {
  if [ ${#sock} -gt 100 ]; then
    echo "pg.sh: socket path too long (${#sock} bytes): set XIAOAN_PG_DIR to a shorter folder" >&2; exit 1
  fi
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    as_server mkdir -p "$data" "$sock"
    as_server chmod 700 "$sock"
    as_server "$PGBIN/initdb" -D "$data" --no-sync -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  if ! running; then
    as_server "$PGBIN/pg_ctl" -D "$data" -l "$log" -w -t 30 start \
      -o "-c listen_addresses='' -k $sock -p $PORT -c fsync=${XIAOAN_PG_FSYNC:-on} -c max_connections=300 -c timezone=UTC ${XIAOAN_PG_OPTS:-}" >/dev/null \
      || { tail -n 20 "$log" >&2; exit 1; }
  fi
  if ! "$PGBIN/psql" "host=$sock port=$PORT dbname=postgres user=postgres" -Atqc "select 1 from pg_database where datname='$DBNAME'" | grep -q 1; then
    "$PGBIN/createdb" -h "$sock" -p "$PORT" -U postgres "$DBNAME"
  fi
  conninfo
}

stop() { if running; then as_server "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  remove) stop; rm -rf "$dir" ;;
  status) running ;;
  conninfo) conninfo ;;
  env) echo "export PGHOST='$sock' PGPORT=$PORT PGDATABASE=$DBNAME PGUSER=postgres" ;;
  *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
