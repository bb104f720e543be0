#!/usr/bin/env bash
# Runs one pgTAP file against a fresh copy of the template database and
# prints its TAP. Tests switch identity with SET SESSION AUTHORIZATION, which
# changes session_user, the identity the case engine checks.
set -uo pipefail
db="t_sql_$(basename "$1" .sql)_$$"
createdb -T "${XIAOAN_TEMPLATE_DB:-xiaoan_tmpl}" "$db" || exit 1
psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -f "$1"
rc=$?
dropdb -f "$db"
exit $rc
