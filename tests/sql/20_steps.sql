-- Every legal step of a case: its return value, the audit event, the new
-- state and version, and what happens to the clocks.
BEGIN;
SELECT plan(51);
\ir helpers.psql

SELECT pg_temp.officer('s2_sch', '李娜', 'S001', 'school_officer') AND
       pg_temp.officer('s2_town', '赵强', 'fh.jp.cmd', 'town_staff') AND
       pg_temp.officer('s2_pol', '钱军', 'fh.jp.pol', 'unit_staff') AND
       pg_temp.officer('s2_disp', '王伟', 'fh.duty', 'dispatcher') AND
       pg_temp.officer('s2_duty', '孙丽', 'fh.duty', 'unit_staff') AND
       pg_temp.officer('s2_city', '周敏', 'nb', 'unit_staff') AND
       pg_temp.officer('s2_sup', '吴刚', 'fh.edu', 'supervisor') AS officers \gset
SELECT pg_temp.open_case('g-1', 'gate_open', 'S001') AS c \gset
-- An hour has passed since the alert.
SELECT pg_temp.age(:c, interval '1 hour') AS aged \gset
SELECT close_due AS close_due0, feedback_due AS feedback_due0, clock_start AS clock0
  FROM xiaoan.cases WHERE id = :c \gset

-- sign ----------------------------------------------------------------------------
SET SESSION AUTHORIZATION s2_sch;
SELECT version AS v, seq AS s FROM xiaoan.case_sign(:c, 1, '收到') \gset
RESET SESSION AUTHORIZATION;
SELECT is(:v, 2, 'sign returns the new version');
SELECT is(pg_temp.ev(:s), 'sign||s2_sch|李娜|S001|||signed|2|收到', 'sign: the event names who, where and the note');
SELECT results_eq(format($$SELECT state::text, signed_by::text COLLATE "default", signed_at = now(), version FROM xiaoan.cases WHERE id = %s$$, :c),
                  $$VALUES ('signed', 's2_sch', true, 2)$$, 'sign: the case is signed by the officer, now');

-- first feedback ---------------------------------------------------------------------
SET SESSION AUTHORIZATION s2_sch;
SELECT version AS v, seq AS s FROM xiaoan.case_feedback(:c, 2, '已到场，校门已关闭') \gset
RESET SESSION AUTHORIZATION;
SELECT is(:v, 3, 'feedback returns version 3');
SELECT is(pg_temp.ev(:s), 'feedback||s2_sch|李娜|S001|||in_progress|3|已到场，校门已关闭', 'feedback: its event');
SELECT results_eq(format($$SELECT state::text, feedback_at = now() FROM xiaoan.cases WHERE id = %s$$, :c),
                  $$VALUES ('in_progress', true)$$, 'feedback: in progress, feedback time recorded');

-- escalate: school -> the town's command room --------------------------------------------
SET SESSION AUTHORIZATION s2_sch;
SELECT version AS v, seq AS s FROM xiaoan.case_escalate(:c, 3, '超出学校处置能力') \gset
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.ev(:s), 'escalate||s2_sch|李娜|S001|S001|fh.jp.cmd|new|4|超出学校处置能力',
          'escalate from a school goes to its town''s command room');
SELECT results_eq(
  format($$SELECT holder, state::text, signed_at, signed_by IS NULL, sign_start = now(), sign_due = now() + interval '5 minutes',
                  close_due = %L::timestamptz, feedback_due = %L::timestamptz, clock_start = %L::timestamptz
             FROM xiaoan.cases WHERE id = %s$$, :'close_due0', :'feedback_due0', :'clock0', :c),
  $$VALUES ('fh.jp.cmd', 'new', NULL::timestamptz, true, true, true, true, true, true)$$,
  'escalate: the new holder must sign, its sign clock starts now; feedback and close clocks keep running');
SELECT results_eq(format($$SELECT unit, relation FROM xiaoan.case_unit WHERE case_id = %s AND unit IN ('S001', 'fh.jp.cmd') ORDER BY unit$$, :c),
                  $$VALUES ('S001', 'past'), ('fh.jp.cmd', 'holder')$$, 'escalate: the school becomes a past holder');

SET SESSION AUTHORIZATION s2_town;
SELECT version AS v, seq AS s FROM xiaoan.case_sign(:c, 4, NULL) \gset
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.ev(:s), 'sign||s2_town|赵强|fh.jp.cmd|||signed|5|', 'the command room signs');

-- escalate: town -> the district duty office -> the city ----------------------------------------
SET SESSION AUTHORIZATION s2_town;
SELECT version AS v, seq AS s FROM xiaoan.case_escalate(:c, 5, '需区级协调') \gset
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.ev(:s), 'escalate||s2_town|赵强|fh.jp.cmd|fh.jp.cmd|fh.duty|new|6|需区级协调',
          'escalate from a town goes to the district duty office');
SET SESSION AUTHORIZATION s2_disp;
SELECT version AS v, seq AS s FROM xiaoan.case_escalate(:c, 6, '上报市级') \gset
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.ev(:s), 'escalate||s2_disp|王伟|fh.duty|fh.duty|nb|new|7|上报市级',
          'escalate from the district goes to the city');
SELECT is((SELECT holder FROM xiaoan.cases WHERE id = :c), 'nb', 'the city holds it');

-- return: the city sends it back ------------------------------------------------------------
SET SESSION AUTHORIZATION s2_city;
SELECT version AS v, seq AS s FROM xiaoan.case_return(:c, 7, '属区级事权') \gset
RESET SESSION AUTHORIZATION;
SELECT is(:v, 8, 'return returns version 8');
SELECT is(pg_temp.ev(:s), 'return||s2_city|周敏|nb|nb|fh.duty|new|8|属区级事权',
          'return goes back to the unit that passed it on');

-- dispatch down: district -> a town's command room ----------------------------------------------
SET SESSION AUTHORIZATION s2_disp;
SELECT version AS v, seq AS s FROM xiaoan.case_dispatch_down(:c, 8, 'fh.jp', '请街道处置') \gset
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.ev(:s), 'dispatch_down||s2_disp|王伟|fh.duty|fh.duty|fh.jp.cmd|new|9|请街道处置',
          'dispatch down to a town lands at its command room');

-- forward: the command room assigns the police station; 10 minutes later ----------------------------
SELECT pg_temp.age(:c, interval '10 minutes') AS aged \gset
SELECT close_due AS close_due1 FROM xiaoan.cases WHERE id = :c \gset
SET SESSION AUTHORIZATION s2_town;
SELECT version AS v, seq AS s FROM xiaoan.case_forward(:c, 9, 'fh.jp.pol', '派出所处置') \gset
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.ev(:s), 'forward||s2_town|赵强|fh.jp.cmd|fh.jp.cmd|fh.jp.pol|new|10|派出所处置', 'forward: its event');
SELECT results_eq(
  format($$SELECT holder, sign_start = now(), sign_due = now() + interval '5 minutes', close_due = %L::timestamptz,
                  close_due = opened_at + interval '12 hours'
             FROM xiaoan.cases WHERE id = %s$$, :'close_due1', :c),
  $$VALUES ('fh.jp.pol', true, true, true, true)$$,
  'forward restarts sign_start and sign_due; close_due stays 12 h after the alert');
SELECT results_eq(format($$SELECT unit, relation FROM xiaoan.case_unit WHERE case_id = %s ORDER BY unit$$, :c),
                  $$VALUES ('S001', 'past'), ('fh.duty', 'past'), ('fh.edu', 'cc'), ('fh.jp.cmd', 'past'),
                           ('fh.jp.pol', 'holder'), ('fh.police', 'cc'), ('nb', 'past')$$,
                  'every unit that held the case stays on it (past), the cc list is kept');

SET SESSION AUTHORIZATION s2_pol;
SELECT version AS v, seq AS s FROM xiaoan.case_sign(:c, 10, NULL) \gset
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.ev(:s), 'sign||s2_pol|钱军|fh.jp.pol|||signed|11|', 'the police station signs');

-- close ---------------------------------------------------------------------------------
SET SESSION AUTHORIZATION s2_pol;
SELECT version AS v, seq AS s FROM xiaoan.case_close(:c, 11, '已处置，门卫已整改') \gset
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.ev(:s), 'close||s2_pol|钱军|fh.jp.pol|||closed|12|已处置，门卫已整改', 'close: its event');
SELECT results_eq(format($$SELECT state::text, closed_at = now() FROM xiaoan.cases WHERE id = %s$$, :c),
                  $$VALUES ('closed', true)$$, 'close: closed now');

-- reopen by the issuer -------------------------------------------------------------------
SET SESSION AUTHORIZATION s2_duty;
SELECT version AS v, seq AS s FROM xiaoan.case_reopen(:c, 12, '反馈不完整') \gset
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.ev(:s), 'reopen||s2_duty|孙丽|fh.duty|||in_progress|13|反馈不完整',
          'reopen by the issuing unit: back in progress (it had its first feedback)');
SELECT results_eq(format($$SELECT closed_at, reopen_count, close_due = %L::timestamptz FROM xiaoan.cases WHERE id = %s$$,
                         :'close_due1', :c),
                  $$VALUES (NULL::timestamptz, 1, true)$$, 'reopen: counted, the closed-loop clock unchanged');

SET SESSION AUTHORIZATION s2_pol;
SELECT version AS v, seq AS s FROM xiaoan.case_close(:c, 13, '补充：已约谈门卫') \gset
RESET SESSION AUTHORIZATION;
SELECT is(:v, 14, 'closed again');

-- supervise / unsupervise -------------------------------------------------------------------
SET SESSION AUTHORIZATION s2_sup;
SELECT version AS v, seq AS s FROM xiaoan.case_supervise(:c, 14, '重点跟踪', current_date + 7) \gset
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.ev(:s), format('supervise||s2_sup|吴刚|fh.edu|||closed|15|重点跟踪 (follow up by %s)', current_date + 7),
          'supervise: its event carries the follow-up date');
SELECT results_eq(format($$SELECT supervised, supervise_note, supervise_until = current_date + 7 FROM xiaoan.cases WHERE id = %s$$, :c),
                  $$VALUES (true, '重点跟踪', true)$$, 'supervise: the case is listed');
SET SESSION AUTHORIZATION s2_sup;
SELECT version AS v, seq AS s FROM xiaoan.case_unsupervise(:c, 15, '已跟进') \gset
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.ev(:s), 'unsupervise||s2_sup|吴刚|fh.edu|||closed|16|已跟进', 'unsupervise: its event');
SELECT results_eq(format($$SELECT supervised, supervise_until FROM xiaoan.cases WHERE id = %s$$, :c),
                  $$VALUES (false, NULL::date)$$, 'unsupervise: off the list');

-- confirm by the issuer -------------------------------------------------------------------
SET SESSION AUTHORIZATION s2_duty;
SELECT version AS v, seq AS s FROM xiaoan.case_confirm(:c, 16, '验收通过') \gset
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.ev(:s), 'confirm||s2_duty|孙丽|fh.duty|||confirmed|17|验收通过', 'confirm: its event');
SELECT results_eq(format($$SELECT state::text, confirmed_at = now(), version FROM xiaoan.cases WHERE id = %s$$, :c),
                  $$VALUES ('confirmed', true, 17)$$, 'confirm: confirmed');
SELECT is(pg_temp.kinds(:c),
          'open,sign,feedback,escalate,sign,escalate,escalate,return,dispatch_down,forward,sign,close,reopen,close,supervise,unsupervise,confirm',
          'the audit trail holds every step in order');
SELECT is((SELECT array_agg(version ORDER BY seq) FROM xiaoan.case_event WHERE case_id = :c),
          ARRAY[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17], 'one version per step');

-- Smaller paths ------------------------------------------------------------------------------
-- A reopened case that never had first feedback goes back to signed.
SELECT pg_temp.open_case('d-1', 'drowning', 'S001') AS d \gset
SET SESSION AUTHORIZATION s2_sch;
SELECT lives_ok(format($$SELECT xiaoan.case_sign(%s, 1, NULL)$$, :d), 'a school officer signs a drowning case');
SELECT lives_ok(format($$SELECT xiaoan.case_close(%s, 2, '学生已离开水域')$$, :d), 'and closes it without first feedback');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION s2_disp;
SELECT lives_ok(format($$SELECT xiaoan.case_reopen(%s, 3, '请补充家长联系情况')$$, :d), 'the duty office dispatcher reopens it');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT state::text FROM xiaoan.cases WHERE id = :d), 'signed', 'back to signed (no first feedback yet)');
-- Forwarding keeps the type's own sign limit; a type without one gets the promptly default.
SET SESSION AUTHORIZATION s2_sch;
SELECT lives_ok(format($$SELECT xiaoan.case_forward(%s, 4, 'fh.jp.cmd', NULL)$$, :d), 'forward to the command room');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT sign_due - sign_start FROM xiaoan.cases WHERE id = :d), interval '3 minutes',
          'drowning keeps its 3-minute sign limit after a forward');
SELECT pg_temp.open_case('l-1', 'legal_edu', 'S001') AS l \gset
SET SESSION AUTHORIZATION s2_sch;
SELECT lives_ok(format($$SELECT xiaoan.case_forward(%s, 1, 'fh.edu', '请教育局备案')$$, :l), 'a legal_edu case is forwarded');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT sign_due - sign_start FROM xiaoan.cases WHERE id = :l), interval '5 minutes',
          'a type with no sign stage gets the promptly default once forwarded');
-- The dispatcher may act for any holder; a supervisor may confirm.
SELECT pg_temp.open_case('g-2', 'gate_open', 'S002') AS g2 \gset
SET SESSION AUTHORIZATION s2_disp;
SELECT lives_ok(format($$SELECT xiaoan.case_sign(%s, 1, '代签')$$, :g2), 'a dispatcher signs on behalf of a school');
SELECT lives_ok(format($$SELECT xiaoan.case_close(%s, 2, '误报')$$, :g2), 'and closes');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION s2_sup;
SELECT lives_ok(format($$SELECT xiaoan.case_supervise(%s, 3, '抽查', NULL)$$, :g2), 'supervision without a date');
SELECT lives_ok(format($$SELECT xiaoan.case_confirm(%s, 4, NULL)$$, :g2), 'a supervisor confirms');
SELECT lives_ok(format($$SELECT xiaoan.case_unsupervise(%s, 5, NULL)$$, :g2), 'a confirmed case can leave the list');
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.kinds(:g2), 'open,sign,close,supervise,confirm,unsupervise', 'its trail');
SELECT is((SELECT note FROM xiaoan.case_event WHERE case_id = :g2 AND kind = 'supervise'), '抽查', 'a note without a date');
-- Town staff escalate a police station's case to the district police.
SELECT pg_temp.open_case('p-1', 'patrol_post', 'S001') AS p \gset
SET SESSION AUTHORIZATION s2_disp;
SELECT lives_ok(format($$SELECT xiaoan.case_dispatch_down(%s, 1, 'fh.jp.cmd', NULL)$$, :p),
                'dispatch down also takes the command room''s code');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION s2_town;
SELECT lives_ok(format($$SELECT xiaoan.case_forward(%s, 2, 'fh.jp.pol', NULL)$$, :p), 'the command room forwards to the station');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION s2_pol;
SELECT version AS v, seq AS s FROM xiaoan.case_escalate(:p, 3, '警力不足') \gset
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.ev(:s), 'escalate||s2_pol|钱军|fh.jp.pol|fh.jp.pol|fh.police|new|4|警力不足',
          'a police station escalates to the district police');

SELECT * FROM finish();
ROLLBACK;
