-- Hazard categories: the 22 items of the work list 《校园及周边安全防控
-- “一件事”工作清单》 (seed 002, 附件1), by their number in the list, with a
-- short name for forms and reports. Edit and re-run `xiaoan-admin migrate`.
--
-- lead_dept: the list's lead unit (牵头单位, one merged cell for the whole
-- list in the original: 区教育局). resp: routing targets of the responsible
-- units (责任单位): 'dept:<dept_key>' or 'town' (the school's town command
-- room, for the items the list gives to 乡镇（街道）). resp_zh: the seed's
-- wording, whose city-level units (市公安局余杭分局 ...) stand for their
-- district counterparts here. Three units of the list are not in this
-- district's unit tree (units 10_units.sql): dept:environment (生态环境分局),
-- dept:transport (区交通运输局) and dept:fire (区消防救援大队); their
-- items route to them once such units exist, and meanwhile the lead unit
-- coordinates. Item 10's 区林水局 is 区水利局 (dept:water) here.
SET search_path = xiaoan, pg_catalog;

INSERT INTO hazard_category(code, seq, name_zh, item_zh, lead_dept, resp, resp_zh) VALUES
  ('joint_governance', 1, '周边联合整治',
   '统筹平安建设协调机制，联合整治校园周边交通乱象、治安隐患、安全风险等突出问题',
   'edu', '{dept:plc}', '区委政法委'),
  ('campus_security', 2, '校内安全防控',
   '健全学校安全防控工作机制，落实保卫力量和安全宣传教育，排查整治校园安全隐患',
   'edu', '{dept:edu}', '区教育局'),
  ('perimeter_mechanism', 3, '周边防控机制',
   '健全校园周边安全防控工作机制，做好校园周边安全防控和综合治理',
   'edu', '{dept:edu}', '区教育局'),
  ('four_hundred', 4, '护校安园与“四个百分百”',
   '开展“护校安园”行动，做好校园外部及周边安全防范，指导校园内部安全保卫',
   'edu', '{dept:police}', '区公安分局'),
  ('crossing_post', 5, '护学岗与接送车辆',
   '落实护学岗，管理上下学时段校园周边交通秩序，查处超速、超员、无牌无证车辆接送学生',
   'edu', '{dept:police}', '区公安分局'),
  ('environment', 6, '环境质量监测',
   '监测学校及周边大气、土壤、水环境质量',
   'edu', '{dept:environment}', '生态环境分局'),
  ('lab_waste', 7, '实验室废弃物',
   '指导学校有效处置实验室废弃物等有害物质',
   'edu', '{dept:environment}', '生态环境分局'),
  ('bus_routes', 8, '公交线路',
   '合理规划公交线路，服务学生上下学',
   'edu', '{dept:transport}', '区交通运输局'),
  ('school_bus', 9, '校车线路与站点',
   '校车线路勘察、道路防护设施建设提升改造、校车站点设置',
   'edu', '{dept:transport}', '区交通运输局'),
  ('waters', 10, '周边水域险情',
   '监督指导学校周边河流、水库、山塘等水域，及时发现险情、消除隐患',
   'edu', '{dept:water}', '区林水局'),
  ('entertainment', 11, '周边娱乐场所',
   '取缔和清理学校周边200米内互联网上网、电子游戏、KTV、彩票投注等经营场所',
   'edu', '{dept:culture}', '区文广旅体局'),
  ('publications', 12, '周边出版物市场',
   '加强校园周边出版物市场管理，治理非法经营书刊、音像的摊点',
   'edu', '{dept:culture}', '区文广旅体局'),
  ('health_epidemic', 13, '卫生健康与传染病防控',
   '指导学校做好卫生健康教育和传染病防控工作',
   'edu', '{dept:health}', '区卫健局'),
  ('industrial_safety', 14, '周边企业安全生产',
   '加强校园周边企事业单位安全生产监管，防止企业生产影响校园安全和师生健康',
   'edu', '{dept:emergency}', '区应急管理局'),
  ('hazmat', 15, '危化品与应急处置',
   '对学校安全生产、危化品管理、应急处置等工作开展检查指导',
   'edu', '{dept:emergency}', '区应急管理局'),
  ('food_safety', 16, '校园及周边食品安全',
   '加强中小学校园及周边食品安全监管，查处无证无照等违法经营行为',
   'edu', '{dept:market}', '区市场监管局'),
  ('fire_safety', 17, '消防安全',
   '检查指导学校消防安全，督促配备消防器材设施，开展防火巡查和隐患排查',
   'edu', '{dept:fire}', '区消防救援大队'),
  ('street_vendors', 18, '流动摊贩与占道经营',
   '排查处置校园周边流动摊贩、出店经营、人行道违停和派发印刷品广告等行为',
   'edu', '{dept:law}', '区综合执法局'),
  ('disputes', 19, '涉校矛盾纠纷',
   '做好涉校、涉生矛盾纠纷的调解工作',
   'edu', '{town}', '乡镇（街道）'),
  ('drowning_patrol', 20, '河道水域巡查',
   '做好辖区内河道、水域的巡查，落实安全防护设施，防范学生溺水',
   'edu', '{town}', '乡镇（街道）'),
  ('commute_traffic', 21, '上下学交通保障',
   '协调相关部门做好学生上下学交通安全保障工作',
   'edu', '{town}', '乡镇（街道）'),
  ('commute_order', 22, '上下学秩序群防群治',
   '做好上下学时段校园周边秩序维护和交通疏导为重点的群防群治工作',
   'edu', '{town}', '乡镇（街道）')
ON CONFLICT (code) DO UPDATE SET
  seq = EXCLUDED.seq, name_zh = EXCLUDED.name_zh, item_zh = EXCLUDED.item_zh, lead_dept = EXCLUDED.lead_dept,
  resp = EXCLUDED.resp, resp_zh = EXCLUDED.resp_zh;
