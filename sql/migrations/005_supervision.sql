-- xiaoan schema, part 5: reported hazards (排查—上报—交办—整改—验收), service-
-- guidance visits, sample audits, and what supervisors and reports read:
-- overdue review, supervised cases, statistics, problem-prone schools and the
-- "4 × 100 %" baseline. Definitions of every figure: docs/report-format.md.
SET search_path = xiaoan, pg_catalog;

-- Event kinds -----------------------------------------------------------------
-- assign: a hazard's holder sets the rectification deadline (交办), maybe
-- handing it on; sample: picked for a sample audit; audit: its result.
-- The constraint is rebuilt from the one in place, so kinds added by other
-- migrations survive.
DO $$
DECLARE
  v_kinds text[];
BEGIN
  SELECT array_agg(DISTINCT m[1] ORDER BY m[1]) INTO v_kinds
    FROM pg_constraint k,
         regexp_matches(pg_get_constraintdef(k.oid), '''([a-z_]+)''', 'g') AS m
   WHERE k.conrelid = 'xiaoan.case_event'::regclass AND k.conname = 'case_event_kind_check';
  IF v_kinds IS NULL THEN
    RAISE EXCEPTION 'case_event_kind_check not found: 005 expects the audit trail of 001';
  END IF;
  v_kinds := ARRAY(SELECT DISTINCT x FROM unnest(v_kinds || ARRAY['assign', 'sample', 'audit']) x ORDER BY x);
  ALTER TABLE case_event DROP CONSTRAINT case_event_kind_check;
  EXECUTE format('ALTER TABLE case_event ADD CONSTRAINT case_event_kind_check CHECK (kind = ANY (%L::text[]))',
                 v_kinds);
END $$;

-- Reference: the 22 items of the work list (seed 002, 附件1) -------------------
-- lead_dept: dept_key of the lead unit. resp: routing targets of the units
-- responsible ('dept:<key>', 'town' = the school's command room); a key with
-- no unit in this district is kept (it routes once such a unit is added) and
-- skipped by hazard_category_units(). resp_zh: the seed's own wording.
CREATE TABLE hazard_category (
  code      text PRIMARY KEY CHECK (code ~ '^[a-z_]{1,32}$'),
  seq       integer NOT NULL UNIQUE,
  name_zh   text NOT NULL,
  item_zh   text NOT NULL,
  lead_dept text NOT NULL,
  resp      text[] NOT NULL DEFAULT '{}'
            CHECK (array_to_string(resp, ',') ~ '^((dept:[a-z_]+|town|school|police_station)(,|$))*$'),
  resp_zh   text NOT NULL,
  active    boolean NOT NULL DEFAULT true
);

-- Sample audits of closed hazards (seed 004: 按比例予以抽查).
CREATE TABLE hazard_sample (
  id          bigserial PRIMARY KEY,
  period_from timestamptz NOT NULL,
  period_to   timestamptz NOT NULL,
  scope       text,
  percent     numeric NOT NULL CHECK (percent > 0 AND percent <= 100),
  seed        bigint NOT NULL,
  population  integer NOT NULL,
  picked      integer NOT NULL,
  created     timestamptz NOT NULL DEFAULT now(),
  created_by  name NOT NULL
);

-- Service-guidance visits (服务指导, seed 002 附件2): a unit's officer at a
-- school; a finding may open a hazard case (case_id).
CREATE TABLE visit (
  id         bigserial PRIMARY KEY,
  unit       text NOT NULL REFERENCES unit(code),
  officer    name NOT NULL,
  school     text NOT NULL REFERENCES school(code),
  visited_at timestamptz NOT NULL,
  checked    text NOT NULL,
  findings   text,
  case_id    bigint REFERENCES cases(id),
  created    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX visit_school ON visit(school, visited_at);
CREATE INDEX visit_at ON visit(visited_at);
CREATE INDEX visit_unit ON visit(unit, visited_at);

-- The hazard part of a case of type 'hazard'. outcome is that of the last
-- close (seed 004's three states) and is cleared when the case is reopened.
CREATE TABLE hazard (
  case_id        bigint PRIMARY KEY REFERENCES cases(id),
  category       text NOT NULL REFERENCES hazard_category(code),
  visit_id       bigint REFERENCES visit(id),
  assigned_by    text REFERENCES unit(code),
  assigned_at    timestamptz,
  outcome        text CHECK (outcome IN ('resolved', 'in_progress_committed', 'hard_to_resolve')),
  committed_date date,
  outcome_at     timestamptz,
  outcome_by     name,
  sample_id      bigint REFERENCES hazard_sample(id),
  audit_passed   boolean,
  audit_note     text,
  audited_at     timestamptz,
  audited_by     name,
  CHECK ((outcome IS NOT DISTINCT FROM 'in_progress_committed') = (committed_date IS NOT NULL)),
  CHECK ((outcome IS NULL) = (outcome_at IS NULL)),
  CHECK (audit_passed IS NULL OR sample_id IS NOT NULL)
);
CREATE INDEX hazard_outcome_at ON hazard(outcome_at) WHERE outcome IS NOT NULL;

CREATE INDEX cases_supervised ON cases(id) WHERE supervised;

-- Small helpers -------------------------------------------------------------------

CREATE FUNCTION district_zone() RETURNS text LANGUAGE sql STABLE
SET search_path = xiaoan, pg_catalog AS $$
  SELECT coalesce(setting_text('time_zone'), 'Asia/Shanghai')
$$;

-- The district's calendar day now.
CREATE FUNCTION local_today() RETURNS date LANGUAGE sql STABLE
SET search_path = xiaoan, pg_catalog AS $$
  SELECT (now() AT TIME ZONE district_zone())::date
$$;

-- "2026-11-30 17:00" in the district's time, for notes and reports.
CREATE FUNCTION local_stamp(p_at timestamptz) RETURNS text LANGUAGE sql STABLE
SET search_path = xiaoan, pg_catalog AS $$
  SELECT to_char(p_at AT TIME ZONE district_zone(), 'YYYY-MM-DD HH24:MI')
$$;

-- RFC 3339 in the district's time with its offset ("2026-11-03T08:00:00+08:00"),
-- for CSV exports.
CREATE FUNCTION local_iso(p_at timestamptz) RETURNS text LANGUAGE sql STABLE
SET search_path = xiaoan, pg_catalog AS $$
  SELECT to_char(p_at AT TIME ZONE z, 'YYYY-MM-DD"T"HH24:MI:SS')
         || CASE WHEN off < 0 THEN '-' ELSE '+' END
         || to_char(make_interval(secs => abs(off)), 'HH24:MI')
    FROM district_zone() AS z,
         LATERAL (SELECT extract(epoch FROM (p_at AT TIME ZONE z) - (p_at AT TIME ZONE 'UTC'))::integer) AS o(off)
   WHERE p_at IS NOT NULL
$$;

CREATE FUNCTION outcome_label(p_outcome text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE p_outcome WHEN 'resolved' THEN '已化解'
                        WHEN 'in_progress_committed' THEN '正在化解（明确完成时限）'
                        WHEN 'hard_to_resolve' THEN '难以短期化解'
                        ELSE p_outcome END
$$;

-- A report period from what people type: "2026-11" (a month), "2026-W47"
-- (an ISO week, Monday to Sunday), "2026-11-05" (a day), or two days
-- (p_spec .. p_until, both included). Days are the district's calendar
-- days; the period is [period_from, period_to).
CREATE FUNCTION period(p_spec text, p_until text DEFAULT NULL,
                       OUT period_from timestamptz, OUT period_to timestamptz, OUT label text, OUT kind text)
LANGUAGE plpgsql STABLE SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  z text := district_zone();
  d1 date;
  d2 date;
BEGIN
  BEGIN
    IF p_until IS NOT NULL THEN
      IF p_spec !~ '^\d{4}-\d{2}-\d{2}$' OR p_until !~ '^\d{4}-\d{2}-\d{2}$' THEN
        RAISE EXCEPTION USING ERRCODE = '22007';
      END IF;
      d1 := p_spec::date; d2 := p_until::date + 1; kind := 'range';
      label := to_char(d1, 'YYYY"年"FMMM"月"FMDD"日"')
               || CASE WHEN d2 - 1 > d1 THEN '至' || to_char(d2 - 1, 'YYYY"年"FMMM"月"FMDD"日"') ELSE '' END;
    ELSIF p_spec ~ '^\d{4}-\d{2}$' THEN
      d1 := (p_spec || '-01')::date; d2 := (d1 + interval '1 month')::date; kind := 'month';
      label := to_char(d1, 'YYYY"年"FMMM"月"');
    ELSIF p_spec ~ '^\d{4}-W\d{2}$' THEN
      d1 := to_date(p_spec, 'IYYY-"W"IW'); d2 := d1 + 7; kind := 'week';
      IF to_char(d1, 'IYYY-"W"IW') <> p_spec THEN
        RAISE EXCEPTION USING ERRCODE = '22008';
      END IF;
      label := format('%s年第%s周，%s至%s', to_char(d1, 'IYYY'), to_char(d1, 'FMIW'),
                      to_char(d1, 'FMMM"月"FMDD"日"'), to_char(d2 - 1, 'FMMM"月"FMDD"日"'));
    ELSIF p_spec ~ '^\d{4}-\d{2}-\d{2}$' THEN
      d1 := p_spec::date; d2 := d1 + 1; kind := 'day';
      label := to_char(d1, 'YYYY"年"FMMM"月"FMDD"日"');
    ELSE
      RAISE EXCEPTION USING ERRCODE = '22007';
    END IF;
  EXCEPTION WHEN data_exception THEN
    RAISE EXCEPTION 'period "%" is not valid: use YYYY-MM (a month), YYYY-Www (an ISO week) or YYYY-MM-DD',
      concat_ws(' .. ', p_spec, p_until) USING ERRCODE = 'XA004';
  END;
  IF d2 <= d1 THEN
    RAISE EXCEPTION 'the period ends (%) before it starts (%)', p_until, p_spec USING ERRCODE = 'XA004';
  END IF;
  period_from := d1::timestamp AT TIME ZONE z;
  period_to := d2::timestamp AT TIME ZONE z;
END $$;

-- Scopes narrow the statistics for reports and supervisors' filters (row-
-- level security narrows them further for officers): NULL or 'district'
-- everything; 'town:<town>' the town's cases; 'school:<school>'; 'unit:<unit>'
-- the cases the unit holds, held or is copied on.
CREATE FUNCTION check_scope(p_scope text) RETURNS void LANGUAGE plpgsql STABLE
SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  v_kind unit_kind;
BEGIN
  IF p_scope IS NULL OR p_scope = 'district' THEN
    RETURN;
  END IF;
  SELECT kind INTO v_kind FROM unit WHERE code = substring(p_scope FROM position(':' IN p_scope) + 1);
  IF (p_scope LIKE 'town:%' AND v_kind = 'town') OR (p_scope LIKE 'school:%' AND v_kind = 'school')
     OR (p_scope LIKE 'unit:%' AND v_kind IS NOT NULL) THEN
    RETURN;
  END IF;
  RAISE EXCEPTION 'scope "%" is not valid', p_scope USING ERRCODE = 'XA004',
    HINT = 'use district, town:<town code>, school:<school code> or unit:<unit code>';
END $$;

-- The scope test of one case, for the short per-case listings (overdue,
-- supervised, hazards); the statistics use scoped_figures(), which inlines.
CREATE FUNCTION in_scope(p_scope text, p_case bigint, p_town text, p_school text, p_holder text)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN p_scope IS NULL OR p_scope = 'district' THEN true
    WHEN p_scope LIKE 'town:%' THEN p_town = substr(p_scope, 6)
    WHEN p_scope LIKE 'school:%' THEN p_school = substr(p_scope, 8)
    WHEN p_scope LIKE 'unit:%' THEN p_holder = substr(p_scope, 6)
      OR EXISTS (SELECT 1 FROM xiaoan.case_unit cu WHERE cu.case_id = p_case AND cu.unit = substr(p_scope, 6))
    ELSE false END
$$;

CREATE FUNCTION check_period(p_from timestamptz, p_to timestamptz) RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF p_from IS NULL OR p_to IS NULL OR p_to <= p_from THEN
    RAISE EXCEPTION 'the period must have a start before its end (got % .. %)', p_from, p_to
      USING ERRCODE = 'XA004';
  END IF;
END $$;

-- The units a category's work list names, resolved for a school: the lead
-- unit first, then the responsible ones (for the assign form's suggestions).
CREATE FUNCTION hazard_category_units(p_category text, p_school text)
RETURNS TABLE(unit text, name text, role text)
LANGUAGE plpgsql STABLE SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  k hazard_category;
  t text;
  v text;
  seen text[] := '{}';
BEGIN
  SELECT * INTO k FROM hazard_category WHERE code = p_category;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown hazard category "%"', p_category USING ERRCODE = 'XA004';
  END IF;
  FOR t, role IN SELECT x.t, x.r FROM (SELECT 'dept:' || k.lead_dept, 'lead', 0::bigint
                                      UNION ALL
                                      SELECT r.t, 'resp', r.n FROM unnest(k.resp) WITH ORDINALITY AS r(t, n)) AS x(t, r, n)
                  ORDER BY x.n LOOP
    v := NULL;
    IF t = 'town' THEN
      SELECT c.code INTO v FROM unit s JOIN unit c ON c.town = s.town AND c.kind = 'command_room'
       WHERE s.code = p_school;
    ELSIF t = 'police_station' THEN
      SELECT c.code INTO v FROM unit s JOIN unit c ON c.town = s.town AND c.kind = 'police_station'
       WHERE s.code = p_school;
    ELSIF t = 'school' THEN
      SELECT code INTO v FROM unit WHERE code = p_school AND kind = 'school';
    ELSE
      SELECT code INTO v FROM unit WHERE dept_key = substr(t, 6);
    END IF;
    IF v IS NOT NULL AND NOT v = ANY (seen) THEN
      seen := seen || v;
      unit := v;
      name := unit_label(v);
      RETURN NEXT;
    END IF;
  END LOOP;
END $$;

-- Hazard cases ----------------------------------------------------------------------

CREATE FUNCTION hazard_only(c cases) RETURNS void LANGUAGE plpgsql STABLE
SET search_path = xiaoan, pg_catalog AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM hazard WHERE case_id = c.id) THEN
    RAISE EXCEPTION 'case % is an alert, not a reported hazard', c.id USING ERRCODE = 'XA002',
      HINT = 'alerts are closed with case_close and handed on with case_forward';
  END IF;
END $$;

-- Opens a hazard case at a school: held by the school's town command room
-- (alert type 'hazard'), copied to the type's cc units and to the issuing
-- unit, with no deadline until a unit assigns it (hazard_assign).
CREATE FUNCTION hazard_open(o officer, p_school text, p_category text, p_description text, p_photos text[],
                            p_severity severity, p_issuer text, p_visit bigint, p_note text,
                            OUT case_id bigint, OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  t alert_type;
  k hazard_category;
  s unit;
  c cases;
  v_desc text;
  v_photos text[] := '{}';
  p text;
  u text;
BEGIN
  SELECT * INTO k FROM hazard_category WHERE code = p_category AND active;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown hazard category "%"', p_category USING ERRCODE = 'XA004',
      HINT = 'pick one of the 22 items of the work list (hazard_category)';
  END IF;
  SELECT * INTO s FROM unit WHERE code = p_school AND kind = 'school';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown school "%"', p_school USING ERRCODE = 'XA004';
  END IF;
  v_desc := check_text(p_description, 'the description', true, 2000);
  IF coalesce(cardinality(p_photos), 0) > 20 THEN
    RAISE EXCEPTION 'at most 20 photos per hazard (got %)', cardinality(p_photos) USING ERRCODE = 'XA004';
  END IF;
  FOREACH p IN ARRAY coalesce(p_photos, '{}') LOOP
    v_photos := v_photos || check_text(p, 'a photo reference', true, 500);
  END LOOP;
  SELECT * INTO t FROM alert_type WHERE code = 'hazard';
  INSERT INTO cases (type, school, town, severity, sensitive, summary, details, source, source_id,
                     issuer, holder, occurred_at, clock_start)
  VALUES ('hazard', s.code, s.town, coalesce(p_severity, 'normal'), false,
          left(k.name_zh || '：' || v_desc, 500),
          jsonb_build_object('category', k.code, 'photos', to_jsonb(v_photos), 'description', v_desc),
          'console:' || o.login, gen_random_uuid()::text, p_issuer, resolve_target(t.holder, s.code),
          now(), now())
  RETURNING * INTO c;
  INSERT INTO case_unit VALUES (c.id, c.holder, 'holder');
  FOR u IN SELECT resolve_target(x, s.code) FROM unnest(t.cc) AS x UNION SELECT p_issuer LOOP
    IF u <> c.holder THEN
      INSERT INTO case_unit VALUES (c.id, u, 'cc') ON CONFLICT DO NOTHING;
    END IF;
  END LOOP;
  INSERT INTO hazard(case_id, category, visit_id) VALUES (c.id, k.code, p_visit);
  case_id := c.id;
  version := c.version;
  seq := log_event(c, 'open', NULL, o.login, o.name, o.unit, NULL, c.holder, p_note || '：' || k.name_zh);
END $$;

-- A school safety officer reports a hazard at their school (others name the
-- school; town staff within their town). The reporting unit is the issuer
-- until a unit assigns the case.
CREATE FUNCTION hazard_report(p_category text, p_description text, p_photos text[] DEFAULT '{}',
                              p_severity severity DEFAULT 'normal', p_school text DEFAULT NULL,
                              OUT case_id bigint, OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  o officer;
  v_school text;
BEGIN
  o := me();
  IF o.login IS NULL THEN
    RAISE EXCEPTION 'you (%) are not an active xiaoan officer: ask an administrator', session_user
      USING ERRCODE = 'XA003';
  END IF;
  IF o.role = 'school_officer' THEN
    IF p_school IS NOT NULL AND p_school <> o.unit THEN
      RAISE EXCEPTION 'a school safety officer reports hazards at their own school (%)', unit_label(o.unit)
        USING ERRCODE = 'XA003';
    END IF;
    v_school := o.unit;
  ELSE
    IF p_school IS NULL THEN
      RAISE EXCEPTION 'name the school the hazard is at' USING ERRCODE = 'XA004';
    END IF;
    IF o.role = 'town_staff' AND NOT EXISTS (SELECT 1 FROM unit WHERE code = p_school AND town = me_town()) THEN
      RAISE EXCEPTION '% is not a school of your town', p_school USING ERRCODE = 'XA003';
    END IF;
    v_school := p_school;
  END IF;
  SELECT * INTO case_id, version, seq
    FROM hazard_open(o, v_school, p_category, p_description, p_photos, p_severity, o.unit, NULL, '隐患上报');
END $$;

-- 交办: the holding unit sets the rectification deadline (close_due) and
-- either keeps the case (signing it if it had not) or hands it to p_to, whose
-- sign clock starts now. The first unit to assign a hazard the school reported
-- becomes its issuer and accepts the result (验收); a hazard a department
-- opened on a visit stays that department's to accept (seed 002 附件3).
CREATE FUNCTION hazard_assign(p_case bigint, p_version integer, p_to text, p_deadline timestamptz,
                              p_note text DEFAULT NULL, OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  c cases;
  o officer;
  u unit;
  v_to text;
  v_note text;
BEGIN
  c := step_begin(p_case, p_version, 'assign', 'holder', '{new,signed,in_progress}');
  o := me();
  PERFORM hazard_only(c);
  IF p_deadline IS NULL OR p_deadline <= now() THEN
    RAISE EXCEPTION 'the rectification deadline must be in the future' USING ERRCODE = 'XA004';
  END IF;
  IF p_deadline > now() + interval '2 years' THEN
    RAISE EXCEPTION 'the rectification deadline % is more than two years away: check the date',
      local_stamp(p_deadline) USING ERRCODE = 'XA004';
  END IF;
  v_to := nullif(nullif(btrim(p_to), ''), c.holder);
  IF v_to IS NOT NULL THEN
    SELECT * INTO u FROM unit WHERE code = v_to;
    IF NOT FOUND OR u.kind IN ('city', 'district', 'town') THEN
      RAISE EXCEPTION 'cannot assign case % to "%": pick a department, command room, police station or school',
        c.id, p_to USING ERRCODE = 'XA004';
    END IF;
  END IF;
  v_note := '整改期限 ' || local_stamp(p_deadline) || coalesce('；' || check_text(p_note, 'note', false, 2000), '');
  UPDATE cases SET close_due = p_deadline,
                   issuer = CASE WHEN cases.issuer = cases.school THEN o.unit ELSE cases.issuer END
   WHERE id = c.id RETURNING * INTO c;
  UPDATE hazard SET assigned_by = o.unit, assigned_at = now() WHERE case_id = c.id;
  IF v_to IS NULL THEN
    UPDATE cases SET state = CASE WHEN cases.state = 'new' THEN 'signed' ELSE cases.state END,
                     signed_at = coalesce(signed_at, now()), signed_by = coalesce(signed_by, o.login),
                     version = cases.version + 1
     WHERE id = c.id RETURNING * INTO c;
    SELECT * INTO version, seq FROM step_end(c, o, 'assign', NULL, NULL, NULL, v_note);
  ELSE
    SELECT * INTO version, seq FROM transfer(c, o, 'assign', v_to, v_note);
  END IF;
END $$;

-- Closes a hazard with one of seed 004's outcomes: resolved; being resolved
-- with a committed completion date; hard to resolve in the short term (goes
-- to leadership review). case_close refuses hazards (trigger below).
CREATE FUNCTION hazard_close(p_case bigint, p_version integer, p_outcome text, p_committed date, p_note text,
                             OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  c cases;
  o officer;
  v_note text;
BEGIN
  c := step_begin(p_case, p_version, 'close', 'holder', '{signed,in_progress}');
  o := me();
  PERFORM hazard_only(c);
  IF p_outcome IS NULL OR p_outcome NOT IN ('resolved', 'in_progress_committed', 'hard_to_resolve') THEN
    RAISE EXCEPTION 'the outcome must be resolved, in_progress_committed or hard_to_resolve (got %)',
      coalesce(p_outcome, 'nothing') USING ERRCODE = 'XA004';
  END IF;
  IF p_outcome = 'in_progress_committed' THEN
    IF p_committed IS NULL THEN
      RAISE EXCEPTION 'a hazard still being resolved needs the committed completion date' USING ERRCODE = 'XA004';
    END IF;
    IF p_committed < local_today() THEN
      RAISE EXCEPTION 'the committed completion date % is in the past', p_committed USING ERRCODE = 'XA004';
    END IF;
  ELSIF p_committed IS NOT NULL THEN
    RAISE EXCEPTION 'a committed completion date goes with in_progress_committed only' USING ERRCODE = 'XA004';
  END IF;
  v_note := check_text(p_note, 'the result', true, 2000);
  UPDATE hazard SET outcome = p_outcome, committed_date = p_committed, outcome_at = now(), outcome_by = o.login
   WHERE case_id = c.id;
  UPDATE cases SET state = 'closed', closed_at = now(), version = cases.version + 1
   WHERE id = c.id RETURNING * INTO c;
  SELECT * INTO version, seq FROM step_end(c, o, 'close', NULL, NULL, NULL,
    outcome_label(p_outcome) || coalesce('，承诺 ' || p_committed || ' 前完成', '') || '：' || v_note);
END $$;

-- A hazard closes only through hazard_close (which records its outcome in
-- the same transaction); reopening it clears the outcome.
CREATE FUNCTION hazard_state_guard() RETURNS trigger LANGUAGE plpgsql
SET search_path = xiaoan, pg_catalog AS $$
BEGIN
  IF NEW.state = 'closed' AND OLD.state IN ('new', 'signed', 'in_progress') THEN
    IF NOT EXISTS (SELECT 1 FROM hazard h WHERE h.case_id = NEW.id AND h.outcome_at = now()) THEN
      RAISE EXCEPTION 'case % is a reported hazard: it is closed with its outcome', NEW.id
        USING ERRCODE = 'XA002', HINT = 'use hazard_close (resolved, in_progress_committed or hard_to_resolve)';
    END IF;
  ELSIF OLD.state = 'closed' AND NEW.state IN ('new', 'signed', 'in_progress') THEN
    UPDATE hazard SET outcome = NULL, committed_date = NULL, outcome_at = NULL, outcome_by = NULL
     WHERE case_id = NEW.id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER cases_hazard_state BEFORE UPDATE OF state ON cases FOR EACH ROW
  WHEN (NEW.state IS DISTINCT FROM OLD.state AND NEW.type = 'hazard')
  EXECUTE FUNCTION hazard_state_guard();

-- Picks p_count of p_ids at random, reproducibly: the same ids, count and
-- seed always give the same pick (ids are taken in order, one random() each
-- after setseed).
CREATE FUNCTION sample_pick(p_ids bigint[], p_count integer, p_seed bigint) RETURNS bigint[]
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_ids bigint[] := ARRAY(SELECT DISTINCT x FROM unnest(p_ids) AS x ORDER BY x);
  v_keys double precision[] := '{}';
BEGIN
  PERFORM setseed((p_seed % 2147483647)::double precision / 2147483647);
  FOR i IN 1 .. coalesce(cardinality(v_ids), 0) LOOP
    v_keys := v_keys || random();
  END LOOP;
  RETURN ARRAY(SELECT id FROM (SELECT id FROM unnest(v_ids, v_keys) AS t(id, k) ORDER BY k, id LIMIT p_count) AS s
               ORDER BY id);
END $$;

-- Supervisors pick p_percent (rounded up) of the hazards closed as resolved or
-- being resolved (seed 004 (三)1) in [p_from, p_to) and not sampled before.
-- Without a seed one is drawn; it is kept in hazard_sample to redo the pick.
CREATE FUNCTION hazard_sample_audit(p_from timestamptz, p_to timestamptz, p_percent numeric,
                                    p_seed bigint DEFAULT NULL, p_scope text DEFAULT NULL)
RETURNS TABLE(sample_id bigint, case_id bigint, seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  o officer;
  c cases;
  v_ids bigint[];
  v_pick bigint[];
  v_seed bigint;
  v_sample bigint;
  x bigint;
BEGIN
  o := me();
  IF o.login IS NULL OR o.role <> 'supervisor' THEN
    RAISE EXCEPTION 'only supervisors pick sample audits' USING ERRCODE = 'XA003';
  END IF;
  PERFORM check_period(p_from, p_to);
  PERFORM check_scope(p_scope);
  IF p_percent IS NULL OR p_percent <= 0 OR p_percent > 100 THEN
    RAISE EXCEPTION 'the sample must be more than 0 and at most 100 percent (got %)', p_percent
      USING ERRCODE = 'XA004';
  END IF;
  v_seed := coalesce(p_seed, floor(random() * 2147483647)::bigint);
  v_ids := ARRAY(SELECT h.case_id FROM hazard h JOIN cases k ON k.id = h.case_id
                  WHERE h.outcome IN ('resolved', 'in_progress_committed') AND h.sample_id IS NULL
                    AND h.outcome_at >= p_from AND h.outcome_at < p_to
                    AND in_scope(p_scope, k.id, k.town, k.school, k.holder)
                  ORDER BY h.case_id);
  v_pick := sample_pick(v_ids, ceil(coalesce(cardinality(v_ids), 0) * p_percent / 100)::integer, v_seed);
  INSERT INTO hazard_sample(period_from, period_to, scope, percent, seed, population, picked, created_by)
  VALUES (p_from, p_to, p_scope, p_percent, v_seed, coalesce(cardinality(v_ids), 0),
          coalesce(cardinality(v_pick), 0), o.login)
  RETURNING id INTO v_sample;
  FOREACH x IN ARRAY v_pick LOOP
    c := step_begin(x, NULL, 'sample', 'any', '{closed,confirmed}');
    UPDATE hazard h SET sample_id = v_sample WHERE h.case_id = x;
    UPDATE cases k SET version = k.version + 1 WHERE k.id = x RETURNING * INTO c;
    sample_id := v_sample;
    case_id := x;
    seq := (step_end(c, o, 'sample', NULL, NULL, NULL,
                     format('抽查 #%s（%s%%，种子 %s）', v_sample, p_percent, v_seed))).seq;
    RETURN NEXT;
  END LOOP;
END $$;

-- The result of a sample audit of one picked hazard (a failed one needs a note).
CREATE FUNCTION hazard_audit_result(p_case bigint, p_passed boolean, p_note text DEFAULT NULL,
                                    OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  o officer;
  c cases;
  h hazard;
  v_note text;
BEGIN
  o := me();
  IF o.login IS NULL OR o.role <> 'supervisor' THEN
    RAISE EXCEPTION 'only supervisors record sample audit results' USING ERRCODE = 'XA003';
  END IF;
  IF p_passed IS NULL THEN
    RAISE EXCEPTION 'say whether the audit passed' USING ERRCODE = 'XA004';
  END IF;
  c := step_begin(p_case, NULL, 'audit', 'any', '{closed,confirmed}');
  SELECT * INTO h FROM hazard WHERE case_id = c.id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'case % is an alert, not a reported hazard', c.id USING ERRCODE = 'XA002';
  END IF;
  IF h.sample_id IS NULL THEN
    RAISE EXCEPTION 'case % was not picked for a sample audit', c.id USING ERRCODE = 'XA002';
  END IF;
  IF h.audited_at IS NOT NULL THEN
    RAISE EXCEPTION 'case % was already audited by % at %', c.id,
      coalesce((SELECT name FROM officer WHERE login = h.audited_by), h.audited_by), local_time(h.audited_at)
      USING ERRCODE = 'XA001';
  END IF;
  v_note := check_text(p_note, 'what the audit found', NOT p_passed, 2000);
  UPDATE hazard SET audit_passed = p_passed, audit_note = v_note, audited_at = now(), audited_by = o.login
   WHERE case_id = c.id;
  UPDATE cases SET version = cases.version + 1 WHERE id = c.id RETURNING * INTO c;
  SELECT * INTO version, seq FROM step_end(c, o, 'audit', NULL, NULL, NULL,
    CASE WHEN p_passed THEN '抽查通过' ELSE '抽查未通过' END || coalesce('：' || v_note, ''));
END $$;

-- Service-guidance visits --------------------------------------------------------------

-- A unit's officer logs a visit; with a category the finding opens a hazard
-- case in the same step, held by the school's town command room and issued
-- by the visiting unit.
CREATE FUNCTION visit_log(p_school text, p_visited_at timestamptz, p_checked text, p_findings text,
                          p_open_hazard_category text DEFAULT NULL, p_severity severity DEFAULT 'normal',
                          OUT visit_id bigint, OUT case_id bigint, OUT version integer, OUT seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
DECLARE
  o officer;
  s unit;
  v_checked text;
  v_findings text;
BEGIN
  o := me();
  IF o.login IS NULL THEN
    RAISE EXCEPTION 'you (%) are not an active xiaoan officer: ask an administrator', session_user
      USING ERRCODE = 'XA003';
  END IF;
  IF o.role = 'school_officer' THEN
    RAISE EXCEPTION 'service-guidance visits are logged by the visiting unit, not by the school'
      USING ERRCODE = 'XA003', HINT = 'report a hazard at your school with hazard_report';
  END IF;
  SELECT * INTO s FROM unit WHERE code = p_school AND kind = 'school';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown school "%"', p_school USING ERRCODE = 'XA004';
  END IF;
  IF o.role = 'town_staff' AND s.town IS DISTINCT FROM me_town() THEN
    RAISE EXCEPTION '% is not a school of your town', unit_label(s.code) USING ERRCODE = 'XA003';
  END IF;
  IF p_visited_at IS NULL OR p_visited_at > now() + interval '5 minutes' THEN
    RAISE EXCEPTION 'the visit time is missing or in the future' USING ERRCODE = 'XA004';
  END IF;
  v_checked := check_text(p_checked, 'what was checked', true, 2000);
  v_findings := check_text(p_findings, 'the findings', p_open_hazard_category IS NOT NULL, 2000);
  INSERT INTO visit(unit, officer, school, visited_at, checked, findings)
  VALUES (o.unit, o.login, s.code, p_visited_at, v_checked, v_findings)
  RETURNING id INTO visit_id;
  IF p_open_hazard_category IS NOT NULL THEN
    SELECT * INTO case_id, version, seq
      FROM hazard_open(o, s.code, p_open_hazard_category, v_findings, '{}', p_severity, o.unit, visit_id,
                       format('服务指导发现（走访 #%s）', visit_id));
    UPDATE visit v SET case_id = visit_log.case_id WHERE v.id = visit_log.visit_id;
  END IF;
END $$;

-- Figures of every case ---------------------------------------------------------------
-- One row per case with each stage judged; every statistic below is an
-- aggregate of these rows, so the console, the report and cases.csv agree.
-- A stage is judged when it has a due time and is done, or is not done and
-- past due (late); on time = done at or before the due. sign: the current
-- holder's clock (sign_start .. sign_due; a hand-over restarts it).
-- feedback: the first feedback, or the close when none was given. close:
-- the last close (a reopened case counts from its latest close). Times
-- (sign_secs: sign_start .. signed_at; close_secs: clock_start .. closed_at)
-- are whole seconds.
CREATE VIEW case_figures WITH (security_invoker = true) AS
SELECT c.id, c.type, t.name_zh AS type_name, c.school, s.name AS school_name, c.town, tw.name AS town_name,
       c.holder, h.name AS holder_name, c.state, c.severity, c.summary, c.opened_at, c.reopen_count,
       c.supervised, c.sign_start, c.sign_due, c.signed_at,
       round(extract(epoch FROM c.signed_at - c.sign_start))::bigint AS sign_secs,
       f.sign_on_time,
       c.feedback_due, coalesce(c.feedback_at, c.closed_at) AS feedback_done_at, f.feedback_on_time,
       c.clock_start, c.close_due, c.closed_at,
       round(extract(epoch FROM c.closed_at - c.clock_start))::bigint AS close_secs,
       f.close_on_time,
       (f.sign_on_time IS FALSE OR f.feedback_on_time IS FALSE OR f.close_on_time IS FALSE) AS overdue,
       c.reopen_count > 0 AS reopened
  FROM xiaoan.cases c
  CROSS JOIN LATERAL (SELECT
         CASE WHEN c.sign_due IS NULL THEN NULL
              WHEN c.signed_at IS NOT NULL THEN c.signed_at <= c.sign_due
              WHEN now() > c.sign_due THEN false END AS sign_on_time,
         CASE WHEN c.feedback_due IS NULL THEN NULL
              WHEN coalesce(c.feedback_at, c.closed_at) IS NOT NULL
                THEN coalesce(c.feedback_at, c.closed_at) <= c.feedback_due
              WHEN now() > c.feedback_due THEN false END AS feedback_on_time,
         CASE WHEN c.close_due IS NULL THEN NULL
              WHEN c.closed_at IS NOT NULL THEN c.closed_at <= c.close_due
              WHEN now() > c.close_due THEN false END AS close_on_time) AS f
  LEFT JOIN xiaoan.alert_type t ON t.code = c.type
  LEFT JOIN xiaoan.unit s ON s.code = c.school
  LEFT JOIN xiaoan.unit tw ON tw.code = c.town
  LEFT JOIN xiaoan.unit h ON h.code = c.holder;

-- The cases opened in [p_from, p_to) within a scope, with their figures.
-- Plain SQL so the planner inlines it into the statistics below (a scope
-- test per row through a function call would cost more than the rest of a
-- year's statistics): keep it free of SET clauses and SECURITY DEFINER. The
-- holder is always in case_unit too; it is tested first because it is cheap.
CREATE FUNCTION scoped_figures(p_from timestamptz, p_to timestamptz, p_scope text)
RETURNS SETOF case_figures LANGUAGE sql STABLE AS $$
  SELECT * FROM xiaoan.case_figures f
   WHERE f.opened_at >= p_from AND f.opened_at < p_to
     AND (p_scope IS NULL OR p_scope = 'district'
          OR (p_scope LIKE 'town:%' AND f.town = substr(p_scope, 6))
          OR (p_scope LIKE 'school:%' AND f.school = substr(p_scope, 8))
          OR (p_scope LIKE 'unit:%'
              AND (f.holder = substr(p_scope, 6)
                   OR f.id IN (SELECT cu.case_id FROM xiaoan.case_unit cu WHERE cu.unit = substr(p_scope, 6)))))
$$;

-- The same, checked and in order of opening (cases.csv).
CREATE FUNCTION case_figures_in(p_from timestamptz, p_to timestamptz, p_scope text DEFAULT NULL)
RETURNS SETOF case_figures LANGUAGE plpgsql STABLE SET search_path = xiaoan, pg_catalog AS $$
BEGIN
  PERFORM check_period(p_from, p_to);
  PERFORM check_scope(p_scope);
  RETURN QUERY SELECT * FROM scoped_figures(p_from, p_to, p_scope) f ORDER BY f.opened_at, f.id;
END $$;

CREATE FUNCTION pct(p_part bigint, p_whole bigint) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_whole > 0 THEN round(100.0 * p_part / p_whole, 1) END
$$;

-- Statistics for the cases opened in [p_from, p_to), one row per group:
-- 'all' (one row), 'unit' (current holder), 'town', 'type' or 'school'.
-- Percentages have one decimal and are NULL when no stage was judged; times
-- are whole seconds (means and medians over the cases where the stage is done).
CREATE FUNCTION stats(p_from timestamptz, p_to timestamptz, p_group text, p_scope text DEFAULT NULL)
RETURNS TABLE(key text, label text, cases bigint, sign_on_time_pct numeric, feedback_on_time_pct numeric,
              close_on_time_pct numeric, mean_sign_secs bigint, median_sign_secs bigint,
              mean_close_secs bigint, median_close_secs bigint, overdue bigint, reopened bigint)
LANGUAGE plpgsql STABLE SET search_path = xiaoan, pg_catalog AS $$
#variable_conflict use_column
BEGIN
  PERFORM check_period(p_from, p_to);
  PERFORM check_scope(p_scope);
  IF p_group IS NULL OR p_group NOT IN ('all', 'unit', 'town', 'type', 'school') THEN
    RAISE EXCEPTION 'statistics group by all, unit, town, type or school (got %)', coalesce(p_group, 'nothing')
      USING ERRCODE = 'XA004';
  END IF;
  RETURN QUERY
  WITH f AS (
    SELECT CASE p_group WHEN 'unit' THEN f.holder WHEN 'town' THEN f.town WHEN 'type' THEN f.type
                        WHEN 'school' THEN f.school ELSE 'all' END AS k,
           f.sign_on_time, f.feedback_on_time, f.close_on_time, f.sign_secs, f.close_secs, f.overdue, f.reopened
      FROM scoped_figures(p_from, p_to, p_scope) f
  ), g AS (
    SELECT f.k, count(*) AS n,
           pct(count(*) FILTER (WHERE f.sign_on_time), count(f.sign_on_time)) AS sign_pct,
           pct(count(*) FILTER (WHERE f.feedback_on_time), count(f.feedback_on_time)) AS feedback_pct,
           pct(count(*) FILTER (WHERE f.close_on_time), count(f.close_on_time)) AS close_pct,
           round(avg(f.sign_secs))::bigint AS mean_sign,
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY f.sign_secs::float8)::numeric)::bigint AS median_sign,
           round(avg(f.close_secs))::bigint AS mean_close,
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY f.close_secs::float8)::numeric)::bigint AS median_close,
           count(*) FILTER (WHERE f.overdue) AS n_overdue,
           count(*) FILTER (WHERE f.reopened) AS n_reopened
      FROM f GROUP BY f.k
  )
  SELECT g.k,
         CASE p_group WHEN 'all' THEN coalesce(setting_text('district_name'), '全部')
                      WHEN 'type' THEN coalesce(t.name_zh, g.k)
                      ELSE coalesce(u.name, g.k) END,
         g.n, g.sign_pct, g.feedback_pct, g.close_pct, g.mean_sign, g.median_sign, g.mean_close, g.median_close,
         g.n_overdue, g.n_reopened
    FROM g
    LEFT JOIN alert_type t ON p_group = 'type' AND t.code = g.k
    LEFT JOIN unit u ON p_group IN ('unit', 'town', 'school') AND u.code = g.k
   ORDER BY g.k;
END $$;

-- Problem-prone schools (问题多发学校): ranked by cases, then overdue cases,
-- then the number of alert types that came back (two or more cases of the
-- type). legal_edu (a course held) is not a problem and is left out.
CREATE FUNCTION problem_schools(p_from timestamptz, p_to timestamptz, p_limit integer DEFAULT 10,
                                p_scope text DEFAULT NULL)
RETURNS TABLE(rank integer, school text, school_name text, town text, town_name text, cases bigint,
              overdue bigint, repeat_types bigint, repeats text)
LANGUAGE plpgsql STABLE SET search_path = xiaoan, pg_catalog AS $$
#variable_conflict use_column
BEGIN
  PERFORM check_period(p_from, p_to);
  PERFORM check_scope(p_scope);
  IF p_limit IS NULL OR p_limit < 1 THEN
    RAISE EXCEPTION 'the list needs a limit of at least 1' USING ERRCODE = 'XA004';
  END IF;
  RETURN QUERY
  WITH f AS (
    SELECT f.school, f.type, f.overdue FROM scoped_figures(p_from, p_to, p_scope) f
     WHERE f.type <> 'legal_edu'
  ), per_type AS (
    SELECT f.school, f.type, count(*) AS n, count(*) FILTER (WHERE f.overdue) AS n_overdue
      FROM f GROUP BY f.school, f.type
  ), per_school AS (
    SELECT p.school, sum(p.n)::bigint AS n, sum(p.n_overdue)::bigint AS n_overdue,
           count(*) FILTER (WHERE p.n >= 2) AS n_repeat,
           string_agg(t.name_zh || '×' || p.n, '、' ORDER BY p.n DESC, p.type) FILTER (WHERE p.n >= 2) AS rep
      FROM per_type p JOIN alert_type t ON t.code = p.type
     GROUP BY p.school
  )
  SELECT (row_number() OVER (ORDER BY ps.n DESC, ps.n_overdue DESC, ps.n_repeat DESC, ps.school))::integer,
         ps.school, s.name, s.town, tw.name, ps.n, ps.n_overdue, ps.n_repeat, coalesce(ps.rep, '')
    FROM per_school ps JOIN unit s ON s.code = ps.school LEFT JOIN unit tw ON tw.code = s.town
   ORDER BY 1
   LIMIT p_limit;
END $$;

-- The "4 × 100 %" baseline of every school in scope, over the last p_days:
-- full-time guards (no guard_absent case still open), closed management (no
-- gate_open case), one-key alarm and video networked (no panic_alarm case
-- with details.reason = 'offline'), school-crossing post (no patrol_post
-- case). Officers see the schools of their scope: a school officer their
-- school, town staff their town's.
CREATE FUNCTION baseline(p_days integer DEFAULT 30, p_scope text DEFAULT NULL)
RETURNS TABLE(school text, school_name text, town text, town_name text, guards_ok boolean, closed_ok boolean,
              alarm_ok boolean, post_ok boolean, all_ok boolean, guard_open bigint, gate_cases bigint,
              offline_cases bigint, post_cases bigint)
LANGUAGE plpgsql STABLE SET search_path = xiaoan, pg_catalog AS $$
#variable_conflict use_column
DECLARE
  v_role officer_role := me_role();
  v_unit text := me_unit();
  v_town text := me_town();
BEGIN
  PERFORM check_scope(p_scope);
  IF p_days IS NULL OR p_days < 1 OR p_days > 366 THEN
    RAISE EXCEPTION 'the baseline looks back 1 to 366 days (got %)', p_days USING ERRCODE = 'XA004';
  END IF;
  RETURN QUERY
  WITH k AS (
    SELECT c.school,
           count(*) FILTER (WHERE c.type = 'guard_absent' AND c.state IN ('new', 'signed', 'in_progress')) AS g,
           count(*) FILTER (WHERE c.type = 'gate_open') AS o,
           count(*) FILTER (WHERE c.type = 'panic_alarm' AND c.details->>'reason' = 'offline') AS a,
           count(*) FILTER (WHERE c.type = 'patrol_post') AS p
      FROM cases c
     WHERE c.opened_at > now() - make_interval(days => p_days)
       AND c.type IN ('guard_absent', 'gate_open', 'panic_alarm', 'patrol_post')
       AND in_scope(p_scope, c.id, c.town, c.school, c.holder)
     GROUP BY c.school
  )
  SELECT s.code, s.name, s.town, tw.name,
         coalesce(k.g, 0) = 0, coalesce(k.o, 0) = 0, coalesce(k.a, 0) = 0, coalesce(k.p, 0) = 0,
         coalesce(k.g, 0) + coalesce(k.o, 0) + coalesce(k.a, 0) + coalesce(k.p, 0) = 0,
         coalesce(k.g, 0), coalesce(k.o, 0), coalesce(k.a, 0), coalesce(k.p, 0)
    FROM unit s
    LEFT JOIN unit tw ON tw.code = s.town
    LEFT JOIN k ON k.school = s.code
   WHERE s.kind = 'school'
     AND (p_scope IS NULL OR p_scope = 'district' OR p_scope LIKE 'unit:%'
          OR (p_scope LIKE 'town:%' AND s.town = substr(p_scope, 6))
          OR (p_scope LIKE 'school:%' AND s.code = substr(p_scope, 8)))
     AND (v_role IS DISTINCT FROM 'school_officer' OR s.code = v_unit)
     AND (v_role IS DISTINCT FROM 'town_staff' OR s.town = v_town)
   ORDER BY s.code;
END $$;

-- Cases opened per district calendar day (zero days included), for sparklines.
CREATE FUNCTION cases_per_day(p_from timestamptz, p_to timestamptz, p_scope text DEFAULT NULL)
RETURNS TABLE(day date, cases bigint)
LANGUAGE plpgsql STABLE SET search_path = xiaoan, pg_catalog AS $$
#variable_conflict use_column
DECLARE
  z text := district_zone();
BEGIN
  PERFORM check_period(p_from, p_to);
  PERFORM check_scope(p_scope);
  IF p_to - p_from > interval '3700 days' THEN
    RAISE EXCEPTION 'at most ten years of days at a time' USING ERRCODE = 'XA004';
  END IF;
  RETURN QUERY
  SELECT d.day::date, count(c.id)
    FROM generate_series((p_from AT TIME ZONE z)::date, ((p_to - interval '1 microsecond') AT TIME ZONE z)::date,
                         interval '1 day') AS d(day)
    LEFT JOIN (SELECT k.id, (k.opened_at AT TIME ZONE z)::date AS day
                 FROM scoped_figures(p_from, p_to, p_scope) k) AS c ON c.day = d.day::date
   GROUP BY d.day ORDER BY d.day;
END $$;

-- Cases opened per hour (zero hours included), for sparklines.
CREATE FUNCTION cases_per_hour(p_from timestamptz, p_to timestamptz, p_scope text DEFAULT NULL)
RETURNS TABLE(hour timestamptz, cases bigint)
LANGUAGE plpgsql STABLE SET search_path = xiaoan, pg_catalog AS $$
#variable_conflict use_column
DECLARE
  z text := district_zone();
BEGIN
  PERFORM check_period(p_from, p_to);
  PERFORM check_scope(p_scope);
  IF p_to - p_from > interval '62 days' THEN
    RAISE EXCEPTION 'at most 62 days of hours at a time' USING ERRCODE = 'XA004';
  END IF;
  RETURN QUERY
  SELECT h.hour, count(c.id)
    FROM generate_series(date_trunc('hour', p_from, z), p_to - interval '1 microsecond', interval '1 hour') AS h(hour)
    LEFT JOIN (SELECT k.id, date_trunc('hour', k.opened_at, z) AS hour
                 FROM scoped_figures(p_from, p_to, p_scope) k) AS c ON c.hour = h.hour
   GROUP BY h.hour ORDER BY h.hour;
END $$;

-- Supervision -----------------------------------------------------------------------
-- Every overdue stage of every open case the reader may see, oldest due
-- first; unit = the holder, who owes the stage.
CREATE VIEW overdue_review WITH (security_invoker = true) AS
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
 WHERE c.state IN ('new', 'signed', 'in_progress') AND st.due < now()
 ORDER BY st.due, c.id, st.n;

CREATE FUNCTION overdue_list(p_scope text DEFAULT NULL, p_limit integer DEFAULT NULL)
RETURNS SETOF overdue_review LANGUAGE plpgsql STABLE SET search_path = xiaoan, pg_catalog AS $$
BEGIN
  PERFORM check_scope(p_scope);
  RETURN QUERY SELECT * FROM overdue_review o
                WHERE in_scope(p_scope, o.case_id, o.town, o.school, o.unit)
                ORDER BY o.due, o.case_id, o.stage DESC
                LIMIT p_limit;
END $$;

-- The overdue stages counted by 'unit', 'town' or 'type'.
CREATE FUNCTION overdue_by(p_group text, p_scope text DEFAULT NULL)
RETURNS TABLE(key text, label text, stages bigint, cases bigint, oldest_due timestamptz, max_over_secs bigint)
LANGUAGE plpgsql STABLE SET search_path = xiaoan, pg_catalog AS $$
#variable_conflict use_column
BEGIN
  PERFORM check_scope(p_scope);
  IF p_group IS NULL OR p_group NOT IN ('unit', 'town', 'type') THEN
    RAISE EXCEPTION 'overdue stages group by unit, town or type (got %)', coalesce(p_group, 'nothing')
      USING ERRCODE = 'XA004';
  END IF;
  RETURN QUERY
  SELECT CASE p_group WHEN 'unit' THEN o.unit WHEN 'town' THEN o.town ELSE o.type END,
         min(CASE p_group WHEN 'unit' THEN o.unit_name WHEN 'town' THEN o.town_name ELSE o.type_name END),
         count(*), count(DISTINCT o.case_id), min(o.due), max(o.over_secs)
    FROM overdue_review o
   WHERE in_scope(p_scope, o.case_id, o.town, o.school, o.unit)
   GROUP BY 1
   ORDER BY min(o.due), 1;
END $$;

-- Cases under listed supervision (挂牌督办) with their progress: the last
-- step taken (deadline alarms aside), who put the case under supervision,
-- and whether the follow-up date has passed.
CREATE VIEW supervised_cases WITH (security_invoker = true) AS
SELECT c.id AS case_id, c.version, c.type, t.name_zh AS type_name, c.school, s.name AS school_name,
       c.town, tw.name AS town_name, c.holder, h.name AS holder_name, c.state, c.severity, c.summary,
       c.opened_at, c.supervise_note, c.supervise_until,
       coalesce(c.supervise_until < xiaoan.local_today(), false) AS follow_up_due,
       sv.at AS supervised_at, sv.actor_name AS supervised_by,
       le.kind AS last_kind, le.at AS last_at, le.actor_name AS last_actor, le.unit AS last_unit, le.note AS last_note,
       (c.state IN ('new', 'signed', 'in_progress')
        AND ((c.state = 'new' AND c.sign_due < now())
             OR (c.state IN ('new', 'signed') AND c.feedback_at IS NULL AND c.feedback_due < now())
             OR c.close_due < now())) AS overdue
  FROM xiaoan.cases c
  JOIN xiaoan.alert_type t ON t.code = c.type
  JOIN xiaoan.unit s ON s.code = c.school
  JOIN xiaoan.unit tw ON tw.code = c.town
  JOIN xiaoan.unit h ON h.code = c.holder
  LEFT JOIN LATERAL (SELECT e.at, e.actor_name FROM xiaoan.case_event e
                      WHERE e.case_id = c.id AND e.kind = 'supervise' ORDER BY e.seq DESC LIMIT 1) AS sv ON true
  LEFT JOIN LATERAL (SELECT e.kind, e.at, e.actor_name, e.unit, e.note FROM xiaoan.case_event e
                      WHERE e.case_id = c.id AND e.kind NOT IN ('due_soon', 'overdue')
                      ORDER BY e.seq DESC LIMIT 1) AS le ON true
 WHERE c.supervised
 ORDER BY c.supervise_until NULLS LAST, c.id;

CREATE FUNCTION supervised_list(p_scope text DEFAULT NULL)
RETURNS SETOF supervised_cases LANGUAGE plpgsql STABLE SET search_path = xiaoan, pg_catalog AS $$
BEGIN
  PERFORM check_scope(p_scope);
  RETURN QUERY SELECT * FROM supervised_cases v
                WHERE in_scope(p_scope, v.case_id, v.town, v.school, v.holder)
                ORDER BY v.supervise_until NULLS LAST, v.case_id;
END $$;

-- Hazards ------------------------------------------------------------------------------

CREATE VIEW hazard_cases WITH (security_invoker = true) AS
SELECT c.id AS case_id, c.version, c.school, s.name AS school_name, c.town, tw.name AS town_name,
       hz.category, k.name_zh AS category_name, c.summary, c.details->'photos' AS photos, c.severity, c.state,
       c.holder, h.name AS holder_name, c.issuer, i.name AS issuer_name, c.opened_at AS reported_at,
       hz.visit_id, hz.assigned_by, hz.assigned_at, c.close_due AS deadline, c.closed_at,
       CASE WHEN c.close_due IS NULL THEN NULL
            WHEN c.closed_at IS NOT NULL THEN c.closed_at <= c.close_due
            WHEN now() > c.close_due THEN false END AS on_time,
       coalesce(c.state IN ('new', 'signed', 'in_progress') AND c.close_due < now(), false) AS past_deadline,
       hz.outcome, xiaoan.outcome_label(hz.outcome) AS outcome_label, hz.committed_date,
       coalesce(hz.outcome = 'in_progress_committed' AND hz.committed_date < xiaoan.local_today(), false)
         AS committed_overdue,
       coalesce(hz.outcome = 'hard_to_resolve', false) AS leadership_review,
       hz.sample_id, hz.audit_passed, hz.audit_note, hz.audited_at, hz.audited_by, c.reopen_count
  FROM xiaoan.hazard hz
  JOIN xiaoan.cases c ON c.id = hz.case_id
  JOIN xiaoan.hazard_category k ON k.code = hz.category
  JOIN xiaoan.unit s ON s.code = c.school
  JOIN xiaoan.unit tw ON tw.code = c.town
  JOIN xiaoan.unit h ON h.code = c.holder
  JOIN xiaoan.unit i ON i.code = c.issuer;

-- The hazards reported in [p_from, p_to) within a scope (hazards.csv).
CREATE FUNCTION hazard_list(p_from timestamptz, p_to timestamptz, p_scope text DEFAULT NULL)
RETURNS SETOF hazard_cases LANGUAGE plpgsql STABLE SET search_path = xiaoan, pg_catalog AS $$
BEGIN
  PERFORM check_period(p_from, p_to);
  PERFORM check_scope(p_scope);
  RETURN QUERY SELECT * FROM hazard_cases v
                WHERE v.reported_at >= p_from AND v.reported_at < p_to
                  AND in_scope(p_scope, v.case_id, v.town, v.school, v.holder)
                ORDER BY v.reported_at, v.case_id;
END $$;

-- Hazards reported in the period, counted by where they stand (n: the order
-- to show them in).
CREATE FUNCTION hazard_summary(p_from timestamptz, p_to timestamptz, p_scope text DEFAULT NULL)
RETURNS TABLE(n integer, key text, label text, cases bigint)
LANGUAGE plpgsql STABLE SET search_path = xiaoan, pg_catalog AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH v AS (SELECT * FROM hazard_list(p_from, p_to, p_scope))
  SELECT x.n, x.key, x.label, x.cases FROM (
    SELECT 1 AS n, 'reported' AS key, '上报隐患' AS label, count(*) AS cases FROM v
    UNION ALL SELECT 2, 'open', '处置中（未办结）', count(*) FILTER (WHERE v.state IN ('new', 'signed', 'in_progress')) FROM v
    UNION ALL SELECT 3, 'past_deadline', '超过整改期限未办结', count(*) FILTER (WHERE v.past_deadline) FROM v
    UNION ALL SELECT 4, 'resolved', '已化解', count(*) FILTER (WHERE v.outcome = 'resolved') FROM v
    UNION ALL SELECT 5, 'in_progress_committed', '正在化解（明确完成时限）',
                     count(*) FILTER (WHERE v.outcome = 'in_progress_committed') FROM v
    UNION ALL SELECT 6, 'committed_overdue', '其中已过承诺时限', count(*) FILTER (WHERE v.committed_overdue) FROM v
    UNION ALL SELECT 7, 'hard_to_resolve', '难以短期化解（提请领导研商）',
                     count(*) FILTER (WHERE v.outcome = 'hard_to_resolve') FROM v
    UNION ALL SELECT 8, 'sampled', '抽查', count(*) FILTER (WHERE v.sample_id IS NOT NULL) FROM v
    UNION ALL SELECT 9, 'audit_passed', '抽查通过', count(*) FILTER (WHERE v.audit_passed) FROM v
    UNION ALL SELECT 10, 'audit_failed', '抽查未通过', count(*) FILTER (WHERE NOT v.audit_passed) FROM v
    UNION ALL SELECT 11, 'audit_pending', '抽查待出结果',
                      count(*) FILTER (WHERE v.sample_id IS NOT NULL AND v.audit_passed IS NULL) FROM v
  ) AS x ORDER BY x.n;
END $$;

-- Service-guidance visits in [p_from, p_to) per visiting unit. Scopes: a
-- town or school selects by the school visited, unit:<u> the visiting unit.
CREATE FUNCTION visit_summary(p_from timestamptz, p_to timestamptz, p_scope text DEFAULT NULL)
RETURNS TABLE(unit text, unit_name text, visits bigint, schools bigint, hazards_opened bigint)
LANGUAGE plpgsql STABLE SET search_path = xiaoan, pg_catalog AS $$
#variable_conflict use_column
BEGIN
  PERFORM check_period(p_from, p_to);
  PERFORM check_scope(p_scope);
  RETURN QUERY
  SELECT v.unit, min(u.name), count(*), count(DISTINCT v.school), count(v.case_id)
    FROM visit v JOIN unit u ON u.code = v.unit JOIN unit s ON s.code = v.school
   WHERE v.visited_at >= p_from AND v.visited_at < p_to
     AND (p_scope IS NULL OR p_scope = 'district'
          OR (p_scope LIKE 'town:%' AND s.town = substr(p_scope, 6))
          OR (p_scope LIKE 'school:%' AND v.school = substr(p_scope, 8))
          OR (p_scope LIKE 'unit:%' AND v.unit = substr(p_scope, 6)))
   GROUP BY v.unit ORDER BY v.unit;
END $$;

-- Row-level security -------------------------------------------------------------------

ALTER TABLE hazard ENABLE ROW LEVEL SECURITY;
CREATE POLICY hazard_read ON hazard FOR SELECT USING (
  EXISTS (SELECT 1 FROM cases c WHERE c.id = hazard.case_id));

-- A visit is seen by the visiting unit, the school, the town staff of the
-- school's town and the district-wide roles.
ALTER TABLE visit ENABLE ROW LEVEL SECURITY;
CREATE POLICY visit_read ON visit FOR SELECT USING (
     (SELECT me_role()) IN ('dispatcher', 'supervisor', 'admin')
  OR unit = (SELECT me_unit())
  OR (school = (SELECT me_unit()) AND (SELECT me_role()) = 'school_officer')
  OR ((SELECT me_role()) = 'town_staff'
      AND school IN (SELECT code FROM unit WHERE town = (SELECT me_town())))
);

-- Privileges -------------------------------------------------------------------------------
-- New functions are executable by PUBLIC unless revoked (003 revoked the
-- ones that existed then).
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
            WHERE p.pronamespace = 'xiaoan'::regnamespace
              AND p.proname IN ('district_zone', 'local_today', 'local_stamp', 'local_iso', 'outcome_label',
                                'period', 'check_scope', 'in_scope', 'check_period', 'hazard_category_units',
                                'hazard_only', 'hazard_open', 'hazard_report', 'hazard_assign', 'hazard_close',
                                'hazard_state_guard', 'sample_pick', 'hazard_sample_audit', 'hazard_audit_result',
                                'visit_log', 'scoped_figures', 'case_figures_in', 'pct', 'stats', 'problem_schools', 'baseline',
                                'cases_per_day', 'cases_per_hour', 'overdue_list', 'overdue_by',
                                'supervised_list', 'hazard_list', 'hazard_summary', 'visit_summary') LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END $$;

GRANT SELECT ON hazard_category, hazard_sample, hazard, visit TO xiaoan_officer;
GRANT SELECT ON case_figures, overdue_review, supervised_cases, hazard_cases TO xiaoan_officer;
GRANT EXECUTE ON FUNCTION
  district_zone(), local_today(), local_stamp(timestamptz), local_iso(timestamptz), outcome_label(text),
  period(text, text), check_scope(text), in_scope(text, bigint, text, text, text),
  check_period(timestamptz, timestamptz), pct(bigint, bigint), hazard_category_units(text, text),
  hazard_report(text, text, text[], severity, text),
  hazard_assign(bigint, integer, text, timestamptz, text),
  hazard_close(bigint, integer, text, date, text),
  hazard_sample_audit(timestamptz, timestamptz, numeric, bigint, text),
  hazard_audit_result(bigint, boolean, text),
  visit_log(text, timestamptz, text, text, text, severity),
  scoped_figures(timestamptz, timestamptz, text), case_figures_in(timestamptz, timestamptz, text),
  stats(timestamptz, timestamptz, text, text),
  problem_schools(timestamptz, timestamptz, integer, text),
  baseline(integer, text),
  cases_per_day(timestamptz, timestamptz, text), cases_per_hour(timestamptz, timestamptz, text),
  overdue_list(text, integer), overdue_by(text, text), supervised_list(text),
  hazard_list(timestamptz, timestamptz, text), hazard_summary(timestamptz, timestamptz, text),
  visit_summary(timestamptz, timestamptz, text)
TO xiaoan_officer;
