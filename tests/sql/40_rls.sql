-- Who reads what: row-level security on cases, case_unit, case_event and
-- case_private, per role.
BEGIN;
SELECT plan(36);
\ir helpers.psql

SELECT pg_temp.officer('r4_disp', '王伟', 'fh.duty', 'dispatcher') AND
       pg_temp.officer('r4_sup', '吴刚', 'fh.duty', 'supervisor') AND
       pg_temp.officer('r4_town', '赵强', 'fh.jp.cmd', 'town_staff') AND
       pg_temp.officer('r4_pol', '钱军', 'fh.jp.pol', 'unit_staff') AND
       pg_temp.officer('r4_law', '孔亮', 'fh.law', 'unit_staff') AND
       pg_temp.officer('r4_health', '卫红', 'fh.health', 'unit_staff') AND
       pg_temp.officer('r4_edu', '何平', 'fh.edu', 'unit_staff') AND
       pg_temp.officer('r4_market', '马明', 'fh.market', 'unit_staff') AND
       pg_temp.officer('r4_sch', '李娜', 'S001', 'school_officer') AND
       pg_temp.officer('r4_sch2', '陈静', 'S002', 'school_officer') AND
       pg_temp.officer('r4_gone', '郑洁', 'fh.duty', 'dispatcher') AS officers \gset
SELECT xiaoan.officer_disable('r4_gone') AS disabled \gset

SELECT pg_temp.open_case('c1', 'gate_open', 'S001') AS c1 \gset
SELECT pg_temp.open_case('c2', 'gate_open', 'S017') AS c2 \gset
SELECT pg_temp.open_case('c3', 'mental_care', 'S001', '{"grade": "high", "summary": "张三 心理危机"}') AS c3 \gset
SELECT pg_temp.open_case('c4', 'traffic', 'S002') AS c4 \gset
SELECT pg_temp.open_case('c5', 'mental_care', 'S001', '{"grade": "low", "summary": "李四 情绪波动"}') AS c5 \gset

-- The visible case ids, events' case ids, case_unit's case ids and private rows.
CREATE FUNCTION pg_temp.seen() RETURNS text LANGUAGE sql AS $$
  SELECT format('cases %s; events %s; units %s; private %s',
    (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM xiaoan.cases),
    (SELECT coalesce(array_agg(DISTINCT case_id ORDER BY case_id), '{}') FROM xiaoan.case_event),
    (SELECT coalesce(array_agg(DISTINCT case_id ORDER BY case_id), '{}') FROM xiaoan.case_unit),
    (SELECT coalesce(array_agg(case_id ORDER BY case_id), '{}') FROM xiaoan.case_private))
$$;
CREATE FUNCTION pg_temp.want(p_cases bigint[], p_private bigint[]) RETURNS text LANGUAGE sql AS $$
  SELECT format('cases %s; events %s; units %s; private %s', p_cases, p_cases, p_cases, p_private)
$$;

SET SESSION AUTHORIZATION r4_disp;
SELECT is(pg_temp.seen(), pg_temp.want(ARRAY[:c1, :c2, :c3, :c4, :c5], '{}'),
          'a dispatcher sees every case, no student data');
SELECT is((SELECT summary FROM xiaoan.cases WHERE id = :c3), '心灵关爱预警（高危）',
          'a dispatcher sees the neutral summary of a mental_care case');
SELECT is((SELECT details FROM xiaoan.cases WHERE id = :c3), NULL, 'and no details');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION r4_sup;
SELECT is(pg_temp.seen(), pg_temp.want(ARRAY[:c1, :c2, :c3, :c4, :c5], '{}'), 'a supervisor sees every case, no student data');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION r4_town;
SELECT is(pg_temp.seen(), pg_temp.want(ARRAY[:c1, :c4], '{}'),
          'town staff see their own town''s cases, not another town''s, not sensitive ones');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION r4_pol;
SELECT is(pg_temp.seen(), pg_temp.want(ARRAY[:c1, :c3], ARRAY[:c3]),
          'the police station sees the cases it is copied on, the sensitive one with its student data, not the rest of the town''s');
SELECT is((SELECT summary FROM xiaoan.case_private WHERE case_id = :c3), '张三 心理危机', 'the private summary');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION r4_law;
SELECT is(pg_temp.seen(), pg_temp.want(ARRAY[:c4], '{}'), 'department staff see only the cases they hold');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION r4_health;
SELECT is(pg_temp.seen(), pg_temp.want(ARRAY[:c3], ARRAY[:c3]), 'or are copied on, student data included');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION r4_edu;
SELECT is(pg_temp.seen(), pg_temp.want(ARRAY[:c1, :c2, :c3, :c4, :c5], ARRAY[:c3, :c5]),
          'the Education Bureau is copied on all of these');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION r4_market;
SELECT is(pg_temp.seen(), pg_temp.want('{}', '{}'), 'a department on no case sees nothing');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION r4_sch;
SELECT is(pg_temp.seen(), pg_temp.want(ARRAY[:c1, :c3, :c5], ARRAY[:c3, :c5]),
          'a school officer sees the own school''s cases and their student data');
SELECT is((SELECT summary FROM xiaoan.case_private WHERE case_id = :c5), '李四 情绪波动', 'the private summary');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION r4_sch2;
SELECT is(pg_temp.seen(), pg_temp.want(ARRAY[:c4], '{}'), 'another school sees only its own (here: copied) case');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION r4_gone;
SELECT is(pg_temp.seen(), pg_temp.want('{}', '{}'), 'a disabled officer sees nothing');
RESET SESSION AUTHORIZATION;

-- Access follows the case -------------------------------------------------------------
SET SESSION AUTHORIZATION r4_sch;
SELECT lives_ok(format('SELECT xiaoan.case_forward(%s, 1, %L, %L)', :c1, 'fh.market', '食堂问题'),
                'the school forwards c1 to market regulation');
SELECT ok(EXISTS (SELECT 1 FROM xiaoan.cases WHERE id = :c1), 'the school still sees it (past holder)');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION r4_market;
SELECT is(pg_temp.seen(), pg_temp.want(ARRAY[:c1], '{}'), 'market regulation now sees c1');
SELECT is((SELECT count(*)::integer FROM xiaoan.case_event WHERE case_id = :c1), 2, 'with its whole trail');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION r4_town;
SELECT ok(EXISTS (SELECT 1 FROM xiaoan.cases WHERE id = :c1), 'the town still sees its school''s case');
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION r4_edu;
SELECT throws_ok(format('SELECT xiaoan.case_forward(%s, 1, %L, NULL)', :c5, 'fh.jp.cmd'), 'XA003', NULL,
                 'a copied unit reads the case but cannot act on it');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION r4_sch;
SELECT lives_ok(format('SELECT xiaoan.case_forward(%s, 1, %L, NULL)', :c5, 'fh.jp.cmd'), 'a sensitive case forwarded to the command room');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION r4_town;
SELECT is(pg_temp.seen(), pg_temp.want(ARRAY[:c1, :c4, :c5], ARRAY[:c5]), 'the command room now holds it, student data included');
RESET SESSION AUTHORIZATION;

-- Writes never go around the engine ----------------------------------------------------------
SET SESSION AUTHORIZATION r4_disp;
SELECT throws_ok(format('DELETE FROM xiaoan.cases WHERE id = %s', :c2), '42501', NULL, 'no DELETE on cases');
SELECT throws_ok(format('UPDATE xiaoan.case_unit SET relation = %L', 'holder'), '42501', NULL, 'no UPDATE on case_unit');
SELECT throws_ok(format('INSERT INTO xiaoan.case_private VALUES (%s, %L)', :c2, 'x'), '42501', NULL, 'no INSERT on case_private');
SELECT throws_ok('UPDATE xiaoan.officer SET role = ''supervisor''', '42501', NULL, 'an officer cannot promote itself');
SELECT throws_ok('SELECT xiaoan.officer_set(''r4_x'', ''x'', ''fh.duty'', ''supervisor'')', '42501', NULL,
                 'nor create officers');
SELECT throws_ok('SELECT count(*) FROM xiaoan.producer', '42501', NULL, 'nor read producer tokens');
SELECT throws_ok('SELECT count(*) FROM xiaoan.stream_session', '42501', NULL, 'nor stream sessions');
SELECT throws_ok('SELECT xiaoan.deadline_sweep()', '42501', NULL, 'nor run the hub''s deadline sweep');
SELECT ok(xiaoan.session_token() LIKE 'xs\_%', 'an active officer gets a stream token');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::integer FROM xiaoan.stream_session WHERE login = 'r4_disp'), 1, 'stored as a hash for one minute');
SET SESSION AUTHORIZATION r4_disp;
SELECT xiaoan.session_token() AS stok \gset
RESET SESSION AUTHORIZATION;
SELECT results_eq(format($$SELECT login::text COLLATE "default", name, role::text, unit, town FROM xiaoan.session_check(%L)$$, :'stok'),
                  $$VALUES ('r4_disp', '王伟', 'dispatcher', 'fh.duty', NULL::text)$$, 'the hub learns the subscriber''s scope');
SELECT is((SELECT count(*)::integer FROM xiaoan.session_check(:'stok' || 'x')), 0, 'a wrong stream token is nobody');
SELECT xiaoan.officer_disable('r4_disp') AS disabled \gset
SELECT is((SELECT count(*)::integer FROM xiaoan.session_check(:'stok')), 0, 'disabling an officer ends its stream tokens');

SELECT * FROM finish();
ROLLBACK;
