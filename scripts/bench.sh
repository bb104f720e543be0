#!/usr/bin/env bash
# make bench: durable ingest and live-stream figures on this machine, beside
# PostgreSQL's own single-row insert rate on the same server. Starts its own
# cluster (fsync on: a 2xx means the alert is on disk), migrates it, starts a
# hub on loopback and drives it with xiaoan-sim; prints one table. Each
# section runs BENCH_SECONDS (default 10) and is bounded by a timeout;
# everything started is stopped and removed on exit. Not part of make check.
#
# Exit status: 0 when every figure was measured (whether or not it meets its
# target: the table says), 1 when a section could not run.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export LC_ALL=C.UTF-8 LANG=C.UTF-8
BUILD=${XIAOAN_BUILD:-$top/build}
SECS=${BENCH_SECONDS:-10}
export XIAOAN_PG_DIR=${XIAOAN_PG_DIR:-/tmp/xiaoan-bench-$$}
export XIAOAN_PG_FSYNC=on
# A server set up for a write-heavy load, as a duty room's would be: the
# default 128 MB of shared buffers makes backends write out dirty pages
# themselves once the case tables outgrow it (within seconds of (c)), and a
# small max_wal_size forces checkpoints mid-figure. Both apply to every
# figure, the pgbench reference included.
export XIAOAN_PG_OPTS=${XIAOAN_PG_OPTS:--c shared_buffers=1GB -c max_wal_size=4GB}
WORK=$(mktemp -d /tmp/xiaoan-bench-work.XXXXXX)
chmod 755 "$WORK"
HUB_PID=
OFFICER=xb_disp_$$
failed=0
rows=()

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

cleanup() {
  [ -z "$HUB_PID" ] || { kill "$HUB_PID" 2>/dev/null; wait "$HUB_PID" 2>/dev/null; }
  scripts/pg.sh remove >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# jget PATH < json
jget() { python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v.get(k, 0) if isinstance(v, dict) else 0
print(v)' "$1"; }
# calc EXPR: floating-point arithmetic
calc() { python3 -c "print($1)"; }
fmt_int() { python3 -c "print(f'{round(float(\"$1\")):,}')"; }
fmt_ms() { python3 -c "print(f'{float(\"$1\"):.2f}')"; }
row() { rows+=("$1"$'\t'"$2"$'\t'"$3"$'\t'"$4"); }
q() { psql -X -v ON_ERROR_STOP=1 -Atq "$@"; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }

# sim ARGS...: xiaoan-sim against the bench hub, JSON report on stdout
sim() { timeout $((SECS + 90)) "$BUILD/xiaoan-sim" --hub "127.0.0.1:$PORT" --db "$HUBDB" --json "$@"; }

session_token() { PGUSER=$OFFICER q -c "SELECT xiaoan.session_token()"; }

setup() {
  for p in xiaoan-hub xiaoan-sim xiaoan-admin; do
    [ -x "$BUILD/$p" ] || die "$BUILD/$p is missing: run make first"
  done
  command -v pgbench >/dev/null || die "pgbench is missing (apt-get install postgresql-contrib or postgresql-15)"
  log "cluster in $XIAOAN_PG_DIR (fsync on)"
  CONN=$(scripts/pg.sh start) || die "cannot start PostgreSQL"
  eval "$(scripts/pg.sh env)"
  "$BUILD/xiaoan-admin" --db "$CONN" migrate >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; die "migrate failed"; }
  TOKEN=$(q -c "SELECT xiaoan.producer_token_create('bench')") || die "no producer token"
  export XIAOAN_PRODUCER_TOKEN=$TOKEN
  q -c "SELECT xiaoan.officer_set('$OFFICER', '值班员', 'fh.duty', 'dispatcher')" >/dev/null || die "no officer"
  HUBDB="host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=xiaoan_hub"
  PORT=$(free_port)
  log "hub on 127.0.0.1:$PORT"
  "$BUILD/xiaoan-hub" --listen "127.0.0.1:$PORT" --db "$HUBDB" >"$WORK/hub.log" 2>&1 &
  HUB_PID=$!
  for _ in $(seq 150); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$HUB_PID" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 20 "$WORK/hub.log" >&2
  die "the hub did not come up"
}

# check_run NAME FILE: the sim's report exists and every alert got a 2xx
check_run() {
  if [ ! -s "$2" ]; then
    echo "bench: $1: no report from xiaoan-sim" >&2; failed=1; return 1
  fi
  local rej; rej=$(jget rejected_total <"$2")
  [ "$rej" = 0 ] || echo "bench: $1: $rej alerts rejected: $(jget rejected <"$2")" >&2
  return 0
}

verdict() { if [ "$(calc "1 if $1 else 0")" = 1 ]; then echo ok; else echo MISSED; fi; }

# CPU ticks (user + system) so far of the hub, and of the database server:
# the postmaster with the children it has reaped, plus its live children
# (the hub's connections live through a section). /proc/PID/stat after the
# command name: state ppid ... utime stime cutime cstime at 12-15.
hub_ticks() { sed 's/^.*) //' "/proc/$HUB_PID/stat" | awk '{print $12 + $13}'; }
server_ticks() {
  local pm; pm=$(head -n 1 "$XIAOAN_PG_DIR/data/postmaster.pid")
  cat /proc/[0-9]*/stat 2>/dev/null |
    awk -v pm="$pm" '{ pid = $1; sub(/^.*\) /, "") }
                     pid == pm { t += $12 + $13 + $14 + $15 } $2 == pm { t += $12 + $13 } END { print t + 0 }'
}

# cpu_row NAME FILE SERVER_TICKS HUB_TICKS BUDGET_US: CPU per stored alert of
# each process during a section (the simulator's from its report), beside
# what the section's target leaves per alert on this machine's cores.
cpu_row() {
  local n hz
  n=$(jget accepted <"$2"); hz=$(getconf CLK_TCK)
  [ "$n" -gt 0 ] || return 0
  row "$1 CPU per alert: server/hub/sim" \
      "$(calc "'%d / %d / %d us' % ($3 * 1e6 / $hz / $n, $4 * 1e6 / $hz / $n, $(jget cpu_s <"$2") * 1e6 / $n)")" \
      "" "target leaves $(calc "round($5)") us"
}

# --- sections: each measures one figure and adds its row ----------------------------

# (a) the reference: single-row INSERTs from 8 pgbench clients, one
# transaction (one fsync'd commit) each, into a scratch table on the same
# server, in its own database.
section_pgbench() {
  log "(a) pgbench: single-row INSERT, 8 clients, ${SECS}s"
  createdb bench_scratch || { failed=1; return; }
  q -d bench_scratch -c "CREATE TABLE scratch (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(),
                                               summary text NOT NULL, details jsonb)"
  cat >"$WORK/insert.sql" <<'EOF'
INSERT INTO scratch(summary, details) VALUES ('奉化区锦屏华山小学南门在上课时段开启245秒未关闭', '{"gate":"南门","open_seconds":245}');
EOF
  local out
  out=$(timeout $((SECS + 60)) pgbench -n -c 8 -j 2 -T "$SECS" -f "$WORK/insert.sql" bench_scratch 2>&1)
  PGB_TPS=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out" | tail -n 1)
  if [ -z "$PGB_TPS" ]; then
    echo "$out" >&2; failed=1; PGB_TPS=0; return
  fi
  row "(a) pgbench single-row INSERT, 8 clients" "$(fmt_int "$PGB_TPS") rows/s" "reference" ""
}

# (b) single alerts, 8 concurrent producers, each POST answered only after
# its commit; the figure is the ratio to (a).
section_ingest_single() {
  log "(b) ingest: single alerts, 8 producers, ${SECS}s"
  local rate ratio s0 h0 s1 h1
  s0=$(server_ticks); h0=$(hub_ticks)
  sim --rate 0 --duration "$SECS" --concurrency 8 >"$WORK/b.json"
  s1=$(server_ticks); h1=$(hub_ticks)
  check_run "(b)" "$WORK/b.json" || return
  rate=$(jget rate <"$WORK/b.json")
  ratio=$(calc "round($rate / $PGB_TPS, 2) if $PGB_TPS > 0 else 0")
  row "(b) ingest, single alerts, 8 producers" "$(fmt_int "$rate") alerts/s" ">= 0.5 x (a)" \
      "$ratio x (a) $(verdict "$ratio >= 0.5")"
  [ "$PGB_TPS" = 0 ] || cpu_row "(b)" "$WORK/b.json" $((s1 - s0)) $((h1 - h0)) "$(nproc) * 1e6 / (0.5 * $PGB_TPS)"
}

# (c) batches of 100 alerts per POST, 8 producers.
section_ingest_batch() {
  log "(c) ingest: batches of 100, 8 producers, ${SECS}s"
  local rate ratio s0 h0 s1 h1
  s0=$(server_ticks); h0=$(hub_ticks)
  sim --rate 0 --duration "$SECS" --concurrency 8 --batch 100 >"$WORK/c.json"
  s1=$(server_ticks); h1=$(hub_ticks)
  check_run "(c)" "$WORK/c.json" || return
  rate=$(jget rate <"$WORK/c.json")
  ratio=$(calc "round($rate / $PGB_TPS, 1) if $PGB_TPS > 0 else 0")
  row "(c) ingest, batches of 100" "$(fmt_int "$rate") alerts/s" ">= 30,000/s" \
      "$ratio x (a) $(verdict "$rate >= 30000")"
  cpu_row "(c)" "$WORK/c.json" $((s1 - s0)) $((h1 - h0)) "$(nproc) * 1e6 / 30000"
}

# For reading (b) and (c): the database's own ceiling, xiaoan.ingest()
# called directly by 8 pgbench clients with 100 alerts per call (one
# transaction each), no hub in between.
section_ingest_sql() {
  log "(c') xiaoan.ingest() in SQL: 100 alerts per call, 8 clients, ${SECS}s"
  cat >"$WORK/ingest.sql" <<'EOF'
\set n random(1, 2000000000)
SELECT count(*) FROM xiaoan.ingest('bench-sql', (SELECT jsonb_agg(jsonb_build_object('source_id', 'pgb-' || :client_id || '-' || :n || '-' || g, 'type', 'gate_open', 'school', 'S' || lpad((1 + g % 120)::text, 3, '0'), 'occurred_at', now(), 'severity', 'normal', 'summary', '奉化区锦屏华山小学南门在上课时段开启245秒未关闭', 'details', jsonb_build_object('gate', '南门', 'open_seconds', 245))) FROM generate_series(1, 100) g));
EOF
  local out tps rate
  out=$(timeout $((SECS + 60)) pgbench -n -c 8 -j 2 -T "$SECS" -f "$WORK/ingest.sql" "$PGDATABASE" 2>&1)
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out" | tail -n 1)
  if [ -z "$tps" ]; then
    echo "$out" >&2; failed=1; return
  fi
  rate=$(calc "$tps * 100")
  row "(c') xiaoan.ingest() in SQL, no hub" "$(fmt_int "$rate") alerts/s" "(ceiling)" \
      "$(calc "round($rate / $PGB_TPS, 2) if $PGB_TPS > 0 else 0") x (a)"
}

# (d) from the start of the POST to a stream subscriber's receipt of the
# case's open event, at a steady 1,000 alerts/s.
section_latency() {
  log "(d) post-to-subscriber latency at 1,000 alerts/s, ${SECS}s"
  local st; st=$(session_token) || { failed=1; return; }
  sim --rate 1000 --duration "$SECS" --concurrency 64 --listen-stream 1 --stream-token "$st" >"$WORK/d.json"
  check_run "(d)" "$WORK/d.json" || return
  local p50 p99 rate missing
  p50=$(jget stream.latency_ms.p50 <"$WORK/d.json")
  p99=$(jget stream.latency_ms.p99 <"$WORK/d.json")
  rate=$(jget rate <"$WORK/d.json")
  missing=$(jget stream.missing <"$WORK/d.json")
  row "(d) post->subscriber @$(fmt_int "$rate")/s" "p50 $(fmt_ms "$p50") / p99 $(fmt_ms "$p99") ms" \
      "p99 < 20 ms" "$(verdict "$p99 < 20 and $missing == 0")$([ "$missing" = 0 ] || echo ", $missing missing")"
}

# (e) 200 subscribers on one hub: per event, from the start of the POST to
# the last of the 200 receiving it, at 100 alerts/s (20,000 frames/s).
section_fanout() {
  log "(e) fan-out to 200 subscribers at 100 alerts/s, ${SECS}s"
  local st; st=$(session_token) || { failed=1; return; }
  sim --rate 100 --duration "$SECS" --concurrency 16 --listen-stream 200 --stream-token "$st" >"$WORK/e.json"
  check_run "(e)" "$WORK/e.json" || return
  local p50 p99 missing resyncs
  p50=$(jget stream.fanout_ms.p50 <"$WORK/e.json")
  p99=$(jget stream.fanout_ms.p99 <"$WORK/e.json")
  missing=$(jget stream.missing <"$WORK/e.json")
  resyncs=$(jget stream.resyncs <"$WORK/e.json")
  row "(e) fan-out, last of 200 subscribers" "p50 $(fmt_ms "$p50") / p99 $(fmt_ms "$p99") ms" "" \
      "$missing missing, $resyncs resyncs"
}

# (f) the supervisor's statistics over a year of data (200,000 cases, 120
# schools) in a database of their own: every statistic under 1 s, as the
# owner and under row-level security, with the query plans checked.
section_stats() {
  log "(f) statistics over a year: 200,000 cases"
  createdb bench_stats || { failed=1; return; }
  "$BUILD/xiaoan-admin" --db "host=$PGHOST port=$PGPORT dbname=bench_stats" migrate >/dev/null 2>&1 ||
    { failed=1; return; }
  psql -X -v ON_ERROR_STOP=1 -d bench_stats -f tests/sql/50_bench_stats.psql >"$WORK/f.tap" 2>&1
  local nok nbad slowest
  nok=$(grep -c '^ok ' "$WORK/f.tap"); nbad=$(grep -c '^not ok ' "$WORK/f.tap")
  slowest=$(grep -oE ': [0-9.]+ ms' "$WORK/f.tap" | tr -dc '0-9.\n' | sort -n | tail -n 1)
  grep '^not ok' "$WORK/f.tap" >&2
  row "(f) statistics, a year (200,000 cases)" "slowest ${slowest:-?} ms" "< 1000 ms" \
      "$([ "$nbad" -eq 0 ] && [ "$nok" -gt 0 ] && echo "ok ($nok checks, plans use indexes)" || echo "MISSED ($nbad failed)")"
  dropdb bench_stats
}

# (g) the console: a database of its own with 100,000 cases (10,000 open)
# and a hub of its own, then start-up time, memory, terminal bytes/s beside
# htop and idle CPU, measured in tmux at 120x40 (scripts/bench/console.sh).
section_console() {
  log "(g) console: loading 100,000 cases (10,000 open) into a database of its own"
  local db=bench_console conn port pid line
  conn="host=$PGHOST port=$PGPORT dbname=$db"
  createdb "$db" || { failed=1; return; }
  "$BUILD/xiaoan-admin" --db "$conn" migrate >/dev/null 2>&1 || { failed=1; return; }
  q -d "$db" -c "SELECT xiaoan.officer_set('$OFFICER', '值班员', 'fh.duty', 'dispatcher')" >/dev/null
  q -d "$db" -f scripts/bench/console_data.sql >/dev/null || { failed=1; return; }
  q -d "$db" -c "VACUUM ANALYZE" >/dev/null 2>&1
  port=$(free_port)
  "$BUILD/xiaoan-hub" --listen "127.0.0.1:$port" --db "$conn user=xiaoan_hub" >"$WORK/hub-console.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  # The new hub's first deadline sweep raises the alarms of every overdue
  # case of the data set: let that settle, or "idle" would measure the
  # console digesting thousands of overdue events.
  local s0 s1=-1
  for _ in $(seq 30); do
    s0=$s1; s1=$(q -d "$db" -c "SELECT xiaoan.last_seq()")
    [ "$s0" = "$s1" ] && break
    sleep 3
  done
  while IFS= read -r line; do
    rows+=("$line")
  done < <(scripts/bench/console.sh "$BUILD" "$conn user=$OFFICER" "$OFFICER" "127.0.0.1:$port" "$SECS")
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  dropdb -f "$db"
}

# The sections, in order: one figure (or a few) each.
SECTIONS=(section_pgbench section_ingest_single section_ingest_batch section_ingest_sql section_latency section_fanout
          section_stats section_console)
# BENCH_SECTIONS="section_stats section_console" runs some sections only.
[ -z "${BENCH_SECTIONS:-}" ] || read -ra SECTIONS <<<"$BENCH_SECTIONS"


print_table() {
  local pgv
  pgv=$(q -c "SHOW server_version" 2>/dev/null)
  echo
  echo "xiaoan bench — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, PostgreSQL $pgv, fsync on, loopback, ${SECS}s per figure"
  echo "server settings: $XIAOAN_PG_OPTS"
  echo "load average before the run: $LOAD0$(calc "' (a busy machine: the figures are low)' if ${LOAD0%% *} > 0.5 else ''")"
  printf '%-42s %-28s %-14s %s\n' figure value target result
  printf '%-42s %-28s %-14s %s\n' "$(printf '%.0s-' {1..42})" "$(printf '%.0s-' {1..28})" \
         "$(printf '%.0s-' {1..14})" "$(printf '%.0s-' {1..20})"
  local r
  for r in "${rows[@]}"; do
    IFS=$'\t' read -r a b c d <<<"$r"
    printf '%-42s %-28s %-14s %s\n' "$a" "$b" "$c" "$d"
  done
}

# Between sections: the previous one's dead rows vacuumed and its dirty
# pages written, so no section pays for another's autovacuum or checkpoint.
settle() {
  q -c "CHECKPOINT" >/dev/null
  q -c "VACUUM ANALYZE" >/dev/null 2>&1
  q -c "CHECKPOINT" >/dev/null
}

# Before the first figure: 2,000 alerts through the hub, so that no section
# pays for the first plans, caches and statistics of an empty database.
warm_up() {
  log "warm-up: 2,000 alerts"
  sim --burst 2000 --concurrency 8 >"$WORK/warm.json" || { failed=1; return; }
  check_run warm-up "$WORK/warm.json"
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
setup
warm_up
for s in "${SECTIONS[@]}"; do
  settle
  "$s"
done
print_table
exit "$failed"
