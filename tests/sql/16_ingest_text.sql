-- ingest() itself refuses what would reach a terminal raw: control
-- characters in source_id, control characters and bidi marks in summary.
-- Each bad item answers for itself; the good one beside it is stored.
BEGIN;
SELECT plan(9);
\ir helpers.psql

CREATE TEMP TABLE r AS
SELECT * FROM xiaoan.ingest('test', jsonb_build_array(
  pg_temp.alert('ok-1', 'gate_open', 'S001'),
  pg_temp.alert(E'esc\x1b[2J', 'gate_open', 'S001'),
  pg_temp.alert('nl-1', 'gate_open', 'S001', jsonb_build_object('summary', E'南门未关\n第二行')),
  pg_temp.alert('esc-1', 'gate_open', 'S001', jsonb_build_object('summary', E'南门\x1b]0;title\x07未关')),
  pg_temp.alert('c1-1', 'gate_open', 'S001', jsonb_build_object('summary', E'南门\u009b31m未关')),
  pg_temp.alert('rlo-1', 'gate_open', 'S001', jsonb_build_object('summary', E'南门\u202e关未'))));

SELECT is((SELECT created FROM r WHERE idx = 0), true, 'a clean alert beside bad ones is stored');
SELECT is((SELECT field FROM r WHERE idx = 1), 'source_id', 'an escape in source_id is refused');
SELECT is((SELECT error FROM r WHERE idx = 1), 'source_id must not contain control characters', 'saying why');
SELECT is((SELECT field FROM r WHERE idx = 2), 'summary', 'a newline in summary is refused');
SELECT is((SELECT error FROM r WHERE idx = 2),
          'summary must be one line of plain text: no control characters or bidi marks', 'saying why');
SELECT is((SELECT field FROM r WHERE idx = 3), 'summary', 'an OSC sequence in summary is refused');
SELECT is((SELECT field FROM r WHERE idx = 4), 'summary', 'a C1 control in summary is refused');
SELECT is((SELECT field FROM r WHERE idx = 5), 'summary', 'a right-to-left override in summary is refused');
SELECT is((SELECT count(*) FROM xiaoan.cases WHERE source = 'test'), 1::bigint, 'only the clean one is a case');

SELECT * FROM finish();
ROLLBACK;
