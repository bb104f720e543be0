-- xiaoan schema, part 1: units, people, alert types, cases and the audit trail.
-- Applied by `xiaoan-admin migrate` as a superuser (or the database owner).

CREATE SCHEMA IF NOT EXISTS xiaoan;
SET search_path = xiaoan, pg_catalog;

-- Cluster-wide roles. Officers log in as their own role (peer authentication on
-- the unix socket) and are members of xiaoan_officer; the hub logs in as
-- xiaoan_hub. Neither may write a table directly: every change goes through
-- the SECURITY DEFINER functions of the case engine.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'xiaoan_officer') THEN
    CREATE ROLE xiaoan_officer NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'xiaoan_hub') THEN
    CREATE ROLE xiaoan_hub LOGIN;
  END IF;
END $$;

CREATE TABLE setting (
  key   text PRIMARY KEY,
  value text NOT NULL,
  note  text
);

CREATE TYPE unit_kind AS ENUM (
  'city', 'district', 'department', 'town', 'command_room', 'police_station', 'school');

-- One tree: city -> district -> departments and towns; a town holds its
-- command room, its police station and its schools.
CREATE TABLE unit (
  code     text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9._-]{1,32}$'),
  name     text NOT NULL,
  kind     unit_kind NOT NULL,
  parent   text REFERENCES unit(code),
  town     text REFERENCES unit(code),  -- the town a unit belongs to (NULL above town level)
  dept_key text UNIQUE,                  -- routing key of a district department: edu, police, ...
  CHECK ((kind IN ('city')) = (parent IS NULL))
);
CREATE INDEX unit_town ON unit(town);

CREATE TYPE school_kind AS ENUM ('kindergarten', 'primary', 'middle', 'nine_year', 'high');

CREATE TABLE school (
  code          text PRIMARY KEY REFERENCES unit(code),
  kind          school_kind NOT NULL,
  boarding      boolean NOT NULL DEFAULT false,
  address       text,
  officer_name  text,   -- the school's safety officer (学校安全负责人)
  officer_phone text
);

CREATE TYPE officer_role AS ENUM (
  'dispatcher', 'unit_staff', 'town_staff', 'school_officer', 'supervisor', 'admin');

CREATE TABLE officer (
  login    name PRIMARY KEY,           -- the PostgreSQL role (= the OS account under peer auth)
  name     text NOT NULL,
  unit     text NOT NULL REFERENCES unit(code),
  role     officer_role NOT NULL,
  phone    text,
  active   boolean NOT NULL DEFAULT true,
  created  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX officer_unit ON officer(unit);

CREATE TYPE alert_function AS ENUM ('护学', '护行', '护成长');

-- The alert types of seed 000 (附件2) and the reported hazard. Routing targets:
-- 'school', 'town' (the school's command room), 'police_station' (the school's
-- town station) or 'dept:<key>' (a district department by dept_key).
CREATE TABLE alert_type (
  code           text PRIMARY KEY CHECK (code ~ '^[a-z_]{1,32}$'),
  name_zh        text NOT NULL,
  name_en        text NOT NULL,
  function       alert_function NOT NULL,
  trigger_zh     text NOT NULL,
  holder         text NOT NULL,           -- routing target that receives and must sign
  cc             text[] NOT NULL DEFAULT '{}',
  cc_high        text[] NOT NULL DEFAULT '{}',  -- extra cc for grade/severity high
  sign_limit     interval,                -- NULL: no sign stage
  sign_promptly  boolean NOT NULL DEFAULT false, -- "promptly": the limit is setting promptly_minutes
  feedback_limit interval,
  close_limit    interval,
  clock_from     text NOT NULL DEFAULT 'pushed' CHECK (clock_from IN ('pushed', 'occurred')),
  sensitive      boolean NOT NULL DEFAULT false,  -- student data: seen only by the units named
  is_hazard      boolean NOT NULL DEFAULT false,  -- deadline set by the assigning unit
  CHECK (NOT (sign_promptly AND sign_limit IS NOT NULL))
);

CREATE TYPE case_state AS ENUM ('new', 'signed', 'in_progress', 'closed', 'confirmed');
CREATE TYPE severity AS ENUM ('low', 'normal', 'high', 'critical');

CREATE TABLE producer (
  name        text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9._-]{1,64}$'),
  token_hash  bytea NOT NULL UNIQUE,     -- sha256 of the bearer token; the token itself is never stored
  created     timestamptz NOT NULL DEFAULT now(),
  expires     timestamptz,
  revoked     timestamptz
);

CREATE TABLE cases (
  id             bigserial PRIMARY KEY,
  type           text NOT NULL REFERENCES alert_type(code),
  school         text NOT NULL REFERENCES school(code),
  town           text NOT NULL REFERENCES unit(code),
  severity       severity NOT NULL DEFAULT 'normal',
  grade          text CHECK (grade IN ('low', 'medium', 'high')),
  sensitive      boolean NOT NULL,
  summary        text NOT NULL CHECK (length(summary) BETWEEN 1 AND 500),
  details        jsonb,
  source         text NOT NULL,          -- producer name, or 'console:<login>'
  source_id      text NOT NULL,          -- the producer's id: the dedup key
  issuer         text NOT NULL REFERENCES unit(code), -- confirms the result
  holder         text NOT NULL REFERENCES unit(code),
  state          case_state NOT NULL DEFAULT 'new',
  occurred_at    timestamptz NOT NULL,
  opened_at      timestamptz NOT NULL DEFAULT now(),  -- pushed
  clock_start    timestamptz NOT NULL,  -- feedback and closed-loop clocks run from here (the push, or the event for legal_edu)
  sign_start     timestamptz NOT NULL DEFAULT now(),  -- restarts on forward/escalate/dispatch down/return
  sign_due       timestamptz,
  signed_at      timestamptz,
  signed_by      name,
  feedback_due   timestamptz,
  feedback_at    timestamptz,
  close_due      timestamptz,
  closed_at      timestamptz,
  confirmed_at   timestamptz,
  reopen_count   integer NOT NULL DEFAULT 0,
  supervised     boolean NOT NULL DEFAULT false,
  supervise_note text,
  supervise_until date,
  version        integer NOT NULL DEFAULT 1,
  UNIQUE (source, source_id),
  CHECK (state = 'new' OR signed_at IS NOT NULL),
  CHECK (state NOT IN ('closed', 'confirmed') OR closed_at IS NOT NULL),
  CHECK (state <> 'confirmed' OR confirmed_at IS NOT NULL)
);
CREATE INDEX cases_open ON cases(state) WHERE state <> 'confirmed';
CREATE INDEX cases_holder ON cases(holder) WHERE state <> 'confirmed';
CREATE INDEX cases_town ON cases(town);
CREATE INDEX cases_school ON cases(school);
CREATE INDEX cases_opened ON cases(opened_at);

-- Every unit that holds, held or was copied on a case. Access follows it.
CREATE TABLE case_unit (
  case_id  bigint NOT NULL REFERENCES cases(id),
  unit     text NOT NULL REFERENCES unit(code),
  relation text NOT NULL CHECK (relation IN ('holder', 'cc', 'past')),
  PRIMARY KEY (case_id, unit)
);
CREATE INDEX case_unit_unit ON case_unit(unit);

-- The audit trail. seq is handed out from event_counter under its row lock,
-- so sequence numbers are gap-free and in commit order: a stream reader that
-- has seen seq N has seen everything before it.
CREATE TABLE event_counter (
  one  boolean PRIMARY KEY DEFAULT true CHECK (one),
  last bigint NOT NULL
);
INSERT INTO event_counter VALUES (true, 0);

CREATE TABLE case_event (
  seq        bigint PRIMARY KEY,
  case_id    bigint NOT NULL REFERENCES cases(id),
  kind       text NOT NULL CHECK (kind IN ('open', 'sign', 'feedback', 'forward', 'escalate',
               'dispatch_down', 'return', 'close', 'confirm', 'reopen', 'supervise',
               'unsupervise', 'due_soon', 'overdue')),
  stage      text CHECK (stage IN ('sign', 'feedback', 'close')),
  at         timestamptz NOT NULL DEFAULT now(),
  actor      name NOT NULL,           -- login role, or the producer / 'xiaoan-hub'
  actor_name text NOT NULL,
  unit       text REFERENCES unit(code),   -- the actor's unit
  from_unit  text REFERENCES unit(code),   -- holder before a transfer
  to_unit    text REFERENCES unit(code),   -- new holder for forward/escalate/dispatch_down/return
  note       text,
  state      case_state NOT NULL,          -- state after the step
  version    integer NOT NULL              -- case version after the step
);
CREATE INDEX case_event_case ON case_event(case_id, seq);

-- due_soon/overdue are raised exactly once per stage and deadline, whichever hub leads.
CREATE TABLE deadline_alarm (
  case_id bigint NOT NULL REFERENCES cases(id),
  stage   text NOT NULL,
  kind    text NOT NULL,
  due     timestamptz NOT NULL,
  PRIMARY KEY (case_id, stage, kind, due)
);

CREATE FUNCTION event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % on case_event is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER case_event_append_only BEFORE UPDATE OR DELETE ON case_event
  FOR EACH ROW EXECUTE FUNCTION event_is_append_only();
CREATE TRIGGER case_event_no_truncate BEFORE TRUNCATE ON case_event
  FOR EACH STATEMENT EXECUTE FUNCTION event_is_append_only();

-- The personal part of sensitive cases (student data). cases.summary of such a
-- case is a neutral label; the producer's summary and details live here, where
-- only the units on the case and the school can read them.
CREATE TABLE case_private (
  case_id bigint PRIMARY KEY REFERENCES cases(id),
  summary text NOT NULL,
  details jsonb
);

-- Short-lived tokens a logged-in officer hands to the hub to open the live stream.
CREATE TABLE stream_session (
  token_hash bytea PRIMARY KEY,
  login      name NOT NULL REFERENCES officer(login),
  expires    timestamptz NOT NULL
);

CREATE TABLE schema_migration (
  version text PRIMARY KEY,
  applied timestamptz NOT NULL DEFAULT now()
);
