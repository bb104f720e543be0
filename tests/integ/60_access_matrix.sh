#!/usr/bin/env bash
# The access matrix of docs/security.md (the policy: access_policy.txt; the
# data set: access_lib.sh), checked role by role on one data set:
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
. "$(dirname "$0")/access_lib.sh"
trap '_cleanup; access_drop_roles' EXIT

new_db access_matrix
hub_start a --heartbeat 1
P=$PORT_a
TOKEN=$(q -c "SELECT xiaoan.producer_token_create('cams')")
access_officers

# --- subscribers first, so every event is seen live --------------------------------------
for o in $LOGINS; do
  ws_start "$TMP/ws-$o" "$P" --token "$(session "${L}_$o")" --timeout 90000
done
for o in $LOGINS; do ws_wait "$TMP/ws-$o" '.type == "hello"' || diag "no hello for $o"; done

# --- the cases, through the hub, and the hand-overs the policy assumes ---------------------
access_cases "$P" "$TOKEN"
access_handover
END=$(q -c "SELECT xiaoan.last_seq()")
for o in $LOGINS; do
  ws_wait "$TMP/ws-$o" "(.type == \"heartbeat\" or .type == \"event\") and .seq >= $END" 15 ||
    diag "$o: not served up to $END"
done

# --- raw SQL, the stream, the steps, per officer ------------------------------------------
try() { # try LOGIN SQL -> ok or the SQLSTATE; nothing is kept
  local out
  out=$(PGUSER=$1 psql -X -Atq -v VERBOSITY=sqlstate -c "BEGIN; $2; ROLLBACK" 2>&1 >/dev/null)
  if [ -z "$out" ]; then echo ok; else sed -n 's/^ERROR: *//p' <<<"$out" | head -n 1; fi
}
step_sql() { # step_sql STEP LABEL: the step function's call
  case $1 in
    sign) echo "SELECT xiaoan.case_sign(${ID[$2]}, NULL, NULL)" ;;
    close) echo "SELECT xiaoan.case_close(${ID[$2]}, NULL, '处理完毕')" ;;
    supervise) echo "SELECT xiaoan.case_supervise(${ID[$2]}, NULL, '督办', NULL)" ;;
  esac
}
STEPS=$(printf '%s, ' "${ACCESS_STEPS[@]}")
for o in $LOGINS; do
  want=$(sorted "$(field "$o" 2)")
  is "$(PGUSER=${L}_$o q -c "SELECT id FROM xiaoan.cases" | labels)" "$want" "$o: cases visible in SQL"
  is "$(PGUSER=${L}_$o q -c "SELECT case_id FROM xiaoan.case_private" | labels)" \
     "$(sorted "$(access_readable "$o")")" "$o: case_private rows readable"
  is "$(PGUSER=${L}_$o q -c "SELECT DISTINCT case_id FROM xiaoan.case_event" | labels)" "$want" \
     "$o: the audit trail of exactly those cases"
  is "$(PGUSER=${L}_$o q -c "SELECT DISTINCT case_id FROM xiaoan.case_unit" | labels)" "$want" \
     "$o: the parties of exactly those cases"
  is "$(jq -r 'select(.type == "event") | .case.id' "$TMP/ws-$o" | sort -u | labels)" "$want" \
     "$o: the stream carries exactly those cases"
  got=
  for step in "${ACCESS_STEPS[@]}"; do got+=" $(try "${L}_$o" "$(step_sql "${step% *}" "${step#* }")")"; done
  is "${got# }" "$(field "$o" 4)" "$o: ${STEPS%, }"
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
