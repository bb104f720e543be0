-- The case tables carry no foreign keys (006): what those guarded is kept
-- from the reference side. A unit, school or alert type that a case names
-- cannot be deleted or get a new code; its name can change; one that no
-- case names can go. Cases, their parties and private part are never
-- deleted or truncated, not even by the owner.
BEGIN;
SELECT plan(16);
\ir helpers.psql

SELECT pg_temp.open_case('k1', 'gate_open', 'S001') AS k1 \gset
SELECT pg_temp.open_case('k2', 'mental_care', 'S002', '{"grade": "high"}') AS k2 \gset

SELECT throws_ok($$DELETE FROM xiaoan.school WHERE code = 'S001'$$, '23503',
                 'school "S001" is named by case ' || :k1 || ' (and maybe others): it cannot be deleted',
                 'a school with a case cannot be deleted');
SELECT throws_ok($$UPDATE xiaoan.unit SET code = 'S001x' WHERE code = 'S001'$$, '23503', NULL,
                 'nor can its unit get a new code');
SELECT throws_ok($$DELETE FROM xiaoan.unit WHERE code = 'fh.jp.pol'$$, '23503', NULL,
                 'a unit copied on a case cannot be deleted');
SELECT throws_ok($$DELETE FROM xiaoan.unit WHERE code = 'fh.duty'$$, '23503', NULL,
                 'nor the issuing unit');
SELECT throws_ok($$DELETE FROM xiaoan.alert_type WHERE code = 'gate_open'$$, '23503',
                 'alert_type "gate_open" is named by case ' || :k1 || ' (and maybe others): it cannot be deleted',
                 'an alert type with cases cannot be deleted');
SELECT lives_ok($$UPDATE xiaoan.unit SET name = '锦屏雪窦中学（新校区）' WHERE code = 'S001'$$,
                'a named unit can be renamed');
SELECT lives_ok($$UPDATE xiaoan.alert_type SET name_en = 'Gate left open' WHERE code = 'gate_open'$$,
                'an alert type''s text can change');
SELECT lives_ok($$INSERT INTO xiaoan.unit (code, name, kind, parent, town) VALUES ('fh.tmp', '临时单位', 'department', 'fh', NULL);
                  DELETE FROM xiaoan.unit WHERE code = 'fh.tmp'$$,
                'a unit no case names can be deleted');
SELECT lives_ok($$DELETE FROM xiaoan.alert_type WHERE code = 'drowning'$$,
                'an alert type no case names can be deleted');

-- The events of a case still reach it after a unit was refused
SELECT is((SELECT count(*) FROM xiaoan.case_event WHERE case_id = :k1), 1::bigint, 'k1 keeps its open event');

SELECT throws_ok(format('DELETE FROM xiaoan.cases WHERE id = %s', :k1), '42501',
                 'cases are kept: DELETE on cases is not allowed', 'the owner cannot delete a case');
SELECT throws_ok(format('UPDATE xiaoan.cases SET id = id + 1000000 WHERE id = %s', :k1), '42501', NULL,
                 'nor give it another id');
SELECT throws_ok('TRUNCATE xiaoan.cases CASCADE', '42501', 'cases are kept: TRUNCATE on cases is not allowed',
                 'nor truncate the cases');
SELECT throws_ok(format('DELETE FROM xiaoan.case_unit WHERE case_id = %s', :k1), '42501', NULL,
                 'nor drop a party of a case');
SELECT throws_ok(format('DELETE FROM xiaoan.case_private WHERE case_id = %s', :k2), '42501', NULL,
                 'nor the private part of a sensitive case');
SELECT is((SELECT count(*) FROM xiaoan.case_unit WHERE case_id = :k1) > 0, true, 'k1 keeps its parties');

SELECT * FROM finish();
ROLLBACK;
