#!/usr/bin/env bash
# Desktop notifications end to end: a console in a desktop session (a
# virtual X server, a private session bus, dunst as the notification server)
# shows a new critical case as a desktop notice; a burst gives one notice and
# the next one says how many more came; a console with no session bus rings
# the terminal bell instead.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/console_lib.sh"

if [ ! -x "$BUILD/xiaoan-hub" ]; then
  echo "1..0 # SKIP no xiaoan-hub in $BUILD"
  exit 0
fi
for t in Xvfb dbus-run-session dunst dunstctl; do
  command -v "$t" >/dev/null || { echo "Bail out! $t is missing (scripts/deps.sh installs it)"; exit 1; }
done

# The desktop, stopped whatever happened to the test: dunst first, then
# dbus-run-session ends its bus itself (killing dbus-run-session would leave
# the bus daemon behind, so that is only the last resort).
XVFB= DUNST= DBUS_RUN=
desktop_stop() {
  local bus_daemon=
  if [ -n "$DBUS_RUN" ]; then
    bus_daemon=$(pgrep -P "$DBUS_RUN" -x dbus-daemon)
    [ -z "$DUNST" ] || kill "$DUNST" 2>/dev/null
    wait_for 5 bash -c "! kill -0 $DBUS_RUN" || kill "$DBUS_RUN" 2>/dev/null
    wait "$DBUS_RUN" 2>/dev/null
    [ -z "$bus_daemon" ] || { kill "$bus_daemon" 2>/dev/null; wait_for 5 bash -c "! kill -0 $bus_daemon"; }
  fi
  [ -z "$XVFB" ] || { kill "$XVFB" 2>/dev/null; wait "$XVFB" 2>/dev/null; }
}
trap 'tm kill-server 2>/dev/null; desktop_stop; _cleanup' EXIT

# -displayfd: the server takes a free display itself and names it when ready.
Xvfb -displayfd 3 -nolisten tcp 3>"$TMP/display" 2>"$TMP/xvfb.log" &
XVFB=$!
wait_for 10 test -s "$TMP/display" || { echo "Bail out! Xvfb did not start"; sed 's/^/# /' "$TMP/xvfb.log"; exit 1; }
DISP=:$(head -n 1 "$TMP/display")
DISPLAY=$DISP XDG_CONFIG_HOME=$TMP/none dbus-run-session -- \
  sh -c 'echo "$DBUS_SESSION_BUS_ADDRESS" >"$1.tmp" && mv "$1.tmp" "$1" && echo $$ >"$2" && exec dunst' \
  sh "$TMP/bus" "$TMP/dunst.pid" >"$TMP/dunst.log" 2>&1 &
DBUS_RUN=$!
wait_for 10 test -s "$TMP/dunst.pid"
DUNST=$(cat "$TMP/dunst.pid" 2>/dev/null)
BUS=$(cat "$TMP/bus" 2>/dev/null)
dctl() { DBUS_SESSION_BUS_ADDRESS=$BUS dunstctl "$@"; }
wait_for 10 dctl is-paused; ok $? "a desktop session: $DISP, a session bus, dunst answering on it"

# notice_count: every notice dunst has received (waiting, shown, history)
notice_count() { dctl count | awk -F: '{ n += $2 } END { print n + 0 }'; }
# notices: the notices so far, oldest first, as "summary|body" (closes the
# shown ones: dunst's history holds only closed notices)
notices() {
  local i
  for i in 1 2 3 4 5; do
    dctl close-all
    [ "$(dctl count displayed)$(dctl count waiting)" = 00 ] && break
    sleep 0.1
  done
  dctl history | jq -r '.data[0] | sort_by(.id.data)[] | "\(.summary.data)|\(.body.data)"'
}
wait_count() { wait_for "$2" bash -c "[ \$(DBUS_SESSION_BUS_ADDRESS='$BUS' dunstctl count | awk -F: '{ n += \$2 } END { print n + 0 }') -ge $1 ]"; }
bell() { tm display -p -t "$1" '#{window_bell_flag}'; }
ms() { date +%s%3N; }
# sleep_until <ms since the epoch>
sleep_until() { local d=$(($1 - $(ms))); [ "$d" -le 0 ] || sleep "$(printf '%d.%03d' $((d / 1000)) $((d % 1000)))"; }

new_db console_notify
officer wang 王伟 fh.duty dispatcher
officer zhao 赵敏 fh.duty dispatcher
# A name that would be markup, and a link, to a notification server.
q -c "update xiaoan.unit set name = '锦屏<b>二小</b> & <a href=\"http://example.com/\">x</a>' where code = 'S002'"
TOKEN=$(q -c "select xiaoan.producer_token_create('cam1')")
PORT=$(free_port)
env PGUSER=xiaoan_hub "$BUILD/xiaoan-hub" --listen "127.0.0.1:$PORT" --db "$DBCONN" >>"$TMP/hub.log" 2>&1 &
_pids+=($!)
wait_for 10 bash -c "echo >/dev/tcp/127.0.0.1/$PORT"; ok $? "hub started"
post() { # post <source_id> <type> <school> <summary> [severity]
  curl -sS -m 5 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"source_id\":\"$1\",\"type\":\"$2\",\"school\":\"$3\",\"occurred_at\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"summary\":\"$4\",\"severity\":\"${5:-normal}\"}" \
    "http://127.0.0.1:$PORT/v1/alerts" >/dev/null
}

# notify_console <session> <login> [VAR=value...]: a console with --notify
# auto whose desktop is only what is given (the test's own environment,
# and any session bus in it, is kept out).
notify_console() {
  local s=$1 login=$2; shift 2
  tm new-session -d -s "$s" -x 120 -y 40 \
    "env -u DISPLAY -u DBUS_SESSION_BUS_ADDRESS -u XDG_RUNTIME_DIR $* PGUSER=$login LANG=C.UTF-8 LC_ALL=C.UTF-8 \
     TERM=tmux-256color NO_COLOR= XDG_CONFIG_HOME=$TMP/none \
     $BUILD/xiaoan --db '$DBCONN' --hub 127.0.0.1:$PORT --notify auto 2>>$TMP/console-$s.err; sleep 30"
}
notify_console desk wang "DISPLAY=$DISP" "DBUS_SESSION_BUS_ADDRESS=$BUS"
# No session bus and no display: an ssh login, the officer is at a terminal.
notify_console tty zhao
wait_screen desk "hub: live +db: live" 10; ok $? "the desktop console is live"
wait_screen tty "hub: live +db: live" 10; ok $? "the terminal console is live"
is "$(notice_count)" 0 "no notice before any case"

TYPE=$(q -c "select name_en from xiaoan.alert_type where code = 'panic_alarm'")
SCHOOL=$(q -c "select name from xiaoan.unit where code = 'S003'")
post n1 panic_alarm S003 "一键报警测试" critical
N1=$(q -c "select id from xiaoan.cases where source_id = 'n1'")
wait_count 1 5; ok $? "a new critical case: a desktop notice"
t1=$(ms)
is "$(notices)" "New urgent case|Case $N1: $TYPE at $SCHOOL" "it names the case, its type and its school"
wait_for 3 bash -c "[ \"\$(tmux -L $TMUX_SOCK display -p -t tty '#{window_bell_flag}')\" = 1 ]"
ok $? "the console without a session bus rings the terminal bell"
is "$(bell desk)" 0 "the desktop console does not ring"

# A burst once the quiet time is over: the first case is told, the rest wait.
sleep_until $((t1 + 10300))
for i in $(seq 1 20); do post "b$i" gate_open S001 "校门异常开启 $i" critical; done
B1=$(q -c "select id from xiaoan.cases where source_id = 'b1'")
wait_screen desk "open 21 " 5; ok $? "the console has all 20 cases of the burst"
sleep 0.5
is "$(notice_count)" 2 "a burst of 20 critical cases gives one notice"
t2=$(ms)
GATE=$(q -c "select name_en from xiaoan.alert_type where code = 'gate_open'")
S001=$(q -c "select name from xiaoan.unit where code = 'S001'")
is "$(notices | tail -n +2)" "New urgent case|Case $B1: $GATE at $S001" "the burst's notice is its first case"

sleep_until $((t2 + 10300))
post h1 drowning S002 "水边逗留" high
H1=$(q -c "select id from xiaoan.cases where source_id = 'h1'")
wait_count 3 5; ok $? "after the quiet time a high case gives a notice"
DROWN=$(q -c "select name_en from xiaoan.alert_type where code = 'drowning'")
ESCAPED='锦屏&lt;b&gt;二小&lt;/b&gt; &amp; &lt;a href=&quot;http://example.com/&quot;&gt;x&lt;/a&gt;'
is "$(notices | tail -n +3)" "New urgent case|Case $H1: $DROWN at $ESCAPED (and 19 more)" \
  "which counts the 19 held back (and gives dunst, which reads markup, the school's name as text)"
is "$(bell desk)" 0 "the desktop console never rang"
ok $(sanitizer_clean; echo $?) "no sanitizer reports"
done_testing
