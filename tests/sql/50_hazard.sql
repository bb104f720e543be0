-- Reported hazards (排查—上报—交办—整改—验收), seed 004's closing outcomes,
-- sample audits and service-guidance visits, through the engine as officers.
BEGIN;
SELECT plan(76);
\o /dev/null
\ir helpers.psql
SELECT pg_temp.officer('h50_s001', '雪窦中学安全负责人', 'S001', 'school_officer');
SELECT pg_temp.officer('h50_s017', '爱华幼儿园安全负责人', 'S017', 'school_officer');
SELECT pg_temp.officer('h50_jp', '锦屏指挥室', 'fh.jp.cmd', 'town_staff');
SELECT pg_temp.officer('h50_yl', '岳林指挥室', 'fh.yl.cmd', 'town_staff');
SELECT pg_temp.officer('h50_jppol', '锦屏派出所', 'fh.jp.pol', 'unit_staff');
SELECT pg_temp.officer('h50_law', '执法局', 'fh.law', 'unit_staff');
SELECT pg_temp.officer('h50_edu', '教育局安管科', 'fh.edu', 'unit_staff');
SELECT pg_temp.officer('h50_sup', '督办', 'fh.duty', 'supervisor');
\o

CREATE FUNCTION pg_temp.try(p_login name, p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r text;
BEGIN
  EXECUTE format('SET SESSION AUTHORIZATION %I', p_login);
  BEGIN
    EXECUTE p_sql INTO r;
  EXCEPTION WHEN others THEN
    RESET SESSION AUTHORIZATION;
    RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
  END;
  RESET SESSION AUTHORIZATION;
  RETURN r;
END $$;

-- The SQLSTATE of a call as an officer ('ok' when it succeeds).
CREATE FUNCTION pg_temp.st8(p_login name, p_sql text) RETURNS text LANGUAGE sql AS $$
  SELECT CASE WHEN r LIKE 'ERROR %' THEN substr(r, 7, 5) ELSE 'ok' END
    FROM pg_temp.try(p_login, p_sql) AS r
$$;

CREATE FUNCTION pg_temp.c(p_case bigint) RETURNS text LANGUAGE sql AS $$
  SELECT concat_ws(' ', type, school, holder, issuer, state, coalesce((sign_due - sign_start)::text, '~'),
                   coalesce(close_due::text, '~'), version)
    FROM xiaoan.cases WHERE id = p_case
$$;

-- Reference ------------------------------------------------------------------------------
SELECT is((SELECT count(*) || ' ' || min(seq) || '-' || max(seq) FROM xiaoan.hazard_category), '22 1-22',
          'the 22 items of the work list');
SELECT is((SELECT string_agg(unit || ':' || role, ',') FROM xiaoan.hazard_category_units('disputes', 'S017')),
          'fh.edu:lead,fh.yl.cmd:resp', 'an item for the town resolves to the school''s command room');
SELECT is((SELECT string_agg(unit, ',') FROM xiaoan.hazard_category_units('fire_safety', 'S001')), 'fh.edu',
          'a unit missing from the district is skipped; the lead unit remains');

-- Report (上报) ----------------------------------------------------------------------------
SELECT is(pg_temp.try('h50_s001', $$SELECT case_id || ' ' || version FROM xiaoan.hazard_report('street_vendors',
            '校门口流动摊贩占道，放学时段拥堵', ARRAY['photos/1.jpg', 'https://img.example/2.jpg'], 'high')$$),
          '1 1', 'a school safety officer reports a hazard');
SELECT is(pg_temp.c(1), 'hazard S001 fh.jp.cmd S001 new ~ ~ 1',
          'held by the town command room, issued by the school, no deadline yet');
SELECT is((SELECT concat_ws(' | ', summary, severity, details->>'category', details->'photos', source LIKE 'console:h50_s001',
                            length(source_id)) FROM xiaoan.cases WHERE id = 1),
          '流动摊贩与占道经营：校门口流动摊贩占道，放学时段拥堵 | high | street_vendors | ["photos/1.jpg", "https://img.example/2.jpg"] | t | 36',
          'summary, severity, category and photo references; source console:<login> with a fresh uuid');
SELECT is((SELECT string_agg(unit || ':' || relation, ',' ORDER BY unit) FROM xiaoan.case_unit WHERE case_id = 1),
          'S001:cc,fh.edu:cc,fh.jp.cmd:holder', 'copied to the Education Bureau');
SELECT is(pg_temp.ev(1), 'open||h50_s001|雪窦中学安全负责人|S001||fh.jp.cmd|new|1|隐患上报：流动摊贩与占道经营',
          'one audit event');
SELECT is((SELECT category || ' ' || (visit_id IS NULL) FROM xiaoan.hazard WHERE case_id = 1), 'street_vendors true',
          'the hazard row');
SELECT is(pg_temp.st8('h50_s001', $$SELECT xiaoan.hazard_report('disputes', 'x', '{}', 'normal', 'S017')::text$$),
          'XA003', 'a school officer reports for their own school only');
SELECT is(pg_temp.st8('h50_s001', $$SELECT xiaoan.hazard_report('leaky_roof', 'x')::text$$), 'XA004',
          'an unknown category is refused');
SELECT is(pg_temp.st8('h50_s001', $$SELECT xiaoan.hazard_report('disputes', E'x\x1b[2J')::text$$), 'XA004',
          'control characters are refused');
SELECT is(pg_temp.st8('h50_s001', $$SELECT xiaoan.hazard_report('disputes', '  ')::text$$), 'XA004',
          'the description is required');
SELECT is(pg_temp.st8('h50_yl', $$SELECT xiaoan.hazard_report('disputes', 'x')::text$$), 'XA004',
          'other officers name the school');
SELECT is(pg_temp.st8('h50_yl', $$SELECT xiaoan.hazard_report('disputes', 'x', '{}', 'normal', 'S001')::text$$),
          'XA003', 'town staff report within their own town');
SELECT is(pg_temp.try('h50_s017', $$SELECT count(*)::text FROM xiaoan.cases$$), '0',
          'another school does not see the hazard');

-- Assign (交办) ----------------------------------------------------------------------------
SELECT is(pg_temp.st8('h50_yl', $$SELECT xiaoan.hazard_assign(1, 1, 'fh.law', now() + interval '3 days')::text$$),
          'XA005', 'only the holder assigns (another town cannot even see it)');
SELECT is(pg_temp.st8('h50_jp', $$SELECT xiaoan.hazard_assign(1, 1, 'fh.law', now() - interval '1 minute')::text$$),
          'XA004', 'the deadline must be in the future');
SELECT is(pg_temp.st8('h50_jp', $$SELECT xiaoan.hazard_assign(1, 1, 'fh.law', now() + interval '3 years')::text$$),
          'XA004', 'a deadline years away is refused as a typo');
SELECT is(pg_temp.st8('h50_jp', $$SELECT xiaoan.hazard_assign(1, 1, 'fh.jp', now() + interval '3 days')::text$$),
          'XA004', 'a town is not a unit to assign to');
SELECT is(pg_temp.try('h50_jp', $$SELECT version || ' ' || seq FROM xiaoan.hazard_assign(1, 1, 'fh.law',
            '2026-12-31 17:00+08', '请综合执法局整治')$$), '2 2', 'the command room assigns it to the law enforcement bureau');
SELECT is(pg_temp.c(1), 'hazard S001 fh.law fh.jp.cmd new 00:05:00 ' || '2026-12-31 17:00+08'::timestamptz || ' 2',
          'new holder, its sign clock (5 min), the deadline, and the assigning unit is now the issuer');
SELECT is(pg_temp.ev(2), 'assign||h50_jp|锦屏指挥室|fh.jp.cmd|fh.jp.cmd|fh.law|new|2|整改期限 2026-12-31 17:00；请综合执法局整治',
          'the assign event names the deadline');
SELECT is((SELECT string_agg(unit || ':' || relation, ',' ORDER BY unit) FROM xiaoan.case_unit WHERE case_id = 1),
          'S001:cc,fh.edu:cc,fh.jp.cmd:past,fh.law:holder', 'the command room keeps sight of it');
SELECT is(pg_temp.try('h50_law', $$SELECT id || ' ' || close_due FROM xiaoan.cases$$),
          '1 ' || '2026-12-31 17:00+08'::timestamptz, 'the assigned unit sees the hazard with its deadline');
SELECT is(pg_temp.st8('h50_jp', $$SELECT xiaoan.hazard_assign(1, 2, 'fh.law', now() + interval '3 days')::text$$),
          'XA003', 'the former holder can no longer assign it');
SELECT is(pg_temp.st8('h50_law', $$SELECT xiaoan.case_sign(1, 1)::text$$), 'XA001', 'a stale version is refused');
SELECT is(pg_temp.st8('h50_law', $$SELECT xiaoan.case_sign(1, 2)::text$$), 'ok', 'the bureau signs');

-- Close with an outcome (整改 → 办结) ---------------------------------------------------------
SELECT is(pg_temp.try('h50_law', $$SELECT xiaoan.case_close(1, 3, 'done')::text$$),
          'ERROR XA002: case 1 is a reported hazard: it is closed with its outcome', 'case_close refuses hazards');
SELECT is(pg_temp.st8('h50_law', $$SELECT xiaoan.hazard_close(1, 3, 'fixed', NULL, 'x')::text$$), 'XA004',
          'an unknown outcome is refused');
SELECT is(pg_temp.st8('h50_law', $$SELECT xiaoan.hazard_close(1, 3, 'in_progress_committed', NULL, 'x')::text$$),
          'XA004', 'being resolved needs the committed date');
SELECT is(pg_temp.st8('h50_law', $$SELECT xiaoan.hazard_close(1, 3, 'in_progress_committed',
            xiaoan.local_today() - 1, 'x')::text$$), 'XA004', 'a committed date in the past is refused');
SELECT is(pg_temp.st8('h50_law', $$SELECT xiaoan.hazard_close(1, 3, 'resolved', xiaoan.local_today() + 5, 'x')::text$$),
          'XA004', 'a committed date goes with in_progress_committed only');
SELECT is(pg_temp.st8('h50_law', $$SELECT xiaoan.hazard_close(1, 3, 'resolved', NULL, NULL)::text$$), 'XA004',
          'the result is required');
SELECT is(pg_temp.try('h50_law', $$SELECT version::text FROM xiaoan.hazard_close(1, 3, 'resolved', NULL, '摊贩已劝离，设置隔离栏')$$),
          '4', 'resolved');
SELECT is((SELECT concat_ws(' ', c.state, h.outcome, h.outcome_by) FROM xiaoan.cases c JOIN xiaoan.hazard h ON h.case_id = c.id
            WHERE c.id = 1), 'closed resolved h50_law', 'the outcome is recorded');
SELECT is((SELECT note FROM xiaoan.case_event WHERE case_id = 1 AND kind = 'close'), '已化解：摊贩已劝离，设置隔离栏',
          'the close event carries the outcome');
SELECT is(pg_temp.st8('h50_s001', $$SELECT xiaoan.case_confirm(1, 4)::text$$), 'XA003',
          'the reporting school no longer accepts it once assigned');
SELECT is(pg_temp.st8('h50_jp', $$SELECT xiaoan.case_confirm(1, 4, '验收通过')::text$$), 'ok',
          'the assigning command room accepts it (验收)');

-- Keep and rectify; hard to resolve; reopen clears the outcome ----------------------------------
SELECT is(pg_temp.try('h50_s001', $$SELECT case_id::text FROM xiaoan.hazard_report('drowning_patrol', '学校后门河道护栏缺失')$$),
          '2', 'a second hazard');
SELECT is(pg_temp.try('h50_jp', $$SELECT version::text FROM xiaoan.hazard_assign(2, 1, NULL, now() + interval '7 days', '本级整改')$$),
          '2', 'the command room keeps it with a deadline');
SELECT is((SELECT concat_ws(' ', state, signed_by, holder, issuer, close_due = now() + interval '7 days')
             FROM xiaoan.cases WHERE id = 2), 'signed h50_jp fh.jp.cmd fh.jp.cmd t',
          'keeping an unsigned hazard signs it; the deadline is set');
SELECT is(pg_temp.st8('h50_jp', $$SELECT xiaoan.hazard_close(2, 2, 'hard_to_resolve', NULL, '需水利部门立项改造')$$), 'ok',
          'hard to resolve');
SELECT is((SELECT concat_ws(' ', outcome, leadership_review, outcome_label) FROM xiaoan.hazard_cases WHERE case_id = 2),
          'hard_to_resolve t 难以短期化解', 'flagged for leadership review');
SELECT is(pg_temp.st8('h50_jp', $$SELECT xiaoan.case_reopen(2, 3, '请继续协调')$$), 'ok', 'the issuer reopens it');
SELECT is((SELECT coalesce(outcome, '~') || ' ' || (outcome_at IS NULL) FROM xiaoan.hazard WHERE case_id = 2), '~ true',
          'reopening clears the outcome');
SELECT is(pg_temp.st8('h50_jp', $$SELECT xiaoan.case_close(2, 4, 'x')$$), 'XA002', 'still not closable with case_close');
SELECT is(pg_temp.try('h50_jp', format($$SELECT version::text FROM xiaoan.hazard_close(2, 4, 'in_progress_committed', %L,
            '护栏已招标')$$, xiaoan.local_today() + 20)), '5', 'being resolved, with a committed date');
SELECT is((SELECT committed_date - xiaoan.local_today() || ' ' || committed_overdue FROM xiaoan.hazard_cases WHERE case_id = 2),
          '20 false', 'the committed date is kept');
SELECT is(pg_temp.st8('h50_jp', $$SELECT xiaoan.hazard_close(1, 5, 'resolved', NULL, 'x')$$), 'XA002',
          'a confirmed hazard cannot be closed again');

-- Service-guidance visits (服务指导) -------------------------------------------------------
SELECT is(pg_temp.try('h50_edu', $$SELECT concat_ws(' ', visit_id, coalesce(case_id::text, '~'))
            FROM xiaoan.visit_log('S017', now() - interval '2 hours', '门卫登记、消防器材', '无')$$),
          '1 ~', 'a visit without a finding opens no case');
SELECT is(pg_temp.try('h50_edu', $$SELECT concat_ws(' ', visit_id, case_id, version) FROM xiaoan.visit_log('S017',
            now() - interval '1 hour', '食堂', '后厨灭火器过期', 'fire_safety', 'high')$$),
          '2 3 1', 'a finding opens a hazard in the same step');
SELECT is(pg_temp.c(3), 'hazard S017 fh.yl.cmd fh.edu new ~ ~ 1',
          'held by the school''s command room, issued by the visiting unit');
SELECT is((SELECT concat_ws(' ', v.unit, v.officer, v.case_id, h.visit_id, e.note)
             FROM xiaoan.visit v JOIN xiaoan.hazard h ON h.case_id = v.case_id
             JOIN xiaoan.case_event e ON e.case_id = v.case_id WHERE v.id = 2),
          'fh.edu h50_edu 3 2 服务指导发现（走访 #2）：消防安全', 'the visit, the case and the event point at each other');
SELECT is(pg_temp.st8('h50_yl', $$SELECT xiaoan.hazard_assign(3, 1, 'fh.yl.pol', now() + interval '2 days')$$), 'ok',
          'the command room assigns the visit''s hazard');
SELECT is((SELECT issuer FROM xiaoan.cases WHERE id = 3), 'fh.edu',
          'the visiting unit stays the issuer and accepts the result (seed 002 附件3)');
SELECT is(pg_temp.st8('h50_s017', $$SELECT xiaoan.visit_log('S017', now(), 'x', NULL)$$), 'XA003',
          'schools do not log visits to themselves');
SELECT is(pg_temp.st8('h50_edu', $$SELECT xiaoan.visit_log('S017', now() + interval '1 day', 'x', NULL)$$), 'XA004',
          'a visit in the future is refused');
SELECT is(pg_temp.st8('h50_edu', $$SELECT xiaoan.visit_log('S017', now(), 'x', NULL, 'fire_safety')$$), 'XA004',
          'a finding that opens a hazard must be written down');
SELECT is(pg_temp.try('h50_s017', $$SELECT string_agg(id::text, ',' ORDER BY id) FROM xiaoan.visit$$), '1,2',
          'the school sees the visits to it');
SELECT is(pg_temp.try('h50_s001', $$SELECT count(*)::text FROM xiaoan.visit$$), '0', 'another school does not');
SELECT is((SELECT string_agg(concat_ws(' ', unit, visits, schools, hazards_opened), ',')
             FROM xiaoan.visit_summary(now() - interval '1 day', now() + interval '1 day')),
          'fh.edu 2 1 1', 'visits per visiting unit');

-- Sample audit (抽查) ------------------------------------------------------------------------
SELECT is(pg_temp.st8('h50_jp', $$SELECT xiaoan.hazard_sample_audit(now() - interval '1 hour', now() + interval '1 hour', 50)$$),
          'XA003', 'only supervisors pick samples');
SELECT is(xiaoan.sample_pick(ARRAY[1, 2, 7, 9, 12], 2, 42), xiaoan.sample_pick(ARRAY[12, 9, 7, 2, 1], 2, 42),
          'the same ids and seed give the same pick, in whatever order the ids come');
SELECT is(pg_temp.try('h50_sup', $$SELECT string_agg(case_id::text, ',') FROM xiaoan.hazard_sample_audit(
            now() - interval '1 hour', now() + interval '1 hour', 50, 42)$$),
          array_to_string(xiaoan.sample_pick(ARRAY[1, 2], 1, 42), ','),
          'resolved and being-resolved hazards closed in the period: 50 % of 2 = 1, picked with the seed');
SELECT is((SELECT concat_ws(' ', population, picked, seed, percent, created_by) FROM xiaoan.hazard_sample),
          '2 1 42 50 h50_sup', 'the sample is recorded with its seed');
SELECT (xiaoan.sample_pick(ARRAY[1, 2], 1, 42))[1] AS picked, 3 - (xiaoan.sample_pick(ARRAY[1, 2], 1, 42))[1] AS other
\gset
SELECT is((SELECT kind || ' ' || note FROM xiaoan.case_event WHERE case_id = :picked ORDER BY seq DESC LIMIT 1),
          'sample 抽查 #1（50%，种子 42）', 'the picked case gets a sample event');
SELECT is(pg_temp.st8('h50_sup', format($$SELECT xiaoan.hazard_audit_result(%s, true)$$, :other)), 'XA002',
          'a hazard not picked has no audit result');
SELECT is(pg_temp.st8('h50_jp', format($$SELECT xiaoan.hazard_audit_result(%s, true)$$, :picked)), 'XA003',
          'only supervisors record audit results');
SELECT is(pg_temp.st8('h50_sup', format($$SELECT xiaoan.hazard_audit_result(%s, false)$$, :picked)), 'XA004',
          'a failed audit needs a note');
SELECT is(pg_temp.st8('h50_sup', format($$SELECT xiaoan.hazard_audit_result(%s, false, '现场隔离栏未设置，整改不实')$$,
          :picked)), 'ok', 'a failed audit');
SELECT is(pg_temp.st8('h50_sup', format($$SELECT xiaoan.hazard_audit_result(%s, true)$$, :picked)), 'XA001',
          'a hazard is audited once');
SELECT is((SELECT string_agg(key || '=' || cases, ',' ORDER BY n)
             FROM xiaoan.hazard_summary(now() - interval '1 day', now() + interval '1 day')),
          'reported=3,open=1,past_deadline=0,resolved=1,in_progress_committed=1,committed_overdue=0,hard_to_resolve=0,'
          'sampled=1,audit_passed=0,audit_failed=1,audit_pending=0', 'the hazards of the day by where they stand');
SELECT is((SELECT string_agg(kind, ',' ORDER BY seq) FROM xiaoan.case_event WHERE kind IN ('assign', 'sample', 'audit')),
          'assign,assign,assign,sample,audit', 'the new event kinds are in the audit trail');

-- Privileges -------------------------------------------------------------------------------
SELECT ok(NOT has_function_privilege('xiaoan_hub', 'xiaoan.hazard_report(text, text, text[], xiaoan.severity, text)',
                                     'EXECUTE'), 'the hub cannot report hazards');
SELECT ok(has_function_privilege('xiaoan_officer', 'xiaoan.stats(timestamptz, timestamptz, text, text)', 'EXECUTE')
          AND has_table_privilege('xiaoan_officer', 'xiaoan.overdue_review', 'SELECT')
          AND NOT has_table_privilege('xiaoan_officer', 'xiaoan.hazard', 'UPDATE'),
          'officers read the statistics and views, and write nothing directly');

SELECT * FROM finish();
ROLLBACK;
