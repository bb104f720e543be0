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
CREATE TRIGGER cases_alarm_at BEFORE INSERT OR UPDATE OF state, sign_start, sign_due, clock_start,
  feedback_at, feedback_due, close_due ON cases
  FOR EACH ROW EXECUTE FUNCTION case_alarm_at();
CREATE INDEX cases_alarm ON cases (alarm_at) WHERE state IN ('new', 'signed', 'in_progress');

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
