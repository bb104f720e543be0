#!/usr/bin/env bash
# Hostile text on the way to a terminal. The hub refuses alerts whose
# summary or source_id carries escape sequences, C0/C1 controls or bidi
# marks, and bodies that are not UTF-8; details may carry anything. The
# database refuses them in officer, unit and school names (007). Text that
# gets into the database by another way (ingest called directly by the hub's
# role; names written by a superuser who dropped those checks) is rendered
# by the console: everything the console writes to its terminal is captured
# with `tmux pipe-pane`, and none of the injected sequences may be in it,
# while the screen shows a visible replacement (U+FFFD) in their place.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/hub_lib.sh"
. "$(dirname "$0")/console_lib.sh"

L=s63_$$
trap 'tm kill-server 2>/dev/null; _cleanup; for r in s1 bad; do q -d postgres -c "DROP ROLE IF EXISTS ${L}_$r" >/dev/null 2>&1; done' EXIT

ESC=$'\e' BEL=$'\a' C1=$'\xc2\x9b' RLM=$'\xe2\x80\x8f' RLO=$'\xe2\x80\xae'
new_db hostile_screen
hub_start a
P=$PORT_a
TOKEN=$(q -c "SELECT xiaoan.producer_token_create('cams')")

# --- what the hub refuses ----------------------------------------------------------------------------
refused() { # refused FIELD JSON-STRING-LITERAL DESCRIPTION
  local r
  r=$(post "$P" "$TOKEN" "{\"source_id\":\"h-$RANDOM\",\"type\":\"gate_open\",\"school\":\"S001\",\"occurred_at\":\"2026-11-24T08:00:00+08:00\",\"summary\":\"ok\",\"$1\":$2}")
  is "${r%% *} $(jq -r .field "$TMP/resp.body" 2>/dev/null)" "400 $1" "hub: $3 in $1: 400"
}
refused summary '"clear\u001b[2Jscreen"' "ESC [2J"
refused summary '"title\u001b]0;PWNED\u0007"' "an OSC title sequence"
refused summary '"c1\u009b31mred"' "a C1 CSI (U+009B)"
refused summary '"bell\u0007"' "BEL"
refused summary '"line\nbreak"' "a newline"
refused summary '"del\u007f"' "DEL"
refused summary '"rtl\u200fmark"' "a right-to-left mark"
refused summary '"override\u202egnp.exe"' "a right-to-left override"
refused summary '"isolate\u2067x\u2069"' "a bidi isolate"
refused source_id '"id\u001b[2J"' "ESC"
refused source_id '"id\u0085"' "a C1 NEL"
refused summary "\"$(printf '长%.0s' {1..501})\"" "501 characters"
r=$(post "$P" "$TOKEN" "$(printf '{"source_id":"utf-1","type":"gate_open","school":"S001","occurred_at":"2026-11-24T08:00:00+08:00","summary":"bad \xff\xfe utf8"}')")
is "${r%% *}" 400 "hub: invalid UTF-8 in a string: 400"
r=$(post "$P" "$TOKEN" "$(printf '{"source_id":"utf-2","type":"gate_open","school":"S001","occurred_at":"2026-11-24T08:00:00+08:00","summary":"overlong \xc0\xaf"}')")
is "${r%% *}" 400 "hub: an overlong UTF-8 sequence: 400"
r=$(post "$P" "$TOKEN" '{"source_id":"utf-3","type":"gate_open","school":"S001","occurred_at":"2026-11-24T08:00:00+08:00","summary":"lone \ud800 surrogate"}')
is "${r%% *}" 400 "hub: a lone surrogate escape: 400"
is "$(cases "WHERE source_id LIKE 'h-%' OR source_id LIKE 'utf-%'")" 0 "none of them was stored"

# --- names: the database refuses controls; a superuser who drops its checks gets them in --------------
NAME_S1="校安全员${ESC}]0;PWNED-NAME${BEL}"
NAME_BAD="坏人${ESC}[2JWIPED-ACTOR${C1}31mC1-ACTOR${RLO}RLO-ACTOR"
UNIT_SQL="UPDATE xiaoan.unit SET name = E'一校\\x1b[31mRED-UNIT\\x1b[0m' WHERE code = 'S001'"
SCHOOL_SQL="UPDATE xiaoan.school SET officer_name = E'\\x1b]2;PWNED-SCHOOL\\x07' WHERE code = 'S001'"
like "$(q -v n="$NAME_BAD" 2>&1 <<<"SELECT xiaoan.officer_set('${L}_bad', :'n', 'fh.duty', 'dispatcher')")" \
  "the officer's name contains a control character" "officer_set refuses escape sequences in a name"
like "$(q -c "$UNIT_SQL" 2>&1)" 'violates check constraint "unit_name_plain"' "the unit table refuses them in a name"
like "$(q -c "$SCHOOL_SQL" 2>&1)" 'violates check constraint "school_officer_name_plain"' \
  "the school table refuses them in the safety officer's name"
q -c "ALTER TABLE xiaoan.officer DROP CONSTRAINT officer_name_plain;
      ALTER TABLE xiaoan.unit DROP CONSTRAINT unit_name_plain;
      ALTER TABLE xiaoan.school DROP CONSTRAINT school_officer_name_plain"
officer "${L}_s1" 校安全员 S001 school_officer
officer "${L}_bad" 坏人 fh.duty dispatcher
q -v s1="$NAME_S1" -v bad="$NAME_BAD" <<EOF
UPDATE xiaoan.officer SET name = :'s1' WHERE login = '${L}_s1';
UPDATE xiaoan.officer SET name = :'bad' WHERE login = '${L}_bad';
EOF
q -c "$UNIT_SQL"
q -c "$SCHOOL_SQL"

# --- a console capturing every byte it writes --------------------------------------------------------
CAP=$TMP/tty.bytes
: >"$CAP"
# The console starts a moment after the pipe is attached, so its first frame is captured too.
tm new-session -d -s c -x 120 -y 40 \
  "sleep 1; exec env PGUSER=${L}_s1 LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color XDG_CONFIG_HOME=$TMP/none \
   $BUILD/xiaoan --db '$DBCONN' --hub 127.0.0.1:$P --notify off 2>>$TMP/console-c.err"
tm pipe-pane -o -t c "cat >>'$CAP'"
wait_screen c "hub: live" 15; ok $? "the console is up, live"

# Cases whose text did not come through the hub's checks. ingest() refuses
# such a summary too, so the owner forces it in, in the transaction that
# opens the case (the stream reads the case as committed).
ing() { # ing SOURCE_ID TYPE SUMMARY [DETAILS-JSON [GRADE]]
  psql -X -Atq -v ON_ERROR_STOP=1 -v s="$3" -v d="${4:-null}" -v g="${5:-}" <<EOF
BEGIN;
CREATE TEMP TABLE opened AS
SELECT case_id, error FROM xiaoan.ingest('cams', jsonb_build_array(jsonb_build_object('source_id', '$1',
  'type', '$2', 'school', 'S001', 'occurred_at', now()::text, 'summary', '（由下文改写）', 'details', :'d'::jsonb,
  'grade', nullif(:'g', ''))));
UPDATE xiaoan.cases SET summary = :'s' WHERE id = (SELECT case_id FROM opened) AND NOT sensitive;
UPDATE xiaoan.case_private SET summary = :'s' WHERE case_id = (SELECT case_id FROM opened);
SELECT coalesce(case_id::text, error) FROM opened;
COMMIT;
EOF
}
LONG=$(printf '长%.0s' {1..480})
C1ID=$(ing raw-1 gate_open "OSC${ESC}]0;PWNED-TITLE${BEL}CSI${ESC}[2JWIPED-SUMMARY${C1}31mC1-SUMMARY${RLM}RLM${RLO}RLO-SUMMARY")
C2ID=$(ing raw-2 mental_care "私${ESC}]0;PWNED-PRIVATE${BEL}${RLO}RLO-PRIVATE" \
  "{\"k\": \"\\u001b]0;PWNED-DETAILS\\u0007\", \"x\": \"$(printf '%.0s细' {1..2000})\"}" high)
C3ID=$(ing raw-3 traffic "$LONG")
r=$(post "$P" "$TOKEN" "$(alert det-1 '.details = {esc: "\u001b[2JWIPED-DETAILS", c1: "\u009b31m", rlo: "\u202eRLO-DETAILS"}')")
is "${r%% *}" 201 "hub: control characters inside details are accepted (details are data)"
C4ID=$(jq -r .case_id "$TMP/resp.body")
PGUSER=${L}_bad q -c "SELECT seq FROM xiaoan.case_sign($C1ID, NULL, NULL)" >/dev/null
ok $? "an officer with escape sequences in their name signs case $C1ID"
wait_screen c " $C4ID " 10; ok $? "the cases arrive"

open_case() { # open_case ID PATTERN: the case's page, then back to the list
  keys c / "$1" Enter Enter
  wait_screen c "$2" 5
  local rc=$?
  screen c >"$TMP/screen-$1"
  keys c q
  return $rc
}
open_case "$C1ID" "Case $C1ID"; ok $? "case $C1ID's page opens"
open_case "$C2ID" "Case $C2ID"; ok $? "case $C2ID's page (sensitive, with its personal details) opens"
open_case "$C3ID" "Case $C3ID"; ok $? "case $C3ID's page (a 480-character summary) opens"
open_case "$C4ID" "Case $C4ID"; ok $? "case $C4ID's page (details with escapes) opens"
keys c 2
sleep 0.5
screen c >"$TMP/screen-schools"
keys c 1
sleep 0.5

# --- what the terminal received ------------------------------------------------------------------------
tm pipe-pane -t c   # closes the pipe: everything is in the file
sleep 0.3
ok "$([ "$(wc -c <"$CAP")" -gt 2000 ]; echo $?)" "the capture holds the console's output ($(wc -c <"$CAP") bytes)"
has() { python3 -c 'import sys; sys.exit(0 if sys.argv[2].encode("utf-8", "surrogateescape") in open(sys.argv[1], "rb").read() else 1)' "$CAP" "$1"; }
nothing() { # nothing DESCRIPTION SEQUENCE...: none of the sequences was written
  local s found=
  for s in "${@:2}"; do has "$s" && found+=" $(printf '%q' "$s")"; done
  is "${found:-none}" none "the terminal never received $1"
}
ok "$(has "PWNED-TITLE" && has "WIPED-ACTOR" && has "RLO-PRIVATE"; echo $?)" \
   "the capture has the injected texts themselves (it is the console's output)"
nothing "an OSC title sequence" "${ESC}]0;PWNED" "${ESC}]2;PWNED" "PWNED-TITLE${BEL}" "PWNED-NAME${BEL}" \
  "PWNED-PRIVATE${BEL}" "PWNED-SCHOOL${BEL}"
nothing "the injected ESC [2J" "${ESC}[2JWIPED"
nothing "the injected colour" "${ESC}[31mRED-UNIT"
nothing "a C1 CSI" "$C1"
nothing "a right-to-left mark or override" "$RLM" "$RLO"
nothing "a bell" "$BEL"
ok "$(grep -q "Summary: OSC�\]0;PWNED-TITLE�CSI�\[2JWIPED-SUMMARY�31mC1-SUMMARY�RLM�RLO-SUMMARY" "$TMP/screen-$C1ID"; echo $?)" \
   "the summary is shown with U+FFFD in place of each control"
ok "$(grep -q "坏人�\[2JWIPED-ACTOR" "$TMP/screen-$C1ID"; echo $?)" "so is the signing officer's name in the audit trail"
ok "$(grep -q "私�\]0;PWNED-PRIVATE��RLO-PRIVATE" "$TMP/screen-$C2ID"; echo $?)" "and the sensitive case's own text"
ok "$(grep -q '^  k: �]0;PWNED-DETAILS�' "$TMP/screen-$C2ID"; echo $?)" "its details are shown (a line per member)"
ok "$(grep -q 'RED-UNIT' "$TMP/screen-$C1ID"; echo $?)" "the school's name is shown, without its colour"
ok "$([ "$(wc -L <"$TMP/screen-$C3ID")" -le 120 ] && grep -q "Summary: 长长长" "$TMP/screen-$C3ID"; echo $?)" \
   "the long summary is cut to the screen's width"
ok "$(grep -q "Case $C4ID" "$TMP/screen-$C4ID" && ! grep -q "$ESC" "$TMP/screen-$C4ID"; echo $?)" \
   "details with escapes: no raw ESC on the screen"
is "$(ps -o comm= -p "$(tm display-message -p -t c '#{pane_pid}')")" xiaoan "the console is still running"
ok "$(sanitizer_clean; echo $?)" "no sanitizer report"
keys c Q
hub_stop a
done_testing
