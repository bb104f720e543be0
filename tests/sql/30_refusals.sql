-- Every illegal step is refused with its SQLSTATE and a message that says
-- what happened; the audit trail and the cases table cannot be written
-- around the engine.
BEGIN;
SELECT plan(37);
\ir helpers.psql

SELECT pg_temp.officer('s3_sch', '李娜', 'S001', 'school_officer') AND
       pg_temp.officer('s3_sch2', '陈静', 'S002', 'school_officer') AND
       pg_temp.officer('s3_town', '赵强', 'fh.jp.cmd', 'town_staff') AND
       pg_temp.officer('s3_ylt', '冯涛', 'fh.yl.cmd', 'town_staff') AND
       pg_temp.officer('s3_disp', '王伟', 'fh.duty', 'dispatcher') AND
       pg_temp.officer('s3_edu', '何平', 'fh.edu', 'unit_staff') AND
       pg_temp.officer('s3_city', '周敏', 'nb', 'unit_staff') AND
       pg_temp.officer('s3_gone', '郑洁', 'S001', 'school_officer') AS officers \gset
SELECT xiaoan.officer_disable('s3_gone') AS disabled \gset

SELECT pg_temp.open_case('a', 'gate_open', 'S001') AS a \gset
SELECT pg_temp.open_case('b', 'gate_open', 'S001') AS b \gset
SELECT pg_temp.open_case('y', 'gate_open', 'S017') AS y \gset
SELECT pg_temp.open_case('s2', 'gate_open', 'S002') AS s2 \gset

-- State machine (XA002) -------------------------------------------------------------
SET SESSION AUTHORIZATION s3_sch;
SELECT throws_ok(format('SELECT xiaoan.case_close(%s, 1, %L)', :a, '已处理'), 'XA002',
                 format('case %s is new: it cannot be closed', :a), 'closing an unsigned case');
SELECT throws_ok(format('SELECT xiaoan.case_feedback(%s, 1, %L)', :a, '到场'), 'XA002',
                 format('case %s is new: it cannot be given first feedback', :a), 'first feedback before signing');
SELECT throws_ok(format('SELECT xiaoan.case_return(%s, 1, %L)', :a, '不归我管'), 'XA002',
                 format('case %s came to 奉化区锦屏雪窦中学 straight from the alert: there is no one to return it to', :a),
                 'returning a case that came straight from the alert');
SELECT throws_ok(format('SELECT xiaoan.case_dispatch_down(%s, 1, %L, NULL)', :a, 'fh.jp'), 'XA002',
                 format('case %s is held by 奉化区锦屏雪窦中学 at town level: only district units dispatch down', :a),
                 'dispatching down from a school');
SELECT lives_ok(format('SELECT xiaoan.case_sign(%s, 1, NULL)', :a), 'sign a');
SELECT lives_ok(format('SELECT xiaoan.case_close(%s, 2, %L)', :a, '已关门'), 'close a');
SELECT throws_ok(format('SELECT xiaoan.case_sign(%s, 3, NULL)', :a), 'XA002',
                 format('case %s is closed: it cannot be signed', :a), 'signing a closed case');
SELECT throws_ok(format('SELECT xiaoan.case_forward(%s, 3, %L, NULL)', :a, 'fh.edu'), 'XA002',
                 format('case %s is closed: it cannot be forwarded', :a), 'forwarding a closed case');

-- Rights (XA003) ------------------------------------------------------------------------
SELECT throws_ok(format('SELECT xiaoan.case_confirm(%s, 3, NULL)', :a), 'XA003',
                 format('case %s was issued by 区护校安园工作专班办公室: only that unit or a supervisor can confirm it', :a),
                 'confirming as the wrong unit');
SELECT throws_ok(format('SELECT xiaoan.case_reopen(%s, 3, %L)', :a, '重开'), 'XA003',
                 format('case %s was issued by 区护校安园工作专班办公室: only that unit or a supervisor can reopen it', :a),
                 'reopening as the wrong unit');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION s3_disp;
SELECT throws_ok(format('SELECT xiaoan.case_supervise(%s, 3, %L, NULL)', :a, '督办'), 'XA003',
                 'only supervisors can put cases under supervision (you are dispatcher)', 'supervise by a non-supervisor');
SELECT throws_ok(format('SELECT xiaoan.case_unsupervise(%s, 3, NULL)', :a), 'XA003',
                 'only supervisors can put cases under supervision (you are dispatcher)', 'unsupervise by a non-supervisor');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION s3_town;
SELECT throws_ok(format('SELECT xiaoan.case_sign(%s, 1, NULL)', :b), 'XA003',
                 format('case %s is held by 奉化区锦屏雪窦中学: 赵强 (锦屏街道四平台指挥室) cannot act on it', :b),
                 'town staff cannot act on a case their town''s school holds');
SELECT throws_ok(format('SELECT xiaoan.case_sign(%s, 1, NULL)', :y), 'XA005',
                 format('case %s does not exist or is not yours to see', :y), 'a town user touching another town''s case');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION s3_sch;
SELECT throws_ok(format('SELECT xiaoan.case_sign(%s, 1, NULL)', :s2), 'XA005',
                 format('case %s does not exist or is not yours to see', :s2), 'a school officer acting on another school''s case');
SELECT throws_ok('SELECT xiaoan.case_sign(999999, 1, NULL)', 'XA005',
                 'case 999999 does not exist or is not yours to see', 'a case that does not exist');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION s3_gone;
SELECT throws_ok(format('SELECT xiaoan.case_sign(%s, 1, NULL)', :b), 'XA003',
                 'you (s3_gone) are not an active xiaoan officer: ask an administrator', 'a disabled officer');
SELECT throws_ok('SELECT xiaoan.session_token()', 'XA003',
                 'you (s3_gone) are not an active xiaoan officer: ask an administrator', 'gets no stream token');
RESET SESSION AUTHORIZATION;

-- Stale versions (XA001) ---------------------------------------------------------------------
SET SESSION AUTHORIZATION s3_sch;
SELECT lives_ok(format('SELECT xiaoan.case_sign(%s, 1, NULL)', :b), 'sign b at version 1');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION s3_disp;
SELECT throws_ok(format('SELECT xiaoan.case_sign(%s, 1, NULL)', :b), 'XA001',
                 format('case %s already signed by 李娜 (奉化区锦屏雪窦中学) at %s', :b, xiaoan.local_time(now())),
                 'signing what someone just signed names who did it, and when');
SELECT throws_ok(format('SELECT xiaoan.case_forward(%s, 1, %L, NULL)', :b, 'fh.edu'), 'XA001',
                 format('case %s was signed by 李娜 (奉化区锦屏雪窦中学) at %s while you had it open; it is now signed',
                        :b, xiaoan.local_time(now())),
                 'acting on a stale version');
RESET SESSION AUTHORIZATION;

-- Bad arguments (XA004) ------------------------------------------------------------------------
SET SESSION AUTHORIZATION s3_sch;
SELECT throws_ok(format('SELECT xiaoan.case_forward(%s, 2, %L, NULL)', :b, 'fh.jp'), 'XA004',
                 format('cannot forward case %s to "fh.jp": pick a department, command room, police station or school', :b),
                 'forwarding to a town (not a unit that works cases)');
SELECT throws_ok(format('SELECT xiaoan.case_forward(%s, 2, %L, NULL)', :b, 'nowhere'), 'XA004', NULL,
                 'forwarding to a unit that does not exist');
SELECT throws_ok(format('SELECT xiaoan.case_forward(%s, 2, %L, NULL)', :b, 'S001'), 'XA004',
                 format('case %s is already held by 奉化区锦屏雪窦中学', :b), 'forwarding to the holder itself');
SELECT throws_ok(format('SELECT xiaoan.case_escalate(%s, 2, %L)', :b, '  '), 'XA004',
                 'the reason for escalating is required', 'escalating without a reason');
SELECT throws_ok(format('SELECT xiaoan.case_feedback(%s, 2, %L)', :b, E'到场\x1b[2J'), 'XA004',
                 'the first feedback contains a control character; type plain text', 'a control character in a note');
SELECT throws_ok(format('SELECT xiaoan.case_close(%s, 2, %L)', :b, repeat('长', 2001)), 'XA004',
                 'the result is too long (2001 characters, at most 2000)', 'a note that is too long');
RESET SESSION AUTHORIZATION;
SELECT pg_temp.open_case('c', 'patrol_post', 'S001') AS c \gset
SET SESSION AUTHORIZATION s3_disp;
SELECT lives_ok(format('SELECT xiaoan.case_escalate(%s, 1, %L)', :c, '上报'), 'a district case escalated to the city');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION s3_city;
SELECT throws_ok(format('SELECT xiaoan.case_escalate(%s, 2, %L)', :c, '再上报'), 'XA002',
                 '宁波市 (nb) has no higher level to escalate to', 'the city cannot escalate');
RESET SESSION AUTHORIZATION;

-- Around the engine -----------------------------------------------------------------------------
SET SESSION AUTHORIZATION s3_edu;
SELECT throws_ok(format('UPDATE xiaoan.cases SET state = %L WHERE id = %s', 'closed', :b), '42501', NULL,
                 'an officer cannot UPDATE cases directly');
SELECT throws_ok($$INSERT INTO xiaoan.cases(type, school, town, sensitive, summary, source, source_id, issuer, holder,
                                            occurred_at, clock_start) VALUES ('gate_open', 'S001', 'fh.jp', false, 'x',
                                            'me', 'x', 'fh.duty', 'S001', now(), now())$$, '42501', NULL,
                 'nor INSERT a case');
SELECT throws_ok($$INSERT INTO xiaoan.case_event(seq, case_id, kind, actor, actor_name, state, version)
                   VALUES (0, 1, 'close', 'me', 'me', 'closed', 9)$$, '42501', NULL, 'nor write the audit trail');
SELECT throws_ok('DELETE FROM xiaoan.case_event', '42501', NULL, 'nor delete from it');
SELECT throws_ok('SELECT xiaoan.ingest(''x'', ''[]'')', '42501', NULL, 'nor call the hub''s functions');
RESET SESSION AUTHORIZATION;
SELECT throws_ok('UPDATE xiaoan.case_event SET note = ''改写''', '42501',
                 'the audit trail is append-only: UPDATE on case_event is not allowed', 'UPDATE on case_event, even as its owner');
SELECT throws_ok('DELETE FROM xiaoan.case_event', '42501',
                 'the audit trail is append-only: DELETE on case_event is not allowed', 'DELETE on case_event');
SELECT throws_ok('TRUNCATE xiaoan.case_event CASCADE', '42501',
                 'the audit trail is append-only: TRUNCATE on case_event is not allowed', 'TRUNCATE on case_event');

SELECT * FROM finish();
ROLLBACK;
