#!/usr/bin/env bash
# The console's figures for make bench, measured in tmux at 120x40 on a
# database that already holds the start-up data (console_data.sql):
#   - time from start to the first full screen (the header shows every open
#     case and the list is drawn), polled from the terminal every 5 ms;
#   - resident memory once loaded;
#   - terminal bytes per second in steady state, beside htop -d 10 in a
#     terminal of the same size over the same seconds;
#   - CPU per second while idle (only the countdowns tick).
# Prints one TSV row per figure: figure, value, target, result.
#
#   scripts/bench/console.sh <build dir> <conninfo> <officer login> <hub host:port> [seconds]
set -uo pipefail
BUILD=$1 CONN=$2 OFFICER=$3 HUB=$4 SECS=${5:-10}
SOCK=xa-bench-console-$$
WORK=$(mktemp -d /tmp/xiaoan-bench-console.XXXXXX)
tm() { tmux -L "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$WORK"' EXIT
row() { printf '%s\t%s\t%s\t%s\n' "$@"; }
now_ms() { date +%s%3N; }

open=$(PGUSER=$OFFICER psql -X -Atq "$CONN" -c "SELECT count(*) FROM xiaoan.cases WHERE state <> 'confirmed'")

t0=$(now_ms)
tm new-session -d -s con -x 120 -y 40 \
  "env PGUSER=$OFFICER LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color $BUILD/xiaoan --db '$CONN' --hub $HUB --notify off 2>$WORK/err; sleep 600"
until tm capture-pane -p -t con 2>/dev/null | grep -q "open $open .*sort:" &&
      [ "$(tm capture-pane -p -t con | sed -n '4p' | tr -d ' ')" != "" ]; do
  [ $(( $(now_ms) - t0 )) -lt 30000 ] || { row "console: first full screen" "timeout" "< 300 ms" "FAIL"; exit 1; }
  sleep 0.005
done
first=$(( $(now_ms) - t0 ))
row "console: first full screen, $open open" "$first ms" "< 300 ms" "$([ "$first" -lt 300 ] && echo ok || echo SLOW)"

pid=$(pgrep -P "$(tm display-message -p -t con '#{pane_pid}')" -x xiaoan | head -1)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
row "console: resident memory" "$((rss / 1024)) MB" "< 40 MB" "$([ "$rss" -lt 40960 ] && echo ok || echo BIG)"

# Steady state: give the first draw time to settle, then count bytes.
sleep 2
if command -v htop >/dev/null; then
  tm new-session -d -s htop -x 120 -y 40 "TERM=tmux-256color htop -d 10; sleep 600"
  sleep 2
  tm pipe-pane -o -t htop "cat > $WORK/htop.bytes"
fi
tm pipe-pane -o -t con "cat > $WORK/con.bytes"
cpu0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep "$SECS"
cpu1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
tm pipe-pane -t con
con_b=$(( $(stat -c %s "$WORK/con.bytes") / SECS ))
if [ -f "$WORK/htop.bytes" ]; then
  tm pipe-pane -t htop
  htop_b=$(( $(stat -c %s "$WORK/htop.bytes") / SECS ))
  row "console: terminal bytes/s at 120x40" "$con_b B/s (htop: $htop_b B/s)" "<= htop" \
      "$([ "$con_b" -le "$htop_b" ] && echo ok || echo MORE)"
else
  row "console: terminal bytes/s at 120x40" "$con_b B/s" "<= htop" "htop not installed"
fi
hz=$(getconf CLK_TCK)
cpu_ms=$(( (cpu1 - cpu0) * 1000 / hz / SECS ))
row "console: CPU while idle" "$cpu_ms ms per s" "" ""
