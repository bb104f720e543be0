#!/usr/bin/env bash
# The console with the hub: an alert posted by an independent client shows
# within a second, a step in one console shows in another, the town scope
# holds on the stream, and a hub restart is survived with nothing missing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/console_lib.sh"

if [ ! -x "$BUILD/xiaoan-hub" ]; then
  echo "1..0 # SKIP no xiaoan-hub in $BUILD"
  exit 0
fi

new_db console_live
officer wang 王伟 fh.duty dispatcher
officer zhao 赵敏 fh.duty dispatcher
officer li 李娜 fh.jp.cmd town_staff
officer sun 孙强 fh.duty supervisor
TOKEN=$(q -c "select xiaoan.producer_token_create('cam1')")
YL_SCHOOL=$(q -c "select code from xiaoan.unit where kind='school' and town='fh.yl' order by code limit 1")
PORT=$(free_port)

post() { # post <source_id> <type> <school> <summary> [severity]
  curl -sS -m 5 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"source_id\":\"$1\",\"type\":\"$2\",\"school\":\"$3\",\"occurred_at\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"summary\":\"$4\",\"severity\":\"${5:-normal}\"}" \
    "http://127.0.0.1:$PORT/v1/alerts" >/dev/null
}
ms() { date +%s%3N; }

start_hub; ok $? "hub started"
console c1 wang 120 40 "$PORT"
console c2 li 120 40 "$PORT"
wait_screen c1 "hub: live +db: live" 10; ok $? "dispatcher console: hub live"
wait_screen c2 "hub: live +db: live" 10; ok $? "town console: hub live"

t0=$(ms)
post a1 gate_open S001 "锦屏校门开启" high
wait_screen c1 "锦屏校门开启" 3; ok $? "the posted alert appears"
t1=$(ms)
ok $([ $((t1 - t0)) -lt 1000 ] && echo 0 || echo 1) "within 1 s of the POST ($((t1 - t0)) ms)"
A=$(q -c "select id from xiaoan.cases where source_id='a1'")
like "$(screen c1 | grep "锦屏校门开启")" " $A .*new +[0-9]+:[0-9]{2} " "with its countdown"
wait_screen c2 "锦屏校门开启" 3; ok $? "the town console has it too"

post b1 gate_open S002 "锦屏第二例"
wait_screen c1 "锦屏第二例" 3
B=$(q -c "select id from xiaoan.cases where source_id='b1'")
like "$(screen c1 | grep "锦屏第二例")" "^ N +$B " "a new case is marked until the cursor has been on it"
like "$(screen c1 | sed -n 2p)" "new 1 " "the header counts it as new"

post y1 drowning "$YL_SCHOOL" "岳林水边逗留"
wait_screen c1 "岳林水边逗留" 3; ok $? "dispatcher sees the other town's case"
sleep 0.5
ok $(screen c2 | grep -q "岳林水边逗留" && echo 1 || echo 0) "the town console never shows it"

keys c1 / "$A" Enter s
wait_for 5 db_is "select state from xiaoan.cases where id=$A" signed; ok $? "signed from the console"
wait_screen c2 " $A .*signed" 3; ok $? "the second console shows it signed, live"

# A supervisor's console rings for a new critical case, and supervises.
console c3 sun 120 40 "$PORT" --notify bell
wait_screen c3 "hub: live" 10
post c1 panic_alarm S003 "真实一键报警" critical
wait_screen c3 "真实一键报警" 3; ok $? "the critical case reaches the supervisor"
wait_for 3 bash -c "[ \"\$(tmux -L $TMUX_SOCK display -p -t c3 '#{window_bell_flag}')\" = 1 ]"
ok $? "and rings the terminal bell"
C=$(q -c "select id from xiaoan.cases where source_id='c1'")
keys c3 / "$C" Enter m
wait_screen c3 "Reason for supervising case $C" 3; ok $? "supervise asks for the reason"
keys c3 "一键报警未处置" Enter
wait_screen c3 "Follow up case $C by \(YYYY-MM-DD\): [0-9]{4}-[0-9]{2}-[0-9]{2}" 3; ok $? "then the follow-up date, a week on"
keys c3 Enter
wait_for 5 db_is "select supervised and supervise_until = xiaoan.local_today() + 7 from xiaoan.cases where id=$C" t
ok $? "the case is under supervision until the date given"
keys c1 / "$C" Enter
wait_screen c1 " $C .* SUP " 3; ok $? "the dispatcher sees the SUP flag live"
keys c1 m
wait_screen c1 "Only supervisors can put cases under supervision" 3; ok $? "a dispatcher is told why not"
keys c1 F

# The hub goes away: the console says so, the clocks keep running, and what
# happens meanwhile arrives when it is back.
kill "$HUB"; wait "$HUB" 2>/dev/null
wait_screen c1 "hub: reconnecting since [0-9:]{8}" 5; ok $? "hub down: the header says since when"
wait_screen c1 "^ ~ +$A " 3; ok $? "and the rows are marked stale"
c1=$(screen c1 | grep "锦屏校门开启"); sleep 1.2; [ -n "$c1" ] || screen c1 | sed "s/^/# /"
ok $([ "$c1" != "$(screen c1 | grep "锦屏校门开启")" ] && echo 0 || echo 1) "countdowns keep running"
PGUSER=zhao q -c "select version from xiaoan.case_sign($B, (select version from xiaoan.cases where id=$B), null)" >/dev/null
start_hub; ok $? "hub restarted"
wait_screen c1 "hub: live" 15; ok $? "the console reconnects"
wait_screen c1 " $B .*signed" 5; ok $? "the step taken while the hub was down arrived"
keys c1 F
wait_screen c1 "open 4 " 3; ok $? "nothing missing: all four open cases"
ok $(sanitizer_clean; echo $?) "no sanitizer reports"
done_testing
