-- Start-up data for the console's figures in make bench: :cases cases
-- (default 100,000) over every school, of which the newest :open (default
-- 10,000) are still open.
--
-- The cases are opened through xiaoan.ingest, so routing, parties and open
-- events are exactly those of real alerts, in batches of 5,000 alerts, one
-- transaction each (every event bumps the one-row event counter, and one
-- transaction updating a row 100,000 times would walk an ever longer chain
-- of its own row versions). Then direct UPDATEs as the superuser backdate
-- each case to when it occurred and move it along: the closed ones to
-- confirmed, the open ones to new / signed / in_progress. Their audit trail
-- is just the open event. Run on a migrated database as a superuser:
--
--   psql -X -v ON_ERROR_STOP=1 [-v cases=N] [-v open=M] -f scripts/bench/console_data.sql
--
-- The alerts come from the producer "console-data" with source_ids
-- console-data-1..N, so running it twice adds nothing.
\set QUIET on
\if :{?cases}
\else
  \set cases 100000
\endif
\if :{?open}
\else
  \set open 10000
\endif

SELECT (:cases)::int AS ncases, (:open)::int AS nopen, (:cases)::int - (:open)::int AS nclosed,
       (:open)::int BETWEEN 0 AND (:cases)::int AS counts_ok \gset
\if :counts_ok
\else
  \echo 'console_data.sql: need 0 <= open <= cases'
  \quit
\endif

-- One DO block per batch, each its own transaction; an item's error aborts.
SELECT format($batch$
DO $do$
DECLARE
  e text;
BEGIN
  WITH t AS (
    SELECT ARRAY['gate_open', 'gate_open', 'gate_open', 'patrol_post', 'patrol_post', 'traffic', 'traffic',
                 'drowning', 'minor_venue', 'panic_alarm', 'risk_person', 'dorm_absence', 'food_safety',
                 'guard_absent', 'legal_edu', 'mental_care'] AS codes
  ), s AS (
    SELECT array_agg(s.code ORDER BY s.code) AS codes, array_agg(u.name ORDER BY s.code) AS names
      FROM xiaoan.school s JOIN xiaoan.unit u USING (code)
  ), a AS (
    SELECT n, t.codes[1 + (n * 7) %% 16] AS type, 1 + (n * 37) %% cardinality(s.codes) AS si, s.codes, s.names
      FROM generate_series(%1$s, %2$s) n, t, s
  )
  SELECT min(r.error) INTO e
    FROM xiaoan.ingest('console-data', (
      SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
               'source_id', 'console-data-' || a.n,
               'type', a.type,
               'school', a.codes[a.si],
               'occurred_at',
                 CASE WHEN a.n <= %3$s   -- closed: over the last 90 days; open: the last day
                      THEN now() - interval '90 days' + (a.n::float8 / greatest(%3$s, 1)) * interval '89 days'
                      ELSE now() - interval '1 day' + ((a.n - %3$s)::float8 / greatest(%4$s, 1))
                                                       * interval '23 hours'
                 END,
               'severity', (ARRAY['normal', 'normal', 'low', 'high', 'normal', 'critical', 'normal', 'high'])[1 + a.n %% 8],
               'summary', a.names[a.si] || (SELECT name_zh FROM xiaoan.alert_type WHERE code = a.type)
                          || '预警（演示数据 ' || a.n || '）',
               'grade', CASE WHEN a.type = 'mental_care' THEN (ARRAY['low', 'medium', 'high'])[1 + a.n %% 3] END,
               'details', jsonb_build_object('generator', 'console_data.sql', 'n', a.n))) ORDER BY a.n)
        FROM a)) r;
  IF e IS NOT NULL THEN
    RAISE EXCEPTION 'console_data.sql: ingest refused an alert: %%', e;
  END IF;
END $do$;
$batch$, b * 5000 + 1, least((b + 1) * 5000, :ncases), :nclosed, :nopen)
  FROM generate_series(0, (:ncases - 1) / 5000) b
 WHERE :ncases > 0
\gexec

-- Pushed when they occurred: every clock moves back by the same amount
-- (legal_edu's feedback and close clocks already run from the course).
BEGIN;
UPDATE xiaoan.cases c
   SET opened_at = c.occurred_at,
       sign_start = c.occurred_at,
       clock_start = c.occurred_at,
       sign_due = c.sign_due - (c.opened_at - c.occurred_at),
       feedback_due = CASE WHEN c.type = 'legal_edu' THEN c.feedback_due
                           ELSE c.feedback_due - (c.opened_at - c.occurred_at) END,
       close_due = CASE WHEN c.type = 'legal_edu' THEN c.close_due
                        ELSE c.close_due - (c.opened_at - c.occurred_at) END
 WHERE c.source = 'console-data' AND c.state = 'new' AND c.version = 1;

-- The closed ones went the whole way: signed, first feedback, closed, confirmed.
UPDATE xiaoan.cases c
   SET state = 'confirmed',
       signed_at = c.occurred_at + interval '3 minutes', signed_by = 'console_data',
       feedback_at = CASE WHEN c.feedback_due IS NOT NULL THEN c.occurred_at + interval '20 minutes' END,
       closed_at = c.occurred_at + interval '90 minutes',
       confirmed_at = c.occurred_at + interval '3 hours',
       version = 5
 WHERE c.source = 'console-data' AND c.state = 'new'
   AND substr(c.source_id, 14)::int <= :nclosed;

-- The open ones: half new, three in ten signed, two in ten in progress.
UPDATE xiaoan.cases c
   SET state = CASE WHEN substr(c.source_id, 14)::int % 10 < 8 THEN 'signed' ELSE 'in_progress' END::xiaoan.case_state,
       signed_at = least(now(), c.occurred_at + interval '4 minutes'), signed_by = 'console_data',
       feedback_at = CASE WHEN substr(c.source_id, 14)::int % 10 >= 8
                          THEN least(now(), c.occurred_at + interval '25 minutes') END,
       version = CASE WHEN substr(c.source_id, 14)::int % 10 < 8 THEN 2 ELSE 3 END
 WHERE c.source = 'console-data' AND c.state = 'new'
   AND substr(c.source_id, 14)::int > :nclosed
   AND substr(c.source_id, 14)::int % 10 >= 5;
COMMIT;

ANALYZE xiaoan.cases;
ANALYZE xiaoan.case_unit;
ANALYZE xiaoan.case_event;

\set QUIET off
SELECT count(*) AS cases,
       count(*) FILTER (WHERE state <> 'confirmed') AS open,
       count(*) FILTER (WHERE state = 'new') AS new,
       count(*) FILTER (WHERE state = 'signed') AS signed,
       count(*) FILTER (WHERE state = 'in_progress') AS in_progress
  FROM xiaoan.cases WHERE source = 'console-data';
