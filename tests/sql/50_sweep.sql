-- Deadline alarms (due_soon / overdue raised exactly once per stage and
-- deadline) and the audit trail's gap-free sequence. Time is faked by
-- moving a case's timestamps back (the owner may write cases).
BEGIN;
SELECT plan(32);
\ir helpers.psql

SELECT pg_temp.officer('w5_sch', '李娜', 'S001', 'school_officer') AS officers \gset
SELECT pg_temp.open_case('a', 'gate_open', 'S001') AS a \gset
SELECT pg_temp.open_case('b', 'gate_open', 'S001') AS b \gset
SELECT pg_temp.open_case('c', 'drowning', 'S001') AS c \gset
SELECT pg_temp.open_case('d', 'gate_open', 'S001') AS d \gset
SELECT pg_temp.open_case('e', 'legal_edu', 'S003', jsonb_build_object('occurred_at', now() - interval '13 hours')) AS e \gset
SELECT pg_temp.open_case('f', 'panic_alarm', 'S001') AS f \gset

-- a: 1 minute left of its 5 (the due-soon window is a quarter: 75 s)
SELECT pg_temp.age(:a, interval '4 minutes') AS x \gset
-- b: a minute past its sign deadline
SELECT pg_temp.age(:b, interval '6 minutes') AS x \gset
-- c: signed, so its sign deadline no longer counts
SET SESSION AUTHORIZATION w5_sch;
SELECT lives_ok(format('SELECT xiaoan.case_sign(%s, 1, NULL)', :c), 'c is signed');
RESET SESSION AUTHORIZATION;
SELECT pg_temp.age(:c, interval '10 minutes') AS x \gset
-- d: 13 hours old: sign, feedback and close all overdue
SELECT pg_temp.age(:d, interval '13 hours') AS x \gset
-- f: closed, however late
SET SESSION AUTHORIZATION w5_sch;
SELECT lives_ok(format('SELECT xiaoan.case_sign(%s, 1, NULL)', :f), 'f is signed');
SELECT lives_ok(format('SELECT xiaoan.case_close(%s, 2, %L)', :f, '误报'), 'f is closed');
RESET SESSION AUTHORIZATION;
SELECT pg_temp.age(:f, interval '1 day') AS x \gset

SELECT last_seq AS before FROM xiaoan.last_seq() \gset
SET ROLE xiaoan_hub;
SELECT is((xiaoan.deadline_sweep()).raised, 6, 'the sweep raises six alarms');
SELECT is((xiaoan.deadline_sweep()).raised, 0, 'and none when run again');
RESET ROLE;
SELECT results_eq(
  format($$SELECT case_id, kind, stage FROM xiaoan.case_event WHERE seq > %s ORDER BY case_id, stage, kind$$, :before),
  format($$VALUES (%1$s::bigint, 'due_soon', 'sign'), (%2$s, 'overdue', 'sign'),
                  (%3$s, 'overdue', 'close'), (%3$s, 'overdue', 'feedback'), (%3$s, 'overdue', 'sign'),
                  (%4$s, 'overdue', 'close')$$, :a, :b, :d, :e),
  'due soon: a''s sign; overdue: b''s sign, d''s three stages, the course report e');
SELECT is(pg_temp.ev((SELECT min(seq) FROM xiaoan.case_event WHERE case_id = :a AND kind = 'due_soon')),
          'due_soon|sign|xiaoan-hub|系统||||new|1|', 'an alarm event names the system and keeps the case''s version');
SELECT is(pg_temp.ver(:a), 1, 'alarms do not change the case version');
SELECT is((SELECT count(*)::integer FROM xiaoan.deadline_alarm), 6, 'each alarm is remembered');

-- a's deadline passes: now it is overdue, once
SELECT pg_temp.age(:a, interval '2 minutes') AS x \gset
SELECT is((xiaoan.deadline_sweep()).raised, 1, 'a due-soon stage that passes its deadline raises overdue');
SELECT is((xiaoan.deadline_sweep()).raised, 0, 'once');
SELECT is((SELECT string_agg(kind, ',' ORDER BY seq) FROM xiaoan.case_event WHERE case_id = :a), 'open,due_soon,overdue',
          'a''s trail');

-- Acting on a case is not stale because of an alarm
SET SESSION AUTHORIZATION w5_sch;
SELECT lives_ok(format('SELECT xiaoan.case_sign(%s, 1, %L)', :a, '迟签'), 'sign a at the version the officer saw');
RESET SESSION AUTHORIZATION;
SELECT is((xiaoan.deadline_sweep()).raised, 0, 'a signed stage raises nothing more');

-- A new deadline is a new alarm
SET SESSION AUTHORIZATION w5_sch;
SELECT lives_ok(format('SELECT xiaoan.case_forward(%s, 1, %L, NULL)', :b, 'fh.jp.cmd'), 'b is forwarded: a new sign deadline');
RESET SESSION AUTHORIZATION;
SELECT is((xiaoan.deadline_sweep()).raised, 0, 'the new deadline is far');
UPDATE xiaoan.cases SET sign_start = now() - interval '10 minutes', sign_due = now() - interval '5 minutes' WHERE id = :b;
SELECT is((xiaoan.deadline_sweep()).raised, 1, 'the new deadline passing raises a new overdue');
SELECT is((SELECT count(*)::integer FROM xiaoan.deadline_alarm WHERE case_id = :b AND stage = 'sign'), 2,
          'one alarm per deadline');

-- The audit trail's sequence ----------------------------------------------------------------
SELECT last_seq AS before FROM xiaoan.last_seq() \gset
SET SESSION AUTHORIZATION w5_sch;
SELECT throws_ok(format('SELECT xiaoan.case_close(%s, 1, %L)', :d, '关'), 'XA002', NULL, 'a refused step');
RESET SESSION AUTHORIZATION;
SELECT is(xiaoan.last_seq(), :before::bigint, 'uses no sequence number');
SELECT results_eq(
  $$SELECT min(seq), max(seq), count(*) FROM xiaoan.case_event$$,
  $$SELECT 1::bigint, last, last FROM xiaoan.event_counter$$,
  'event numbers are gap-free from 1 to the counter');
SELECT is((SELECT count(*)::integer FROM (SELECT seq, at, lag(at) OVER (ORDER BY seq) AS prev FROM xiaoan.case_event) x
            WHERE at < prev), 0, 'and never go back in time');

-- alarm_at, set by ingest() itself and by the triggers on every other write,
-- is when the earliest open stage enters its due-soon window; the sweep
-- moves it on to the case's next alarm moment still to come (011).
SELECT is((SELECT count(*) FROM xiaoan.cases
            WHERE alarm_at IS DISTINCT FROM xiaoan.alarm_time(state, sign_start, sign_due, clock_start, feedback_at,
                                                              feedback_due, close_due)
              AND alarm_at IS DISTINCT FROM xiaoan.alarm_after(now(), state, sign_start, sign_due, clock_start,
                                                               feedback_at, feedback_due, close_due)), 0::bigint,
          'every case''s alarm_at agrees with its stages');
SELECT is((SELECT count(*) FROM xiaoan.cases WHERE state IN ('new', 'signed', 'in_progress') AND alarm_at IS NULL
              AND xiaoan.alarm_after(now(), state, sign_start, sign_due, clock_start, feedback_at, feedback_due,
                                     close_due) IS NOT NULL), 0::bigint,
          'no open case with an alarm still to come lacks an alarm time');
SELECT is((SELECT alarm_at FROM xiaoan.cases WHERE id = :c),
          (SELECT close_due - xiaoan.due_soon_window(clock_start, close_due) FROM xiaoan.cases WHERE id = :c),
          'swept: c (signed, its feedback alarms raised) waits for its close stage''s due-soon moment');
SELECT is((SELECT count(*) FROM xiaoan.cases WHERE state IN ('new', 'signed', 'in_progress') AND alarm_at < now()),
          0::bigint, 'no case is looked at again until its next moment comes');

-- The alarm-moment functions are folded into the queries that call them
-- (012): a call per case through the SQL-function executor, planned afresh
-- each time, was a tenth of a single alert's ingest.
CREATE FUNCTION pg_temp.plan_of(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r text;
  plan text := '';
BEGIN
  FOR r IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || p_sql LOOP
    plan := plan || r || E'\n';
  END LOOP;
  RETURN plan;
END $$;
SELECT unalike(pg_temp.plan_of($$SELECT xiaoan.alarm_time('new', now(), now() + interval '5 minutes', now(), NULL,
                                                          now() + interval '10 minutes', now() + interval '12 hours')$$),
              '%alarm_%', 'alarm_time is expanded in place, with no function call left in the plan');
-- The counter is bumped through its key (013), not by a scan of every page
-- its dead versions have left behind: once the planner knows the table has
-- grown (here 2,000 versions of the row, about a dozen pages), the bump
-- reads it through the primary key.
DO $$ BEGIN FOR i IN 1..2000 LOOP UPDATE xiaoan.event_counter_row SET last = last WHERE one; END LOOP; END $$;
ANALYZE xiaoan.event_counter_row;
SELECT unalike(pg_temp.plan_of('UPDATE xiaoan.event_counter SET last = last + 1'), '%Seq Scan%',
               'a grown event counter is reached through its primary key');

-- Steps: at most p_limit cases a call, the most urgent first, and "more"
-- while some are left over.
SELECT count(pg_temp.open_case('g' || i, 'gate_open', 'S002')) AS g FROM generate_series(1, 3) AS i \gset
SELECT count(pg_temp.age(id, interval '6 minutes')) AS g FROM xiaoan.cases WHERE source_id IN ('g1', 'g2', 'g3') \gset
SET ROLE xiaoan_hub;
SELECT is(xiaoan.deadline_sweep(2)::text, '(2,t)', 'a step of two cases: two alarms, more to come');
SELECT is(xiaoan.deadline_sweep(2)::text, '(1,f)', 'the next step: the third, nothing left');
SELECT is(xiaoan.deadline_sweep(2)::text, '(0,f)', 'then nothing');
RESET ROLE;
SELECT is((SELECT count(*) FROM xiaoan.case_event e JOIN xiaoan.cases k ON k.id = e.case_id
            WHERE k.source_id IN ('g1', 'g2', 'g3') AND e.kind = 'overdue'), 3::bigint, 'each overdue once');

SELECT * FROM finish();
ROLLBACK;
