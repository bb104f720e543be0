#!/usr/bin/env bash
# san: skip (valgrind does not run AddressSanitizer builds)
# The console under valgrind through its main paths: the first load, a live
# alert from the hub, a search, the case detail with its trail and details,
# sign, forward through the unit picker, close, a resize, the hub going
# away and coming back, and Q. No memory error, and nothing definitely or
# indirectly lost at exit. (ncurses, glib and libnotify keep some memory for
# the life of the process on purpose: "still reachable" is not counted.)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/console_lib.sh"

if ! command -v valgrind >/dev/null; then
  echo "1..0 # SKIP valgrind is not installed"
  exit 0
fi
if [ ! -x "$BUILD/xiaoan-hub" ]; then
  echo "1..0 # SKIP no xiaoan-hub in $BUILD"
  exit 0
fi

new_db console_vg
L=c34_$$
officer "${L}_wang" 王伟 fh.duty dispatcher
trap 'tm kill-server 2>/dev/null; _cleanup; q -d postgres -c "DROP ROLE IF EXISTS ${L}_wang" >/dev/null 2>&1' EXIT
TOKEN=$(q -c "select xiaoan.producer_token_create('cam-vg')")
JP=$(ingest_one vg-1 gate_open S001 "校门开启超过120秒")
PORT=$(free_port)

start_hub

tm new-session -d -s vg -x 120 -y 40 \
  "env PGUSER=${L}_wang LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color XDG_CONFIG_HOME=$TMP/none \
   valgrind --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
     --error-exitcode=99 --log-file=$TMP/vg.log \
   $BUILD/xiaoan --db '$DBCONN' --hub 127.0.0.1:$PORT --notify off 2>>$TMP/console-vg.err; \
   echo \"exit \$?\" >$TMP/vg.rc; sleep 60"
wait_screen vg "校门开启超过120秒" 60; ok $? "the console runs under valgrind and shows the case"
wait_screen vg "hub: live" 30; ok $? "and follows the hub's stream"

curl -sS -m 10 -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"source_id\":\"vg-2\",\"type\":\"drowning\",\"school\":\"S002\",\"occurred_at\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"summary\":\"学生水边逗留\",\"details\":{\"location\":\"河边\",\"people\":2}}" \
  "http://127.0.0.1:$PORT/v1/alerts"
wait_screen vg "学生水边逗留" 20; ok $? "a live alert arrives"
DR=$(q -c "select id from xiaoan.cases where source_id = 'vg-2'")

keys vg / "$DR" Enter
wait_screen vg "\"$DR\"" 10; ok $? "search"
keys vg Enter
wait_screen vg "Audit trail" 10; ok $? "the case detail, with its trail"
keys vg q s
wait_for 20 db_is "select state from xiaoan.cases where id = $DR" signed; ok $? "sign"
sleep 1
keys vg w "区教育局"
wait_screen vg "1 units match" 10
keys vg Enter "交教育局核查" Enter
wait_screen vg "Forward case $DR to 区教育局\? \(y/n\)" 10
keys vg y
wait_for 20 db_is "select holder from xiaoan.cases where id = $DR" fh.edu; ok $? "forward through the unit picker"

keys vg / "$JP" Enter
wait_screen vg "\"$JP\"" 10
keys vg s
wait_for 20 db_is "select state from xiaoan.cases where id = $JP" signed
sleep 1
keys vg c
wait_screen vg "Result of case $JP" 10
keys vg "已处置" Enter y
wait_for 20 db_is "select state from xiaoan.cases where id = $JP" closed; ok $? "sign and close"

tm resize-window -t vg -x 80 -y 24
sleep 1
tm resize-window -t vg -x 120 -y 40
keys vg F
wait_screen vg "学生水边逗留" 10; ok $? "resized and back"

kill "$HUB"; wait "$HUB" 2>/dev/null
wait_screen vg "hub: reconnecting since" 20; ok $? "the hub goes away"
start_hub
wait_screen vg "hub: live" 30; ok $? "and comes back"

keys vg Q
wait_for 60 test -s "$TMP/vg.rc"
is "$(cat "$TMP/vg.rc")" "exit 0" "Q: the console exits 0 under valgrind (99 would be a memory error or a leak)"
like "$(grep 'ERROR SUMMARY' "$TMP/vg.log")" "ERROR SUMMARY: 0 errors" "no memory error"
ok "$(grep -Eq 'definitely lost: [1-9]|indirectly lost: [1-9]' "$TMP/vg.log"; [ $? -ne 0 ]; echo $?)" \
  "nothing definitely or indirectly lost"
diag "$(grep -E 'in use at exit|definitely lost|still reachable' "$TMP/vg.log" | sed 's/^==[0-9]*== *//' | tr -s ' \n' ' ')"
[ "$_tap_fail" -eq 0 ] || sed 's/^/# /' "$TMP/vg.log" | tail -n 80
done_testing
