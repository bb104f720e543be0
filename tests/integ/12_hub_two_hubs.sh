#!/usr/bin/env bash
# Two hubs on one database, both logged in as xiaoan_hub: an alert posted to
# one and a step made in psql reach a subscriber of the other; exactly one
# hub leads the deadline sweep and an overdue stage is raised once; when the
# leader is killed the other takes over within seconds and raises the next
# overdue alarm.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/hub_lib.sh"

L=h12_$$
trap '_cleanup; for r in disp s1; do q -d postgres -c "DROP ROLE IF EXISTS ${L}_$r" >/dev/null 2>&1; done' EXIT

new_db hub_two
HUB_ROLE=xiaoan_hub hub_start a
HUB_ROLE=xiaoan_hub hub_start b
TOKEN=$(q -c "SELECT xiaoan.producer_token_create('cams')")
officer "${L}_disp" 值班员 fh.duty dispatcher
officer "${L}_s1" 一校安全员 S001 school_officer

# --- a change through one hub reaches the other's subscribers ---------------------------
ws_start "$TMP/b1" "$PORT_b" --token "$(session "${L}_disp")" --timeout 60000
ws_start "$TMP/a1" "$PORT_a" --token "$(session "${L}_disp")" --timeout 60000
ws_wait "$TMP/b1" '.type == "hello"'
ws_wait "$TMP/a1" '.type == "hello"'
post "$PORT_a" "$TOKEN" "$(alert two-1)" >/dev/null
C1=$(jq -r .case_id "$TMP/resp.body")
S1=$(jq -r .seq "$TMP/resp.body")
ok "$(ws_wait "$TMP/b1" ".type == \"event\" and .seq == $S1 and .case.id == $C1"; echo $?)" \
   "an alert posted to hub a reaches a subscriber of hub b"
ok "$(ws_wait "$TMP/a1" ".type == \"event\" and .seq == $S1"; echo $?)" "and one of hub a"
S2=$(PGUSER=${L}_s1 q -c "SELECT seq FROM xiaoan.case_sign($C1, 1, '收到')")
ok "$(ws_wait "$TMP/b1" ".type == \"event\" and .seq == $S2 and .kind == \"sign\""; echo $?)" \
   "a step made in psql reaches hub b's subscriber"
ok "$(ws_wait "$TMP/a1" ".type == \"event\" and .seq == $S2"; echo $?)" "and hub a's"
post "$PORT_b" "$TOKEN" "$(alert two-2)" >/dev/null
S3=$(jq -r .seq "$TMP/resp.body")
ok "$(ws_wait "$TMP/a1" ".type == \"event\" and .seq == $S3"; echo $?)" "and the other way round"
post "$PORT_b" "$TOKEN" "$(alert two-1)" >/dev/null
is "$(jq -r .case_id "$TMP/resp.body")" "$C1" "a repeat through the other hub names the same case"

# --- one leader ------------------------------------------------------------------------------
leaders() { echo $(( $(metric "$PORT_a" xiaoan_leader) + $(metric "$PORT_b" xiaoan_leader) )); }
wait_for 10 sh -c "[ \$(( \$(curl -s http://127.0.0.1:$PORT_a/metrics | awk '\$1 == \"xiaoan_leader\" {print \$2}') + \$(curl -s http://127.0.0.1:$PORT_b/metrics | awk '\$1 == \"xiaoan_leader\" {print \$2}') )) = 1 ]"
is "$(leaders)" 1 "exactly one hub leads"
if [ "$(metric "$PORT_a" xiaoan_leader)" = 1 ]; then LEAD=a; OTHER=b; else LEAD=b; OTHER=a; fi
diag "leader: hub $LEAD"

# --- an overdue stage is raised once ------------------------------------------------------
post "$PORT_a" "$TOKEN" "$(alert late-1)" >/dev/null
C2=$(jq -r .case_id "$TMP/resp.body")
q -c "UPDATE xiaoan.cases SET sign_due = now() - interval '1 second' WHERE id = $C2"
ok "$(ws_wait "$TMP/b1" ".type == \"event\" and .case.id == $C2 and .kind == \"overdue\" and .stage == \"sign\"" 10; echo $?)" \
   "the overdue sign stage reaches the subscribers"
sleep 4.5 # two more sweeps by the leader, two lock attempts by the other
is "$(q -c "SELECT count(*) FROM xiaoan.case_event WHERE case_id = $C2 AND kind = 'overdue'")" 1 \
   "raised exactly once"
is "$(jq -c "select(.type == \"event\" and .case.id == $C2 and .kind == \"overdue\")" "$TMP/b1" | wc -l)" 1 \
   "and sent once"

# --- takeover ----------------------------------------------------------------------------------
eval "PID_LEAD=\$PID_$LEAD PORT_OTHER=\$PORT_$OTHER"
ws_start "$TMP/o1" "$PORT_OTHER" --token "$(session "${L}_disp")" --timeout 60000
ws_wait "$TMP/o1" '.type == "hello"'
{ kill -KILL "$PID_LEAD"; wait "$PID_LEAD"; } 2>/dev/null
t0=$SECONDS
ok "$(wait_for 10 sh -c "curl -s http://127.0.0.1:$PORT_OTHER/metrics | grep -q '^xiaoan_leader 1'"; echo $?)" \
   "hub $OTHER takes over after hub $LEAD is killed"
ok "$([ $((SECONDS - t0)) -le 5 ]; echo $?)" "within seconds ($((SECONDS - t0)) s)"
post "$PORT_OTHER" "$TOKEN" "$(alert late-2)" >/dev/null
C3=$(jq -r .case_id "$TMP/resp.body")
q -c "UPDATE xiaoan.cases SET sign_due = now() - interval '1 second' WHERE id = $C3"
ok "$(ws_wait "$TMP/o1" ".type == \"event\" and .case.id == $C3 and .kind == \"overdue\"" 10; echo $?)" \
   "the new leader raises the next overdue alarm"
sleep 2.5
is "$(q -c "SELECT count(*) FROM xiaoan.case_event WHERE case_id = $C3 AND kind = 'overdue'")" 1 "once"
is "$(q -c "SELECT count(*) FROM xiaoan.case_event WHERE case_id = $C2 AND kind = 'overdue'")" 1 \
   "and the earlier one is not raised again"
like "$(cat "$TMP/hub-$OTHER.log")" "leader: this hub now raises deadline alarms" "the new leader says so in its log"

hub_stop $OTHER

done_testing
