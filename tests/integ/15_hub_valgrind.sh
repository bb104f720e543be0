#!/usr/bin/env bash
# san: skip (valgrind does not run AddressSanitizer builds)
# The hub under valgrind through its main paths (ingest with good and bad
# alerts, replay and live stream, metrics, its database connections killed
# and re-made, SIGTERM with a subscriber connected): no memory error, every
# block freed at exit.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/hub_lib.sh"

L=h15_$$
trap '_cleanup; q -d postgres -c "DROP ROLE IF EXISTS ${L}_disp" >/dev/null 2>&1' EXIT

if ! command -v valgrind >/dev/null; then
  echo "1..0 # SKIP valgrind is not installed"
  exit 0
fi
new_db hub_vg
TOKEN=$(q -c "SELECT xiaoan.producer_token_create('vg')")
officer "${L}_disp" 值班员 fh.duty dispatcher
P=$(free_port)
valgrind --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all --error-exitcode=99 \
  "$HUB_BIN" --listen "127.0.0.1:$P" --db "$DBCONN user=postgres" --heartbeat 1 >"$TMP/vg.log" 2>&1 &
VG=$!
_pids+=("$VG")
ok "$(wait_for 60 curl -sf "http://127.0.0.1:$P/healthz"; echo $?)" "the hub runs under valgrind"

ws_start "$TMP/sub" "$P" --token "$(session "${L}_disp")" --since 0 --timeout 60000
ws_wait "$TMP/sub" '.type == "hello"' 20
r=$(post "$P" "$TOKEN" "[$(alert v-1 '.details = {gate: "北门", seconds: [1, 2]}'),$(alert v-2 '.type = "fire"')]")
like "$r" '^201 ' "a batch with a good and a bad alert"
like "$(post "$P" "$TOKEN" '{"source_id":')" '^400 ' "a malformed body"
like "$(post "$P" xp_nope "$(alert v-3)")" '^401 ' "a bad token"
like "$(post "$P" "$TOKEN" "$(alert v-1)")" '^200 ' "a repeat"
curl -s "http://127.0.0.1:$P/metrics" >/dev/null
ok "$(ws_wait "$TMP/sub" '.type == "event" and .kind == "open"' 20; echo $?)" "the subscriber gets the event"

# Every hub connection killed by the server: the reconnect paths.
q -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE 'xiaoan-hub %'" >/dev/null
ok "$(ws_wait "$TMP/sub" '.type == "heartbeat" and .db == "down"' 20; echo $?)" "connections killed: db down"
ok "$(wait_for 30 sh -c "jq -rs '[.[] | select(.type == \"heartbeat\") | .db] | join(\" \")' '$TMP/sub' | grep -q 'down.* up'"; echo $?)" \
   "and up again"
wait_for 30 curl -sf "http://127.0.0.1:$P/healthz"
like "$(post "$P" "$TOKEN" "$(alert v-4)")" '^201 ' "an alert after the reconnect"

kill -TERM "$VG"
wait "$VG"
is "$?" 0 "SIGTERM: exit status 0 (valgrind found no error)"
like "$(cat "$TMP/vg.log")" "All heap blocks were freed -- no leaks are possible" "every block freed"
like "$(cat "$TMP/vg.log")" "ERROR SUMMARY: 0 errors" "no memory errors"
grep -q "ERROR SUMMARY: 0 errors" "$TMP/vg.log" || sed 's/^/# /' "$TMP/vg.log" | tail -n 60

done_testing
