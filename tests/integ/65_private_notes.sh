#!/usr/bin/env bash
# Notes typed on a sensitive case are private (migration 007). The school's
# safety officer gives the first feedback on a mental_care case in the
# console; the consoles of the units on the case show the note, the duty
# room's (in English and in Chinese) and the supervisor's show that a note
# is there and not its text; the monthly report masks it. Upgrading a
# database of the migrations before 007 moves the notes already typed,
# makes a police station's town_staff unit_staff, and stops on a name with
# a control character until it is fixed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/console_lib.sh"

L=p65_$$
ROLES="${L}_xu, ${L}_wang, ${L}_sun, ${L}_he, ${L}_stn"
trap 'tm kill-server 2>/dev/null; _cleanup; q -d postgres -c "DROP ROLE IF EXISTS $ROLES" >/dev/null 2>&1' EXIT
PRIVATE_EN='(note visible to the units on the case)'
PRIVATE_ZH='（备注仅经办单位可见）'
rx() { sed 's/[][()\.*^$+?{}|]/\\&/g' <<<"$1"; }  # a literal as an extended regex

new_db private_notes
officer "${L}_xu" 徐静 S001 school_officer
officer "${L}_wang" 王伟 fh.duty dispatcher
officer "${L}_sun" 孙强 fh.duty supervisor
officer "${L}_he" 何平 fh.edu unit_staff
M=$(q -c "SELECT case_id FROM xiaoan.ingest('test', jsonb_build_array(jsonb_build_object('source_id', 'm1',
      'type', 'mental_care', 'school', 'S001', 'occurred_at', now()::text, 'grade', 'high',
      'summary', '张三 心理评估高危')))")
G=$(ingest_one g1 gate_open S001 "南门非上下学时段开启")
ok $([ -n "$M" ] && [ -n "$G" ]; echo $?) "a sensitive case ($M) and an ordinary one ($G)"
PORT=$(free_port) # no hub: the consoles read the database

# --- the school types the note --------------------------------------------------------------------------
console c1 "${L}_xu" 120 40 "$PORT"
wait_screen c1 " $M .*心灵关爱预警（高危）" 5; ok $? "the school's console lists the case by its neutral label"
keys c1 / "$M" Enter
wait_screen c1 "filter: \"$M\"" 3
keys c1 s
wait_for 5 db_is "SELECT state FROM xiaoan.cases WHERE id = $M" signed; ok $? "signed"
sleep 0.5
keys c1 b
wait_screen c1 "First feedback on case $M" 3; ok $? "first feedback asks for the note"
keys c1 "张三已由班主任陪同回家" Enter
wait_for 5 db_is "SELECT state FROM xiaoan.cases WHERE id = $M" in_progress; ok $? "the first feedback is given"
is "$(q -c "SELECT coalesce(e.note, '-') || ' ' || e.note_private || ' ' || p.note FROM xiaoan.case_event e
             JOIN xiaoan.case_event_private p ON p.seq = e.seq WHERE e.case_id = $M AND e.kind = 'feedback'")" \
   "- true 张三已由班主任陪同回家" "the note is stored in case_event_private; the event says a private note is there"
keys c1 Enter
wait_screen c1 "feedback +徐静 \(.*\): 张三已由班主任陪同回家" 5; ok $? "the school's safety officer reads the note on the case page"

# The ordinary case's note is everyone's, as before.
PGUSER=${L}_xu q -c "SELECT xiaoan.case_sign($G, 1, '南门已关闭')" >/dev/null

# --- a unit on the case -----------------------------------------------------------------------------------
console c2 "${L}_he" 120 40 "$PORT"
wait_screen c2 " $M " 5
keys c2 / "$M" Enter Enter
wait_screen c2 "feedback +徐静 \(.*\): 张三已由班主任陪同回家" 5; ok $? "the Education Bureau, copied on the case, reads it too"

# --- the duty room, in English and in Chinese ---------------------------------------------------------------
console c3 "${L}_wang" 120 40 "$PORT"
wait_screen c3 " $M " 5
keys c3 / "$M" Enter Enter
wait_screen c3 "feedback +徐静 \(.*\): $(rx "$PRIVATE_EN")" 5; ok $? "a dispatcher sees that the school wrote a note, not its text"
ok $(screen c3 | grep -q 张三 && echo 1 || echo 0) "nothing of the student's name is on the dispatcher's screen"
tm new-session -d -s c4 -x 120 -y 40 \
  "env PGUSER=${L}_wang LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 TERM=tmux-256color NO_COLOR= XDG_CONFIG_HOME=$TMP/none \
   $BUILD/xiaoan --db '$DBCONN' --hub 127.0.0.1:$PORT --notify off 2>>$TMP/console-c4.err; sleep 30"
wait_screen c4 " $M " 5
keys c4 / "$M" Enter Enter
wait_screen c4 "徐静 \(.*\): $PRIVATE_ZH" 5; ok $? "in Chinese: $PRIVATE_ZH"

# --- listed supervision -----------------------------------------------------------------------------------------
UNTIL=$(q -c "SELECT (xiaoan.local_today() + 3)::text")
PGUSER=${L}_sun q -c "SELECT xiaoan.case_supervise($M, (SELECT version FROM xiaoan.cases WHERE id = $M),
                        '张三情况每日跟进', '$UNTIL');
                      SELECT xiaoan.case_supervise($G, (SELECT version FROM xiaoan.cases WHERE id = $G),
                        '南门反复开启', NULL)" >/dev/null
ok $? "the supervisor puts both cases under supervision, naming the student in one reason"
keys c3 q / "$M" Enter Enter
wait_screen c3 "Supervision: $(rx "$PRIVATE_EN") \(follow up by $UNTIL\)" 5
ok $? "the dispatcher's case page: the reason is private"
keys c1 q / "$M" Enter Enter
wait_screen c1 "Supervision: 张三情况每日跟进 \(follow up by $UNTIL\)" 5; ok $? "the school reads the reason"
console c5 "${L}_sun" 160 40 "$PORT"
wait_screen c5 " $M " 5
keys c5 3
wait_screen c5 "Overdue review" 5
keys c5 Tab
wait_screen c5 "Supervised cases \(2\)" 5; ok $? "the supervisor's list of supervised cases"
like "$(screen c5 | grep -E "^ +!?$M ")" "supervise 孙强: $(rx "$PRIVATE_EN")" \
  "the sensitive case's last step: a private note, even to the supervisor who typed it"
like "$(screen c5 | grep -E "^ +!?$G ")" "supervise 孙强: 南门反复开启" "the ordinary case's last step with its note"
ok $(screen c5 | grep -q 张三 && echo 1 || echo 0) "nothing of the student's name on the supervisor's screen"

# --- the report -----------------------------------------------------------------------------------------------
TODAY=$(q -c "SELECT xiaoan.local_today()::text")
"$BUILD/xiaoan-admin" --db "$DBCONN" report monthly --from "$TODAY" --to "$TODAY" --out "$TMP/rep" 2>/dev/null
ok $? "xiaoan-admin report (as the owner, whom row-level security does not hold)"
is "$(grep -E "^$M," "$TMP/rep/supervised.csv" | awk -F, '{ print $12 " | " $20 }')" "$PRIVATE_ZH | $PRIVATE_ZH" \
  "supervised.csv: the sensitive case's reason and last note are masked"
like "$(grep -E "^$G," "$TMP/rep/supervised.csv")" ",南门反复开启,.*,南门反复开启," "the ordinary case's are there"
ok $(grep -rq 张三 "$TMP/rep" && echo 1 || echo 0) "nothing of the student's name in the report or its CSV files"
keys c1 Q; keys c2 Q; keys c3 Q; keys c4 Q; keys c5 Q

# --- upgrading a database from before 007 ------------------------------------------------------------------------
mkdir -p "$TMP/old/migrations"
for f in "$TOP"/sql/migrations/*.sql; do
  [[ "$(basename "$f")" < 007_ ]] && ln -s "$f" "$TMP/old/migrations/"
done
ln -s "$TOP/sql/ref" "$TMP/old/ref"
UP=t_upgrade_$$
createdb "$UP" && _dbs+=("$UP")
UPCONN="host=$PGHOST port=$PGPORT dbname=$UP"
uq() { PGDATABASE=$UP q "$@"; }
"$BUILD/xiaoan-admin" --db "$UPCONN" --sql-dir "$TMP/old" migrate >/dev/null 2>&1
is "$(uq -c "SELECT count(*) FROM xiaoan.schema_migration WHERE version >= '007'")" 0 "a database of the migrations before 007"
uq -c "SELECT xiaoan.officer_set('${L}_xu', '徐静', 'S001', 'school_officer'),
              xiaoan.officer_set('${L}_wang', '王伟', 'fh.duty', 'dispatcher'),
              xiaoan.officer_set('${L}_sun', '孙强', 'fh.duty', 'supervisor'),
              xiaoan.officer_set('${L}_stn', '钱军', 'fh.jp.pol', 'town_staff')" >/dev/null 2>&1
ok $? "where a police station officer could still be town_staff"
M2=$(uq -c "SELECT case_id FROM xiaoan.ingest('test', jsonb_build_array(jsonb_build_object('source_id', 'm2',
       'type', 'mental_care', 'school', 'S001', 'occurred_at', now()::text, 'grade', 'high', 'summary', '王五')))")
G2=$(uq -c "SELECT case_id FROM xiaoan.ingest('test', jsonb_build_array(jsonb_build_object('source_id', 'g2',
       'type', 'gate_open', 'school', 'S001', 'occurred_at', now()::text, 'summary', '南门')))")
PGUSER=${L}_xu uq -c "SELECT xiaoan.case_sign($M2, 1, '王五已谈话'); SELECT xiaoan.case_sign($G2, 1, '南门已关')" >/dev/null
PGUSER=${L}_sun uq -c "SELECT xiaoan.case_supervise($M2, 2, '王五需跟进', NULL)" >/dev/null
is "$(uq -c "SELECT string_agg(note, ' / ' ORDER BY seq) FROM xiaoan.case_event WHERE note IS NOT NULL")" \
   "王五已谈话 / 南门已关 / 王五需跟进" "notes on the sensitive case are in case_event, as 006 kept them"
EVENTS=$(uq -c "SELECT string_agg(seq || kind || actor, ',' ORDER BY seq) FROM xiaoan.case_event")
uq -c "UPDATE xiaoan.unit SET name = E'锦屏\\x1b[31m指挥室' WHERE code = 'fh.jp.cmd'"
out=$("$BUILD/xiaoan-admin" --db "$UPCONN" migrate 2>&1); rc=$?
ok $([ $rc -ne 0 ]; echo $?) "migrate stops on a unit name with an escape sequence"
like "$out" "control characters are stored in: unit\.name where code is fh\.jp\.cmd" "and names the row"
is "$(uq -c "SELECT count(*) FROM xiaoan.schema_migration WHERE version >= '007'")" 0 "007 is not applied"
uq -c "UPDATE xiaoan.unit SET name = '锦屏街道四平台指挥室' WHERE code = 'fh.jp.cmd'"
out=$("$BUILD/xiaoan-admin" --db "$UPCONN" migrate 2>&1); rc=$?
is "$rc" 0 "once fixed, migrate applies 007"
like "$out" "warning: .*officer ${L}_stn \(钱军\) of police station fh\.jp\.pol was town_staff: now unit_staff" \
  "and warns whose role it changed"
is "$(uq -c "SELECT role FROM xiaoan.officer WHERE login = '${L}_stn'")" unit_staff "the station's officer is unit_staff"
is "$(uq -c "SELECT string_agg(seq || kind || actor, ',' ORDER BY seq) FROM xiaoan.case_event")" "$EVENTS" \
   "the audit trail keeps every event, its seq, kind and actor"
is "$(uq -c "SELECT string_agg(coalesce(note, '-') || ':' || note_private, ' / ' ORDER BY seq) FROM xiaoan.case_event
              WHERE kind IN ('sign', 'supervise')")" \
   "-:true / 南门已关:false / -:true" "the sensitive case's notes left case_event; the ordinary case's stayed"
is "$(uq -c "SELECT string_agg(note, ' / ' ORDER BY seq) FROM xiaoan.case_event_private")" "王五已谈话 / 王五需跟进" \
   "they are in case_event_private"
is "$(uq -c "SELECT coalesce(c.supervise_note, '-') || ' ' || p.supervise_note FROM xiaoan.cases c
              JOIN xiaoan.case_private p ON p.case_id = c.id WHERE c.id = $M2")" "- 王五需跟进" \
   "the reason for supervision moved to case_private"
is "$(PGUSER=${L}_xu uq -c "SELECT string_agg(note, ' / ' ORDER BY seq) FROM xiaoan.case_trail WHERE case_id = $M2")" \
   "王五已谈话 / 王五需跟进" "the school reads them through case_trail"
is "$(PGUSER=${L}_wang uq -c "SELECT count(*) FILTER (WHERE note_hidden) || ' ' || count(note) FROM xiaoan.case_trail
                              WHERE case_id = $M2")" "2 0" "a dispatcher sees two hidden notes and no text"
ok "$(sanitizer_clean; echo $?)" "no sanitizer report"
done_testing
