#!/usr/bin/env bash
# The console against the database alone (no hub): first screen, the case
# steps through the keys, a stale action, a town user's scope, resize and
# hang-up. Runs xiaoan in tmux and reads the screen with capture-pane.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/console_lib.sh"

new_db console_db
like "$("$BUILD/xiaoan" --version)" "^xiaoan [0-9]" "--version, without a terminal"
like "$("$BUILD/xiaoan" --help)" "--version +print the version" "--help names it"
officer wang 王伟 fh.duty dispatcher
officer zhao 赵敏 fh.duty dispatcher
officer li 李娜 fh.jp.cmd town_staff
YL_SCHOOL=$(q -c "select code from xiaoan.unit where kind='school' and town='fh.yl' order by code limit 1")
JP=$(ingest_one a1 gate_open S001 "校门开启超过120秒")
YL=$(ingest_one a2 drowning "$YL_SCHOOL" "岳林学生水边逗留")
ok $([ -n "$JP" ] && [ -n "$YL" ]; echo $?) "two alerts ingested ($JP, $YL)"

PORT=$(free_port) # nothing listens there: the stream stays down
console c1 wang 120 40 "$PORT"
wait_screen c1 "校门开启超过120秒" 5; ok $? "dispatcher's first screen shows the case"
like "$(screen c1 | grep "校门开启")" " $JP .*new +[0-9]+:[0-9]{2} " "the row has its state and a countdown"
like "$(screen c1 | head -1)" "奉化区 +王伟 \(区护校安园工作专班办公室, dispatcher\) .*hub: (connecting|reconnecting since [0-9:]{8}) +db: live" \
  "header: district, user and unit, connection states"
like "$(screen c1 | sed -n 2p)" "open 2 .*unsigned 2 .*no filter \| sort: urgency" "header counts and the filter in force"
like "$(screen c1 | grep "$YL_SCHOOL\|岳林学生")" "岳林" "the other town's case is there for a dispatcher"

wait_screen c1 "reconnecting since" 5
compare_screen c1 30_dispatch; ok $? "the dispatch view matches the expected screen"

console c2 li 120 40 "$PORT"
wait_screen c2 "校门开启超过120秒" 5; ok $? "town user sees the case of their town"
ok $(screen c2 | grep -q "岳林学生水边逗留" && echo 1 || echo 0) "town user never sees another town's case"

# Put the cursor on the Jinping case with a search, then sign it.
keys c1 / "$JP" Enter
wait_screen c1 "\"$JP\"" 3; ok $? "the search is shown as the filter in force"
keys c1 s
wait_for 5 db_is "select state from xiaoan.cases where id=$JP" signed; ok $? "sign key: the case is signed in the database"
is "$(q -c "select kind||':'||actor from xiaoan.case_event where case_id=$JP order by seq desc limit 1")" "sign:wang" \
  "the audit trail has the sign event by wang"
wait_screen c1 "Case $JP signed" 3; ok $? "the console says so"
keys c2 g
wait_screen c2 " $JP .*signed" 5; ok $? "a second console sees it signed after a reload"

# Forward through the unit picker, with a note typed in Chinese.
keys c1 w
wait_screen c1 "Forward case $JP to \(type to search\)" 3; ok $? "forward opens the unit picker"
keys c1 "区教育局"
wait_screen c1 "1 units match" 3; ok $? "typing filters the picker"
keys c1 Enter "交教育局核查" Enter
wait_screen c1 "Forward case $JP to 区教育局\? \(y/n\)" 3; ok $? "forward asks for confirmation"
keys c1 y
wait_for 5 db_is "select holder from xiaoan.cases where id=$JP" fh.edu; ok $? "forwarded to the Education Bureau"
is "$(q -c "select note from xiaoan.case_event where case_id=$JP and kind='forward'")" "交教育局核查" "the note arrived intact"

# A stale action: someone else signs first; the console still has the old version.
sleep 0.5
PGUSER=zhao q -c "select version from xiaoan.case_sign($JP, (select version from xiaoan.cases where id=$JP), null)" >/dev/null
keys c1 s
wait_screen c1 "case $JP already signed by 赵敏 \(区护校安园工作专班办公室\) at [0-9:]{8}" 5
ok $? "stale step: the message says who acted first and when"

# Escalate (reason required), sign again, close with a result, confirm.
keys c1 e
wait_screen c1 "Reason for escalating case $JP" 3; ok $? "escalate asks for the reason"
keys c1 Enter
wait_screen c1 "A note is required" 3; ok $? "an empty reason is refused"
keys c1 "超出部门权限" Enter
wait_screen c1 "Escalate case $JP to the level above\? \(y/n\)" 3; ok $? "escalate asks for confirmation"
keys c1 y
wait_for 5 db_is "select holder||'/'||state from xiaoan.cases where id=$JP" nb/new; ok $? "escalated to the city"
sleep 0.5
keys c1 s
wait_for 5 db_is "select state from xiaoan.cases where id=$JP" signed; ok $? "signed again at the new holder"
sleep 0.5
keys c1 c
wait_screen c1 "Result of case $JP" 3; ok $? "close asks for the result"
keys c1 "已处置，校门恢复关闭" Enter y
wait_for 5 db_is "select state from xiaoan.cases where id=$JP" closed; ok $? "closed with a result note"
sleep 0.5
keys c1 y
wait_screen c1 "Confirm the result of case $JP\? \(y/n\)" 3; ok $? "confirm asks first"
keys c1 y
wait_for 5 db_is "select state from xiaoan.cases where id=$JP" confirmed; ok $? "confirmed"
wait_screen c1 "open 1 " 3; ok $? "a confirmed case leaves the open list"

keys c1 F
# Detail view of the other case; the trail of the confirmed one is in the database.
is "$(q -c "select string_agg(kind, ',' order by seq) from xiaoan.case_event where case_id=$JP")" \
  "open,sign,forward,sign,escalate,sign,close,confirm" "the whole trail is recorded"
# A deadline with a fraction of a second past .5: shown cut down to the
# second, as the stream's events carry it, not rounded up.
OTHER=$(q -c "select id from xiaoan.cases where state <> 'confirmed'")
q -c "update xiaoan.cases set close_due = date_trunc('second', close_due) + interval '0.7 s' where id=$OTHER"
CLOSE=$(q -c "select to_char(close_due AT TIME ZONE xiaoan.district_zone(), 'YYYY-MM-DD HH24:MI:SS')
              from xiaoan.cases where id=$OTHER")
keys c1 g
keys c1 Enter
wait_screen c1 "Audit trail" 3; ok $? "Enter opens the case detail"
like "$(screen c1)" "Time limits" "detail shows the stage clocks"
like "$(screen c1)" "due $CLOSE" "a deadline is shown to the second, cut down as the stream does"
keys c1 q

# An alert storm: select every new case, sign them all at once.
for i in 1 2 3; do ingest_one "storm$i" guard_absent S00$i "保安未抓拍 $i" >/dev/null; done
keys c1 g
wait_screen c1 "open 4 " 5; ok $? "reload shows the storm"
keys c1 a
wait_screen c1 "4 new cases selected" 3; ok $? "select-all-new selects the unsigned cases"
keys c1 A
wait_for 5 db_is "select count(*) from xiaoan.cases where state='new'" 0; ok $? "sign-selected signs them all"
wait_screen c1 "Signed 4 of 4 selected cases" 3; ok $? "and says how many"

# Dispatch down: not offered for a case held at school level (and the key
# says why); offered once a district department holds it.
S1=$(q -c "select id from xiaoan.cases where source_id='storm1'")
keys c1 / "$S1" Enter
wait_screen c1 "filter: \"$S1\"" 3
ok $(screen c1 | tail -1 | grep -q "dispatch down" && echo 1 || echo 0) "dispatch down is not in the hints for a school's case"
keys c1 d
wait_screen c1 "only district units dispatch down" 3; ok $? "pressing its key says why not"
keys c1 w "fh.edu" Enter Enter y
wait_for 5 db_is "select holder from xiaoan.cases where id=$S1" fh.edu; ok $? "forwarded to a department"
wait_screen c1 "d dispatch down" 3; ok $? "now dispatch down is offered"
keys c1 d
wait_screen c1 "Dispatch case $S1 down to town" 3; ok $? "dispatch down opens the town picker"
keys c1 "锦屏" Enter Enter y
wait_for 5 db_is "select holder from xiaoan.cases where id=$S1" fh.jp.cmd; ok $? "dispatched down to the town's command room"
keys c1 F

# A hazard reported from the keyboard: school, category, description.
keys c1 H
wait_screen c1 "Report a hazard at which school" 3; ok $? "report-hazard asks for the school"
keys c1 S002 Enter
wait_screen c1 "Which kind of hazard" 3; ok $? "then the kind of hazard"
keys c1 Enter "校门口积水严重" Enter
wait_screen c1 "Report this hazard at .*\? \(y/n\)" 3; ok $? "and confirms"
keys c1 y
wait_for 5 db_is "select count(*) from xiaoan.cases where type='hazard' and school='S002'" 1; ok $? "the hazard is a case in the database"
wait_screen c1 "Hazard reported as case [0-9]+" 3; ok $? "the console says which case"
keys c1 V S001 Enter "检查门卫值守" Enter Enter y
wait_for 5 db_is "select count(*) from xiaoan.visit where school='S001'" 1; ok $? "a service-guidance visit is logged"

# Resize: smaller, too small, back.
tm resize-window -t c1 -x 80 -y 24
keys c1 / "$YL" Enter
wait_screen c1 "open 5 " 3; ok $? "80x24 redraws"
is "$(screen c1 | wc -l)" 24 "the screen is 24 lines"
sleep 0.3
compare_screen c1 30_dispatch_80x24; ok $? "80x24 matches the expected screen (columns fitted)"
tm resize-window -t c1 -x 70 -y 20
wait_screen c1 "terminal too small \(need 80×24" 3; ok $? "below 80x24: a clear message"
tm resize-window -t c1 -x 120 -y 40
wait_screen c1 "open 5 " 3; ok $? "back to 120x40"

# Keys typed in one burst: each acts on the list as the keys before it
# left it (the search narrows the list, then s signs what it found).
B1=$(ingest_one b1 gate_open S001 "连按测试一")
B2=$(ingest_one b2 gate_open S001 "连按测试二")
keys c1 g
wait_screen c1 "连按测试二" 5
keys c1 / "$B1" Enter
wait_screen c1 "\"$B1\"" 3
tm send-keys -t c1 / "$B2" Enter s
wait_for 5 db_is "select state from xiaoan.cases where id=$B2" signed; ok $? "a burst of keys: search then sign signs the case found"
is "$(q -c "select state from xiaoan.cases where id=$B1")" new "not the one under the cursor before the burst"

# Hang-up: the process leaves, cleanly.
pid=$(console_pid c1)
tm kill-session -t c1
wait_for 5 sh -c "! kill -0 $pid 2>/dev/null"; ok $? "SIGHUP: the console exits"
ok $(sanitizer_clean; echo $?) "no sanitizer reports"
done_testing
