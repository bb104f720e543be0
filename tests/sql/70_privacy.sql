-- 007: notes typed on a sensitive case are read under case_private's rule;
-- a police station's officers cannot be town staff; names and typed text
-- carry no control characters, whoever writes them.
BEGIN;
SELECT plan(51);
\ir helpers.psql

SELECT pg_temp.officer('p7_disp', '王伟', 'fh.duty', 'dispatcher') AND
       pg_temp.officer('p7_sup', '吴刚', 'fh.duty', 'supervisor') AND
       pg_temp.officer('p7_adm', '郑洁', 'fh.duty', 'admin') AND
       pg_temp.officer('p7_sch', '李娜', 'S001', 'school_officer') AND
       pg_temp.officer('p7_sch2', '陈静', 'S002', 'school_officer') AND
       pg_temp.officer('p7_edu', '何平', 'fh.edu', 'unit_staff') AND
       pg_temp.officer('p7_hea', '卫红', 'fh.health', 'unit_staff') AND
       pg_temp.officer('p7_stn', '钱军', 'fh.jp.pol', 'unit_staff') AND
       pg_temp.officer('p7_jp', '赵强', 'fh.jp.cmd', 'town_staff') AND
       pg_temp.officer('p7_law', '孔亮', 'fh.law', 'unit_staff') AS officers \gset

-- M: mental_care, high, at S001 (held by the school; cc Education, Health,
-- the Jinping station). L: the same, low (no cc to Health or the station).
-- G: gate_open at S001, not sensitive.
SELECT pg_temp.open_case('m', 'mental_care', 'S001', '{"grade": "high", "summary": "张三 心理危机"}') AS m \gset
SELECT pg_temp.open_case('l', 'mental_care', 'S001', '{"grade": "low", "summary": "李四 情绪波动"}') AS l \gset
SELECT pg_temp.open_case('g', 'gate_open', 'S001') AS g \gset

SET SESSION AUTHORIZATION p7_sch;
SELECT seq AS m_sign FROM xiaoan.case_sign(:m, 1, '张三已由班主任陪同') \gset
SELECT seq AS l_sign FROM xiaoan.case_sign(:l, 1, '李四情绪平稳') \gset
SELECT seq AS g_sign FROM xiaoan.case_sign(:g, 1, '南门已关') \gset
RESET SESSION AUTHORIZATION;
-- The duty room acts on M too: its note is just as private.
SET SESSION AUTHORIZATION p7_disp;
SELECT seq AS m_fb FROM xiaoan.case_feedback(:m, 2, '已联系张三家长') \gset
RESET SESSION AUTHORIZATION;

-- Where the text is kept ------------------------------------------------------------------------
SELECT results_eq(format('SELECT note, note_private FROM xiaoan.case_event WHERE seq IN (%s, %s) ORDER BY seq',
                         :m_sign, :m_fb),
                  $$VALUES (NULL::text, true), (NULL, true)$$,
                  'a note on a sensitive case is not in case_event; the event says a private note is there');
SELECT results_eq(format('SELECT seq, case_id, note FROM xiaoan.case_event_private WHERE case_id = %s ORDER BY seq', :m),
                  format('VALUES (%s::bigint, %s::bigint, %L), (%s, %s, %L)', :m_sign, :m, '张三已由班主任陪同',
                         :m_fb, :m, '已联系张三家长'),
                  'it is in case_event_private, by seq');
SELECT results_eq(format('SELECT note, note_private FROM xiaoan.case_event WHERE seq = %s', :g_sign),
                  $$VALUES ('南门已关'::text, false)$$, 'a note on an ordinary case stays in case_event');
SELECT is((SELECT count(*)::integer FROM xiaoan.case_event_private WHERE case_id = :g), 0, 'with nothing private');
SELECT is((SELECT count(*)::integer FROM xiaoan.case_event WHERE case_id = :m AND kind = 'open' AND note_private), 0,
          'an event without a note is not marked private');

-- Who reads it: exactly case_private's readers ----------------------------------------------------
-- The notes an officer reads through case_trail, per case: M's, L's, and
-- how many of M's and L's events show "hidden".
CREATE FUNCTION pg_temp.notes(p_login name, p_m bigint, p_l bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r text;
BEGIN
  EXECUTE format('SET SESSION AUTHORIZATION %I', p_login);
  SELECT format('M: %s; L: %s; hidden %s; private cases %s',
           coalesce((SELECT string_agg(note, ' / ' ORDER BY seq) FROM xiaoan.case_trail
                      WHERE case_id = p_m AND note IS NOT NULL), '-'),
           coalesce((SELECT string_agg(note, ' / ' ORDER BY seq) FROM xiaoan.case_trail
                      WHERE case_id = p_l AND note IS NOT NULL), '-'),
           (SELECT count(*) FROM xiaoan.case_trail WHERE case_id IN (p_m, p_l) AND note_hidden),
           (SELECT coalesce(array_agg(case_id ORDER BY case_id), '{}') FROM xiaoan.case_private))
    INTO r;
  RESET SESSION AUTHORIZATION;
  RETURN r;
END $$;
SELECT is(pg_temp.notes('p7_sch', :m, :l),
          format('M: 张三已由班主任陪同 / 已联系张三家长; L: 李四情绪平稳; hidden 0; private cases {%s,%s}', :m, :l),
          'the school''s safety officer reads every note of its sensitive cases');
SELECT is(pg_temp.notes('p7_edu', :m, :l),
          format('M: 张三已由班主任陪同 / 已联系张三家长; L: 李四情绪平稳; hidden 0; private cases {%s,%s}', :m, :l),
          'so does the Education Bureau, copied on both');
SELECT is(pg_temp.notes('p7_hea', :m, :l),
          format('M: 张三已由班主任陪同 / 已联系张三家长; L: -; hidden 0; private cases {%s}', :m),
          'the Health Bureau, copied on the high one only, reads its notes and does not see the other case');
SELECT is(pg_temp.notes('p7_stn', :m, :l),
          format('M: 张三已由班主任陪同 / 已联系张三家长; L: -; hidden 0; private cases {%s}', :m),
          'so does the police station');
SELECT is(pg_temp.notes('p7_disp', :m, :l), 'M: -; L: -; hidden 3; private cases {}',
          'a dispatcher sees that the three notes are there, not their text, not even the one they typed');
SELECT is(pg_temp.notes('p7_sup', :m, :l), 'M: -; L: -; hidden 3; private cases {}', 'nor does a supervisor');
SELECT is(pg_temp.notes('p7_adm', :m, :l), 'M: -; L: -; hidden 3; private cases {}', 'nor an admin');
SELECT is(pg_temp.notes('p7_jp', :m, :l), 'M: -; L: -; hidden 0; private cases {}',
          'town staff not on a sensitive case see neither the case nor its notes');
SELECT is(pg_temp.notes('p7_sch2', :m, :l), 'M: -; L: -; hidden 0; private cases {}', 'nor does another school');
SET SESSION AUTHORIZATION p7_disp;
SELECT is((SELECT note FROM xiaoan.case_trail WHERE seq = :g_sign), '南门已关',
          'an ordinary case''s notes read as before');
SELECT is((SELECT count(*)::integer FROM xiaoan.case_event_private), 0, 'raw SQL on case_event_private shows the dispatcher nothing');
RESET SESSION AUTHORIZATION;

-- The rule follows the parties, as case_private's does.
SET SESSION AUTHORIZATION p7_sch;
SELECT version AS v FROM xiaoan.cases WHERE id = :l \gset
SELECT seq AS l_fwd FROM xiaoan.case_forward(:l, :v, 'fh.jp.cmd', '转镇街：李四家住锦屏') \gset
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.notes('p7_jp', :m, :l), format('M: -; L: 李四情绪平稳 / 转镇街：李四家住锦屏; hidden 0; private cases {%s}', :l),
          'once the command room holds L it reads L''s notes, earlier ones included');

-- Listed supervision of a sensitive case -------------------------------------------------------------
SET SESSION AUTHORIZATION p7_sup;
SELECT version AS v FROM xiaoan.cases WHERE id = :m \gset
SELECT seq AS m_sv FROM xiaoan.case_supervise(:m, :v, '张三情况需每日跟进', current_date + 3) \gset
SELECT version AS v FROM xiaoan.cases WHERE id = :g \gset
SELECT seq AS g_sv FROM xiaoan.case_supervise(:g, :v, '南门反复开启', NULL) \gset
RESET SESSION AUTHORIZATION;
SELECT results_eq(format('SELECT c.supervise_note, p.supervise_note FROM xiaoan.cases c JOIN xiaoan.case_private p ON p.case_id = c.id WHERE c.id = %s', :m),
                  $$VALUES (NULL::text, '张三情况需每日跟进'::text)$$,
                  'the reason for supervising a sensitive case is kept in case_private, not in cases');
SELECT is((SELECT note FROM xiaoan.case_event_private WHERE seq = :m_sv), '张三情况需每日跟进 (follow up by ' || (current_date + 3) || ')',
          'and its event''s note in case_event_private');
SELECT is((SELECT supervise_note FROM xiaoan.cases WHERE id = :g), '南门反复开启', 'an ordinary case keeps it in cases');

CREATE FUNCTION pg_temp.sup(p_login name, p_case bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r text;
BEGIN
  EXECUTE format('SET SESSION AUTHORIZATION %I', p_login);
  SELECT concat_ws(' | ', coalesce(supervise_note, '-'), supervise_note_private::text, coalesce(last_note, '-'),
                   last_note_private::text)
    INTO r FROM xiaoan.supervised_list(NULL) WHERE case_id = p_case;
  RESET SESSION AUTHORIZATION;
  RETURN r;
END $$;
SELECT is(pg_temp.sup('p7_sup', :m), '- | true | - | true',
          'supervised_list: a supervisor sees the sensitive case listed, its reason and last note private, no text');
SELECT is(pg_temp.sup('p7_edu', :m),
          '张三情况需每日跟进 | true | 张三情况需每日跟进 (follow up by ' || (current_date + 3) || ') | true',
          'a unit on the case reads both');
SELECT is(pg_temp.sup('p7_sch', :m),
          '张三情况需每日跟进 | true | 张三情况需每日跟进 (follow up by ' || (current_date + 3) || ') | true',
          'so does the school');
SELECT is(pg_temp.sup('p7_disp', :g), '南门反复开启 | false | 南门反复开启 | false',
          'an ordinary supervised case reads as before');

-- The private trail is the trail: append-only, written only by the engine ----------------------------
SELECT throws_ok(format('UPDATE xiaoan.case_event_private SET note = %L WHERE seq = %s', '改写', :m_sign), '42501',
                 'the audit trail is append-only: UPDATE on case_event_private is not allowed',
                 'UPDATE on case_event_private, even as its owner');
SELECT throws_ok('DELETE FROM xiaoan.case_event_private', '42501',
                 'the audit trail is append-only: DELETE on case_event_private is not allowed', 'DELETE on it');
SELECT throws_ok('TRUNCATE xiaoan.case_event_private', '42501',
                 'the audit trail is append-only: TRUNCATE on case_event_private is not allowed', 'TRUNCATE on it');
SET SESSION AUTHORIZATION p7_sch;
SELECT throws_ok(format('INSERT INTO xiaoan.case_event_private VALUES (%s, %s, %L)', :g_sign, :g, 'x'), '42501', NULL,
                 'an officer cannot write a private note directly');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION xiaoan_hub;
SELECT throws_ok('SELECT count(*) FROM xiaoan.case_event_private', '42501', NULL, 'the hub''s role cannot read private notes');
SELECT throws_ok('SELECT count(*) FROM xiaoan.case_trail', '42501', NULL, 'nor the trail');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::integer FROM xiaoan.stream_events(0, 1000) s
            WHERE s.case_id = :m AND s.summary LIKE '%张三%'), 0, 'the stream carries no private text of M');

-- A police station's officers ---------------------------------------------------------------------------
SELECT throws_ok($$SELECT xiaoan.officer_set('p7_x', '孙立', 'fh.jp.pol', 'town_staff')$$, 'XA004',
                 '锦屏派出所 (fh.jp.pol) is a police station: its officers are unit_staff, who see the cases the station is on; town_staff see every case of the town and belong to the town or its command room',
                 'town_staff at a police station is refused, naming the role to use');
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'p7_x'), 'and no login role was made');
SELECT throws_ok($$SELECT xiaoan.officer_set('p7_stn', '钱军', 'fh.jp.pol', 'town_staff')$$, 'XA004', NULL,
                 'an officer at a station cannot be changed to town_staff either');
SELECT is((SELECT role::text FROM xiaoan.officer WHERE login = 'p7_stn'), 'unit_staff', 'and stays unit_staff');
SELECT lives_ok($$SELECT xiaoan.officer_set('p7_x', '孙立', 'fh.jp.cmd', 'town_staff')$$, 'town_staff at a command room');
SELECT lives_ok($$SELECT xiaoan.officer_set('p7_y', '周平', 'fh.jp', 'town_staff')$$, 'and at the town itself');
SELECT throws_ok($$SELECT xiaoan.officer_set('p7_z', '冯涛', 'S001', 'town_staff')$$, 'XA004',
                 'town staff belong to a town or its command room, not to S001', 'not at a school');

-- Control characters ---------------------------------------------------------------------------------------
SELECT is(ARRAY[xiaoan.is_plain('锦屏 中学-1'), xiaoan.is_plain(NULL), xiaoan.is_plain(E'a\tb'),
                xiaoan.is_plain(E'a\x1b[2J'), xiaoan.is_plain(E'a\u009bb'), xiaoan.is_plain(E'a\x7f'),
                xiaoan.is_plain(E'a\u202eb'), xiaoan.is_plain(E'a\u2067b')],
          ARRAY[true, true, false, false, false, false, false, false],
          'is_plain: text and NULL yes; TAB, ESC, a C1 control, DEL, bidi override and isolate no');
SELECT throws_ok(format('SELECT xiaoan.officer_set(%L, %L, %L, %L)', 'p7_bad', E'坏人\x1b]0;PWNED\x07', 'fh.duty', 'dispatcher'),
                 'XA004', 'the officer''s name contains a control character; type plain text',
                 'officer_set refuses an escape sequence in a name');
SELECT throws_ok(format('SELECT xiaoan.officer_set(%L, %L, %L, %L)', 'p7_bad', E'坏人\u009b31m', 'fh.duty', 'dispatcher'),
                 'XA004', 'the officer''s name contains a control character; type plain text', 'and a C1 control');
SELECT throws_ok(format('SELECT xiaoan.officer_set(%L, %L, %L, %L, %L)', 'p7_bad', '坏人', 'fh.duty', 'dispatcher', E'138\n0000'),
                 'XA004', 'the phone number contains a control character; type plain text', 'and a newline in a phone');
SELECT throws_ok(format('SELECT xiaoan.officer_set(%L, %L, %L, %L)', 'p7_bad', '  ', 'fh.duty', 'dispatcher'),
                 'XA004', 'the officer''s name is required', 'a blank name');
SELECT throws_ok($$UPDATE xiaoan.officer SET name = E'王伟\x7f' WHERE login = 'p7_disp'$$, '23514', NULL,
                 'the officer table itself refuses DEL in a name, even from its owner');
SELECT throws_ok($$UPDATE xiaoan.unit SET name = E'一校\x1b[31m' WHERE code = 'S001'$$, '23514',
                 'new row for relation "unit" violates check constraint "unit_name_plain"', 'a unit name');
SELECT throws_ok($$UPDATE xiaoan.school SET officer_name = E'\x1b]2;x\x07' WHERE code = 'S001'$$, '23514', NULL,
                 'a school''s safety officer');
SELECT throws_ok($$UPDATE xiaoan.school SET address = E'南门\u202e路' WHERE code = 'S001'$$, '23514', NULL,
                 'a school''s address (bidi override)');
SELECT throws_ok($$UPDATE xiaoan.alert_type SET name_zh = E'校园\u0085封闭' WHERE code = 'gate_open'$$, '23514', NULL,
                 'an alert type''s name');
SELECT throws_ok($$UPDATE xiaoan.setting SET value = E'奉化\x1b[2J' WHERE key = 'district_name'$$, '23514', NULL,
                 'the district''s name shown in the console header');
SELECT throws_ok(format('INSERT INTO xiaoan.case_event(seq, case_id, kind, actor, actor_name, note, state, version)
                           VALUES (0, %s, %L, %L, %L, %L, %L, 1)', :g, 'close', 'x', 'x', E'结果\u0007', 'closed'),
                 '23514', NULL, 'the audit trail refuses a note with a control character, whoever writes it');
SET SESSION AUTHORIZATION p7_sch;
SELECT throws_ok(format('SELECT xiaoan.case_feedback(%s, %s, %L)', :g, (SELECT version FROM xiaoan.cases WHERE id = :g),
                        E'到场\u0085'), 'XA004', 'the first feedback contains a control character; type plain text',
                 'a step refuses a C1 control in its note');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
