-- xiaoan schema, part 11: the deadline sweep in bounded steps, each case
-- looked at once per alarm moment.
--
-- Every alarm the sweep raises is an event, and every event transaction
-- holds the event counter's row lock until it commits (what keeps seq in
-- commit order). The sweep raised everything that was due in one
-- transaction: when a flood of cases reached their due-soon windows
-- together (a district-wide storm; 100,000 gate alerts of a load test, five
-- minutes on), one sweep ran for minutes and every ingest waited behind it:
-- no alert was answered meanwhile. And it read, at every run, every case
-- whose alarm time had passed, with its alarms long raised: the more
-- overdue cases, the longer each sweep (70 ms for 10,000).
--
-- Now one call takes at most p_limit cases, the most urgent first, and
-- moves each one's alarm_at on to its next alarm moment (entering a stage's
-- due-soon window, or passing its due time) still to come. It reports
-- whether cases were left over (more), and the leader calls again at once.
-- The case rows are locked before the event counter, as a step locks its
-- case first, and a case being acted on right now is skipped until the next
-- call. The events of a call are written together, the counter bumped once:
-- one transaction bumping it row by row walks an ever longer chain of its
-- own row versions (2.7 ms an alarm at 160 alarms). Steps and the insert trigger keep setting alarm_at
-- from the stages as before (006); a moment already raised is then just
-- looked at once more, found raised and passed over. (So are, once, the
-- cases of a database from before this migration: a few steps of the first
-- sweeps after the upgrade.)
SET search_path = xiaoan, pg_catalog;

-- The first of a stage's two alarm moments not yet passed at p_at (the
-- sweep raises a moment once now is strictly past it); NULL when both are.
CREATE FUNCTION alarm_moment_after(p_at timestamptz, p_start timestamptz, p_due timestamptz)
RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_due - xiaoan.due_soon_window(p_start, p_due) >= p_at
              THEN p_due - xiaoan.due_soon_window(p_start, p_due)
              WHEN p_due >= p_at THEN p_due END
$$;

-- A case's next alarm moment after p_at, over the stages still running
-- (the stages as alarm_time, 006, has them).
CREATE FUNCTION alarm_after(p_at timestamptz, p_state case_state, p_sign_start timestamptz,
                            p_sign_due timestamptz, p_clock_start timestamptz, p_feedback_at timestamptz,
                            p_feedback_due timestamptz, p_close_due timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
  SELECT least(
    CASE WHEN p_state = 'new' THEN xiaoan.alarm_moment_after(p_at, p_sign_start, p_sign_due) END,
    CASE WHEN p_state IN ('new', 'signed') AND p_feedback_at IS NULL
         THEN xiaoan.alarm_moment_after(p_at, p_clock_start, p_feedback_due) END,
    CASE WHEN p_state IN ('new', 'signed', 'in_progress')
         THEN xiaoan.alarm_moment_after(p_at, p_clock_start, p_close_due) END)
$$;

-- alarm_time (006), a case's first alarm moment, is the same walk over the
-- running stages from the beginning of time: one rule for which stages run.
CREATE OR REPLACE FUNCTION alarm_time(p_state case_state, p_sign_start timestamptz, p_sign_due timestamptz,
                                      p_clock_start timestamptz, p_feedback_at timestamptz,
                                      p_feedback_due timestamptz, p_close_due timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT xiaoan.alarm_after('-infinity', p_state, p_sign_start, p_sign_due, p_clock_start, p_feedback_at,
                            p_feedback_due, p_close_due)
$$;

DROP FUNCTION deadline_sweep();
CREATE FUNCTION deadline_sweep(p_limit integer DEFAULT 200, OUT raised integer, OUT more boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  v_ids bigint[];
  v_case bigint[];
  v_stage text[];
  v_kind text[];
  v_base bigint;
BEGIN
  WITH due AS (
    SELECT k.id FROM cases k
     WHERE k.state IN ('new', 'signed', 'in_progress') AND k.alarm_at < now()
     ORDER BY k.alarm_at
     LIMIT p_limit
       FOR UPDATE SKIP LOCKED
  ), moved AS (
    UPDATE cases k
       SET alarm_at = alarm_after(now(), k.state, k.sign_start, k.sign_due, k.clock_start, k.feedback_at,
                                  k.feedback_due, k.close_due)
      FROM due WHERE k.id = due.id
    RETURNING k.id
  )
  SELECT array_agg(id) INTO v_ids FROM moved;
  more := coalesce(cardinality(v_ids), 0) >= p_limit;
  raised := 0;
  IF v_ids IS NULL THEN
    RETURN;
  END IF;

  -- The alarms due on these cases and not raised yet, remembered (once per
  -- stage, kind and deadline)...
  WITH k AS (
    SELECT k.id, k.state, k.sign_start, k.sign_due, k.clock_start, k.feedback_at, k.feedback_due,
           k.close_due
      FROM cases k
     WHERE k.id = ANY (v_ids)
  ),
  st AS (
    SELECT k.id, 'sign' AS stage, k.sign_start AS start, k.sign_due AS due FROM k
     WHERE k.state = 'new' AND k.sign_due IS NOT NULL
    UNION ALL
    SELECT k.id, 'feedback', k.clock_start, k.feedback_due FROM k
     WHERE k.state IN ('new', 'signed') AND k.feedback_at IS NULL AND k.feedback_due IS NOT NULL
    UNION ALL
    SELECT k.id, 'close', k.clock_start, k.close_due FROM k
     WHERE k.close_due IS NOT NULL
  ),
  fresh AS (
    INSERT INTO deadline_alarm (case_id, stage, kind, due)
    SELECT st.id, st.stage, CASE WHEN now() > st.due THEN 'overdue' ELSE 'due_soon' END, st.due
      FROM st
     WHERE now() > st.due - due_soon_window(st.start, st.due)
    ON CONFLICT DO NOTHING
    RETURNING case_id, stage, kind, due
  )
  SELECT array_agg(f.case_id ORDER BY f.due, f.case_id, f.stage), array_agg(f.stage ORDER BY f.due, f.case_id, f.stage),
         array_agg(f.kind ORDER BY f.due, f.case_id, f.stage)
    INTO v_case, v_stage, v_kind
    FROM fresh f;
  raised := coalesce(cardinality(v_case), 0);
  IF raised = 0 THEN
    RETURN;
  END IF;
  -- ...and their events, written together as log_event (002/007) writes
  -- one: the counter is bumped once, its lock held only from here to commit.
  UPDATE event_counter SET last = last + raised RETURNING last - raised INTO v_base;
  INSERT INTO case_event (seq, case_id, kind, stage, actor, actor_name, note_private, state, version)
  SELECT v_base + a.n, a.case_id, a.kind, a.stage, 'xiaoan-hub', '系统', false, k.state, k.version
    FROM unnest(v_case, v_stage, v_kind) WITH ORDINALITY AS a(case_id, stage, kind, n)
    JOIN cases k ON k.id = a.case_id;
  PERFORM pg_notify('xiaoan_event', '');
END $$;

-- The overdue review (005, 006) found its cases through alarm_at, which the
-- sweep now moves past the deadlines it has raised. It reads the open cases
-- instead (the cases_open index of 009: a few thousand rows in a district,
-- read when a supervisor opens or reloads the view).
CREATE OR REPLACE VIEW overdue_review WITH (security_invoker = true) AS
SELECT c.id AS case_id, c.version, c.type, t.name_zh AS type_name, c.school, s.name AS school_name,
       c.town, tw.name AS town_name, c.holder AS unit, h.name AS unit_name, st.stage, st.due,
       now() - st.due AS over, floor(extract(epoch FROM now() - st.due))::bigint AS over_secs,
       c.state, c.severity, c.summary, c.opened_at, c.supervised, c.supervise_until
  FROM xiaoan.cases c
  CROSS JOIN LATERAL (VALUES
         (1, 'sign', CASE WHEN c.state = 'new' THEN c.sign_due END),
         (2, 'feedback', CASE WHEN c.state IN ('new', 'signed') AND c.feedback_at IS NULL THEN c.feedback_due END),
         (3, 'close', c.close_due)) AS st(n, stage, due)
  JOIN xiaoan.alert_type t ON t.code = c.type
  JOIN xiaoan.unit s ON s.code = c.school
  JOIN xiaoan.unit tw ON tw.code = c.town
  JOIN xiaoan.unit h ON h.code = c.holder
 WHERE c.is_open AND c.state IN ('new', 'signed', 'in_progress') AND st.due < now()
 ORDER BY st.due, c.id, st.n;

REVOKE ALL ON FUNCTION alarm_moment_after(timestamptz, timestamptz, timestamptz),
  alarm_after(timestamptz, case_state, timestamptz, timestamptz, timestamptz, timestamptz, timestamptz,
              timestamptz),
  deadline_sweep(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION deadline_sweep(integer) TO xiaoan_hub;
