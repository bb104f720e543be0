#!/usr/bin/env bash
# A flood of cases falls due at once (1,000 signs overdue together, as after
# a district-wide storm): the leading hub raises their alarms in bounded
# steps, one short transaction each (migration 011), so alerts posted
# meanwhile are answered; every case gets exactly one overdue event, and
# none is looked at again once its alarms are raised.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/hub_lib.sh"

new_db hub_sweep
TOKEN=$(q -c "SELECT xiaoan.producer_token_create('flood')")

q -c "SELECT count(*) FROM xiaoan.ingest('flood', (SELECT jsonb_agg(jsonb_build_object(
        'source_id', 'f-' || g, 'type', 'gate_open', 'school', 'S' || lpad((1 + g % 120)::text, 3, '0'),
        'occurred_at', now(), 'summary', '校门未关 ' || g)) FROM generate_series(1, 1000) AS g))" >/dev/null
# Six minutes pass for all of them: every sign (5 minutes) is overdue.
q -c "UPDATE xiaoan.cases SET occurred_at = occurred_at - interval '6 minutes',
        opened_at = opened_at - interval '6 minutes', clock_start = clock_start - interval '6 minutes',
        sign_start = sign_start - interval '6 minutes', sign_due = sign_due - interval '6 minutes',
        feedback_due = feedback_due - interval '6 minutes', close_due = close_due - interval '6 minutes'
      WHERE source = 'flood'" >/dev/null
is "$(q -c "SELECT count(*) FROM xiaoan.cases WHERE source = 'flood' AND alarm_at < now()")" 1000 \
   "1,000 cases are past their alarm time"

HUB_ROLE=xiaoan_hub hub_start a
code() { post "$1" "$2" "$3" | cut -d' ' -f1; }
overdue() { q -c "SELECT count(*) FROM xiaoan.case_event e JOIN xiaoan.cases k ON k.id = e.case_id
                  WHERE k.source = 'flood' AND e.kind = 'overdue' AND e.stage = 'sign'"; }
is "$(code "$PORT_a" "$TOKEN" "$(alert during-1)")" 201 "an alert posted as the sweep starts is answered"
wait_for 60 test "$(overdue)" = 1000; ok $? "every flooded case's sign is raised overdue"
is "$(code "$PORT_a" "$TOKEN" "$(alert during-2)")" 201 "and an alert posted after it too"
is "$(q -c "SELECT count(*) FROM (SELECT e.case_id FROM xiaoan.case_event e JOIN xiaoan.cases k ON k.id = e.case_id
             WHERE k.source = 'flood' AND e.kind = 'overdue' GROUP BY e.case_id HAVING count(*) > 1) x")" 0 \
   "exactly once each"
steps=$(grep -c 'deadline sweep raised' "$TMP/hub-a.log")
ok "$([ "$steps" -ge 5 ]; echo $?)" "in steps of at most 200 cases ($steps steps logged)"
most=$(grep -oE 'deadline sweep raised [0-9]+' "$TMP/hub-a.log" | awk '{print $4}' | sort -n | tail -n 1)
ok "$([ "${most:-0}" -le 200 ]; echo $?)" "none raising more than 200 (one alarm a case here; the most: $most)"
is "$(q -c "SELECT count(*) FROM xiaoan.cases WHERE source = 'flood' AND alarm_at < now()")" 0 \
   "no case is left to look at: each waits for its next moment"
is "$(q -c "SELECT count(*) FROM xiaoan.cases WHERE source = 'flood'
             AND alarm_at = feedback_due - xiaoan.due_soon_window(clock_start, feedback_due)")" 1000 \
   "the next one is the feedback stage entering its due-soon window"
sleep 2.5
is "$(overdue)" 1000 "a later sweep raises nothing again"
is "$(q -c "SELECT max(seq) - min(seq) + 1 - count(*) FROM xiaoan.case_event")" 0 "the audit trail has no gaps"
done_testing
