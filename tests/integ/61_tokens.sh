#!/usr/bin/env bash
# Tokens. Producer tokens: wrong, malformed, revoked, replaced, expired (in
# the past, and running out a few seconds after creation), replayed on behalf
# of another producer; a token revoked (by xiaoan-admin, or by a plain UPDATE
# in psql) or replaced stops at once in the database, on a hub that never saw
# it and on every hub that remembered it (migration 008 notifies the hubs),
# also when a hub's LISTEN connection was down as it happened; a token that
# runs out stops on a hub that remembered it, with no notice (010). Stream
# session tokens: unknown, expired, of an officer disabled since, of an
# officer made inactive behind the admin tool's back, used in the wrong
# place. No token is ever written to a hub's log.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/hub_lib.sh"

L=s61_$$
trap '_cleanup; for r in disp gone quiet; do q -d postgres -c "DROP ROLE IF EXISTS ${L}_$r" >/dev/null 2>&1; done' EXIT

new_db tokens
officer "${L}_disp" 值班员 fh.duty dispatcher
officer "${L}_gone" 将离职 fh.duty dispatcher
officer "${L}_quiet" 停用 fh.duty dispatcher
A=$(q -c "SELECT xiaoan.producer_token_create('cam-a')")
B=$(q -c "SELECT xiaoan.producer_token_create('cam-b')")
C=$(q -c "SELECT xiaoan.producer_token_create('cam-c')")
D=$(q -c "SELECT xiaoan.producer_token_create('cam-d')")
ADMIN=$BUILD/xiaoan-admin
auth() { PGUSER=xiaoan_hub q -c "SELECT coalesce(xiaoan.producer_auth('$1'), '<null>')"; }
code() { post "$1" "$2" "$3" | cut -d' ' -f1; }
www() { header www-authenticate; }
now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }
# refused PORT TOKEN PREFIX: posts alerts PREFIX-1, PREFIX-2, ... with TOKEN
# until one gets 401, for at most 3 s after T0 (now_ms, taken when the
# revocation has committed); sets GOT (the last status) and MS (milliseconds
# from T0 to that answer).
refused() {
  local i=0
  while :; do
    i=$((i + 1))
    GOT=$(code "$1" "$2" "$(alert "$3-$i")")
    MS=$(( $(now_ms) - T0 ))
    if [ "$GOT" = 401 ] || [ $MS -ge 3000 ]; then return; fi
    sleep 0.05
  done
}
# both_refuse PRODUCER TOKEN TAG [WHEN]: right after PRODUCER's token was
# revoked, hubs a and b both refuse it within 3 s, and nothing of PRODUCER
# was stored after the revocation.
both_refuse() {
  T0=$(now_ms)
  refused "$PA" "$2" "$3-rev-a"
  is "$GOT" 401 "hub a refuses $1's token within 3 s${4:+ $4} ($MS ms after the revocation)"
  refused "$PB" "$2" "$3-rev-b"
  is "$GOT" 401 "and so does hub b ($MS ms)"
  is "$(taken_after "$1")" 0 "no alert of $1 was stored after the revocation"
}
# taken_after PRODUCER: cases of PRODUCER opened after its token was revoked
taken_after() {
  cases "WHERE source = '$1' AND opened_at >= coalesce((SELECT revoked FROM xiaoan.producer WHERE name = '$1'), '-infinity')"
}

hub_start a
PA=$PORT_a
hub_start b
PB=$PORT_b

# --- stored as a hash only -----------------------------------------------------------------------
like "$A" '^xp_[0-9a-f]{48}$' "a producer token: xp_ and 192 random bits"
is "$(q -c "SELECT count(*) FROM xiaoan.producer WHERE token_hash = sha256(convert_to('$A', 'UTF8'))")" 1 \
   "the database keeps its SHA-256"
is "$(q -c "SELECT count(*) FROM xiaoan.producer p WHERE p::text LIKE '%' || substr('$A', 4, 16) || '%'")" 0 \
   "and not the token"

# --- wrong and malformed ------------------------------------------------------------------------
is "$(code "$PA" "$A" "$(alert a-1)")" 201 "cam-a's token: 201"
is "$(code "$PA" "xp_$(printf '%048d' 7)" "$(alert w-1)")" 401 "an unknown token: 401"
is "$(www)" 'Bearer realm="xiaoan", error="invalid_token"' "... with error=\"invalid_token\""
is "$(code "$PA" "${A%?}" "$(alert w-2)")" 401 "cam-a's token with its last character cut: 401"
is "$(code "$PA" "${A}0" "$(alert w-3)")" 401 "cam-a's token with a character added: 401"
is "$(code "$PA" "$(tr a-f A-F <<<"$A")" "$(alert w-4)")" 401 "cam-a's token in upper case: 401"
is "$(code "$PA" "'$A' OR 1=1" "$(alert w-5)")" 401 "a token with SQL in it: 401"
r=$(req -H "Authorization: Basic $(printf 'cam-a:%s' "$A" | base64 -w0)" -H 'Content-Type: application/json' \
      --data-binary "$(alert w-6)" "http://127.0.0.1:$PA/v1/alerts")
is "${r%% *}" 401 "Basic instead of Bearer: 401"
r=$(req -H 'Content-Type: application/json' --data-binary "$(alert w-7)" "http://127.0.0.1:$PA/v1/alerts")
is "${r%% *}" 401 "no Authorization at all: 401"
is "$(www)" 'Bearer realm="xiaoan"' "... with a plain challenge"
is "$(cases "WHERE source_id LIKE 'w-%'")" 0 "none of them stored anything"

# --- replay on behalf of another producer -----------------------------------------------------------
is "$(code "$PA" "$A" "$(alert shared-1)")" 201 "cam-a posts shared-1"
is "$(code "$PA" "$B" "$(alert shared-1)")" 201 "cam-b's shared-1 is another case (the key is per producer)"
is "$(q -c "SELECT string_agg(source, ' ' ORDER BY source) FROM xiaoan.cases WHERE source_id = 'shared-1'")" \
   "cam-a cam-b" "each credited to the owner of the token"
r=$(post "$PA" "$A" "$(alert forged-1 '.producer = "cam-b"')")
is "${r%% *}" 400 "cam-a's alert naming producer cam-b: 400"
is "$(jq -r .field "$TMP/resp.body")" producer "... field producer"
r=$(post "$PA" "$A" "[$(alert forged-2),$(alert forged-3 '.producer = "cam-b"')]")
is "$(jq -r '[.results[].status] | @tsv' "$TMP/resp.body")" "201	400" "in a batch: that item alone is refused"
is "$(q -c "SELECT count(*) FROM xiaoan.cases WHERE source = 'cam-b' AND source_id LIKE 'forged-%'")" 0 \
   "nothing was credited to cam-b"
is "$(q -c "SELECT string_agg(DISTINCT actor, ' ') FROM xiaoan.case_event e JOIN xiaoan.cases c ON c.id = e.case_id
             WHERE c.source_id LIKE 'forged-%' AND e.kind = 'open'")" cam-a "the open event names cam-a"

# --- revoked with xiaoan-admin, on two hubs that remember the token -----------------------------------
is "$(code "$PA" "$B" "$(alert b-1)")" 201 "cam-b posts to hub a (which now remembers its token)"
is "$(code "$PB" "$B" "$(alert b-2)")" 201 "and to hub b (which does too)"
"$ADMIN" --db "$DBCONN" token revoke cam-b >/dev/null
ok $? "xiaoan-admin token revoke cam-b"
both_refuse cam-b "$B" b
is "$(auth "$B")" "<null>" "(producer_auth refuses it)"
is "$(auth "$A")" cam-a "(cam-a's is still good)"
is "$(code "$PA" "$A" "$(alert a-2)")" 201 "hub a still takes cam-a's token"
hub_start c
PC=$PORT_c
is "$(code "$PC" "$B" "$(alert b-3)")" 401 "a freshly started hub refuses cam-b's token"
is "$(code "$PC" "$A" "$(alert a-3)")" 201 "and takes cam-a's"

# --- revoked by a plain UPDATE in psql ---------------------------------------------------------------
is "$(code "$PA" "$C" "$(alert c-1)")" 201 "cam-c posts to hub a"
is "$(code "$PB" "$C" "$(alert c-2)")" 201 "and to hub b"
q -c "UPDATE xiaoan.producer SET revoked = now() WHERE name = 'cam-c'"
ok $? "the superuser revokes cam-c with an UPDATE of xiaoan.producer"
both_refuse cam-c "$C" c

# --- revoked while the hubs' LISTEN connections are down: the notice is lost -----------------------------
is "$(code "$PA" "$D" "$(alert d-1)")" 201 "cam-d posts to hub a"
is "$(code "$PB" "$D" "$(alert d-2)")" 201 "and to hub b"
# In one transaction: the hubs' listeners are cut, and once they are gone
# (out of pg_stat_activity: they have stopped listening) cam-d is revoked.
# The hubs reconnect no sooner than 250 ms later: the notice reaches nobody.
is "$(q -c "CREATE FUNCTION pg_temp.cut_listeners() RETURNS integer LANGUAGE plpgsql AS \$\$
            DECLARE
              v integer[];
            BEGIN
              SELECT array_agg(pid) INTO v FROM pg_stat_activity
               WHERE datname = current_database() AND application_name = 'xiaoan-hub listen';
              PERFORM pg_terminate_backend(p) FROM unnest(v) AS p;
              FOR i IN 1..1000 LOOP
                PERFORM pg_stat_clear_snapshot();
                EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = ANY (v));
                PERFORM pg_sleep(0.005);
              END LOOP;
              RETURN cardinality(v);
            END \$\$;
            SELECT pg_temp.cut_listeners();
            UPDATE xiaoan.producer SET revoked = now() WHERE name = 'cam-d'")" 3 \
   "the three hubs' LISTEN connections are cut just before cam-d is revoked"
both_refuse cam-d "$D" d "all the same"
down=0
for p in "$PA" "$PB" "$PC"; do wait_for 15 curl -sf "http://127.0.0.1:$p/healthz" || down=1; done
ok $down "the three hubs are up again"

# --- replaced ------------------------------------------------------------------------------------
is "$(code "$PC" "$A" "$(alert a-4)")" 201 "cam-a posts to hub c (which remembers the token)"
A2=$(q -c "SELECT xiaoan.producer_token_create('cam-a')")
T0=$(now_ms)
refused "$PC" "$A" a-old
is "$GOT" 401 "a new token for cam-a: hub c refuses the old one within 3 s ($MS ms)"
is "$(auth "$A")" "<null>" "(producer_auth refuses it)"
is "$(auth "$A2")" cam-a "and accepts the new one"
is "$(cases "WHERE source_id LIKE 'a-old-%'")" 0 "and stored nothing with it"
is "$(code "$PC" "$A2" "$(alert a-5)")" 201 "and takes the new one"
is "$(grep -c 'producer tokens changed' "$TMP/hub-a.log")" 3 \
   "hub a logged one line per notice it got (cam-b, cam-c, cam-a's new token; cam-d's was lost)"

# --- expired -------------------------------------------------------------------------------------
OLD=$(q -c "SELECT xiaoan.producer_token_create('cam-old', now() - interval '1 minute')")
is "$(auth "$OLD")" "<null>" "a token created already expired: producer_auth refuses it"
is "$(code "$PC" "$OLD" "$(alert o-1)")" 401 "and so does the hub"
SOON=$(q -c "SELECT xiaoan.producer_token_create('cam-soon', now() + interval '3 seconds')")
is "$(auth "$SOON")" cam-soon "a token good for 3 seconds works at first"
is "$(code "$PC" "$SOON" "$(alert s-0)")" 201 "hub c takes it (and remembers it)"
sleep 3.5
is "$(auth "$SOON")" "<null>" "and is refused once it has run out"
is "$(code "$PC" "$SOON" "$(alert s-2)")" 401 \
   "hub c, which remembered it and got no notice (expiry changes no row), refuses it too"
hub_start d
is "$(code "$PORT_d" "$SOON" "$(alert s-1)")" 401 "a hub that never saw it refuses it"

# --- stream session tokens -------------------------------------------------------------------------
closed() { jq -r 'select(.type == "_close") | "\(.code) \(.reason)"' "$1"; }
stream() { node "$WSC" "ws://127.0.0.1:$PA/v1/stream" --count 1 --timeout 5000 "$@"; }
T=$(session "${L}_disp")
like "$T" '^xs_[0-9a-f]{48}$' "a session token: xs_ and 192 random bits"
is "$(stream --token "$T" | jq -r 'select(.type == "hello") | .type')" hello "it opens the stream"
is "$(q -c "SELECT count(*) FROM xiaoan.stream_session s WHERE s::text LIKE '%' || substr('$T', 4, 16) || '%'")" 0 \
   "the database keeps only its hash"
is "$(q -c "SELECT count(*) FROM xiaoan.stream_session WHERE login = '${L}_disp' AND expires <= now() + interval '1 minute'")" \
   1 "it is good for one minute at most"
q -c "UPDATE xiaoan.stream_session SET expires = now() - interval '1 second' WHERE token_hash = xiaoan.token_hash('$T')"
is "$(closed <(stream --token "$T"))" "4401 invalid or expired session token" "expired: 4401"
T=$(session "${L}_gone")
q -c "SELECT xiaoan.officer_disable('${L}_gone')" >/dev/null
is "$(closed <(stream --token "$T"))" "4401 invalid or expired session token" "its officer disabled since: 4401"
is "$(q -c "SELECT count(*) FROM xiaoan.stream_session WHERE login = '${L}_gone'")" 0 "disabling drops their sessions"
ok "$(PGUSER=${L}_gone psql -X -Atq -c 'SELECT 1' >/dev/null 2>&1; [ $? -ne 0 ]; echo $?)" \
   "and the disabled officer can no longer log in to the database"
T=$(session "${L}_quiet")
q -c "UPDATE xiaoan.officer SET active = false WHERE login = '${L}_quiet'"
is "$(closed <(stream --token "$T"))" "4401 invalid or expired session token" \
   "officer row made inactive (role still LOGIN): its token is refused"
is "$(PGUSER=${L}_quiet psql -X -Atq -v VERBOSITY=sqlstate -c 'SELECT xiaoan.session_token()' 2>&1 | sed 's/^ERROR: *//')" \
   XA003 "and it gets no new one (XA003)"
is "$(PGUSER=xiaoan_hub psql -X -Atq -v VERBOSITY=sqlstate -c 'SELECT xiaoan.session_token()' 2>&1 | sed 's/^ERROR: *//')" \
   42501 "the hub's role cannot mint session tokens"
is "$(closed <(stream --token "$A2"))" "4401 invalid or expired session token" "a producer token on the stream: 4401"
is "$(code "$PA" "$(session "${L}_disp")" "$(alert x-1)")" 401 "a session token as a producer token: 401"

# --- secrets stay out of the logs ------------------------------------------------------------------
for t in "$A" "$A2" "$B" "$C" "$D" "$OLD" "$SOON"; do
  if grep -rqF "${t:3:24}" "$TMP"/hub-*.log; then diag "token ${t:0:8}... found in a hub log"; leaked=1; fi
done
ok "${leaked:-0}" "no producer token appears in any hub's log"

hub_stop a
hub_stop b
hub_stop c
hub_stop d
done_testing
