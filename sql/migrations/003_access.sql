-- xiaoan schema, part 3: what the hub may call, the live-stream view of
-- events, deadline alarms, and who may read what (row-level security).
SET search_path = xiaoan, pg_catalog;

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;

CREATE FUNCTION token_hash(p_token text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT sha256(convert_to(p_token, 'UTF8'))
$$;

CREATE FUNCTION new_token() RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT encode(public.gen_random_bytes(24), 'hex')
$$;

-- Producers ------------------------------------------------------------------

-- Returns the producer's name for a valid bearer token, NULL otherwise.
CREATE FUNCTION producer_auth(p_token text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
  SELECT name FROM producer
   WHERE token_hash = token_hash(p_token) AND revoked IS NULL
     AND (expires IS NULL OR expires > now())
$$;

-- Admin: creates (or replaces) a producer's token; the token is shown once.
CREATE FUNCTION producer_token_create(p_name text, p_expires timestamptz DEFAULT NULL) RETURNS text
LANGUAGE plpgsql SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  v text := 'xp_' || new_token();
BEGIN
  INSERT INTO producer(name, token_hash, expires) VALUES (p_name, token_hash(v), p_expires)
  ON CONFLICT (name) DO UPDATE SET token_hash = EXCLUDED.token_hash, expires = EXCLUDED.expires,
                                   revoked = NULL, created = now();
  RETURN v;
END $$;

CREATE FUNCTION producer_token_revoke(p_name text) RETURNS boolean
LANGUAGE sql SET search_path = xiaoan, pg_catalog AS $$
  UPDATE producer SET revoked = now() WHERE name = p_name AND revoked IS NULL RETURNING true
$$;

-- Stream sessions --------------------------------------------------------------

-- A logged-in officer asks for a token to open the live stream with; it is
-- good for one minute (the console asks again at each reconnect).
CREATE FUNCTION session_token() RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  v text := 'xs_' || new_token();
BEGIN
  IF me() IS NULL OR (me()).login IS NULL THEN
    RAISE EXCEPTION 'you (%) are not an active xiaoan officer: ask an administrator', session_user
      USING ERRCODE = 'XA003';
  END IF;
  DELETE FROM stream_session WHERE expires < now();
  INSERT INTO stream_session VALUES (token_hash(v), session_user, now() + interval '1 minute');
  RETURN v;
END $$;

-- The hub checks a stream token and learns the subscriber's scope.
CREATE FUNCTION session_check(p_token text)
RETURNS TABLE(login name, name text, role officer_role, unit text, town text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
  SELECT o.login, o.name, o.role, o.unit, u.town
    FROM stream_session s JOIN officer o ON o.login = s.login AND o.active
    JOIN unit u ON u.code = o.unit
   WHERE s.token_hash = token_hash(p_token) AND s.expires > now()
$$;

-- The stream -------------------------------------------------------------------

CREATE FUNCTION last_seq() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = xiaoan, pg_catalog AS $$
  SELECT last FROM event_counter
$$;

-- Events after p_after in order, with the case as it is now and every unit on
-- it (the hub filters per subscriber with the may_see rule). Sensitive cases
-- carry their neutral summary only.
CREATE FUNCTION stream_events(p_after bigint, p_limit integer)
RETURNS TABLE(seq bigint, kind text, stage text, at timestamptz, actor_name text, unit text,
              case_id bigint, type text, school text, town text, holder text, state case_state,
              severity severity, summary text, version integer, supervised boolean, sensitive boolean,
              opened_at timestamptz, sign_start timestamptz, sign_due timestamptz, signed_at timestamptz,
              feedback_due timestamptz, feedback_at timestamptz, close_due timestamptz,
              closed_at timestamptz, parties text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
  SELECT e.seq, e.kind, e.stage, e.at, e.actor_name, e.unit,
         c.id, c.type, c.school, c.town, c.holder, c.state, c.severity, c.summary, c.version,
         c.supervised, c.sensitive, c.opened_at, c.sign_start, c.sign_due, c.signed_at,
         c.feedback_due, c.feedback_at, c.close_due, c.closed_at,
         ARRAY(SELECT cu.unit FROM case_unit cu WHERE cu.case_id = c.id ORDER BY cu.unit)
    FROM case_event e JOIN cases c ON c.id = e.case_id
   WHERE e.seq > p_after
   ORDER BY e.seq
   LIMIT p_limit
$$;

-- Deadlines ----------------------------------------------------------------------

-- The due-soon window of a stage: a quarter of its span, at most 30 minutes,
-- at least one minute. A stage is overdue once now is past its due time;
-- done exactly at the deadline is on time (the console's sla_classify uses
-- the same rule).
CREATE FUNCTION due_soon_window(p_start timestamptz, p_due timestamptz) RETURNS interval
LANGUAGE sql IMMUTABLE AS $$
  SELECT greatest(interval '1 minute', least(interval '30 minutes', (p_due - p_start) / 4))
$$;

-- Raises due_soon and overdue events for every open stage, once per stage and
-- deadline (deadline_alarm's key), whichever hub runs it. Returns how many.
CREATE FUNCTION deadline_sweep() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  r record;
  n integer := 0;
  c cases;
BEGIN
  FOR r IN
    WITH st AS (
      SELECT k.id, 'sign' AS stage, k.sign_start AS start, k.sign_due AS due FROM cases k
       WHERE k.state = 'new' AND k.sign_due IS NOT NULL
      UNION ALL
      SELECT k.id, 'feedback', k.clock_start, k.feedback_due FROM cases k
       WHERE k.state IN ('new', 'signed') AND k.feedback_at IS NULL AND k.feedback_due IS NOT NULL
      UNION ALL
      SELECT k.id, 'close', k.clock_start, k.close_due FROM cases k
       WHERE k.state IN ('new', 'signed', 'in_progress') AND k.close_due IS NOT NULL
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

-- Row-level security ------------------------------------------------------------------
-- The rule is may_see() (002); here it is written with the officer looked up
-- once per query (scalar sub-selects become init plans) rather than per row.

-- The cases the acting officer's unit is a party to. SECURITY DEFINER so the
-- cases policy can consult case_unit without recursing into case_unit's own
-- policy (which consults cases).
CREATE FUNCTION my_party_cases() RETURNS SETOF bigint LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = xiaoan, pg_catalog AS $$
  SELECT case_id FROM case_unit WHERE unit = me_unit()
$$;

ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
CREATE POLICY cases_read ON cases FOR SELECT USING (
     (SELECT me_role()) IN ('dispatcher', 'supervisor', 'admin')
  OR holder = (SELECT me_unit())
  OR (school = (SELECT me_unit()) AND (SELECT me_role()) = 'school_officer')
  OR (town = (SELECT me_town()) AND NOT sensitive AND (SELECT me_role()) = 'town_staff')
  OR id IN (SELECT my_party_cases())
);

ALTER TABLE case_unit ENABLE ROW LEVEL SECURITY;
CREATE POLICY case_unit_read ON case_unit FOR SELECT USING (
  EXISTS (SELECT 1 FROM cases c WHERE c.id = case_unit.case_id));

ALTER TABLE case_event ENABLE ROW LEVEL SECURITY;
CREATE POLICY case_event_read ON case_event FOR SELECT USING (
  EXISTS (SELECT 1 FROM cases c WHERE c.id = case_event.case_id));

-- Student data: only the units on the case and the school itself; not the
-- district-wide roles, who see the neutral summary.
ALTER TABLE case_private ENABLE ROW LEVEL SECURITY;
CREATE POLICY case_private_read ON case_private FOR SELECT USING (
     case_id IN (SELECT my_party_cases())
  OR ((SELECT me_role()) = 'school_officer'
      AND case_id IN (SELECT c.id FROM cases c WHERE c.school = (SELECT me_unit())))
);

-- Privileges ---------------------------------------------------------------------
-- Functions are executable by PUBLIC unless revoked: revoke everything, then
-- grant each role exactly what it calls.
REVOKE ALL ON ALL TABLES IN SCHEMA xiaoan FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA xiaoan FROM PUBLIC;
REVOKE ALL ON SCHEMA xiaoan FROM PUBLIC;

GRANT USAGE ON SCHEMA xiaoan TO xiaoan_officer, xiaoan_hub;
GRANT SELECT ON setting, unit, school, officer, alert_type TO xiaoan_officer, xiaoan_hub;
GRANT SELECT ON cases, case_unit, case_event, case_private TO xiaoan_officer;
GRANT EXECUTE ON FUNCTION
  me(), me_role(), me_unit(), me_town(), my_party_cases(), clock(), local_time(timestamptz), setting_text(text),
  unit_label(text), session_token(), last_seq(), due_soon_window(timestamptz, timestamptz),
  case_sign(bigint, integer, text), case_feedback(bigint, integer, text),
  case_forward(bigint, integer, text, text), case_escalate(bigint, integer, text),
  case_dispatch_down(bigint, integer, text, text), case_return(bigint, integer, text),
  case_close(bigint, integer, text), case_confirm(bigint, integer, text),
  case_reopen(bigint, integer, text), case_supervise(bigint, integer, text, date),
  case_unsupervise(bigint, integer, text)
TO xiaoan_officer;
GRANT EXECUTE ON FUNCTION
  clock(), producer_auth(text), ingest(text, jsonb), session_check(text), last_seq(),
  stream_events(bigint, integer), deadline_sweep(), setting_text(text), due_soon_window(timestamptz, timestamptz)
TO xiaoan_hub;
