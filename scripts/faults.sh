#!/usr/bin/env bash
# make faults: the fault-injection suites of tests/faults/ (hub killed, the
# database down, a console cut off, concurrent officers, terminal hang-up and
# resizes) against a private PostgreSQL cluster and hubs on 127.0.0.1. Each
# suite is TAP and bounded by FAULTS_TIMEOUT seconds (default 600); prints
# one line per suite and a final "N passed, N failed"; exits non-zero on
# any failure. FAULTS_VERBOSE=1 shows every suite's full output.
#
# Knobs: FAULTS_ALERTS (3000) FAULTS_KILLS (5) FAULTS_DB_DOWN (60 s)
# FAULTS_STOP (50 s: the hub frozen longer than the console's 45 s idle
# limit) FAULTS_RACES (200). Arguments: suite names to run only those.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export LC_ALL=C.UTF-8 LANG=C.UTF-8
passed=0 failed=0 failed_files=()

log() { printf '\033[1m== %s\033[0m\n' "$*"; }

run_tap() {
  local name=$1; shift
  local out rc np nf plan t0=$SECONDS
  out=$(timeout "${FAULTS_TIMEOUT:-600}" "$@" 2>&1); rc=$?
  np=$(grep -cE '^ok [0-9]+' <<<"$out")
  nf=$(grep -cE '^not ok [0-9]+' <<<"$out")
  plan=$(grep -oE '^1\.\.[0-9]+' <<<"$out" | head -n 1 | cut -d. -f3)
  [ "${FAULTS_VERBOSE:-}" != 1 ] || sed 's/^/    /' <<<"$out"
  if [ "$rc" -ne 0 ] || [ "$nf" -gt 0 ] || [ -z "$plan" ] || [ "$plan" -ne $((np + nf)) ]; then
    [ "$nf" -gt 0 ] || nf=1
    printf 'not ok %-36s %3d ok, %d failed (exit %d, %d s)\n' "$name" "$np" "$nf" "$rc" $((SECONDS - t0))
    [ "${FAULTS_VERBOSE:-}" = 1 ] || grep -vE '^ok [0-9]+' <<<"$out" | sed 's/^/    /' | tail -n 60
    failed_files+=("$name")
  else
    printf 'ok     %-36s %3d (%d s)\n' "$name" "$np" $((SECONDS - t0))
    grep -E '^# ' <<<"$out" | sed 's/^/    /'
  fi
  passed=$((passed + np)); failed=$((failed + nf))
}

for p in xiaoan xiaoan-hub xiaoan-admin; do
  [ -x "build/$p" ] || { echo "faults: build/$p is missing: run make"; echo "0 passed, 1 failed"; exit 1; }
done
for c in node jq tmux curl; do
  command -v "$c" >/dev/null || { echo "faults: $c is missing"; echo "0 passed, 1 failed"; exit 1; }
done

export XIAOAN_PG_DIR=${XIAOAN_PG_DIR:-/tmp/xiaoan-faults-$$}
# fsync on: a 2xx must survive the database's restarts.
export XIAOAN_PG_FSYNC=${XIAOAN_PG_FSYNC:-on}
log "cluster in $XIAOAN_PG_DIR"
conn=$(scripts/pg.sh start) || { echo "0 passed, 1 failed"; exit 1; }
eval "$(scripts/pg.sh env)"
trap 'scripts/pg.sh remove' EXIT
trap 'exit 130' INT TERM
export XIAOAN_TEMPLATE_DB=xiaoan_tmpl XIAOAN_BUILD=$top/build
createdb "$XIAOAN_TEMPLATE_DB"
if ! build/xiaoan-admin --db "$conn dbname=$XIAOAN_TEMPLATE_DB" migrate >/tmp/xiaoan-faults-migrate.$$ 2>&1; then
  cat /tmp/xiaoan-faults-migrate.$$; rm -f /tmp/xiaoan-faults-migrate.$$; echo "0 passed, 1 failed"; exit 1
fi
rm -f /tmp/xiaoan-faults-migrate.$$

t_all=$SECONDS
for t in tests/faults/*.sh; do
  [ -x "$t" ] || continue
  name=$(basename "$t" .sh)
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx -e "$name" -e "${name#*_}"; then continue; fi
  log "$name"
  run_tap "$name" "$t"
done

echo
[ ${#failed_files[@]} -eq 0 ] || printf 'failed: %s\n' "${failed_files[*]}"
echo "# $((SECONDS - t_all)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
