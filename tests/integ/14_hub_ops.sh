#!/usr/bin/env bash
# Running the hub: flags and the config file (flags win), usage errors, a
# port in use, a unix socket, TLS (https and wss), /metrics, SIGHUP, a
# database without the schema, a migration under a running hub, and the
# SIGTERM drain: a statement in flight is finished and answered, new
# requests get 503, subscribers are closed "going away", exit status 0.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/hub_lib.sh"

L=h14_$$
trap '_cleanup; q -d postgres -c "DROP ROLE IF EXISTS ${L}_disp" >/dev/null 2>&1' EXIT

new_db hub_ops
TOKEN=$(q -c "SELECT xiaoan.producer_token_create('ops')")
officer "${L}_disp" 值班员 fh.duty dispatcher

# --- usage ------------------------------------------------------------------------------------
out=$("$HUB_BIN" --help 2>&1); rc=$?
is "$rc" 0 "--help: exit status 0"
like "$out" "usage: .*--config FILE" "--help prints the usage"
like "$("$HUB_BIN" --version)" "^xiaoan-hub [0-9]" "--version"
out=$("$HUB_BIN" --no-such-flag 2>&1); rc=$?
is "$rc" 2 "an unknown flag: exit status 2"
like "$out" "unknown option" "and says so"
out=$("$HUB_BIN" --listen 127.0.0.1:99999 2>&1); rc=$?
is "$rc" 2 "a bad port: exit status 2"
like "$out" "port \"99999\" is not 1..65535" "naming the port"
out=$("$HUB_BIN" --tls-cert /nonexistent.pem 2>&1); rc=$?
is "$rc" 2 "a certificate without a key: exit status 2"
printf 'listen = 127.0.0.1:1\nqueue_messages = lots\n' >"$TMP/bad.conf"
out=$("$HUB_BIN" --config "$TMP/bad.conf" 2>&1); rc=$?
is "$rc" 2 "a bad config value: exit status 2"
like "$out" "bad.conf:2: queue_messages" "naming file, line and key"
printf 'colour = red\n' >"$TMP/bad2.conf"
like "$("$HUB_BIN" --config "$TMP/bad2.conf" 2>&1)" 'bad2.conf:1: unknown setting "colour"' "an unknown key"
like "$("$HUB_BIN" --config "$TMP/none.conf" 2>&1)" "none.conf" "a missing config file is an error"
out=$("$HUB_BIN" --ingest-connections 0 2>&1); rc=$?
is "$rc" 2 "--ingest-connections 0: exit status 2"
like "$out" "ingest_connections: a number from 1 to 16" "and the range"

# --- the config file, flags over it -------------------------------------------------------
PC=$(free_port)
cat >"$TMP/hub.conf" <<EOF
# a hub for the tests
listen = 127.0.0.1:$PC
db = "$DBCONN user=postgres"
name = from-file
heartbeat = 1
log_level = debug
ingest_connections = 3
EOF
"$HUB_BIN" --config "$TMP/hub.conf" --name from-flag --log-level info >"$TMP/conf.log" 2>&1 &
PIDC=$!
_pids+=("$PIDC")
ok "$(wait_for 15 curl -sf "http://127.0.0.1:$PC/healthz"; echo $?)" "listen from the config file"
node "$WSC" "ws://127.0.0.1:$PC/v1/stream" --token "$(session "${L}_disp")" --count 2 >"$TMP/conf.ws"
is "$(jq -r 'select(.type == "hello") | .hub' "$TMP/conf.ws")" from-flag "--name overrides the file's name"
is "$(jq -r 'select(.type == "heartbeat") | .db' "$TMP/conf.ws")" up "heartbeat = 1 from the file"
ok "$(grep -c ' DEBUG ' "$TMP/conf.log" | grep -qx 0; echo $?)" "--log-level info overrides the file's debug"
ok "$(wait_for 10 sh -c "[ \$(psql -X -Atq -c \"SELECT count(*) FROM pg_stat_activity WHERE application_name IN ('xiaoan-hub ingest2', 'xiaoan-hub ingest3')\") -eq 2 ]"; echo $?)" \
   "ingest_connections = 3: three ingest connections"

# a port in use
out=$("$HUB_BIN" --listen "127.0.0.1:$PC" --db "$DBCONN user=postgres" 2>&1); rc=$?
is "$rc" 1 "a port in use: exit status 1"
like "$out" "cannot listen on 127.0.0.1:$PC" "and says why"

# SIGHUP changes nothing
kill -HUP "$PIDC"
sleep 0.3
ok "$(curl -sf "http://127.0.0.1:$PC/healthz" >/dev/null; echo $?)" "SIGHUP: still serving"
like "$(cat "$TMP/conf.log")" "SIGHUP: nothing to reload" "and logged"

# --- /metrics ------------------------------------------------------------------------------
post "$PC" "$TOKEN" "$(alert m-1)" >/dev/null
curl -s "http://127.0.0.1:$PC/metrics" >"$TMP/metrics"
like "$(curl -s -o /dev/null -w '%{content_type}' "http://127.0.0.1:$PC/metrics")" \
   "^text/plain; version=0.0.4" "/metrics is Prometheus text"
for m in xiaoan_alerts_accepted_total xiaoan_alerts_rejected_total xiaoan_subscribers xiaoan_events_sent_total \
         xiaoan_stream_lag_seconds xiaoan_db_latency_seconds xiaoan_leader xiaoan_db_up; do
  ok "$(grep -q "^# TYPE $m " "$TMP/metrics"; echo $?)" "/metrics has $m"
done
is "$(awk '$1 == "xiaoan_alerts_accepted_total{result=\"created\"}" {print $2}' "$TMP/metrics")" 1 "one alert accepted"
ok "$(awk '$1 == "xiaoan_db_latency_seconds{stat=\"last\"}" {exit !($2 > 0)}' "$TMP/metrics"; echo $?)" \
   "a database latency was measured"
is "$(req -X POST "http://127.0.0.1:$PC/metrics" | cut -d' ' -f1)" 405 "POST /metrics: 405"
is "$(req "http://127.0.0.1:$PC/nowhere" | cut -d' ' -f1)" 404 "an unknown path: 404"

# --- a unix socket -------------------------------------------------------------------------
SOCK=$TMP/hub.sock
"$HUB_BIN" --listen "unix:$SOCK" --db "$DBCONN user=postgres" >"$TMP/unix.log" 2>&1 &
_pids+=("$!")
ok "$(wait_for 15 curl -sf --unix-socket "$SOCK" http://hub/healthz; echo $?)" "--listen unix:PATH serves on the socket"
r=$(req --unix-socket "$SOCK" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      --data-binary "$(alert unix-1)" http://hub/v1/alerts)
like "$r" "^201 " "an alert over the unix socket"

# --- TLS --------------------------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -days 2 \
  -subj /CN=127.0.0.1 >/dev/null 2>&1
PT=$(free_port)
"$HUB_BIN" --listen "127.0.0.1:$PT" --db "$DBCONN user=postgres" --tls-cert "$TMP/cert.pem" \
  --tls-key "$TMP/key.pem" --name tls >"$TMP/tls.log" 2>&1 &
_pids+=("$!")
ok "$(wait_for 15 curl -skf "https://127.0.0.1:$PT/healthz"; echo $?)" "TLS: https /healthz"
r=$(req -k -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      --data-binary "$(alert tls-1)" "https://127.0.0.1:$PT/v1/alerts")
like "$r" "^201 " "TLS: an alert over https"
ok "$(curl -sf --max-time 3 "http://127.0.0.1:$PT/healthz" >/dev/null 2>&1; [ $? -ne 0 ]; echo $?)" \
   "TLS: plain http is not served"
node "$WSC" "wss://127.0.0.1:$PT/v1/stream" --insecure --token "$(session "${L}_disp")" --since 0 --count 2 >"$TMP/tls.ws"
is "$(jq -r 'select(.type == "hello") | .hub' "$TMP/tls.ws")" tls "TLS: wss subscriber gets hello"
is "$(jq -r 'select(.type == "event") | .kind' "$TMP/tls.ws" | head -n 1)" open "TLS: and the events"

# --- a database without the schema ------------------------------------------------------------
# Each ingest connection prepares its statement on connecting: against a
# database never migrated it says what is missing, and the hub answers 503.
createdb "${DB}_empty"
_dbs+=("${DB}_empty")
PE=$(free_port)
"$HUB_BIN" --listen "127.0.0.1:$PE" --db "host=$PGHOST port=$PGPORT dbname=${DB}_empty user=postgres" \
  >"$TMP/empty.log" 2>&1 &
PIDE=$!
_pids+=("$PIDE")
ok "$(wait_for 15 grep -q 'connection ingest: cannot connect: schema "xiaoan" does not exist (is the database migrated' \
      "$TMP/empty.log"; echo $?)" "a database without the schema: the log says so"
r=$(post "$PE" "$TOKEN" "$(alert empty-1)")
is "${r%% *}" 503 "alerts are answered 503"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PE/healthz")" 503 "/healthz: database unavailable"
kill "$PIDE"

# --- a migration under a running hub ----------------------------------------------------------
# The hub's statements are prepared once per connection. A migration that
# changes what one returns makes PostgreSQL refuse the prepared plan ("cached
# plan must not change result type"): the hub answers 503 as for a lost
# connection, and the new connection prepares the statement again.
hub_start m
r=$(post "$PORT_m" "$TOKEN" "$(alert mig-1)")
like "$r" "^201 " "a migration under a running hub: before it, an alert is stored"
q >/dev/null <<'SQL'
ALTER FUNCTION xiaoan.ingest(text, jsonb) RENAME TO ingest_before;
CREATE FUNCTION xiaoan.ingest(p_producer text, p_alerts jsonb)
RETURNS TABLE(idx bigint, case_id bigint, seq bigint, created boolean, error text, field text)
LANGUAGE sql AS $$ SELECT * FROM xiaoan.ingest_before(p_producer, p_alerts) $$;
SQL
first=$(post "$PORT_m" "$TOKEN" "$(alert mig-2)")
like "$first" "^(503|201) " "the first alert after it: 503 (the connection is renewed) or stored"
ok "$(wait_for 10 sh -c "curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $TOKEN' \
      -H 'Content-Type: application/json' --data-binary '$(alert mig-2)' http://127.0.0.1:$PORT_m/v1/alerts | grep -q '^20[01]$'"; \
      echo $?)" "then alerts are stored again"
is "$(cases "WHERE source_id = 'mig-2'")" 1 "once"
like "$(cat "$TMP/hub-m.log")" "connection ingest lost: cached plan must not change result type; reconnecting" \
  "the log says why the connection was renewed"
q >/dev/null <<'SQL'
DROP FUNCTION xiaoan.ingest(text, jsonb);
ALTER FUNCTION xiaoan.ingest_before(text, jsonb) RENAME TO ingest;
SQL
kill "$PID_m"

# --- SIGTERM drain -----------------------------------------------------------------------------
hub_start d
PD=$PORT_d
ws_start "$TMP/drain.ws" "$PD" --token "$(session "${L}_disp")" --timeout 30000
ws_wait "$TMP/drain.ws" '.type == "hello"'
# Hold the event counter so the next ingest statement waits inside the database.
q -c "BEGIN; SELECT last FROM xiaoan.event_counter FOR UPDATE; SELECT pg_sleep(2.5); COMMIT;" >/dev/null &
LOCKER=$!
wait_for 5 sh -c "[ \$(psql -X -Atq -c \"SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'event_counter' AND l.mode = 'RowShareLock'\") -ge 1 ]"
curl -s -o "$TMP/inflight.body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data-binary "$(alert drain-1)" "http://127.0.0.1:$PD/v1/alerts" >"$TMP/inflight.status" &
INFLIGHT=$!
wait_for 5 sh -c "psql -X -Atq -c \"SELECT 1 FROM pg_stat_activity WHERE application_name = 'xiaoan-hub ingest' AND wait_event_type = 'Lock'\" | grep -q 1"
kill -TERM "$PID_d"
sleep 0.3
r=$(post "$PD" "$TOKEN" "$(alert drain-2)")
is "${r%% *}" 503 "draining: a new request is answered 503"
is "$(header connection)" close "with Connection: close"
ok "$(kill -0 "$PID_d" 2>/dev/null; echo $?)" "the hub waits for the statement in flight"
wait "$INFLIGHT"
is "$(cat "$TMP/inflight.status")" 201 "the alert in flight is committed and answered 201"
wait "$PID_d"
is "$?" 0 "then the hub exits with status 0"
wait "$LOCKER"
is "$(cases "WHERE source_id = 'drain-1'")" 1 "the drained alert is stored"
is "$(cases "WHERE source_id = 'drain-2'")" 0 "the refused one is not"
is "$(jq -r 'select(.type == "_close") | .code' "$TMP/drain.ws")" 1001 "subscribers were closed going-away (1001)"
like "$(cat "$TMP/hub-d.log")" "draining" "the drain is logged"
like "$(tail -n 1 "$TMP/hub-d.log")" "stopped" "and the stop"

done_testing
