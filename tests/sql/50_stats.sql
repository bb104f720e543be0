-- Statistics, problem-prone schools, the 4 × 100 % baseline, overdue review
-- and supervised cases on the fixed data set (50_stats_data.psql), against
-- figures worked out by hand. Times are district time (+08).
BEGIN;
SELECT plan(54);
\o /dev/null
\ir helpers.psql
\ir 50_stats_data.psql
\o

-- Runs a query as an officer (session_user switches, so RLS and the engine
-- see that officer); returns its one text value or 'ERROR <sqlstate>: ...'.
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

-- stats() rows as "key cases sign% feedback% close% mean_sign median_sign
-- mean_close median_close overdue reopened", one per line; NULL = ~.
CREATE FUNCTION pg_temp.st(p_from text, p_to text, p_group text, p_scope text DEFAULT NULL)
RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(concat_ws(' ', key, cases, coalesce(sign_on_time_pct::text, '~'),
                              coalesce(feedback_on_time_pct::text, '~'), coalesce(close_on_time_pct::text, '~'),
                              coalesce(mean_sign_secs::text, '~'), coalesce(median_sign_secs::text, '~'),
                              coalesce(mean_close_secs::text, '~'), coalesce(median_close_secs::text, '~'),
                              overdue, reopened), E'\n' ORDER BY key)
    FROM xiaoan.stats(p_from::timestamptz, p_to::timestamptz, p_group, p_scope)
$$;

-- October 2026 in the district.
\set oct_from '''2026-10-01 00:00+08'''
\set oct_to '''2026-11-01 00:00+08'''

-- The edge cases, one figure each ------------------------------------------------------
SELECT is((SELECT sign_on_time FROM xiaoan.case_figures WHERE id = 1), true,
          'signed exactly at the sign deadline is on time');
SELECT is((SELECT sign_on_time FROM xiaoan.case_figures WHERE id = 2), false, 'signed one second late is late');
SELECT is((SELECT feedback_on_time::text || ' ' || feedback_done_at FROM xiaoan.case_figures WHERE id = 2),
          'true ' || '2026-10-06 09:08+08'::timestamptz,
          'closed before the feedback due without a first feedback: the close counts as the feedback');
SELECT is((SELECT close_on_time::text || ' ' || close_secs || ' ' || reopened FROM xiaoan.case_figures WHERE id = 3),
          'false 46800 true', 'reopened case: judged by its last close (23:00, due 22:00)');
SELECT is((SELECT sign_on_time::text || ' ' || sign_secs FROM xiaoan.case_figures WHERE id = 4),
          'true 240', 'forwarded case: the restarted sign clock (07:10 -> 07:14) is measured, not the first');
SELECT is((SELECT concat_ws(' ', sign_on_time, feedback_on_time, close_on_time, overdue, sign_secs, close_secs)
             FROM xiaoan.case_figures WHERE id = 5),
          'f f f t', 'never signed: every stage past its due is late, no times');
SELECT is((SELECT concat_ws(' ', coalesce(sign_on_time::text, '~'), coalesce(feedback_on_time::text, '~'),
                            close_on_time, sign_secs, close_secs) FROM xiaoan.case_figures WHERE id = 6),
          '~ ~ t 1800 21600', 'legal_edu: stages without a due are not judged; the close runs from the course');
SELECT is((SELECT concat_ws(' ', coalesce(sign_on_time::text, '~'), coalesce(close_on_time::text, '~'), overdue)
             FROM xiaoan.case_figures WHERE id = 7),
          '~ ~ f', 'stages not done and not yet due are not judged');

-- stats() for every grouping -------------------------------------------------------------
SELECT is(pg_temp.st(:oct_from, :oct_to, 'all'),
          'all 12 71.4 60.0 70.0 960 300 192853 39600 5 1', 'October, the whole district');
SELECT is((SELECT label FROM xiaoan.stats(:oct_from, :oct_to, 'all')), '奉化区', 'the total row is labelled with the district');
SELECT is(pg_temp.st(:oct_from, :oct_to, 'town'),
          concat_ws(E'\n',
                    'fh.jp 8 83.3 75.0 75.0 855 270 214260 43200 4 1',
                    'fh.yl 4 0.0 0.0 50.0 1800 1800 21600 21600 1 0'), 'October by town');
SELECT is(pg_temp.st(:oct_from, :oct_to, 'unit'),
          concat_ws(E'\n',
                    'S001 4 75.0 100.0 75.0 240 270 17220 10800 2 1',
                    'S017 2 0.0 0.0 50.0 1800 1800 21600 21600 1 0',
                    'S018 1 ~ ~ ~ ~ ~ ~ ~ 0 0',
                    'fh.jp.cmd 2 ~ ~ 50.0 2700 2700 624600 624600 1 0',
                    'fh.jp.pol 1 100.0 0.0 100.0 240 240 39600 39600 1 0',
                    'fh.law 1 100.0 ~ 100.0 240 240 356400 356400 0 0',
                    'fh.yl.cmd 1 ~ ~ ~ ~ ~ ~ ~ 0 0'), 'October by unit (the current holder)');
SELECT is(pg_temp.st(:oct_from, :oct_to, 'type'),
          concat_ws(E'\n',
                    'gate_open 4 50.0 75.0 75.0 280 300 7360 7200 2 0',
                    'guard_absent 2 100.0 ~ 0.0 120 120 46800 46800 1 1',
                    'hazard 4 100.0 ~ 66.7 1880 1800 535200 550800 1 0',
                    'legal_edu 1 ~ ~ 100.0 1800 1800 21600 21600 0 0',
                    'patrol_post 1 100.0 0.0 100.0 240 240 39600 39600 1 0'), 'October by alert type');
SELECT is(pg_temp.st(:oct_from, :oct_to, 'school'),
          concat_ws(E'\n',
                    'S001 6 80.0 100.0 66.7 500 270 187280 30600 3 1',
                    'S002 2 100.0 0.0 100.0 1920 1920 295200 295200 1 0',
                    'S017 3 0.0 0.0 50.0 1800 1800 21600 21600 1 0',
                    'S018 1 ~ ~ ~ ~ ~ ~ ~ 0 0'), 'October by school');
SELECT is((SELECT string_agg(key || '=' || label, ',' ORDER BY key) FROM xiaoan.stats(:oct_from, :oct_to, 'type')),
          'gate_open=校园封闭式管理,guard_absent=保安履职,hazard=协同处置隐患,legal_edu=普法护苗,patrol_post=护学岗',
          'type rows are labelled with the Chinese type names');

-- Scopes, and the period's edges ---------------------------------------------------------
SELECT is(pg_temp.st(:oct_from, :oct_to, 'all', 'unit:fh.police'),
          'all 7 66.7 60.0 66.7 240 240 21696 14400 4 1', 'scope unit:fh.police: the cases it held or was copied on');
SELECT is(pg_temp.st(:oct_from, :oct_to, 'all', 'town:fh.yl'),
          'all 4 0.0 0.0 50.0 1800 1800 21600 21600 1 0', 'scope town:fh.yl equals the town''s row');
SELECT is(pg_temp.st(:oct_from, :oct_to, 'all', 'school:S001'),
          'all 6 80.0 100.0 66.7 500 270 187280 30600 3 1', 'scope school:S001 equals the school''s row');
SELECT is(pg_temp.st('2026-11-01 00:00+08', '2026-11-02 00:00+08', 'all'),
          'all 1 100.0 100.0 100.0 60 60 3600 3600 0 0', 'a case opened at 00:00 on the 1st belongs to the new month');
SELECT is((SELECT count(*) FROM xiaoan.case_figures_in(:oct_from, :oct_to))::integer, 12,
          'case_figures_in: the 12 October cases (cases.csv)');
SELECT is((SELECT string_agg(id::text, ',') FROM xiaoan.case_figures_in(:oct_from, :oct_to, 'town:fh.yl')),
          '5,6,11,7', 'case_figures_in in order of opening');

-- Problem-prone schools and the baseline --------------------------------------------------
SELECT is((SELECT string_agg(concat_ws(' ', rank, school, cases, overdue, repeat_types, nullif(repeats, '')), E'\n' ORDER BY rank)
             FROM xiaoan.problem_schools(:oct_from, :oct_to)),
          E'1 S001 6 3 2 校园封闭式管理×3、协同处置隐患×2\n2 S002 2 1 0\n3 S017 2 1 0\n4 S018 1 0 0',
          'problem-prone schools: by cases, overdue, repeated types, code; legal_edu left out');
SELECT is((SELECT string_agg(school, ',' ORDER BY rank) FROM xiaoan.problem_schools(:oct_from, :oct_to, 2)),
          'S001,S002', 'problem_schools honours its limit');
SELECT is((SELECT string_agg(concat_ws(' ', school, guards_ok, closed_ok, alarm_ok, post_ok, guard_open, gate_cases,
                                       offline_cases, post_cases), E'\n' ORDER BY school)
             FROM xiaoan.baseline(10) WHERE NOT all_ok),
          concat_ws(E'\n',
                    'S002 f t t t 1 0 0 0',
                    'S003 t f t t 0 1 0 0',
                    'S004 t t f t 0 0 1 0',
                    'S006 t t t f 0 0 0 1'),
          'baseline over 10 days: open guard_absent, gate_open, offline panic alarm, patrol_post');
SELECT is((SELECT count(*) FILTER (WHERE all_ok) || '/' || count(*) FROM xiaoan.baseline(10)), '116/120',
          '116 of 120 schools meet all four (a confirmed guard_absent, a test alarm, a case 20 days old do not count)');
SELECT is((SELECT count(*) || ' ' || bool_and(all_ok) FROM xiaoan.baseline(10, 'town:fh.yl')),
          (SELECT count(*) FROM xiaoan.unit WHERE kind = 'school' AND town = 'fh.yl') || ' true',
          'baseline scope town:fh.yl: that town''s schools');

-- Overdue review and supervision ---------------------------------------------------------
SELECT is((SELECT string_agg(case_id || ':' || stage, ',') FROM xiaoan.overdue_review),
          '5:sign,5:feedback,5:close,101:sign,101:close', 'overdue review: every open overdue stage, oldest due first');
SELECT is((SELECT unit || ' ' || town || ' ' || type || ' ' || due || ' ' || (over_secs = floor(extract(epoch FROM now() - due)))
             FROM xiaoan.overdue_review WHERE case_id = 5 AND stage = 'sign'),
          'S017 fh.yl gate_open ' || '2026-10-10 14:05+08'::timestamptz || ' true', 'with unit, town, type, due and how long over');
SELECT is((SELECT string_agg(concat_ws(' ', key, stages, cases), ',') FROM xiaoan.overdue_by('town')),
          'fh.yl 3 1,fh.jp 2 1', 'overdue stages by town, oldest first');
SELECT is((SELECT string_agg(concat_ws(' ', key, label, stages), ',') FROM xiaoan.overdue_by('type')),
          'gate_open 校园封闭式管理 3,guard_absent 保安履职 2', 'overdue stages by type');
SELECT is((SELECT string_agg(case_id::text, ',') FROM xiaoan.overdue_list('town:fh.jp')), '101,101',
          'overdue_list with a scope');
SELECT is((SELECT concat_ws(' ', case_id, state, supervise_until, follow_up_due, supervised_by, last_kind, overdue)
             FROM xiaoan.supervised_cases),
          '5 new 2026-10-15 t 赵督办 supervise t', 'supervised cases: progress, follow-up date passed, still overdue');
SELECT is((SELECT count(*) FROM xiaoan.supervised_list('town:fh.jp'))::integer, 0, 'supervised_list with a scope');

-- Hazards ------------------------------------------------------------------------------
SELECT is((SELECT string_agg(key || '=' || cases, ',' ORDER BY n) FROM xiaoan.hazard_summary(:oct_from, :oct_to)),
          'reported=4,open=1,past_deadline=0,resolved=1,in_progress_committed=1,committed_overdue=1,hard_to_resolve=1,'
          'sampled=0,audit_passed=0,audit_failed=0,audit_pending=0', 'hazards of October by where they stand');
SELECT is((SELECT string_agg(concat_ws(' ', case_id, category, coalesce(outcome, '~'), coalesce(on_time::text, '~'),
                                       leadership_review), ',')
             FROM xiaoan.hazard_list(:oct_from, :oct_to)),
          '10 street_vendors resolved true f,11 disputes ~ ~ f,12 waters hard_to_resolve false t,'
          '13 commute_traffic in_progress_committed true f', 'hazard_list (hazards.csv)');

-- Sparklines ---------------------------------------------------------------------------
SELECT is((SELECT string_agg(day || '=' || cases, ',') FROM xiaoan.cases_per_day('2026-10-09 00:00+08', '2026-10-13 00:00+08')),
          '2026-10-09=0,2026-10-10=1,2026-10-11=0,2026-10-12=1', 'cases per day, empty days included');
SELECT is((SELECT string_agg(day || '=' || cases, ',') FROM xiaoan.cases_per_day('2026-10-31 00:00+08', '2026-11-02 00:00+08')),
          '2026-10-31=1,2026-11-01=1', 'days are the district''s calendar days (23:58 and 00:00 +08)');
SELECT is((SELECT string_agg(cases::text, ',') FROM xiaoan.cases_per_hour('2026-10-05 07:00+08', '2026-10-05 10:00+08')),
          '0,1,0', 'cases per hour');

-- Row-level security: an officer's figures cover their scope -----------------------------
SELECT is(pg_temp.try('t50_yl', format($$SELECT pg_temp.st(%L, %L, 'all')$$, :oct_from, :oct_to)),
          'all 4 0.0 0.0 50.0 1800 1800 21600 21600 1 0', 'town staff of 岳林: the town''s figures');
SELECT is(pg_temp.try('t50_s001', format($$SELECT pg_temp.st(%L, %L, 'all')$$, :oct_from, :oct_to)),
          'all 6 80.0 100.0 66.7 500 270 187280 30600 3 1', 'a school officer: the school''s figures');
SELECT is(pg_temp.try('t50_pol', format($$SELECT pg_temp.st(%L, %L, 'all')$$, :oct_from, :oct_to)),
          'all 7 66.7 60.0 66.7 240 240 21696 14400 4 1', 'the district police: the cases it is a party to');
SELECT is(pg_temp.try('t50_sup', format($$SELECT pg_temp.st(%L, %L, 'town')$$, :oct_from, :oct_to)),
          pg_temp.st(:oct_from, :oct_to, 'town'), 'a supervisor sees the district''s figures');
SELECT is(pg_temp.try('t50_yl', $$SELECT string_agg(case_id || ':' || stage, ',') FROM xiaoan.overdue_review$$),
          '5:sign,5:feedback,5:close', 'overdue review under RLS');
SELECT is(pg_temp.try('t50_s001', $$SELECT string_agg(school, ',') FROM xiaoan.baseline()$$), 'S001',
          'a school officer''s baseline is their school');
SELECT is(pg_temp.try('t50_yl', $$SELECT count(*)::text FROM xiaoan.baseline()$$),
          (SELECT count(*)::text FROM xiaoan.unit WHERE kind = 'school' AND town = 'fh.yl'),
          'town staff''s baseline: the town''s schools');
SELECT is(pg_temp.try('t50_s001', format($$SELECT string_agg(school, ',') FROM xiaoan.problem_schools(%L, %L)$$,
                                         :oct_from, :oct_to)), 'S001', 'problem_schools under RLS');

-- Errors -----------------------------------------------------------------------------
SELECT throws_ok($$SELECT * FROM xiaoan.stats('2026-10-01', '2026-11-01', 'weekday')$$, 'XA004',
                 'statistics group by all, unit, town, type or school (got weekday)', 'unknown grouping');
SELECT throws_ok($$SELECT * FROM xiaoan.stats('2026-10-01', '2026-11-01', 'all', 'town:S001')$$, 'XA004',
                 'scope "town:S001" is not valid', 'a scope must name the right kind of unit');
SELECT throws_ok($$SELECT * FROM xiaoan.stats('2026-11-01', '2026-10-01', 'all')$$, 'XA004', NULL,
                 'a period must start before it ends');

-- Periods ------------------------------------------------------------------------------
SELECT is((SELECT concat_ws(' | ', period_from, period_to, label, kind) FROM xiaoan.period('2026-10')),
          concat_ws(' | ', '2026-10-01 00:00+08'::timestamptz, '2026-11-01 00:00+08'::timestamptz, '2026年10月', 'month'),
          'a month in district time');
SELECT is((SELECT concat_ws(' | ', period_from, period_to, label) FROM xiaoan.period('2026-W47')),
          concat_ws(' | ', '2026-11-16 00:00+08'::timestamptz, '2026-11-23 00:00+08'::timestamptz,
                    '2026年第47周，11月16日至11月22日'), 'an ISO week, Monday to Sunday');
SELECT is((SELECT concat_ws(' | ', period_from, period_to, kind) FROM xiaoan.period('2026-10-05', '2026-10-07')),
          concat_ws(' | ', '2026-10-05 00:00+08'::timestamptz, '2026-10-08 00:00+08'::timestamptz, 'range'),
          'a range of days, both included');
SELECT throws_ok($$SELECT * FROM xiaoan.period('2025-W53')$$, 'XA004', NULL, '2025 has no week 53');
SELECT throws_ok($$SELECT * FROM xiaoan.period('2026-10-07', '2026-10-05')$$, 'XA004', NULL,
                 'a range that ends before it starts');

SELECT * FROM finish();
ROLLBACK;
