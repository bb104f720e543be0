-- Administration: officers are login roles kept by officer_set and
-- officer_disable; the checks that keep them from hurting other roles.
BEGIN;
SELECT plan(16);
\ir helpers.psql

SELECT pg_temp.officer('a6_one', '王伟', 'fh.duty', 'dispatcher') AS x \gset
SELECT results_eq($$SELECT rolcanlogin, pg_has_role(oid, 'xiaoan_officer', 'MEMBER') FROM pg_roles WHERE rolname = 'a6_one'$$,
                  $$VALUES (true, true)$$, 'officer_set creates a login role in xiaoan_officer');
SELECT results_eq($$SELECT name, unit, role::text, active FROM xiaoan.officer WHERE login = 'a6_one'$$,
                  $$VALUES ('王伟', 'fh.duty', 'dispatcher', true)$$, 'and the officer row');
SELECT lives_ok($$SELECT xiaoan.officer_set('a6_one', '王伟', 'fh.edu', 'unit_staff', '13800000000')$$, 'officer_set changes an officer');
SELECT lives_ok($$SELECT xiaoan.officer_set('a6_one', '王伟', 'fh.edu', 'unit_staff')$$, 'again without a phone');
SELECT results_eq($$SELECT unit, role::text, phone FROM xiaoan.officer WHERE login = 'a6_one'$$,
                  $$VALUES ('fh.edu', 'unit_staff', '13800000000')$$, 'a phone left out is kept');
SELECT is(xiaoan.officer_disable('a6_one'), true, 'officer_disable');
SELECT results_eq($$SELECT o.active, r.rolcanlogin FROM xiaoan.officer o JOIN pg_roles r ON r.rolname = o.login WHERE o.login = 'a6_one'$$,
                  $$VALUES (false, false)$$, 'a disabled officer is kept but cannot log in');
SELECT is(xiaoan.officer_disable('a6_nobody'), false, 'disabling an unknown login says so');
SELECT lives_ok($$SELECT xiaoan.officer_set('a6_one', '王伟', 'fh.edu', 'unit_staff', NULL, true)$$, 're-enable');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 'a6_one'), true, 'the login works again');

SELECT throws_ok($$SELECT xiaoan.officer_set('A6 Bad', 'x', 'fh.duty', 'dispatcher')$$, 'XA004',
                 'login "A6 Bad" must be a lower-case account name (letters, digits, _ . -)', 'a login that is no account name');
SELECT throws_ok($$SELECT xiaoan.officer_set('a6_two', 'x', 'fh.nowhere', 'dispatcher')$$, 'XA004',
                 'unknown unit "fh.nowhere"', 'an unknown unit');
SELECT throws_ok($$SELECT xiaoan.officer_set('a6_two', 'x', 'fh.edu', 'school_officer')$$, 'XA004',
                 'a school safety officer belongs to a school, not to fh.edu', 'a school officer outside a school');
SELECT throws_ok($$SELECT xiaoan.officer_set('a6_two', 'x', 'fh.edu', 'town_staff')$$, 'XA004',
                 'town staff belong to a town or its command room, not to fh.edu', 'town staff outside a town');
SELECT throws_ok(format('SELECT xiaoan.officer_set(%L, %L, %L, %L)', session_user, 'x', 'fh.duty', 'dispatcher'), 'XA004',
                 format('login "%s" is a superuser, a xiaoan system role or your own: an officer needs a role of its own', session_user),
                 'the administrator cannot be made an officer (disabling would lock it out)');
SELECT throws_ok($$SELECT xiaoan.officer_set('xiaoan_hub', 'x', 'fh.duty', 'dispatcher')$$, 'XA004', NULL,
                 'nor the hub''s role');

SELECT * FROM finish();
ROLLBACK;
