#!/usr/bin/env bash
# xiaoan-sim against a real hub and database: generated alerts become cases,
# replays give exactly the cases in the file, a repeated source_id is one
# case and one duplicate, bad lines are counted as rejected, batches, the
# stream subscribers see every posted alert, dump -> replay, and the failure
# paths (bad token, no hub) end with status 1.
. "$(dirname "$0")/../lib.sh"

SIM=$BUILD/xiaoan-sim
D=sd_$$
trap '_cleanup; q -d postgres -c "DROP ROLE IF EXISTS $D" >/dev/null 2>&1' EXIT
like "$("$SIM" --version)" "^xiaoan-sim [0-9]" "--version"

# jget PATH < json: one member of the report ("stream.latency_ms.n")
jget() { python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v.get(k, 0) if isinstance(v, dict) else 0
print(v)' "$1"; }

new_db sim
HUBDB="$DBCONN user=xiaoan_hub"
PORT=$(free_port)
spawn "$BUILD/xiaoan-hub" --listen "127.0.0.1:$PORT" --db "$HUBDB"
if ! wait_for 15 curl -sf "http://127.0.0.1:$PORT/healthz"; then
  echo "Bail out! the hub did not come up on port $PORT"; exit 1
fi
TOKEN=$(q -c "SELECT xiaoan.producer_token_create('sim-test')")
export XIAOAN_PRODUCER_TOKEN=$TOKEN
HUB=127.0.0.1:$PORT
cases() { q -c "SELECT count(*) FROM xiaoan.cases WHERE source = 'sim-test' $*"; }

# 50 generated alerts at a high rate, schools read from the database ----------------
"$SIM" --hub "$HUB" --db "$HUBDB" --count 50 --rate 500 --concurrency 8 --seed 1 --json >"$TMP/r1.json"
is "$?" 0 "--count 50 at 500/s: exit status 0"
is "$(jget accepted <"$TMP/r1.json")" 50 "the report says 50 accepted"
is "$(jget sent <"$TMP/r1.json")" 50 "and 50 sent"
is "$(jget latency_ms.n <"$TMP/r1.json")" 50 "with 50 request latencies"
is "$(cases)" 50 "50 cases in the database"
is "$(cases "AND source_id LIKE 'sim-1-%'")" 50 "with the seeded source_ids"
is "$(q -c "SELECT count(*) FROM xiaoan.cases c JOIN xiaoan.school s ON s.code = c.school
            WHERE c.source = 'sim-test' AND c.summary <> '' AND c.occurred_at <= now()")" 50 \
   "every case has a known school, a summary and a past occurrence time"

# the same seed again: every alert is a repeat ------------------------------------
"$SIM" --hub "$HUB" --db "$HUBDB" --count 50 --rate 500 --concurrency 8 --seed 1 --json >"$TMP/r1b.json"
is "$?" 0 "the same seed again: exit status 0 (repeats are answered 200)"
is "$(jget duplicates <"$TMP/r1b.json")" 50 "50 duplicates"
is "$(cases)" 50 "still 50 cases"

# replay of a small file -> exactly its cases ---------------------------------------
cat >"$TMP/small.jsonl" <<'EOF'
{"source_id":"rp-1","type":"gate_open","school":"S001","occurred_at":"2026-11-24T07:12:00+08:00","severity":"high","summary":"南门非上下学时段开启300秒","details":{"gate":"南门","open_seconds":300}}

{"source_id":"rp-2","type":"drowning","school":"S040","severity":"critical","summary":"剡江电子围栏：2名未成年人越界"}
{"source_id":"rp-3","type":"mental_care","school":"S077","grade":"medium","summary":"学生经心理测评发现心理状况需关注"}
EOF
"$SIM" --hub "$HUB" --replay "$TMP/small.jsonl" --json >"$TMP/r2.json"
is "$?" 0 "replay of a small file: exit status 0"
is "$(jget accepted <"$TMP/r2.json")" 3 "3 accepted (the blank line is skipped)"
is "$(q -c "SELECT string_agg(source_id || ':' || type || ':' || school || ':' || severity, ' ' ORDER BY source_id)
            FROM xiaoan.cases WHERE source = 'sim-test' AND source_id LIKE 'rp-%'")" \
   "rp-1:gate_open:S001:high rp-2:drowning:S040:critical rp-3:mental_care:S077:normal" \
   "exactly the cases of the file"
is "$(q -c "SELECT grade FROM xiaoan.cases WHERE source_id = 'rp-3'")" medium "with the grade given"
is "$(q -c "SELECT occurred_at = '2026-11-23T23:12:00Z' FROM xiaoan.cases WHERE source_id = 'rp-1'")" t \
   "occurred_at as given"
is "$(q -c "SELECT occurred_at > now() - interval '5 minutes' FROM xiaoan.cases WHERE source_id = 'rp-2'")" t \
   "a missing occurred_at becomes the time of sending"

# a repeated source_id: one case, one duplicate ------------------------------------
cat >"$TMP/dup.jsonl" <<'EOF'
{"source_id":"dup-1","type":"traffic","school":"S010","summary":"校门口流动摊贩占道经营"}
{"source_id":"dup-1","type":"traffic","school":"S010","summary":"校门口流动摊贩占道经营"}
EOF
"$SIM" --hub "$HUB" --replay "$TMP/dup.jsonl" --concurrency 1 --json >"$TMP/r3.json"
is "$?" 0 "replay with a repeated source_id: exit status 0"
is "$(jget accepted <"$TMP/r3.json") $(jget duplicates <"$TMP/r3.json")" "1 1" "1 accepted, 1 duplicate"
is "$(cases "AND source_id = 'dup-1'")" 1 "one case"
"$SIM" --hub "$HUB" --replay "$TMP/dup.jsonl" --concurrency 2 --json >"$TMP/r3b.json"
is "$(jget duplicates <"$TMP/r3b.json")" 2 "sent again concurrently: 2 duplicates"
is "$(cases "AND source_id = 'dup-1'")" 1 "still one case"

# bad lines are rejected and counted; the others go in --------------------------------
cat >"$TMP/bad.jsonl" <<'EOF'
{"source_id":"bad-1","type":"food_safety","school":"S020","summary":"饭菜中发现异物"}
{"source_id":"bad-2","type":"food_safety","school":"S999","summary":"不存在的学校"}
{"source_id":"bad-3","type":"food_safety", broken
{"source_id":"bad-4","type":"guard_absent","school":"S021","summary":"保安连续7天未被人脸抓拍"}
{"source_id":"bad-5","type":"mental_care","school":"S022","summary":"缺少分级"}
EOF
"$SIM" --hub "$HUB" --replay "$TMP/bad.jsonl" --json >"$TMP/r4.json"
is "$?" 1 "a file with bad lines: exit status 1"
is "$(jget accepted <"$TMP/r4.json")" 2 "the 2 good lines accepted"
is "$(jget rejected.400 <"$TMP/r4.json")" 3 "3 rejected with 400"
is "$(q -c "SELECT string_agg(source_id, ' ' ORDER BY source_id) FROM xiaoan.cases
            WHERE source = 'sim-test' AND source_id LIKE 'bad-%'")" "bad-1 bad-4" "only the good ones are cases"
out=$("$SIM" --hub "$HUB" --replay "$TMP/bad.jsonl" 2>&1)
like "$out" "rejected by status:  400: 3" "the text report counts rejections by status"
like "$out" "field school" "and shows why (the field)"

# batches of 100 ----------------------------------------------------------------------
before=$(cases)
"$SIM" --hub "$HUB" --count 250 --batch 100 --rate 0 --json >"$TMP/r5.json"
is "$?" 0 "--count 250 --batch 100: exit status 0"
is "$(jget accepted <"$TMP/r5.json") $(jget requests <"$TMP/r5.json")" "250 3" "250 accepted in 3 requests"
is "$(( $(cases) - before ))" 250 "250 more cases"
"$SIM" --hub "$HUB" --replay "$TMP/bad.jsonl" --batch 10 --json >"$TMP/r5b.json"
is "$(jget duplicates <"$TMP/r5b.json") $(jget rejected_total <"$TMP/r5b.json")" "2 3" \
   "the bad file in batches: per-item answers (the broken line travels alone)"

# dump, then replay the dump -------------------------------------------------------------
"$SIM" --dry-run --count 40 --seed 7 --source-prefix dump7 --dump "$TMP/d.jsonl" --db "$HUBDB"
is "$?" 0 "--dry-run --dump"
is "$(wc -l <"$TMP/d.jsonl")" 40 "40 lines dumped"
"$SIM" --hub "$HUB" --replay "$TMP/d.jsonl" --json >"$TMP/r6.json"
is "$(jget accepted <"$TMP/r6.json")" 40 "the dump replays: 40 accepted"
is "$(cases "AND source_id LIKE 'dump7-%'")" 40 "40 cases with the dumped source_ids"

# stream subscribers see every posted alert ----------------------------------------
officer "$D" 值班员 fh.duty dispatcher
ST=$(PGUSER=$D q -c "SELECT xiaoan.session_token()")
"$SIM" --hub "$HUB" --count 30 --rate 200 --listen-stream 2 --stream-token "$ST" --json >"$TMP/r7.json"
is "$?" 0 "--listen-stream 2: exit status 0"
is "$(jget stream.matched <"$TMP/r7.json")" 60 "each of 2 subscribers got each of the 30 events"
is "$(jget stream.missing <"$TMP/r7.json")" 0 "none missing"
is "$(jget stream.fanout_ms.n <"$TMP/r7.json")" 30 "a fan-out time for each event"
"$SIM" --hub "$HUB" --count 1 --listen-stream 1 --stream-token nonsense >/dev/null 2>"$TMP/e7"
is "$?" 1 "a bad session token: exit status 1"
like "$(cat "$TMP/e7")" "subscriber 0:" "and the subscriber's failure is reported"

# the database away for 3 s: 503s are retried with the same source_id -------------------
q -c "REVOKE CONNECT ON DATABASE $DB FROM PUBLIC" >/dev/null
q -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
      WHERE usename = 'xiaoan_hub' AND datname = '$DB'" >/dev/null
(sleep 3; q -c "GRANT CONNECT ON DATABASE $DB TO PUBLIC" >/dev/null) &
restorer=$!
"$SIM" --hub "$HUB" --count 20 --rate 100 --retries 20 --source-prefix away --json >"$TMP/r11.json"
rc=$?
wait "$restorer"
is "$rc" 0 "the database away for 3 s: exit status 0"
is "$(jget accepted <"$TMP/r11.json") $(jget duplicates <"$TMP/r11.json")" "20 0" "all 20 accepted once"
ok "$(( $(jget retries <"$TMP/r11.json") > 0 ? 0 : 1 ))" "after retries of the 503s"
is "$(cases "AND source_id LIKE 'away-%'")" 20 "20 cases, none lost, none twice"

# The generator must not spin: paced at 500/s it wakes a few times per
# request (it used to poll without waiting between its millisecond ticks:
# ~270 wake-ups per request, a core used up by the load generator itself).
"$SIM" --hub "$HUB" --count 200 --rate 500 --concurrency 8 --seed 7 --json >"$TMP/spin.json"
is "$?" 0 "--count 200 at 500/s: exit status 0"
passes=$(jget loop_passes <"$TMP/spin.json"); reqs=$(jget requests <"$TMP/spin.json")
ok "$(( reqs > 0 && passes < 20 * reqs ? 0 : 1 ))" "its loop woke $passes times for $reqs requests"
# Its own CPU over the run: more than nothing, less than the run's length
# (one thread; 200 requests at 500/s take about 0.4 s).
cpu=$(jget cpu_s <"$TMP/spin.json"); el=$(jget elapsed_s <"$TMP/spin.json")
ok "$(python3 -c "print(0 if 0 < $cpu < $el + 0.05 else 1)")" "it reports its own CPU: ${cpu} s in ${el} s"

# failures --------------------------------------------------------------------------------
before=$(cases)
"$SIM" --hub "$HUB" --token xp_wrong --count 3 --json >"$TMP/r8.json"
is "$?" 1 "a bad producer token: exit status 1"
is "$(jget rejected.401 <"$TMP/r8.json")" 3 "3 rejected with 401"
is "$(cases)" "$before" "nothing stored"
DEAD=$(free_port)
start=$SECONDS
"$SIM" --hub "127.0.0.1:$DEAD" --count 2 --retries 2 --json >"$TMP/r9.json"
is "$?" 1 "no hub: exit status 1"
is "$(jget rejected.none <"$TMP/r9.json") $(jget retries <"$TMP/r9.json")" "2 4" \
   "2 alerts without a reply after 2 retries each"
ok "$(( SECONDS - start < 10 ? 0 : 1 ))" "and it gives up within bounds"
XIAOAN_PRODUCER_TOKEN= "$SIM" --count 1 >/dev/null 2>"$TMP/e10"
is "$?" 2 "no token: usage error"
like "$(cat "$TMP/e10")" "XIAOAN_PRODUCER_TOKEN" "naming the variable"
"$SIM" --count 0 >/dev/null 2>&1
is "$?" 2 "--count 0: usage error"
"$SIM" --forever --duration 5 >/dev/null 2>&1
is "$?" 2 "--forever with --duration: usage error"

done_testing
