#!/usr/bin/env bash
# make check: builds everything, starts a private PostgreSQL cluster, runs
# the unit, SQL and integration tests, then the unit and integration tests
# again under AddressSanitizer + UBSan, removes the cluster and prints one
# summary line: "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export LC_ALL=C.UTF-8 LANG=C.UTF-8
JOBS=${JOBS:-$(nproc)}
passed=0 failed=0 failed_files=()

log() { printf '\033[1m== %s\033[0m\n' "$*"; }

# run_tap <name> <command...>: runs one TAP producer, counts its results
run_tap() {
  local name=$1; shift
  local out rc np nf plan
  out=$(timeout "${XIAOAN_TEST_TIMEOUT:-300}" "$@" 2>&1); rc=$?
  np=$(grep -cE '^ok [0-9]+' <<<"$out")
  nf=$(grep -cE '^not ok [0-9]+' <<<"$out")
  plan=$(grep -oE '^1\.\.[0-9]+' <<<"$out" | head -n 1 | cut -d. -f3)
  if [ "$rc" -ne 0 ] || [ "$nf" -gt 0 ] || [ -z "$plan" ] || [ "$plan" -ne $((np + nf)) ]; then
    [ "$nf" -gt 0 ] || nf=1
    printf 'FAIL %-44s %3d ok, %d failed (exit %d)\n' "$name" "$np" "$nf" "$rc"
    grep -vE '^ok [0-9]+' <<<"$out" | sed 's/^/    /' | tail -n 60
    failed_files+=("$name")
  else
    printf 'ok   %-44s %3d\n' "$name" "$np"
  fi
  passed=$((passed + np)); failed=$((failed + nf))
}

log "build"
make -s -j"$JOBS" all units || { echo "0 passed, 1 failed"; exit 1; }

export XIAOAN_PG_DIR=${XIAOAN_PG_DIR:-/tmp/xiaoan-check-$$}
export XIAOAN_PG_FSYNC=off
conn=$(scripts/pg.sh start) || { echo "0 passed, 1 failed"; exit 1; }
eval "$(scripts/pg.sh env)"
trap 'scripts/pg.sh remove' EXIT
export XIAOAN_TEMPLATE_DB=xiaoan_tmpl
createdb "$XIAOAN_TEMPLATE_DB"
if ! build/xiaoan-admin --db "$conn dbname=$XIAOAN_TEMPLATE_DB" migrate >/tmp/xiaoan-migrate.$$ 2>&1; then
  cat /tmp/xiaoan-migrate.$$; echo "0 passed, 1 failed"; exit 1
fi
rm -f /tmp/xiaoan-migrate.$$
psql -X -q -d "$XIAOAN_TEMPLATE_DB" -c 'CREATE EXTENSION IF NOT EXISTS pgtap' >/dev/null

run_suite() { # run_suite <label> <build folder>
  local label=$1 build=$2 t
  export XIAOAN_BUILD=$top/$build CMOCKA_MESSAGE_OUTPUT=TAP
  log "$label: unit tests"
  for t in "$build"/tests/test_*; do
    [ -x "$t" ] && run_tap "$label/unit/$(basename "$t")" "$t"
  done
  if [ "$label" = plain ]; then
    log "$label: SQL tests"
    for t in tests/sql/*.sql; do
      [ -e "$t" ] || continue
      run_tap "sql/$(basename "$t")" tests/sql/run.sh "$t"
    done
  fi
  log "$label: integration tests"
  for t in tests/integ/*.sh; do
    [ -x "$t" ] || continue
    if [ "$label" = san ] && grep -q '^# san: skip' "$t"; then continue; fi
    run_tap "$label/integ/$(basename "$t")" "$t"
  done
}

run_suite plain build
if [ "${XIAOAN_NO_SAN:-}" != 1 ]; then
  log "sanitizer build"
  if make -s -j"$JOBS" SAN=1 all units; then
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      run_suite san build-san
  else
    failed=$((failed + 1)); failed_files+=("sanitizer build")
  fi
fi

echo
[ ${#failed_files[@]} -eq 0 ] || printf 'failed: %s\n' "${failed_files[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
