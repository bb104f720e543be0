#!/usr/bin/env bash
# xiaoan-hub ingest, with the hub logged in as xiaoan_hub (its grants
# suffice): a new alert is 201 with its case, a repeated source_id is 200
# with the same case and no second one, batches answer per item, sensitive
# summaries stay out of cases, and a table of bad requests is each answered
# with the right status and leaves nothing in the database.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/hub_lib.sh"

new_db hub_ingest
HUB_ROLE=xiaoan_hub hub_start a --max-body 64k --max-batch 5
P=$PORT_a
URL=http://127.0.0.1:$P/v1/alerts
TOKEN=$(q -c "SELECT xiaoan.producer_token_create('cam-gate')")
OLD=$(q -c "SELECT xiaoan.producer_token_create('retired')")
q -c "SELECT xiaoan.producer_token_revoke('retired')" >/dev/null
EXPIRED=$(q -c "SELECT xiaoan.producer_token_create('lapsed', now() - interval '1 minute')")

# --- a new alert, then the same source_id again ------------------------------------
r=$(post "$P" "$TOKEN" "$(alert g-1)")
like "$r" '^201 \{"case_id":[0-9]+,"seq":[0-9]+\}$' "a new alert: 201 with case_id and seq"
CASE=$(jq -r .case_id "$TMP/resp.body")
SEQ=$(jq -r .seq "$TMP/resp.body")
is "$(q -c "SELECT source || ' ' || source_id || ' ' || type || ' ' || school || ' ' || state FROM xiaoan.cases WHERE id = $CASE")" \
   "cam-gate g-1 gate_open S001 new" "the case is committed, its producer taken from the token"
is "$(q -c "SELECT kind || ' ' || case_id FROM xiaoan.case_event WHERE seq = $SEQ")" "open $CASE" \
   "seq is the case's open event"
is "$(header content-type)" "application/json" "answered as application/json"

r=$(post "$P" "$TOKEN" "$(alert g-1 '.summary = "changed text"')")
is "$r" "200 {\"case_id\":$CASE,\"seq\":$SEQ}" "the same source_id again: 200 with the same case and seq"
is "$(cases "WHERE source_id = 'g-1'")" 1 "still one case for it"
is "$(q -c "SELECT summary FROM xiaoan.cases WHERE id = $CASE")" "南门非上下学时段开启" "the first alert's text stays"

# another producer may use the same source_id: its own case
T2=$(q -c "SELECT xiaoan.producer_token_create('cam-east')")
r=$(post "$P" "$T2" "$(alert g-1)")
like "$r" '^201 ' "another producer's g-1 is a new case"
is "$(cases "WHERE source_id = 'g-1'")" 2 "one case per producer and source_id"

# a producer cannot pick its own name
r=$(post "$P" "$TOKEN" "$(alert g-2 '.producer = "cam-east"')")
like "$r" '^400 .*"field":"producer"' "a producer member in the alert is refused"

# --- batches answer per item --------------------------------------------------------
B=$(jq -nc --argjson a "$(alert b-1)" --argjson b "$(alert b-2 '.type = "fire"')" \
      --argjson c "$(alert b-3 '.summary = 7')" --argjson d "$(alert g-1)" '[$a, $b, $c, $d]')
r=$(post "$P" "$TOKEN" "$B")
like "$r" '^201 \{"results":\[' "a mixed batch: 201 with results"
is "$(jq -c '[.results[] | [.index, .status]]' "$TMP/resp.body")" "[[0,201],[1,400],[2,400],[3,200]]" \
   "each item has its own status, in order"
is "$(jq -r '.results[1].field + " " + .results[2].field' "$TMP/resp.body")" "type summary" \
   "the bad items name their field"
is "$(jq -r '.results[3].case_id' "$TMP/resp.body")" "$CASE" "the repeat in the batch names the first case"
is "$(cases "WHERE source_id LIKE 'b-%'")" 1 "only the good new item is stored"

B=$(jq -nc --argjson a "$(alert d-1)" --argjson b "$(alert d-1)" '[$a, $b]')
r=$(post "$P" "$TOKEN" "$B")
is "$(jq -c '[.results[] | .status]' "$TMP/resp.body")" "[201,200]" "a source_id twice in one batch: 201 then 200"
is "$(cases "WHERE source_id = 'd-1'")" 1 "one case"

r=$(post "$P" "$TOKEN" "[$(alert one-item)]")
like "$r" '^201 \{"results":\[\{"index":0,"case_id":[0-9]+,"seq":[0-9]+,"status":201\}\]\}$' \
   "a batch of one answers as a batch"

# --- one alert that makes the database raise: the others still go through ---------------
# A school in a town without a command room: routing a drowning alert (cc the
# town's command room) raises inside xiaoan.ingest, failing its statement.
q -c "INSERT INTO xiaoan.unit(code, name, kind, parent, town) VALUES ('fh.tx', '测试镇', 'town', 'fh', 'fh.tx'),
        ('S900', '测试学校', 'school', 'fh.tx', 'fh.tx');
      INSERT INTO xiaoan.school(code, kind) VALUES ('S900', 'primary')" >/dev/null
B=$(jq -nc --argjson a "$(alert iso-1)" --argjson b "$(alert iso-2 '.type = "drowning" | .school = "S900"')" \
      --argjson c "$(alert iso-3 '.school = "S002"')" '[$a, $b, $c]')
r=$(post "$P" "$TOKEN" "$B")
is "$(jq -c '[.results[] | .status]' "$TMP/resp.body")" "[201,400,201]" \
   "a batch with an alert the database raises on: the others are still committed"
like "$(jq -r '.results[1].error' "$TMP/resp.body")" "routing target" "the raising alert gets the database's message"
is "$(cases "WHERE source_id LIKE 'iso-%'")" 2 "two cases, none for the bad one"
like "$(cat "$TMP/hub-a.log")" "retrying them one by one" "the hub logged the isolation"

# --- sensitive alerts ----------------------------------------------------------------
r=$(post "$P" "$TOKEN" "$(alert m-1 '.type = "mental_care" | .grade = "high" | .summary = "学生张某情绪异常"')")
like "$r" '^201 ' "a mental_care alert is accepted"
MC=$(jq -r .case_id "$TMP/resp.body")
is "$(q -c "SELECT sensitive, summary NOT LIKE '%张某%', grade FROM xiaoan.cases WHERE id = $MC")" "t|t|high" \
   "the case carries a neutral summary"
is "$(q -c "SELECT summary FROM xiaoan.case_private WHERE case_id = $MC")" "学生张某情绪异常" \
   "the producer's text is kept apart"

# --- bad requests ------------------------------------------------------------------------
BEFORE_CASES=$(cases)
BEFORE_EVENTS=$(q -c "SELECT count(*) FROM xiaoan.case_event")
A=(-H "Authorization: Bearer $TOKEN")
J=(-H "Content-Type: application/json")
nbad=0

# bad STATUS FIELD DESCRIPTION CURL-ARGS...: expects STATUS (and the error's
# field unless FIELD is -) for a request to /v1/alerts
bad() {
  local want=$1 field=$2 desc=$3 r
  shift 3
  nbad=$((nbad + 1))
  r=$(req "$@" "$URL")
  is "${r%% *}" "$want" "bad request: $desc -> $want"
  if [ "$field" != - ]; then
    is "$(jq -r '.field // .results[0].field' "$TMP/resp.body" 2>/dev/null)" "$field" "  naming $field"
  fi
}
printf '{"source_id":"u-1","type":"gate_open","school":"S001","occurred_at":"2026-11-24T08:00:00+08:00","summary":"bad \xff\xfe byte"}' >"$TMP/badutf8"
printf '{"source_id":"u-2","type":"gate_open","school":"S001","occurred_at":"2026-11-24T08:00:00+08:00","summary":"over\xc0\xafong"}' >"$TMP/overlong"
printf '{"source_id":"u-3","type":"gate_open","school":"S001","occurred_at":"2026-11-24T08:00:00+08:00","summary":"raw\ttab"}' >"$TMP/rawctl"
head -c 70000 /dev/zero | tr '\0' ' ' >"$TMP/big"
deep=$(printf '%.0s[' {1..40})1$(printf '%.0s]' {1..40})
long=$(printf '%.0s校' {1..501})
six=$(jq -nc --argjson a "$(alert s)" '[$a,$a,$a,$a,$a,$a]')

bad 400 - "malformed JSON" "${A[@]}" "${J[@]}" --data-binary '{"source_id": "x", "type": gate_open}'
bad 400 - "truncated JSON" "${A[@]}" "${J[@]}" --data-binary "$(alert t-1 | head -c 40)"
bad 400 - "empty body" "${A[@]}" "${J[@]}" --data-binary ''
bad 400 - "trailing garbage after the object" "${A[@]}" "${J[@]}" --data-binary "$(alert t-2) x"
bad 400 - "two objects" "${A[@]}" "${J[@]}" --data-binary "$(alert t-3)$(alert t-4)"
bad 400 - "JSON null" "${A[@]}" "${J[@]}" --data-binary 'null'
bad 400 - "a bare number" "${A[@]}" "${J[@]}" --data-binary '42'
bad 400 - "an empty batch" "${A[@]}" "${J[@]}" --data-binary '[]'
bad 400 - "single quotes" "${A[@]}" "${J[@]}" --data-binary "{'source_id':'q'}"
bad 400 - "a trailing comma" "${A[@]}" "${J[@]}" --data-binary "$(alert t-5 | sed 's/}$/,}/')"
bad 400 source_id "source_id is a number" "${A[@]}" "${J[@]}" --data-binary "$(alert x '.source_id = 17')"
bad 400 summary "summary missing" "${A[@]}" "${J[@]}" --data-binary "$(alert t-6 'del(.summary)')"
bad 400 summary "summary is an array" "${A[@]}" "${J[@]}" --data-binary "$(alert t-7 '.summary = ["a"]')"
bad 400 summary "summary of 501 characters" "${A[@]}" "${J[@]}" --data-binary "$(alert t-8 ".summary = \"$long\"")"
bad 400 summary "a control character in summary" "${A[@]}" "${J[@]}" --data-binary "$(alert t-9 '.summary = "bell\u0007"')"
bad 400 summary "a bidi override in summary" "${A[@]}" "${J[@]}" --data-binary "$(alert t-10 '.summary = "abc\u202edef"')"
bad 400 - "a raw tab inside a string" "${A[@]}" "${J[@]}" --data-binary @"$TMP/rawctl"
bad 400 - "invalid UTF-8" "${A[@]}" "${J[@]}" --data-binary @"$TMP/badutf8"
bad 400 - "overlong UTF-8" "${A[@]}" "${J[@]}" --data-binary @"$TMP/overlong"
bad 400 - "a lone surrogate escape" "${A[@]}" "${J[@]}" --data-binary "$(alert t-11 | sed 's/开启/\\ud800/')"
bad 400 type "an unknown alert type" "${A[@]}" "${J[@]}" --data-binary "$(alert t-12 '.type = "fire"')"
bad 400 type "an alert type with capitals" "${A[@]}" "${J[@]}" --data-binary "$(alert t-13 '.type = "Gate_Open"')"
bad 400 type "the hazard type (not an alert)" "${A[@]}" "${J[@]}" --data-binary "$(alert t-14 '.type = "hazard"')"
bad 400 school "an unknown school" "${A[@]}" "${J[@]}" --data-binary "$(alert t-15 '.school = "S999"')"
bad 400 school "a unit that is not a school" "${A[@]}" "${J[@]}" --data-binary "$(alert t-16 '.school = "fh.edu"')"
bad 400 occurred_at "occurred_at is not a time" "${A[@]}" "${J[@]}" --data-binary "$(alert t-17 '.occurred_at = "yesterday"')"
bad 400 occurred_at "occurred_at without a zone" "${A[@]}" "${J[@]}" --data-binary "$(alert t-18 '.occurred_at = "2026-11-24T08:00:00"')"
bad 400 occurred_at "occurred_at two days ahead" "${A[@]}" "${J[@]}" \
    --data-binary "$(alert t-19 ".occurred_at = \"$(date -u -d '+2 days' +%Y-%m-%dT%H:%M:%SZ)\"")"
bad 400 severity "an unknown severity" "${A[@]}" "${J[@]}" --data-binary "$(alert t-20 '.severity = "urgent"')"
bad 400 grade "a grade on a gate alert" "${A[@]}" "${J[@]}" --data-binary "$(alert t-21 '.grade = "high"')"
bad 400 grade "mental_care without a grade" "${A[@]}" "${J[@]}" --data-binary "$(alert t-22 '.type = "mental_care"')"
bad 400 details "details that are not an object" "${A[@]}" "${J[@]}" --data-binary "$(alert t-23 '.details = "x"')"
bad 400 - "an unknown member" "${A[@]}" "${J[@]}" --data-binary "$(alert t-24 '.colour = "red"')"
bad 400 - "nesting 40 deep" "${A[@]}" "${J[@]}" --data-binary "$deep"
bad 400 - "a batch of 6 over --max-batch 5" "${A[@]}" "${J[@]}" --data-binary "$six"
bad 400 type "a batch whose only item is bad" "${A[@]}" "${J[@]}" --data-binary "[$(alert t-25 '.type = "fire"')]"
bad 413 - "a body over --max-body 64k" "${A[@]}" "${J[@]}" --data-binary @"$TMP/big"
bad 411 - "a chunked body" "${A[@]}" "${J[@]}" -H 'Transfer-Encoding: chunked' --data-binary "$(alert t-26)"
bad 401 - "no Authorization header" "${J[@]}" --data-binary "$(alert t-27)"
is "$(header www-authenticate)" 'Bearer realm="xiaoan"' "  with WWW-Authenticate: Bearer"
bad 401 - "an unknown token" -H "Authorization: Bearer xp_0000" "${J[@]}" --data-binary "$(alert t-28)"
is "$(header www-authenticate)" 'Bearer realm="xiaoan", error="invalid_token"' "  with error=invalid_token"
bad 401 - "a revoked token" -H "Authorization: Bearer $OLD" "${J[@]}" --data-binary "$(alert t-29)"
bad 401 - "an expired token" -H "Authorization: Bearer $EXPIRED" "${J[@]}" --data-binary "$(alert t-30)"
bad 401 - "Basic instead of Bearer" -u "cam-gate:$TOKEN" "${J[@]}" --data-binary "$(alert t-31)"
bad 401 - "a token with a quote in it" -H "Authorization: Bearer ab\"cd" "${J[@]}" --data-binary "$(alert t-32)"
bad 415 - "Content-Type text/plain" "${A[@]}" -H 'Content-Type: text/plain' --data-binary "$(alert t-33)"
bad 415 - "no Content-Type" "${A[@]}" -H 'Content-Type:' --data-binary "$(alert t-34)"
bad 415 - "form encoding" "${A[@]}" -d "source_id=t-35"
bad 405 - "GET on the POST path" "${A[@]}"
is "$(header allow)" "POST" "  with Allow: POST"
bad 405 - "PUT on the POST path" "${A[@]}" "${J[@]}" -X PUT --data-binary "$(alert t-36)"
r=$(req "${A[@]}" "${J[@]}" --data-binary "$(alert t-37)" "http://127.0.0.1:$P/v1/alert")
is "${r%% *}" 404 "bad request: a mistyped path -> 404"
nbad=$((nbad + 1))
ok "$([ "$nbad" -ge 25 ]; echo $?)" "$nbad kinds of bad request tried"

is "$(cases)" "$BEFORE_CASES" "no bad request stored a case"
is "$(q -c "SELECT count(*) FROM xiaoan.case_event")" "$BEFORE_EVENTS" "nor an event"
is "$(cases "WHERE source_id LIKE 't-%' OR source_id LIKE 'u-%'")" 0 "none of their source_ids exists"

# the connection survives bad requests (keep-alive) and good ones still pass
r=$(curl -s -o /dev/null -w '%{http_code} %{num_connects}\n' \
      "${A[@]}" "${J[@]}" --data-binary '{' "$URL" --next -o /dev/null -w '%{http_code} %{num_connects}\n' \
      "${A[@]}" "${J[@]}" --data-binary "$(alert k-1)" "$URL" | tr '\n' ' ')
is "$r" "400 1 201 0 " "a 400 then a 201 on one kept-alive connection"

# --- metrics ------------------------------------------------------------------------
is "$(metric "$P" 'xiaoan_alerts_rejected_total{reason="unauthorized"}')" 6 "metrics: 6 unauthorized"
is "$(metric "$P" 'xiaoan_alerts_rejected_total{reason="too_large"}')" 1 "metrics: 1 too large"
is "$(metric "$P" 'xiaoan_alerts_rejected_total{reason="content_type"}')" 3 "metrics: 3 wrong content types"
ok "$([ "$(metric "$P" 'xiaoan_alerts_accepted_total{result="created"}')" -ge 7 ]; echo $?)" "metrics: accepted alerts counted"
is "$(metric "$P" xiaoan_db_up)" 1 "metrics: database up"

# --- concurrency: many producers at once, all committed once ------------------------------
pids=()
for i in $(seq 1 40); do
  curl -s -o /dev/null -w '%{http_code}' "${A[@]}" "${J[@]}" --data-binary "$(alert c-$i)" "$URL" >"$TMP/c-$i" &
  pids+=($!)
done
wait "${pids[@]}"
wait_n=$(cat "$TMP"/c-* | grep -o '20[01]' | wc -l)
is "$wait_n" 40 "40 concurrent posts all answered 2xx"
is "$(cases "WHERE source_id LIKE 'c-%'")" 40 "40 cases"
stmts=$(metric "$P" xiaoan_ingest_statements_total)
diag "ingest statements so far: $stmts"

hub_stop a

done_testing
