#!/usr/bin/env bash
# Two officers act on the same case at the same moment, in two real psql
# sessions: A takes the row lock and holds it until B queues behind it; B arrives while
# A holds it, waits on the lock, then sees A's committed step and is refused
# with a message naming A. Exactly one wins, every time.
. "$(dirname "$0")/../lib.sh"

new_db race
A=ra_$$ B=rb_$$
officer "$A" 李娜 S001 school_officer
officer "$B" 王伟 fh.duty dispatcher
trap '_cleanup; q -d postgres -c "DROP ROLE IF EXISTS $A, $B" >/dev/null 2>&1' EXIT

open_case() { # open_case SOURCE_ID -> case id
  q -c "SELECT case_id FROM xiaoan.ingest('race', jsonb_build_array(jsonb_build_object(
          'source_id', '$1', 'type', 'gate_open', 'school', 'S001', 'occurred_at', now(), 'summary', '校门未关')))"
}

# session A: BEGIN; <step>; hold the lock until another session queues
# behind it (at most ten seconds), say so, then COMMIT (in the background).
# A reports the waiter itself, so a loaded machine cannot make B's wait fall
# outside a fixed window.
hold() { # hold TAG SQL
  PGUSER=$A PGAPPNAME="race_a_$1_$$" psql -X -v ON_ERROR_STOP=1 -Atq \
    -c "BEGIN" -c "$2" -c "DO \$\$ BEGIN
          FOR i IN 1..400 LOOP
            IF EXISTS (SELECT 1 FROM pg_locks l
                        WHERE NOT l.granted AND pg_backend_pid() = ANY (pg_blocking_pids(l.pid))) THEN
              RAISE NOTICE 'a waiter is queued on this lock';
              RETURN;
            END IF;
            PERFORM pg_sleep(0.025);
          END LOOP;
        END \$\$" -c "COMMIT" >"$TMP/a_$1.out" 2>"$TMP/a_$1.err"
  echo $? >"$TMP/a_$1.rc"
}

# B's step, run while A holds the lock; A must see B queued on it.
race() { # race TAG A_SQL B_SQL
  local tag=$1
  hold "$tag" "$2" & local apid=$!
  wait_for 10 a_sleeping "race_a_${tag}_$$" || diag "session A never reached its wait"
  PGUSER=$B PGAPPNAME="race_b_${tag}_$$" psql -X -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -Atq -c "$3" \
    >"$TMP/b_$tag.out" 2>"$TMP/b_$tag.err" & local bpid=$!
  wait "$bpid"; brc=$?
  wait "$apid"
  arc=$(cat "$TMP/a_$tag.rc")
  berr=$(cat "$TMP/b_$tag.err")
  grep -q 'a waiter is queued on this lock' "$TMP/a_$tag.err"; waited=$?
}

a_sleeping() {
  [ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1'
             AND query LIKE '%pg_sleep%' AND state = 'active'")" = 1 ]
}

for i in 1 2 3 4 5; do
  c=$(open_case "sign-$i")
  race "s$i" "SELECT xiaoan.case_sign($c, 1, 'A 签收')" "SELECT xiaoan.case_sign($c, 1, 'B 签收')"
  ok "$waited" "round $i: B waits on A's row lock"
  is "$arc/$brc" "0/1" "round $i: A signs, B is refused"
  like "$berr" "XA001: case $c already signed by 李娜 \\(奉化区锦屏雪窦中学\\) at [0-9]{2}:[0-9]{2}:[0-9]{2}" \
    "round $i: B is told who signed it first"
  is "$(q -c "SELECT signed_by || '/' || version || '/' ||
               (SELECT count(*) FROM xiaoan.case_event WHERE case_id = $c AND kind = 'sign')
               FROM xiaoan.cases WHERE id = $c")" "$A/2/1" "round $i: one sign event, by A"
done

# close (A) against forward (B)
c=$(open_case close-forward)
PGUSER=$A q -c "SELECT xiaoan.case_sign($c, 1, NULL)" >/dev/null
race cf "SELECT xiaoan.case_close($c, 2, '已处理')" "SELECT xiaoan.case_forward($c, 2, 'fh.jp.cmd', '转街道')"
ok "$waited" "close vs forward: the forward waits on the close"
is "$arc/$brc" "0/1" "close vs forward: the close wins"
like "$berr" "XA001: case $c was closed by 李娜 \\(奉化区锦屏雪窦中学\\) at [0-9:]{8} while you had it open; it is now closed" \
  "close vs forward: the forward is refused, naming the close"
is "$(q -c "SELECT state || '/' || holder || '/' || version FROM xiaoan.cases WHERE id = $c")" "closed/S001/3" \
  "close vs forward: closed, still at the school"

# forward (A) against close (B)
c=$(open_case forward-close)
PGUSER=$A q -c "SELECT xiaoan.case_sign($c, 1, NULL)" >/dev/null
race fc "SELECT xiaoan.case_forward($c, 2, 'fh.jp.cmd', '转街道')" "SELECT xiaoan.case_close($c, 2, '已处理')"
ok "$waited" "forward vs close: the close waits on the forward"
is "$arc/$brc" "0/1" "forward vs close: the forward wins"
like "$berr" "XA001: case $c was forwarded by 李娜 \\(奉化区锦屏雪窦中学\\) at [0-9:]{8} while you had it open; it is now new" \
  "forward vs close: the close is refused, naming the forward"
is "$(q -c "SELECT state || '/' || holder || '/' || version FROM xiaoan.cases WHERE id = $c")" "new/fh.jp.cmd/3" \
  "forward vs close: with the command room, to be signed"
is "$(q -c "SELECT max(seq) - min(seq) + 1 - count(*) FROM xiaoan.case_event")" "0" "the audit trail has no gaps"

done_testing
