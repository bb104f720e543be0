#!/usr/bin/env bash
# make check: builds everything and runs the unit, SQL and integration tests,
# and the unit and integration tests again under AddressSanitizer + UBSan.
# The two suites run side by side, each against a private PostgreSQL cluster
# of its own (tests share nothing else: every test makes its own database,
# port and tmux socket), so the run takes about as long as the slower suite.
# Prints the plain suite as it goes, then the sanitizer suite, then one
# summary line: "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export LC_ALL=C.UTF-8 LANG=C.UTF-8
JOBS=${JOBS:-$(nproc)}
passed=0 failed=0 failed_files=()
state=$(mktemp -d /tmp/xiaoan-check.XXXXXX)

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

# suite <label> <build folder>: one suite against its own cluster; leaves
# "passed failed" and the failed files' names in $state/<label>.
suite() {
  local label=$1 build=$2 t conn
  export XIAOAN_PG_DIR=${XIAOAN_PG_DIR:-/tmp/xiaoan-check-$$}-$label
  export XIAOAN_PG_FSYNC=off
  trap "scripts/pg.sh remove; echo \"\$passed \$failed \${failed_files[*]}\" > \"\$state/$label\"" EXIT
  trap 'exit 143' TERM INT
  if ! conn=$(scripts/pg.sh start); then
    failed=1; failed_files+=("$label: cluster"); return
  fi
  eval "$(scripts/pg.sh env)"
  export XIAOAN_TEMPLATE_DB=xiaoan_tmpl
  createdb "$XIAOAN_TEMPLATE_DB"
  if ! build/xiaoan-admin --db "$conn dbname=$XIAOAN_TEMPLATE_DB" migrate >"$state/migrate-$label" 2>&1; then
    cat "$state/migrate-$label"; failed=1; failed_files+=("$label: migrate"); return
  fi
  psql -X -q -d "$XIAOAN_TEMPLATE_DB" -c 'CREATE EXTENSION IF NOT EXISTS pgtap' >/dev/null

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

san_pid=
trap '[ -z "$san_pid" ] || kill "$san_pid" 2>/dev/null; wait; rm -rf "$state"' EXIT

log "build"
make -s -j"$JOBS" all units || { echo "0 passed, 1 failed"; exit 1; }
if [ "${XIAOAN_NO_SAN:-}" != 1 ]; then
  (
    log "sanitizer build"
    if make -s -j"$JOBS" SAN=1 all units; then
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        suite san build-san
    else
      echo "0 1 sanitizer-build" > "$state/san"
    fi
  ) > "$state/san.log" 2>&1 &
  san_pid=$!
fi
( suite plain build )
if [ -n "$san_pid" ]; then
  wait "$san_pid"; san_pid=
  cat "$state/san.log"
fi

for f in "$state"/plain "$state"/san; do
  [ -e "$f" ] || continue
  read -r p n files < "$f"
  passed=$((passed + p)); failed=$((failed + n))
  [ -z "${files:-}" ] || failed_files+=("$files")
done
[ -e "$state/plain" ] || { failed=$((failed + 1)); failed_files+=("plain suite did not finish"); }
[ "${XIAOAN_NO_SAN:-}" = 1 ] || [ -e "$state/san" ] || { failed=$((failed + 1)); failed_files+=("sanitizer suite did not finish"); }

echo
[ ${#failed_files[@]} -eq 0 ] || printf 'failed: %s\n' "${failed_files[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
