-- xiaoan schema, part 2: the case engine. Every step of a case is one of these
-- functions; each checks the state machine, the actor's right and the version
-- the actor saw, writes one audit event and wakes the hubs (NOTIFY).
SET search_path = xiaoan, pg_catalog;

-- Errors carry our own SQLSTATEs so clients can tell them apart:
--   XA001 stale (someone acted first)   XA002 illegal in this state
--   XA003 no right                      XA004 bad argument
--   XA005 no such case / not visible

-- Who is acting: the login role of this session. (session_user, because the
-- functions below run as their owner.)
CREATE FUNCTION me() RETURNS officer LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = xiaoan, pg_catalog AS $$
  SELECT o FROM officer o WHERE o.login = session_user AND o.active
$$;
CREATE FUNCTION me_role() RETURNS officer_role LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = xiaoan, pg_catalog AS $$
  SELECT role FROM officer WHERE login = session_user AND active
$$;
CREATE FUNCTION me_unit() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = xiaoan, pg_catalog AS $$
  SELECT unit FROM officer WHERE login = session_user AND active
$$;
CREATE FUNCTION me_town() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = xiaoan, pg_catalog AS $$
  SELECT u.town FROM officer o JOIN unit u ON u.code = o.unit
   WHERE o.login = session_user AND o.active
$$;

CREATE FUNCTION setting_text(p_key text) RETURNS text LANGUAGE sql STABLE
SET search_path = xiaoan, pg_catalog AS $$
  SELECT value FROM setting WHERE key = p_key
$$;

-- Local wall-clock time of the district, for messages (the date only when
-- it is not today).
CREATE FUNCTION local_time(p_at timestamptz) RETURNS text LANGUAGE sql STABLE
SET search_path = xiaoan, pg_catalog AS $$
  SELECT to_char(p_at AT TIME ZONE z,
                 CASE WHEN (p_at AT TIME ZONE z)::date = (now() AT TIME ZONE z)::date
                      THEN 'HH24:MI:SS' ELSE 'YYYY-MM-DD HH24:MI:SS' END)
    FROM coalesce(setting_text('time_zone'), 'Asia/Shanghai') AS z
$$;

-- The database's clock and the district's UTC offset, for consoles and hubs.
CREATE FUNCTION clock() RETURNS TABLE(now timestamptz, utc_offset integer, time_zone text)
LANGUAGE sql STABLE SET search_path = xiaoan, pg_catalog AS $$
  SELECT clock_timestamp(),
         extract(epoch FROM (clock_timestamp() AT TIME ZONE z) - (clock_timestamp() AT TIME ZONE 'UTC'))::integer,
         z
    FROM coalesce(setting_text('time_zone'), 'Asia/Shanghai') AS z
$$;

CREATE FUNCTION unit_label(p_unit text) RETURNS text LANGUAGE sql STABLE
SET search_path = xiaoan, pg_catalog AS $$
  SELECT coalesce((SELECT name FROM unit WHERE code = p_unit), p_unit)
$$;

-- The sign limit of a type: its own, or the "promptly" default.
CREATE FUNCTION sign_limit_of(t alert_type) RETURNS interval LANGUAGE sql STABLE
SET search_path = xiaoan, pg_catalog AS $$
  SELECT CASE WHEN t.sign_promptly
              THEN make_interval(mins => coalesce(setting_text('promptly_minutes'), '5')::integer)
              ELSE t.sign_limit END
$$;

-- A routing target of alert_type ('school', 'town', 'police_station',
-- 'dept:<key>') for a given school.
CREATE FUNCTION resolve_target(p_target text, p_school text) RETURNS text LANGUAGE plpgsql STABLE
SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  v text;
BEGIN
  IF p_target = 'school' THEN
    v := p_school;
  ELSIF p_target = 'town' THEN
    SELECT c.code INTO v FROM unit s JOIN unit c ON c.town = s.town AND c.kind = 'command_room'
     WHERE s.code = p_school;
  ELSIF p_target = 'police_station' THEN
    SELECT c.code INTO v FROM unit s JOIN unit c ON c.town = s.town AND c.kind = 'police_station'
     WHERE s.code = p_school;
  ELSIF p_target LIKE 'dept:%' THEN
    SELECT code INTO v FROM unit WHERE dept_key = substr(p_target, 6);
  END IF;
  IF v IS NULL THEN
    RAISE EXCEPTION 'routing target "%" does not resolve for school %: fix the reference data', p_target, p_school
      USING ERRCODE = 'XA004';
  END IF;
  RETURN v;
END $$;

-- Where "escalate" sends a case: school -> its town's command room; town
-- units -> the district duty office (or the district police for a station);
-- district units -> the city.
CREATE FUNCTION escalation_target(p_unit text) RETURNS text LANGUAGE plpgsql STABLE
SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  u unit;
  v text;
BEGIN
  SELECT * INTO u FROM unit WHERE code = p_unit;
  IF u.kind = 'school' THEN
    SELECT code INTO v FROM unit WHERE town = u.town AND kind = 'command_room';
  ELSIF u.kind = 'police_station' THEN
    SELECT code INTO v FROM unit WHERE dept_key = 'police';
  ELSIF u.kind IN ('command_room', 'town') THEN
    v := setting_text('alert_issuer');
  ELSIF u.kind IN ('department', 'district') THEN
    SELECT code INTO v FROM unit WHERE kind = 'city';
  END IF;
  IF v IS NULL OR v = p_unit THEN
    RAISE EXCEPTION '% (%) has no higher level to escalate to', unit_label(p_unit), p_unit
      USING ERRCODE = 'XA002';
  END IF;
  RETURN v;
END $$;

-- Text typed by people: no control characters (they would reach terminals).
CREATE FUNCTION check_text(p_text text, p_field text, p_required boolean, p_max integer)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF p_text IS NULL OR btrim(p_text) = '' THEN
    IF p_required THEN
      RAISE EXCEPTION '% is required', p_field USING ERRCODE = 'XA004';
    END IF;
    RETURN NULL;
  END IF;
  IF p_text ~ '[\x01-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]' THEN
    RAISE EXCEPTION '% contains a control character; type plain text', p_field USING ERRCODE = 'XA004';
  END IF;
  IF length(p_text) > p_max THEN
    RAISE EXCEPTION '% is too long (% characters, at most %)', p_field, length(p_text), p_max
      USING ERRCODE = 'XA004';
  END IF;
  RETURN btrim(p_text);
END $$;

-- Appends one event. The counter row lock serialises writers until commit,
-- which is what makes seq gap-free and commit-ordered.
CREATE FUNCTION log_event(p_case cases, p_kind text, p_stage text, p_actor name, p_actor_name text,
                          p_unit text, p_from text, p_to text, p_note text)
RETURNS bigint LANGUAGE plpgsql SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  v_seq bigint;
BEGIN
  UPDATE event_counter SET last = last + 1 RETURNING last INTO v_seq;
  INSERT INTO case_event(seq, case_id, kind, stage, actor, actor_name, unit, from_unit, to_unit, note, state, version)
  VALUES (v_seq, p_case.id, p_kind, p_stage, p_actor, p_actor_name, p_unit, p_from, p_to, p_note,
          p_case.state, p_case.version);
  -- Identical notifications in one transaction merge: one wake-up per commit.
  PERFORM pg_notify('xiaoan_event', '');
  RETURN v_seq;
END $$;

CREATE FUNCTION event_verb(p_kind text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE p_kind
    WHEN 'open' THEN 'opened' WHEN 'sign' THEN 'signed' WHEN 'feedback' THEN 'given first feedback'
    WHEN 'forward' THEN 'forwarded' WHEN 'escalate' THEN 'escalated' WHEN 'dispatch_down' THEN 'dispatched down'
    WHEN 'return' THEN 'returned' WHEN 'close' THEN 'closed' WHEN 'confirm' THEN 'confirmed'
    WHEN 'reopen' THEN 'reopened' WHEN 'supervise' THEN 'put under supervision'
    WHEN 'unsupervise' THEN 'taken off supervision' WHEN 'assign' THEN 'assigned'
    WHEN 'sample' THEN 'picked for a sample audit' WHEN 'audit' THEN 'audited'
    WHEN 'report_hazard' THEN 'reported' WHEN 'visit' THEN 'visited' ELSE p_kind END
$$;

-- May the acting officer see this case? (The rule of the row-level policies.)
CREATE FUNCTION may_see(c cases, o officer) RETURNS boolean LANGUAGE sql STABLE
SET search_path = xiaoan, pg_catalog AS $$
  SELECT o.role IN ('dispatcher', 'supervisor', 'admin')
      OR c.holder = o.unit
      OR (o.role = 'school_officer' AND c.school = o.unit)
      OR (o.role = 'town_staff' AND NOT c.sensitive
          AND c.town = (SELECT town FROM unit WHERE code = o.unit))
      OR EXISTS (SELECT 1 FROM case_unit cu WHERE cu.case_id = c.id AND cu.unit = o.unit)
$$;

-- Locks the case, and checks who acts, what they saw and what state it is in.
-- p_right: 'holder' (the holding unit, or the duty room / a supervisor),
-- 'issuer' (the unit that issued it, or a supervisor), 'supervisor'.
CREATE FUNCTION step_begin(p_case bigint, p_version integer, p_action text, p_right text,
                           p_states case_state[])
RETURNS cases LANGUAGE plpgsql SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  c cases;
  o officer;
  e case_event;
BEGIN
  o := me();
  IF o.login IS NULL THEN
    RAISE EXCEPTION 'you (%) are not an active xiaoan officer: ask an administrator', session_user
      USING ERRCODE = 'XA003';
  END IF;
  SELECT * INTO c FROM cases WHERE id = p_case FOR UPDATE;
  IF NOT FOUND OR NOT may_see(c, o) THEN
    RAISE EXCEPTION 'case % does not exist or is not yours to see', p_case USING ERRCODE = 'XA005';
  END IF;
  IF p_version IS NOT NULL AND c.version <> p_version THEN
    SELECT * INTO e FROM case_event WHERE case_id = c.id AND kind NOT IN ('due_soon', 'overdue')
     ORDER BY seq DESC LIMIT 1;
    IF e.kind = p_action THEN
      RAISE EXCEPTION 'case % already % by % (%) at %', c.id, event_verb(e.kind), e.actor_name,
        unit_label(e.unit), local_time(e.at)
        USING ERRCODE = 'XA001', HINT = 'the case has changed; reload it';
    END IF;
    RAISE EXCEPTION 'case % was % by % (%) at % while you had it open; it is now %', c.id,
      event_verb(e.kind), e.actor_name, unit_label(e.unit), local_time(e.at), c.state
      USING ERRCODE = 'XA001', HINT = 'reload the case and decide again';
  END IF;
  IF NOT (c.state = ANY (p_states)) THEN
    RAISE EXCEPTION 'case % is %: it cannot be %', c.id, c.state, event_verb(p_action)
      USING ERRCODE = 'XA002',
            HINT = CASE WHEN c.state = 'new' THEN 'sign it first' ELSE 'refresh the case' END;
  END IF;
  IF p_right = 'holder' AND NOT (c.holder = o.unit OR o.role IN ('dispatcher', 'supervisor')) THEN
    RAISE EXCEPTION 'case % is held by %: % (%) cannot act on it', c.id, unit_label(c.holder),
      o.name, unit_label(o.unit) USING ERRCODE = 'XA003';
  ELSIF p_right = 'issuer' AND NOT (c.issuer = o.unit OR o.role = 'supervisor') THEN
    RAISE EXCEPTION 'case % was issued by %: only that unit or a supervisor can %', c.id,
      unit_label(c.issuer), CASE p_action WHEN 'confirm' THEN 'confirm it' ELSE 'reopen it' END
      USING ERRCODE = 'XA003';
  ELSIF p_right = 'supervisor' AND o.role <> 'supervisor' THEN
    RAISE EXCEPTION 'only supervisors can put cases under supervision (you are %)', o.role
      USING ERRCODE = 'XA003';
  END IF;
  RETURN c;
END $$;

-- occurred_at as PostgreSQL reads it, or NULL: a time it cannot read is that
-- item's error, not the whole batch's.
CREATE FUNCTION time_or_null(p_text text) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN p_text::timestamptz;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

-- Group commit: the hub sends every alert that arrived while the previous
-- transaction was committing, as one array; each item answers for itself
-- (idx counts from 0), in order. With p_producer NULL each item names its
-- producer in "producer" (set by the hub from the bearer token, never taken
-- from the request). Idempotent on (producer, source_id): a repeat answers
-- with the case and its open event, created false.
--
-- Set-based, because the batch is the unit of work: one INSERT per table,
-- and one update of event_counter reserving the batch's sequence numbers. Its
-- row lock, held until commit, keeps seq gap-free and in commit order. A
-- batch that opens nothing does not take it.
CREATE FUNCTION ingest(p_producer text, p_alerts jsonb)
RETURNS TABLE(idx integer, case_id bigint, seq bigint, created boolean, error text, field text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  v_i integer[];
  v_case bigint[];
  v_seq bigint[];
  v_created boolean[];
  v_error text[];
  v_field text[];
  v_src text[];     -- (v_src, v_sid): the key of an item whose case another hub opened meanwhile
  v_sid text[];
  v_raced boolean;
BEGIN
  IF jsonb_typeof(p_alerts) <> 'array' THEN
    RAISE EXCEPTION 'ingest expects a JSON array' USING ERRCODE = 'XA004';
  END IF;

  WITH item AS (
    SELECT (j.n - 1)::integer AS i, j.a, coalesce(p_producer, j.a->>'producer') AS src,
           j.a->>'source_id' AS sid, time_or_null(j.a->>'occurred_at') AS occ
      FROM jsonb_array_elements(p_alerts) WITH ORDINALITY AS j(a, n)
  ),
  -- The hub checks alerts before they get here; these checks keep one bad
  -- item from failing the whole batch all the same. Each names {field,
  -- message}; the first that fails is the item's error. key_err comes before
  -- the duplicate check, err after it (a repeat is answered as a repeat).
  chk AS (
    SELECT it.*, t.code AS type, t.holder AS t_holder, t.cc AS t_cc, t.cc_high AS t_cc_high,
           t.sensitive AS sens, t.name_zh, t.sign_promptly, t.sign_limit, t.feedback_limit, t.close_limit,
           t.clock_from, sc.code AS school, sc.town, it.a->>'grade' AS grade,
           coalesce(it.a->>'severity', 'normal') AS sev,
           CASE
             WHEN coalesce(it.src, '') = '' THEN ARRAY['producer', 'the producer is missing']
             WHEN coalesce(it.sid, '') = '' OR length(it.sid) > 128
               THEN ARRAY['source_id', 'source_id is required (1 to 128 characters)']
           END AS key_err,
           CASE
             WHEN t.code IS NULL OR t.is_hazard
               THEN ARRAY['type', format('unknown alert type "%s"', it.a->>'type')]
             WHEN sc.code IS NULL THEN ARRAY['school', format('unknown school "%s"', it.a->>'school')]
             WHEN it.occ IS NULL THEN ARRAY['occurred_at', 'occurred_at is not a valid time']
             WHEN it.occ > now() + interval '1 day'
               THEN ARRAY['occurred_at', 'occurred_at is more than a day in the future: check the producer''s clock']
             WHEN t.code = 'mental_care' AND it.a->>'grade' IS NULL
               THEN ARRAY['grade', 'mental_care alerts need a grade (low, medium or high)']
             WHEN t.code <> 'mental_care' AND it.a->>'grade' IS NOT NULL
               THEN ARRAY['grade', 'grade applies to mental_care alerts only']
             WHEN it.a->>'grade' NOT IN ('low', 'medium', 'high')
               THEN ARRAY['grade', format('grade "%s" is not low, medium or high', it.a->>'grade')]
             WHEN coalesce(it.a->>'severity', 'normal') NOT IN ('low', 'normal', 'high', 'critical')
               THEN ARRAY['severity', format('severity "%s" is not low, normal, high or critical', it.a->>'severity')]
             WHEN coalesce(btrim(it.a->>'summary'), '') = '' OR length(it.a->>'summary') > 500
               THEN ARRAY['summary', 'summary is required (1 to 500 characters)']
           END AS err
      FROM item it
      LEFT JOIN alert_type t ON t.code = it.a->>'type'
      LEFT JOIN unit sc ON sc.code = it.a->>'school' AND sc.kind = 'school'
  ),
  -- old: the case opened by an earlier batch (LIMIT 1 keeps it one index probe
  -- per item, never a join over all cases); first_ok: the first good item of
  -- the same key in this batch, which opens the case (later ones repeat it).
  keyed AS (
    SELECT c.*, k.id AS old,
           -- a flag rather than the comparison, for the planner's row estimates
           (k.id IS NULL AND c.i = c.first_ok) AS opens
      FROM (SELECT c.*, min(c.i) FILTER (WHERE c.key_err IS NULL AND c.err IS NULL)
                          OVER (PARTITION BY c.src, c.sid) AS first_ok
              FROM chk c) c
      LEFT JOIN LATERAL (SELECT k.id FROM cases k WHERE k.source = c.src AND k.source_id = c.sid LIMIT 1) k
        ON c.key_err IS NULL
  ),
  -- The items that open a case, with the units it goes to: the holder first,
  -- then the copies (resolved as resolve_target does, which is left to report
  -- a target the reference data cannot resolve).
  fresh AS (
    SELECT f.*, r.units
      FROM keyed f
      CROSS JOIN LATERAL (
        SELECT array_agg(coalesce(
                 CASE x.target
                   WHEN 'school' THEN f.school
                   WHEN 'town' THEN (SELECT u.code FROM unit u
                                      WHERE u.town = f.town AND u.kind = 'command_room' LIMIT 1)
                   WHEN 'police_station' THEN (SELECT u.code FROM unit u
                                                WHERE u.town = f.town AND u.kind = 'police_station' LIMIT 1)
                   ELSE (SELECT u.code FROM unit u WHERE x.target LIKE 'dept:%' AND u.dept_key = substr(x.target, 6)
                          LIMIT 1)
                 END, resolve_target(x.target, f.school)) ORDER BY x.n) AS units
          FROM unnest(ARRAY[f.t_holder] || f.t_cc
                      || CASE WHEN f.grade = 'high' OR f.sev = 'critical' THEN f.t_cc_high ELSE '{}' END)
                 WITH ORDINALITY AS x(target, n)) r
     WHERE f.opens
  ),
  cfg AS MATERIALIZED (   -- as sign_limit_of and setting_text have them, read once
    SELECT coalesce((SELECT v.value FROM setting v WHERE v.key = 'promptly_minutes'), '5')::integer AS promptly,
           (SELECT v.value FROM setting v WHERE v.key = 'alert_issuer') AS issuer
  ),
  ins AS (
    INSERT INTO cases AS k (type, school, town, severity, grade, sensitive, summary, details, source, source_id,
                            issuer, holder, occurred_at, clock_start, sign_due, feedback_due, close_due)
    SELECT f.type, f.school, f.town, f.sev::severity, f.grade, f.sens,
           -- sensitive: a neutral label here, the producer's text in case_private
           CASE WHEN f.sens
                THEN f.name_zh || '预警' || coalesce('（' || CASE f.grade WHEN 'high' THEN '高危'
                     WHEN 'medium' THEN '中危' WHEN 'low' THEN '低危' END || '）', '')
                ELSE f.a->>'summary' END,
           CASE WHEN f.sens THEN NULL ELSE f.a->'details' END, f.src, f.sid,
           g.issuer, f.units[1], f.occ, s.clock,
           now() + CASE WHEN f.sign_promptly THEN make_interval(mins => g.promptly) ELSE f.sign_limit END,
           s.clock + f.feedback_limit, s.clock + f.close_limit
      FROM fresh f
      CROSS JOIN cfg g
      CROSS JOIN LATERAL (SELECT CASE f.clock_from WHEN 'occurred' THEN f.occ ELSE now() END AS clock) s
     ORDER BY f.i
    ON CONFLICT (source, source_id) DO NOTHING
    RETURNING k.id, k.source, k.source_id, k.holder, k.state, k.version
  ),
  made AS (
    SELECT f.i, k.id, k.holder, k.state, k.version, f.src, f.sid, f.sens, f.a, f.units,
           row_number() OVER (ORDER BY f.i) AS r
      FROM ins k JOIN fresh f ON f.src = k.source AND f.sid = k.source_id
  ),
  counter AS (
    UPDATE event_counter SET last = last + x.n
      FROM (SELECT count(*) AS n FROM made) x
     WHERE x.n > 0
    RETURNING last - x.n AS base
  ),
  opened AS (
    SELECT m.*, c.base + m.r AS seq FROM made m CROSS JOIN counter c
  ),
  ev AS (
    INSERT INTO case_event (seq, case_id, kind, actor, actor_name, to_unit, state, version)
    SELECT o.seq, o.id, 'open', o.src::name, o.src, o.holder, o.state, o.version FROM opened o
  ),
  priv AS (
    INSERT INTO case_private (case_id, summary, details)
    SELECT m.id, m.a->>'summary', m.a->'details' FROM made m WHERE m.sens
  ),
  party AS (
    INSERT INTO case_unit (case_id, unit, relation)
    SELECT DISTINCT ON (m.id, u.unit) m.id, u.unit, CASE WHEN u.n = 1 THEN 'holder' ELSE 'cc' END
      FROM made m CROSS JOIN LATERAL unnest(m.units) WITH ORDINALITY AS u(unit, n)
     WHERE u.n = 1 OR u.unit <> m.holder
     ORDER BY m.id, u.unit, u.n
  ),
  answer AS (
    SELECT c.i,
           CASE WHEN c.old IS NOT NULL THEN c.old WHEN w.batch THEN o.id END AS cid,
           CASE WHEN c.old IS NOT NULL THEN (SELECT min(e.seq) FROM case_event e WHERE e.case_id = c.old)
                WHEN w.batch THEN o.seq END AS sq,
           w.batch AND c.i = c.first_ok AND o.id IS NOT NULL AS cr,
           coalesce(c.key_err, CASE WHEN c.old IS NULL AND NOT w.batch THEN c.err END) AS er,
           -- the case of the key was opened by another hub since this
           -- statement began: looked up below
           CASE WHEN w.batch AND o.id IS NULL THEN c.src END AS rsrc,
           CASE WHEN w.batch AND o.id IS NULL THEN c.sid END AS rsid
      FROM keyed c
      CROSS JOIN LATERAL (SELECT c.key_err IS NULL AND c.old IS NULL AND coalesce(c.i >= c.first_ok, false)
                                 AS batch) w   -- the key's case is this batch's
      LEFT JOIN opened o ON o.src = c.src AND o.sid = c.sid
  )
  SELECT array_agg(a.i ORDER BY a.i), array_agg(a.cid ORDER BY a.i), array_agg(a.sq ORDER BY a.i),
         array_agg(a.cr ORDER BY a.i), array_agg(a.er[2] ORDER BY a.i), array_agg(a.er[1] ORDER BY a.i),
         array_agg(a.rsrc ORDER BY a.i), array_agg(a.rsid ORDER BY a.i), bool_or(a.rsrc IS NOT NULL)
    INTO v_i, v_case, v_seq, v_created, v_error, v_field, v_src, v_sid, v_raced
    FROM answer a;

  IF true = ANY (v_created) THEN
    -- Identical notifications in one transaction merge: one wake-up per commit.
    PERFORM pg_notify('xiaoan_event', '');
  END IF;
  IF v_raced THEN
    -- A new statement sees what the other hub committed.
    SELECT array_agg(coalesce(k.id, r.cid) ORDER BY r.i), array_agg(coalesce(k.sq, r.sq) ORDER BY r.i)
      INTO v_case, v_seq
      FROM unnest(v_i, v_case, v_seq, v_src, v_sid) AS r(i, cid, sq, src, sid)
      LEFT JOIN LATERAL (SELECT k.id, (SELECT min(e.seq) FROM case_event e WHERE e.case_id = k.id) AS sq
                           FROM cases k WHERE k.source = r.src AND k.source_id = r.sid) k ON true;
  END IF;
  RETURN QUERY SELECT * FROM unnest(v_i, v_case, v_seq, v_created, v_error, v_field);
END $$;

-- Common tail of every step: bump the version and log the event.
CREATE FUNCTION step_end(c cases, o officer, p_kind text, p_stage text, p_from text, p_to text, p_note text,
                         OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SET search_path = xiaoan, pg_catalog AS $$
BEGIN
  version := c.version;
  seq := log_event(c, p_kind, p_stage, o.login, o.name, o.unit, p_from, p_to, p_note);
END $$;

CREATE FUNCTION case_sign(p_case bigint, p_version integer, p_note text DEFAULT NULL,
                          OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE c cases; o officer; v_note text;
BEGIN
  c := step_begin(p_case, p_version, 'sign', 'holder', '{new}');
  o := me();
  v_note := check_text(p_note, 'note', false, 2000);
  UPDATE cases SET state = 'signed', signed_at = now(), signed_by = o.login, version = cases.version + 1
   WHERE id = c.id RETURNING * INTO c;
  SELECT * INTO version, seq FROM step_end(c, o, 'sign', NULL, NULL, NULL, v_note);
END $$;

CREATE FUNCTION case_feedback(p_case bigint, p_version integer, p_note text,
                              OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE c cases; o officer; v_note text;
BEGIN
  c := step_begin(p_case, p_version, 'feedback', 'holder', '{signed}');
  o := me();
  v_note := check_text(p_note, 'the first feedback', true, 2000);
  UPDATE cases SET state = 'in_progress', feedback_at = coalesce(feedback_at, now()),
                   version = cases.version + 1
   WHERE id = c.id RETURNING * INTO c;
  SELECT * INTO version, seq FROM step_end(c, o, 'feedback', NULL, NULL, NULL, v_note);
END $$;

-- Hands the case to another unit, which must sign it again: its own sign clock
-- starts now; the feedback and closed-loop clocks keep running from the alert.
CREATE FUNCTION transfer(c cases, o officer, p_kind text, p_to text, p_note text,
                         OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  t alert_type;
  v_from text := c.holder;
BEGIN
  IF p_to = c.holder THEN
    RAISE EXCEPTION 'case % is already held by %', c.id, unit_label(p_to) USING ERRCODE = 'XA004';
  END IF;
  SELECT * INTO t FROM alert_type WHERE code = c.type;
  UPDATE cases SET holder = p_to, state = 'new', sign_start = now(),
                   sign_due = now() + coalesce(sign_limit_of(t), make_interval(mins =>
                              coalesce(setting_text('promptly_minutes'), '5')::integer)),
                   signed_at = NULL, signed_by = NULL, version = cases.version + 1
   WHERE id = c.id RETURNING * INTO c;
  UPDATE case_unit SET relation = 'past' WHERE case_id = c.id AND unit = v_from;
  INSERT INTO case_unit VALUES (c.id, p_to, 'holder')
    ON CONFLICT (case_id, unit) DO UPDATE SET relation = 'holder';
  SELECT * INTO version, seq FROM step_end(c, o, p_kind, NULL, v_from, p_to, p_note);
END $$;

CREATE FUNCTION case_forward(p_case bigint, p_version integer, p_to text, p_note text,
                             OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE c cases; o officer; u unit;
BEGIN
  c := step_begin(p_case, p_version, 'forward', 'holder', '{new,signed,in_progress}');
  o := me();
  SELECT * INTO u FROM unit WHERE code = p_to;
  IF NOT FOUND OR u.kind IN ('city', 'district', 'town') THEN
    RAISE EXCEPTION 'cannot forward case % to "%": pick a department, command room, police station or school',
      c.id, p_to USING ERRCODE = 'XA004';
  END IF;
  SELECT * INTO version, seq FROM transfer(c, o, 'forward', p_to, check_text(p_note, 'note', false, 2000));
END $$;

CREATE FUNCTION case_escalate(p_case bigint, p_version integer, p_note text,
                              OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE c cases; o officer;
BEGIN
  c := step_begin(p_case, p_version, 'escalate', 'holder', '{new,signed,in_progress}');
  o := me();
  SELECT * INTO version, seq FROM transfer(c, o, 'escalate', escalation_target(c.holder),
                                           check_text(p_note, 'the reason for escalating', true, 2000));
END $$;

-- District -> a town's command room, which then assigns it.
CREATE FUNCTION case_dispatch_down(p_case bigint, p_version integer, p_town text, p_note text,
                                   OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE c cases; o officer; v_room text; v_kind unit_kind;
BEGIN
  c := step_begin(p_case, p_version, 'dispatch_down', 'holder', '{new,signed,in_progress}');
  o := me();
  SELECT kind INTO v_kind FROM unit WHERE code = c.holder;
  IF v_kind NOT IN ('district', 'department') THEN
    RAISE EXCEPTION 'case % is held by % at town level: only district units dispatch down',
      c.id, unit_label(c.holder) USING ERRCODE = 'XA002';
  END IF;
  SELECT r.code INTO v_room FROM unit r
   WHERE r.kind = 'command_room' AND (r.code = p_town OR r.town = p_town);
  IF v_room IS NULL THEN
    RAISE EXCEPTION '"%" is not a town or a town command room', p_town USING ERRCODE = 'XA004';
  END IF;
  SELECT * INTO version, seq FROM transfer(c, o, 'dispatch_down', v_room, check_text(p_note, 'note', false, 2000));
END $$;

-- Sends a case outside the holder's remit back to the unit that passed it on.
CREATE FUNCTION case_return(p_case bigint, p_version integer, p_note text,
                            OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE c cases; o officer; v_back text;
BEGIN
  c := step_begin(p_case, p_version, 'return', 'holder', '{new,signed,in_progress}');
  o := me();
  SELECT e.from_unit INTO v_back FROM case_event e
   WHERE e.case_id = c.id AND e.to_unit = c.holder AND e.from_unit IS NOT NULL
   ORDER BY e.seq DESC LIMIT 1;
  IF v_back IS NULL THEN
    RAISE EXCEPTION 'case % came to % straight from the alert: there is no one to return it to',
      c.id, unit_label(c.holder) USING ERRCODE = 'XA002', HINT = 'forward it, or close it with a note';
  END IF;
  SELECT * INTO version, seq FROM transfer(c, o, 'return', v_back,
                                           check_text(p_note, 'the reason for returning', true, 2000));
END $$;

CREATE FUNCTION case_close(p_case bigint, p_version integer, p_note text,
                           OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE c cases; o officer; v_note text;
BEGIN
  c := step_begin(p_case, p_version, 'close', 'holder', '{signed,in_progress}');
  o := me();
  v_note := check_text(p_note, 'the result', true, 2000);
  UPDATE cases SET state = 'closed', closed_at = now(), version = cases.version + 1
   WHERE id = c.id RETURNING * INTO c;
  SELECT * INTO version, seq FROM step_end(c, o, 'close', NULL, NULL, NULL, v_note);
END $$;

CREATE FUNCTION case_confirm(p_case bigint, p_version integer, p_note text DEFAULT NULL,
                             OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE c cases; o officer; v_note text;
BEGIN
  c := step_begin(p_case, p_version, 'confirm', 'issuer', '{closed}');
  o := me();
  v_note := check_text(p_note, 'note', false, 2000);
  UPDATE cases SET state = 'confirmed', confirmed_at = now(), version = cases.version + 1
   WHERE id = c.id RETURNING * INTO c;
  SELECT * INTO version, seq FROM step_end(c, o, 'confirm', NULL, NULL, NULL, v_note);
END $$;

-- The issuer rejects the result: back to work, the closed-loop clock unchanged.
CREATE FUNCTION case_reopen(p_case bigint, p_version integer, p_note text,
                            OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE c cases; o officer; v_note text;
BEGIN
  c := step_begin(p_case, p_version, 'reopen', 'issuer', '{closed}');
  o := me();
  v_note := check_text(p_note, 'the reason for reopening', true, 2000);
  UPDATE cases SET state = CASE WHEN feedback_at IS NULL THEN 'signed' ELSE 'in_progress' END::case_state,
                   closed_at = NULL, reopen_count = reopen_count + 1, version = cases.version + 1
   WHERE id = c.id RETURNING * INTO c;
  SELECT * INTO version, seq FROM step_end(c, o, 'reopen', NULL, NULL, NULL, v_note);
END $$;

CREATE FUNCTION case_supervise(p_case bigint, p_version integer, p_note text, p_until date DEFAULT NULL,
                               OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE c cases; o officer; v_note text;
BEGIN
  c := step_begin(p_case, p_version, 'supervise', 'supervisor', '{new,signed,in_progress,closed}');
  o := me();
  IF c.supervised THEN
    RAISE EXCEPTION 'case % is already under supervision', c.id USING ERRCODE = 'XA002';
  END IF;
  v_note := check_text(p_note, 'the reason for supervision', true, 2000);
  UPDATE cases SET supervised = true, supervise_note = v_note, supervise_until = p_until,
                   version = cases.version + 1
   WHERE id = c.id RETURNING * INTO c;
  SELECT * INTO version, seq FROM step_end(c, o, 'supervise', NULL, NULL, NULL,
                                           v_note || coalesce(' (follow up by ' || p_until || ')', ''));
END $$;

CREATE FUNCTION case_unsupervise(p_case bigint, p_version integer, p_note text DEFAULT NULL,
                                 OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE c cases; o officer; v_note text;
BEGIN
  c := step_begin(p_case, p_version, 'unsupervise', 'supervisor',
                                     '{new,signed,in_progress,closed,confirmed}');
  o := me();
  IF NOT c.supervised THEN
    RAISE EXCEPTION 'case % is not under supervision', c.id USING ERRCODE = 'XA002';
  END IF;
  v_note := check_text(p_note, 'note', false, 2000);
  UPDATE cases SET supervised = false, supervise_until = NULL, version = cases.version + 1
   WHERE id = c.id RETURNING * INTO c;
  SELECT * INTO version, seq FROM step_end(c, o, 'unsupervise', NULL, NULL, NULL, v_note);
END $$;
