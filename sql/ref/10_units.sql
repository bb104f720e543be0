-- Reference units of the reference district, Fenghua (seed 000): the city
-- above it, the district duty office, the 15 member departments of the
-- leading group, and the 12 towns/streets with their command rooms
-- (基层治理四平台) and police stations. Re-applied by `xiaoan-admin migrate`;
-- edit and re-run to change.
SET search_path = xiaoan, pg_catalog;

INSERT INTO setting(key, value, note) VALUES
  ('time_zone', 'Asia/Shanghai', 'the district''s time zone, for display and reports'),
  ('promptly_minutes', '5', 'the sign limit for types whose seed says "promptly" (及时)'),
  ('alert_issuer', 'fh.duty', 'the unit that issues alert cases and confirms their results'),
  ('district', 'fh', 'the district this database serves'),
  ('district_name', '奉化区', 'shown in the console header')
ON CONFLICT (key) DO NOTHING;

INSERT INTO unit(code, name, kind, parent, town, dept_key) VALUES
  ('nb', '宁波市', 'city', NULL, NULL, NULL),
  ('fh', '奉化区', 'district', 'nb', NULL, NULL),
  ('fh.duty', '区护校安园工作专班办公室', 'department', 'fh', NULL, 'duty'),
  ('fh.office', '区府办', 'department', 'fh', NULL, 'office'),
  ('fh.plc', '区委政法委', 'department', 'fh', NULL, 'plc'),
  ('fh.cac', '区委网信办', 'department', 'fh', NULL, 'cac'),
  ('fh.sgc', '区社会治理中心', 'department', 'fh', NULL, 'sgc'),
  ('fh.proc', '区检察院', 'department', 'fh', NULL, 'procuratorate'),
  ('fh.edu', '区教育局', 'department', 'fh', NULL, 'edu'),
  ('fh.police', '区公安分局', 'department', 'fh', NULL, 'police'),
  ('fh.water', '区水利局', 'department', 'fh', NULL, 'water'),
  ('fh.culture', '区文广旅体局', 'department', 'fh', NULL, 'culture'),
  ('fh.health', '区卫生健康局', 'department', 'fh', NULL, 'health'),
  ('fh.emergency', '区应急管理局', 'department', 'fh', NULL, 'emergency'),
  ('fh.market', '区市场监管局', 'department', 'fh', NULL, 'market'),
  ('fh.law', '区综合执法局', 'department', 'fh', NULL, 'law'),
  ('fh.youth', '团区委', 'department', 'fh', NULL, 'youth'),
  ('fh.data', '区大数据中心', 'department', 'fh', NULL, 'data')
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, parent = EXCLUDED.parent,
                                 town = EXCLUDED.town, dept_key = EXCLUDED.dept_key;

INSERT INTO unit(code, name, kind, parent, town) VALUES
  ('fh.jp', '锦屏街道', 'town', 'fh', NULL), ('fh.yl', '岳林街道', 'town', 'fh', NULL),
  ('fh.ch', '莼湖街道', 'town', 'fh', NULL), ('fh.xw', '西坞街道', 'town', 'fh', NULL),
  ('fh.st', '尚田街道', 'town', 'fh', NULL), ('fh.xwm', '萧王庙街道', 'town', 'fh', NULL),
  ('fh.jk', '江口街道', 'town', 'fh', NULL), ('fh.fq', '方桥街道', 'town', 'fh', NULL),
  ('fh.xk', '溪口镇', 'town', 'fh', NULL), ('fh.dy', '大堰镇', 'town', 'fh', NULL),
  ('fh.qc', '裘村镇', 'town', 'fh', NULL), ('fh.sa', '松岙镇', 'town', 'fh', NULL)
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name;
UPDATE unit SET town = code WHERE kind = 'town' AND town IS DISTINCT FROM code;

INSERT INTO unit(code, name, kind, parent, town)
SELECT u.code || '.cmd', u.name || '四平台指挥室', 'command_room', u.code, u.code FROM unit u WHERE u.kind = 'town'
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name;
INSERT INTO unit(code, name, kind, parent, town)
SELECT u.code || '.pol', regexp_replace(u.name, '(街道|镇)$', '') || '派出所', 'police_station', u.code, u.code
  FROM unit u WHERE u.kind = 'town'
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name;
