# Helpers for the console tests (sourced after lib.sh): one private tmux
# server per test, sessions named after the consoles.
TMUX_SOCK=xa-test-$$
tm() { tmux -L "$TMUX_SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; _cleanup' EXIT

# console <session> <login> <cols> <rows> <hub port> [extra args]
console() {
  local s=$1 login=$2 cols=$3 rows=$4 port=$5; shift 5
  tm new-session -d -s "$s" -x "$cols" -y "$rows" \
    "env PGUSER=$login LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color NO_COLOR= XDG_CONFIG_HOME=$TMP/none \
     $BUILD/xiaoan --db '$DBCONN' --hub 127.0.0.1:$port --notify off $* 2>>$TMP/console-$s.err; sleep 30"
}
# start_hub: a hub (as xiaoan_hub) on $PORT against $DBCONN; sets HUB
start_hub() {
  env PGUSER=xiaoan_hub "$BUILD/xiaoan-hub" --listen "127.0.0.1:$PORT" --db "$DBCONN" >>"$TMP/hub.log" 2>&1 &
  HUB=$!
  _pids+=("$HUB")
  wait_for 10 bash -c "echo >/dev/tcp/127.0.0.1/$PORT"
}
screen() { tm capture-pane -p -t "$1"; }
keys() { local s=$1; shift; local k; for k in "$@"; do tm send-keys -t "$s" "$k"; sleep 0.1; done; }
# wait_screen <session> <extended regex> <seconds>
wait_screen() {
  local end=$((SECONDS + $3))
  until screen "$1" | grep -Eq -- "$2"; do
    [ $SECONDS -lt $end ] || { echo "# screen of $1:"; screen "$1" | sed 's/^/#   /'; return 1; }
    sleep 0.1
  done
}
db_is() { [ "$(q -c "$1")" = "$2" ]; }
console_pid() { pgrep -P "$(tm display-message -p -t "$1" '#{pane_pid}')" -x xiaoan | head -1; }
# ingest_one <source_id> <type> <school> <summary> -> case id
ingest_one() {
  q -c "select case_id from xiaoan.ingest('test', jsonb_build_array(jsonb_build_object('source_id', '$1',
        'type', '$2', 'school', '$3', 'occurred_at', now()::text, 'summary', '$4')))"
}
# The screen with the moving parts masked (clock, countdowns, times), for
# comparison with tests/expected/*.screen.
masked_screen() {
  screen "$1" | sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}/YYYY-MM-DD HH:MM:SS/g' \
    -e 's/[0-9]{2}:[0-9]{2}:[0-9]{2}/HH:MM:SS/g' -e 's/hub: stale, reconnecting/hub: reconnecting/' \
    -e 's/!?-?[0-9]+(:[0-9]{2}|h[0-9]{2}m|d[0-9]{2}h)/T/g' -e 's/ +$//' |
    # The message line comes and goes with time: not part of the layout.
    awk -v n="$(tm display-message -p -t "$1" '#{pane_height}')" 'NR == n - 1 { print "<message line>"; next } { print }'
}
# compare_screen <session> <name>: against tests/expected/<name>.screen;
# XIAOAN_BLESS=1 writes the expected file instead.
compare_screen() {
  local want="$TOP/tests/expected/$2.screen"
  if [ "${XIAOAN_BLESS:-}" = 1 ]; then masked_screen "$1" >"$want"; fi
  if diff -u "$want" <(masked_screen "$1") >"$TMP/diff" 2>&1; then return 0; fi
  sed 's/^/# /' "$TMP/diff"; return 1
}
# sanitizer_clean: no sanitizer report from any console of this test
sanitizer_clean() { ! grep -l "Sanitizer" "$TMP"/console-*.err 2>/dev/null | grep -q .; }
