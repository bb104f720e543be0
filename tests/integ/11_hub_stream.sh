#!/usr/bin/env bash
# The live stream with an independent WebSocket client (node + Debian's ws):
# hello, an alert and a step made in psql arrive as events, the handshake
# refusals, resume with since (no gap, no duplicate while alerts keep
# coming), per-officer scope (town, school, sensitive cases), heartbeats,
# and a subscriber that stops reading gets resync and is closed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/hub_lib.sh"

L=h11_$$
trap '_cleanup; for r in disp jp yl s1 gone late; do q -d postgres -c "DROP ROLE IF EXISTS ${L}_$r" >/dev/null 2>&1; done' EXIT

new_db hub_stream
hub_start a --heartbeat 1
P=$PORT_a
TOKEN=$(q -c "SELECT xiaoan.producer_token_create('cams')")
officer "${L}_disp" 值班员 fh.duty dispatcher
officer "${L}_jp" 锦屏指挥室 fh.jp.cmd town_staff
officer "${L}_yl" 岳林指挥室 fh.yl.cmd town_staff
officer "${L}_s1" 一校安全员 S001 school_officer
officer "${L}_gone" 已离职 fh.duty dispatcher
officer "${L}_late" 调岗员 fh.duty dispatcher

# --- hello --------------------------------------------------------------------------
post "$P" "$TOKEN" "$(alert pre-1)" >/dev/null
node "$WSC" "ws://127.0.0.1:$P/v1/stream" --token "$(session "${L}_disp")" --count 1 >"$TMP/hello"
is "$(jq -r 'select(.type == "hello") | [.seq, .hub, .utc_offset] | @tsv' "$TMP/hello")" "1	a	28800" \
   "hello: the latest seq, the hub's name, the district's UTC offset"
t=$(jq -r 'select(.type == "hello") | .server_time' "$TMP/hello")
ok "$(( $(date -d "$t" +%s) - $(date +%s) < 5 && $(date +%s) - $(date -d "$t" +%s) < 5 ? 0 : 1 ))" \
   "hello: server_time is now ($t)"
is "$(tail -n 1 "$TMP/hello" | jq -r .code)" 1000 "the client closed normally"

# --- an alert, then a step in psql -----------------------------------------------------
ws_start "$TMP/live" "$P" --token "$(session "${L}_disp")" --timeout 15000
ws_wait "$TMP/live" '.type == "hello"'
r=$(post "$P" "$TOKEN" "$(alert live-1 '.severity = "high" | .details = {gate: "南门"}')")
CASE=$(jq -r .case_id "$TMP/resp.body")
SEQ=$(jq -r .seq "$TMP/resp.body")
ok "$(ws_wait "$TMP/live" ".type == \"event\" and .seq == $SEQ"; echo $?)" "the posted alert arrives as an event"
ev=$(jq -c "select(.type == \"event\" and .seq == $SEQ)" "$TMP/live")
is "$(jq -r '[.kind, .case.id, .case.type, .case.school, .case.town, .case.holder, .case.state, .case.severity] | @tsv' <<<"$ev")" \
   "open	$CASE	gate_open	S001	fh.jp	S001	new	high" "event: kind, case id, type, school, town, holder, state, severity"
is "$(jq -r '.case.summary' <<<"$ev")" "南门非上下学时段开启" "event: the summary"
is "$(jq -r '[.case.sign_due, .case.feedback_due, .case.close_due] | map(. != null) | @tsv' <<<"$ev")" \
   "true	true	true" "event: the deadlines"
is "$(jq -r '.case.sign_due' <<<"$ev")" "$(q -c "SELECT to_char(sign_due AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM xiaoan.cases WHERE id = $CASE")" \
   "event: sign_due as in the database"
is "$(jq -r 'has("details")' <<<"$(jq -c .case <<<"$ev")")" false "details never travel on the stream"

SIGN=$(PGUSER=${L}_s1 q -c "SELECT seq FROM xiaoan.case_sign($CASE, 1, '已到场')")
ok "$(ws_wait "$TMP/live" ".type == \"event\" and .seq == $SIGN"; echo $?)" "a step made in psql arrives too"
is "$(jq -r "select(.type == \"event\" and .seq == $SIGN) | [.kind, .actor, .unit, .case.state, .case.version] | @tsv" "$TMP/live")" \
   "sign	一校安全员	S001	signed	2" "the sign event: who, which unit, the new state and version"
ok "$(ws_wait "$TMP/live" '.type == "heartbeat" and .db == "up"'; echo $?)" "heartbeats come (db up)"
ok "$(ws_wait "$TMP/live" ".type == \"heartbeat\" and .seq == $SIGN"; echo $?)" \
   "a heartbeat's seq is the subscriber's position"
kill "$WS_PID" 2>/dev/null

# --- the handshake -----------------------------------------------------------------------------
node "$WSC" "ws://127.0.0.1:$P/v1/stream" --query-token "$(session "${L}_disp")" --no-protocol --count 1 >"$TMP/np"
is "$(jq -r 'select(.type == "hello") | .hub' "$TMP/np")" a "no subprotocol and ?token=: served all the same"
closed() { jq -r 'select(.type == "_close") | "\(.code) \(.reason)"' "$1"; }
node "$WSC" "ws://127.0.0.1:$P/v1/stream" >"$TMP/e1"
is "$(closed "$TMP/e1")" "4401 missing session token" "no token: closed 4401"
node "$WSC" "ws://127.0.0.1:$P/v1/stream" --token xs_bogus >"$TMP/e2"
is "$(closed "$TMP/e2")" "4401 invalid or expired session token" "an unknown token: closed 4401"
T=$(session "${L}_disp")
q -c "UPDATE xiaoan.stream_session SET expires = now() - interval '1 second' WHERE token_hash = xiaoan.token_hash('$T')"
node "$WSC" "ws://127.0.0.1:$P/v1/stream" --token "$T" >"$TMP/e3"
is "$(closed "$TMP/e3")" "4401 invalid or expired session token" "an expired token: closed 4401"
T=$(session "${L}_gone")
q -c "SELECT xiaoan.officer_disable('${L}_gone')" >/dev/null
node "$WSC" "ws://127.0.0.1:$P/v1/stream" --token "$T" >"$TMP/e4"
is "$(closed "$TMP/e4")" "4401 invalid or expired session token" "a disabled officer's token: closed 4401"
# An officer disabled while their stream is open loses it at once, not at
# their next reconnect.
node "$WSC" "ws://127.0.0.1:$P/v1/stream" --token "$(session "${L}_late")" --timeout 10000 >"$TMP/e4b" &
late=$!
wait_for 5 grep -q '"type":"hello"' "$TMP/e4b"
q -c "SELECT xiaoan.officer_disable('${L}_late')" >/dev/null
wait "$late"
is "$(closed "$TMP/e4b")" "4401 officer changed or disabled" "an open stream of an officer disabled meanwhile: closed 4401"
node "$WSC" "ws://127.0.0.1:$P/v1/stream" --token "$(session "${L}_disp")" --since 12x >"$TMP/e5"
is "$(closed "$TMP/e5")" "4400 since must be a sequence number" "since=12x: closed 4400"
node "$WSC" "ws://127.0.0.1:$P/v1/stream" --token "$(session "${L}_disp")" --since 999999 >"$TMP/e6"
is "$(jq -r 'select(.type == "resync") | .reason' "$TMP/e6")" \
   "since=999999 is ahead of the latest event ($SIGN): wrong database?" "since ahead of the database: resync ..."
is "$(closed "$TMP/e6" | cut -d' ' -f1)" 4409 "... and closed 4409"
node "$WSC" "ws://127.0.0.1:$P/v1/elsewhere" --token "$(session "${L}_disp")" >"$TMP/e7"
is "$(jq -r 'select(.type == "_close") | .code' "$TMP/e7")" 1006 "an upgrade on another path is refused"
node "$WSC" "ws://127.0.0.1:$P/v1/stream" --token "$(session "${L}_disp")" --protocol chat >"$TMP/e8"
is "$(jq -r 'select(.type == "_close") | .code' "$TMP/e8")" 1006 "another subprotocol is refused"

# --- resume with since: no gap, no duplicate ------------------------------------------------
S0=$(q -c "SELECT xiaoan.last_seq()")
N=60
( for i in $(seq 1 $N); do
    curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      --data-binary "$(alert rs-$i)" "http://127.0.0.1:$P/v1/alerts"
    sleep 0.02
  done ) &
PRODUCER=$!
node "$WSC" "ws://127.0.0.1:$P/v1/stream" --token "$(session "${L}_disp")" --since 0 \
  --until-seq $((S0 + 20)) >"$TMP/r1"
LAST=$(jq -r 'select(.type == "event") | .seq' "$TMP/r1" | tail -n 1)
node "$WSC" "ws://127.0.0.1:$P/v1/stream" --token "$(session "${L}_disp")" --since "$LAST" \
  --until-seq $((S0 + N)) --timeout 30000 >"$TMP/r2"
wait "$PRODUCER"
ok "$([ "$LAST" -lt $((S0 + N)) ]; echo $?)" "the first session stopped mid-stream (at seq $LAST of $((S0 + N)))"
is "$(cat <(jq -r 'select(.type == "event") | .seq' "$TMP/r1") <(jq -r 'select(.type == "event") | .seq' "$TMP/r2") | tr '\n' ' ')" \
   "$(seq 1 $((S0 + N)) | tr '\n' ' ')" "both sessions together: every seq once, in order"
is "$(jq -r 'select(.type == "hello") | .seq' "$TMP/r2" | head -n 1 | awk -v l="$LAST" '{print ($1 >= l)}')" 1 \
   "the second hello's seq is at or past the resume point"

# --- scope ----------------------------------------------------------------------------------------
ws_start "$TMP/jp" "$P" --token "$(session "${L}_jp")" --timeout 20000
ws_start "$TMP/yl" "$P" --token "$(session "${L}_yl")" --timeout 20000
ws_start "$TMP/s1" "$P" --token "$(session "${L}_s1")" --timeout 20000
ws_start "$TMP/all" "$P" --token "$(session "${L}_disp")" --timeout 20000
for f in jp yl s1 all; do ws_wait "$TMP/$f" '.type == "hello"'; done
cid() { post "$P" "$TOKEN" "$1" >/dev/null; jq -r .case_id "$TMP/resp.body"; }
C1=$(cid "$(alert sc-1)")                                                        # fh.jp, S001
C2=$(cid "$(alert sc-2 '.school = "S030"')")                                     # fh.yl
C3=$(cid "$(alert sc-3 '.type = "mental_care" | .grade = "low" | .summary = "学生李某需关注"')") # sensitive, S001
C4=$(cid "$(alert sc-4 '.type = "drowning" | .school = "S002"')")                # fh.jp, cc its command room
C5=$(cid "$(alert sc-5 '.type = "dorm_absence" | .school = "S002"')")            # sensitive, fh.jp
END=$(q -c "SELECT xiaoan.last_seq()")
for f in jp yl s1 all; do
  ws_wait "$TMP/$f" "(.type == \"heartbeat\" or .type == \"event\") and .seq >= $END" 10
done
seen() { jq -r 'select(.type == "event") | .case.id' "$TMP/$1" | sort -n | tr '\n' ' ' | sed 's/ $//'; }
is "$(seen all)" "$C1 $C2 $C3 $C4 $C5" "a dispatcher sees every case"
is "$(seen jp)" "$C1 $C4" "fh.jp town staff: their town's cases, not another town's, not sensitive ones"
is "$(seen yl)" "$C2" "fh.yl town staff: only their town's case"
is "$(seen s1)" "$C1 $C3" "S001's officer: their school's cases, the sensitive one included"
is "$(jq -r "select(.type == \"event\" and .case.id == $C3) | .case.summary" "$TMP/s1")" "心灵关爱预警（低危）" \
   "the sensitive case travels with its neutral summary only"
ok "$(grep -c 李某 "$TMP/s1" "$TMP/all" | awk -F: '{s += $2} END {print (s == 0 ? 0 : 1)}')" \
   "the student's name is in no message"
is "$(metric "$P" xiaoan_subscribers)" 4 "metrics: 4 subscribers"
for f in jp yl s1 all; do ok "$(jq -e 'select(.type == "heartbeat") | .db == "up"' "$TMP/$f" >/dev/null; echo $?)" "$f got heartbeats"; done

# --- a subscriber that stops reading: resync, close --------------------------------------------
hub_start b --queue-messages 64 --max-body 8M
PB=$PORT_b
ws_start "$TMP/slow" "$PB" --token "$(session "${L}_disp")" --pause-ms 8000 --timeout 30000
SLOW=$WS_PID
ws_start "$TMP/fast" "$PB" --token "$(session "${L}_disp")" --timeout 30000
ws_wait "$TMP/slow" '.type == "hello"'
ws_wait "$TMP/fast" '.type == "hello"'
long=$(printf '%.0s慢' {1..480})
for b in $(seq 1 8); do
  jq -nc --arg s "$long" --arg b "$b" '[range(0; 1000) | {source_id: "slow-\($b)-\(.)", type: "traffic",
      school: "S0\(10 + (. % 80))", occurred_at: "2026-11-24T08:00:00+08:00", summary: $s}]' >"$TMP/batch"
  r=$(req -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary @"$TMP/batch" \
        "http://127.0.0.1:$PB/v1/alerts")
  [ "${r%% *}" = 201 ] || diag "batch $b: ${r:0:200}"
done
LASTB=$(q -c "SELECT xiaoan.last_seq()")
wait_for 25 sh -c "! kill -0 $SLOW 2>/dev/null"
is "$(tail -n 2 "$TMP/slow" | head -n 1 | jq -r .type)" resync "the slow subscriber's last message is resync"
is "$(closed "$TMP/slow" | cut -d' ' -f1)" 4409 "and it was closed 4409"
ok "$(jq -r 'select(.type == "event") | .seq' "$TMP/slow" | awk 'NR > 1 && $1 != p + 1 {bad = 1} {p = $1} END {exit bad}'; echo $?)" \
   "what it did get before the resync has no gap"
ok "$(ws_wait "$TMP/fast" ".type == \"event\" and .seq == $LASTB" 20; echo $?)" "a subscriber that reads got all 8000 events"
is "$(jq -r 'select(.type == "event") | .seq' "$TMP/fast" | sort -n | uniq | wc -l)" 8000 "each once"
is "$(metric "$PB" xiaoan_resyncs_total)" 1 "metrics: one resync"
is "$(metric "$PB" xiaoan_subscribers)" 1 "the slow subscriber is gone"

hub_stop a
hub_stop b

done_testing
