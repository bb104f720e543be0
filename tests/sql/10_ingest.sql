-- Alert types and their limits; ingest: new, duplicate, per-item errors,
-- routing, deadlines and the private part of sensitive alerts.
BEGIN;
SELECT plan(56);
\ir helpers.psql

-- The twelve alert types of seed 000 (附件2) ---------------------------------
SELECT is((SELECT count(*)::integer FROM xiaoan.alert_type WHERE NOT is_hazard), 12, 'twelve alert types');
SELECT results_eq(
  $$SELECT code, xiaoan.sign_limit_of(t), feedback_limit, close_limit, clock_from
      FROM xiaoan.alert_type t WHERE NOT is_hazard ORDER BY code$$,
  $$VALUES ('dorm_absence', interval '5 minutes', interval '1 hour', interval '12 hours', 'pushed'),
           ('drowning', interval '3 minutes', NULL, interval '2 hours', 'pushed'),
           ('food_safety', interval '5 minutes', interval '1 hour', interval '12 hours', 'pushed'),
           ('gate_open', interval '5 minutes', interval '10 minutes', interval '12 hours', 'pushed'),
           ('guard_absent', interval '5 minutes', NULL, interval '12 hours', 'pushed'),
           ('legal_edu', NULL, NULL, interval '12 hours', 'occurred'),
           ('mental_care', interval '3 minutes', NULL, interval '24 hours', 'pushed'),
           ('minor_venue', interval '5 minutes', interval '1 hour', interval '12 hours', 'pushed'),
           ('panic_alarm', interval '5 minutes', interval '15 minutes', interval '2 hours', 'pushed'),
           ('patrol_post', interval '5 minutes', interval '15 minutes', interval '12 hours', 'pushed'),
           ('risk_person', interval '5 minutes', interval '15 minutes', interval '2 hours', 'pushed'),
           ('traffic', interval '3 minutes', NULL, interval '2 hours', 'pushed')$$,
  'each type with its sign, first-feedback and closed-loop limits');
SELECT results_eq(
  $$SELECT code FROM xiaoan.alert_type WHERE sign_promptly AND NOT is_hazard ORDER BY code$$,
  ARRAY['gate_open', 'panic_alarm', 'risk_person'],
  'the "promptly" types take the promptly_minutes default');
SELECT results_eq(
  $$SELECT code FROM xiaoan.alert_type WHERE sensitive ORDER BY code$$,
  ARRAY['dorm_absence', 'mental_care', 'minor_venue'], 'student-data types are sensitive');

-- A new alert -----------------------------------------------------------------
SELECT case_id, seq, created, coalesce(error, '') AS error
  FROM xiaoan.ingest('sim', jsonb_build_array(pg_temp.alert('g-1', 'gate_open', 'S001'))) \gset g_
SELECT ok(:'g_created'::boolean AND :'g_case_id' <> '' AND :'g_seq' <> '' AND :'g_error' = '',
          'a new alert opens a case and answers with its id and event');
SELECT is(pg_temp.ev(:g_seq), 'open||sim|sim|||S001|new|1|', 'the open event, by the producer, to the holder');
SELECT results_eq(
  format($$SELECT type, school, town, holder, issuer, state::text, severity::text, sensitive, source, source_id
             FROM xiaoan.cases WHERE id = %s$$, :g_case_id),
  $$VALUES ('gate_open', 'S001', 'fh.jp', 'S001', 'fh.duty', 'new', 'normal', false, 'sim', 'g-1')$$,
  'gate_open goes to the school, issued by the duty office');
SELECT results_eq(
  format($$SELECT sign_start = now(), sign_due = now() + interval '5 minutes',
                  feedback_due = now() + interval '10 minutes', close_due = now() + interval '12 hours',
                  clock_start = now()
             FROM xiaoan.cases WHERE id = %s$$, :g_case_id),
  $$VALUES (true, true, true, true, true)$$,
  'gate_open: sign in 5 min (promptly), feedback 10 min, close 12 h from the push');
SELECT results_eq(
  format($$SELECT unit, relation FROM xiaoan.case_unit WHERE case_id = %s ORDER BY unit$$, :g_case_id),
  $$VALUES ('S001', 'holder'), ('fh.edu', 'cc'), ('fh.jp.pol', 'cc'), ('fh.police', 'cc')$$,
  'gate_open copies the station, the Education Bureau and the Police Sub-bureau');

-- Duplicates ------------------------------------------------------------------
SELECT results_eq(
  $$SELECT created, case_id::text, seq::text FROM xiaoan.ingest('sim', jsonb_build_array(pg_temp.alert('g-1', 'gate_open', 'S001')))$$,
  format($$VALUES (false, '%s', '%s')$$, :g_case_id, :g_seq),
  'a duplicate answers with the same case and open event');
SELECT is((SELECT count(*)::integer FROM xiaoan.cases WHERE source = 'sim' AND source_id = 'g-1'), 1,
          'and opens nothing');
SELECT results_eq(
  $$SELECT idx, created FROM xiaoan.ingest('sim', jsonb_build_array(pg_temp.alert('g-2', 'gate_open', 'S002'),
                                                                     pg_temp.alert('g-2', 'gate_open', 'S002')))$$,
  $$VALUES (0, true), (1, false)$$, 'a duplicate inside one batch is answered as a duplicate');
SELECT is((SELECT created FROM xiaoan.ingest('other', jsonb_build_array(pg_temp.alert('g-1', 'gate_open', 'S001')))),
          true, 'the same source_id from another producer is another case');

-- Per-item errors ---------------------------------------------------------------
SELECT results_eq(
  $$SELECT idx, created, case_id IS NULL, error, field FROM xiaoan.ingest('sim', jsonb_build_array(
      pg_temp.alert('e-1', 'xyz', 'S001'),
      pg_temp.alert('e-2', 'gate_open', 'S999'),
      pg_temp.alert('e-3', 'gate_open', 'fh.jp.cmd'),
      pg_temp.alert('e-4', 'hazard', 'S001'),
      pg_temp.alert('e-5', 'mental_care', 'S001'),
      pg_temp.alert('e-6', 'gate_open', 'S001', '{"grade": "high"}'),
      pg_temp.alert('e-7', 'gate_open', 'S001', '{"occurred_at": "yesterday-ish"}'),
      pg_temp.alert('e-8', 'gate_open', 'S001', jsonb_build_object('occurred_at', now() + interval '2 days')),
      pg_temp.alert('e-9', 'drowning', 'S003')))$$,
  $$VALUES (0, false, true, 'unknown alert type "xyz"', 'type'),
           (1, false, true, 'unknown school "S999"', 'school'),
           (2, false, true, 'unknown school "fh.jp.cmd"', 'school'),
           (3, false, true, 'unknown alert type "hazard"', 'type'),
           (4, false, true, 'mental_care alerts need a grade (low, medium or high)', 'grade'),
           (5, false, true, 'grade applies to mental_care alerts only', 'grade'),
           (6, false, true, 'occurred_at is not a valid time', 'occurred_at'),
           (7, false, true, 'occurred_at is more than a day in the future: check the producer''s clock', 'occurred_at'),
           (8, true, false, NULL, NULL)$$,
  'each item answers for itself: unknown type or school, grade rules, bad times');
SELECT results_eq(
  $$SELECT idx, created, error, field FROM xiaoan.ingest('sim', jsonb_build_array(
      pg_temp.alert('f-1', 'gate_open', 'S001', '{"severity": "urgent"}'),
      pg_temp.alert('f-2', 'mental_care', 'S001', '{"grade": "extreme"}'),
      pg_temp.alert('f-3', 'gate_open', 'S001') - 'summary',
      pg_temp.alert('f-4', 'gate_open', 'S001', jsonb_build_object('summary', repeat('长', 501))),
      pg_temp.alert('f-5', 'gate_open', 'S001') - 'source_id',
      pg_temp.alert('f-6', 'gate_open', 'S001', '{"severity": "critical"}')))$$,
  $$VALUES (0, false, 'severity "urgent" is not low, normal, high or critical', 'severity'),
           (1, false, 'grade "extreme" is not low, medium or high', 'grade'),
           (2, false, 'summary is required (1 to 500 characters)', 'summary'),
           (3, false, 'summary is required (1 to 500 characters)', 'summary'),
           (4, false, 'source_id is required (1 to 128 characters)', 'source_id'),
           (5, true, NULL, NULL)$$,
  'values the columns would refuse are per-item errors too, not a failed batch');
SELECT results_eq(
  $$SELECT idx, created, error, field FROM xiaoan.ingest(NULL, jsonb_build_array(
      pg_temp.alert('q-1', 'gate_open', 'S001'), pg_temp.alert('q-2', 'gate_open', 'S001', '{"producer": "cam8"}')))$$,
  $$VALUES (0, false, 'the producer is missing', 'producer'), (1, true, NULL, NULL)$$,
  'with no producer argument an item without one is refused alone');
SELECT is((SELECT count(*)::integer FROM xiaoan.cases WHERE source = 'sim' AND source_id LIKE 'e-%'), 1,
          'only the good item of the batch opened a case');
SELECT throws_ok($$SELECT * FROM xiaoan.ingest('sim', '{"type": "gate_open"}')$$, 'XA004',
                 'ingest expects a JSON array', 'a body that is not an array is refused');
SELECT case_id AS p_case FROM xiaoan.ingest(NULL, jsonb_build_array(pg_temp.alert('p-1', 'gate_open', 'S001', '{"producer": "cam7"}'))) \gset
SELECT results_eq(format($$SELECT source, source_id FROM xiaoan.cases WHERE id = %s$$, :p_case),
                  $$VALUES ('cam7', 'p-1')$$, 'with no producer argument each item names its own');
SELECT is((SELECT actor::text FROM xiaoan.case_event WHERE case_id = :p_case), 'cam7', 'and opens it as that producer');

-- Deadlines and routing per type ---------------------------------------------------
SELECT pg_temp.open_case('t-patrol', 'patrol_post', 'S001') AS patrol \gset
SELECT results_eq(
  format($$SELECT holder, sign_due - opened_at, feedback_due - opened_at, close_due - opened_at
             FROM xiaoan.cases WHERE id = %s$$, :patrol),
  $$VALUES ('fh.police', interval '5 minutes', interval '15 minutes', interval '12 hours')$$,
  'patrol_post: the Police Sub-bureau, 5 min / 15 min / 12 h');
SELECT pg_temp.open_case('t-drown', 'drowning', 'S017') AS drown \gset
SELECT results_eq(
  format($$SELECT holder, sign_due - opened_at, feedback_due, close_due - opened_at
             FROM xiaoan.cases WHERE id = %s$$, :drown),
  $$VALUES ('S017', interval '3 minutes', NULL::timestamptz, interval '2 hours')$$,
  'drowning: 3 min to sign, no first feedback, 2 h to close');
SELECT results_eq(
  format($$SELECT unit FROM xiaoan.case_unit WHERE case_id = %s AND relation = 'cc'$$, :drown),
  ARRAY['fh.yl.cmd'], 'drowning copies the school''s town');
SELECT pg_temp.open_case('t-drown-hi', 'drowning', 'S017', '{"severity": "critical"}') AS drown_hi \gset
SELECT results_eq(
  format($$SELECT unit FROM xiaoan.case_unit WHERE case_id = %s AND relation = 'cc' ORDER BY unit$$, :drown_hi),
  ARRAY['fh.yl.cmd', 'fh.yl.pol'], 'a critical drowning alert also copies the police station');
SELECT pg_temp.open_case('t-law', 'legal_edu', 'S005',
                         jsonb_build_object('occurred_at', now() - interval '3 hours')) AS legal \gset
SELECT results_eq(
  format($$SELECT sign_due, feedback_due, close_due = occurred_at + interval '12 hours',
                  clock_start = occurred_at, occurred_at = now() - interval '3 hours'
             FROM xiaoan.cases WHERE id = %s$$, :legal),
  $$VALUES (NULL::timestamptz, NULL::timestamptz, true, true, true)$$,
  'legal_edu: no sign or feedback stage, closed 12 h after the course');
SELECT pg_temp.open_case('t-traffic', 'traffic', 'S002') AS traffic \gset
SELECT results_eq(
  format($$SELECT unit, relation FROM xiaoan.case_unit WHERE case_id = %s ORDER BY unit$$, :traffic),
  $$VALUES ('S002', 'cc'), ('fh.edu', 'cc'), ('fh.law', 'holder'), ('fh.police', 'cc')$$,
  'traffic goes to Law Enforcement, copying the police, education and the school');
SELECT pg_temp.open_case('t-panic', 'panic_alarm', 'S001') AS panic \gset
SELECT results_eq(
  format($$SELECT sign_due - opened_at, feedback_due - opened_at, close_due - opened_at
             FROM xiaoan.cases WHERE id = %s$$, :panic),
  $$VALUES (interval '5 minutes', interval '15 minutes', interval '2 hours')$$,
  'panic_alarm: promptly / 15 min / 2 h');
SELECT pg_temp.open_case('t-guard', 'guard_absent', 'S001') AS guard \gset
SELECT results_eq(
  format($$SELECT sign_due - opened_at, feedback_due, close_due - opened_at FROM xiaoan.cases WHERE id = %s$$, :guard),
  $$VALUES (interval '5 minutes', NULL::timestamptz, interval '12 hours')$$,
  'guard_absent: 5 min / none / 12 h');
SELECT pg_temp.open_case('t-food', 'food_safety', 'S001') AS food \gset
SELECT results_eq(
  format($$SELECT sign_due - opened_at, feedback_due - opened_at, close_due - opened_at,
                  (SELECT array_agg(unit ORDER BY unit) FROM xiaoan.case_unit WHERE case_id = id AND relation = 'cc')
             FROM xiaoan.cases WHERE id = %s$$, :food),
  $$VALUES (interval '5 minutes', interval '1 hour', interval '12 hours', ARRAY['fh.edu', 'fh.market'])$$,
  'food_safety: 5 min / 1 h / 12 h, copying education and market regulation');
SELECT pg_temp.open_case('t-risk', 'risk_person', 'S001', '{"severity": "high"}') AS risk \gset
SELECT results_eq(
  format($$SELECT sign_due - opened_at, feedback_due - opened_at, close_due - opened_at FROM xiaoan.cases WHERE id = %s$$, :risk),
  $$VALUES (interval '5 minutes', interval '15 minutes', interval '2 hours')$$,
  'risk_person: promptly / 15 min / 2 h');
SELECT pg_temp.open_case('t-dorm', 'dorm_absence', 'S002') AS dorm \gset
SELECT results_eq(
  format($$SELECT sensitive, sign_due - opened_at, feedback_due - opened_at, close_due - opened_at FROM xiaoan.cases WHERE id = %s$$, :dorm),
  $$VALUES (true, interval '5 minutes', interval '1 hour', interval '12 hours')$$,
  'dorm_absence: sensitive, 5 min / 1 h / 12 h');
SELECT pg_temp.open_case('t-venue', 'minor_venue', 'S001') AS venue \gset
SELECT results_eq(
  format($$SELECT sensitive, sign_due - opened_at, feedback_due - opened_at, close_due - opened_at FROM xiaoan.cases WHERE id = %s$$, :venue),
  $$VALUES (true, interval '5 minutes', interval '1 hour', interval '12 hours')$$,
  'minor_venue: sensitive, 5 min / 1 h / 12 h');

-- The "promptly" default is a setting ------------------------------------------------
UPDATE xiaoan.setting SET value = '7' WHERE key = 'promptly_minutes';
SELECT pg_temp.open_case('t-gate7', 'gate_open', 'S003') AS gate7 \gset
SELECT is((SELECT sign_due - opened_at FROM xiaoan.cases WHERE id = :gate7), interval '7 minutes',
          'changing promptly_minutes changes the sign limit of new gate_open cases');
SELECT is((SELECT sign_due - opened_at FROM xiaoan.cases WHERE id = :drown), interval '3 minutes',
          'and leaves the types with their own limit alone');
UPDATE xiaoan.setting SET value = '5' WHERE key = 'promptly_minutes';

-- Sensitive alerts: a neutral summary, the student data kept apart -----------------------
SELECT case_id, seq FROM xiaoan.ingest('sim', jsonb_build_array(pg_temp.alert('m-1', 'mental_care', 'S001',
         '{"grade": "high", "summary": "张三 情绪低落", "details": {"student": "张三"}}'))) \gset m_
SELECT results_eq(
  format($$SELECT sensitive, grade, summary, details IS NULL, sign_due - opened_at, feedback_due,
                  close_due - opened_at FROM xiaoan.cases WHERE id = %s$$, :m_case_id),
  $$VALUES (true, 'high', '心灵关爱预警（高危）', true, interval '3 minutes', NULL::timestamptz, interval '24 hours')$$,
  'mental_care: a neutral summary on the case, 3 min / none / 24 h');
SELECT results_eq(
  format($$SELECT summary, details->>'student' FROM xiaoan.case_private WHERE case_id = %s$$, :m_case_id),
  $$VALUES ('张三 情绪低落', '张三')$$, 'the producer''s summary and details go to case_private');
SELECT results_eq(
  format($$SELECT unit, relation FROM xiaoan.case_unit WHERE case_id = %s ORDER BY unit$$, :m_case_id),
  $$VALUES ('S001', 'holder'), ('fh.edu', 'cc'), ('fh.health', 'cc'), ('fh.jp.pol', 'cc')$$,
  'a high grade also copies Health and the police station');
SELECT pg_temp.open_case('m-2', 'mental_care', 'S001', '{"grade": "low"}') AS m_low \gset
SELECT results_eq(
  format($$SELECT unit FROM xiaoan.case_unit WHERE case_id = %s ORDER BY unit$$, :m_low),
  ARRAY['S001', 'fh.edu'], 'a low grade goes to the school and education only');
SELECT is((SELECT summary FROM xiaoan.cases WHERE id = :m_low), '心灵关爱预警（低危）', 'with its grade in the label');
SELECT is((SELECT summary FROM xiaoan.cases WHERE source = 'sim' AND source_id = 'g-1'), 'gate_open at S001',
          'other types keep the producer''s summary');

-- The hub's view --------------------------------------------------------------------
SELECT is(xiaoan.last_seq(), (SELECT max(seq) FROM xiaoan.case_event), 'last_seq is the newest event');
SELECT results_eq(
  format($$SELECT kind, case_id, holder, summary, parties FROM xiaoan.stream_events(%s - 1, 1)$$, :m_seq),
  format($$VALUES ('open', %s::bigint, 'S001', '心灵关爱预警（高危）', ARRAY['S001', 'fh.edu', 'fh.health', 'fh.jp.pol'])$$,
         :m_case_id),
  'stream_events carries the case, its neutral summary and its parties');
SELECT is((SELECT count(*)::integer FROM xiaoan.stream_events(0, 1000)), (SELECT count(*)::integer FROM xiaoan.case_event),
          'stream_events from 0 returns every event');
SELECT is((SELECT count(*)::integer FROM xiaoan.stream_events(0, 3)), 3, 'and honours the limit');

-- Privileges of the hub role ---------------------------------------------------------
SET ROLE xiaoan_hub;
SELECT is((SELECT created FROM xiaoan.ingest('hubtest', jsonb_build_array(pg_temp.alert('h-1', 'gate_open', 'S001')))),
          true, 'the hub role may ingest');
SELECT throws_ok($$SELECT count(*) FROM xiaoan.cases$$, '42501', NULL, 'but cannot read cases directly');
SELECT throws_ok($$SELECT xiaoan.case_sign(1, 1, NULL)$$, '42501', NULL, 'nor take case steps');
SELECT throws_ok($$SELECT xiaoan.producer_token_create('x')$$, '42501', NULL, 'nor make producer tokens');
RESET ROLE;

-- Producer tokens ---------------------------------------------------------------------
SELECT xiaoan.producer_token_create('cam9') AS tok \gset
SELECT is(xiaoan.producer_auth(:'tok'), 'cam9', 'a fresh token authenticates its producer');
SELECT is(xiaoan.producer_auth(:'tok' || 'x'), NULL, 'a wrong token does not');
SELECT ok(NOT EXISTS (SELECT 1 FROM xiaoan.producer WHERE encode(token_hash, 'escape') LIKE '%' || :'tok' || '%'),
          'the token itself is not stored');
SELECT xiaoan.producer_token_revoke('cam9') AS revoked \gset
SELECT is(xiaoan.producer_auth(:'tok'), NULL, 'a revoked token does not authenticate');
SELECT xiaoan.producer_token_create('cam10', now() - interval '1 second') AS tok2 \gset
SELECT is(xiaoan.producer_auth(:'tok2'), NULL, 'nor does an expired one');
SELECT is((SELECT count(*) FROM xiaoan.producer_auth_until(:'tok2')), 0::bigint,
          'producer_auth_until: no row for an expired token');
SELECT xiaoan.producer_token_create('cam11', now() + interval '1 hour') AS tok3 \gset
SELECT xiaoan.producer_token_create('cam12') AS tok4 \gset
SELECT ok((SELECT producer = 'cam11' AND valid_ms BETWEEN 3590000 AND 3600000
             FROM xiaoan.producer_auth_until(:'tok3')),
          'producer_auth_until: the producer, and how long its token stays good');
SELECT ok((SELECT producer = 'cam12' AND valid_ms IS NULL FROM xiaoan.producer_auth_until(:'tok4')),
          'producer_auth_until: no expiry, no limit');

SELECT * FROM finish();
ROLLBACK;
