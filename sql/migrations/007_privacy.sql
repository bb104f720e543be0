-- xiaoan schema, part 7: what officers type on a sensitive case is as
-- private as the producer's text; a police station's officers are not
-- town staff; no control characters in names and typed text. (Known gaps
-- 3, 5 and 9 of docs/security.md.)
SET search_path = xiaoan, pg_catalog;

-- Plain text ----------------------------------------------------------------------------
-- Text that shows as itself on a terminal: no C0 or C1 control, no DEL, no
-- bidi mark, override or isolate (they clear screens, set titles or reorder
-- what is read). NULL is plain. The rule of check_text, which now uses it,
-- and of the CHECK constraints below.
CREATE FUNCTION is_plain(p_text text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT p_text IS NULL OR p_text !~ '[\x01-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]'
$$;

CREATE OR REPLACE FUNCTION check_text(p_text text, p_field text, p_required boolean, p_max integer)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF p_text IS NULL OR btrim(p_text) = '' THEN
    IF p_required THEN
      RAISE EXCEPTION '% is required', p_field USING ERRCODE = 'XA004';
    END IF;
    RETURN NULL;
  END IF;
  IF NOT is_plain(p_text) THEN
    RAISE EXCEPTION '% contains a control character; type plain text', p_field USING ERRCODE = 'XA004';
  END IF;
  IF length(p_text) > p_max THEN
    RAISE EXCEPTION '% is too long (% characters, at most %)', p_field, length(p_text), p_max
      USING ERRCODE = 'XA004';
  END IF;
  RETURN btrim(p_text);
END $$;

-- Private notes -----------------------------------------------------------------------------
-- A note typed on a sensitive case (sign, feedback, forward, close, ...)
-- may name the student. Its text lives here, under case_private's rule;
-- the event keeps note NULL and note_private true, so every reader of the
-- trail knows a note is there without reading it.
ALTER TABLE case_event ADD COLUMN note_private boolean NOT NULL DEFAULT false;
ALTER TABLE case_event ADD CONSTRAINT case_event_note_private_check CHECK (NOT note_private OR note IS NULL);

CREATE TABLE case_event_private (
  seq     bigint PRIMARY KEY REFERENCES case_event(seq),
  case_id bigint NOT NULL,
  note    text NOT NULL
);
CREATE INDEX case_event_private_case ON case_event_private(case_id);

-- The reason for listed supervision of a sensitive case, likewise.
ALTER TABLE case_private ADD COLUMN supervise_note text;

-- The private notes are part of the audit trail: append-only as it is.
CREATE OR REPLACE FUNCTION event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER case_event_private_append_only BEFORE UPDATE OR DELETE ON case_event_private
  FOR EACH ROW EXECUTE FUNCTION event_is_append_only();
CREATE TRIGGER case_event_private_no_truncate BEFORE TRUNCATE ON case_event_private
  FOR EACH STATEMENT EXECUTE FUNCTION event_is_append_only();

-- The notes already typed on sensitive cases move there too. This is the
-- one rewrite of the trail: seq, who, when and what stay; only where the
-- note's text is kept changes, so the append-only trigger is lifted for
-- this transaction alone.
INSERT INTO case_event_private (seq, case_id, note)
SELECT e.seq, e.case_id, e.note
  FROM case_event e JOIN cases c ON c.id = e.case_id
 WHERE c.sensitive AND e.note IS NOT NULL;
ALTER TABLE case_event DISABLE TRIGGER case_event_append_only;
UPDATE case_event e SET note = NULL, note_private = true
  FROM case_event_private p WHERE p.seq = e.seq;
ALTER TABLE case_event ENABLE TRIGGER case_event_append_only;
UPDATE case_private p SET supervise_note = c.supervise_note
  FROM cases c WHERE c.id = p.case_id AND c.sensitive AND c.supervise_note IS NOT NULL;
UPDATE cases c SET supervise_note = NULL
  FROM case_private p WHERE p.case_id = c.id AND c.sensitive AND p.supervise_note = c.supervise_note;

-- Appends one event; a note on a sensitive case goes to case_event_private.
CREATE OR REPLACE FUNCTION log_event(p_case cases, p_kind text, p_stage text, p_actor name, p_actor_name text,
                                     p_unit text, p_from text, p_to text, p_note text)
RETURNS bigint LANGUAGE plpgsql SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  v_seq bigint;
  v_private boolean := p_case.sensitive AND p_note IS NOT NULL;
BEGIN
  UPDATE event_counter SET last = last + 1 RETURNING last INTO v_seq;
  INSERT INTO case_event(seq, case_id, kind, stage, actor, actor_name, unit, from_unit, to_unit, note,
                         note_private, state, version)
  VALUES (v_seq, p_case.id, p_kind, p_stage, p_actor, p_actor_name, p_unit, p_from, p_to,
          CASE WHEN v_private THEN NULL ELSE p_note END, v_private, p_case.state, p_case.version);
  IF v_private THEN
    INSERT INTO case_event_private(seq, case_id, note) VALUES (v_seq, p_case.id, p_note);
  END IF;
  -- Identical notifications in one transaction merge: one wake-up per commit.
  PERFORM pg_notify('xiaoan_event', '');
  RETURN v_seq;
END $$;

CREATE OR REPLACE FUNCTION case_supervise(p_case bigint, p_version integer, p_note text, p_until date DEFAULT NULL,
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
  IF c.sensitive THEN
    -- ingest writes the private part of every sensitive case with the case
    UPDATE case_private SET supervise_note = v_note WHERE case_id = c.id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'sensitive case % has no private part to keep the reason in', c.id;
    END IF;
  END IF;
  UPDATE cases SET supervised = true, supervise_note = CASE WHEN c.sensitive THEN NULL ELSE v_note END,
                   supervise_until = p_until, version = cases.version + 1
   WHERE id = c.id RETURNING * INTO c;
  SELECT * INTO version, seq FROM step_end(c, o, 'supervise', NULL, NULL, NULL,
                                           v_note || coalesce(' (follow up by ' || p_until || ')', ''));
END $$;

-- Who reads a private note: case_private's rule (003), the units on the
-- case and the school's safety officer; not the district-wide roles.
ALTER TABLE case_event_private ENABLE ROW LEVEL SECURITY;
CREATE POLICY case_event_private_read ON case_event_private FOR SELECT USING (
     case_id IN (SELECT my_party_cases())
  OR ((SELECT me_role()) = 'school_officer'
      AND case_id IN (SELECT c.id FROM cases c WHERE c.school = (SELECT me_unit())))
);

-- The audit trail as a reader sees it: the note, from case_event_private
-- when it is private and theirs to read; note_hidden when it is private and
-- not theirs (the console shows that a note is there, not its text). Read
-- by the table owner, who bypasses row-level security, nothing is hidden:
-- reports that others read mask private notes themselves (note_private).
CREATE VIEW case_trail WITH (security_invoker = true) AS
SELECT e.seq, e.case_id, e.kind, e.stage, e.at, e.actor, e.actor_name, e.unit, e.from_unit, e.to_unit,
       coalesce(e.note, p.note) AS note, e.note_private, e.note_private AND p.seq IS NULL AS note_hidden,
       e.state, e.version
  FROM xiaoan.case_event e
  LEFT JOIN xiaoan.case_event_private p ON p.seq = e.seq;

-- Supervised cases (005) with their notes read the same way. Columns are
-- those of 005, then whether the reason and the last step's note are private.
CREATE OR REPLACE VIEW supervised_cases WITH (security_invoker = true) AS
SELECT c.id AS case_id, c.version, c.type, t.name_zh AS type_name, c.school, s.name AS school_name,
       c.town, tw.name AS town_name, c.holder, h.name AS holder_name, c.state, c.severity, c.summary,
       c.opened_at, CASE WHEN c.sensitive THEN cp.supervise_note ELSE c.supervise_note END AS supervise_note,
       c.supervise_until,
       coalesce(c.supervise_until < xiaoan.local_today(), false) AS follow_up_due,
       sv.at AS supervised_at, sv.actor_name AS supervised_by,
       le.kind AS last_kind, le.at AS last_at, le.actor_name AS last_actor, le.unit AS last_unit, le.note AS last_note,
       (c.state IN ('new', 'signed', 'in_progress')
        AND ((c.state = 'new' AND c.sign_due < now())
             OR (c.state IN ('new', 'signed') AND c.feedback_at IS NULL AND c.feedback_due < now())
             OR c.close_due < now())) AS overdue,
       c.sensitive AS supervise_note_private, coalesce(le.note_private, false) AS last_note_private
  FROM xiaoan.cases c
  JOIN xiaoan.alert_type t ON t.code = c.type
  JOIN xiaoan.unit s ON s.code = c.school
  JOIN xiaoan.unit tw ON tw.code = c.town
  JOIN xiaoan.unit h ON h.code = c.holder
  LEFT JOIN xiaoan.case_private cp ON cp.case_id = c.id
  LEFT JOIN LATERAL (SELECT e.at, e.actor_name FROM xiaoan.case_event e
                      WHERE e.case_id = c.id AND e.kind = 'supervise' ORDER BY e.seq DESC LIMIT 1) AS sv ON true
  LEFT JOIN LATERAL (SELECT e.kind, e.at, e.actor_name, e.unit, e.note, e.note_private FROM xiaoan.case_trail e
                      WHERE e.case_id = c.id AND e.kind NOT IN ('due_soon', 'overdue')
                      ORDER BY e.seq DESC LIMIT 1) AS le ON true
 WHERE c.supervised
 ORDER BY c.supervise_until NULLS LAST, c.id;

-- A police station's officers -------------------------------------------------------------------
-- town_staff see every non-sensitive case of the town: the town's command
-- room. A station answers to the district police, not to the town: its
-- officers are unit_staff and see the cases the station is on. Names and
-- phones are plain text.
CREATE OR REPLACE FUNCTION officer_set(p_login name, p_name text, p_unit text, p_role officer_role,
                                       p_phone text DEFAULT NULL, p_active boolean DEFAULT true)
RETURNS void LANGUAGE plpgsql SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  u unit;
  v_name text;
  v_phone text;
BEGIN
  IF p_login !~ '^[a-z_][a-z0-9_.-]{0,62}$' THEN
    RAISE EXCEPTION 'login "%" must be a lower-case account name (letters, digits, _ . -)', p_login
      USING ERRCODE = 'XA004';
  END IF;
  -- An officer is a role of its own: making a superuser, a xiaoan system
  -- role or the administrator an officer would let officer_disable lock
  -- them out (NOLOGIN) and hand them xiaoan_officer's rights.
  IF p_login = session_user OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login
                                        AND (rolsuper OR rolname IN ('xiaoan_hub', 'xiaoan_officer'))) THEN
    RAISE EXCEPTION 'login "%" is a superuser, a xiaoan system role or your own: an officer needs a role of its own',
      p_login USING ERRCODE = 'XA004';
  END IF;
  v_name := check_text(p_name, 'the officer''s name', true, 100);
  v_phone := check_text(p_phone, 'the phone number', false, 40);
  SELECT * INTO u FROM unit WHERE code = p_unit;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown unit "%"', p_unit USING ERRCODE = 'XA004';
  END IF;
  IF p_role = 'school_officer' AND u.kind <> 'school' THEN
    RAISE EXCEPTION 'a school safety officer belongs to a school, not to %', p_unit USING ERRCODE = 'XA004';
  END IF;
  IF p_role = 'town_staff' AND u.kind = 'police_station' THEN
    RAISE EXCEPTION '% (%) is a police station: its officers are unit_staff, who see the cases the station is on; town_staff see every case of the town and belong to the town or its command room',
      u.name, u.code USING ERRCODE = 'XA004';
  END IF;
  IF p_role = 'town_staff' AND (u.town IS NULL OR u.kind NOT IN ('town', 'command_room')) THEN
    RAISE EXCEPTION 'town staff belong to a town or its command room, not to %', p_unit
      USING ERRCODE = 'XA004';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
    EXECUTE format('CREATE ROLE %I LOGIN IN ROLE xiaoan_officer', p_login);
  ELSE
    EXECUTE format('GRANT xiaoan_officer TO %I', p_login);
  END IF;
  EXECUTE format('ALTER ROLE %I %s', p_login, CASE WHEN p_active THEN 'LOGIN' ELSE 'NOLOGIN' END);
  INSERT INTO officer(login, name, unit, role, phone, active)
  VALUES (p_login, v_name, p_unit, p_role, v_phone, p_active)
  ON CONFLICT (login) DO UPDATE SET name = EXCLUDED.name, unit = EXCLUDED.unit, role = EXCLUDED.role,
                                    phone = coalesce(EXCLUDED.phone, officer.phone), active = EXCLUDED.active;
  -- Open live streams carry the old scope: the hubs close them (payload
  -- "officer:<login>" on the event channel).
  PERFORM pg_notify('xiaoan_event', 'officer:' || p_login);
END $$;

-- Station officers made town_staff before this rule become unit_staff
-- (a warning names each, for the administrator running the migration);
-- their open streams close and reopen with the narrower scope.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT o.login, o.name, u.code FROM officer o JOIN unit u ON u.code = o.unit
            WHERE o.role = 'town_staff' AND u.kind = 'police_station' ORDER BY o.login LOOP
    UPDATE officer SET role = 'unit_staff' WHERE login = r.login;
    PERFORM pg_notify('xiaoan_event', 'officer:' || r.login);
    RAISE WARNING 'officer % (%) of police station % was town_staff: now unit_staff', r.login, r.name, r.code;
  END LOOP;
END $$;

-- Plain text in the tables ------------------------------------------------------------------------
-- Names an administrator keeps (officers, the reference data) and what
-- officers type (notes, findings): the database refuses control characters
-- whoever writes, so no reader has to trust the writer. (The alerts'
-- summary and source_id are ingest's, 006.) Rows already stored are
-- checked first and named, to be fixed before migrating again.
DO $$
DECLARE
  t record;
  v_rows text;
  v_bad text[] := '{}';
BEGIN
  CREATE TEMP TABLE plain_column (tbl text, keycol text, col text) ON COMMIT DROP;
  INSERT INTO plain_column VALUES
    ('officer', 'login', 'name'), ('officer', 'login', 'phone'),
    ('unit', 'code', 'name'),
    ('school', 'code', 'address'), ('school', 'code', 'officer_name'), ('school', 'code', 'officer_phone'),
    ('alert_type', 'code', 'name_zh'), ('alert_type', 'code', 'name_en'), ('alert_type', 'code', 'trigger_zh'),
    ('hazard_category', 'code', 'name_zh'), ('hazard_category', 'code', 'item_zh'),
    ('hazard_category', 'code', 'resp_zh'),
    ('setting', 'key', 'value'), ('setting', 'key', 'note'),
    ('cases', 'id', 'supervise_note'), ('case_private', 'case_id', 'supervise_note'),
    ('case_event', 'seq', 'note'), ('case_event_private', 'seq', 'note'),
    ('hazard', 'case_id', 'audit_note'), ('visit', 'id', 'checked'), ('visit', 'id', 'findings');
  FOR t IN SELECT * FROM plain_column LOOP
    EXECUTE format('SELECT string_agg(k, '', '') FROM (SELECT %I::text AS k FROM xiaoan.%I
                     WHERE NOT xiaoan.is_plain(%I) ORDER BY 1 LIMIT 5) s', t.keycol, t.tbl, t.col)
      INTO v_rows;
    IF v_rows IS NOT NULL THEN
      v_bad := v_bad || format('%s.%s where %s is %s', t.tbl, t.col, t.keycol, v_rows);
    END IF;
  END LOOP;
  IF cardinality(v_bad) > 0 THEN
    RAISE EXCEPTION 'control characters are stored in: %', array_to_string(v_bad, '; ')
      USING HINT = 'replace them with plain text (UPDATE as the owner), then run migrate again';
  END IF;
  FOR t IN SELECT * FROM plain_column LOOP
    EXECUTE format('ALTER TABLE xiaoan.%I ADD CONSTRAINT %I CHECK (xiaoan.is_plain(%I))',
                   t.tbl, t.tbl || '_' || t.col || '_plain', t.col);
  END LOOP;
END $$;

-- Privileges ---------------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION is_plain(text) FROM PUBLIC;
REVOKE ALL ON TABLE case_event_private, case_trail FROM PUBLIC;
GRANT SELECT ON case_event_private, case_trail TO xiaoan_officer;
