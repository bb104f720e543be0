# Helpers for the hub's integration tests (tests/integ/1*_hub_*.sh); source
# after lib.sh and new_db.

HUB_BIN=$BUILD/xiaoan-hub
WSC=$TOP/tests/integ/js/ws_client.js

# hub_start NAME [ARGS...]: a hub on a free loopback port against $DBCONN, as
# the database role $HUB_ROLE (default postgres). Sets PORT_<NAME> and
# PID_<NAME>, logs to $TMP/hub-NAME.log, waits until /healthz says ok.
hub_start() {
  local name=$1 port pid
  shift
  port=$(free_port)
  "$HUB_BIN" --listen "127.0.0.1:$port" --db "$DBCONN user=${HUB_ROLE:-postgres}" --name "$name" "$@" \
    >>"$TMP/hub-$name.log" 2>&1 &
  pid=$!
  _pids+=("$pid")
  printf -v "PORT_$name" %s "$port"
  printf -v "PID_$name" %s "$pid"
  if ! wait_for 15 curl -sf "http://127.0.0.1:$port/healthz"; then
    echo "Bail out! hub $name did not come up on port $port"
    sed 's/^/# /' "$TMP/hub-$name.log"
    exit 1
  fi
}

# req [CURL ARGS...]: one request; prints "STATUS BODY" (body on one line)
req() {
  local status
  status=$(curl -s -o "$TMP/resp.body" -D "$TMP/resp.head" -w '%{http_code}' "$@")
  printf '%s %s' "$status" "$(tr -d '\n' <"$TMP/resp.body")"
}

# header NAME: a header of the last req (lower-cased name), without CR
header() { grep -i "^$1:" "$TMP/resp.head" | head -n 1 | cut -d: -f2- | tr -d '\r' | sed 's/^ //'; }

# alert ID [JQ FILTER]: a valid alert object with source_id ID, changed by FILTER
alert() {
  jq -nc --arg id "$1" '{source_id: $id, type: "gate_open", school: "S001",
    occurred_at: "2026-11-24T08:00:00+08:00", summary: "南门非上下学时段开启"} | '"${2:-.}"
}

# post PORT TOKEN BODY: POST /v1/alerts as JSON; prints "STATUS BODY"
post() {
  req -H "Authorization: Bearer $2" -H 'Content-Type: application/json' --data-binary "$3" \
    "http://127.0.0.1:$1/v1/alerts"
}

# session LOGIN: a stream session token for an officer
session() { PGUSER=$1 q -c "SELECT xiaoan.session_token()"; }

# ws_start FILE PORT [ws_client.js ARGS...]: a subscriber in the background,
# its messages to FILE; sets WS_PID
ws_start() {
  local file=$1 port=$2
  shift 2
  node "$WSC" "ws://127.0.0.1:$port/v1/stream" "$@" >"$file" 2>&1 &
  WS_PID=$!
  _pids+=("$WS_PID")
}

# ws_wait FILE JQ_SELECT [SECONDS]: wait until a message in FILE matches
ws_wait() {
  local file=$1 sel=$2 t=${3:-10}
  wait_for "$t" sh -c "jq -c 'select($sel)' '$file' 2>/dev/null | grep -q ."
}

# ws_events FILE: the seqs of the event messages in FILE, space-separated
ws_events() { jq -r 'select(.type == "event") | .seq' "$1" | tr '\n' ' ' | sed 's/ $//'; }

# metric PORT NAME: one sample of /metrics (NAME with its labels, as printed)
metric() {
  curl -s "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n { print $2 }'
}

cases() { q -c "SELECT count(*) FROM xiaoan.cases $*"; }

# hub_stop NAME: SIGTERM, then expect the drain to end with exit status 0
# (under the sanitizer build, a leak or error report changes that status)
hub_stop() {
  local pid rc
  eval "pid=\$PID_$1"
  kill -TERM "$pid" 2>/dev/null
  wait "$pid"
  rc=$?
  is "$rc" 0 "hub $1 drains and exits with status 0"
  [ "$rc" -eq 0 ] || tail -n 40 "$TMP/hub-$1.log" | sed 's/^/# /'
}
