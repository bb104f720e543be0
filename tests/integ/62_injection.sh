#!/usr/bin/env bash
# SQL injection attempts through every text field of an alert posted to the
# hub (summary, source_id, details keys and values, school, type, severity,
# grade, occurred_at), through ingest's per-item producer, and through every
# text argument of the step, hazard, visit and report functions, as an
# officer would send them (the console binds them as parameters; here psql
# quotes them). Each is stored verbatim or refused with a clean error; the
# schema and the data are intact afterwards.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/hub_lib.sh"

L=s62_$$
trap '_cleanup; for r in disp s1 sup; do q -d postgres -c "DROP ROLE IF EXISTS ${L}_$r" >/dev/null 2>&1; done' EXIT

PAYLOADS=(
  "'; DROP TABLE xiaoan.cases; --"
  "x'); DELETE FROM xiaoan.case_event; --"
  "\$\$; DROP SCHEMA xiaoan CASCADE; \$\$"
  "\$1 \$2 :'x' :x"
  '\'
  "\\'; SELECT pg_sleep(10); --"
  "\" OR \"\"=\""
  "' OR '1'='1"
  "1; UPDATE xiaoan.cases SET state = 'confirmed'"
  "%s%n%x %d {0} \${x}"
  "E'\\\\x41' U&'\\0041'"
  "中文 ünïcödé 🚸 Ω ∑ ‰ ﷽"
  "/* */ -- ; \\\\ \\n \\t"
)
NP=${#PAYLOADS[@]}

new_db injection
officer "${L}_disp" 值班员 fh.duty dispatcher
officer "${L}_s1" 一校安全员 S001 school_officer
officer "${L}_sup" 督办员 fh.duty supervisor
hub_start a
P=$PORT_a
TOKEN=$(q -c "SELECT xiaoan.producer_token_create('cams')")
TABLES0=$(q -c "SELECT string_agg(relname, ' ' ORDER BY relname) FROM pg_class
                 WHERE relnamespace = 'xiaoan'::regnamespace AND relkind IN ('r', 'v')")
FUNCS0=$(q -c "SELECT count(*) FROM pg_proc WHERE pronamespace = 'xiaoan'::regnamespace")

# sql LOGIN SQL-WITH-:'p' PAYLOAD: runs as LOGIN with the payload bound to p;
# prints the result, or "ERROR <SQLSTATE>"
sql() {
  local out rc
  out=$(printf '%s\n' "$2" | PGUSER=$1 psql -X -Atq -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate -v p="$3" 2>&1)
  rc=$?
  if [ $rc -eq 0 ]; then printf '%s' "$out"; else printf 'ERROR %s' "$(sed -n 's/^ERROR: *//p' <<<"$out" | head -n 1)"; fi
}

# --- through the hub --------------------------------------------------------------------------------
stored=0 refused=0 bad=()
for i in $(seq 0 $((NP - 1))); do
  p=${PAYLOADS[$i]}
  # summary, source_id, a details key and value: stored as sent
  body=$(jq -nc --arg p "$p" --arg i "$i" '{source_id: ("inj-\($i)-" + $p), type: "gate_open", school: "S001",
           occurred_at: "2026-11-24T08:00:00+08:00", summary: $p, details: {($p): $p, nested: [$p, {k: $p}]}}')
  r=$(post "$P" "$TOKEN" "$body")
  if [ "${r%% *}" = 201 ]; then
    c=$(jq -r .case_id "$TMP/resp.body")
    got=$(sql postgres "SELECT summary = :'p' AND source_id = 'inj-$i-' || :'p' AND details->>:'p' = :'p'
                         AND details->'nested'->>0 = :'p' AND details->'nested'->1->>'k' = :'p'
                         FROM xiaoan.cases WHERE id = $c" "$p")
    if [ "$got" = t ]; then stored=$((stored + 1)); else bad+=("stored $i: $got"); fi
  else
    bad+=("post $i: $r")
  fi
  # school, type, severity, grade, occurred_at: refused with a clean 400 naming the field
  for f in school type severity grade occurred_at; do
    extra=".$f = \$p"
    [ $f = grade ] && extra='.type = "mental_care" | .grade = $p'
    body=$(jq -nc --arg p "$p" --arg i "$i" --arg f "$f" '{source_id: "bad-\($f)-\($i)", type: "gate_open",
             school: "S001", occurred_at: "2026-11-24T08:00:00+08:00", summary: "x"} | '"$extra")
    r=$(post "$P" "$TOKEN" "$body")
    if [ "${r%% *}" = 400 ] && [ "$(jq -r .field "$TMP/resp.body")" = "$f" ]; then
      refused=$((refused + 1))
    else
      bad+=("$f $i: $r")
    fi
  done
done
is "$stored" "$NP" "hub: every payload as summary, source_id, details key and value is stored verbatim"
is "$refused" "$((NP * 5))" "hub: every payload as school, type, severity, grade, occurred_at: 400 naming the field"
[ ${#bad[@]} -eq 0 ] || printf '# %s\n' "${bad[@]:0:10}"
is "$(cases "WHERE source_id LIKE 'bad-%'")" 0 "nothing stored for the refused ones"

# --- ingest's own checks (the hub's role calling it directly) ----------------------------------------
ok_items=0 bad=()
for i in $(seq 0 $((NP - 1))); do
  p=${PAYLOADS[$i]}
  got=$(sql xiaoan_hub "SELECT string_agg(coalesce(field, 'created'), ' ' ORDER BY idx) FROM xiaoan.ingest(NULL,
          jsonb_build_array(
            jsonb_build_object('producer', :'p', 'source_id', 'ing-$i', 'type', 'gate_open', 'school', 'S001',
                               'occurred_at', '2026-11-24T08:00:00+08:00', 'summary', :'p'),
            jsonb_build_object('producer', 'cams', 'source_id', 'ing-t-$i', 'type', :'p', 'school', 'S001',
                               'occurred_at', '2026-11-24T08:00:00+08:00', 'summary', 'x'),
            jsonb_build_object('producer', 'cams', 'source_id', 'ing-s-$i', 'type', 'gate_open', 'school', :'p',
                               'occurred_at', '2026-11-24T08:00:00+08:00', 'summary', 'x'),
            jsonb_build_object('producer', 'cams', 'source_id', 'ing-o-$i', 'type', 'gate_open', 'school', 'S001',
                               'occurred_at', :'p', 'summary', 'x')))" "$p")
  [ "$got" = "created type school occurred_at" ] && ok_items=$((ok_items + 1)) || bad+=("ingest $i: $got")
  got=$(sql postgres "SELECT count(*) FROM xiaoan.cases WHERE source = :'p' AND source_id = 'ing-$i' AND summary = :'p'" "$p")
  [ "$got" = 1 ] || bad+=("ingest stored $i: $got")
done
is "$ok_items" "$NP" "ingest: a payload as producer is stored as the source; as type, school, occurred_at: that item's error"
[ ${#bad[@]} -eq 0 ] || printf '# %s\n' "${bad[@]:0:10}"

# --- the steps -----------------------------------------------------------------------------------------
D=${L}_disp
note_ok=0 arg_ok=0 bad=()
v() { q -c "SELECT version FROM xiaoan.cases WHERE id = $1"; }
# step LOGIN SQL PAYLOAD: a step that must succeed and keep the payload verbatim in its note
step() {
  local got
  got=$(sql "$1" "$2" "$3")
  if [[ "$got" =~ ^[0-9]+\|[0-9]+$ ]] &&
     [ "$(sql postgres "SELECT position(:'p' IN note) > 0 FROM xiaoan.case_event WHERE seq = ${got#*|}" "$3")" = t ]; then
    note_ok=$((note_ok + 1))
  else
    bad+=("$2: $got")
  fi
}
# refuse LOGIN SQL PAYLOAD: a step whose unit or town argument is the payload: XA004
refuse() {
  local got
  got=$(sql "$1" "$2" "$3")
  if [ "$got" = "ERROR XA004" ]; then arg_ok=$((arg_ok + 1)); else bad+=("$2: $got"); fi
}
for i in $(seq 0 $((NP - 1))); do
  p=${PAYLOADS[$i]}
  post "$P" "$TOKEN" "$(alert "step-$i")" >/dev/null
  C=$(jq -r .case_id "$TMP/resp.body")
  post "$P" "$TOKEN" "$(alert "move-$i")" >/dev/null
  C2=$(jq -r .case_id "$TMP/resp.body")
  step "$D" "SELECT * FROM xiaoan.case_sign($C, $(v "$C"), :'p')" "$p"
  step "$D" "SELECT * FROM xiaoan.case_feedback($C, $(v "$C"), :'p')" "$p"
  step "${L}_sup" "SELECT * FROM xiaoan.case_supervise($C, $(v "$C"), :'p', NULL)" "$p"
  step "${L}_sup" "SELECT * FROM xiaoan.case_unsupervise($C, $(v "$C"), :'p')" "$p"
  refuse "$D" "SELECT * FROM xiaoan.case_forward($C, $(v "$C"), :'p', 'n')" "$p"
  step "$D" "SELECT * FROM xiaoan.case_close($C, $(v "$C"), :'p')" "$p"
  step "$D" "SELECT * FROM xiaoan.case_reopen($C, $(v "$C"), :'p')" "$p"
  step "$D" "SELECT * FROM xiaoan.case_close($C, $(v "$C"), :'p')" "$p"
  step "$D" "SELECT * FROM xiaoan.case_confirm($C, $(v "$C"), :'p')" "$p"
  step "$D" "SELECT * FROM xiaoan.case_forward($C2, $(v "$C2"), 'fh.police', :'p')" "$p"
  refuse "$D" "SELECT * FROM xiaoan.case_dispatch_down($C2, $(v "$C2"), :'p', 'n')" "$p"
  step "$D" "SELECT * FROM xiaoan.case_return($C2, $(v "$C2"), :'p')" "$p"
  step "$D" "SELECT * FROM xiaoan.case_escalate($C2, $(v "$C2"), :'p')" "$p"
done
is "$note_ok" $((NP * 11)) "steps: every payload as a note is kept verbatim in the audit trail"
is "$arg_ok" $((NP * 2)) "steps: every payload as the unit to forward to or the town to dispatch to: XA004"
[ ${#bad[@]} -eq 0 ] || printf '# %s\n' "${bad[@]:0:10}"

# --- hazards, visits, reports -----------------------------------------------------------------------------
S=${L}_s1
kept=0 refused=0 bad=()
for i in $(seq 0 $((NP - 1))); do
  p=${PAYLOADS[$i]}
  got=$(sql "$S" "SELECT case_id FROM xiaoan.hazard_report('campus_security', :'p', ARRAY[:'p'])" "$p")
  if [[ "$got" =~ ^[0-9]+$ ]] && [ "$(sql postgres "SELECT details->>'description' = :'p' AND details->'photos'->>0 = :'p'
                                            FROM xiaoan.cases WHERE id = $got" "$p")" = t ]; then
    kept=$((kept + 1)); H=$got
  else bad+=("hazard_report $i: $got"); fi
  # signed by assigning it, so that closing it gets as far as the outcome
  sql "$D" "SELECT 1 FROM xiaoan.hazard_assign($H, NULL, NULL, now() + interval '1 day')" x >/dev/null
  got=$(sql "$D" "SELECT visit_id FROM xiaoan.visit_log('S001', now(), :'p', :'p')" "$p")
  if [[ "$got" =~ ^[0-9]+$ ]] && [ "$(sql postgres "SELECT checked = :'p' AND findings = :'p' FROM xiaoan.visit
                                            WHERE id = $got" "$p")" = t ]; then
    kept=$((kept + 1))
  else bad+=("visit_log $i: $got"); fi
  for call in "xiaoan.hazard_report(:'p', 'x')" "xiaoan.visit_log(:'p', now(), 'x', 'x')" \
              "xiaoan.visit_log('S001', now(), 'x', 'x', :'p')" "xiaoan.hazard_category_units(:'p', 'S001')" \
              "xiaoan.period(:'p')" "xiaoan.stats(now() - interval '1 day', now(), 'type', :'p')" \
              "xiaoan.overdue_list(:'p')" "xiaoan.supervised_list(:'p')" \
              "xiaoan.hazard_assign($H, NULL, :'p', now() + interval '1 day')" \
              "xiaoan.hazard_close($H, NULL, :'p', NULL, 'x')"; do
    got=$(sql "$D" "SELECT count(*) FROM $call" "$p")
    if [ "$got" = "ERROR XA004" ]; then refused=$((refused + 1)); else bad+=("$call $i: $got"); fi
  done
done
is "$kept" $((NP * 2)) "hazard_report description and photo, visit_log checked and findings: kept verbatim"
is "$refused" $((NP * 10)) "as a category, school, scope, period, unit or outcome: refused (XA004)"
[ ${#bad[@]} -eq 0 ] || printf '# %s\n' "${bad[@]:0:10}"
got=$(sql "$D" "SELECT count(*) FROM xiaoan.stats(now() - interval '1 day', now() + interval '1 day', :'p')" "${PAYLOADS[0]}")
like "$got" '^ERROR XA' "stats with a payload as its grouping: a clean XA error ($got)"

# --- intact afterwards ----------------------------------------------------------------------------------------
is "$(q -c "SELECT string_agg(relname, ' ' ORDER BY relname) FROM pg_class
             WHERE relnamespace = 'xiaoan'::regnamespace AND relkind IN ('r', 'v')")" "$TABLES0" "every table and view is still there"
is "$(q -c "SELECT count(*) FROM pg_proc WHERE pronamespace = 'xiaoan'::regnamespace")" "$FUNCS0" "every function is still there"
is "$(q -c "SELECT count(*) FROM xiaoan.cases WHERE type <> 'hazard'")" $((NP * 4)) \
   "cases: exactly the ones opened here ($NP through the hub, $NP through ingest, $((NP * 2)) for the steps)"
is "$(q -c "SELECT count(*) FROM xiaoan.cases WHERE state = 'confirmed'")" "$NP" "only the ones confirmed here are confirmed"
is "$(q -c "SELECT count(*) = max(seq) AND min(seq) = 1 FROM xiaoan.case_event")" t "the audit trail has no gap"
is "$(curl -s "http://127.0.0.1:$P/healthz")" ok "the hub is healthy"
hub_stop a
done_testing
