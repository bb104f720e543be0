#!/usr/bin/env bash
# The access matrix of docs/security.md, checked role by role on one data set:
# twelve cases of eight types in two towns (fh.jp, fh.yl), every sensitive
# type among them, copied to the departments their routing names, one of them
# forwarded. For each officer: which cases xiaoan.cases shows, which
# case_private rows they can read, which steps they may take (each tried in a
# transaction that is rolled back), and which cases reach them on the live
# stream; no frame of any stream carries a sensitive case's own text.
# Then what no officer and not the hub may do at all.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/hub_lib.sh"

L=s60_$$
LOGINS="disp sup adm jp yl pol cul hea edu stn s1 s2"
trap '_cleanup; for r in $LOGINS; do q -d postgres -c "DROP ROLE IF EXISTS ${L}_$r" >/dev/null 2>&1; done' EXIT

# --- the policy, as data (docs/security.md, "The matrix") ----------------------------
# login unit role | visible cases | case_private readable |
#   sign G1, sign M1, sign P2, close G17, supervise T1
# Cases: G = gate_open, T = traffic, F = food_safety, P = patrol_post,
# W = drowning (not sensitive); M = mental_care, V = minor_venue,
# D = dorm_absence (sensitive). 1/2 = S001/S002 (town fh.jp), 17 = S017 (fh.yl).
MATRIX=$(cat <<'EOF'
disp fh.duty     dispatcher     | G1 G17 T1 F2 P2 W17 M1 M17 V1 V2 D1 D17 | -              | ok ok ok ok XA003
sup  fh.duty     supervisor     | G1 G17 T1 F2 P2 W17 M1 M17 V1 V2 D1 D17 | -              | ok ok ok ok ok
adm  fh.duty     admin          | G1 G17 T1 F2 P2 W17 M1 M17 V1 V2 D1 D17 | -              | XA003 XA003 XA003 XA003 XA003
jp   fh.jp.cmd   town_staff     | G1 T1 F2 P2 D1                           | D1             | XA003 XA005 XA003 XA005 XA003
yl   fh.yl.cmd   town_staff     | G17 W17 D17                              | D17            | XA005 XA005 XA005 XA003 XA005
pol  fh.police   unit_staff     | G1 G17 T1 F2 P2 V2                       | V2             | XA003 XA005 ok XA003 XA003
cul  fh.culture  unit_staff     | V2                                       | V2             | XA005 XA005 XA005 XA005 XA005
hea  fh.health   unit_staff     | F2 M1                                    | M1             | XA005 XA003 XA005 XA005 XA005
edu  fh.edu      unit_staff     | G1 G17 T1 F2 M1 M17 V1 V2                | M1 M17 V1 V2   | XA003 XA003 XA005 XA003 XA003
stn  fh.jp.pol   unit_staff     | G1 P2 M1 D1                              | M1 D1          | XA003 XA003 XA003 XA005 XA005
s1   S001        school_officer | G1 T1 M1 V1 D1                           | M1 V1 D1       | ok ok XA005 XA005 XA003
s2   S002        school_officer | F2 P2 V2                                 | V2             | XA005 XA005 XA003 XA005 XA005
EOF
)
field() { awk -F'|' -v l="$1" -v f="$2" '{split($1, a, " ")} a[1] == l {print $f}' <<<"$MATRIX" | xargs; }
NROWS=$(wc -l <<<"$MATRIX")

new_db access_matrix
hub_start a --heartbeat 1
P=$PORT_a
TOKEN=$(q -c "SELECT xiaoan.producer_token_create('cams')")
while read -r login unit role _; do officer "${L}_$login" "测试$login" "$unit" "$role"; done <<<"$MATRIX"

# --- subscribers first, so every event is seen live --------------------------------------
for o in $LOGINS; do
  ws_start "$TMP/ws-$o" "$P" --token "$(session "${L}_$o")" --timeout 90000
done
for o in $LOGINS; do ws_wait "$TMP/ws-$o" '.type == "hello"' || diag "no hello for $o"; done

# --- the cases, through the hub ------------------------------------------------------------
declare -A ID
# new LABEL TYPE SCHOOL [JQ]: sensitive ones carry a secret summary and
# details (a student's name and class), the others only a public marker
new() {
  local label=$1 type=$2 school=$3 extra=${4:-.} mark=PUBLIC who=
  local r
  case $type in mental_care|minor_venue|dorm_absence) mark=SECRET who=' 学生王小明 初二(3)班' ;; esac
  r=$(post "$P" "$TOKEN" "$(alert "m-$label" ".type = \"$type\" | .school = \"$school\"
        | .summary = \"$mark-$label$who\" | .details = {note: \"${mark}D-$label$who\"} | $extra")")
  [ "${r%% *}" = 201 ] || diag "posting $label: $r"
  ID[$label]=$(jq -r .case_id "$TMP/resp.body")
}
new G1 gate_open S001
new G17 gate_open S017
new T1 traffic S001
new F2 food_safety S002 '.severity = "critical"'
new P2 patrol_post S002
new W17 drowning S017
new M1 mental_care S001 '.grade = "high"'
new M17 mental_care S017 '.grade = "low"'
new V1 minor_venue S001
new V2 minor_venue S002 '.severity = "critical"'
new D1 dorm_absence S001
new D17 dorm_absence S017 '.severity = "critical"'
is "$(q -c "SELECT count(*) FROM xiaoan.case_private WHERE summary LIKE 'SECRET-%' AND details->>'note' LIKE 'SECRETD-%'")" 6 \
   "the six sensitive cases keep the producer's text in case_private"
is "$(q -c "SELECT count(*) FROM xiaoan.cases WHERE summary LIKE '%SECRET%' OR details::text LIKE '%SECRET%'")" 0 \
   "and xiaoan.cases holds none of it"

# D1 goes on to the town's command room: S001 keeps it as a past holder.
PGUSER=${L}_s1 q -c "SELECT seq FROM xiaoan.case_forward(${ID[D1]}, 1, 'fh.jp.cmd', '需街道协助')" >/dev/null
# G17 signed, for the close attempts below.
PGUSER=${L}_disp q -c "SELECT seq FROM xiaoan.case_sign(${ID[G17]}, 1, NULL)" >/dev/null
END=$(q -c "SELECT xiaoan.last_seq()")
for o in $LOGINS; do
  ws_wait "$TMP/ws-$o" "(.type == \"heartbeat\" or .type == \"event\") and .seq >= $END" 15 ||
    diag "$o: not served up to $END"
done

labels() { # ids on stdin -> sorted labels
  local id l
  while read -r id; do
    for l in "${!ID[@]}"; do [ "${ID[$l]}" = "$id" ] && echo "$l"; done
  done | sort | xargs
}
sorted() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort | xargs; }

# --- raw SQL, the stream, the steps, per officer ------------------------------------------
try() { # try LOGIN SQL -> ok or the SQLSTATE; nothing is kept
  local out
  out=$(PGUSER=$1 psql -X -Atq -v VERBOSITY=sqlstate -c "BEGIN; $2; ROLLBACK" 2>&1 >/dev/null)
  if [ -z "$out" ]; then echo ok; else sed -n 's/^ERROR: *//p' <<<"$out" | head -n 1; fi
}
for o in $LOGINS; do
  want=$(sorted "$(field "$o" 2)")
  is "$(PGUSER=${L}_$o q -c "SELECT id FROM xiaoan.cases" | labels)" "$want" "$o: cases visible in SQL"
  is "$(PGUSER=${L}_$o q -c "SELECT case_id FROM xiaoan.case_private" | labels)" \
     "$(sorted "$(field "$o" 3 | sed 's/^-$//')")" "$o: case_private rows readable"
  is "$(PGUSER=${L}_$o q -c "SELECT DISTINCT case_id FROM xiaoan.case_event" | labels)" "$want" \
     "$o: the audit trail of exactly those cases"
  is "$(PGUSER=${L}_$o q -c "SELECT DISTINCT case_id FROM xiaoan.case_unit" | labels)" "$want" \
     "$o: the parties of exactly those cases"
  is "$(jq -r 'select(.type == "event") | .case.id' "$TMP/ws-$o" | sort -u | labels)" "$want" \
     "$o: the stream carries exactly those cases"
  got="$(try "${L}_$o" "SELECT xiaoan.case_sign(${ID[G1]}, NULL, NULL)")"
  got+=" $(try "${L}_$o" "SELECT xiaoan.case_sign(${ID[M1]}, NULL, NULL)")"
  got+=" $(try "${L}_$o" "SELECT xiaoan.case_sign(${ID[P2]}, NULL, NULL)")"
  got+=" $(try "${L}_$o" "SELECT xiaoan.case_close(${ID[G17]}, NULL, '处理完毕')")"
  got+=" $(try "${L}_$o" "SELECT xiaoan.case_supervise(${ID[T1]}, NULL, '督办', NULL)")"
  is "$got" "$(field "$o" 4)" "$o: sign G1, sign M1, sign P2, close G17, supervise T1"
done
is "$NROWS" 12 "the matrix has a row for each of the twelve officers"

# --- nothing sensitive on any stream ---------------------------------------------------------
ok "$(cat "$TMP"/ws-* | grep -c -e SECRET -e 王小明 -e 初二 | grep -qx 0; echo $?)" \
   "no frame of any stream carries a sensitive case's summary or details"
ok "$(grep -q "PUBLIC-G1" "$TMP/ws-disp"; echo $?)" "(the frames are searchable: G1's own summary is there)"
is "$(jq -r "select(.type == \"event\" and .case.id == ${ID[M1]}) | .case.summary" "$TMP/ws-s1" | sort -u)" \
   "心灵关爱预警（高危）" "a sensitive case travels with its neutral label"
is "$(jq -r 'select(.type == "event") | .case | has("details")' "$TMP"/ws-* | sort -u)" false \
   "no event carries details"

# --- what no officer may do --------------------------------------------------------------------
O=${L}_disp
is "$(try "$O" "UPDATE xiaoan.cases SET state = 'confirmed'")" 42501 "an officer cannot write cases directly"
is "$(try "$O" "INSERT INTO xiaoan.case_unit VALUES (${ID[M1]}, 'fh.duty', 'cc')")" 42501 \
   "an officer cannot make their unit a party"
is "$(try "$O" "DELETE FROM xiaoan.case_event")" 42501 "an officer cannot delete the audit trail"
is "$(try "$O" "SELECT * FROM xiaoan.producer")" 42501 "an officer cannot read producer token hashes"
is "$(try "$O" "SELECT * FROM xiaoan.stream_session")" 42501 "an officer cannot read stream sessions"
is "$(try "$O" "SELECT xiaoan.producer_token_create('evil')")" 42501 "an officer cannot create producer tokens"
is "$(try "$O" "SELECT * FROM xiaoan.ingest('cams', '[]')")" 42501 "an officer cannot ingest alerts"
is "$(try "$O" "SELECT * FROM xiaoan.stream_events(0, 10)")" 42501 "an officer cannot read the hub's event feed"
is "$(try "$O" "SELECT xiaoan.officer_set('${L}_x', 'x', 'fh.duty', 'admin')")" 42501 "an officer cannot add officers"
is "$(try "${L}_s1" "SELECT xiaoan.case_sign(999999, NULL, NULL)")" XA005 \
   "a case that does not exist: XA005, as for one not visible"
is "$(q -c "SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'xiaoan'::regnamespace
             AND (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a
                                              WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'))")" 0 \
   "no function of the schema is executable by PUBLIC"
is "$(q -c "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_class c
             WHERE c.relnamespace = 'xiaoan'::regnamespace AND c.relkind = 'v'
               AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)
               AND has_table_privilege('xiaoan_officer', c.oid, 'SELECT')")" "" \
   "every view officers read applies their row-level security (security_invoker)"
is "$(q -c "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_class c
             WHERE c.relnamespace = 'xiaoan'::regnamespace AND c.relkind = 'r' AND NOT c.relrowsecurity
               AND c.relname IN ('cases', 'case_unit', 'case_event', 'case_private', 'hazard', 'visit')")" "" \
   "row-level security is on for every table with case data"

# --- the hub's role and the superuser --------------------------------------------------------
is "$(try xiaoan_hub "SELECT count(*) FROM xiaoan.cases")" 42501 "the hub's role cannot read cases"
is "$(try xiaoan_hub "SELECT count(*) FROM xiaoan.case_private")" 42501 "the hub's role cannot read case_private"
is "$(try xiaoan_hub "SELECT xiaoan.case_sign(${ID[G1]}, NULL, NULL)")" 42501 "the hub's role cannot take steps"
is "$(try postgres "UPDATE xiaoan.case_event SET note = 'rewritten'")" 42501 \
   "even the superuser cannot rewrite the audit trail (append-only trigger)"
is "$(try postgres "DELETE FROM xiaoan.case_event")" 42501 "nor delete it"

hub_stop a
done_testing
