#!/usr/bin/env bash
# The database restarts (scripts/pg.sh stop, then start) while producers
# post with retries and a subscriber listens: the hub keeps running,
# answers 503 with Retry-After, says so on /healthz and to the subscriber
# (heartbeat db "down", then "up"), reconnects, and in the end every alert
# that was answered 2xx is a case, none is there twice, and the subscriber
# saw every event once, in order, without reconnecting.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/hub_lib.sh"

L=h13_$$
trap '"$TOP/scripts/pg.sh" start >/dev/null 2>&1; _cleanup; q -d postgres -c "DROP ROLE IF EXISTS ${L}_disp" >/dev/null 2>&1' EXIT

new_db hub_restart
hub_start a
P=$PORT_a
TOKEN=$(q -c "SELECT xiaoan.producer_token_create('alarm-box')")
officer "${L}_disp" 值班员 fh.duty dispatcher
ws_start "$TMP/sub" "$P" --token "$(session "${L}_disp")" --since 0 --timeout 90000
SUB=$WS_PID
ws_wait "$TMP/sub" '.type == "hello"'

# Enough alerts that the producer is still posting while the database is down.
N=2000
node "$TOP/tests/integ/js/producer.js" "127.0.0.1:$P" "$TOKEN" rst "$N" 6 60000 >"$TMP/produced" &
PROD=$!
_pids+=("$PROD")
wait_for 20 sh -c "[ \$(wc -l <'$TMP/produced') -ge 40 ]"
diag "$(wc -l <"$TMP/produced") alerts answered before the restart"

"$TOP/scripts/pg.sh" stop
t0=$SECONDS
ok "$(wait_for 10 sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$P/healthz) = 503 ]"; echo $?)" \
   "database stopped: /healthz answers 503"
r=$(post "$P" "$TOKEN" "$(alert during-1)")
is "${r%% *}" 503 "a POST is answered 503"
is "$(header retry-after)" 1 "with Retry-After: 1"
ok "$(ws_wait "$TMP/sub" '.type == "heartbeat" and .db == "down"' 10; echo $?)" \
   "the subscriber is told: heartbeat with db down"
ok "$(kill -0 "$SUB" 2>/dev/null; echo $?)" "and stays connected"
is "$(metric "$P" xiaoan_db_up)" 0 "metrics: xiaoan_db_up 0"
sleep 1
"$TOP/scripts/pg.sh" start >/dev/null
ok "$(wait_for 15 curl -sf "http://127.0.0.1:$P/healthz"; echo $?)" "database back: the hub reconnects by itself"
diag "down for about $((SECONDS - t0)) s"
ok "$(ws_wait "$TMP/sub" '.type == "heartbeat" and .db == "up"' 10; echo $?)" "the subscriber hears db up again"

wait "$PROD"
is "$(wc -l <"$TMP/produced")" "$N" "the producer finished all $N alerts"
is "$(jq -r 'select(.status != 200 and .status != 201) | .source_id' "$TMP/produced" | wc -l)" 0 \
   "every alert ended with a 2xx"
retried=$(jq -r 'select(.attempts > 1) | .source_id' "$TMP/produced" | wc -l)
ok "$([ "$retried" -gt 0 ]; echo $?)" "some alerts needed retries ($retried)"
diag "statuses seen: $(jq -r '.statuses[]' "$TMP/produced" | sort | uniq -c | tr '\n' ' ')"
is "$(cases "WHERE source = 'alarm-box'")" "$N" "$N cases, one per source_id"
is "$(q -c "SELECT count(DISTINCT source_id) FROM xiaoan.cases WHERE source = 'alarm-box'")" "$N" "none twice"
jq -r '"\(.source_id) \(.case_id)"' "$TMP/produced" | sort >"$TMP/answered"
q -c "SELECT source_id || ' ' || id FROM xiaoan.cases WHERE source = 'alarm-box'" | sort >"$TMP/stored"
ok "$(cmp -s "$TMP/answered" "$TMP/stored"; echo $?)" "each 2xx named the case that is stored for its source_id"

LAST=$(q -c "SELECT xiaoan.last_seq()")
ok "$(ws_wait "$TMP/sub" ".type == \"event\" and .seq == $LAST" 15; echo $?)" "the subscriber got the last event"
is "$(jq -r 'select(.type == "event") | .seq' "$TMP/sub" | tr '\n' ' ')" "$(seq 1 "$LAST" | tr '\n' ' ')" \
   "and every event before it once, in order, across the restart"
is "$(jq -r 'select(.type == "event" and .kind == "open") | .case.id' "$TMP/sub" | sort -n | uniq | wc -l)" "$N" \
   "an open event for each case"
like "$(cat "$TMP/hub-a.log")" "database connection ingest lost" "the hub logged the loss"

hub_stop a

done_testing
