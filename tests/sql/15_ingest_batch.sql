-- ingest of whole batches: answers in item order, repeats inside a batch and
-- across batches, gap-free sequence numbers, the private part and the copies
-- of every case a batch opens.
BEGIN;
SELECT plan(24);
\ir helpers.psql

SELECT xiaoan.last_seq() AS seq0 \gset

-- Repeats inside one batch ------------------------------------------------------------
-- The first good item of a key opens the case; a later item of the same key
-- is a repeat even when it would not pass the checks itself; an earlier bad
-- item of the key keeps its own error.
CREATE TEMP TABLE r1 AS
SELECT * FROM xiaoan.ingest('bt', jsonb_build_array(
  pg_temp.alert('d-1', 'gate_open', 'S001'),                        -- 0 opens d-1
  pg_temp.alert('d-2', 'nonsense', 'S001'),                         -- 1 error
  pg_temp.alert('d-1', 'gate_open', 'S001'),                        -- 2 repeat of 0
  pg_temp.alert('d-2', 'drowning', 'S002'),                         -- 3 opens d-2
  pg_temp.alert('d-1', 'nonsense', 'S999'),                         -- 4 repeat of 0 all the same
  pg_temp.alert('d-3', 'gate_open', 'S001', '{"grade": "high"}'),   -- 5 error
  pg_temp.alert('d-2', 'drowning', 'S002'),                         -- 6 repeat of 3
  pg_temp.alert('d-3', 'gate_open', 'S001') - 'occurred_at'));     -- 7 error: no time
SELECT results_eq($$SELECT idx FROM r1$$, ARRAY[0, 1, 2, 3, 4, 5, 6, 7], 'one answer per item, in item order');
SELECT results_eq(
  $$SELECT idx, created, error IS NULL, field FROM r1 ORDER BY idx$$,
  $$VALUES (0, true, true, NULL::text), (1, false, false, 'type'), (2, false, true, NULL), (3, true, true, NULL),
           (4, false, true, NULL), (5, false, false, 'grade'), (6, false, true, NULL), (7, false, false, 'occurred_at')$$,
  'good and bad items mixed: each answers for itself');
SELECT is((SELECT count(DISTINCT (case_id, seq))::integer FROM r1 WHERE idx IN (0, 2, 4)), 1,
          'the repeats of d-1 answer with its case and open event');
SELECT is((SELECT count(DISTINCT (case_id, seq))::integer FROM r1 WHERE idx IN (3, 6)), 1,
          'so do those of d-2, which a bad item came before');
SELECT ok((SELECT bool_and(case_id IS NULL AND seq IS NULL) FROM r1 WHERE error IS NOT NULL),
          'an item in error has no case');
SELECT is((SELECT count(*)::integer FROM xiaoan.cases WHERE source = 'bt'), 2, 'the batch opened two cases');
SELECT results_eq(
  $$SELECT e.seq, e.case_id FROM xiaoan.case_event e WHERE e.case_id IN (SELECT case_id FROM r1) ORDER BY e.seq$$,
  format($$VALUES (%s::bigint, (SELECT case_id FROM r1 WHERE idx = 0)), (%s, (SELECT case_id FROM r1 WHERE idx = 3))$$,
         :seq0 + 1, :seq0 + 2),
  'one open event each, numbered on from the last event in item order');

-- Repeats across batches -----------------------------------------------------------------
SELECT xiaoan.last_seq() AS seq1 \gset
CREATE TEMP TABLE r2 AS
SELECT * FROM xiaoan.ingest('bt', jsonb_build_array(
  pg_temp.alert('d-2', 'drowning', 'S002'), pg_temp.alert('d-1', 'xyz', 'S001')));
SELECT results_eq(
  $$SELECT r2.idx, r2.created, r2.case_id = r1.case_id, r2.seq = r1.seq
      FROM r2 JOIN r1 ON r1.idx = CASE r2.idx WHEN 0 THEN 3 ELSE 0 END ORDER BY r2.idx$$,
  $$VALUES (0, false, true, true), (1, false, true, true)$$,
  'a later batch repeating both keys answers with the first batch''s cases and events');
SELECT is(xiaoan.last_seq(), :seq1::bigint, 'and adds no event');
SELECT is((SELECT last FROM xiaoan.event_counter), :seq1::bigint, 'nor moves the counter');
SELECT results_eq(
  $$SELECT idx, created FROM xiaoan.ingest(NULL, jsonb_build_array(
      pg_temp.alert('d-9', 'gate_open', 'S001', '{"producer": "bt-a"}'),
      pg_temp.alert('d-9', 'gate_open', 'S001', '{"producer": "bt-b"}'),
      pg_temp.alert('d-9', 'gate_open', 'S001', '{"producer": "bt-a"}')))$$,
  $$VALUES (0, true), (1, true), (2, false)$$, 'the key is (producer, source_id)');

-- Sequence numbers over many batches ----------------------------------------------------
SELECT xiaoan.last_seq() AS seq2 \gset
CREATE TEMP TABLE big AS
SELECT b, r.* FROM generate_series(1, 5) b
  CROSS JOIN LATERAL xiaoan.ingest('bt-big', (
    SELECT jsonb_agg(pg_temp.alert('big-' || g, (ARRAY['gate_open', 'drowning', 'food_safety', 'dorm_absence',
                                                        'panic_alarm', 'traffic', 'minor_venue', 'patrol_post'])[1 + g % 8],
                                   'S' || lpad((1 + g % 120)::text, 3, '0'),
                                   CASE WHEN g % 5 = 0 THEN '{"severity": "critical"}'::jsonb
                                        WHEN g % 7 = 0 THEN '{"type": "bogus"}'::jsonb ELSE '{}' END)
                     ORDER BY g)
      FROM generate_series((b - 1) * 40, b * 40 + 9) g)) r;   -- 50 items, 10 repeating the batch before
SELECT is((SELECT count(*)::integer FROM big WHERE created),
          (SELECT count(*)::integer FROM generate_series(0, 209) g WHERE g % 7 <> 0 OR g % 5 = 0),
          'five batches of 50 overlapping by 10 open every new good key once');
SELECT is((SELECT count(*)::integer FROM big WHERE NOT created AND error IS NULL),
          (SELECT count(*)::integer FROM big WHERE b > 1 AND idx < 10 AND error IS NULL),
          'the overlapping items are repeats');
SELECT results_eq(
  $$SELECT seq FROM xiaoan.case_event WHERE seq > $$ || :seq2 || $$ ORDER BY seq$$,
  $$SELECT g::bigint FROM generate_series($$ || :seq2 || $$ + 1, $$ || :seq2 || $$ + (SELECT count(*) FROM big WHERE created)) g$$,
  'sequence numbers stay gap-free across batches');
SELECT is((SELECT last FROM xiaoan.event_counter), (SELECT max(seq) FROM xiaoan.case_event),
          'the counter ends at the last event');
SELECT ok((SELECT bool_and(ok) FROM (
             SELECT seq > lag(seq) OVER (ORDER BY b, idx) AS ok FROM big WHERE created OFFSET 1) x),
          'each batch''s events follow item order, batch after batch');
SELECT ok(NOT EXISTS (SELECT 1 FROM big x JOIN xiaoan.case_event e ON e.case_id = x.case_id AND e.kind = 'open'
                       WHERE x.error IS NULL AND e.seq <> x.seq),
          'every answer names its case''s open event');

-- The private part of sensitive cases ----------------------------------------------------
SELECT results_eq(
  $$SELECT k.id FROM xiaoan.cases k WHERE k.source = 'bt-big' AND k.sensitive ORDER BY k.id$$,
  $$SELECT p.case_id FROM xiaoan.case_private p JOIN xiaoan.cases k ON k.id = p.case_id
     WHERE k.source = 'bt-big' ORDER BY p.case_id$$,
  'every sensitive case of the batches has its private row, and only those');
SELECT ok((SELECT bool_and(p.summary = k.type || ' at ' || k.school) FROM xiaoan.case_private p
             JOIN xiaoan.cases k ON k.id = p.case_id WHERE k.source = 'bt-big'),
          'holding the producer''s summary');
SELECT results_eq(
  $$SELECT DISTINCT k.type, k.summary, k.details IS NULL FROM xiaoan.cases k
     WHERE k.source = 'bt-big' AND k.sensitive ORDER BY 1$$,
  $$VALUES ('dorm_absence', '校内住宿预警', true), ('minor_venue', '未成年人禁入场所预警', true)$$,
  'the case itself carries a neutral label (no grade for types without one) and no details');

-- Holders and copies --------------------------------------------------------------------
SELECT is((SELECT count(*)::integer FROM xiaoan.cases k WHERE k.source = 'bt-big'
             AND (SELECT count(*) FROM xiaoan.case_unit u WHERE u.case_id = k.id AND u.relation = 'holder') <> 1), 0,
          'every case has one holder row');
SELECT is((SELECT count(*)::integer FROM xiaoan.cases k JOIN xiaoan.case_unit u ON u.case_id = k.id
            WHERE k.source = 'bt-big' AND u.relation = 'holder' AND u.unit <> k.holder), 0,
          'naming the case''s holder');
SELECT is((SELECT count(*)::integer FROM xiaoan.cases k JOIN xiaoan.alert_type t ON t.code = k.type
            WHERE k.source = 'bt-big'
              AND (SELECT array_agg(u.unit ORDER BY u.unit) FROM xiaoan.case_unit u
                    WHERE u.case_id = k.id AND u.relation = 'cc')
                  IS DISTINCT FROM
                  (SELECT array_agg(DISTINCT xiaoan.resolve_target(x, k.school) ORDER BY xiaoan.resolve_target(x, k.school))
                     FROM unnest(t.cc || CASE WHEN k.severity = 'critical' THEN t.cc_high ELSE '{}' END) x
                    WHERE xiaoan.resolve_target(x, k.school) <> k.holder)), 0,
          'the copies of every case are its type''s, with the extra ones when critical, the holder left out');
SELECT results_eq(
  $$SELECT u.unit, u.relation FROM xiaoan.case_unit u JOIN xiaoan.cases k ON k.id = u.case_id
     WHERE k.source = 'bt-big' AND k.source_id = 'big-5' ORDER BY u.unit$$,
  $$VALUES ('S006', 'cc'), ('fh.edu', 'cc'), ('fh.law', 'holder'), ('fh.police', 'cc')$$,
  'a critical traffic alert: Law Enforcement holds, the school among the copies');

SELECT * FROM finish();
ROLLBACK;
