-- xiaoan schema, part 6: reference integrity of the case tables, kept from
-- the reference side.
--
-- Every alert writes a case, its parties and its open event; with foreign
-- keys from those rows to the reference tables (unit, school, alert_type)
-- and to cases, each row paid its own lookup-and-lock query (about thirteen
-- per alert, some 40% of ingest's work). The references cannot go wrong on
-- the way in: nobody writes these tables but the case engine (SECURITY
-- DEFINER functions), and the engine only writes units it has just resolved
-- from the reference tables (ingest joins alert_type and unit; steps resolve
-- their target unit). What a foreign key also guarded — a referenced unit,
-- school or alert type deleted or renamed, a case removed under its audit
-- trail — is now refused by the triggers below, on the tables that change a
-- few times a year rather than on the ones that grow by thousands a minute.
SET search_path = xiaoan, pg_catalog;

ALTER TABLE cases
  DROP CONSTRAINT cases_type_fkey,
  DROP CONSTRAINT cases_school_fkey,
  DROP CONSTRAINT cases_town_fkey,
  DROP CONSTRAINT cases_issuer_fkey,
  DROP CONSTRAINT cases_holder_fkey;
ALTER TABLE case_unit
  DROP CONSTRAINT case_unit_case_id_fkey,
  DROP CONSTRAINT case_unit_unit_fkey;
ALTER TABLE case_event
  DROP CONSTRAINT case_event_case_id_fkey,
  DROP CONSTRAINT case_event_unit_fkey,
  DROP CONSTRAINT case_event_from_unit_fkey,
  DROP CONSTRAINT case_event_to_unit_fkey;
ALTER TABLE case_private
  DROP CONSTRAINT case_private_case_id_fkey;

-- A unit, school or alert type that a case names keeps its code for ever.
-- Runs only on DELETE or on an UPDATE that changes the code, so the
-- reference scripts' upserts of names and phones never pay for it.
CREATE FUNCTION reference_in_use() RETURNS trigger LANGUAGE plpgsql
SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  v_code text := OLD.code;
  v_used text;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.code = OLD.code THEN
    RETURN NEW;
  END IF;
  IF TG_TABLE_NAME = 'alert_type' THEN
    SELECT 'case ' || id INTO v_used FROM cases WHERE type = v_code LIMIT 1;
  ELSIF TG_TABLE_NAME = 'school' THEN
    SELECT 'case ' || id INTO v_used FROM cases WHERE school = v_code LIMIT 1;
  ELSE
    SELECT 'case ' || id INTO v_used FROM cases
     WHERE v_code IN (school, town, issuer, holder) LIMIT 1;
    IF v_used IS NULL THEN
      SELECT 'case ' || case_id INTO v_used FROM case_unit WHERE unit = v_code LIMIT 1;
    END IF;
    IF v_used IS NULL THEN
      SELECT 'event ' || seq INTO v_used FROM case_event
       WHERE v_code IN (unit, from_unit, to_unit) LIMIT 1;
    END IF;
  END IF;
  IF v_used IS NOT NULL THEN
    RAISE EXCEPTION '% "%" is named by % (and maybe others): it cannot be %', TG_TABLE_NAME, v_code, v_used,
      CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'renamed' END
      USING ERRCODE = 'foreign_key_violation',
            HINT = 'cases are kept for ever; change the name, not the code';
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER unit_in_use BEFORE DELETE OR UPDATE OF code ON unit
  FOR EACH ROW EXECUTE FUNCTION reference_in_use();
CREATE TRIGGER school_in_use BEFORE DELETE OR UPDATE OF code ON school
  FOR EACH ROW EXECUTE FUNCTION reference_in_use();
CREATE TRIGGER alert_type_in_use BEFORE DELETE OR UPDATE OF code ON alert_type
  FOR EACH ROW EXECUTE FUNCTION reference_in_use();

-- Cases, their parties and their private part are kept: no DELETE, no
-- TRUNCATE, no new id, whoever asks (officers have no such grant; this
-- stops the owner too, short of disabling the trigger on purpose).
CREATE FUNCTION case_is_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'cases are kept: % on % is not allowed', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER cases_kept BEFORE DELETE OR UPDATE OF id ON cases
  FOR EACH ROW EXECUTE FUNCTION case_is_kept();
CREATE TRIGGER cases_no_truncate BEFORE TRUNCATE ON cases
  FOR EACH STATEMENT EXECUTE FUNCTION case_is_kept();
CREATE TRIGGER case_unit_kept BEFORE DELETE OR UPDATE OF case_id ON case_unit
  FOR EACH ROW EXECUTE FUNCTION case_is_kept();
CREATE TRIGGER case_unit_no_truncate BEFORE TRUNCATE ON case_unit
  FOR EACH STATEMENT EXECUTE FUNCTION case_is_kept();
CREATE TRIGGER case_private_kept BEFORE DELETE OR UPDATE OF case_id ON case_private
  FOR EACH ROW EXECUTE FUNCTION case_is_kept();
CREATE TRIGGER case_private_no_truncate BEFORE TRUNCATE ON case_private
  FOR EACH STATEMENT EXECUTE FUNCTION case_is_kept();

-- The hub reads new events after every commit it is woken for, hundreds of
-- times a second under load. As a SQL function with SET search_path it
-- could not be inlined, so each call parsed and planned its query afresh;
-- PL/pgSQL keeps the plan for the session.
CREATE OR REPLACE FUNCTION stream_events(p_after bigint, p_limit integer)
RETURNS TABLE(seq bigint, kind text, stage text, at timestamptz, actor_name text, unit text,
              case_id bigint, type text, school text, town text, holder text, state case_state,
              severity severity, summary text, version integer, supervised boolean, sensitive boolean,
              opened_at timestamptz, sign_start timestamptz, sign_due timestamptz, signed_at timestamptz,
              feedback_due timestamptz, feedback_at timestamptz, close_due timestamptz,
              closed_at timestamptz, parties text[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
BEGIN
  RETURN QUERY
  SELECT e.seq, e.kind, e.stage, e.at, e.actor_name, e.unit,
         c.id, c.type, c.school, c.town, c.holder, c.state, c.severity, c.summary, c.version,
         c.supervised, c.sensitive, c.opened_at, c.sign_start, c.sign_due, c.signed_at,
         c.feedback_due, c.feedback_at, c.close_due, c.closed_at,
         ARRAY(SELECT cu.unit FROM case_unit cu WHERE cu.case_id = c.id ORDER BY cu.unit)
    FROM case_event e JOIN cases c ON c.id = e.case_id
   WHERE e.seq > p_after
   ORDER BY e.seq
   LIMIT p_limit;
END $$;

-- The deadline sweep runs every second on the leading hub. It used to read
-- every open case to find the few whose stage falls due; with tens of
-- thousands open (a busy week, a load test) that took a fifth of a core.
-- Now each case carries alarm_at: when the earliest of its open stages
-- enters its due_soon window (or NULL when no stage runs). A trigger keeps
-- it, so no writer of cases can forget it, and the sweep reads only the
-- cases whose alarm_at has passed, through an index.
CREATE FUNCTION alarm_time(p_state case_state, p_sign_start timestamptz, p_sign_due timestamptz,
                           p_clock_start timestamptz, p_feedback_at timestamptz,
                           p_feedback_due timestamptz, p_close_due timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT least(
    CASE WHEN p_state = 'new' THEN p_sign_due - xiaoan.due_soon_window(p_sign_start, p_sign_due) END,
    CASE WHEN p_state IN ('new', 'signed') AND p_feedback_at IS NULL
         THEN p_feedback_due - xiaoan.due_soon_window(p_clock_start, p_feedback_due) END,
    CASE WHEN p_state IN ('new', 'signed', 'in_progress')
         THEN p_close_due - xiaoan.due_soon_window(p_clock_start, p_close_due) END)
$$;

CREATE FUNCTION case_alarm_at() RETURNS trigger LANGUAGE plpgsql
SET search_path = xiaoan, pg_catalog AS $$
BEGIN
  NEW.alarm_at := alarm_time(NEW.state, NEW.sign_start, NEW.sign_due, NEW.clock_start, NEW.feedback_at,
                             NEW.feedback_due, NEW.close_due);
  RETURN NEW;
END $$;

ALTER TABLE cases ADD COLUMN alarm_at timestamptz;
UPDATE cases SET alarm_at = alarm_time(state, sign_start, sign_due, clock_start, feedback_at, feedback_due,
                                       close_due)
 WHERE state IN ('new', 'signed', 'in_progress');
-- ingest() sets alarm_at itself (a trigger call per alert is a cost at
-- thousands a second); every other writer leaves it to the triggers.
CREATE TRIGGER cases_alarm_at_insert BEFORE INSERT ON cases
  FOR EACH ROW WHEN (NEW.alarm_at IS NULL) EXECUTE FUNCTION case_alarm_at();
CREATE TRIGGER cases_alarm_at BEFORE UPDATE OF state, sign_start, sign_due, clock_start,
  feedback_at, feedback_due, close_due ON cases
  FOR EACH ROW EXECUTE FUNCTION case_alarm_at();
CREATE INDEX cases_alarm ON cases (alarm_at) WHERE state IN ('new', 'signed', 'in_progress');
-- cases_open (state, for every case not confirmed) served the sweep and the
-- overdue review, which now read cases_alarm; the consoles' "everything
-- not confirmed" is the very predicate of cases_holder. One index fewer to
-- write for every alert.
DROP INDEX cases_open;

CREATE OR REPLACE FUNCTION deadline_sweep() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  r record;
  n integer := 0;
  c cases;
BEGIN
  FOR r IN
    WITH k AS (
      SELECT k.id, k.state, k.sign_start, k.sign_due, k.clock_start, k.feedback_at, k.feedback_due,
             k.close_due
        FROM cases k
       WHERE k.state IN ('new', 'signed', 'in_progress') AND k.alarm_at < now()
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
    )
    SELECT st.*, CASE WHEN now() > st.due THEN 'overdue' ELSE 'due_soon' END AS kind
      FROM st
     WHERE now() > st.due - due_soon_window(st.start, st.due)
       AND NOT EXISTS (SELECT 1 FROM deadline_alarm a WHERE a.case_id = st.id AND a.stage = st.stage
                          AND a.due = st.due
                          AND a.kind = CASE WHEN now() > st.due THEN 'overdue' ELSE 'due_soon' END)
     ORDER BY st.due
  LOOP
    INSERT INTO deadline_alarm VALUES (r.id, r.stage, r.kind, r.due) ON CONFLICT DO NOTHING;
    IF FOUND THEN
      SELECT * INTO c FROM cases WHERE id = r.id;
      PERFORM log_event(c, r.kind, r.stage, 'xiaoan-hub', '系统', NULL, NULL, NULL, NULL);
      n := n + 1;
    END IF;
  END LOOP;
  RETURN n;
END $$;

-- ingest() of 002, changed in three ways. Its open events are written last:
-- the event counter's row lock (what keeps seq gap-free and in commit
-- order) is held from that step to commit, so ingest transactions on two
-- connections or two hubs overlap in everything before it, instead of
-- waiting for each other from the middle of their work. And the database
-- itself refuses control characters in source_id and summary, as the hub
-- does, so that no other client can store them either. And the routing
-- targets are resolved from maps read once per call.
CREATE OR REPLACE FUNCTION ingest(p_producer text, p_alerts jsonb)
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
  m_id bigint[];    -- the cases this call opened, in item order, for their open events
  m_src text[];
  m_holder text[];
  m_state case_state[];
  m_version integer[];
  v_base bigint;
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
             WHEN it.sid ~ '[\x01-\x1f\x7f-\x9f]'
               THEN ARRAY['source_id', 'source_id must not contain control characters']
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
             WHEN it.a->>'summary' ~ '[\x01-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]'
               THEN ARRAY['summary', 'summary must be one line of plain text: no control characters or bidi marks']
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
  -- The routing targets' units, read once per call rather than looked up
  -- per alert: a town's command room and police station, and each
  -- department by "dept:<key>".
  route AS MATERIALIZED (
    SELECT (SELECT jsonb_object_agg(u.town, u.code) FROM unit u WHERE u.kind = 'command_room') AS cmd,
           (SELECT jsonb_object_agg(u.town, u.code) FROM unit u WHERE u.kind = 'police_station') AS pol,
           (SELECT jsonb_object_agg('dept:' || u.dept_key, u.code) FROM unit u WHERE u.dept_key IS NOT NULL) AS dept
  ),
  -- The items that open a case, with the units it goes to: the holder first,
  -- then the copies (resolved as resolve_target does, which is left to report
  -- a target the reference data cannot resolve).
  fresh AS (
    SELECT f.*, r.units
      FROM keyed f
      CROSS JOIN route m
      CROSS JOIN LATERAL (
        SELECT array_agg(coalesce(
                 CASE x.target
                   WHEN 'school' THEN f.school
                   WHEN 'town' THEN m.cmd->>f.town
                   WHEN 'police_station' THEN m.pol->>f.town
                   ELSE m.dept->>x.target
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
                            issuer, holder, occurred_at, clock_start, sign_due, feedback_due, close_due, alarm_at)
    SELECT f.type, f.school, f.town, f.sev::severity, f.grade, f.sens,
           -- sensitive: a neutral label here, the producer's text in case_private
           CASE WHEN f.sens
                THEN f.name_zh || '预警' || coalesce('（' || CASE f.grade WHEN 'high' THEN '高危'
                     WHEN 'medium' THEN '中危' WHEN 'low' THEN '低危' END || '）', '')
                ELSE f.a->>'summary' END,
           CASE WHEN f.sens THEN NULL ELSE f.a->'details' END, f.src, f.sid,
           g.issuer, f.units[1], f.occ, s.clock, d.sign_due, d.feedback_due, d.close_due,
           alarm_time('new', now(), d.sign_due, s.clock, NULL, d.feedback_due, d.close_due)
      FROM fresh f
      CROSS JOIN cfg g
      CROSS JOIN LATERAL (SELECT CASE f.clock_from WHEN 'occurred' THEN f.occ ELSE now() END AS clock) s
      CROSS JOIN LATERAL (
        SELECT now() + CASE WHEN f.sign_promptly THEN make_interval(mins => g.promptly) ELSE f.sign_limit END
                 AS sign_due,
               s.clock + f.feedback_limit AS feedback_due, s.clock + f.close_limit AS close_due) d
     ORDER BY f.i
    ON CONFLICT (source, source_id) DO NOTHING
    RETURNING k.id, k.source, k.source_id, k.holder, k.state, k.version
  ),
  made AS (
    SELECT f.i, k.id, k.holder, k.state, k.version, f.src, f.sid, f.sens, f.a, f.units,
           row_number() OVER (ORDER BY f.i) AS r
      FROM ins k JOIN fresh f ON f.src = k.source AND f.sid = k.source_id
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
                END AS sq,    -- this call's own: below
           w.batch AND c.i = c.first_ok AND o.id IS NOT NULL AS cr,
           coalesce(c.key_err, CASE WHEN c.old IS NULL AND NOT w.batch THEN c.err END) AS er,
           -- the case of the key was opened by another hub since this
           -- statement began: looked up below
           CASE WHEN w.batch AND o.id IS NULL THEN c.src END AS rsrc,
           CASE WHEN w.batch AND o.id IS NULL THEN c.sid END AS rsid
      FROM keyed c
      CROSS JOIN LATERAL (SELECT c.key_err IS NULL AND c.old IS NULL AND coalesce(c.i >= c.first_ok, false)
                                 AS batch) w   -- the key's case is this batch's
      LEFT JOIN made o ON o.src = c.src AND o.sid = c.sid
  )
  SELECT array_agg(a.i ORDER BY a.i), array_agg(a.cid ORDER BY a.i), array_agg(a.sq ORDER BY a.i),
         array_agg(a.cr ORDER BY a.i), array_agg(a.er[2] ORDER BY a.i), array_agg(a.er[1] ORDER BY a.i),
         array_agg(a.rsrc ORDER BY a.i), array_agg(a.rsid ORDER BY a.i), bool_or(a.rsrc IS NOT NULL),
         (SELECT array_agg(m.id ORDER BY m.r) FROM made m), (SELECT array_agg(m.src ORDER BY m.r) FROM made m),
         (SELECT array_agg(m.holder ORDER BY m.r) FROM made m), (SELECT array_agg(m.state ORDER BY m.r) FROM made m),
         (SELECT array_agg(m.version ORDER BY m.r) FROM made m)
    INTO v_i, v_case, v_seq, v_created, v_error, v_field, v_src, v_sid, v_raced,
         m_id, m_src, m_holder, m_state, m_version
    FROM answer a;

  -- Last, the open events: the counter's row lock is held from here to
  -- commit, so the work above overlaps with other ingest transactions and
  -- only this tail runs one at a time.
  IF m_id IS NOT NULL THEN
    UPDATE event_counter SET last = last + cardinality(m_id) RETURNING last - cardinality(m_id) INTO v_base;
    INSERT INTO case_event (seq, case_id, kind, actor, actor_name, to_unit, state, version)
    SELECT v_base + x.r, x.id, 'open', x.src::name, x.src, x.holder, x.state, x.version
      FROM unnest(m_id, m_src, m_holder, m_state, m_version) WITH ORDINALITY AS x(id, src, holder, state, version, r);
    SELECT array_agg(coalesce(a.sq, v_base + m.r) ORDER BY a.i) INTO v_seq
      FROM unnest(v_i, v_case, v_seq) AS a(i, cid, sq)
      LEFT JOIN unnest(m_id) WITH ORDINALITY AS m(id, r) ON m.id = a.cid AND a.sq IS NULL;
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

-- New functions are executable by PUBLIC unless revoked (003 revoked the
-- ones that existed then); these are only for the engine and its triggers.
REVOKE ALL ON FUNCTION reference_in_use(), case_is_kept(), case_alarm_at(),
  alarm_time(case_state, timestamptz, timestamptz, timestamptz, timestamptz, timestamptz, timestamptz)
  FROM PUBLIC;

-- The overdue review (005), reading only cases whose alarm time has passed
-- (a stage past its due is past its due-soon window too) through the
-- cases_alarm index, rather than every open case.
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
 WHERE c.state IN ('new', 'signed', 'in_progress') AND c.alarm_at < now() AND st.due < now()
 ORDER BY st.due, c.id, st.n;
