#!/usr/bin/env bash
# make soak: a long run on loopback. A private PostgreSQL cluster (fsync on),
# a hub, xiaoan-sim at SOAK_RATE alerts/s (default 500) for SOAK_MINUTES
# (default 30, at most 30), two consoles attached in tmux (a dispatcher, who
# sees every case, and a Jinping town clerk), and SOAK_OFFICERS duty-room
# officers (default 2) working the cases through the case engine in psql.
#
# The officers keep up with the arrivals, so the number of open cases (the
# cases a console holds: every one it may see that is not confirmed) levels
# off: each second every officer takes the oldest cases of each state that
# have waited at least SOAK_HOLD seconds (default 10) in it and signs them,
# gives a first feedback (one case in three) and closes them, and confirms
# the closed ones as the issuing unit (one in fifty is sent back once with
# case_reopen instead, and closed again). Each officer works the case ids
# equal to its number modulo the officers, in transactions of 50 steps; the
# cases whose id is a multiple of 97 are worked by all of them, one step per
# transaction, as two consoles would: one wins, the others are refused.
# A batch can take twice the arrival rate, so a backlog clears.
#
# Samples every 10 s the RSS of the hub and of each console, the open cases
# each console should hold (counted in the database as its officer) and the
# count on its screen ("open N" in the header); every second the hub's
# stream lag (xiaoan_stream_lag_seconds: the newest event's send time minus
# its `at`).
#
# Verdict. The first third of the run is the warm-up (the open cases
# accumulate up to their level); the rest is the judged window, from the
# first sample at or after the warm-up's end to the last sample:
#   load     xiaoan-sim sent at >= 90% of SOAK_RATE
#   steady   the dispatcher's open cases at the end <= at the start x 1.2 + 1000
#            (otherwise the officers fell behind and memory cannot be judged)
#   flat     for every process, RSS at the end <= RSS at the start x 1.2 + 5 MB
#   alive    the hub and both consoles still run, and xiaoan-sim exits 0
# PASS when all four hold; exit status 0 on PASS, 1 otherwise.
# Printed: open cases and RSS at the window's start and end, max RSS, CPU
# share per process over the window, per 5-minute window the stream lag
# p50/p99 and the officers' round times, the alerts, the officers' steps and
# refusals. SOAK_KEEP=1 keeps the samples and logs.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export LC_ALL=C.UTF-8 LANG=C.UTF-8
BUILD=${XIAOAN_BUILD:-$top/build}
MIN=${SOAK_MINUTES:-30}
RATE=${SOAK_RATE:-500}
NOFF=${SOAK_OFFICERS:-2}
HOLD=${SOAK_HOLD:-10}
for v in "SOAK_MINUTES:$MIN" "SOAK_RATE:$RATE" "SOAK_OFFICERS:$NOFF" "SOAK_HOLD:$HOLD"; do
  case ${v#*:} in ''|*[!0-9]*) echo "soak: ${v%%:*} must be a whole number" >&2; exit 2 ;; esac
done
[ "$MIN" -ge 1 ] || MIN=1
[ "$MIN" -le 30 ] || MIN=30
[ "$NOFF" -ge 1 ] || NOFF=1
[ "$RATE" -ge 1 ] || RATE=1
SECS=$((MIN * 60))
WARM=$((SECS / 3))
# Cases per state per officer per round: twice the officer's share.
BATCH=$(((2 * RATE + NOFF - 1) / NOFF))
export XIAOAN_PG_DIR=${XIAOAN_PG_DIR:-/tmp/xiaoan-soak-$$}
export XIAOAN_PG_FSYNC=${XIAOAN_PG_FSYNC:-on}
WORK=$(mktemp -d /tmp/xiaoan-soak-work.XXXXXX)
chmod 755 "$WORK"
TMUX_SOCK=xa-soak-$$
L=xs$$
OFFICERS=()
for i in $(seq 1 "$NOFF"); do OFFICERS+=("off$i"); done
pids=()

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }
die() { echo "soak: $*" >&2; exit 1; }
q() { psql -X -v ON_ERROR_STOP=1 -Atq "$@"; }
tm() { tmux -L "$TMUX_SOCK" "$@"; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# utime + stime in clock ticks
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
console_pid() { pgrep -P "$(tm display-message -p -t "$1" '#{pane_pid}')" -x xiaoan | head -1; }
# open cases the console of officer $1 may hold, as the database counts them;
# none is older than the officers' oldest open cases (officer_loop)
db_open() {
  local lo
  lo=$(cat "$WORK"/lo-* 2>/dev/null | sort -n | head -1)
  PGUSER=${L}_$1 PGOPTIONS=$DRIVER_PLAN q -c "SELECT count(*) FROM xiaoan.cases WHERE id >= ${lo:-0} AND state <> 'confirmed'" \
    2>/dev/null || echo -1
}
# the "open N" of a console's header
screen_open() { tm capture-pane -p -t "$1" 2>/dev/null | sed -n 's/.*open \([0-9][0-9]*\).*/\1/p' | head -1 | grep . || echo -1; }

cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  tm kill-server 2>/dev/null
  for p in disp clerk "${OFFICERS[@]}"; do q -d postgres -c "DROP ROLE IF EXISTS ${L}_$p" >/dev/null 2>&1; done
  scripts/pg.sh remove >/dev/null 2>&1
  if [ -n "${SOAK_KEEP:-}" ]; then echo "soak: samples and logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for p in xiaoan xiaoan-hub xiaoan-sim xiaoan-admin; do
  [ -x "$BUILD/$p" ] || die "$BUILD/$p is missing: run make first"
done
log "cluster in $XIAOAN_PG_DIR (fsync $XIAOAN_PG_FSYNC); $MIN min at $RATE alerts/s, $NOFF officers, hold $HOLD s"
CONN=$(scripts/pg.sh start) || die "cannot start PostgreSQL"
eval "$(scripts/pg.sh env)"
"$BUILD/xiaoan-admin" --db "$CONN" migrate >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; die "migrate failed"; }
TOKEN=$(q -c "SELECT xiaoan.producer_token_create('soak')") || die "no producer token"
ISSUER=$(q -c "SELECT xiaoan.setting_text('alert_issuer')")
# Confirming is the issuing unit's step: the officers sit in that unit.
[ "$ISSUER" = fh.duty ] || die "the officers confirm as fh.duty, but alert_issuer is '$ISSUER'"
names=(王伟 赵敏 李强 陈静 刘洋 杨帆 黄磊 周婷)
for i in "${!OFFICERS[@]}"; do
  q -c "SELECT xiaoan.officer_set('${L}_${OFFICERS[$i]}', '${names[$((i % 8))]}', 'fh.duty', 'dispatcher')" >/dev/null ||
    die "no officers"
done
q -c "SELECT xiaoan.officer_set('${L}_disp', '值班员', 'fh.duty', 'dispatcher'),
             xiaoan.officer_set('${L}_clerk', '锦屏文员', 'fh.jp.cmd', 'town_staff')" >/dev/null || die "no officers"
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
  --rate "$RATE" --duration "$SECS" --concurrency 32 --retries 20 --json >"$WORK/sim.json" 2>"$WORK/sim.err" &
SIM=$!; pids+=("$SIM")

# One round of officer $1 (0-based): the oldest cases of each state that
# have waited HOLD seconds, later stages first, so a case moves one stage a
# round. Its own cases (id modulo the officers) in transactions of 50 steps,
# without exception blocks: nobody else acts on them, and a subtransaction
# per step leaves MultiXact versions of event_counter behind, which makes
# every later step slower (see docs/reliability-faults.md). Then the
# contested cases (id a multiple of 97), one step per transaction as from a
# console; a refused step is reported as a notice ("refused: <why>").
# Every query starts at @LO@, the officer's oldest open case, found after the
# round; see officer_loop.
officer_round() {
  local me=$1
  cat <<SQL
DO \$\$ DECLARE r record; n integer := 0; hold interval := '$HOLD s';
BEGIN
  FOR r IN SELECT id, version, reopen_count FROM xiaoan.cases
            WHERE id >= @LO@ AND state = 'closed' AND closed_at < now() - hold
              AND id % $NOFF = $me AND id % 97 <> 0
            ORDER BY id LIMIT $BATCH LOOP
    IF r.id % 50 = 7 AND r.reopen_count = 0 THEN
      PERFORM xiaoan.case_reopen(r.id, r.version, '处置记录不全，请补充后重新办结');
    ELSE
      PERFORM xiaoan.case_confirm(r.id, r.version, '确认办结');
    END IF;
    n := n + 1;
    IF n % 50 = 0 THEN COMMIT; END IF;
  END LOOP;
  FOR r IN SELECT id, version, state FROM xiaoan.cases
            WHERE id >= @LO@ AND state IN ('signed', 'in_progress') AND coalesce(feedback_at, signed_at) < now() - hold
              AND id % $NOFF = $me AND id % 97 <> 0
            ORDER BY id LIMIT $BATCH LOOP
    IF r.state = 'signed' AND r.id % 3 = 0 THEN
      PERFORM xiaoan.case_feedback(r.id, r.version, '已联系学校，保安已到岗');
    ELSE
      PERFORM xiaoan.case_close(r.id, r.version, '已处置');
    END IF;
    n := n + 1;
    IF n % 50 = 0 THEN COMMIT; END IF;
  END LOOP;
  FOR r IN SELECT id, version FROM xiaoan.cases
            WHERE id >= @LO@ AND state = 'new' AND opened_at < now() - hold
              AND id % $NOFF = $me AND id % 97 <> 0
            ORDER BY id LIMIT $BATCH LOOP
    PERFORM xiaoan.case_sign(r.id, r.version, '签收');
    n := n + 1;
    IF n % 50 = 0 THEN COMMIT; END IF;
  END LOOP;
  COMMIT;
  FOR r IN SELECT id, version, state, reopen_count FROM xiaoan.cases
            WHERE id >= @LO@ AND id % 97 = 0
              AND ((state = 'new' AND opened_at < now() - hold)
                OR (state IN ('signed', 'in_progress') AND coalesce(feedback_at, signed_at) < now() - hold)
                OR (state = 'closed' AND closed_at < now() - hold))
            ORDER BY id LIMIT $BATCH LOOP
    BEGIN
      IF r.state = 'new' THEN
        PERFORM xiaoan.case_sign(r.id, r.version, '签收');
      ELSIF r.state = 'closed' THEN
        PERFORM xiaoan.case_confirm(r.id, r.version, '确认办结');
      ELSIF r.state = 'signed' AND r.id % 3 = 0 THEN
        PERFORM xiaoan.case_feedback(r.id, r.version, '已联系学校，保安已到岗');
      ELSE
        PERFORM xiaoan.case_close(r.id, r.version, '已处置');
      END IF;
    EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'refused: %', SQLERRM;
    END;
    COMMIT;
  END LOOP;
END \$\$;
SQL
}
# The driver's own queries walk the primary key from the oldest open case
# (LO, kept per officer between rounds) instead of leaving the plan to the
# statistics: with 900,000 cases in the table the planner chose scans of all
# the open-state index entries or of every case opened so far, each round
# took seconds, and the officers fell behind after 20 minutes. These
# settings apply to the officers' and the sampler's sessions only; the hub
# and the consoles run as they are.
DRIVER_PLAN="-c enable_sort=off -c enable_bitmapscan=off -c enable_seqscan=off -c jit=off"
officer_loop() {
  local who=$1 me=$2 sql t left lo=0 next
  sql=$(officer_round "$me")
  while :; do
    t=${EPOCHREALTIME/./}
    next=$(PGUSER=${L}_$who PGOPTIONS=$DRIVER_PLAN psql -X -q -At -c "${sql//@LO@/$lo}" \
      -c "SELECT coalesce(min(id), $lo) FROM xiaoan.cases WHERE id >= $lo AND state <> 'confirmed'
            AND (id % $NOFF = $me OR id % 97 = 0)" 2>>"$WORK/officer-$who.log")
    case $next in ''|*[!0-9]*) ;; *) lo=$next; echo "$lo" >"$WORK/lo-$who" ;; esac
    echo "${t%??????} $((${EPOCHREALTIME/./} - t))" >>"$WORK/rounds"
    left=$((1000000 - (${EPOCHREALTIME/./} - t)))
    [ "$left" -le 0 ] || sleep "$(printf '0.%06d' "$left")"
  done
}
for i in "${!OFFICERS[@]}"; do
  officer_loop "${OFFICERS[$i]}" "$i" & pids+=($!)
done

# samples every 10 s: "t hub console1 console2 dbopen1 dbopen2 screenopen1
# screenopen2 cpu_hub cpu1 cpu2" (kB, counts, clock ticks); "t lag" every second
t0=$SECONDS; epoch0=${EPOCHSECONDS}
: >"$WORK/rss"; : >"$WORK/lag"
sample() {
  echo "$1 $(rss_kb "$HUB") $(rss_kb "$C1") $(rss_kb "$C2") $(db_open disp) $(db_open clerk)" \
       "$(screen_open disp) $(screen_open clerk) $(cpu_ticks "$HUB") $(cpu_ticks "$C1") $(cpu_ticks "$C2")" >>"$WORK/rss"
}
while [ $((SECONDS - t0)) -lt "$SECS" ] && kill -0 "$SIM" 2>/dev/null; do
  t=$((SECONDS - t0))
  if [ $((t % 10)) -eq 0 ] && ! grep -q "^$t " "$WORK/rss"; then
    sample "$t"
    [ $((t % 60)) -ne 0 ] || [ "$t" -eq 0 ] ||
      log "$((t / 60)) min: $(q -c "SELECT count(*) FROM xiaoan.cases") cases, open: $(tail -1 "$WORK/rss" | cut -d' ' -f5) (dispatcher), RSS kB hub/disp/clerk: $(tail -1 "$WORK/rss" | cut -d' ' -f2-4)"
  fi
  lag=$(curl -s -m 2 "http://127.0.0.1:$PORT/metrics" | awk '$1 == "xiaoan_stream_lag_seconds" { print $2 }')
  [ -z "$lag" ] || echo "$t $lag" >>"$WORK/lag"
  sleep 1
done
sample "$((SECONDS - t0))"
wait "$SIM"; simrc=$?
alive=""
for p in "hub:$HUB" "dispatcher console:$C1" "clerk console:$C2"; do
  kill -0 "${p##*:}" 2>/dev/null || alive+=" ${p%%:*} died;"
done
logins=$(printf "'${L}_%s'," "${OFFICERS[@]}")
stepped=$(q -c "SELECT string_agg(kind || ' ' || n, ', ') FROM (SELECT kind, count(*) n FROM xiaoan.case_event
                WHERE actor IN (${logins%,}) GROUP BY kind ORDER BY kind) s")
ncases=$(q -c "SELECT count(*) FROM xiaoan.cases")
states=$(q -c "SELECT string_agg(state || ' ' || n, ', ') FROM (SELECT state, count(*) n FROM xiaoan.cases
               GROUP BY state ORDER BY state) s")
# refusals by kind of message (numbers and names masked)
cat "$WORK"/officer-*.log 2>/dev/null | sed -n 's/.*refused: //p' |
  sed -E 's/[0-9]+/N/g; s/ by [^(]*\(/ by X (/; s/\([^)]*\)/(X)/g' | sort | uniq -c | sort -rn >"$WORK/refused"
other=$(cat "$WORK"/officer-*.log 2>/dev/null | grep -v 'refused: ' | head -3)

python3 - "$WORK/rss" "$WORK/lag" "$WORK/sim.json" "$MIN" "$RATE" "$ncases" "${stepped:-none}" "$simrc" "$alive" \
  "$WARM" "$(getconf CLK_TCK)" "$WORK/refused" "$states" "$NOFF" "$HOLD" "$other" "$WORK/rounds" "$epoch0" <<'PY'
import json, sys
(rssf, lagf, simf, mins, rate, ncases, stepped, simrc, alive, warm, hz, reff, states, noff, hold,
 other, roundf, epoch0) = sys.argv[1:]
warm, hz = int(warm), int(hz)
try:
    # officers' rounds: (seconds since the start, duration in ms)
    rounds = [(int(a) - int(epoch0), int(b) / 1000) for a, b in (l.split() for l in open(roundf) if l.strip())]
except OSError:
    rounds = []
rss = [list(map(int, l.split())) for l in open(rssf) if l.strip()]
lag = [(int(a), float(b)) for a, b in (l.split() for l in open(lagf) if l.strip())]
try:
    sim = json.load(open(simf))
except Exception:
    sim = {}
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else float('nan')
win = [r for r in rss if r[0] >= warm] or rss[-1:]
s, e = win[0], win[-1]
print(f"\nsoak: {mins} min at {rate} alerts/s on 127.0.0.1, {noff} officers, hold {hold} s")
print(f"judged window: {s[0]//60}:{s[0]%60:02d} to {e[0]//60}:{e[0]%60:02d} (the first third is the warm-up)\n")
print(f"{'open cases':<22}{'start':>9}{'end':>9}{'min':>9}{'max':>9}   (database count; on the console's screen at start/end)")
for i, name in [(4, "dispatcher"), (5, "town clerk")]:
    col = [r[i] for r in win]
    print(f"{name:<22}{s[i]:>9}{e[i]:>9}{min(col):>9}{max(col):>9}   (screen {s[i+2]} / {e[i+2]})")
steady = e[4] >= 0 and s[4] >= 0 and e[4] <= s[4] * 1.2 + 1000
print(f"\n{'process':<22}{'RSS start':>12}{'RSS end':>12}{'max RSS':>12}{'CPU':>7}  flat?")
flat = True
for i, name in enumerate(["hub", "console dispatcher", "console town clerk"], 1):
    col = [r[i] for r in win if r[i] > 0]
    if not col or s[i] <= 0 or e[i] <= 0:
        print(f"{name:<22}{'-':>12}{'-':>12}{'-':>12}{'-':>7}  no samples"); flat = False; continue
    f, l, m = s[i], e[i], max(col)
    cpu = (e[i + 7] - s[i + 7]) / hz / max(1, e[0] - s[0]) * 100
    ok = l <= f * 1.2 + 5 * 1024
    flat &= ok
    print(f"{name:<22}{f/1024:>9.1f} MB{l/1024:>9.1f} MB{m/1024:>9.1f} MB{cpu:>6.0f}%  {'yes' if ok else 'NO'}")
print(f"\n{'window':<14}{'stream lag: samples':>20}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}"
      f"{'officer rounds':>16}{'p50 ms':>8}{'p99 ms':>8}")
w = 0
while w * 300 <= (lag[-1][0] if lag else 0):
    v = [x * 1000 for t, x in lag if w * 300 <= t < (w + 1) * 300]
    r = [d for t, d in rounds if w * 300 <= t < (w + 1) * 300]
    if v:
        print(f"{f'{w*5}-{w*5+5} min':<14}{len(v):>20}{pct(v,50):>8.0f}{pct(v,99):>8.0f}{max(v):>8.0f}"
              f"{len(r):>16}{pct(r,50):>8.0f}{pct(r,99):>8.0f}")
    w += 1
print()
delivered = sim.get('rate', 0) >= 0.9 * int(rate)
print(f"alerts sent {sim.get('sent', '?')}, accepted {sim.get('accepted', '?')}, duplicates {sim.get('duplicates', '?')}, "
      f"rejected {sim.get('rejected_total', '?')}, retries {sim.get('retries', '?')}; rate {sim.get('rate', 0):.0f}/s")
lat = sim.get('latency_ms', {})
if lat:
    print(f"POST latency ms: p50 {lat.get('p50', 0):.1f}  p99 {lat.get('p99', 0):.1f}  max {lat.get('max', 0):.1f}")
print(f"cases in the database {ncases}: {states}")
print(f"officers' steps: {stepped}")
refused = [l.strip().split(None, 1) for l in open(reff) if l.strip()]
print(f"refused steps: {sum(int(n) for n, _ in refused)}" +
      "".join(f"\n  {n:>7}  {m}" for n, m in refused[:4]))
if other:
    print(f"officers' other errors: {other}")
if alive:
    print(f"processes:{alive}")
good = steady and flat and not alive and simrc == "0" and delivered
print(f"\nverdict: {'full' if delivered else 'NOT the full'} load ({sim.get('rate', 0):.0f}/s of {rate}); "
      f"open cases {'steady' if steady else 'NOT steady'} (end <= start*1.2 + 1000); "
      f"memory {'flat' if flat else 'NOT flat'} (end <= start*1.2 + 5 MB); "
      f"{'all processes alive' if not alive else 'a process died'}; sim exit {simrc} -> {'PASS' if good else 'FAIL'}")
sys.exit(0 if good else 1)
PY
