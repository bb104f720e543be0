-- The alert types of seed 000 (附件2: 预警事项、推送对象、处置时限) and the
-- reported hazard of seed 002. Edit and re-run `xiaoan-admin migrate`.
--
-- holder: who receives the case and must sign it; cc: copied units (抄送);
-- cc_high: further units copied when the grade is high or the severity
-- critical. Targets: school, town (the school's command room),
-- police_station (the school's town station), dept:<key>.
-- sign_promptly: the seed says "promptly" (及时); the limit is the setting
-- promptly_minutes. NULL limits: the seed sets none for that stage.
-- legal_edu's clock runs from the course (occurred_at), not the push.
SET search_path = xiaoan, pg_catalog;

INSERT INTO alert_type(code, name_zh, name_en, function, trigger_zh, holder, cc, cc_high,
                       sign_limit, sign_promptly, feedback_limit, close_limit, clock_from, sensitive, is_hazard)
VALUES
  ('gate_open', '校园封闭式管理', 'Closed campus', '护学',
   '非上下学时段校门开启超过120秒', 'school', '{police_station,dept:edu,dept:police}', '{}',
   NULL, true, '10 minutes', '12 hours', 'pushed', false, false),
  ('guard_absent', '保安履职', 'Guard on duty', '护学',
   '保安7天未被人脸抓拍', 'school', '{police_station,dept:edu,dept:police}', '{}',
   '5 minutes', false, NULL, '12 hours', 'pushed', false, false),
  ('patrol_post', '护学岗', 'School-crossing post', '护学',
   '上下学高峰时段值勤民警未在护学岗打卡', 'dept:police', '{police_station}', '{}',
   '5 minutes', false, '15 minutes', '12 hours', 'pushed', false, false),
  ('panic_alarm', '一键报警', 'Panic alarm', '护学',
   '每月设备测试；设备离线或真实报警', 'school', '{police_station,dept:police}', '{town}',
   NULL, true, '15 minutes', '2 hours', 'pushed', false, false),
  ('risk_person', '风险人员禁入', 'Risk person near school', '护学',
   '环校100米内识别出8类重点人员', 'school', '{police_station}', '{town}',
   NULL, true, '15 minutes', '2 hours', 'pushed', false, false),
  ('minor_venue', '未成年人禁入场所', 'Minor in a barred venue', '护行',
   '学生人脸比对（相似度≥90%）进入网吧、KTV、酒吧、电竞酒店', 'school', '{dept:edu}', '{dept:culture,dept:police}',
   '5 minutes', false, '1 hour', '12 hours', 'pushed', true, false),
  ('food_safety', '食品安全', 'Food safety', '护学',
   '学校或家长反映食品安全问题', 'school', '{dept:edu,dept:market}', '{dept:police,dept:health,town}',
   '5 minutes', false, '1 hour', '12 hours', 'pushed', false, false),
  ('drowning', '溺水风险', 'Drowning risk', '护行',
   '未成年人在学校周边开放水域电子围栏逗留或越界', 'school', '{town}', '{police_station}',
   '3 minutes', false, NULL, '2 hours', 'pushed', false, false),
  ('traffic', '交通安全治理', 'Traffic safety', '护行',
   '校园周边拥堵、流动摊贩、窨井盖或广告牌损坏等隐患', 'dept:law', '{dept:police,dept:edu,school}', '{}',
   '3 minutes', false, NULL, '2 hours', 'pushed', false, false),
  ('mental_care', '心灵关爱', 'Mental care', '护成长',
   '心理评估、师生家长反映或网络巡查发现，分低中高危', 'school', '{dept:edu}', '{dept:health,police_station}',
   '3 minutes', false, NULL, '24 hours', 'pushed', true, false),
  ('dorm_absence', '校内住宿', 'Boarder not back', '护学',
   '住校学生未按时返回宿舍', 'school', '{police_station}', '{town}',
   '5 minutes', false, '1 hour', '12 hours', 'pushed', true, false),
  ('legal_edu', '普法护苗', 'Rule-of-law course', '护成长',
   '开展法治课程（90门课程菜单）', 'school', '{dept:edu}', '{}',
   NULL, false, NULL, '12 hours', 'occurred', false, false),
  ('hazard', '协同处置隐患', 'Reported hazard', '护学',
   '学校或部门排查发现的问题隐患（工作清单22项）', 'town', '{dept:edu}', '{}',
   NULL, true, NULL, NULL, 'pushed', false, true)
ON CONFLICT (code) DO UPDATE SET
  name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en, function = EXCLUDED.function,
  trigger_zh = EXCLUDED.trigger_zh, holder = EXCLUDED.holder, cc = EXCLUDED.cc, cc_high = EXCLUDED.cc_high,
  sign_limit = EXCLUDED.sign_limit, sign_promptly = EXCLUDED.sign_promptly,
  feedback_limit = EXCLUDED.feedback_limit, close_limit = EXCLUDED.close_limit,
  clock_from = EXCLUDED.clock_from, sensitive = EXCLUDED.sensitive, is_hazard = EXCLUDED.is_hazard;
