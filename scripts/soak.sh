#!/usr/bin/env bash
# make soak: a long run on loopback. A private PostgreSQL cluster (fsync on),
# a hub, xiaoan-sim at SOAK_RATE alerts/s (default 500) for SOAK_MINUTES
# (default 30, at most 30), two consoles attached in tmux (a dispatcher and a
# town clerk), and officers' steps scripted in psql (signing and closing a
# few cases a second). Samples the RSS of the hub and of each console every
# 10 s and the hub's stream lag (xiaoan_stream_lag_seconds: the newest
# event's send time minus its `at`) every second; prints first/last/max RSS
# per process, lag p50/p99 per 5-minute window, alerts accepted and a
# verdict: memory flat when last <= first * 1.2 + 5 MB for every process.
# Exit status 0 when the run completed and the memory is flat.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export LC_ALL=C.UTF-8 LANG=C.UTF-8
BUILD=${XIAOAN_BUILD:-$top/build}
MIN=${SOAK_MINUTES:-30}
RATE=${SOAK_RATE:-500}
case $MIN in ''|*[!0-9]*) echo "soak: SOAK_MINUTES must be a whole number" >&2; exit 2 ;; esac
[ "$MIN" -ge 1 ] || MIN=1
[ "$MIN" -le 30 ] || MIN=30
SECS=$((MIN * 60))
export XIAOAN_PG_DIR=${XIAOAN_PG_DIR:-/tmp/xiaoan-soak-$$}
export XIAOAN_PG_FSYNC=${XIAOAN_PG_FSYNC:-on}
WORK=$(mktemp -d /tmp/xiaoan-soak-work.XXXXXX)
chmod 755 "$WORK"
TMUX_SOCK=xa-soak-$$
L=xs$$
pids=()

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }
die() { echo "soak: $*" >&2; exit 1; }
q() { psql -X -v ON_ERROR_STOP=1 -Atq "$@"; }
tm() { tmux -L "$TMUX_SOCK" "$@"; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
console_pid() { pgrep -P "$(tm display-message -p -t "$1" '#{pane_pid}')" -x xiaoan | head -1; }

cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  tm kill-server 2>/dev/null
  for p in disp clerk off1 off2; do q -d postgres -c "DROP ROLE IF EXISTS ${L}_$p" >/dev/null 2>&1; done
  scripts/pg.sh remove >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for p in xiaoan xiaoan-hub xiaoan-sim xiaoan-admin; do
  [ -x "$BUILD/$p" ] || die "$BUILD/$p is missing: run make first"
done
log "cluster in $XIAOAN_PG_DIR (fsync $XIAOAN_PG_FSYNC); $MIN min at $RATE alerts/s"
CONN=$(scripts/pg.sh start) || die "cannot start PostgreSQL"
eval "$(scripts/pg.sh env)"
"$BUILD/xiaoan-admin" --db "$CONN" migrate >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; die "migrate failed"; }
TOKEN=$(q -c "SELECT xiaoan.producer_token_create('soak')") || die "no producer token"
q -c "SELECT xiaoan.officer_set('${L}_disp', '值班员', 'fh.duty', 'dispatcher'),
             xiaoan.officer_set('${L}_clerk', '锦屏文员', 'fh.jp.cmd', 'town_staff'),
             xiaoan.officer_set('${L}_off1', '王伟', 'fh.duty', 'dispatcher'),
             xiaoan.officer_set('${L}_off2', '赵敏', 'fh.duty', 'dispatcher')" >/dev/null || die "no officers"
DBC="host=$PGHOST port=$PGPORT dbname=$PGDATABASE"
PORT=$(free_port)
"$BUILD/xiaoan-hub" --listen "127.0.0.1:$PORT" --db "$DBC user=xiaoan_hub" --name soak >"$WORK/hub.log" 2>&1 &
HUB=$!; pids+=("$HUB")
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || { tail "$WORK/hub.log" >&2; die "the hub did not come up"; }

for c in "disp 160 45" "clerk 120 40"; do
  set -- $c
  tm new-session -d -s "$1" -x "$2" -y "$3" \
    "env PGUSER=${L}_$1 TERM=tmux-256color XDG_CONFIG_HOME=$WORK/none $BUILD/xiaoan --db '$DBC' --hub 127.0.0.1:$PORT --notify off 2>>$WORK/console-$1.err; sleep 3600"
done
sleep 3
C1=$(console_pid disp); C2=$(console_pid clerk)
[ -n "$C1" ] && [ -n "$C2" ] || die "the consoles did not start: $(cat "$WORK"/console-*.err)"

log "hub $HUB on 127.0.0.1:$PORT, consoles $C1 (dispatcher) and $C2 (town clerk)"
XIAOAN_PRODUCER_TOKEN=$TOKEN timeout $((SECS + 120)) "$BUILD/xiaoan-sim" --hub "127.0.0.1:$PORT" --db "$DBC user=xiaoan_hub" \
  --rate "$RATE" --duration "$SECS" --concurrency 8 --retries 20 --json >"$WORK/sim.json" 2>"$WORK/sim.err" &
SIM=$!; pids+=("$SIM")

# Officers at work: each second, two of them sign the newest new cases and
# close signed ones; a refused step (a race, a rule) is part of the work.
officer_loop() {
  local who=$1
  while :; do
    PGUSER=${L}_$who psql -X -q -At -c "DO \$\$ DECLARE r record; BEGIN
      FOR r IN SELECT id, version FROM xiaoan.cases WHERE state = 'new' ORDER BY id DESC LIMIT 3 LOOP
        BEGIN PERFORM xiaoan.case_sign(r.id, r.version, '签收'); EXCEPTION WHEN OTHERS THEN NULL; END;
      END LOOP;
      FOR r IN SELECT id, version FROM xiaoan.cases WHERE state IN ('signed', 'in_progress') ORDER BY id DESC LIMIT 2 LOOP
        BEGIN PERFORM xiaoan.case_close(r.id, r.version, '已处置'); EXCEPTION WHEN OTHERS THEN NULL; END;
      END LOOP; END \$\$" >/dev/null 2>>"$WORK/officers.err"
    sleep 1
  done
}
officer_loop off1 & pids+=($!)
officer_loop off2 & pids+=($!)

# samples: "t hub console1 console2" (kB) every 10 s; "t lag" every second
t0=$SECONDS
: >"$WORK/rss"; : >"$WORK/lag"
while [ $((SECONDS - t0)) -lt "$SECS" ] && kill -0 "$SIM" 2>/dev/null; do
  t=$((SECONDS - t0))
  if [ $((t % 10)) -eq 0 ] && ! grep -q "^$t " "$WORK/rss"; then
    echo "$t $(rss_kb "$HUB") $(rss_kb "$C1") $(rss_kb "$C2")" >>"$WORK/rss"
  fi
  lag=$(curl -s -m 2 "http://127.0.0.1:$PORT/metrics" | awk '$1 == "xiaoan_stream_lag_seconds" { print $2 }')
  [ -z "$lag" ] || echo "$t $lag" >>"$WORK/lag"
  [ $((t % 60)) -ne 0 ] || [ "$t" -eq 0 ] || grep -q "^$t " "$WORK/lag.log" 2>/dev/null || {
    echo "$t" >>"$WORK/lag.log"; log "$((t / 60)) min: $(q -c "SELECT count(*) FROM xiaoan.cases") cases"; }
  sleep 1
done
echo "$((SECONDS - t0)) $(rss_kb "$HUB") $(rss_kb "$C1") $(rss_kb "$C2")" >>"$WORK/rss"
wait "$SIM"; simrc=$?
alive=""
for p in "hub:$HUB" "dispatcher console:$C1" "clerk console:$C2"; do
  kill -0 "${p##*:}" 2>/dev/null || alive+=" ${p%%:*} died;"
done
stepped=$(q -c "SELECT string_agg(kind || ' ' || n, ', ') FROM (SELECT kind, count(*) n FROM xiaoan.case_event
                WHERE actor IN ('${L}_off1', '${L}_off2') GROUP BY kind ORDER BY kind) s")
ncases=$(q -c "SELECT count(*) FROM xiaoan.cases")

python3 - "$WORK/rss" "$WORK/lag" "$WORK/sim.json" "$MIN" "$RATE" "$ncases" "${stepped:-none}" "$simrc" "$alive" <<'PY'
import json, sys
rssf, lagf, simf, mins, rate, ncases, stepped, simrc, alive = sys.argv[1:]
rss = [list(map(int, l.split())) for l in open(rssf) if l.strip()]
lag = [(int(a), float(b)) for a, b in (l.split() for l in open(lagf) if l.strip())]
try:
    sim = json.load(open(simf))
except Exception:
    sim = {}
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else float('nan')
print(f"\nsoak: {mins} min at {rate} alerts/s on 127.0.0.1\n")
print(f"{'process':<22}{'first RSS':>12}{'last RSS':>12}{'max RSS':>12}  flat?")
flat = True
for i, name in enumerate(["hub", "console dispatcher", "console town clerk"], 1):
    col = [r[i] for r in rss if r[i] > 0]
    if not col:
        print(f"{name:<22}{'-':>12}{'-':>12}{'-':>12}  no samples"); flat = False; continue
    f, l, m = col[0], col[-1], max(col)
    ok = l <= f * 1.2 + 5 * 1024
    flat &= ok
    print(f"{name:<22}{f/1024:>9.1f} MB{l/1024:>9.1f} MB{m/1024:>9.1f} MB  {'yes' if ok else 'NO'}")
print(f"\n{'stream lag window':<22}{'samples':>8}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
w = 0
while w * 300 <= (lag[-1][0] if lag else 0):
    v = [x * 1000 for t, x in lag if w * 300 <= t < (w + 1) * 300]
    if v:
        print(f"{f'{w*5}-{w*5+5} min':<22}{len(v):>8}{pct(v,50):>10.1f}{pct(v,99):>10.1f}{max(v):>10.1f}")
    w += 1
print()
print(f"alerts sent {sim.get('sent', '?')}, accepted {sim.get('accepted', '?')}, duplicates {sim.get('duplicates', '?')}, "
      f"rejected {sim.get('rejected_total', '?')}, retries {sim.get('retries', '?')}; rate {sim.get('rate', 0):.0f}/s; "
      f"cases in the database {ncases}")
lat = sim.get('latency_ms', {})
if lat:
    print(f"POST latency ms: p50 {lat.get('p50', 0):.1f}  p99 {lat.get('p99', 0):.1f}  max {lat.get('max', 0):.1f}")
print(f"officers' steps: {stepped}")
if alive:
    print(f"processes:{alive}")
good = flat and not alive and simrc == "0"
print(f"\nverdict: memory {'flat' if flat else 'NOT flat'} (last <= first*1.2 + 5 MB); "
      f"{'all processes alive' if not alive else 'a process died'}; sim exit {simrc} -> {'PASS' if good else 'FAIL'}")
sys.exit(0 if good else 1)
PY
