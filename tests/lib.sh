# Shared helpers for the integration tests (bash). Source it, then call
# `plan N` (or nothing), `ok COND DESC`, ..., and `done_testing`.
#
# Environment from scripts/check.sh: PGHOST PGPORT PGUSER (superuser) and
# XIAOAN_TEMPLATE_DB (a migrated template database); XIAOAN_BUILD (build
# folder with the programs). Every test gets its own database (new_db) and
# its own loopback port (free_port); everything it starts is stopped by the
# EXIT trap.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${XIAOAN_BUILD:-$TOP/build}
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
_tap_n=0
_tap_fail=0
_pids=()
_dbs=()
TMP=$(mktemp -d /tmp/xiaoan-test.XXXXXX)
chmod 755 "$TMP"

plan() { echo "1..$1"; _tap_planned=1; }

ok() { # ok <exit status or command result: 0 = pass> <description>
  _tap_n=$((_tap_n + 1))
  if [ "$1" -eq 0 ]; then echo "ok $_tap_n - $2"; else echo "not ok $_tap_n - $2"; _tap_fail=$((_tap_fail + 1)); fi
}

is() { # is <got> <expected> <description>
  _tap_n=$((_tap_n + 1))
  if [ "$1" == "$2" ]; then echo "ok $_tap_n - $3"
  else
    echo "not ok $_tap_n - $3"; echo "#   got:      '$1'"; echo "#   expected: '$2'"
    _tap_fail=$((_tap_fail + 1))
  fi
}

like() { # like <got> <extended regex> <description>
  _tap_n=$((_tap_n + 1))
  if [[ "$1" =~ $2 ]]; then echo "ok $_tap_n - $3"
  else
    echo "not ok $_tap_n - $3"; echo "#   got:      '$1'"; echo "#   expected to match: '$2'"
    _tap_fail=$((_tap_fail + 1))
  fi
}

diag() { echo "# $*"; }

done_testing() {
  [ "${_tap_planned:-0}" = 1 ] || echo "1..$_tap_n"
  [ "$_tap_fail" -eq 0 ]
  exit $?
}

# new_db NAME: a fresh copy of the migrated template; exports PGDATABASE and DB
new_db() {
  local name="t_${1}_$$"
  createdb -T "$XIAOAN_TEMPLATE_DB" "$name" || { echo "Bail out! createdb $name failed"; exit 1; }
  _dbs+=("$name")
  export PGDATABASE=$name DB=$name
  export DBCONN="host=$PGHOST port=$PGPORT dbname=$name"
}

# psql as the superuser (or `PGUSER=x q ...` as an officer); -At output
q() { psql -X -v ON_ERROR_STOP=1 -Atq "$@"; }

# a free TCP port on 127.0.0.1
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }

# run a program in the background and remember it for cleanup
spawn() { "$@" & _pids+=($!); }

# wait_for <seconds> <command...>: retry until the command succeeds
wait_for() {
  local t=$1; shift
  local end=$((SECONDS + t))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.1
  done
}

# officer <login> <name> <unit> <role>
officer() { q -c "select xiaoan.officer_set('$1', '$2', '$3', '$4')" >/dev/null; }

_cleanup() {
  local p
  for p in "${_pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${_pids[@]}"; do wait "$p" 2>/dev/null; done
  for p in "${_dbs[@]}"; do dropdb --if-exists -f "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap _cleanup EXIT
